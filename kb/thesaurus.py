"""The French <-> English domain thesaurus (framework/thesaurus.yaml) that expands query words."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from kb.analysis import analyze, english_analyzer, fold, french_analyzer, terms_of
from kb.paths import FRAMEWORK_DIR


class Thesaurus:
    """Groups of equivalent terms; ``expand(word)`` gives the other terms of every group it is in."""

    def __init__(self, groups: list[list[str]]):
        self.groups = [list(dict.fromkeys(g)) for g in groups]
        fr, en = french_analyzer(), english_analyzer()
        self._index: dict[str, set[int]] = {}
        for n, group in enumerate(self.groups):
            for term in group:
                for key in self._keys(term, fr, en):
                    self._index.setdefault(key, set()).add(n)
        self._fr, self._en = fr, en
        # each term's French and English stems, analysed once
        self._stems = [[(frozenset(analyze(fr, t)), frozenset(analyze(en, t))) for t in group] for group in self.groups]

    @staticmethod
    def _keys(term: str, fr, en) -> set[str]:
        keys = {"w:" + fold(term)}
        stems_fr, stems_en = analyze(fr, term), analyze(en, term)
        if stems_fr:
            keys.add("fr:" + " ".join(stems_fr))
        if stems_en:
            keys.add("en:" + " ".join(stems_en))
        return keys

    def groups_of(self, text: str) -> list[int]:
        """Numbers of the groups ``text`` (a word or a phrase) belongs to."""
        found: set[int] = set()
        for key in self._keys(text, self._fr, self._en):
            found |= self._index.get(key, set())
        return sorted(found)

    def groups_in(self, fr_text: str, en_text: str) -> list[int]:
        """Groups with a term present in the texts (every word of a multi-word term, in any order):
        indexed with each record, so that a query reaches a whole group with one term."""
        fr_stems = terms_of(fr_text, "fr")
        en_stems = terms_of(en_text, "en")
        return [n for n, stems in enumerate(self._stems)
                if any((sf and sf <= fr_stems) or (se and se <= en_stems) for sf, se in stems)]

    def expand(self, text: str) -> list[str]:
        """Terms equivalent to ``text`` (a word or a phrase), not including it."""
        groups: set[int] = set()
        for key in self._keys(text, self._fr, self._en):
            groups |= self._index.get(key, set())
        own = fold(text)
        out: list[str] = []
        for n in sorted(groups):
            out += [t for t in self.groups[n] if fold(t) != own and t not in out]
        return out


@lru_cache(maxsize=1)
def get_thesaurus(path: Path = FRAMEWORK_DIR / "thesaurus.yaml") -> Thesaurus:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return Thesaurus([[str(t) for t in g] for g in data.get("groups", [])])
