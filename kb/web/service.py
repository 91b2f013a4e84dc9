"""What the web app serves from: the framework, the open index, the catalogue of records and the
recommender, opened once at start-up and shared by the HTML pages and the JSON API.

A worker does not validate the record files again: the build did, and wrote what a worker needs
beside the index (kb.search.catalogue: a brief of every record; kb.search.columns: per-document arrays). A full
record is read from the index when a page or the API asks for it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterator

from kb.search import catalogue
from kb.search.catalogue import Brief
from kb.records.framework import Framework, get_framework
from kb.search.indexer import ensure
from kb.records.models import KINDS, Practice, Reference
from kb.paths import index_dir, practices_dir
from kb.assess.recommend import Recommender
from kb.search.engine import IndexMissing, SearchIndex
from kb.records.stats import compute

RECORDS_KEPT = 256  # full records kept after a request read them
IDLE_S = 0.05  # a pause in requests this long lets background work go on


@dataclass
class Settings:
    """Where the app reads its records and its index from."""

    practices: Path = field(default_factory=practices_dir)
    index: Path = field(default_factory=index_dir)


class Service:
    """Index, catalogue and recommender for one app; read-only once built."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.framework: Framework = get_framework()
        # the generation built from these records (rebuilt first when stale); the book is kept in it
        self.generation, _ = ensure(settings.practices, settings.index)
        self.index = SearchIndex(settings.index)
        try:
            self.briefs: list[Brief] = catalogue.read(self.generation.path, summaries=False)
        except (OSError, ValueError):  # an index written before the catalogue existed
            from kb.records.validate import load_records

            self.briefs = [Brief.of(r) for r in load_records(settings.practices)]
        self.by_id: dict[str, Brief] = {b.id: b for b in self.briefs}
        self.practices = sorted((b for b in self.briefs if b.kind == "practice"), key=lambda b: b.id)
        self.references = sorted((b for b in self.briefs if b.kind == "reference"), key=lambda b: (b.title.casefold(), b.id))
        self.counts = compute(self.briefs, self.framework)
        self.recommender = Recommender(self.briefs, self.index, self.framework)
        # each checklist item's links are computed once, in the background, on an index opened for it,
        # one item at a time when no request came in for IDLE_S: the worker answers at once, requests
        # do not share the processor with that work, and a report asked for meanwhile computes the
        # items it needs itself
        self._last_request = 0.0
        self._warm = threading.Thread(target=self._link, name="recommender-warm", daemon=True)
        self._warm.start()
        self._load = lru_cache(maxsize=RECORDS_KEPT)(self._read)

    def _link(self) -> None:
        try:
            own: SearchIndex | None = SearchIndex(self.settings.index)
        except (OSError, IndexMissing):  # that generation went away: use the service's own
            own = None
        try:
            for item_id in self.framework.checklist_items:
                while (idle := time.monotonic() - self._last_request) < IDLE_S:
                    time.sleep(min(IDLE_S - idle, 0.05))
                self.recommender.link(item_id, own)
        finally:
            if own is not None:
                own.close()

    def touch(self) -> None:
        """A request came in (background work waits for a pause)."""
        self._last_request = time.monotonic()

    def wait_until_warm(self, timeout: float | None = None) -> bool:
        """Wait for the recommender's links; True when they are all computed."""
        self._warm.join(timeout)
        return not self._warm.is_alive()

    def close(self) -> None:
        """Close the index (once the background work that reads it is done)."""
        self._warm.join()
        self.index.close()

    def _read(self, record_id: str) -> Practice | Reference | None:
        data = self.index.get(record_id)
        return None if data is None else KINDS[data["kind"]].model_validate(data)

    def record(self, record_id: str) -> Practice | Reference | None:
        """The full record with this id (read from the index, the most recent ones kept), or None."""
        return self._load(record_id) if record_id in self.by_id else None

    def full_records(self) -> Iterator[Practice | Reference]:
        """Every full record: the practices in id order, then the references by title."""
        for brief in self.practices + self.references:
            record = self.record(brief.id)
            if record is not None:
                yield record

    @cached_property
    def coverage(self) -> dict[tuple[int, str], int]:
        """(theme, country) -> number of practices listed under the theme in that country."""
        cells: dict[tuple[int, str], int] = {}
        for p in self.practices:
            for t in p.themes:
                cells[(t, p.country)] = cells.get((t, p.country), 0) + 1
        return cells

    @cached_property
    def timeline(self):
        """Every record's last change (added or updated), newest first: the feed and "recently added"."""
        from kb.web.feed import Timeline

        return Timeline(self.briefs)

    def practices_for(self, *, theme: int | None = None, country: str | None = None,
                      success_factor: str | None = None) -> list[Brief]:
        out = self.practices
        if theme is not None:
            out = [p for p in out if theme in p.themes]
        if country is not None:
            out = [p for p in out if p.country == country]
        if success_factor is not None:
            out = [p for p in out if success_factor in p.success_factors]
        return out

    def references_for(self, theme: int) -> list[Brief]:
        return [r for r in self.references if theme in r.themes]
