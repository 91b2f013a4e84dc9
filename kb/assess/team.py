"""A team's self-assessment: several people's answers files read side by side. Per item, who ticked
it; the items where the team disagrees first, as the agenda for a discussion; a reading per theme
(consensus done / contested / consensus gap); every respondent's notes; and the practices for the
consensus gaps first. The guide asks to review results with the partners concerned (general
checklist) and to involve refugees in evaluating services (theme 4): this is the tool for that
meeting. Nothing is kept: the files are read in the request.
"""

from __future__ import annotations

import datetime
from collections import Counter

from pydantic import BaseModel, Field

from kb.assess.answers import Answers, AnswersError, parse_answers
from kb.assess.recommend import Recommendation, Recommender, render_reasons, title_of

MAX_RESPONDENTS = 50

STATES = ("contested", "consensus-gap", "consensus-done", "not-applicable")


class Respondent(BaseModel):
    label: str = Field(description="The file's `respondent`, else its name.")
    date: datetime.date | None = None
    organisation: str | None = None


class ItemVotes(BaseModel):
    """How the team answered one checklist item."""

    item: str
    theme: int
    text: dict[str, str]
    state: str = Field(description="consensus-done | contested | consensus-gap | not-applicable")
    ticked_by: list[str]
    not_ticked_by: list[str]
    not_applicable_by: list[str]


class TeamTheme(BaseModel):
    theme: int
    title: dict[str, str]
    consensus_done: int
    contested: int
    consensus_gap: int
    not_applicable: int


class TeamGap(BaseModel):
    item: str
    theme: int
    text: dict[str, str]
    state: str
    recommendations: list[Recommendation]


class TeamNote(BaseModel):
    respondent: str
    text: str


class TeamReport(BaseModel):
    respondents: list[Respondent]
    agenda: list[ItemVotes] = Field(description="The contested items, the most divided first.")
    items: list[ItemVotes] = Field(description="Every checklist item, in the guide's order.")
    themes: list[TeamTheme]
    notes: dict[str, list[TeamNote]] = Field(description='Each respondent\'s note per theme ("1"-"6", "general").')
    gaps: list[TeamGap] = Field(description="Consensus gaps first, then contested items, with their practices.")


class TeamError(ValueError):
    """The files cannot be read as a team; the message says which and why."""


def read_team(files: list[tuple[str, bytes]]) -> list[tuple[str, Answers]]:
    """(label, answers) for each named file; TeamError when there are too few or too many files, when
    a file is given twice, or when one is not an answers file (every problem of every file listed)."""
    if len(files) < 2:
        raise TeamError(f"a team view needs at least 2 answers files; {len(files)} given")
    if len(files) > MAX_RESPONDENTS:
        raise TeamError(f"{len(files)} files given; a team view takes at most {MAX_RESPONDENTS}")
    seen: dict[bytes, str] = {}
    problems: list[str] = []
    read: list[tuple[str, Answers]] = []
    for name, raw in files:
        if raw in seen:
            problems.append(f"{name}: the same file as {seen[raw]}; give each respondent's file once")
            continue
        seen[raw] = name
        try:
            read.append((name, parse_answers(raw, name)))
        except AnswersError as exc:
            problems += [p.render(exc.name) for p in exc.problems]
    if problems:
        raise TeamError("\n".join(problems))
    labels: Counter = Counter()
    out = []
    for name, answers in read:
        label = (answers.respondent or name).strip() or name
        labels[label] += 1
        out.append((label if labels[label] == 1 else f"{label} ({labels[label]})", answers))
    return out


def _state(ticked: int, applicable: int) -> str:
    if applicable == 0:
        return "not-applicable"
    if ticked == applicable:
        return "consensus-done"
    return "consensus-gap" if ticked == 0 else "contested"


def team_report(team: list[tuple[str, Answers]], recommender: Recommender, *, per_gap: int = 3,
                lang: str = "en") -> TeamReport:
    """The team view of ``team`` ((label, answers) pairs)."""
    fw = recommender.fw
    items: list[ItemVotes] = []
    for item_id, (theme, item) in fw.checklist_items.items():
        ticked = [label for label, a in team if item_id in a.ticked]
        na = [label for label, a in team if item_id in a.not_applicable and item_id not in a.ticked]
        rest = [label for label, _ in team if label not in ticked and label not in na]
        items.append(ItemVotes(item=item_id, theme=theme, text={"fr": item.text.fr, "en": item.text.en},
                               state=_state(len(ticked), len(ticked) + len(rest)), ticked_by=ticked,
                               not_ticked_by=rest, not_applicable_by=na))
    order = {item_id: n for n, item_id in enumerate(fw.checklist_items)}
    agenda = sorted((v for v in items if v.state == "contested"),
                    key=lambda v: (abs(len(v.ticked_by) - len(v.not_ticked_by)), order[v.item]))
    themes = []
    for t in fw.themes:
        counts = Counter(v.state for v in items if v.theme == t.number)
        themes.append(TeamTheme(theme=t.number, title={"fr": t.title.fr, "en": t.title.en},
                                consensus_done=counts["consensus-done"], contested=counts["contested"],
                                consensus_gap=counts["consensus-gap"], not_applicable=counts["not-applicable"]))
    notes: dict[str, list[TeamNote]] = {}
    for key in ("1", "2", "3", "4", "5", "6", "general"):
        written = [TeamNote(respondent=label, text=a.notes[key]) for label, a in team if a.notes.get(key)]
        if written:
            notes[key] = written
    preferences = shared_preferences([a for _, a in team])
    gaps = []
    for state in ("consensus-gap", "contested"):
        for v in items:
            if v.state != state:
                continue
            recs = [Recommendation(id=rid, kind=recommender.records[rid].kind, title=title_of(recommender.records[rid]),
                                   country=getattr(recommender.records[rid], "country", None), score=round(c.score, 2),
                                   reasons=render_reasons(c.reasons, lang, fw))
                    for rid, c in recommender.ranked(v.item, preferences, per_gap)]
            gaps.append(TeamGap(item=v.item, theme=v.theme, text=v.text, state=state, recommendations=recs))
    respondents = [Respondent(label=label, date=a.date, organisation=a.organisation) for label, a in team]
    return TeamReport(respondents=respondents, agenda=agenda, items=items, themes=themes, notes=notes, gaps=gaps)


def shared_preferences(answers: list[Answers]) -> Answers:
    """The organisation, country and kind of organisation most respondents give, to favour practices
    as for one (and to head the team's action plan)."""
    def most(values: list[str | None]) -> str | None:
        found = Counter(v for v in values if v)
        return found.most_common(1)[0][0] if found else None

    return Answers(organisation=most([a.organisation for a in answers]), country=most([a.country for a in answers]),
                   actor_type=most([a.actor_type for a in answers]))



TEXT = {
    "title": {"fr": "Auto-évaluation en équipe", "en": "Team self-assessment"},
    "respondents": {"fr": "Répondants", "en": "Respondents"},
    "agenda": {"fr": "À discuter : les éléments où l'équipe n'est pas d'accord", "en": "To discuss: the items the team disagrees on"},
    "no_agenda": {"fr": "L'équipe est d'accord sur chaque élément.", "en": "The team agrees on every item."},
    "reading": {"fr": "Lecture de l'équipe par thématique", "en": "The team's reading per theme"},
    "theme": {"fr": "Thématique", "en": "Theme"},
    "consensus-done": {"fr": "fait (consensus)", "en": "done (consensus)"},
    "contested": {"fr": "à discuter", "en": "contested"},
    "consensus-gap": {"fr": "manque (consensus)", "en": "gap (consensus)"},
    "not-applicable": {"fr": "sans objet", "en": "not applicable"},
    "ticked_by": {"fr": "coché par", "en": "ticked by"},
    "not_ticked_by": {"fr": "pas par", "en": "not by"},
    "notes": {"fr": "Notes de chacun", "en": "Everyone's notes"},
    "general": {"fr": "Général", "en": "General"},
    "gaps": {"fr": "Pratiques pour les manques, consensus d'abord", "en": "Practices for the gaps, consensus first"},
}


def team_markdown(report: TeamReport, lang: str = "fr", per_gap: int = 3) -> str:
    """The team view as Markdown: respondents, the agenda, the reading per theme, notes, practices."""
    lang = "en" if lang == "en" else "fr"
    t = {k: v[lang] for k, v in TEXT.items()}
    colon = " :" if lang == "fr" else ":"
    out = [f"# {t['title']}", "", f"**{t['respondents']}**{colon} " + ", ".join(
        r.label + (f" ({r.date})" if r.date else "") for r in report.respondents), "", f"## {t['agenda']}", ""]
    if not report.agenda:
        out.append(t["no_agenda"])
    for v in report.agenda:
        out.append(f"- **{v.item}** {v.text[lang]} — {t['ticked_by']} {', '.join(v.ticked_by)}; "
                   f"{t['not_ticked_by']} {', '.join(v.not_ticked_by)}")
    out += ["", f"## {t['reading']}", "",
            f"| {t['theme']} | {t['consensus-done']} | {t['contested']} | {t['consensus-gap']} | {t['not-applicable']} |",
            "|---|---|---|---|---|"]
    for th in report.themes:
        out.append(f"| {th.theme}. {th.title[lang]} | {th.consensus_done} | {th.contested} | {th.consensus_gap} | {th.not_applicable} |")
    if report.notes:
        out += ["", f"## {t['notes']}", ""]
        for key, notes in report.notes.items():
            out.append(f"### {t['general'] if key == 'general' else t['theme'] + ' ' + key}")
            out += [f"- **{n.respondent}**{colon} {' '.join(n.text.split())}" for n in notes] + [""]
    out += ["", f"## {t['gaps']}", ""]
    for gap in report.gaps:
        out.append(f"- **{gap.item}** ({t[gap.state]}) {gap.text[lang]}")
        for rec in gap.recommendations[:per_gap]:
            out.append(f"  - {rec.title[lang]} (`{rec.id}`) — {'; '.join(rec.reasons)}")
    return "\n".join(out) + "\n"
