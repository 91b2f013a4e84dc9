"""Closed vocabularies records draw from, with "did you mean" suggestions for unknown terms, and what a
user types for a facet (an id, a name in French or English, a typo) resolved to the facet's id, or a
FilterError listing the close matches (for `kb new`, answers files and search filters)."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from kb.records import countries
from kb.records.folding import fold
from kb.records.framework import get_framework

DOCUMENT_TYPES = (
    "report", "toolkit", "guidance", "policy", "handbook", "working-paper",
    "webinar", "website", "funding-programme", "index", "legal-text",
)
LANGUAGES = ("en", "fr", "de", "it", "pl", "fi", "sv", "bg", "el", "sr", "tr", "hu", "lt", "et", "mt", "no", "nl", "es")


@lru_cache(maxsize=None)
def terms(name: str) -> tuple[str, ...]:
    """The valid values of vocabulary ``name``, in their framework order."""
    fw = get_framework()
    if name == "themes":
        return tuple(str(t.number) for t in fw.themes)
    if name == "success_factors":
        return tuple(fw.success_factors)
    if name == "checklist_items":
        return tuple(fw.checklist_items)
    if name == "indicators":
        return tuple(fw.indicators)
    if name in ("actor_types", "target_groups", "sectors"):
        return tuple(fw.facet(name))
    if name == "country":
        return tuple(countries.codes())
    if name == "document_type":
        return DOCUMENT_TYPES
    if name == "language":
        return LANGUAGES
    raise KeyError(name)


def nearest(value: str, name: str, limit: int = 1) -> list[str]:
    """The valid terms of ``name`` closest to ``value``."""
    found = process.extract(str(value), terms(name), scorer=fuzz.ratio, limit=limit, score_cutoff=50)
    return [term for term, _, _ in found]


def hint(value: object, name: str) -> str:
    """'did you mean X?' or the list of choices when it is short."""
    if name == "country":
        close = countries.suggest(str(value), limit=1)
        if close and close[0].score >= 60:
            return f"did you mean {close[0].code} ({close[0].name_en})?"
        return "expected an ISO 3166-1 alpha-2 code such as FI"
    choices = terms(name)
    close = nearest(str(value), name)
    if close:
        return f"did you mean {close[0]}?"
    if len(choices) <= 12:
        return "expected one of: " + ", ".join(choices)
    return f"see `kb themes` for the {len(choices)} valid values"


class FilterError(ValueError):
    """A filter value matches nothing; ``suggestions`` are the closest valid values."""

    def __init__(self, facet: str, value: str, suggestions: list[str]):
        self.facet, self.value, self.suggestions = facet, value, suggestions
        hint = f"did you mean {', '.join(suggestions)}?" if suggestions else "see `kb themes` for valid values"
        super().__init__(f"{facet}: {value!r} matches no {facet.replace('_', ' ')}; {hint}")


@lru_cache(maxsize=None)
def _choices(facet: str) -> dict[str, str]:
    """Folded id or name -> id, for every value of ``facet`` (country excepted)."""
    fw = get_framework()
    out: dict[str, str] = {}

    def add(key: str, value: str) -> None:
        out.setdefault(fold(key), value)

    if facet == "theme":
        for t in fw.themes:
            for key in (str(t.number), t.slug, t.title.fr, t.title.en):
                add(key, str(t.number))
    elif facet == "success_factor":
        for sf_id, (_, sf) in fw.success_factors.items():
            for key in (sf_id, sf.name.fr, sf.name.en):
                add(key, sf_id)
    elif facet == "dimension":
        for d in fw.grid.dimensions:
            for key in (d.id, d.name.fr, d.name.en, str(d.number)):
                add(key, d.id)
    elif facet in ("target_group", "sector", "actor_type"):
        for term in fw.facet(facet + "s").values():
            for key in (term.id, term.name.fr, term.name.en):
                add(key, term.id)
        if facet == "actor_type":
            for key in ("ngo", "ong", "association", "nonprofit", "non-profit"):
                add(key, "civil-society-organisation")
            for key in ("municipality", "municipalite", "city", "ville", "commune"):
                add(key, "local-authority")
    elif facet == "kind":
        for key, value in (("practice", "practice"), ("pratique", "practice"), ("practices", "practice"),
                           ("reference", "reference"), ("référence", "reference"), ("references", "reference")):
            add(key, value)
    return out


def resolve(facet: str, value: str) -> str:
    """The id ``value`` means for ``facet``; FilterError when nothing is close enough."""
    text = str(value).strip()
    if facet == "country":
        code = countries.resolve(text)
        if code:
            return code
        close = [f"{m.code} ({m.name_en})" for m in countries.suggest(text) if m.score >= 50]
        raise FilterError(facet, text, close)
    choices = _choices(facet)
    key = fold(text)
    if key in choices:
        return choices[key]
    best = process.extract(key, list(choices), scorer=fuzz.WRatio, limit=5, score_cutoff=70)
    if best and best[0][1] >= 88 and (len(best) == 1 or best[0][1] - best[1][1] >= 3 or choices[best[0][0]] == choices[best[1][0]]):
        return choices[best[0][0]]
    raise FilterError(facet, text, list(dict.fromkeys(choices[b[0]] for b in best))[:3])
