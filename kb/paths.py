"""Where the project's folders are, located from this file, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK_DIR = ROOT / "framework"
PRACTICES_DIR = ROOT / "practices"
WEB_DIR = ROOT / "web"
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
SCHEMA_PATH = ROOT / "schema" / "record.schema.json"
RECORD_TEMPLATES_DIR = ROOT / "templates"
# answers files of imagined organisations, shipped inside the package (package data): /start opens them
EXAMPLE_ANSWERS_DIR = Path(__file__).resolve().parent / "assess" / "example-answers"


def index_dir() -> Path:
    """The index folder: $KB_INDEX_DIR when set, else ``index/`` at the project root."""
    env = os.environ.get("KB_INDEX_DIR")
    return Path(env) if env else ROOT / "index"


def practices_dir() -> Path:
    """The records folder: $KB_PRACTICES_DIR when set, else ``practices/``."""
    env = os.environ.get("KB_PRACTICES_DIR")
    return Path(env) if env else PRACTICES_DIR
