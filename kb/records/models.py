"""The record schema: one pydantic model per kind of record (practice, reference).

These models validate the YAML files, type the JSON API and export the JSON Schema that editors and
CI use. Every field carries a description written for contributors.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

from kb.records.text import LocalizedText
from kb.records.vocabulary import hint, terms

GUIDE = "boite-a-outils-integration-fr"
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_WHAT = {
    "themes": "a theme (1-6)",
    "success_factors": "a success factor",
    "checklist_items": "a checklist item",
    "indicators": "an evaluation-grid indicator",
    "actor_types": "an actor type",
    "target_groups": "a target group",
    "sectors": "a sector",
    "country": "an ISO 3166-1 alpha-2 country code",
    "document_type": "a document type",
    "language": "a language code",
}


def _vocab(name: str):
    """An annotated type that accepts only the terms of vocabulary ``name``."""

    def check(value):
        if str(value) not in terms(name):
            raise PydanticCustomError(
                "kb_vocabulary", "{value} is not {what}; {hint}",
                {"value": value, "what": _WHAT[name], "hint": hint(value, name)},
            )
        return value

    return check


def _enum(name: str) -> dict:
    values = [int(v) for v in terms(name)] if name == "themes" else list(terms(name))
    return {"enum": values}


def _unique(values: list) -> list:
    seen: set = set()
    for value in values:
        key = value.id if hasattr(value, "id") else value
        if key in seen:
            raise PydanticCustomError("kb_duplicate_value", "{value} is listed twice; list each value once", {"value": key})
        seen.add(key)
    return values


def _unique_urls(links: list) -> list:
    seen: set = set()
    for link in links:
        if link.url in seen:
            raise PydanticCustomError("kb_duplicate_value", "{value} is listed twice; list each link once", {"value": link.url})
        seen.add(link.url)
    return links


def _check_id(value: str) -> str:
    if not re.match(ID_PATTERN, value):
        raise PydanticCustomError(
            "kb_id_format",
            "{value!r} is not a valid id; use lower-case ASCII letters, digits and single hyphens (kebab-case)",
            {"value!r": repr(value)},
        )
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or "." not in parts.netloc
        or any(c.isspace() for c in value)
        or parts.netloc.startswith(".")
    ):
        raise PydanticCustomError(
            "kb_url", "{value!r} is not a valid web address; expected an http(s) URL with no spaces (encode them as %20)",
            {"value!r": repr(value)},
        )
    return value


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("kb_empty_text", "text is empty; fill it in or remove the field")
    return value


Theme = Annotated[int, AfterValidator(_vocab("themes")), Field(json_schema_extra=_enum("themes"))]
SuccessFactorId = Annotated[str, AfterValidator(_vocab("success_factors")), Field(json_schema_extra=_enum("success_factors"))]
ChecklistItemId = Annotated[str, AfterValidator(_vocab("checklist_items")), Field(json_schema_extra=_enum("checklist_items"))]
IndicatorId = Annotated[str, AfterValidator(_vocab("indicators")), Field(json_schema_extra=_enum("indicators"))]
ActorType = Annotated[str, AfterValidator(_vocab("actor_types")), Field(json_schema_extra=_enum("actor_types"))]
TargetGroup = Annotated[str, AfterValidator(_vocab("target_groups")), Field(json_schema_extra=_enum("target_groups"))]
Sector = Annotated[str, AfterValidator(_vocab("sectors")), Field(json_schema_extra=_enum("sectors"))]
Country = Annotated[str, AfterValidator(_vocab("country")), Field(json_schema_extra=_enum("country"))]
DocumentType = Annotated[str, AfterValidator(_vocab("document_type")), Field(json_schema_extra=_enum("document_type"))]
Language = Annotated[str, AfterValidator(_vocab("language")), Field(json_schema_extra=_enum("language"))]
RecordId = Annotated[str, AfterValidator(_check_id), Field(json_schema_extra={"pattern": ID_PATTERN})]
Url = Annotated[str, AfterValidator(_check_url), Field(json_schema_extra={"format": "uri"})]
Line = Annotated[str, AfterValidator(_not_blank)]
# The fields of a reference the guide may leave out, and that a record may complete from its link.
CompletableField = Literal["title", "authors", "publisher", "year", "language", "document_type"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(_Model):
    """A web page about the record: a practice's pages, or where a publication can be read."""

    url: Url = Field(description="The full address, starting with https:// or http://.")
    label: Line | None = Field(default=None, description="A short label shown instead of the address.")


class Evidence(_Model):
    """An evaluation-grid indicator the practice exemplifies, and why."""

    id: IndicatorId = Field(description="Indicator id from the evaluation grid (IP-01 ... PC-04); see `kb themes`.")
    evidence: LocalizedText = Field(description="One line, in French and English, saying what in the practice shows it.")


class Source(_Model):
    """Where the record comes from."""

    document: Literal["boite-a-outils-integration-fr", "contribution"] = Field(
        description="`boite-a-outils-integration-fr` for the guide (UNHCR / Migration Policy Group, French edition), "
        "or `contribution` for a record contributed directly."
    )
    section: Line | None = Field(default=None, description='Section of the guide, e.g. "5.1". Required for the guide.')
    heading: Line | None = Field(default=None, description="Heading the item is printed under in the guide.")

    @model_validator(mode="after")
    def _guide_needs_section(self) -> "Source":
        if self.document == GUIDE and not self.section:
            raise PydanticCustomError(
                "kb_required", "a record from the guide must give its section (e.g. \"5.1\")"
            )
        return self


def _contribution_needs_a_link(record, what: str):
    """A contributed record must point to at least one public page; a record from the guide may have none,
    since the guide does not print an address for everything it names."""
    if record.source.document == "contribution" and not record.links:
        raise PydanticCustomError(
            "kb_required", "a contributed {what} needs at least one public link that confirms its facts (links)",
            {"what": what},
        )
    return record


class _Record(_Model):
    id: RecordId = Field(description="Stable id, kebab-case; the file is named <id>.yaml.")
    source: Source = Field(description="Where in the guide (section and heading) the record comes from.")
    added: dt.date = Field(description="Date the record was added (YYYY-MM-DD).")
    last_verified: dt.date = Field(description="Date its facts and links were last checked (YYYY-MM-DD).")

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.last_verified < self.added:
            raise PydanticCustomError(
                "kb_dates", "last_verified ({verified}) is before added ({added}); a record is verified on or after it is added",
                {"verified": self.last_verified.isoformat(), "added": self.added.isoformat()},
            )
        return self


class Practice(_Record):
    """A good practice: one initiative, in one place, described in French and English."""

    kind: Literal["practice"] = Field(description="Always `practice` for a good-practice record.")
    title: LocalizedText = Field(description="Short, specific title in French and English (name of the initiative, place).")
    summary: LocalizedText = Field(
        description="2-4 sentences in your own words: who, where, what, for whom, since when, what came of it."
    )
    country: Country = Field(description='ISO 3166-1 alpha-2 code, quoted: "FI", "NO" (Norway), ...')
    place: Line | None = Field(default=None, description="City or region, when known.")
    organisations: Annotated[list[Line], AfterValidator(_unique)] = Field(
        default_factory=list, description="Organisations that run the practice, as they name themselves."
    )
    actor_types: Annotated[list[ActorType], AfterValidator(_unique)] = Field(
        min_length=1, description="Kinds of organisation behind it (framework/facets.yaml: actor_types)."
    )
    year_started: int | None = Field(default=None, ge=1900, le=2100, description="Year the initiative began, when known.")
    themes: Annotated[list[Theme], AfterValidator(_unique)] = Field(
        min_length=1, description="Themes 1-6; the first is the theme it is listed under."
    )
    success_factors: Annotated[list[SuccessFactorId], AfterValidator(_unique)] = Field(
        min_length=1, description="Success factors it illustrates, the main one first."
    )
    checklist_items: Annotated[list[ChecklistItemId], AfterValidator(_unique)] = Field(
        min_length=1, description="Checklist items (T1-01 ... T6-10) it helps a reader answer."
    )
    indicators: Annotated[list[Evidence], AfterValidator(_unique)] = Field(
        min_length=1, description="Evaluation-grid indicators it exemplifies, each with a one-line evidence."
    )
    target_groups: Annotated[list[TargetGroup], AfterValidator(_unique)] = Field(
        min_length=1, description="Who it serves (framework/facets.yaml: target_groups)."
    )
    sectors: Annotated[list[Sector], AfterValidator(_unique)] = Field(
        min_length=1, description="Fields it works in (framework/facets.yaml: sectors)."
    )
    links: Annotated[list[Link], AfterValidator(_unique_urls)] = Field(
        default_factory=list,
        description="Web pages about it: those printed in the guide, or official ones. Optional for a record from "
        "the guide; at least one for a contribution.",
    )
    related: Annotated[list[RecordId], AfterValidator(_unique)] = Field(
        default_factory=list, description="Ids of related records (same city, organisation or programme)."
    )

    @model_validator(mode="after")
    def _contribution_needs_a_link(self) -> "Practice":
        return _contribution_needs_a_link(self, "practice")

    @property
    def dimensions(self) -> list[str]:
        """The evaluation dimensions its indicators belong to, in grid order."""
        from kb.records.framework import get_framework

        fw = get_framework()
        found = {fw.indicators[e.id][0] for e in self.indicators}
        return [d.id for d in fw.grid.dimensions if d.id in found]


class Reference(_Record):
    """A publication, toolkit, website or funding programme the guide points to."""

    kind: Literal["reference"] = Field(description="Always `reference` for a further-reading record.")
    title: Line = Field(description="Title as published, in its own language.")
    authors: Annotated[list[Line], AfterValidator(_unique)] = Field(default_factory=list, description='Authors, "Surname, I.".')
    publisher: Line = Field(description="Publisher or organisation.")
    year: int | None = Field(default=None, ge=1900, le=2100, description="Year of publication, when given.")
    links: Annotated[list[Link], AfterValidator(_unique_urls)] = Field(
        default_factory=list,
        description="Where the publication can be read: every address the guide prints for it (one per entry when "
        "the guide gives it several), or an official page. Optional for a record from the guide, which does not "
        "print an address for everything it names; at least one for a contribution.",
    )
    completed_from_link: Annotated[list[CompletableField], AfterValidator(_unique)] = Field(
        default_factory=list,
        description="Fields whose value was completed from the linked page, not from the guide, because the guide "
        "does not print it (e.g. `[publisher, year]`). Each must be filled in, and the record must have a link.",
    )
    language: Language = Field(description="Language of the publication (ISO 639-1: en, fr, ...).")
    document_type: DocumentType = Field(description="report, toolkit, guidance, policy, handbook, working-paper, webinar, website, ...")
    themes: Annotated[list[Theme], AfterValidator(_unique)] = Field(
        default_factory=list, description="Themes under which the guide lists it (empty for a general reference)."
    )
    description: LocalizedText = Field(description="One line in French and English: what the reader will find in it.")

    @model_validator(mode="after")
    def _contribution_needs_a_link(self) -> "Reference":
        return _contribution_needs_a_link(self, "reference")

    @model_validator(mode="after")
    def _completed_fields_are_filled_from_a_link(self) -> "Reference":
        if self.completed_from_link and not self.links:
            raise PydanticCustomError(
                "kb_required", "completed_from_link names fields taken from a linked page, but the record has no links"
            )
        empty = [name for name in self.completed_from_link if getattr(self, name) in (None, [], "")]
        if empty:
            raise PydanticCustomError(
                "kb_required", "completed_from_link lists {fields}, which the record leaves empty; fill them in or "
                "remove them from the list", {"fields": ", ".join(empty)},
            )
        return self


Record = Annotated[Union[Practice, Reference], Field(discriminator="kind")]
KINDS = {"practice": Practice, "reference": Reference}
record_adapter: TypeAdapter = TypeAdapter(Record)


def json_schema() -> dict:
    """The JSON Schema of a record file, for editors and CI."""
    schema = record_adapter.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://integration-practices-kb.org/schema/record.schema.json"
    schema["title"] = "integration-practices-kb record"
    schema["description"] = "A good-practice or reference record of practices/<id>.yaml."
    return schema
