"""Gap analysis: where a self-assessment stands, theme by theme, as the guide reads it, and for each
unticked item the practices and references that show how others did it, with the reasons.

Scoring of a record for a gap (an unticked, applicable checklist item):
  answers the item itself .................................. 10
  illustrates a success factor the item serves ............. 3, +1.5 per further factor (+1 when one is
                                                               the record's main factor)
  text of the record matches the item's text ............... up to 3 (scaled on the best match)
  same theme (only beside another reason) .................. 1
  fallback when the guide gives no example for the item's factors: the theme's practices and
  references ("same theme", 1)
  preferences: practice from the user's country +2, of the user's actor type +1.5
Each item's records are ranked once (``warm``) and kept as an array of record places; a request
picks the best of each group of records the preferences lift alike and scores only those.
The overall list sums each record's scores over the gaps it answers (in full where it answers the
item itself, half otherwise), then picks greedily with a
penalty for records from a place, organisation or country already picked, so that no single city
crowds the list.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, Field, computed_field

from kb.assess.answers import Answers, tally, theme_items
from kb.records.framework import Framework, get_framework, status_of  # noqa: F401 (status_of: part of this module's API)
from kb.records.models import Practice, Reference
from kb.assess.progress import Progress, progress
from kb.search.engine import SearchIndex

Record = Practice | Reference

ANSWERS_ITEM, FACTOR, MORE_FACTORS, MAIN_FACTOR_BONUS, TEXT, SAME_THEME = 10.0, 3.0, 1.5, 1.0, 3.0, 1.0
COUNTRY_BONUS, ACTOR_BONUS = 2.0, 1.5
PER_GAP = 5
MAX_PER_GAP = 20  # the most records a gap can list (CLI, API)


class ThemeResult(BaseModel):
    theme: int
    title: dict[str, str]
    ticked: int
    total: int = Field(description="Applicable items (all items minus those marked not applicable).")
    not_applicable: int
    status: str = Field(description="comprehensive | improve | rethink | not-applicable")
    note: str | None = None


class GeneralResult(BaseModel):
    """A general-checklist item, read on its own level: it never ticks the theme items it sums up."""

    item: str
    text: dict[str, str]
    ticked: bool = Field(description="The user ticked this general item.")
    implied: bool = Field(description="Every theme item it sums up is done (ticked or not applicable).")
    sums_up: list[str]
    still_open: list[str] = Field(
        default_factory=list,
        description="Ticked by the user, yet these theme items it sums up are still gaps: a prompt to check.")

    @computed_field(description="Ticked or implied.")
    @property
    def done(self) -> bool:
        return self.ticked or self.implied


class Recommendation(BaseModel):
    id: str
    kind: str
    title: dict[str, str]
    country: str | None = None
    score: float
    reasons: list[str]


class Gap(BaseModel):
    item: str
    theme: int
    text: dict[str, str]
    recommendations: list[Recommendation]


class Overall(BaseModel):
    id: str
    kind: str
    title: dict[str, str]
    country: str | None = None
    place: str | None = None
    score: float
    covers: list[str]


class GapsReport(BaseModel):
    organisation: str | None = None
    country: str | None = None
    actor_type: str | None = None
    themes: list[ThemeResult]
    general: list[GeneralResult]
    general_note: str | None = None
    gaps: list[Gap]
    recommendations: list[Overall]
    date: datetime.date | None = None
    respondent: str | None = None
    progress: Progress | None = Field(default=None, description="Changes since an earlier answers file, when one is given.")


@dataclass
class _Candidate:
    score: float = 0.0
    reasons: list[tuple[str, str]] = field(default_factory=list)


def title_of(record: Record) -> dict[str, str]:
    if record.kind == "practice":
        return {"fr": record.title.fr, "en": record.title.en}
    return {"fr": record.title, "en": record.title}


REASONS = {
    "item": {"en": "answers checklist item {}", "fr": "répond à l'élément {} de la liste"},
    "factor": {"en": "illustrates success factor {}", "fr": "illustre le facteur de réussite {}"},
    "theme": {"en": "same theme ({})", "fr": "même thématique ({})"},
    "text": {"en": "text match", "fr": "correspondance de texte"},
    "country": {"en": "from your country ({})", "fr": "dans votre pays ({})"},
    "actor": {"en": "same kind of organisation ({})", "fr": "même type d'organisation ({})"},
}


class Recommender:
    """Links gaps to records; built once from the records (or their briefs: kb.search.catalogue) and the open
    index, reused across calls."""

    def __init__(self, records: list[Record], index: SearchIndex, framework: Framework | None = None):
        self.fw = framework or get_framework()
        self.index = index
        self.records = {r.id: r for r in records}
        self.by_item: dict[str, list[str]] = defaultdict(list)
        self.by_factor: dict[str, list[str]] = defaultdict(list)
        self.by_theme: dict[int, list[str]] = defaultdict(list)
        for r in records:
            for t in r.themes:
                self.by_theme[t].append(r.id)
            if r.kind == "practice":
                for item in r.checklist_items:
                    self.by_item[item].append(r.id)
                for sf in r.success_factors:
                    self.by_factor[sf].append(r.id)
        # per record, in one fixed order: what the user's preferences look at, as arrays
        self._ids = list(self.records)
        self._place = {rid: i for i, rid in enumerate(self._ids)}
        countries = sorted({r.country for r in records if r.kind == "practice"})
        self._country_code = {c: i for i, c in enumerate(countries)}
        self._country = np.array([self._country_code[r.country] if r.kind == "practice" else -1 for r in records],
                                 dtype=np.int32)
        actors = sorted({a for r in records if r.kind == "practice" for a in r.actor_types})
        self._actor = {a: np.zeros(len(records), dtype=bool) for a in actors}
        for i, r in enumerate(records):
            if r.kind == "practice":
                for a in r.actor_types:
                    self._actor[a][i] = True
        self._text: dict[str, list[tuple[str, float]]] = {}
        self._order: dict[str, np.ndarray] = {}

    def warm(self, index: SearchIndex | None = None) -> None:
        """Rank every checklist item's records now (text matches included), so that no request pays
        for them; the text matches are searched in ``index`` when given (one opened for this work,
        so that searches meanwhile do not wait for it)."""
        for item_id in self.fw.checklist_items:
            self.link(item_id, index)

    def link(self, item_id: str, index: SearchIndex | None = None) -> None:
        """Rank the records of one checklist item now (``warm`` for one item)."""
        self._text_matches(item_id, index)
        self._ranking(item_id)

    def _text_matches(self, item_id: str, index: SearchIndex | None = None) -> list[tuple[str, float]]:
        if item_id not in self._text:
            item = self.fw.checklist_items[item_id][1]
            found = (index or self.index).text_matches(f"{item.text.fr} {item.text.en}", limit=8)
            self._text[item_id] = [(rid, s) for rid, s in found if rid in self.records]
        return self._text[item_id]

    def _falls_back(self, item_id: str) -> bool:
        """Whether the guide gives no example for the item nor for any of its factors: then the
        theme's records stand in."""
        item = self.fw.checklist_items[item_id][1]
        return not self.by_item.get(item_id) and not any(self.by_factor.get(sf) for sf in item.success_factors)

    def candidate(self, item_id: str, rid: str) -> _Candidate:
        """The score and reasons of record ``rid`` for ``item_id``, before preferences (score 0 when
        nothing links them)."""
        theme, item = self.fw.checklist_items[item_id]
        record = self.records[rid]
        cand = _Candidate()
        if record.kind == "practice":
            if item_id in record.checklist_items:
                cand.score += ANSWERS_ITEM
                cand.reasons.append(("item", item_id))
            hits = 0
            for sf in item.success_factors:
                if sf in record.success_factors:
                    cand.score += (FACTOR if not hits else MORE_FACTORS) + (
                        MAIN_FACTOR_BONUS if record.success_factors[0] == sf else 0.0)
                    hits += 1
                    cand.reasons.append(("factor", sf))
        matches = self._text_matches(item_id)
        for match, score in matches:
            if match == rid:
                cand.score += TEXT * score / (matches[0][1] or 1.0)
                cand.reasons.append(("text", ""))
        if theme in record.themes and (cand.reasons or self._falls_back(item_id)):
            cand.score += SAME_THEME
            cand.reasons.append(("theme", str(theme)))
        return cand

    def candidates(self, item_id: str, answers: Answers | None = None) -> dict[str, _Candidate]:
        """Every record that answers ``item_id``, with its score and reasons."""
        theme, item = self.fw.checklist_items[item_id]
        linked = dict.fromkeys(self.by_item.get(item_id, []))
        for sf in item.success_factors:
            linked.update(dict.fromkeys(self.by_factor.get(sf, [])))
        linked.update(dict.fromkeys(rid for rid, _ in self._text_matches(item_id)))
        if self._falls_back(item_id):
            linked.update(dict.fromkeys(self.by_theme.get(theme, [])))
        cands = {rid: self.candidate(item_id, rid) for rid in linked}
        if answers is not None:
            return {rid: self._prefer(rid, cand, answers) for rid, cand in cands.items()}
        return cands

    def _prefer(self, rid: str, cand: _Candidate, answers: Answers) -> _Candidate:
        """``cand`` with the user's preferences applied (a new candidate: base ones are shared)."""
        out = _Candidate(cand.score, list(cand.reasons))
        record = self.records[rid]
        if record.kind == "practice":
            if answers.country and record.country == answers.country:
                out.score += COUNTRY_BONUS
                out.reasons.append(("country", record.country))
            if answers.actor_type and answers.actor_type in record.actor_types:
                out.score += ACTOR_BONUS
                out.reasons.append(("actor", answers.actor_type))
        return out

    def _ranking(self, item_id: str) -> np.ndarray:
        """The records linked to ``item_id``, best first before preferences (ties by id), as places
        in ``_ids``: a few bytes per record, computed once per item."""
        order = self._order.get(item_id)
        if order is None:
            ranked = sorted(((-c.score, rid) for rid, c in self.candidates(item_id).items()))
            order = np.fromiter((self._place[rid] for _, rid in ranked), dtype=np.int32, count=len(ranked))
            self._order[item_id] = order
        return order

    def ranked(self, item_id: str, answers: Answers, per_gap: int = PER_GAP) -> list[tuple[str, _Candidate]]:
        """The best ``per_gap`` records for the gap ``item_id``, preferences applied.

        Preferences lift every record of a group alike (same country, same actor type, both), so a
        record among the best ``per_gap`` once they apply is among the best ``per_gap`` of its own
        group: a request scores at most four times ``per_gap`` records, however many answer the item."""
        per_gap = max(1, min(per_gap, MAX_PER_GAP))
        order = self._ranking(item_id)
        picks = [order[:per_gap]]
        country = self._country_code.get(answers.country or "", -2)
        in_country = self._country[order] == country if answers.country else None
        if in_country is not None:
            picks.append(order[in_country][:per_gap])
        if answers.actor_type:
            of_actor = self._actor.get(answers.actor_type)
            of_actor = of_actor[order] if of_actor is not None else np.zeros(len(order), dtype=bool)
            picks.append(order[of_actor][:per_gap])
            if in_country is not None:
                picks.append(order[of_actor & in_country][:per_gap])
        pool = dict.fromkeys(self._ids[i] for pick in picks for i in pick.tolist())
        chosen = {rid: self._prefer(rid, self.candidate(item_id, rid), answers) for rid in pool}
        return sorted(chosen.items(), key=lambda kv: (-kv[1].score, kv[0]))[:per_gap]

    def report(self, answers: Answers, *, per_gap: int = PER_GAP, limit: int = 10, lang: str = "en",
               since: Answers | None = None) -> GapsReport:
        """Theme results, general checklist, every gap with its records, and the overall ranked list;
        with ``since`` (an earlier answers file), what changed from it."""
        fw = self.fw
        general_ticked = {i for i in answers.ticked if i in fw.general_items}
        effective, not_applicable = theme_items(answers)
        themes = [ThemeResult(theme=t.number, title={"fr": t.title.fr, "en": t.title.en}, ticked=done, total=total,
                              not_applicable=na, status=status_of(done, total), note=answers.notes.get(str(t.number)) or None)
                  for t, (done, total, na) in zip(fw.themes, tally(effective, not_applicable))]
        general = []
        for g in fw.general_checklist.items:
            open_items = [i for i in g.sums_up if i not in effective and i not in not_applicable]
            general.append(GeneralResult(
                item=g.id, text={"fr": g.text.fr, "en": g.text.en}, sums_up=g.sums_up, ticked=g.id in general_ticked,
                implied=bool(g.sums_up) and not open_items,
                still_open=open_items if g.id in general_ticked else []))
        gaps: list[Gap] = []
        per_record: dict[str, float] = defaultdict(float)
        covers: dict[str, list[str]] = defaultdict(list)
        for item_id, (theme, item) in fw.checklist_items.items():
            if item_id in effective or item_id in not_applicable:
                continue
            recs = []
            for rid, cand in self.ranked(item_id, answers, per_gap):
                record = self.records[rid]
                recs.append(Recommendation(
                    id=rid, kind=record.kind, title=title_of(record), country=getattr(record, "country", None),
                    score=round(cand.score, 2), reasons=render_reasons(cand.reasons, lang, fw)))
                # a record that answers the item itself counts in full; one linked only through a
                # factor, the theme or its text counts half, so that weak links cannot pile up
                per_record[rid] += cand.score * (1.0 if ("item", item_id) in cand.reasons else 0.5)
                covers[rid].append(item_id)
            gaps.append(Gap(item=item_id, theme=theme, text={"fr": item.text.fr, "en": item.text.en}, recommendations=recs))
        return GapsReport(
            organisation=answers.organisation, country=answers.country, actor_type=answers.actor_type,
            themes=themes, general=general, general_note=answers.notes.get("general") or None, gaps=gaps,
            recommendations=self._diversify(per_record, covers, limit), date=answers.date, respondent=answers.respondent,
            progress=progress(answers, since, fw) if since is not None else None,
        )

    def _diversify(self, scores: dict[str, float], covers: dict[str, list[str]], limit: int) -> list[Overall]:
        """Greedy pick of the best records, discounting places, organisations and countries already picked."""
        picked: list[Overall] = []
        seen_place: dict[str, int] = defaultdict(int)
        seen_org: dict[str, int] = defaultdict(int)
        seen_country: dict[str, int] = defaultdict(int)
        pool = dict(scores)

        def adjusted(rid: str) -> float:
            record = self.records[rid]
            factor = 1.0
            if record.kind == "practice":
                if record.place:
                    factor *= 0.6 ** seen_place[record.place]
                for org in record.organisations:
                    factor *= 0.7 ** seen_org[org]
                factor *= 0.85 ** seen_country[record.country]
            return pool[rid] * factor

        while pool and len(picked) < limit:
            rid = max(pool, key=lambda r: (adjusted(r), r))
            record = self.records[rid]
            picked.append(Overall(id=rid, kind=record.kind, title=title_of(record), country=getattr(record, "country", None),
                                  place=getattr(record, "place", None), score=round(pool.pop(rid), 2), covers=covers[rid]))
            if record.kind == "practice":
                if record.place:
                    seen_place[record.place] += 1
                for org in record.organisations:
                    seen_org[org] += 1
                seen_country[record.country] += 1
        return picked


def render_reasons(reasons: list[tuple[str, str]], lang: str, fw: Framework) -> list[str]:
    out: list[str] = []
    lang = "fr" if lang == "fr" else "en"
    for code, arg in reasons:
        if code == "factor":
            arg = f"« {fw.success_factors[arg][1].name.fr} »" if lang == "fr" else f'"{fw.success_factors[arg][1].name.en}"'
        elif code == "actor":
            arg = fw.facet("actor_types")[arg].name.get(lang).lower()
        elif code == "country":
            from kb.records import countries

            arg = countries.name(arg, lang)
        text = REASONS[code][lang].format(arg)
        if text not in out:
            out.append(text)
    return out
