"""The French <-> English domain thesaurus (framework/thesaurus.yaml) that expands query words.

A group holds the terms of one meaning, in both languages. A group may name a broader group, as
SKOS thesauri do (``broader: logement``: the group holding the term "logement"), so that a word with
few records of its own also reaches the broader concept's records, with a lower weight.

Loading checks the file and raises ``ThesaurusError`` naming the file, line, group and problem.
Analysing several thousand terms costs a few tenths of a second, so ``get_thesaurus`` keeps the
analysed thesaurus in a cache folder (``$KB_CACHE_DIR``, else ``.cache/`` in the index folder, the one
place the project writes to), keyed by the file's bytes and the analysis version; when the folder
cannot be written, it analyses the file each time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from kb.search.analysis import ANALYSIS_VERSION, fold, index_term, terms_of, words_of
from kb.paths import FRAMEWORK_DIR, index_dir
from kb.records.yamlsource import parse

_WORD_RE = re.compile(r"\w+")  # the analyzers' tokenizer (kb.search.analysis._WORDS)
_GROUP_KEYS = {"terms", "broader"}
_CACHE_VERSION = 2  # change it whenever the cached state changes shape

Stems = tuple[list[str], list[str]]  # a term's French and English index terms, in order


def _stems(text: str, lang: str) -> list[str]:
    """What ``analyze(french_analyzer() or english_analyzer(), text)`` gives, without the Whoosh
    pipeline: each word lower-cased, then folded, stop words dropped, stemmed (tested equal)."""
    n = 2 if lang == "fr" else 1
    return [t for t in (index_term(w.lower(), lang, n) for w in _WORD_RE.findall(text)) if t]


def _analyse(term: str) -> Stems:
    return _stems(term, "fr"), _stems(term, "en")


def _keys(term: str, stems: Stems) -> set[str]:
    """What a word or phrase is looked up by: its folded form, and its French and English stems."""
    keys = {"w:" + fold(term)}
    if stems[0]:
        keys.add("fr:" + " ".join(stems[0]))
    if stems[1]:
        keys.add("en:" + " ".join(stems[1]))
    return keys


class ThesaurusError(ValueError):
    """The thesaurus file is broken; ``problems`` lists each problem as ``FILE:LINE: group N: ...``
    (groups counted from 1, in file order)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Thesaurus:
    """Groups of equivalent terms; ``expand(word)`` gives the other terms of every group it is in,
    ``broader_of(word)`` the numbers of the broader groups of those groups. Groups are numbered
    from 0 in file order (the index stores them as ``g<n>``)."""

    def __init__(self, groups: list[list[str]], broader: list[list[int]] | None = None,
                 stems: list[list[Stems]] | None = None, keys: list[list[str]] | None = None):
        self.groups = [list(dict.fromkeys(g)) for g in groups]
        self.broader: list[list[int]] = [list(b) for b in broader] if broader else [[] for _ in self.groups]
        if len(self.broader) != len(self.groups):
            raise ValueError("one list of broader groups per group is expected")
        if stems is None:
            stems = [[_analyse(t) for t in group] for group in self.groups]
        # each term's French and English stems, analysed once
        self._analysed: list[list[Stems]] = [[(list(fr), list(en)) for fr, en in g] for g in stems]
        if keys is None:
            keys = [sorted({k for term, st in zip(group, self._analysed[n]) for k in _keys(term, st)})
                    for n, group in enumerate(self.groups)]
        self._keys = keys
        index: dict[str, set[int]] = {}
        for n, group_keys in enumerate(keys):
            for key in group_keys:
                index.setdefault(key, set()).add(n)
        # kept as tuples, not sets: every web worker holds these (a set of one number costs 200 bytes)
        self._index: dict[str, tuple[int, ...]] = {k: tuple(sorted(v)) for k, v in index.items()}
        stems_of = [[(frozenset(fr), frozenset(en)) for fr, en in g] for g in self._analysed]
        # groups_in: from one stem of each term to the groups it may reveal. A one-stem term
        # reveals its group as soon as the stem is in the text; a longer term is filed under its
        # least shared stem and checked in full.
        single: dict[str, dict[str, set[int]]] = {"fr": {}, "en": {}}
        self._multi: dict[str, dict[str, list[tuple[frozenset[str], int]]]] = {"fr": {}, "en": {}}
        for lang, side in (("fr", 0), ("en", 1)):
            spread: dict[str, int] = {}
            for group in stems_of:
                for pair in group:
                    for s in pair[side]:
                        spread[s] = spread.get(s, 0) + 1
            for n, group in enumerate(stems_of):
                for pair in group:
                    term = pair[side]
                    if len(term) == 1:
                        single[lang].setdefault(next(iter(term)), set()).add(n)
                    elif term:
                        key = min(sorted(term), key=lambda s: spread[s])
                        self._multi[lang].setdefault(key, []).append((term, n))
        self._single: dict[str, dict[str, tuple[int, ...]]] = {
            lang: {s: tuple(sorted(ns)) for s, ns in by_stem.items()} for lang, by_stem in single.items()}

    # -- state kept on disk by get_thesaurus ---------------------------------------------------
    def state(self) -> dict:
        return {"groups": self.groups, "broader": self.broader, "stems": self._analysed, "keys": self._keys}

    @classmethod
    def from_state(cls, state: dict) -> "Thesaurus":
        groups, broader, stems, keys = state["groups"], state["broader"], state["stems"], state["keys"]
        if not (len(groups) == len(broader) == len(stems) == len(keys)) or any(
                len(g) != len(s) for g, s in zip(groups, stems)):
            raise ValueError("inconsistent thesaurus state")
        return cls(groups, broader, stems, keys)  # each term's [French stems, English stems], as saved

    # -- lookups ---------------------------------------------------------------------------------
    def groups_of(self, text: str) -> list[int]:
        """Numbers of the groups ``text`` (a word or a phrase) belongs to."""
        found: set[int] = set()
        for key in _keys(text, _analyse(text)):
            found.update(self._index.get(key, ()))
        return sorted(found)

    def broader_of(self, text: str) -> list[int]:
        """Numbers of the broader groups of the groups ``text`` belongs to, but for those it is
        already in: a search reaches them with a lower weight."""
        own = self.groups_of(text)
        out = {b for n in own for b in self.broader[n]}
        return sorted(out.difference(own))

    def groups_in(self, fr_text: str, en_text: str) -> list[int]:
        """Groups with a term present in the texts (every word of a multi-word term, in any order):
        indexed with each record, so that a query reaches a whole group with one term. Looks up
        only the groups the texts' stems point to (see ``groups_in_slow``, the same answer)."""
        found: set[int] = set()
        for lang, text in (("fr", fr_text), ("en", en_text)):
            stems = terms_of(text, lang)
            single, multi = self._single[lang], self._multi[lang]
            for s in stems:
                found.update(single.get(s, ()))
                for term, n in multi.get(s, ()):
                    if n not in found and term <= stems:
                        found.add(n)
        return sorted(found)

    def group_counts(self, fr_text: str, en_text: str, most: int = 8) -> dict[int, int]:
        """How often each group present in the texts occurs in them (``groups_in``'s groups, found in
        the same single pass): one per occurrence of a one-word term, one per multi-word term present;
        at most ``most``. Indexed as
        the group's frequency, so a record about housing outranks one that names it once."""
        counts: dict[int, int] = {}
        for lang, text in (("fr", fr_text), ("en", en_text)):
            stems = 2 if lang == "fr" else 1
            single, multi = self._single[lang], self._multi[lang]
            words = [index_term(w.lower(), lang, stems) for w in words_of(text)]
            found = set(words)
            for word in words:
                for n in single.get(word, ()):
                    counts[n] = counts.get(n, 0) + 1
            seen: set[tuple[frozenset[str], int]] = set()  # "logement social", "logements sociaux": one term
            for word in found:
                for term, n in multi.get(word, ()):
                    if (term, n) not in seen and term <= found:
                        seen.add((term, n))
                        counts[n] = counts.get(n, 0) + 1
        return {n: min(most, c) for n, c in sorted(counts.items())}

    def groups_in_slow(self, fr_text: str, en_text: str) -> list[int]:
        """``groups_in`` as a loop over every group: the reference the fast version is tested against."""
        fr_stems = terms_of(fr_text, "fr")
        en_stems = terms_of(en_text, "en")
        return [n for n, stems in enumerate(self._analysed)
                if any((sf and set(sf) <= fr_stems) or (se and set(se) <= en_stems) for sf, se in stems)]

    def expand(self, text: str) -> list[str]:
        """Terms equivalent to ``text`` (a word or a phrase), not including it."""
        own = fold(text)
        out: list[str] = []
        for n in self.groups_of(text):
            out += [t for t in self.groups[n] if fold(t) != own and t not in out]
        return out


def load_thesaurus(path: Path, raw: bytes | None = None) -> Thesaurus:
    """Read and check a thesaurus file (``raw``: its bytes, when already read). ThesaurusError
    lists every problem found, each with the file, line, group number (from 1) and what is wrong."""
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ThesaurusError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    parsed = parse(raw)
    if parsed.problems:
        raise ThesaurusError([f"{path}:{p.line}: {p.message}" for p in parsed.problems])
    data = parsed.data
    problems: list[str] = []

    def at(*field) -> str:
        return f"{path}:{parsed.position(('groups', *field))[0]}"

    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise ThesaurusError([f"{path}:1: expected a mapping with a list of groups under 'groups'"])
    for key in sorted(set(data) - {"groups"}):
        problems.append(f"{path}:{parsed.position((key,))[0]}: unknown key {key!r}; the file holds only 'groups'")

    groups: list[list[str]] = []
    stems: list[list[Stems]] = []
    broader_names: list[tuple[int, list[str]]] = []
    for i, entry in enumerate(data["groups"]):
        label = f"group {i + 1}"
        terms_field: tuple = (i,)
        raw_terms = entry
        if isinstance(entry, dict):
            for key in sorted(set(entry) - _GROUP_KEYS):
                problems.append(f"{at(i, key)}: {label}: unknown key {key!r}; a group holds 'terms' "
                                "and optionally 'broader'")
            raw_terms, terms_field = entry.get("terms"), (i, "terms")
            if "broader" in entry:
                names = entry["broader"] if isinstance(entry["broader"], list) else [entry["broader"]]
                good = [n.strip() for n in names if isinstance(n, str) and n.strip()]
                if not names or len(good) != len(names):
                    problems.append(f"{at(i, 'broader')}: {label}: 'broader' must name a term of another "
                                    "group (or a list of such terms)")
                broader_names.append((i, good))
        if not isinstance(raw_terms, list):
            problems.append(f"{at(*terms_field)}: {label}: expected a list of terms, or a mapping with "
                            "'terms' (a list) and optionally 'broader'")
            groups.append([])
            stems.append([])
            continue
        terms: list[str] = []
        analysed: list[Stems] = []
        seen: dict[str, str] = {}
        for k, term in enumerate(raw_terms):
            where = at(*terms_field, k)
            if not isinstance(term, str):
                problems.append(f"{where}: {label}: term {k + 1} is {term!r}, not text; write it in quotes")
                continue
            term = term.strip()
            if not term:
                problems.append(f"{where}: {label}: term {k + 1} is empty")
                continue
            folded = fold(term)
            if folded in seen:
                problems.append(f"{where}: {label}: {term!r} repeats {seen[folded]!r} (accents and case "
                                "do not count); keep one")
                continue
            term_stems = _analyse(term)
            if not (term_stems[0] or term_stems[1]):
                problems.append(f"{where}: {label}: {term!r} has no searchable word (only stop words)")
                continue
            seen[folded] = term
            terms.append(term)
            analysed.append(term_stems)
        if len(raw_terms) < 2:
            problems.append(f"{at(*terms_field)}: {label}: has {len(raw_terms)} term(s); a group needs at least 2")
        groups.append(terms)
        stems.append(analysed)

    first_of: dict[frozenset[str], int] = {}
    holders: dict[str, list[int]] = {}
    for i, terms in enumerate(groups):
        key = frozenset(fold(t) for t in terms)
        if len(key) >= 2 and key in first_of:
            problems.append(f"{at(i)}: group {i + 1}: holds the same terms as group {first_of[key] + 1}")
        first_of.setdefault(key, i)
        for t in terms:
            holders.setdefault(fold(t), []).append(i)

    broader: list[list[int]] = [[] for _ in groups]
    for i, names in broader_names:
        where, label = at(i, "broader"), f"group {i + 1}"
        for name in names:
            found = [n for n in holders.get(fold(name), []) if n != i]
            if not found:
                what = "is a term of this very group" if i in holders.get(fold(name), []) else "names no group's term"
                problems.append(f"{where}: {label}: broader {name!r} {what}; name a term of another group")
            elif len(found) > 1:
                numbers = ", ".join(str(n + 1) for n in found)
                problems.append(f"{where}: {label}: broader {name!r} is a term of several groups ({numbers}); "
                                "name a term only one of them holds")
            elif found[0] not in broader[i]:
                broader[i].append(found[0])
    for i in range(len(groups)):  # a group cannot be broader than itself, even through others
        reached, todo = set(), list(broader[i])
        while todo:
            n = todo.pop()
            if n == i:
                problems.append(f"{at(i, 'broader')}: group {i + 1}: its broader groups lead back to it (a cycle)")
                break
            if n not in reached:
                reached.add(n)
                todo += broader[n]
    if problems:
        raise ThesaurusError(problems)
    return Thesaurus(groups, broader, stems)


def _cache_path(raw: bytes) -> Path:
    folder = os.environ.get("KB_CACHE_DIR") or str(index_dir() / ".cache")
    digest = hashlib.sha256(raw + f"\0analysis={ANALYSIS_VERSION};cache={_CACHE_VERSION}".encode()).hexdigest()
    return Path(folder) / f"thesaurus-{digest[:32]}.json"


@lru_cache(maxsize=1)
def get_thesaurus(path: Path = FRAMEWORK_DIR / "thesaurus.yaml") -> Thesaurus:
    """The thesaurus of ``path``, checked; analysed once per version of the file (see the module's doc)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ThesaurusError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    cache = _cache_path(raw)
    try:
        return Thesaurus.from_state(json.loads(cache.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    thesaurus = load_thesaurus(path, raw)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(thesaurus.state(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache)  # atomic: a reader sees the whole file or none
        for old in cache.parent.glob("thesaurus-*.json"):  # earlier versions of the file
            if old != cache:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return thesaurus
