"""Search filters: the facets a search is narrowed by, each value a user types resolved to the facet's
id by ``kb.records.vocabulary.resolve`` (a FilterError listing the close matches when none is close)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.records.vocabulary import FilterError, resolve  # FilterError is re-exported

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
