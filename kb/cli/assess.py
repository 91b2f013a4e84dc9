"""Commands of the self-assessment: `kb checklist`, `kb gaps`, `kb plan`, `kb grid`."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kb.cli.common import IndexDirOption, Lang, err, _framework, _open_index, out, _print_json, _records



def _recommender(index_dir: Path | None):
    from kb.assess.recommend import Recommender

    return Recommender(_records(), _open_index(index_dir))


def _read_input(path: Path, parser):
    from kb.assess.answers import AnswersError

    try:
        raw = path.read_bytes() if str(path) != "-" else sys.stdin.buffer.read()
    except OSError as exc:
        err.print(f"error: {path}: cannot be read: {exc.strerror or exc}", markup=False)
        raise typer.Exit(2)
    try:
        return parser(raw, str(path))
    except AnswersError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2)


def checklist(
    template: Annotated[bool, typer.Option("--template", help="Print a commented answers file listing every item.")] = False,
    theme: Annotated[Optional[int], typer.Option(min=1, max=6, help="Only this theme's items.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the item texts.")] = Lang.fr,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of printing.")] = None,
) -> None:
    """Self-assessment: write the answers template to fill (then run `kb gaps FILE`)."""
    _framework()
    if not template:
        err.print("Use `kb checklist --template > answers.yaml`, fill it in, then run `kb gaps answers.yaml`.")
        raise typer.Exit(2)
    from kb.assess.answers import template as answers_template

    text = answers_template(theme, lang.value)
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"Wrote {output}", markup=False)
    else:
        sys.stdout.write(text)


def gaps(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Answers file (YAML or JSON; - for standard "
                                                "input); with --team, one file per respondent.")],
    since: Annotated[Optional[Path], typer.Option("--since", help="An earlier answers file of the same organisation: "
                                                  "show what changed since.")] = None,
    team: Annotated[bool, typer.Option("--team", help="Read the files as a team's answers (2 to 50): who ticked what, "
                                       "the contested items first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print the personalised summary as Markdown.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=50, help="Length of the overall list.")] = 10,
    per_gap: Annotated[int, typer.Option("--per-gap", min=1, max=20, help="Records shown for each gap.")] = 3,
    country: Annotated[Optional[str], typer.Option(help="Favour practices from this country (code or name).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the output.")] = Lang.fr,
    index_dir: IndexDirOption = None,
) -> None:
    """Where your answers stand, theme by theme, and the practices that answer each gap, with reasons;
    with --since, the progress from an earlier file; with --team, several people's answers side by side."""
    _framework()
    from kb.assess.answers import parse_answers
    from kb.search.filters import FilterError, resolve

    code = None
    if country:
        try:
            code = resolve("country", country)
        except FilterError as exc:
            err.print(f"error: --country: {str(exc).split(': ', 1)[1]}", markup=False)
            raise typer.Exit(2)
    if team:
        if since is not None:
            err.print("error: --since compares two files of one organisation; it does not go with --team", markup=False)
            raise typer.Exit(2)
        _team(files, code, as_json, as_markdown, per_gap, lang.value, index_dir)
        return
    if len(files) > 1:
        err.print(f"error: {len(files)} answers files given: add --team to read them as a team's answers, "
                  "or give one file (and an earlier one with --since)", markup=False)
        raise typer.Exit(2)
    answers = _read_input(files[0], parse_answers)
    earlier = _read_input(since, parse_answers) if since is not None else None
    if code:
        answers.country = code
    report = _recommender(index_dir).report(answers, per_gap=per_gap, limit=limit, lang=lang.value, since=earlier)
    if as_json:
        _print_json(report.model_dump(mode="json"))
    elif as_markdown:
        from kb.assess.summary import markdown

        sys.stdout.write(markdown(report, lang.value, per_gap=per_gap))
    else:
        if report.progress is not None:
            _print_progress(report, lang.value)
        _print_gaps(report, lang.value, per_gap)


def _team(files: list[Path], country: str | None, as_json: bool, as_markdown: bool, per_gap: int, lang: str,
          index_dir: Path | None) -> None:
    """`kb gaps A B C --team`: read the files (names label those without a respondent), print the team view."""
    from kb.assess.team import MAX_RESPONDENTS, TeamError, read_team, team_markdown, team_report

    if len(files) > MAX_RESPONDENTS:  # said before reading ten thousand files
        err.print(f"error: {len(files)} files given; a team view takes at most {MAX_RESPONDENTS}", markup=False)
        raise typer.Exit(2)
    raw = []
    for path in files:
        try:
            raw.append((path.name if str(path) != "-" else "stdin",
                        path.read_bytes() if str(path) != "-" else sys.stdin.buffer.read()))
        except OSError as exc:
            err.print(f"error: {path}: cannot be read: {exc.strerror or exc}", markup=False)
            raise typer.Exit(2)
    try:
        members = read_team(raw)
    except TeamError as exc:
        for line in str(exc).splitlines():  # each file's problems as `kb validate` prints them
            err.print(line if ": error: " in line else f"error: {line}", markup=False)
        raise typer.Exit(2)
    if country:
        for _, answers in members:
            answers.country = country
    report = team_report(members, _recommender(index_dir), per_gap=per_gap, lang=lang)
    if as_json:
        _print_json(report.model_dump(mode="json"))
    elif as_markdown:
        sys.stdout.write(team_markdown(report, lang, per_gap=per_gap))
    else:
        _print_team(report, lang, per_gap)


def _print_progress(report, lang: str) -> None:
    from rich.table import Table

    from kb.assess.summary import STATUS, TEXT

    p = report.progress
    t = {k: v[lang] for k, v in TEXT.items()}
    when = " → ".join(str(d) if d else "?" for d in (p.since_date, p.date)) if (p.since_date or p.date) else ""
    out.print(f"[bold]{t['progress']}[/bold]" + (f" ({when})" if when else ""))
    table = Table(box=None, pad_edge=False)
    table.add_column(t["theme"])
    table.add_column(t["then_now"], justify="right")
    table.add_column(t["reading"])
    for th in p.themes:
        delta = f" ({th.delta:+d})" if th.delta else ""
        reading = STATUS[th.status_now][lang] if th.status_now == th.status_then else \
            f"{STATUS[th.status_then][lang]} → {STATUS[th.status_now][lang]}"
        table.add_row(f"{th.theme}. {th.title[lang]}", f"{th.ticked_then}/{th.total_then} → {th.ticked_now}/{th.total_now}{delta}",
                      reading)
    out.print(table)
    fw = _framework()
    for key, items in (("newly_done", p.newly_done), ("no_longer", p.no_longer_done), ("newly_open", p.newly_open)):
        if key == "newly_open" and not items:
            continue
        out.print(f"[bold]{t[key]}[/bold] ({len(items)})" + ("" if items else f": {t['none_item']}"))
        for item in items:
            out.print(f"   {item}  {fw.checklist_items[item][1].text.get(lang)}", markup=False)
    out.print(f"[bold]{t['still_gaps']}[/bold] ({len(p.still_open)}): ", end="")
    out.print(", ".join(p.still_open) or t["none_item"], markup=False)
    out.print()


def _print_team(report, lang: str, per_gap: int) -> None:
    from rich.table import Table

    from kb.assess.team import TEXT

    t = {k: v[lang] for k, v in TEXT.items()}
    out.print(f"[bold]{t['title']}[/bold] — {t['respondents']}: ", end="")
    out.print(", ".join(r.label + (f" ({r.date})" if r.date else "") for r in report.respondents), markup=False)
    out.print(f"\n[bold]{t['agenda']}[/bold]")
    if not report.agenda:
        out.print(f"   {t['no_agenda']}", markup=False)
    for v in report.agenda:
        applicable = len(v.ticked_by) + len(v.not_ticked_by)
        out.print(f"   {v.item}  {len(v.ticked_by)}/{applicable}  {v.text[lang]}", markup=False)
        out.print(f"      {t['ticked_by']} {', '.join(v.ticked_by)}; {t['not_ticked_by']} {', '.join(v.not_ticked_by)}",
                  markup=False)
    table = Table(box=None, pad_edge=False)
    for column in ("theme", "consensus-done", "contested", "consensus-gap", "not-applicable"):
        table.add_column(t[column], justify="left" if column == "theme" else "right")
    for th in report.themes:
        table.add_row(f"{th.theme}. {th.title[lang]}", str(th.consensus_done), str(th.contested), str(th.consensus_gap),
                      str(th.not_applicable))
    out.print(f"\n[bold]{t['reading']}[/bold]")
    out.print(table)
    if report.notes:
        out.print(f"\n[bold]{t['notes']}[/bold]")
        for key, notes in report.notes.items():
            out.print(f"   {t['general'] if key == 'general' else t['theme'] + ' ' + key}", markup=False)
            for n in notes:
                out.print(f"      {n.respondent}: {' '.join(n.text.split())}", markup=False)
    out.print(f"\n[bold]{t['gaps']}[/bold]")
    for gap in report.gaps:
        out.print(f"   {gap.item} ({t[gap.state]})  {gap.text[lang]}", markup=False)
        for rec in gap.recommendations[:per_gap]:
            out.print(f"      → {rec.id} ({rec.country or '-'}): {'; '.join(rec.reasons)}", markup=False)


class PlanFormat(str, Enum):
    md = "md"
    csv = "csv"


def plan(
    file: Annotated[Path, typer.Argument(help="Answers file: its country and kind of organisation favour practices; "
                                         "without --items, its gaps make the plan.")],
    items: Annotated[Optional[str], typer.Option("--items", help="Checklist items to work on, comma-separated "
                                                 "(T3-09,T4-10); default: every gap of FILE.")] = None,
    fmt: Annotated[PlanFormat, typer.Option("--format", help="md (a Markdown table) or csv (opens in a spreadsheet).")] = PlanFormat.md,
    per_item: Annotated[int, typer.Option("--per-item", min=1, max=5, help="Practices to learn from, per item.")] = 3,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the plan.")] = Lang.fr,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of printing.")] = None,
    index_dir: IndexDirOption = None,
) -> None:
    """An action plan for the gaps you choose: each item, practices to learn from, empty owner, deadline and status."""
    fw = _framework()
    from kb.assess.answers import parse_answers
    from kb.assess.plan import PlanError, gap_items, make_plan, parse_items, plan_csv, plan_markdown

    answers = _read_input(file, parse_answers)
    chosen = parse_items(items) if items is not None else gap_items(answers, fw)
    unknown = [i for i in chosen if i not in fw.checklist_items]
    if items is None and not chosen:
        err.print(f"error: {file}: no gaps (every applicable item is ticked); choose items with --items", markup=False)
        raise typer.Exit(2)
    try:
        if unknown or not chosen:  # refused before the index is opened
            raise PlanError(f"not checklist items: {', '.join(unknown)} (theme items look like T3-09)" if unknown
                            else "choose at least one checklist item for the plan")
        made = make_plan(_recommender(index_dir), chosen, answers, per_item=per_item)
    except PlanError as exc:
        err.print(f"error: --items: {exc}", markup=False)
        raise typer.Exit(2)
    text = plan_csv(made, lang.value) if fmt is PlanFormat.csv else plan_markdown(made, lang.value)
    if output:
        output.write_text(text, encoding="utf-8", newline="")
        out.print(f"Wrote {output}: {len(made.rows)} item{'s' * (len(made.rows) != 1)}", markup=False)
    else:
        sys.stdout.write(text)


def _print_gaps(report, lang: str, per_gap: int) -> None:
    from rich.table import Table

    from kb.assess.summary import STATUS, TEXT

    en = lang == "en"
    table = Table(box=None, pad_edge=False)
    table.add_column("Theme" if en else "Thématique")
    table.add_column("✓", justify="right")
    table.add_column("Reading" if en else "Lecture")
    for th in report.themes:
        table.add_row(f"{th.theme}. {th.title[lang]}", f"{th.ticked}/{th.total}", STATUS[th.status][lang])
    out.print(table)
    for gap in report.gaps:
        out.print(f"\n[bold]{gap.item}[/bold] ", end="")
        out.print(gap.text[lang], markup=False)
        for rec in gap.recommendations[:per_gap]:
            out.print(f"   → {rec.id} ({rec.country or '-'}; {rec.score}): {'; '.join(rec.reasons)}", markup=False)
    done = sum(1 for g in report.general if g.done)
    out.print(f"\n[bold]{TEXT['general'][lang]}[/bold] {done}/{len(report.general)}")
    for g in report.general:
        if g.still_open:  # a ticked general item never hides the theme items it covers
            out.print(f"   ⚠ {g.item}: " + TEXT["still_open"][lang].format(", ".join(g.still_open)), markup=False)
    out.print("\n[bold]" + ("Most useful practices for you" if en else "Les pratiques les plus utiles pour vous") + "[/bold]")
    for n, rec in enumerate(report.recommendations, start=1):
        out.print(f"{n:2}. {rec.id}  {rec.title[lang]}  [{', '.join(rec.covers)}]", markup=False)


def grid(
    file: Annotated[Optional[Path], typer.Argument(help="Ratings file (YAML or JSON).")] = None,
    template: Annotated[bool, typer.Option("--template", help="Print a commented ratings file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the output.")] = Lang.fr,
) -> None:
    """Rate your practice on the evaluation grid: a score per dimension and overall (see docs/scoring.md)."""
    _framework()
    from kb.assess.grid import parse_grid, score
    from kb.assess.grid import template as grid_template

    if template:
        sys.stdout.write(grid_template(lang.value))
        return
    if file is None:
        err.print("Give a ratings file, or use `kb grid --template > grid.yaml` to start one.")
        raise typer.Exit(2)
    report = score(_read_input(file, parse_grid), _records())
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    lg = lang.value
    for d in report.dimensions:
        value = "-" if d.score is None else f"{d.score:.0f}/100 ({d.level})"
        out.print(f"{d.name[lg]}: {value}  [{d.rated} rated, {d.not_applicable} n/a, {d.unanswered} unanswered]", markup=False)
    out.print(f"Overall: {report.overall if report.overall is not None else '-'} ({report.level or '-'})"
              if lg == "en" else f"Global : {report.overall if report.overall is not None else '-'} ({report.level or '-'})",
              markup=False)
    if report.weakest:
        fw = _framework()
        out.print(("Strongest" if lg == "en" else "Point fort") + f": {fw.dimensions[report.strongest].name.get(lg)}; "
                  + ("weakest" if lg == "en" else "point faible") + f": {fw.dimensions[report.weakest].name.get(lg)}",
                  markup=False)
        for ex in report.exemplars:
            out.print(f"   → {ex.id} ({ex.country}): {ex.title[lg]} [{', '.join(ex.indicators)}]", markup=False)
