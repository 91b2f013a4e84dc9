"""Progress between two self-assessments of the same organisation: per theme the result then and
now, the items newly done, the items no longer ticked, and the gaps still open. The guide asks for
regular assessment (success factor "continuous needs assessment"); this reads two answers files
side by side. Nothing is kept: both files are read in the request.
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, Field

from kb.assess.answers import Answers, tally, theme_items
from kb.records.framework import Framework, get_framework, status_of


class ThemeChange(BaseModel):
    theme: int
    title: dict[str, str]
    ticked_then: int
    total_then: int
    status_then: str
    ticked_now: int
    total_now: int
    status_now: str

    @property
    def delta(self) -> int:
        return self.ticked_now - self.ticked_then


class Progress(BaseModel):
    """What changed from an earlier answers file (``since``) to the current one."""

    since_date: datetime.date | None = Field(default=None, description="Date of the earlier answers, when given.")
    date: datetime.date | None = Field(default=None, description="Date of the current answers, when given.")
    themes: list[ThemeChange]
    newly_done: list[str] = Field(description="Theme items ticked now and not then.")
    no_longer_done: list[str] = Field(description="Theme items ticked then and not now.")
    still_open: list[str] = Field(description="Gaps then and now.")
    newly_open: list[str] = Field(default_factory=list,
                                  description="Gaps now that were not applicable then.")


def progress(now: Answers, since: Answers, framework: Framework | None = None) -> Progress:
    """The changes from ``since`` to ``now``, item by item and theme by theme."""
    fw = framework or get_framework()
    ticked_now, na_now = theme_items(now)
    ticked_then, na_then = theme_items(since)
    order = list(fw.checklist_items)
    themes = [ThemeChange(theme=t.number, title={"fr": t.title.fr, "en": t.title.en},
                          ticked_then=then_done, total_then=then_total, status_then=status_of(then_done, then_total),
                          ticked_now=now_done, total_now=now_total, status_now=status_of(now_done, now_total))
              for t, (then_done, then_total, _), (now_done, now_total, _) in
              zip(fw.themes, tally(ticked_then, na_then), tally(ticked_now, na_now))]
    gaps_now = {i for i in order if i not in ticked_now and i not in na_now}
    gaps_then = {i for i in order if i not in ticked_then and i not in na_then}
    return Progress(
        since_date=since.date, date=now.date, themes=themes,
        newly_done=[i for i in order if i in ticked_now and i not in ticked_then],
        no_longer_done=[i for i in order if i in ticked_then and i not in ticked_now],
        still_open=[i for i in order if i in gaps_now and i in gaps_then],
        newly_open=[i for i in order if i in gaps_now and i in na_then],
    )
