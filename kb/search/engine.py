"""Searching the index: one ``SearchIndex`` opens the current generation once and serves many
searches (the CLI and the web app both use it).

A query is split into words and quoted phrases. Each word searches the French and English text,
the names field and its thesaurus equivalents. The results are one ranked list: the records matching
every word first, then those missing one word of a 2-4 word query or a third of a longer one (a rare
word weighs more than a common one); quoted phrases and filters are always required. A word absent
from the index vocabulary is corrected with rapidfuzz ("did you mean"); the correction is offered
only when it finds records, and shown in place of the original when that matches no record fully.
Matching, scoring and facet counts run on arrays (kb.search.postings), whatever the number of matches.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from markupsafe import escape
from pydantic import BaseModel, Field
from whoosh import index as whoosh_index

from kb.search.analysis import analyze, english_analyzer, fold, french_analyzer, index_term, name_analyzer, terms_of
from kb.search.filters import Filters
from kb.search.indexer import TEXT_FIELDS, current, field_text, read_columns
from kb.paths import index_dir
from kb.search.postings import Columns
from kb.search.suggestions import Alternatives, candidates, matching_links, nearest_terms
from kb.search.thesaurus import get_thesaurus

MAX_QUERY_LENGTH = 500
MAX_LIMIT = 100
MAX_PARTS = 16  # distinct words and phrases of one query searched, at most
MAX_CORRECTIONS = 8  # unknown words of one query looked up for a correction, at most
SYNONYM_BOOST = 0.5  # a thesaurus equivalent counts half as much as the word itself
BROADER_BOOST = 0.25  # a broader concept ("logement" for "sans-abri") a quarter
SIMILAR_TERMS = 12  # key terms of a record a "more like this" search looks for, in each field
# French question words (English ones are stop words already), left out of a query of several words
QUESTION_WORDS = frozenset({"comment", "quel", "quels", "quelle", "quelles", "pourquoi", "quoi", "combien", "lequel",
                            "laquelle", "lesquels", "lesquelles", "est-ce"})
_QUERY_TOKENS = re.compile(r'"([^"]+)"|(\S+)')
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


def may_miss(words: int) -> int:
    """How many of a query's words a listed record may miss (as Elasticsearch's
    ``minimum_should_match``): none of one word, one of 2-4 words, a third of longer queries."""
    if words <= 1:
        return 0
    return 1 if words <= 4 else words // 3


@dataclass(eq=False)
class Unit:
    """A query word, thesaurus term or quoted phrase, with its scores and matches over every document."""

    text: str
    is_phrase: bool
    scores: np.ndarray
    mask: np.ndarray


@dataclass
class Match:
    """The documents a query lists (``mask``), their scores, and their ranking key ``order``."""

    scores: np.ndarray | None
    mask: np.ndarray
    order: np.ndarray | None
    units: list[Unit]
    full: int  # documents matching every unit
    wanted: dict[str, set[str]]

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.mask))


class IndexMissing(RuntimeError):
    """There is no index yet: run `kb index`."""


class Hit(BaseModel):
    """One search result."""

    id: str
    kind: str
    title: dict[str, str] = Field(description="Title in fr and en.")
    country: str | None = None
    themes: list[int]
    year: int | None = None
    score: float
    snippet: str = Field(description="Excerpt with matches wrapped in <mark>; the rest is HTML-escaped.")
    missing: list[str] = Field(default_factory=list,
                               description="Query words this record does not match (it matches the others).")

    @classmethod
    def of(cls, rec: dict, score: float, snippet: str, missing: list[str] | None = None) -> "Hit":
        """The hit for a stored record (references have one title for both languages)."""
        title = rec["title"] if isinstance(rec["title"], dict) else {"fr": rec["title"], "en": rec["title"]}
        return cls(id=rec["id"], kind=rec["kind"], title=title, country=rec.get("country"), themes=rec.get("themes", []),
                   year=rec.get("year_started", rec.get("year")), score=round(score, 3), snippet=snippet,
                   missing=missing or [])


class SearchResponse(BaseModel):
    """A page of results, the facet counts over all matches, and any correction."""

    query: str
    total: int
    page: int
    limit: int
    pages: int
    sort: str
    mode: str = Field(description='"all" when every listed record matches every word; "partial" when some match '
                                  "only most of them (each hit says which words it misses).")
    full_matches: int = Field(default=0, description="How many of the listed records match every word.")
    results: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = Field(default=None, description="A corrected query when a word looks misspelt.")
    corrected: bool = Field(default=False, description="True when the results are those of the suggestion.")
    filters: dict[str, list[str]] = Field(default_factory=dict)
    alternatives: Alternatives | None = Field(
        default=None, description="When nothing is found: nearest thesaurus terms, matching themes and success factors.")


class SearchIndex:
    """The open index: a searcher, its vocabulary and per-document columns, reused across searches."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory or index_dir()
        self._lock = threading.RLock()
        self._generation: str | None = None
        self._stamp: tuple[int, int] | None = None  # the CURRENT file last seen by refresh()
        self._fr, self._en, self._names = french_analyzer(), english_analyzer(), name_analyzer()
        self._open()

    # -- opening -----------------------------------------------------------------------------
    def _open(self) -> None:
        gen = current(self.directory)
        if gen is None:
            raise IndexMissing(f"no index in {self.directory}; run `kb index`")
        try:
            ix = whoosh_index.open_dir(str(gen.path))
        except whoosh_index.EmptyIndexError:  # the generation was removed since CURRENT was read
            raise IndexMissing(f"the index in {gen.path} is gone; open the index again") from None
        searcher = ix.searcher()
        vocab = json.loads((gen.path / "vocab.json").read_text(encoding="utf-8"))
        table = read_columns(gen.path, searcher)
        old = getattr(self, "_searcher", None)
        self._searcher, self._ix, self.meta = searcher, ix, gen.meta
        self._cols = Columns(searcher, table, TEXT_FIELDS)
        self._vocab, self._vocab_set = vocab, set(vocab)
        live = self._cols.live  # a record updated in place leaves its former document deleted
        self._ids = {record_id: docnum for docnum, record_id in enumerate(table.ids) if live[docnum]}
        self._everything: dict[str, dict[str, int]] | None = None  # facet counts of the whole collection
        self._similar: dict[tuple, list[Hit]] = {}  # "more like this" is fixed for a generation
        self._generation = gen.path.name
        if old is not None:
            old.close()

    def refresh(self) -> bool:
        """Reopen if a new generation was swapped in; True when it did. Costs one ``stat`` when
        nothing changed (a swap replaces the CURRENT file)."""
        try:
            stamp = (self.directory / "CURRENT").stat()
            stamp = (stamp.st_ino, stamp.st_mtime_ns)
        except OSError:
            stamp = None
        if stamp is not None and stamp == self._stamp:
            return False
        self._stamp = stamp
        gen = current(self.directory)
        if gen is None or gen.path.name == self._generation:
            return False
        with self._lock:
            if gen.path.name != self._generation:
                self._open()
                return True
        return False

    def close(self) -> None:
        self._searcher.close()

    # -- records -----------------------------------------------------------------------------
    def ids(self) -> list[str]:
        return list(self._ids)

    def get(self, record_id: str) -> dict | None:
        """The stored record (as JSON data) with this id, or None."""
        docnum = self._ids.get(record_id)
        if docnum is None:
            return None
        with self._lock:
            return self._searcher.stored_fields(docnum)["record"]

    # -- queries -----------------------------------------------------------------------------
    def _fields(self):
        return (("title_fr", self._fr), ("body_fr", self._fr), ("tags_fr", self._fr), ("title_en", self._en),
                ("body_en", self._en), ("tags_en", self._en), ("names", self._names))

    def _unit(self, text: str, is_phrase: bool, expand: bool, wanted: dict[str, set[str]]):
        """Scores and matches of a word, a thesaurus term or a quoted phrase over every document: in
        any text field, in either language, and - through the ``synonyms`` field filled at index
        time - every record holding one of its thesaurus equivalents or, weaker, a term of a broader
        group. A quoted phrase needs its words in sequence; the words of a term ("santé mentale")
        need only be in the same field, as the thesaurus groups are indexed. None when the text has
        no index token."""
        cols = self._cols
        scores = np.zeros(cols.n, dtype=np.float32)
        found = False
        analysed: dict[int, list[str]] = {}  # three analyzers serve the seven fields
        for field, analyzer in self._fields():
            if id(analyzer) not in analysed:
                analysed[id(analyzer)] = analyze(analyzer, text)
            tokens = analysed[id(analyzer)]
            if not tokens:
                continue
            found = True
            if len(tokens) == 1:
                ids, s = cols.term(field, tokens[0])
            else:
                ids, s = cols.phrase(field, tokens) if is_phrase else cols.all_of(field, tokens)
            scores[ids] += s
            if field[-3:] in ("_fr", "_en"):
                wanted[field[-2:]].update(tokens)
        if expand:
            thesaurus = get_thesaurus()
            for boost, groups in ((SYNONYM_BOOST, thesaurus.groups_of(text)), (BROADER_BOOST, thesaurus.broader_of(text))):
                for n in groups:  # one term per group, weaker than the user's own word
                    ids, s = cols.term("synonyms", f"g{n}")
                    scores[ids] += boost * s
                    found = True
        return (scores, scores > 0) if found else None

    def _units(self, parts: list[tuple[str, bool]], wanted: dict[str, set[str]]) -> list[Unit]:
        """Each word, thesaurus term or quoted phrase of ``parts`` with its scores and matches; stop
        words of either language are left out."""
        units = []
        for text, is_phrase, expand in self.group(parts):
            if not is_phrase and not _content(text):
                continue  # "au", "the": a stop word in one language is no search word in the other
            if not is_phrase and len(parts) > 1 and fold(text) in QUESTION_WORDS:
                continue  # "comment consulter les réfugiés": the question word asks, it does not search
            found = self._unit(text, is_phrase, expand, wanted)
            if found is not None:
                units.append(Unit(text, is_phrase, *found))
        return units

    def _any(self, parts: list[tuple[str, bool]]):
        """(summed scores, matches) of the records holding any word of ``parts``; None when no word
        has an index token."""
        units = self._units(parts, {"fr": set(), "en": set()})
        if not units:
            return None
        return np.sum([u.scores for u in units], axis=0), np.logical_or.reduce([u.mask for u in units])

    def _ranked(self, parts: list[tuple[str, bool]], allowed: np.ndarray) -> Match:
        """One ranked list for the words of ``parts`` within ``allowed``: the records matching every
        word first, then those missing up to ``may_miss`` of them (never a quoted phrase). Within each
        tier, the score is weighted by the share of the query's rarity the record covers, so a record
        with the rare words ranks above one with only the common ones."""
        wanted: dict[str, set[str]] = {"fr": set(), "en": set()}
        if not parts:
            return Match(None, allowed, None, [], int(np.count_nonzero(allowed)), wanted)
        units = self._units(parts, wanted)
        live = self._cols.live
        # a word no record holds cannot tell records apart: it is reported missing, not counted
        held = [u.is_phrase or bool((u.mask & live).any()) for u in units]
        absent = [u for u, h in zip(units, held) if not h]
        units = [u for u, h in zip(units, held) if h]
        if not units:
            return Match(None, np.zeros_like(allowed), None, absent, 0, wanted)
        n = max(1, int(np.count_nonzero(live)))
        scores = np.sum([u.scores for u in units], axis=0) if len(units) > 1 else units[0].scores.copy()
        required = np.logical_and.reduce([u.mask for u in units if u.is_phrase] or [live])
        rarity = np.array([np.log1p(n / (1 + np.count_nonzero(u.mask & live))) for u in units], dtype=np.float32)
        matched = np.zeros(self._cols.n, dtype=np.float32)
        missing = np.zeros(self._cols.n, dtype=np.int16)
        for u, w in zip(units, rarity):
            matched += w * u.mask
            missing += ~u.mask
        mask = allowed & required & (missing <= may_miss(len(units)))  # may_miss(n) < n: one word at least
        full = int(np.count_nonzero(mask & (missing == 0)))
        coverage = matched / float(rarity.sum())
        weighted = scores * coverage
        # the records matching every word first; then the others by score times the share of the
        # query's rarity they cover, so missing a common word costs less than missing a rare one
        top = float(weighted[mask].max()) + 1.0 if mask.any() else 1.0
        order = weighted.astype(np.float64) - (missing > 0) * top
        if absent:
            full = 0
        return Match(scores, mask, order, units + absent, full, wanted)

    @staticmethod
    def group(parts: list[tuple[str, bool]]) -> list[tuple[str, bool, bool]]:
        """Join consecutive words that form a thesaurus term ("santé mentale") into one unit.

        Returns (text, is_phrase, expand) triples."""
        thesaurus = get_thesaurus()
        out: list[tuple[str, bool, bool]] = []
        i = 0
        while i < len(parts):
            text, is_phrase = parts[i]
            if not is_phrase:
                for size in (3, 2):
                    window = parts[i:i + size]
                    if len(window) == size and not any(p for _, p in window) and _content(window[0][0]) \
                            and _content(window[-1][0]):
                        joined = " ".join(t for t, _ in window)
                        if thesaurus.expand(joined):
                            out.append((joined, False, True))
                            i += size
                            break
                else:
                    out.append((text, False, True))
                    i += 1
                continue
            out.append((text, True, False))
            i += 1
        return out

    @staticmethod
    def split(query: str) -> list[tuple[str, bool]]:
        """(text, is_phrase) for each word or quoted phrase of ``query``: each once, the first
        MAX_PARTS of them (a query's cost grows with its distinct words; this bounds it)."""
        out: dict[tuple[str, bool], tuple[str, bool]] = {}
        for phrase, word in _QUERY_TOKENS.findall(query[:MAX_QUERY_LENGTH]):
            if phrase.strip():
                part = (phrase.strip(), True)
            else:
                word = _ELISION.sub("", word.strip("\"'’()[]{}:;,.!?*+-~^"))
                if not word:
                    continue
                part = (word, False)
            out.setdefault((fold(part[0]), part[1]), part)
            if len(out) == MAX_PARTS:
                break
        return list(out.values())

    def _filter_mask(self, filters: Filters) -> np.ndarray:
        """Live documents with, for every filtered facet, one of the asked values."""
        mask = self._cols.live.copy()
        for facet, values in filters.values.items():
            mask &= self._cols.mask(facet, values)
        return mask

    def _known(self, word: str) -> bool:
        folded = fold(word)
        if folded in self._vocab_set or get_thesaurus().expand(word):
            return True
        for field, analyzer in (("body_fr", self._fr), ("body_en", self._en), ("tags_fr", self._fr),
                                ("tags_en", self._en), ("names", self._names)):
            tokens = analyze(analyzer, word)
            if not tokens:
                return True  # a stop word: nothing to correct
            if all(self._cols.doc_frequency(field, t) for t in tokens):
                return True
        return False

    def _frequency(self, word: str) -> int:
        """How many records hold ``word`` (in any text field), at most."""
        best = 0
        for field, analyzer in self._fields():
            tokens = analyze(analyzer, word)
            if len(tokens) == 1:
                best = max(best, self._cols.doc_frequency(field, tokens[0]))
        return best

    def suggest(self, parts: list[tuple[str, bool]]) -> str | None:
        """The query with each unknown word replaced by its most plausible correction, or None."""
        changed = False
        out = []
        tried = 0
        for text, is_phrase in parts:
            if is_phrase or len(text) < 3 or text.isdigit() or tried >= MAX_CORRECTIONS or self._known(text):
                out.append(f'"{text}"' if is_phrase else text)
                continue
            tried += 1
            found = candidates(text, self._vocab, self._frequency)
            if found:
                out.append(found[0].word)
                changed = True
            else:
                out.append(text)
        return " ".join(out) if changed else None

    def alternatives(self, query: str, allowed: np.ndarray) -> Alternatives:
        """For a search that found nothing: the nearest thesaurus terms that find records within
        ``allowed``, and the themes and success factors whose names match."""
        terms = [t for t in nearest_terms(query) if self._ranked(self.split(t), allowed).total][:5]
        return Alternatives(terms=terms, links=matching_links(query))

    def search(
        self,
        query: str = "",
        filters: Filters | None = None,
        *,
        page: int = 1,
        limit: int = 10,
        sort: str = "relevance",
        lang: str = "fr",
    ) -> SearchResponse:
        """Search; ``filters`` are already resolved (see kb.search.filters.Filters.parse)."""
        filters = filters or Filters()
        page, limit = max(1, int(page)), max(1, min(MAX_LIMIT, int(limit)))
        query = (query or "").strip()[:MAX_QUERY_LENGTH]
        parts = self.split(query)
        with self._lock:
            allowed = self._filter_mask(filters)
            match = self._ranked(parts, allowed)
            suggestion, corrected = None, False
            if parts and not match.full:
                # a misspelt word: the corrected query is offered only when it finds something, and
                # shown in place of the original when that matches no record on every word
                suggestion = self.suggest(parts)
                if suggestion:
                    fixed = self._ranked(self.split(suggestion), allowed)
                    if fixed.full:
                        match, corrected = fixed, True
                    elif not fixed.total:
                        suggestion = None
            total = match.total
            hits = self._page(match, page, limit, sort, lang) if total else []
            alternatives = self.alternatives(query, allowed) if parts and not total else None
            if not parts and not filters.values:
                if self._everything is None:
                    self._everything = self._cols.count(match.mask)
                facets = self._everything
            else:
                facets = self._cols.count(match.mask)
        return SearchResponse(
            query=query, total=total, page=page, limit=limit, pages=(total + limit - 1) // limit, sort=sort,
            mode="all" if match.full == total else "partial", full_matches=match.full, results=hits, facets=facets,
            suggestion=suggestion, corrected=corrected, filters=filters.values, alternatives=alternatives,
        )

    def _top(self, order, mask, count: int, by_date: bool) -> np.ndarray:
        """The ``count`` best matched documents: by ``order``, or newest first; ties by record id."""
        docs = np.flatnonzero(mask)
        count = min(count, len(docs))
        rank = self._cols.rank[docs]
        if order is None or by_date:
            key = -self._cols.year[docs].astype(np.int64) * (self._cols.n + 1) + rank
        else:
            key = -order[docs].astype(np.float64)
        if count < len(docs):
            chosen = np.argpartition(key, count - 1)[:count]
            # every document tied with the last one chosen stays in the running: which of them make
            # the cut is decided by id below, not by where they are in the index
            chosen = np.flatnonzero(key <= key[chosen].max())
            docs, key, rank = docs[chosen], key[chosen], rank[chosen]
        order = np.lexsort((rank, key))[:count]
        return docs[order]

    def _page(self, match: Match, page, limit, sort, lang) -> list[Hit]:
        docs = self._top(match.order, match.mask, page * limit, by_date=sort == "date")[(page - 1) * limit:]
        hits = []
        for docnum in docs:
            docnum = int(docnum)
            stored = self._searcher.stored_fields(docnum)
            rec = stored["record"]
            score = float(match.scores[docnum]) if match.scores is not None else 0.0
            missing = [u.text for u in match.units if not u.mask[docnum]]
            hits.append(Hit.of(rec, score, self._snippet(docnum, rec, lang, match.wanted), missing))
        return hits

    def _snippet(self, docnum: int, rec: dict, lang: str, wanted: dict[str, set[str]]) -> str:
        """An extract of the body in ``lang`` (else the other language) with the matched words marked;
        a body the index says holds none of the words is not scanned."""
        other = "en" if lang == "fr" else "fr"
        for field in (f"body_{lang}", f"body_{other}"):
            words = wanted.get(field[-2:], set())
            if not words or not self._cols.holds(field, words, docnum):
                continue
            marked = mark(field_text(rec, field), words, field[-2:])
            if marked:
                return marked
        text = rec.get("summary") or rec.get("description") or {}
        plain = text.get(lang) or text.get(other) or ""
        return str(escape(plain[:240] + ("…" if len(plain) > 240 else "")))

    def text_matches(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """Records whose text best matches ``text``: its eight most distinctive words, any of them."""
        words = list(dict.fromkeys(w for w, is_phrase in self.split(text) if not is_phrase and len(w) > 3))

        def rarity(word: str) -> int:
            freqs = [self._cols.doc_frequency(field, t) for field, analyzer in (("body_fr", self._fr), ("body_en", self._en))
                     for t in analyze(analyzer, word)]
            freqs = [f for f in freqs if f]
            return min(freqs) if freqs else 0

        with self._lock, self._cols.passing():  # asked once per checklist item: not worth keeping
            ranked = sorted((w for w in words if rarity(w)), key=rarity)[:8]
            found = self._any([(w, False) for w in ranked])
            if found is None:
                return []
            scores, mask = found
            return [(self._cols.ids[d], float(scores[d])) for d in self._top(scores, mask & self._cols.live, limit, False)]

    def similar(self, record_id: str, limit: int = 5, lang: str = "fr") -> list[Hit]:
        """Records most like ``record_id`` ("more like this"), best first; KeyError if unknown.

        As Whoosh's ``more_like`` in each of the bodies and titles (the record's twelve key terms, the
        best ``3 * limit`` records holding them), the scores added up over the four fields; counted on
        the live documents, ties broken by record id."""
        docnum = self._ids.get(record_id)
        if docnum is None:
            raise KeyError(record_id)
        key = (self._generation, record_id, limit, lang)
        if key in self._similar:
            return self._similar[key]
        with self._lock:
            cols = self._cols
            stored = self._searcher.stored_fields(docnum)
            total = np.zeros(cols.n, dtype=np.float64)
            for field in ("body_fr", "body_en", "title_fr", "title_en"):
                scores = np.zeros(cols.n, dtype=np.float64)
                for token, boost in cols.key_terms(field, field_text(stored["record"], field), SIMILAR_TERMS):
                    ids, s = cols.term(field, token)
                    scores[ids] += boost * s.astype(np.float64)
                mask = scores > 0
                mask[docnum] = False
                best = self._top(scores, mask, limit * 3, False)
                total[best] += scores[best]
            hits = []
            for other in self._top(total, total > 0, limit, False).tolist():
                rec = self._searcher.stored_fields(other)["record"]
                summary = rec.get("summary") or rec.get("description") or {}
                hits.append(Hit.of(rec, float(total[other]), str(escape((summary.get(lang) or "")[:240]))))
            if len(self._similar) > 5000:
                self._similar.clear()
            self._similar[key] = hits
            return hits


_WORD = re.compile(r"\w+")


def _content(word: str) -> bool:
    """Whether ``word`` is more than a stop word in French or English (a thesaurus term joined from
    query words starts and ends with one)."""
    return bool(terms_of(word, "fr") and terms_of(word, "en"))  # the analyzers' terms, each word's cached


_STEMS = {"fr": 2, "en": 1}  # as the analyzers stem (kb/search/analysis.py)


def _spans(text: str, wanted: set[str], lang: str, width: int, fragments: int) -> list[tuple[int, int]]:
    """Where the words of ``text`` whose index term is in ``wanted`` are, up to the end of the last
    fragment that can be shown (the rest of a long text is not scanned)."""
    spans: list[tuple[int, int]] = []
    starts: list[int] = []  # where each fragment begins
    stems = _STEMS[lang]
    for m in _WORD.finditer(text):
        if starts and m.start() > starts[-1] + width + 60:
            if len(starts) >= fragments:
                break
        if index_term(m.group().lower(), lang, stems) in wanted:
            if not starts or m.start() > starts[-1] + width:
                if len(starts) >= fragments:
                    break
                starts.append(m.start())
            spans.append((m.start(), m.end()))
    return spans


def mark(text: str, wanted: set[str], lang: str, width: int = 160, fragments: int = 2) -> str:
    """Up to ``fragments`` extracts of ``text`` around matched words, HTML-escaped, matches in <mark>."""
    if not wanted or not text:
        return ""
    spans = _spans(text, wanted, lang, width, fragments)
    if not spans:
        return ""
    pieces, used_until = [], -1
    for start, _ in spans:
        if start < used_until or len(pieces) >= fragments:
            continue
        lo = max(0, start - width // 3, used_until)
        hi = min(len(text), lo + width)
        while lo > max(0, used_until) and not text[lo - 1].isspace():  # do not cut a word
            lo -= 1
        while hi < len(text) and not text[hi].isspace():
            hi += 1
        out, pos = [], lo
        for a, b in spans:
            if a >= lo and b <= hi:
                out.append(str(escape(text[pos:a])) + f"<mark>{escape(text[a:b])}</mark>")
                pos = b
        out.append(str(escape(text[pos:hi])))
        pieces.append(("…" if lo > 0 else "") + "".join(out).strip() + ("…" if hi < len(text) else ""))
        used_until = hi
    return " ".join(pieces)
