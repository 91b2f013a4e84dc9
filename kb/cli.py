"""The ``kb`` command line: a thin layer over the library."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from kb import countries
from kb.framework import FrameworkError, get_framework
from kb.paths import practices_dir

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Good-practice knowledge base for local refugee integration (UNHCR / MPG integration toolkit).",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Lang(str, Enum):
    fr = "fr"
    en = "en"


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _framework():
    try:
        return get_framework()
    except FrameworkError as exc:
        err.print("[red]The framework data is invalid:[/red]")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False)
        raise typer.Exit(2)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: practices/).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text, json, or github (annotations).")] = Format.text,
) -> None:
    """Check records against the schema and the framework; one line per problem, exit 1 if any error."""
    _framework()
    from kb.validate import check_paths

    report = check_paths(paths or [practices_dir()])
    sys.stdout.write(report.render(fmt.value) + "\n")
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def themes(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text output.")] = Lang.fr,
) -> None:
    """Print the guide's framework: themes, success factors, checklists, evaluation grid."""
    fw = _framework()
    if as_json:
        from kb.framework_json import framework_json

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


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of names in the text output.")] = Lang.fr,
) -> None:
    """Counts by kind, theme, country, success factor, dimension, target group and sector, and the holes."""
    fw = _framework()
    records = _records()
    from kb.stats import compute, known_gaps

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
    table = Table(title=None, show_edge=False, pad_edge=False, box=None)
    table.add_column(title, style="bold")
    table.add_column("n", justify="right")
    for name, n in rows:
        table.add_row(name, str(n))
    out.print()
    out.print(table)


def _records():
    from kb.validate import RecordsError, load_records

    try:
        return load_records()
    except RecordsError as exc:
        err.print(exc.report.render(), markup=False)
        raise typer.Exit(1)


@app.command()
def schema(
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the committed schema is stale; write nothing.")] = False,
) -> None:
    """Write the record JSON Schema to schema/record.schema.json (or check it is up to date)."""
    _framework()
    from kb.models import json_schema
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the web app (and its JSON API); GET /healthz answers once it is ready."""
    _framework()
    _records()
    import uvicorn

    uvicorn.run("kb.app:create_app", factory=True, host=host, port=port, log_level="info")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
