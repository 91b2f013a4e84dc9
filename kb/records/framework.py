"""The guide's framework as data: themes, success factors, checklists, evaluation grid, glossary, facets.

Reads the YAML files under ``framework/`` into validated models and offers the lookups the rest of
the package needs (which theme a factor belongs to, the text of a checklist item, ...).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kb.paths import FRAMEWORK_DIR
from kb.records.text import LocalizedText


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuccessFactor(_Model):
    """A success factor: a criterion the guide says a good practice meets."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="Stable kebab-case id.")
    name: LocalizedText
    description: LocalizedText


class ChecklistItem(_Model):
    """One self-assessment item of a theme's checklist."""

    id: str = Field(pattern=r"^T[1-6]-\d{2}$", description="T<theme>-<nn>, in the guide's order.")
    text: LocalizedText
    success_factors: list[str] = Field(min_length=1, description="Factors of the same theme it serves.")
    audience: Literal["local-authorities"] | None = Field(
        default=None, description="Set when the item is meant for local authorities only."
    )


class ChecklistList(_Model):
    """A named sub-list of a theme's checklist (theme 4 has two)."""

    id: str
    title: LocalizedText
    items: list[str]


class Theme(_Model):
    """One of the guide's six key themes (section 5.N)."""

    number: int = Field(ge=1, le=6)
    slug: str
    section: str
    title: LocalizedText
    aim: LocalizedText
    introduction: LocalizedText
    benefits: list[LocalizedText] = Field(min_length=1)
    success_factors: list[SuccessFactor] = Field(min_length=1)
    checklist_note: LocalizedText | None = None
    checklist: list[ChecklistItem] = Field(min_length=1)
    checklist_lists: list[ChecklistList] | None = None


class GeneralItem(_Model):
    """An item of the general checklist (section 6), summing up theme items."""

    id: str = Field(pattern=r"^G-\d{2}$")
    text: LocalizedText
    sums_up: list[str] = Field(min_length=1)


class GeneralChecklist(_Model):
    title: LocalizedText
    items: list[GeneralItem]


class Indicator(_Model):
    """An indicator of the evaluation grid (section 7)."""

    id: str = Field(pattern=r"^(IP|RC|EF|SU|PC)-\d{2}$")
    text: LocalizedText


class Question(_Model):
    """A guiding question of a dimension, with its indicators."""

    id: str = Field(pattern=r"^(IP|RC|EF|SU|PC)-Q\d$")
    text: LocalizedText
    indicators: list[Indicator] = Field(min_length=1)


class Dimension(_Model):
    """One of the five dimensions of the evaluation grid."""

    id: Literal[
        "inclusivity-participation",
        "relevance-complementarity",
        "effectiveness",
        "sustainability",
        "partnership-cooperation",
    ]
    number: int = Field(ge=1, le=5)
    name: LocalizedText
    questions: list[Question] = Field(min_length=1)

    @property
    def indicators(self) -> list[Indicator]:
        return [ind for q in self.questions for ind in q.indicators]


class Grid(_Model):
    title: LocalizedText
    source: LocalizedText
    dimensions: list[Dimension] = Field(min_length=5, max_length=5)


class GlossaryTerm(_Model):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    term: LocalizedText
    definition: LocalizedText


class Glossary(_Model):
    terms: list[GlossaryTerm]


class FacetTerm(_Model):
    """A term of a facet users filter by (actor type, target group, sector)."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: LocalizedText
    description: LocalizedText


class Facets(_Model):
    actor_types: list[FacetTerm]
    target_groups: list[FacetTerm]
    sectors: list[FacetTerm]


def status_of(ticked: int, total: int) -> str:
    """The guide's reading: every box ticked, some, or none."""
    if total == 0:
        return "not-applicable"
    if ticked == total:
        return "comprehensive"
    return "improve" if ticked else "rethink"


class FrameworkError(Exception):
    """The framework data is broken; ``problems`` lists what and where."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Framework(_Model):
    """The whole framework, with lookups."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    themes: list[Theme]
    general_checklist: GeneralChecklist
    grid: Grid
    glossary: Glossary
    facets: Facets

    @cached_property
    def theme_by_number(self) -> dict[int, Theme]:
        return {t.number: t for t in self.themes}

    @cached_property
    def success_factors(self) -> dict[str, tuple[int, SuccessFactor]]:
        """Factor id -> (theme number, factor)."""
        return {sf.id: (t.number, sf) for t in self.themes for sf in t.success_factors}

    @cached_property
    def checklist_items(self) -> dict[str, tuple[int, ChecklistItem]]:
        """Theme item id -> (theme number, item)."""
        return {it.id: (t.number, it) for t in self.themes for it in t.checklist}

    @cached_property
    def general_items(self) -> dict[str, GeneralItem]:
        return {it.id: it for it in self.general_checklist.items}

    @cached_property
    def indicators(self) -> dict[str, tuple[str, Indicator]]:
        """Indicator id -> (dimension id, indicator)."""
        return {ind.id: (d.id, ind) for d in self.grid.dimensions for ind in d.indicators}

    @cached_property
    def dimensions(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.grid.dimensions}

    def facet(self, name: str) -> dict[str, FacetTerm]:
        """The terms of facet ``name`` (actor_types, target_groups, sectors) by id."""
        return {t.id: t for t in getattr(self.facets, name)}

    def check(self) -> list[str]:
        """Cross-references inside the framework that the models alone cannot check."""
        problems: list[str] = []
        numbers = sorted(t.number for t in self.themes)
        if numbers != [1, 2, 3, 4, 5, 6]:
            problems.append(f"themes: expected themes 1 to 6 once each, found {numbers}")
        seen: set[str] = set()
        for theme in self.themes:
            own = {sf.id for sf in theme.success_factors}
            for sf in theme.success_factors:
                if sf.id in seen:
                    problems.append(f"theme-{theme.number}.yaml: success factor {sf.id} is defined twice")
                seen.add(sf.id)
            for n, item in enumerate(theme.checklist, start=1):
                expected = f"T{theme.number}-{n:02d}"
                if item.id != expected:
                    problems.append(f"theme-{theme.number}.yaml: checklist[{n - 1}] is {item.id}; expected {expected}")
                for sf in item.success_factors:
                    if sf not in own:
                        problems.append(
                            f"theme-{theme.number}.yaml: {item.id} serves {sf}, not a success factor of theme {theme.number}"
                        )
            if theme.checklist_lists:
                listed = [i for lst in theme.checklist_lists for i in lst.items]
                if sorted(listed) != sorted(i.id for i in theme.checklist):
                    problems.append(f"theme-{theme.number}.yaml: checklist_lists must hold every item once")
        for n, item in enumerate(self.general_checklist.items, start=1):
            if item.id != f"G-{n:02d}":
                problems.append(f"general-checklist.yaml: items[{n - 1}] is {item.id}; expected G-{n:02d}")
            for ref in item.sums_up:
                if ref not in self.checklist_items:
                    problems.append(f"general-checklist.yaml: {item.id} sums up {ref}, which is not a checklist item")
        ids = [ind.id for d in self.grid.dimensions for ind in d.indicators]
        if len(ids) != len(set(ids)):
            problems.append("grid.yaml: indicator ids must be unique")
        for facet in ("actor_types", "target_groups", "sectors"):
            terms = [t.id for t in getattr(self.facets, facet)]
            if len(terms) != len(set(terms)):
                problems.append(f"facets.yaml: {facet} ids must be unique")
        return problems


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: every process reads these


def _read(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FrameworkError([f"{path}: cannot be read: {exc}"]) from None


def load_framework(directory: Path = FRAMEWORK_DIR) -> Framework:
    """Read and check the framework under ``directory``; raise FrameworkError naming each problem."""
    theme_files = sorted((directory / "themes").glob("theme-*.yaml"))
    data = {
        "themes": [_read(p) for p in theme_files],
        "general_checklist": _read(directory / "general-checklist.yaml"),
        "grid": _read(directory / "grid.yaml"),
        "glossary": _read(directory / "glossary.yaml"),
        "facets": _read(directory / "facets.yaml"),
    }
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        names = {"general_checklist": "general-checklist.yaml", "grid": "grid.yaml", "glossary": "glossary.yaml",
                 "facets": "facets.yaml"}
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            if loc and loc[0] == "themes" and len(loc) > 1 and isinstance(loc[1], int):
                where = theme_files[loc[1]].name
                loc = loc[2:]
            else:
                where = names.get(str(loc[0]), str(loc[0])) if loc else "framework"
                loc = loc[1:]
            field = ".".join(str(x) for x in loc)
            problems.append(f"framework/{where}: {field}: {err['msg']}")
        raise FrameworkError(problems) from None
    problems = framework.check()
    if problems:
        raise FrameworkError([f"framework/{p}" for p in problems])
    return framework


@lru_cache(maxsize=1)
def get_framework() -> Framework:
    """The project's framework, read once per process."""
    return load_framework()
