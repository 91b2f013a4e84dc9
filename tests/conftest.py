"""Shared fixtures: paths to the fixture records, a CLI runner, and an index of the real records built
once per test session (tests only read it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def practices_index(tmp_path_factory) -> Path:
    """An index of practices/, built once for every test that only reads it."""
    from kb.search.indexer import build
    from kb.paths import PRACTICES_DIR

    directory = tmp_path_factory.mktemp("practices-index")
    build(PRACTICES_DIR, directory)
    return directory
