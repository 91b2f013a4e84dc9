"""Commands on the index: `kb index`, `kb search`, `kb similar`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kb.cli.common import IndexDirOption, Lang, err, _framework, _open_index, out, _print_json



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
