"""Search filters: what a user types for a facet (an id, a name in French or English, a typo)
resolved to the facet's id, or a FilterError listing the close matches."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from kb.records import countries
from kb.search.analysis import fold
from kb.records.framework import get_framework

# facet name -> (CLI option / query parameter, label)
FACET_PARAMS = {
    "theme": "theme",
    "country": "country",
    "success_factor": "success_factor",
    "dimension": "dimension",
    "target_group": "target_group",
    "sector": "sector",
    "actor_type": "actor_type",
    "kind": "kind",
}


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


@dataclass
class Filters:
    """Resolved filters: facet -> ids (values of one facet are OR-ed, facets are AND-ed)."""

    values: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: dict[str, list[str] | str | None]) -> "Filters":
        """Resolve raw user values (names, typos, ids); FilterError on the first unknown value."""
        values: dict[str, list[str]] = {}
        for facet, given in raw.items():
            if facet not in FACET_PARAMS:
                raise FilterError(facet, str(given), list(FACET_PARAMS))
            items = [given] if isinstance(given, str) else list(given or [])
            resolved = []
            for item in items:
                for part in str(item).split(","):
                    if part.strip():
                        rid = resolve(facet, part)
                        if rid not in resolved:
                            resolved.append(rid)
            if resolved:
                values[facet] = resolved
        return cls(values)

    def __bool__(self) -> bool:
        return bool(self.values)
