"""The package's layout: imports go down the data flow only, and the docs name paths that exist.

records (0) <- search (1) <- assess (2) <- web (3) <- cli (4); ``kb.paths`` and ``kb/__init__.py`` are
the base any module may import. Every import is read from the source with ``ast``, those inside
functions included, so that a lazy import cannot hide an upward one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kb.paths import ROOT

KB = ROOT / "kb"
LAYERS = {"records": 0, "search": 1, "assess": 2, "web": 3, "cli": 4}
BASE = {"kb", "kb.paths"}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int | None:
    """The layer of a module of kb (None for the base and for anything outside kb)."""
    parts = module.split(".")
    if parts[0] != "kb" or module in BASE:
        return None
    if len(parts) < 2 or parts[1] not in LAYERS:
        raise AssertionError(f"{module} belongs to no layer: put it in one of {', '.join(LAYERS)} (or kb.paths)")
    return LAYERS[parts[1]]


def _is_module(dotted: str, root: Path) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved; ``from kb import x`` gives kb.x."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            found.append((node.lineno, module))
            # `from kb import countries` or `from kb.search import engine` import a submodule
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names
                      if _is_module(f"{module}.{alias.name}", root)]
    return found


def _upward(root: Path = ROOT) -> list[str]:
    """file:line and module of every import of a higher layer than the importing module's."""
    found = []
    for path in sorted((root / "kb").rglob("*.py")):
        own = _layer(_module_name(path, root))
        for line, module in _imports(path, root):
            target = _layer(module) if module.split(".")[0] == "kb" else None
            if target is not None and (own is None or target > own):
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def test_every_module_is_in_a_layer():
    for path in sorted(KB.rglob("*.py")):
        _layer(_module_name(path))


def test_no_module_imports_a_higher_layer():
    upward = _upward()
    assert upward == [], "imports against the data flow (records <- search <- assess <- web <- cli):\n" + "\n".join(upward)


def test_the_check_finds_an_upward_import_even_inside_a_function(tmp_path):
    for package, source in {"records": "def late():\n    from kb.search import engine\n",
                            "search": "from ..assess.plan import make_plan\n",
                            "assess": "import kb.web.app\n"}.items():
        (tmp_path / "kb" / package).mkdir(parents=True)
        (tmp_path / "kb" / package / "__init__.py").write_text("")
        (tmp_path / "kb" / package / "bad.py").write_text(source)
    for package in ("web", "assess"):
        (tmp_path / "kb" / package).mkdir(exist_ok=True)
    (tmp_path / "kb" / "search" / "engine.py").write_text("")
    assert _upward(tmp_path) == ["kb/assess/bad.py:1 imports kb.web.app",
                                 "kb/records/bad.py:2 imports kb.search",
                                 "kb/records/bad.py:2 imports kb.search.engine",
                                 "kb/search/bad.py:1 imports kb.assess.plan"]


def test_each_subpackage_states_what_it_may_import():
    for name in ("records", "search", "assess", "web"):
        init = KB / name / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "Imports:" in doc, f"{init.relative_to(ROOT)} does not say what it may import"


# `kb/search/engine.py`, `kb/web/`, `kb.search.filters.Filters`, `kb/assess/example-answers/`
_PATH = re.compile(r"(?<![\w./-])(kb/[\w./-]*)")
_MODULE = re.compile(r"(?<![\w./-])(kb(?:\.\w+)+)")


def _docs() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _module_exists(dotted: str) -> bool:
    """Whether ``dotted`` is a module or package of kb, or an attribute of one."""
    parts = dotted.split(".")
    for n in range(len(parts), 1, -1):
        path = ROOT.joinpath(*parts[:n])
        if path.with_suffix(".py").exists() or (path / "__init__.py").exists():
            return True
    return False


@pytest.mark.parametrize("doc", _docs(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_name_only_paths_that_exist(doc):
    text = doc.read_text(encoding="utf-8")
    stale = [p for p in _PATH.findall(text) if not (ROOT / p.rstrip("/")).exists()]
    stale += [m for m in _MODULE.findall(text) if not _module_exists(m.rstrip("."))]
    assert stale == [], f"{doc.relative_to(ROOT)} names paths or modules that do not exist: {sorted(set(stale))}"


def test_the_readme_folder_table_lists_each_module_in_its_folder():
    rows = re.findall(r"^\| `(kb/[\w/]*)` \| (.*) \|$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    assert {folder for folder, _ in rows} >= {f"kb/{name}/" for name in LAYERS}
    listed = set()
    for folder, contents in rows:
        names = re.findall(r"`([\w]+\.py)`", contents)
        assert [n for n in names if not (ROOT / folder / n).exists()] == [], f"{folder} has no such module"
        listed |= {f"{folder}{n}" for n in names}
    modules = {p.relative_to(ROOT).as_posix() for p in KB.rglob("*.py") if p.name != "__main__.py"
               and not (p.name == "__init__.py" and p.parent != KB / "cli")}
    assert sorted(modules - listed) == [], "modules missing from the README's folder table"
