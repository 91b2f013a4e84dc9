"""Commands of the web side: `kb serve`, `kb book`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kb.cli.common import Lang, _ensure_index, err, _framework, out, _records



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
