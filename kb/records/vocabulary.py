"""Closed vocabularies records draw from, with "did you mean" suggestions for unknown terms."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from kb.records import countries
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
