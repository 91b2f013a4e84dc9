"""Help for a query that goes wrong: spelling corrections ("did you mean") and, when nothing is
found, the nearest thesaurus terms and the themes and success factors whose names match.

A correction must be plausible: at most one edit for a word of 3-5 letters and two for a longer one
(Damerau-Levenshtein, as Elasticsearch's ``fuzziness: AUTO``), so "conjugales" is never turned into
"consultes". Among the candidates, a word of the thesaurus or the framework (the guide's own
vocabulary) beats a word found only in a record, the same first letter beats another, and a word
many records hold beats a rare one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from kb.search.analysis import analyze, english_analyzer, fold, french_analyzer
from kb.records.framework import get_framework
from kb.search.thesaurus import get_thesaurus

MAX_CANDIDATES = 12


def max_edits(word: str) -> int:
    """Edits a correction may make: none below 3 letters, one up to 5, two beyond."""
    n = len(word)
    return 0 if n < 3 else 1 if n <= 5 else 2


@lru_cache(maxsize=1)
def guide_words() -> frozenset[str]:
    """Folded words of the thesaurus and of the framework's names and checklists: the vocabulary a
    correction prefers."""
    fw = get_framework()
    texts: list[str] = [term for group in get_thesaurus().groups for term in group]
    for theme in fw.themes:
        texts += [theme.title.fr, theme.title.en]
        for sf in theme.success_factors:
            texts += [sf.name.fr, sf.name.en]
        for item in theme.checklist:
            texts += [item.text.fr, item.text.en]
    for g in fw.glossary.terms:
        texts += [g.term.fr, g.term.en]
    for name in ("actor_types", "target_groups", "sectors"):
        for term in fw.facet(name).values():
            texts += [term.name.fr, term.name.en]
    words: set[str] = set()
    for text in texts:
        words.update(w for w in fold(text).replace("'", " ").replace("’", " ").replace("-", " ").split() if len(w) > 2)
    return frozenset(words)


@dataclass(frozen=True)
class Candidate:
    word: str
    edits: int
    cost: float


def candidates(word: str, vocabulary: list[str], frequency) -> list[Candidate]:
    """Plausible corrections of ``word`` from ``vocabulary``, best first; ``frequency(w)`` is the
    number of records holding ``w``."""
    folded = fold(word)
    limit = max_edits(folded)
    if not limit:
        return []
    found = process.extract(folded, vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=limit,
                            limit=MAX_CANDIDATES)
    preferred = guide_words()
    out = []
    for text, edits, _ in found:
        if text == folded or not edits:
            continue
        df = frequency(text)
        if not df:
            continue
        cost = edits + (0.0 if text in preferred else 0.5) + (0.0 if text[:1] == folded[:1] else 0.5) + (0.25 if df < 2 else 0.0)
        out.append(Candidate(text, edits, cost))
    return sorted(out, key=lambda c: (c.cost, c.word))


class Link(BaseModel):
    """A theme or success factor offered when a search finds nothing."""

    kind: str = Field(description='"theme" or "success_factor".')
    id: str
    theme: int
    name: dict[str, str]


class Alternatives(BaseModel):
    """Where to go from a search that found nothing."""

    terms: list[str] = Field(default_factory=list, description="Nearest thesaurus terms that find records.")
    links: list[Link] = Field(default_factory=list, description="Themes and success factors whose names match.")


@lru_cache(maxsize=2)
def _terms(thesaurus) -> tuple[list[str], list[str]]:
    """The thesaurus's distinct terms and their folded forms, made once per thesaurus."""
    terms = list(dict.fromkeys(t for group in thesaurus.groups for t in group))
    return terms, [fold(t) for t in terms]


def nearest_terms(query: str, limit: int = 8) -> list[str]:
    """Thesaurus terms closest to ``query`` (as a whole or word by word), best first."""
    folded = fold(query)
    terms, folded_terms = _terms(get_thesaurus())
    scored: dict[int, float] = {}
    words = [w for w in folded.replace("-", " ").split() if len(w) > 2][:8] or [folded]
    for text in dict.fromkeys([folded[:100], *words]):
        for _, score, n in process.extract(text, folded_terms, scorer=fuzz.ratio, score_cutoff=70, limit=limit):
            scored[n] = max(scored.get(n, 0.0), score)
    ranked = sorted(scored, key=lambda n: (-scored[n], terms[n]))
    return [terms[n] for n in ranked if folded_terms[n] != folded][:limit]


@lru_cache(maxsize=1)
def _named() -> list[tuple[Link, frozenset[str], tuple[str, ...]]]:
    """Every theme and success factor with the stems and the long words of its names, made once."""
    fr, en = french_analyzer(), english_analyzer()
    out = []
    for theme in get_framework().themes:
        named = [(Link(kind="theme", id=str(theme.number), theme=theme.number,
                       name={"fr": theme.title.fr, "en": theme.title.en}), theme.title)]
        named += [(Link(kind="success_factor", id=sf.id, theme=theme.number, name={"fr": sf.name.fr, "en": sf.name.en}),
                   sf.name) for sf in theme.success_factors]
        for link, name in named:
            stems = frozenset(analyze(fr, name.fr)) | frozenset(analyze(en, name.en))
            words = tuple(w for w in fold(f"{name.fr} {name.en}").replace("-", " ").replace("'", " ").split() if len(w) > 4)
            out.append((link, stems, words))
    return out


def matching_links(query: str, limit: int = 6) -> list[Link]:
    """Themes and success factors whose names share a word with ``query`` (a stem, in French or
    English, of the query's words or of their thesaurus equivalents), or a word within two edits."""
    fr, en = french_analyzer(), english_analyzer()
    own = set(analyze(fr, query)) | set(analyze(en, query))
    related: set[str] = set()
    thesaurus = get_thesaurus()
    words = [w for w in fold(query).replace("-", " ").split() if len(w) > 2][:8]
    for word in words:
        for term in thesaurus.expand(word):
            related |= set(analyze(fr, term)) | set(analyze(en, term))
    found: list[tuple[float, Link]] = []
    for link, stems, name_words in _named():
        typo = sum(1 for w in words if len(w) > 4 and any(
            DamerauLevenshtein.distance(w, n) <= max_edits(w) for n in name_words))
        score = 3 * len(own & stems) + len(related & stems) + 2 * typo
        if score:
            found.append((score, link))
    found.sort(key=lambda x: (-x[0], x[1].kind != "theme", x[1].theme, x[1].id))
    return [link for _, link in found[:limit]]
