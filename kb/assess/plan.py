"""An action plan from chosen gaps: each item with its text, two or three practices to learn from
(title, place, link) and empty columns for owner, deadline and status, as Markdown, CSV (opens in
a spreadsheet) or a printable page.
"""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel, Field

from kb.records import countries
from kb.assess.answers import Answers
from kb.assess.recommend import Recommender, title_of

PER_ITEM = 3
MAX_ITEMS = 100
COLUMNS = {
    "item": {"fr": "Élément", "en": "Item"},
    "theme": {"fr": "Thématique", "en": "Theme"},
    "text": {"fr": "À faire", "en": "To do"},
    "learn": {"fr": "Pratiques dont s'inspirer", "en": "Practices to learn from"},
    "owner": {"fr": "Responsable", "en": "Owner"},
    "deadline": {"fr": "Échéance", "en": "Deadline"},
    "status": {"fr": "État", "en": "Status"},
}
TITLE = {"fr": "Plan d'action", "en": "Action plan"}


class PlanPractice(BaseModel):
    id: str
    title: dict[str, str]
    place: str | None = None
    country: str | None = None
    url: str | None = Field(default=None, description="The record's first link, when it has one.")


class PlanRow(BaseModel):
    item: str
    theme: int
    text: dict[str, str]
    practices: list[PlanPractice]
    owner: str = ""
    deadline: str = ""
    status: str = ""


class Plan(BaseModel):
    organisation: str | None = None
    rows: list[PlanRow]


class PlanError(ValueError):
    """The chosen items cannot make a plan; the message says why."""


def parse_items(text: str | list[str]) -> list[str]:
    """Item ids from "T3-09,T4-10" or a list, in the order given, each once."""
    parts = text.replace(";", ",").split(",") if isinstance(text, str) else text
    return list(dict.fromkeys(p.strip().upper() for p in parts if p and p.strip()))


def gap_items(answers: Answers, framework=None) -> list[str]:
    """The theme items ``answers`` leave open (neither ticked nor not applicable), in the guide's order."""
    from kb.records.framework import get_framework

    fw = framework or get_framework()
    done = set(answers.ticked) | set(answers.not_applicable)
    return [i for i in fw.checklist_items if i not in done]


def make_plan(recommender: Recommender, items: list[str], answers: Answers | None = None, *,
              per_item: int = PER_ITEM) -> Plan:
    """A plan row for each checklist item of ``items``, with its best practices (the user's country
    and kind of organisation favoured, as in the gap report); PlanError for an unknown item."""
    fw = recommender.fw
    unknown = [i for i in items if i not in fw.checklist_items]
    if unknown:
        raise PlanError(f"not checklist items: {', '.join(unknown)} (theme items look like T3-09)")
    if not items:
        raise PlanError("choose at least one checklist item for the plan")
    if len(items) > MAX_ITEMS:
        raise PlanError(f"{len(items)} items chosen; a plan takes at most {MAX_ITEMS}")
    answers = answers or Answers()
    rows = []
    for item_id in items:
        theme, item = fw.checklist_items[item_id]
        practices = []
        for rid, _ in recommender.ranked(item_id, answers, per_item):
            record = recommender.records[rid]
            links = record.links
            practices.append(PlanPractice(
                id=rid, title=title_of(record), place=record.place if record.kind == "practice" else None,
                country=getattr(record, "country", None), url=str(links[0].url) if links else None))
        rows.append(PlanRow(item=item_id, theme=theme, text={"fr": item.text.fr, "en": item.text.en}, practices=practices))
    return Plan(organisation=answers.organisation, rows=rows)


def _where(p: PlanPractice, lang: str) -> str:
    return ", ".join(x for x in (p.place, countries.name(p.country, lang) if p.country else None) if x)


def _practice_line(p: PlanPractice, lang: str) -> str:
    where = _where(p, lang)
    return p.title[lang] + (f" ({where})" if where else "") + (f" {p.url}" if p.url else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def plan_markdown(plan: Plan, lang: str = "fr") -> str:
    """The plan as a Markdown table to print, paste or share."""
    lang = "en" if lang == "en" else "fr"
    c = {k: v[lang] for k, v in COLUMNS.items()}
    out = [f"# {TITLE[lang]}" + (f" — {plan.organisation}" if plan.organisation else ""), "",
           f"| {c['item']} | {c['text']} | {c['learn']} | {c['owner']} | {c['deadline']} | {c['status']} |",
           "|---|---|---|---|---|---|"]
    for row in plan.rows:
        learn = "<br>".join(_cell(_practice_line(p, lang)) for p in row.practices)
        out.append(f"| {row.item} | {_cell(row.text[lang])} | {learn} | {row.owner} | {row.deadline} | {row.status} |")
    return "\n".join(out) + "\n"


def plan_csv(plan: Plan, lang: str = "fr") -> str:
    """The plan as CSV, one row per item, a column per practice to learn from (with a BOM, so that
    spreadsheets open the accents right)."""
    lang = "en" if lang == "en" else "fr"
    c = {k: v[lang] for k, v in COLUMNS.items()}
    width = max((len(r.practices) for r in plan.rows), default=0)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([c["item"], c["theme"], c["text"], *[f"{c['learn']} {n}" for n in range(1, width + 1)],
                     c["owner"], c["deadline"], c["status"]])
    for row in plan.rows:
        learn = [_practice_line(p, lang) for p in row.practices] + [""] * (width - len(row.practices))
        writer.writerow([row.item, row.theme, row.text[lang], *learn, row.owner, row.deadline, row.status])
    return "\ufeff" + buf.getvalue()
