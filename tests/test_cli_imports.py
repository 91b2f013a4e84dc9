"""What a `kb` process imports: the web stack, WeasyPrint and feedgen only for the commands that use them.

Each check runs a fresh interpreter (this test session has long since imported everything) and lists
the top-level packages in sys.modules: a count of what is imported, not a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# Packages only the web app, the book and the feed need; a `kb search` must not pay for them.
WEB_ONLY = {"fastapi", "starlette", "uvicorn", "anyio", "python_multipart", "multipart", "httpx",
            "jinja2", "weasyprint", "feedgen", "pydyf", "tinycss2", "cssselect2", "fontTools"}
# What the commands import when they run: `import kb.cli` (and so `kb --help`) needs none of it.
COMMAND_ONLY = {"pydantic", "pydantic_core", "yaml", "babel", "rapidfuzz", "numpy", "whoosh", "markupsafe", "rich"}


def _run(code: str, tmp_path, *args: str) -> tuple[set[str], subprocess.CompletedProcess]:
    """Run ``code`` in a new interpreter; the packages and modules it imported, and the process."""
    listing = tmp_path / "modules.json"
    script = textwrap.dedent(code) + textwrap.dedent("""
        import json
        with open(LISTING, "w") as fh:
            json.dump(sorted({m.split(".")[0] for m in sys.modules} | set(sys.modules)), fh)
    """)
    script = f"import sys\nLISTING = {str(listing)!r}\n" + script
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120)
    assert listing.exists(), done.stderr
    return set(json.loads(listing.read_text())), done


def test_importing_the_cli_imports_typer_and_nothing_heavy(tmp_path):
    modules, _ = _run("import kb.cli", tmp_path)
    assert "kb.cli" in modules and "typer" in modules
    assert not modules & WEB_ONLY, f"import kb.cli pulls in the web stack: {sorted(modules & WEB_ONLY)}"
    assert not modules & COMMAND_ONLY, (f"import kb.cli imports at module level what only commands need: "
                                        f"{sorted(modules & COMMAND_ONLY)}; import it inside the command")


def test_kb_help_imports_no_web_stack(tmp_path):
    modules, done = _run("""
        sys.argv = ["kb", "--help"]
        from kb.cli import app
        try:
            app()
        except SystemExit:
            pass
    """, tmp_path)
    assert "search" in done.stdout, done.stderr
    assert not modules & WEB_ONLY, sorted(modules & WEB_ONLY)
    assert not modules & {"pydantic", "numpy", "whoosh", "babel", "yaml"}, sorted(modules & COMMAND_ONLY)


def test_kb_search_imports_no_web_stack(tmp_path, practices_index):
    # two words that no record has together: the partial-match notice (interface strings of kb.web.i18n) is printed
    modules, done = _run("""
        sys.argv = ["kb", "search", "logement zzyzx", "--index-dir", sys.argv[1]]
        from kb.cli import app
        try:
            app()
        except SystemExit as exc:
            assert not exc.code, exc.code
    """, tmp_path, str(practices_index))
    assert done.returncode == 0, done.stderr
    assert {"kb.search.engine", "kb.web.i18n", "whoosh"} <= modules, "the search did not run its text output"
    assert not modules & WEB_ONLY, f"kb search pulls in the web stack: {sorted(modules & WEB_ONLY)}"
    # the index is up to date: the record models and the validator are for a build, not for a search
    assert not modules & {"kb.records.validate", "kb.records.models"}, sorted(modules & {"kb.records.validate", "kb.records.models"})
