"""The ``kb`` command line: a thin layer over the library.

Only Typer is imported with this module: each command imports what it uses (the framework and pydantic,
the index, Rich, the web stack, WeasyPrint...), so that ``kb --help`` and ``kb search`` start quickly.
tests/test_cli_imports.py checks it.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kb.paths import practices_dir

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Good-practice knowledge base for local refugee integration (UNHCR / MPG integration toolkit).",
)


class _LazyConsole:
    """A Rich console made on first use, so that Rich is imported only by the commands that print with it."""

    def __init__(self, **options) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


out = _LazyConsole(highlight=False, soft_wrap=True)
err = _LazyConsole(stderr=True, highlight=False, soft_wrap=True)


class Lang(str, Enum):
    fr = "fr"
    en = "en"


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _framework():
    from kb.records.framework import FrameworkError, get_framework

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


@app.command()
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


@app.command()
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


def _records():
    from kb.records.validate import RecordsError, load_records

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


IndexDirOption = Annotated[
    Optional[Path], typer.Option("--index-dir", help="Index folder (default: $KB_INDEX_DIR or index/).")
]


def _open_index(index_dir: Path | None):
    """The search index, rebuilt first when the records changed; a failed rebuild keeps the old one."""
    from kb.search.engine import SearchIndex

    _ensure_index(index_dir)
    return SearchIndex(index_dir)


def _ensure_index(index_dir: Path | None) -> None:
    """Rebuild the index when the records changed; a failed rebuild keeps the old one (and says so)."""
    from kb.search.indexer import ensure

    try:
        _, failure = ensure(directory=index_dir)
    except Exception as exc:
        from kb.records.validate import RecordsError  # the records are validated only when the index is rebuilt

        if not isinstance(exc, RecordsError):
            raise
        err.print(exc.report.render(), markup=False)
        err.print("No index could be built: fix the records above.")
        raise typer.Exit(1)
    if failure is not None:
        err.print(failure.report.render(), markup=False)
        err.print("The records changed but do not validate: searching the previous index.", markup=False)


@app.command()
def index(
    index_dir: IndexDirOption = None,
    force: Annotated[bool, typer.Option("--force", help="Build even when the index is up to date.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Rebuild everything instead of updating the current index "
                                                      "with the changed records.")] = False,
) -> None:
    """Build the search index from the records (into a new folder, swapped in when complete): the
    current index updated with the added, changed and removed records, or everything rebuilt when the
    framework, the analysis or the index schema changed (or with --full)."""
    import time

    _framework()
    from kb.search.indexer import build, current, is_fresh
    from kb.records.validate import RecordsError

    if not force and not full and is_fresh(directory=index_dir):
        gen = current(index_dir)
        out.print(f"Index is up to date: {gen.meta['records']} records in {gen.path}", markup=False)
        return
    start = time.perf_counter()
    try:
        if out.is_terminal:
            from rich.progress import Progress

            with Progress(transient=True, console=out) as bar:
                task = bar.add_task("Indexing", total=None)
                gen = build(directory=index_dir, full=full,
                            progress=lambda n, total: bar.update(task, completed=n, total=total))
        else:
            gen = build(directory=index_dir, full=full)
    except RecordsError as exc:
        err.print(exc.report.render(), markup=False)
        err.print("Index not built; the previous index (if any) is unchanged.")
        raise typer.Exit(1)
    meta = gen.meta
    if meta.get("built") == "incremental":
        how = f"incremental: {meta['added']} added, {meta['changed']} changed, {meta['removed']} removed"
    else:
        how = f"full rebuild: {meta.get('reason', 'asked for')}"
    out.print(f"Indexed {meta['practices']} practices and {meta['references']} references into {gen.path} "
              f"({how}) in {time.perf_counter() - start:.1f} s", markup=False)


def _facet_option(help_text: str):
    return typer.Option(help=help_text, show_default=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, or "a phrase" in quotes; empty lists everything.')] = "",
    theme: Annotated[Optional[list[str]], _facet_option("Theme: 1-6 or its title.")] = None,
    country: Annotated[Optional[list[str]], _facet_option("Country: code or name, French or English (FI, Finlande, finland).")] = None,
    success_factor: Annotated[Optional[list[str]], _facet_option("Success factor id or name.")] = None,
    dimension: Annotated[Optional[list[str]], _facet_option("Evaluation dimension id or name.")] = None,
    target_group: Annotated[Optional[list[str]], _facet_option("Target group id or name.")] = None,
    sector: Annotated[Optional[list[str]], _facet_option("Sector id or name (housing, logement, ...).")] = None,
    actor_type: Annotated[Optional[list[str]], _facet_option("Actor type id or name.")] = None,
    kind: Annotated[Optional[list[str]], _facet_option("practice or reference.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Results per page.")] = 10,
    page: Annotated[int, typer.Option(min=1, help="Page number.")] = 1,
    sort: Annotated[str, typer.Option(help="relevance or date.")] = "relevance",
    lang: Annotated[Lang, typer.Option("--lang", help="Language of titles and snippets.")] = Lang.fr,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    index_dir: IndexDirOption = None,
) -> None:
    """Search practices and references, with filters (repeat an option to allow several values)."""
    _framework()
    from kb.search.filters import FilterError, Filters

    if sort not in ("relevance", "date"):
        err.print(f"error: --sort: {sort!r} is not a sort order; expected relevance or date", markup=False)
        raise typer.Exit(2)
    raw = {"theme": theme, "country": country, "success_factor": success_factor, "dimension": dimension,
           "target_group": target_group, "sector": sector, "actor_type": actor_type, "kind": kind}
    try:
        filters = Filters.parse({k: v for k, v in raw.items() if v})
    except FilterError as exc:
        err.print(f"error: --{exc.facet.replace('_', '-')}: {str(exc).split(': ', 1)[1]}", markup=False)
        raise typer.Exit(2)
    ix = _open_index(index_dir)
    result = ix.search(query, filters, page=page, limit=limit, sort=sort, lang=lang.value)
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    _print_results(result, lang.value)


def _plain(snippet: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?mark>", "", snippet))


def _rich_snippet(snippet: str) -> str:
    """<mark>…</mark> snippet (HTML-escaped) -> Rich markup, highlighted."""
    import html
    import re

    from rich.markup import escape as rich_escape

    parts = re.split(r"(<mark>.*?</mark>)", snippet)
    return "".join(
        f"[bold yellow]{rich_escape(_plain(p))}[/bold yellow]" if p.startswith("<mark>") else rich_escape(html.unescape(p))
        for p in parts
    )


def _print_results(result, lang: str) -> None:
    from rich.markup import escape as rich_escape
    from rich.table import Table

    en = lang == "en"
    if result.corrected:
        out.print(("No results for" if en else "Aucun résultat pour") + f" “{result.query}”; "
                  + ("showing results for" if en else "résultats pour") + f" “{result.suggestion}”.", markup=False)
    elif result.suggestion:
        out.print(("Did you mean" if en else "Vouliez-vous dire") + f" “{result.suggestion}” ?", markup=False)
    if result.mode == "partial":
        from kb.web.i18n import translator

        key = "partial_none" if not result.full_matches else "partial_one" if result.full_matches == 1 else "partial_many"
        out.print(translator(lang)(key, full=result.full_matches), markup=False)
    shown = f"{(result.page - 1) * result.limit + 1}-{(result.page - 1) * result.limit + len(result.results)}"
    out.print(f"{result.total} " + ("results" if en else "résultats") + (f" ({shown}, page {result.page}/{result.pages})" if result.total else ""),
              markup=False)
    if not result.results:
        out.print("Try fewer words, another language, or remove a filter." if en
                  else "Essayez moins de mots, l'autre langue, ou retirez un filtre.", markup=False)
        alt = result.alternatives
        if alt and alt.terms:
            out.print(("Nearby terms that find records: " if en else "Termes proches qui donnent des résultats : ")
                      + ", ".join(alt.terms), markup=False)
        for link in alt.links if alt else []:
            where = (f"kb search --theme {link.theme}" if link.kind == "theme"
                     else f"kb search --success-factor {link.id}")
            label = (f"Theme {link.theme}" if en else f"Thématique {link.theme}") if link.kind == "theme" else link.id
            out.print(f"  {label}: {link.name[lang]}  ({where})", markup=False)
        out.print(("Browse everything: kb search" if en else "Tout parcourir : kb search")
                  + " --limit 100", markup=False)
        return
    table = Table(show_lines=True, box=None, pad_edge=False)
    for col in ("id", "title" if en else "titre", "country" if en else "pays", "themes" if en else "thèmes", "extract" if en else "extrait"):
        table.add_column(col, overflow="fold")
    for hit in result.results:
        extract = _rich_snippet(hit.snippet)
        if hit.missing:
            extract += "\n[dim]" + ("missing: " if en else "mots absents : ") + rich_escape(", ".join(hit.missing)) + "[/dim]"
        table.add_row(hit.id, hit.title.get(lang) or hit.title.get("fr", ""), hit.country or "-",
                      ",".join(map(str, hit.themes)) or "-", extract)
    out.print(table)
    for facet in ("theme", "country", "sector"):
        counts = result.facets.get(facet) or {}
        if counts:
            top = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:8])
            out.print(f"{facet}: {top}", markup=False)


@app.command()
def similar(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Id of a practice or reference.")],
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many records.")] = 5,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of titles.")] = Lang.fr,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    index_dir: IndexDirOption = None,
) -> None:
    """Records most like ID ("more like this")."""
    _framework()
    ix = _open_index(index_dir)
    try:
        hits = ix.similar(record_id, limit=limit, lang=lang.value)
    except KeyError:
        from rapidfuzz import process

        close = process.extractOne(record_id, ix.ids())
        hint = f"; did you mean {close[0]}?" if close and close[1] >= 60 else ""
        err.print(f"error: ID: no record has the id {record_id!r}{hint}", markup=False)
        raise typer.Exit(2)
    if as_json:
        _print_json({"id": record_id, "results": [h.model_dump(mode="json") for h in hits]})
        return
    for hit in hits:
        out.print(f"{hit.id}  {hit.title.get(lang.value)}  ({hit.country or '-'}; {hit.score})", markup=False)


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


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker processes over the same read-only index.")] = 1,
) -> None:
    """Start the web app (and its JSON API); GET /healthz answers once it is ready."""
    _framework()
    _ensure_index(None)  # builds the index once, before any worker starts
    from kb.web.server import run

    run(host, port, workers)


class BookFormat(str, Enum):
    html = "html"
    pdf = "pdf"


@app.command()
def book(
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the book.")] = Lang.fr,
    fmt: Annotated[BookFormat, typer.Option("--format", help="pdf (A4, through WeasyPrint) or html (one file).")] = BookFormat.pdf,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="File to write (default: book-LANG.FORMAT).")] = None,
) -> None:
    """Build the whole knowledge base as one printable book: themes, checklists, grid, glossary, index, every practice."""
    _framework()
    from kb.web.book import BookError, build

    records = _records()
    target = output or Path(f"book-{lang.value}.{fmt.value}")
    try:
        built = build(records, lang.value, fmt.value, target)
    except BookError as exc:
        err.print(f"The book was not built: {exc}", markup=False)
        raise typer.Exit(1)
    pages = f"{built.pages} pages, " if built.pages else ""
    out.print(f"Wrote {target}: {pages}{built.book.practices} practices from {built.book.countries} countries, "
              f"{built.book.references} references, in {built.seconds:.1f} s", markup=False)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
