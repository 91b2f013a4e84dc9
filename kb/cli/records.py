"""Commands on the records: `kb validate`, `kb themes`, `kb stats`, `kb schema`, `kb new`, `kb links`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kb.cli.common import Format, Lang, err, _framework, out, _print_json, _records

from kb.paths import practices_dir



def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: practices/).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text, json, or github (annotations).")] = Format.text,
    fix: Annotated[bool, typer.Option("--fix", help="First repair what is mechanical (file name, key order, "
                                      "country names, YAML booleans, whitespace) and say what changed.")] = False,
) -> None:
    """Check records against the schema and the framework; one line per problem, exit 1 if any error."""
    _framework()
    from kb.records.validate import check_paths, collect

    paths = paths or [practices_dir()]
    if fix:
        from kb.records.fix import fix_file

        fixed = 0
        for path in collect(paths):
            if not path.exists():
                continue
            new_path, changes = fix_file(path)
            for change in changes:
                err.print(f"fixed {new_path}: {change}", markup=False)
            fixed += bool(changes)
            if new_path != path:
                paths = [new_path if p == path else p for p in paths]
        err.print(f"{fixed} file{'s' * (fixed != 1)} repaired.", markup=False)
    report = check_paths(paths)
    sys.stdout.write(report.render(fmt.value) + "\n")
    raise typer.Exit(0 if report.ok else 1)


def themes(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text output.")] = Lang.fr,
) -> None:
    """Print the guide's framework: themes, success factors, checklists, evaluation grid."""
    fw = _framework()
    if as_json:
        from kb.records.framework_json import framework_json

        _print_json(framework_json(fw))
        return
    lg = lang.value
    for theme in fw.themes:
        out.print(f"\n[bold]{theme.number}. {theme.title.get(lg)}[/bold]", markup=True)
        out.print(f"   {theme.aim.get(lg)}", markup=False)
        out.print("   [italic]" + ("Success factors" if lg == "en" else "Facteurs de réussite") + "[/italic]")
        for sf in theme.success_factors:
            out.print(f"   - {sf.id}: {sf.name.get(lg)}", markup=False)
        out.print("   [italic]" + ("Checklist" if lg == "en" else "Liste de vérification") + "[/italic]")
        for item in theme.checklist:
            marker = " (local authorities)" if item.audience and lg == "en" else (" (autorités locales)" if item.audience else "")
            out.print(f"   {item.id}{marker}  {item.text.get(lg)}", markup=False)
    out.print("\n[bold]" + ("General checklist" if lg == "en" else "Liste de vérification générale") + "[/bold]")
    for item in fw.general_checklist.items:
        out.print(f"   {item.id}  {item.text.get(lg)}  [{', '.join(item.sums_up)}]", markup=False)
    out.print("\n[bold]" + ("Evaluation grid" if lg == "en" else "Grille d'évaluation") + "[/bold]")
    for dim in fw.grid.dimensions:
        out.print(f"   {dim.number}. {dim.id}: {dim.name.get(lg)}", markup=False)
        for q in dim.questions:
            out.print(f"      {q.id}  {q.text.get(lg)}", markup=False)
            for ind in q.indicators:
                out.print(f"         {ind.id}  {ind.text.get(lg)}", markup=False)


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of names in the text output.")] = Lang.fr,
) -> None:
    """Counts by kind, theme, country, success factor, dimension, target group and sector, and the holes."""
    fw = _framework()
    records = _records()
    from kb.records import countries
    from kb.records.stats import compute, known_gaps

    data = compute(records, fw)
    if as_json:
        _print_json(data)
        return
    lg = lang.value
    out.print(f"{data['practices']} practices from {data['countries']} countries, {data['references']} references"
              if lg == "en" else
              f"{data['practices']} pratiques de {data['countries']} pays, {data['references']} références")
    _table("Theme" if lg == "en" else "Thématique",
           [(f"{n}. {fw.theme_by_number[int(n)].title.get(lg)}", c) for n, c in data["by_theme"].items()])
    _table("Country" if lg == "en" else "Pays",
           [(f"{code} {countries.name(code, lg)}", c) for code, c in data["by_country"].items()])
    _table("Dimension", [(fw.dimensions[d].name.get(lg), c) for d, c in data["by_dimension"].items()])
    _table("Success factor" if lg == "en" else "Facteur de réussite",
           [(f"{sf} (T{fw.success_factors[sf][0]})", c) for sf, c in data["by_success_factor"].items()])
    for key, facet, title in (("by_target_group", "target_groups", ("Target group", "Public cible")),
                              ("by_sector", "sectors", ("Sector", "Secteur"))):
        names = fw.facet(facet)
        _table(title[0] if lg == "en" else title[1], [(names[k].name.get(lg), c) for k, c in data[key].items()])
    gaps = known_gaps()
    out.print("\n[bold]" + ("Not answered by any record" if lg == "en" else "Sans aucune réponse dans la base") + "[/bold]")
    for key, label in (("uncovered_success_factors", "success factors"), ("uncovered_checklist_items", "checklist items")):
        ids = data[key]
        out.print(f"  {label}: {', '.join(ids) if ids else '-'}", markup=False)
        for i in ids:
            why = gaps[key.replace("uncovered_", "")].get(i)
            if why:
                out.print(f"    {i}: {why}", markup=False)


def _table(title: str, rows: list[tuple[str, int]]) -> None:
    from rich.table import Table

    table = Table(title=None, show_edge=False, pad_edge=False, box=None)
    table.add_column(title, style="bold")
    table.add_column("n", justify="right")
    for name, n in rows:
        table.add_row(name, str(n))
    out.print()
    out.print(table)


def schema(
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the committed schema is stale; write nothing.")] = False,
) -> None:
    """Write the record JSON Schema to schema/record.schema.json (or check it is up to date)."""
    _framework()
    from kb.records.models import json_schema
    from kb.paths import SCHEMA_PATH

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    if check:
        if current != text:
            err.print(f"{SCHEMA_PATH.name} is stale: run `kb schema` and commit the result.")
            raise typer.Exit(1)
        out.print(f"{SCHEMA_PATH.name} is up to date.")
        return
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    out.print(f"Wrote {SCHEMA_PATH}")


def _pick(label: str, choices: list[tuple[str, str]], *, many: bool = True, required: bool = True) -> list[str]:
    """Ask for one or several of ``choices`` (id, text) by number or id."""
    out.print(f"\n[bold]{label}[/bold]")
    for n, (ident, text) in enumerate(choices, start=1):
        out.print(f"  {n:2}. {ident}  {text}", markup=False)
    ids = [c[0] for c in choices]
    while True:
        raw = typer.prompt("Numbers or ids, separated by commas" if many else "Number or id", default="" if not required else None,
                           show_default=False)
        picked = []
        for part in [p.strip() for p in raw.split(",") if p.strip()]:
            if part.isdigit() and 1 <= int(part) <= len(ids):
                picked.append(ids[int(part) - 1])
            elif part in ids:
                picked.append(part)
            else:
                err.print(f"  {part!r} is not in the list", markup=False)
                picked = None
                break
        if picked is not None and (picked or not required) and (many or len(picked) <= 1):
            return list(dict.fromkeys(picked))


def new(
    title_fr: Annotated[Optional[str], typer.Option(help="Title in French.")] = None,
    title_en: Annotated[Optional[str], typer.Option(help="Title in English.")] = None,
    summary_fr: Annotated[Optional[str], typer.Option(help="Summary in French, 2-4 sentences of your own.")] = None,
    summary_en: Annotated[Optional[str], typer.Option(help="Summary in English.")] = None,
    country: Annotated[Optional[str], typer.Option(help="Country: code or name, typos tolerated.")] = None,
    place: Annotated[Optional[str], typer.Option(help="City or region.")] = None,
    organisation: Annotated[Optional[list[str]], typer.Option(help="Organisation running it (repeat).")] = None,
    actor_type: Annotated[Optional[list[str]], typer.Option(help="Actor type id or name (repeat).")] = None,
    year_started: Annotated[Optional[int], typer.Option(min=1900, max=2100, help="Year it began.")] = None,
    theme: Annotated[Optional[list[str]], typer.Option(help="Theme 1-6; the first is the main one (repeat).")] = None,
    success_factor: Annotated[Optional[list[str]], typer.Option(help="Success factor id or name (repeat).")] = None,
    checklist_item: Annotated[Optional[list[str]], typer.Option(help="Checklist item it helps answer, e.g. T2-03 (repeat).")] = None,
    indicator: Annotated[Optional[list[str]], typer.Option(help='"IP-04=ligne en français | line in English" (repeat).')] = None,
    target_group: Annotated[Optional[list[str]], typer.Option(help="Target group id or name (repeat).")] = None,
    sector: Annotated[Optional[list[str]], typer.Option(help="Sector id or name (repeat).")] = None,
    link: Annotated[Optional[list[str]], typer.Option(help="Web address (repeat).")] = None,
    record_id: Annotated[Optional[str], typer.Option("--id", help="Record id (default: from country, place and title).")] = None,
    directory: Annotated[Optional[Path], typer.Option("--dir", help="Folder to write to (default: practices/).")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail when something is missing.")] = False,
    interactive_flag: Annotated[bool, typer.Option("--interactive", "-i", help="Ask for what is missing even when "
                                                   "input is not a terminal.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Scaffold a practice record: asks what is missing (or takes flags), writes practices/<id>.yaml, validates it."""
    fw = _framework()
    from kb.records import countries
    from kb.records.scaffold import ScaffoldError, build, write
    from kb.records.validate import check_paths

    interactive = not no_input and (interactive_flag or sys.stdin.isatty())
    given = {"--title-fr": title_fr, "--title-en": title_en, "--summary-fr": summary_fr, "--summary-en": summary_en,
             "--country": country}
    if interactive:
        title_fr = title_fr or typer.prompt("Titre (français)")
        title_en = title_en or typer.prompt("Title (English)")
        summary_fr = summary_fr or typer.prompt("Résumé, 2-4 phrases (français)")
        summary_en = summary_en or typer.prompt("Summary, 2-4 sentences (English)")
        while not country:
            answer = typer.prompt("Country / pays (name or code)")
            resolved = countries.resolve(answer)
            if resolved and typer.confirm(f"{resolved} ({countries.name(resolved, 'en')})?", default=True):
                country = resolved
        place = place or typer.prompt("City or region (empty if none)", default="", show_default=False) or None
        if not organisation:
            organisation = [o.strip() for o in typer.prompt("Organisations (comma-separated)", default="",
                                                            show_default=False).split(",") if o.strip()]
        actor_type = actor_type or _pick("Actor types", [(a.id, a.name.en) for a in fw.facets.actor_types])
        theme = theme or _pick("Themes (the first is the main one)", [(str(t.number), t.title.en) for t in fw.themes])
        chosen = {int(t) for t in theme if str(t).isdigit()}
        success_factor = success_factor or _pick(
            "Success factors", [(sf.id, f"(T{t.number}) {sf.name.en}") for t in fw.themes if t.number in chosen
                                for sf in t.success_factors])
        checklist_item = checklist_item or _pick(
            "Checklist items it helps answer", [(i.id, i.text.en[:100]) for t in fw.themes if t.number in chosen
                                                for i in t.checklist])
        if not indicator:
            indicator = []
            ids = _pick("Evaluation-grid indicators it exemplifies", [(i, ind.text.en[:100]) for i, (_, ind) in fw.indicators.items()])
            for ident in ids:
                fr = typer.prompt(f"{ident}: evidence, one line (français)")
                en = typer.prompt(f"{ident}: evidence, one line (English)")
                indicator.append(f"{ident}={fr} | {en}")
        target_group = target_group or _pick("Target groups", [(g.id, g.name.en) for g in fw.facets.target_groups])
        sector = sector or _pick("Sectors", [(s.id, s.name.en) for s in fw.facets.sectors])
        if not link:
            link = [u.strip() for u in typer.prompt("Links (comma-separated, empty if none)", default="",
                                                    show_default=False).split(",") if u.strip()]
    else:
        missing = [flag for flag, value in given.items() if not value]
        missing += [flag for flag, value in (("--actor-type", actor_type), ("--theme", theme),
                                             ("--success-factor", success_factor), ("--checklist-item", checklist_item),
                                             ("--indicator", indicator), ("--target-group", target_group),
                                             ("--sector", sector)) if not value]
        if missing:
            err.print(f"error: missing {', '.join(missing)} (or run `kb new` on a terminal to be asked)", markup=False)
            raise typer.Exit(2)
    try:
        record = build(title_fr=title_fr, title_en=title_en, summary_fr=summary_fr, summary_en=summary_en,
                       country=country, place=place, organisations=organisation or [], actor_types=actor_type or [],
                       year_started=year_started, themes=theme or [], success_factors=success_factor or [],
                       checklist_items=checklist_item or [], indicators=indicator or [], target_groups=target_group or [],
                       sectors=sector or [], links=link or [], record_id=record_id)
        path = write(record, directory or practices_dir(), force=force)
    except ScaffoldError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2)
    report = check_paths([path], collection=directory or practices_dir())
    out.print(f"Wrote {path}", markup=False)
    if report.problems:
        sys.stdout.write(report.render() + "\n")
    if not report.ok:
        raise typer.Exit(1)
    out.print("Next: read it over, then `kb validate` and open a pull request (see CONTRIBUTING.md).", markup=False)


def links(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: practices/).")] = None,
    online: Annotated[bool, typer.Option("--online", help="Fetch each address (timeout, one retry).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any link is malformed, dead or moved.")] = False,
    allowlist: Annotated[Optional[Path], typer.Option(help="Known false alarms (default: links-allowlist.txt).")] = None,
    timeout: Annotated[float, typer.Option(min=1, max=120, help="Seconds per request.")] = 10.0,
) -> None:
    """Check every web address in the records: form offline; dead or moved links with --online."""
    _framework()
    from kb.records.links import ALLOWLIST, check, read_allowlist

    found, files = check(paths or [practices_dir()], online=online, allowlist=read_allowlist(allowlist or ALLOWLIST),
                         timeout=timeout)
    counts: dict[str, int] = {}
    for link in found:
        counts[link.status] = counts.get(link.status, 0) + 1
        if link.status in ("malformed", "dead", "moved"):
            out.print(f"{link.status.upper():9} {link.url}  ({link.detail})  in {', '.join(link.where)}", markup=False)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    out.print(f"{len(found)} distinct links in {files} files{' checked online' if online else ' (form only; --online to fetch)'}: "
              f"{summary or 'none'}.", markup=False)
    bad = sum(counts.get(s, 0) for s in ("malformed", "dead", "moved"))
    raise typer.Exit(1 if strict and bad else 0)
