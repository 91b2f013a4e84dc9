"""What the web app serves from: the framework, the records, the open index and the recommender,
loaded once at start-up and shared by the HTML pages and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kb.framework import Framework, get_framework
from kb.indexer import ensure
from kb.models import Practice, Reference
from kb.paths import index_dir, practices_dir
from kb.recommend import Recommender
from kb.search import SearchIndex
from kb.stats import compute
from kb.validate import load_records


@dataclass
class Settings:
    """Where the app reads its records and its index from."""

    practices: Path = field(default_factory=practices_dir)
    index: Path = field(default_factory=index_dir)


class Service:
    """Records, index and recommender for one app; read-only once built."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.framework: Framework = get_framework()
        self.records: list[Practice | Reference] = load_records(settings.practices)
        self.by_id = {r.id: r for r in self.records}
        self.practices = sorted((r for r in self.records if isinstance(r, Practice)), key=lambda r: r.id)
        self.references = sorted((r for r in self.records if isinstance(r, Reference)),
                                 key=lambda r: (r.title.casefold(), r.id))
        self.counts = compute(self.records, self.framework)
        # the generation built from these records: the book is built once per generation and kept in it
        self.generation, _ = ensure(settings.practices, settings.index)
        self.index = SearchIndex(settings.index)
        self.recommender = Recommender(self.records, self.index, self.framework)
        self.recommender.warm()  # recommendation links are precomputed at start-up, not per request

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
        from kb.feed import Timeline

        return Timeline(self.records)

    def practices_for(self, *, theme: int | None = None, country: str | None = None,
                      success_factor: str | None = None) -> list[Practice]:
        out = self.practices
        if theme is not None:
            out = [p for p in out if theme in p.themes]
        if country is not None:
            out = [p for p in out if p.country == country]
        if success_factor is not None:
            out = [p for p in out if success_factor in p.success_factors]
        return out

    def references_for(self, theme: int) -> list[Reference]:
        return [r for r in self.references if theme in r.themes]
