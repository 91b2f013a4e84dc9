"""What is new: the records added or updated, newest first, as a list for the home page and as an Atom
feed (built with feedgen) that takes the same filters as search (``/feed.atom?theme=4&country=PL``).

A record's date is its ``last_verified`` date (when its facts were last checked, which is also the day
it was added for a new record); an entry says whether the record was added or updated on that date.
Entry ids are tag URIs built from record ids, so they stay the same wherever the service is hosted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from kb.records import countries
from kb.search.filters import Filters
from kb.records.framework import Framework, get_framework
from kb.web.i18n import translator
from kb.search.indexer import facet_values
from kb.records.models import Practice, Reference

TAG = "tag:integration-practices-kb,2026:"  # the authority of every feed and entry id
FEED_SIZE = 50  # entries in a feed: the newest ones


@dataclass(frozen=True)
class Change:
    """A record and what happened to it last."""

    record: Practice | Reference
    date: dt.date
    kind: str  # "added" or "updated"

    def title(self, lang: str) -> str:
        r = self.record
        return r.title.get(lang) if r.kind == "practice" else r.title

    def matches(self, filters: Filters) -> bool:
        """Whether the record passes the filters (values of one facet OR-ed, facets AND-ed, as in search)."""
        facets = facet_values(self.record)  # only when filtering: the home page's list needs none
        return all(set(values) & set(facets.get(facet, [])) for facet, values in filters.values.items())


class Timeline:
    """Every record's last change, newest first; built once from the records (or their briefs)."""

    def __init__(self, records: list):
        changes = [Change(r, r.last_verified, "updated" if r.last_verified > r.added else "added") for r in records]
        # newest first; on the same day, additions before updates, then by id for a stable order
        changes.sort(key=lambda c: (-c.date.toordinal(), c.kind != "added", c.record.id))
        self.changes = changes

    def latest(self, filters: Filters | None = None, limit: int = FEED_SIZE) -> list[Change]:
        """The ``limit`` newest changes among the records the filters keep."""
        out: list[Change] = []
        for change in self.changes:
            if not filters or change.matches(filters):
                out.append(change)
                if len(out) >= limit:
                    break
        return out


def _when(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.timezone.utc)


def query_string(filters: Filters, lang: str | None = None) -> str:
    """The filters (and language) as a query string, in facet order: the feed's own address."""
    pairs = [(facet, v) for facet, values in filters.values.items() for v in values]
    if lang:
        pairs.append(("lang", lang))
    return urlencode(pairs)


def describe(filters: Filters, lang: str, framework: Framework | None = None) -> str:
    """The filters in words ('Thème 4 · Pologne'), for the feed's title."""
    fw = framework or get_framework()
    words = []
    for facet, values in filters.values.items():
        for v in values:
            if facet == "theme":
                words.append(f"{v}. {fw.theme_by_number[int(v)].title.get(lang)}")
            elif facet == "country":
                words.append(countries.name(v, lang))
            elif facet == "success_factor":
                words.append(fw.success_factors[v][1].name.get(lang))
            elif facet == "dimension":
                words.append(fw.dimensions[v].name.get(lang))
            elif facet in ("target_group", "sector", "actor_type"):
                words.append(fw.facet(facet + "s")[v].name.get(lang))
            else:
                words.append(translator(lang)("practice" if v == "practice" else "reference"))
    return " · ".join(words)


def atom(timeline: Timeline, filters: Filters, *, base_url: str, lang: str, limit: int = FEED_SIZE,
         framework: Framework | None = None, load: Callable[[str], Practice | Reference] | None = None) -> bytes:
    """The Atom feed of the newest changes the filters keep, with absolute links under ``base_url``; an
    entry's summary is the record's whole text, read with ``load`` when the timeline holds briefs."""
    from feedgen.feed import FeedGenerator  # with lxml, 10 MB a worker need not hold until a feed is asked for

    t = translator(lang)
    base = base_url.rstrip("/")
    changes = timeline.latest(filters, limit)
    selection = query_string(filters)
    fg = FeedGenerator()
    fg.id(TAG + f"feed/{lang}" + (f"?{selection}" if selection else ""))
    title = t("feed_title")
    if filters:
        title += " — " + t("feed_for", filters=describe(filters, lang, framework))
    fg.title(title)
    fg.subtitle(t("feed_subtitle"))
    fg.author({"name": "integration-practices-kb"})
    fg.language(lang)
    fg.link(href=f"{base}/feed.atom?{query_string(filters, lang)}", rel="self", type="application/atom+xml")
    fg.link(href=f"{base}/search?{query_string(filters, lang)}", rel="alternate", type="text/html")
    fg.generator("integration-practices-kb (feedgen)")
    fg.updated(_when(max((c.date for c in changes), default=dt.date(2020, 1, 1))))
    fw = framework or get_framework()
    for change in changes:
        r = change.record
        entry = fg.add_entry(order="append")
        entry.id(TAG + "record/" + r.id)
        label = t("feed_added") if change.kind == "added" else t("feed_updated")
        entry.title(change.title(lang))
        entry.link(href=f"{base}/practices/{r.id}?lang={lang}", rel="alternate", type="text/html")
        entry.published(_when(r.added))
        entry.updated(_when(change.date))
        where = (countries.name(r.country, lang) + (f", {r.place}" if r.place else "")) if r.kind == "practice" \
            else r.publisher + (f", {r.year}" if r.year else "")
        full = load(r.id) if load else r
        text = full.summary.get(lang) if full.kind == "practice" else full.description.get(lang)
        entry.summary(f"{label} {change.date.isoformat()} · {where}. {text}")
        entry.category(term=change.kind, label=label)
        for n in r.themes:
            entry.category(term=f"theme-{n}", label=f"{n}. {fw.theme_by_number[n].title.get(lang)}")
        if r.kind == "practice":
            entry.category(term=f"country-{r.country}", label=countries.name(r.country, lang))
    return fg.atom_str(pretty=True)
