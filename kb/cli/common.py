"""What the command groups share: the consoles, the language and format options, the framework check, the
records and the index (rebuilt first when the records changed)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from rich.console import Console


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


def _records():
    from kb.records.validate import RecordsError, load_records

    try:
        return load_records()
    except RecordsError as exc:
        err.print(exc.report.render(), markup=False)
        raise typer.Exit(1)


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
