"""Packaging: exactly one Whoosh distribution, and every CLI command documented in the README."""

from importlib.metadata import packages_distributions
from pathlib import Path

from kb.cli import app
from kb.paths import ROOT


def test_whoosh_comes_from_whoosh_reloaded_only():
    assert packages_distributions()["whoosh"] == ["Whoosh-Reloaded"]


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert commands
    missing = [c for c in commands if f"kb {c}" not in readme]
    assert missing == []


def test_every_framework_file_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "framework").rglob("*.yaml")]
    files = [f for f in files if not f.startswith("framework/themes/")] + ["framework/themes/"]
    assert [f for f in files if f not in readme] == []


def test_index_folder_is_ignored_but_for_its_readme():
    ignore = (ROOT / ".gitignore").read_text()
    assert "/index/*" in ignore and "!/index/README.md" in ignore
    assert Path(ROOT / "index" / "README.md").exists()


def test_every_data_file_in_the_package_is_declared_package_data():
    import fnmatch
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    data = [p for p in (ROOT / "kb").rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    undeclared = []
    for path in data:
        package = path.parent
        while not (package / "__init__.py").exists():
            package = package.parent
        name = ".".join(package.relative_to(ROOT).parts)
        inside = path.relative_to(package).as_posix()
        if not any(fnmatch.fnmatch(inside, pattern) for pattern in declared.get(name, [])):
            undeclared.append(path.relative_to(ROOT).as_posix())
    assert data and undeclared == []


def test_every_dependency_is_pinned_within_what_pyproject_allows():
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    unpinned = [str(r) for r in wanted if canonicalize_name(r.name) not in pins]
    outside = [f"{r} (pinned {pins[canonicalize_name(r.name)]})" for r in wanted
               if canonicalize_name(r.name) in pins and pins[canonicalize_name(r.name)] not in r.specifier]
    assert unpinned == [] and outside == []
