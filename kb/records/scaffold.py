"""`kb new`: a practice record built from answers (flags or prompts), written under the right name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kb.records.fix import dump
from kb.records.folding import fold
from kb.records.framework import get_framework
from kb.records.vocabulary import FilterError, resolve

STOP = {"the", "a", "an", "of", "for", "and", "in", "on", "to", "with", "at", "by", "le", "la", "les", "de", "des", "du"}


def slug(text: str, words: int = 6) -> str:
    parts = [w for w in re.split(r"[^a-z0-9]+", fold(text)) if w and w not in STOP]
    return "-".join(parts[:words])


def make_id(country: str, place: str | None, title_en: str) -> str:
    pieces = [country.lower()]
    if place:
        pieces.append(slug(place, 2))
    title = slug(title_en, 5)
    if place:
        title = "-".join(w for w in title.split("-") if w not in set(slug(place, 3).split("-")))
    pieces.append(title)
    return "-".join(p for p in pieces if p)[:80].strip("-")


class ScaffoldError(ValueError):
    """An answer that cannot be used; ``field`` names the option."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def resolve_terms(field: str, facet: str, values: list[str]) -> list[str]:
    out = []
    for value in values:
        try:
            term = resolve(facet, value)
        except FilterError as exc:
            raise ScaffoldError(field, str(exc).split(": ", 1)[1]) from None
        if term not in out:
            out.append(term)
    return out


def parse_indicator(text: str) -> dict:
    """"IP-04=Ligne en français | Line in English" -> {"id", "evidence": {"fr", "en"}}."""
    fw = get_framework()
    ident, _, evidence = text.partition("=")
    ident = ident.strip().upper()
    if ident not in fw.indicators:
        raise ScaffoldError("--indicator", f"{ident!r} is not an indicator (IP-01 ... PC-04); see `kb themes`")
    fr, sep, en = evidence.partition("|")
    if not sep or not fr.strip() or not en.strip():
        raise ScaffoldError("--indicator", f"give the evidence in both languages: {ident}=ligne en français | line in English")
    return {"id": ident, "evidence": {"fr": fr.strip(), "en": en.strip()}}


def build(
    *, title_fr: str, title_en: str, summary_fr: str, summary_en: str, country: str, place: str | None = None,
    organisations: list[str] = (), actor_types: list[str] = (), year_started: int | None = None,
    themes: list[str] = (), success_factors: list[str] = (), checklist_items: list[str] = (),
    indicators: list[str] = (), target_groups: list[str] = (), sectors: list[str] = (), links: list[str] = (),
    related: list[str] = (), record_id: str | None = None, today: dt.date | None = None,
) -> dict:
    """A practice record (as data, in the template's order) from what the contributor gave."""
    fw = get_framework()
    try:
        code = resolve("country", country)
    except FilterError as exc:
        raise ScaffoldError("--country", str(exc).split(": ", 1)[1]) from None
    theme_ids = [int(t) for t in resolve_terms("--theme", "theme", list(themes))]
    factors = resolve_terms("--success-factor", "success_factor", list(success_factors))
    items = []
    for item in checklist_items:
        ident = item.strip().upper()
        if ident not in fw.checklist_items:
            raise ScaffoldError("--checklist-item", f"{item!r} is not a checklist item (T1-01 ... T6-10)")
        items.append(ident)
    # a factor or item of another theme brings its theme along (the validator requires it)
    for sf in factors:
        if fw.success_factors[sf][0] not in theme_ids:
            theme_ids.append(fw.success_factors[sf][0])
    for item in items:
        if fw.checklist_items[item][0] not in theme_ids:
            theme_ids.append(fw.checklist_items[item][0])
    today = today or dt.date.today()
    record = {
        "id": record_id or make_id(code, place, title_en),
        "kind": "practice",
        "title": {"fr": title_fr.strip(), "en": title_en.strip()},
        "summary": {"fr": summary_fr.strip(), "en": summary_en.strip()},
        "country": code,
        "place": place.strip() if place else None,
        "organisations": [o.strip() for o in organisations if o.strip()],
        "actor_types": resolve_terms("--actor-type", "actor_type", list(actor_types)),
        "year_started": year_started,
        "themes": theme_ids,
        "success_factors": factors,
        "checklist_items": items,
        "indicators": [parse_indicator(i) for i in indicators],
        "target_groups": resolve_terms("--target-group", "target_group", list(target_groups)),
        "sectors": resolve_terms("--sector", "sector", list(sectors)),
        "links": [{"url": url.strip()} for url in links if url.strip()],
        "related": list(related),
        "source": {"document": "contribution"},
        "added": today,
        "last_verified": today,
    }
    return {k: v for k, v in record.items() if v not in (None, [], "")}


def write(record: dict, directory: Path, *, force: bool = False) -> Path:
    path = directory / f"{record['id']}.yaml"
    if path.exists() and not force:
        raise ScaffoldError("--id", f"{path} already exists; choose another --id or pass --force")
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(record), encoding="utf-8")
    return path
