"""The ``kb`` command line: a thin layer over the library.

Only Typer is imported with this module: each command imports what it uses (the framework and pydantic,
the index, Rich, the web stack, WeasyPrint...), so that ``kb --help`` and ``kb search`` start quickly.
tests/test_cli_imports.py checks it.
"""

from __future__ import annotations

import typer

from kb.cli import assess, records, search, web

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Good-practice knowledge base for local refugee integration (UNHCR / MPG integration toolkit).",
)

# the commands, in the order `kb --help` lists them
app.command()(records.validate)
app.command()(records.themes)
app.command()(records.stats)
app.command()(records.schema)
app.command()(search.index)
app.command()(search.search)
app.command()(search.similar)
app.command()(assess.checklist)
app.command()(assess.gaps)
app.command()(assess.plan)
app.command()(assess.grid)
app.command()(records.new)
app.command()(records.links)
app.command()(web.serve)
app.command()(web.book)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
