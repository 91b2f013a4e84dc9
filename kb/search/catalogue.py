"""The catalogue: a brief of every record, which is all a web worker keeps in memory.

Listings, counts, the coverage map, the feed and the recommender need a record's title, place, dates
and tags, not its full text; the build writes one brief per record into the generation
(``catalogue.jsonl``) and a worker reads that instead of validating every record file again. The
full record is read from the index on demand (``SearchIndex.get``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

FILE = "catalogue.jsonl"
# a practice card shows the summary cut at 220 characters (Jinja's truncate, 5 more allowed): the
# first 240 characters cut the same way as the whole text
SUMMARY_CHARS = 240


class Text(dict):
    """A French/English text as the models give it (``.fr``, ``.en``, ``.get(lang)``), as a dict."""

    @property
    def fr(self) -> str:
        return self["fr"]

    @property
    def en(self) -> str:
        return self["en"]

    def get(self, lang, default=None):  # noqa: D102 - as LocalizedText.get: French unless English is asked for
        return self["en"] if lang == "en" else self["fr"]


class Indicator(NamedTuple):
    """An indicator a practice exemplifies (its id, as ``Evidence.id``)."""

    id: str


class Link(NamedTuple):
    """A record's web page (its address, as ``models.Link.url``)."""

    url: str


@dataclass(frozen=True, slots=True)
class Brief:
    """What the catalogue keeps of a record. Field names are the models' own, so code that reads
    these fields takes a brief or a full record alike."""

    id: str
    kind: str
    title: Text | str
    # a practice's summary (its first SUMMARY_CHARS characters), a reference's description; None when
    # the catalogue was read without them (``read(..., summaries=False)``): ``summary`` reads it then
    summary_text: Text | None
    added: dt.date
    last_verified: dt.date
    themes: tuple[int, ...] = ()
    country: str | None = None
    place: str | None = None
    organisations: tuple[str, ...] = ()
    year: int | None = None  # year started (practice), year of publication (reference)
    success_factors: tuple[str, ...] = ()
    checklist_items: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    dimensions: tuple[str, ...] = ()
    actor_types: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    publisher: str | None = None
    related: tuple[str, ...] = field(default=())
    links: tuple[Link, ...] = ()
    source: "Lines | None" = field(default=None, repr=False, compare=False)  # where to read the summary
    line: int = field(default=-1, repr=False, compare=False)

    @property
    def summary(self) -> Text:
        if self.summary_text is not None:
            return self.summary_text
        return Text(self.source.data(self.line)["summary"])

    @property
    def year_started(self) -> int | None:
        return self.year if self.kind == "practice" else None

    @property
    def description(self) -> Text:
        return self.summary

    @classmethod
    def of(cls, record) -> "Brief":
        """The brief of a validated record (a Practice or a Reference)."""
        if record.kind == "practice":
            return cls(
                id=record.id, kind="practice", title=Text(fr=record.title.fr, en=record.title.en),
                summary_text=Text(fr=record.summary.fr[:SUMMARY_CHARS], en=record.summary.en[:SUMMARY_CHARS]),
                added=record.added, last_verified=record.last_verified, themes=tuple(record.themes),
                country=record.country, place=record.place, organisations=tuple(record.organisations),
                year=record.year_started, success_factors=tuple(record.success_factors),
                checklist_items=tuple(record.checklist_items), indicators=tuple(Indicator(e.id) for e in record.indicators),
                dimensions=tuple(record.dimensions), actor_types=tuple(record.actor_types),
                target_groups=tuple(record.target_groups), sectors=tuple(record.sectors), related=tuple(record.related),
                links=tuple(Link(str(link.url)) for link in record.links))
        return cls(id=record.id, kind="reference", title=record.title,
                   summary_text=Text(fr=record.description.fr, en=record.description.en), added=record.added,
                   last_verified=record.last_verified, themes=tuple(record.themes), year=record.year,
                   publisher=record.publisher, links=tuple(Link(str(link.url)) for link in record.links))

    def to_json(self) -> dict:
        out = {"id": self.id, "kind": self.kind, "title": self.title, "summary": self.summary,
               "added": self.added.isoformat(), "last_verified": self.last_verified.isoformat()}
        for name in ("themes", "country", "place", "organisations", "year", "success_factors", "checklist_items",
                     "dimensions", "actor_types", "target_groups", "sectors", "publisher", "related"):
            value = getattr(self, name)
            if value not in (None, ()):
                out[name] = list(value) if isinstance(value, tuple) else value
        if self.indicators:
            out["indicators"] = [i.id for i in self.indicators]
        if self.links:
            out["links"] = [link.url for link in self.links]
        return out

    @classmethod
    def from_json(cls, data: dict, shared: dict | None = None, source: "Lines | None" = None, line: int = -1) -> "Brief":
        """The brief of ``to_json``'s output; values repeated across records (tags, countries, dates)
        are kept once in ``shared`` when given. With ``source``, the summary is left there (line
        ``line``) and read when asked for."""
        one = (lambda v: shared.setdefault(v, v)) if shared is not None else (lambda v: v)

        def many(name: str) -> tuple:
            return tuple(one(v) for v in data.get(name, ()))

        title = data["title"]
        return cls(
            id=data["id"], kind=one(data["kind"]), title=Text(title) if isinstance(title, dict) else title,
            summary_text=None if source is not None else Text(data["summary"]),
            added=one(dt.date.fromisoformat(data["added"])),
            last_verified=one(dt.date.fromisoformat(data["last_verified"])), themes=many("themes"),
            country=one(data.get("country")), place=one(data.get("place")), organisations=many("organisations"),
            year=data.get("year"), success_factors=many("success_factors"), checklist_items=many("checklist_items"),
            indicators=tuple(one(Indicator(i)) for i in data.get("indicators", ())), dimensions=many("dimensions"),
            actor_types=many("actor_types"), target_groups=many("target_groups"), sectors=many("sectors"),
            publisher=one(data.get("publisher")), related=tuple(data.get("related", ())),
            links=tuple(Link(url) for url in data.get("links", ())), source=source, line=line)


def brief_of(record) -> "Brief":
    """A record's brief (a brief is its own)."""
    return record if isinstance(record, Brief) else Brief.of(record)


def line(brief: Brief) -> str:
    """A brief as a line of the catalogue (without its end of line); it starts with ``prefix(brief.id)``."""
    return json.dumps(brief.to_json(), ensure_ascii=False)


def prefix(record_id: str) -> str:
    """How the catalogue line of record ``record_id`` starts (its id comes first)."""
    return '{"id": ' + json.dumps(record_id, ensure_ascii=False) + ","


def write(path: Path, briefs: list[Brief]) -> None:
    """Write the catalogue of generation folder ``path``: one brief per line."""
    write_lines(path, (line(b) for b in briefs))


def write_lines(path: Path, lines) -> None:
    """Write the catalogue of generation folder ``path`` from its lines (as ``line`` makes them): an
    index updated in place keeps the lines of the records that did not change."""
    with (path / FILE).open("w", encoding="utf-8") as fh:
        for text in lines:
            fh.write(text + "\n")


def read_lines(path: Path) -> list[str]:
    """The lines of the catalogue of generation folder ``path``; OSError when missing."""
    text = (path / FILE).read_text(encoding="utf-8")
    return text.split("\n")[:-1] if text else []  # not splitlines(): a text may hold U+2028


class Lines:
    """The lines of one catalogue file, read on demand (the file stays open: a generation pruned
    meanwhile is still readable)."""

    def __init__(self, path: Path, offsets: list[int]):
        self._fd = os.open(path, os.O_RDONLY)
        self._offsets = offsets

    def data(self, line: int) -> dict:
        start, end = self._offsets[line], self._offsets[line + 1]
        return json.loads(os.pread(self._fd, end - start, start))

    def __del__(self):
        try:
            os.close(self._fd)
        except (OSError, AttributeError, TypeError):
            pass


def read(path: Path, *, summaries: bool = True) -> list[Brief]:
    """The catalogue of generation folder ``path``; OSError or ValueError when missing or malformed.
    Without ``summaries``, each brief reads its summary from the file when asked (a web worker
    lists a few cards at a time, and 10k summaries would cost it 8 MB)."""
    shared: dict = {}
    briefs: list[Brief] = []
    offsets = [0]
    try:
        source = None if summaries else Lines(path / FILE, offsets)
        with (path / FILE).open("rb") as fh:
            for raw in fh:  # lines end with b"\n" alone: JSON escapes every other line break
                briefs.append(Brief.from_json(json.loads(raw), shared, source, len(briefs)))
                offsets.append(offsets[-1] + len(raw))
        return briefs
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed catalogue in {path}: {exc}") from None
