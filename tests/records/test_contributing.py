"""Contributing: `kb new` (flags and prompts), `kb validate --fix`, `kb links`, near-duplicate warnings."""

from __future__ import annotations

import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kb.cli import app
from kb.records.links import Link, check_online
from kb.paths import PRACTICES_DIR
from kb.records.validate import check_paths

from ..conftest import FIXTURES

FLAGS = ["--title-fr", "Cafés linguistiques à Tampere", "--title-en", "Language cafés in Tampere",
         "--summary-fr", "Depuis 2019, des bénévoles animent des cafés linguistiques chaque semaine.",
         "--summary-en", "Since 2019 volunteers have run weekly language cafés.",
         "--country", "finlnd", "--place", "Tampere", "--organisation", "Tampere Language Café",
         "--actor-type", "ONG", "--theme", "5", "--success-factor", "Soutien continu et personnalisé",
         "--checklist-item", "t5-02", "--indicator", "IP-07=Des bénévoles animent les cafés. | Volunteers run the cafés.",
         "--target-group", "migrants", "--sector", "langue", "--link", "https://example.org/cafes", "--no-input"]


def test_kb_new_by_flags_writes_a_valid_file(runner, tmp_path):
    result = runner.invoke(app, ["new", *FLAGS, "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "fi-tampere-language-cafes.yaml"
    assert path.exists() and f"Wrote {path}" in result.output
    report = check_paths([path], collection=PRACTICES_DIR)
    assert report.ok, report.render()
    record = report.records[0]
    assert (record.country, record.actor_types, record.sectors) == ("FI", ["civil-society-organisation"], ["language"])
    assert record.success_factors == ["continuous-personalised-support"] and record.source.document == "contribution"
    again = runner.invoke(app, ["new", *FLAGS, "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_kb_new_says_what_is_missing_and_rejects_unknown_terms(runner, tmp_path):
    missing = runner.invoke(app, ["new", "--title-fr", "x", "--no-input", "--dir", str(tmp_path)])
    assert missing.exit_code == 2 and "missing --title-en" in missing.output and "--indicator" in missing.output
    bad = list(FLAGS)
    bad[bad.index("langue")] = "cuisine moléculaire"
    result = runner.invoke(app, ["new", *bad, "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "--sector: 'cuisine moléculaire' matches no sector" in result.output


def test_kb_new_interactive_picks_from_lists(runner, tmp_path):
    answers = "\n".join([
        "Cafés linguistiques", "Language cafés", "Des bénévoles animent des cafés.", "Volunteers run cafés.",
        "Finlande", "y", "Tampere", "Tampere Language Café",
        "5",          # actor types: 5th in the list (civil-society-organisation)
        "5",          # themes: theme 5
        "1",          # success factors of theme 5: the first
        "2,3",        # checklist items of theme 5: T5-02, T5-03
        "IP-07",      # indicators, by id
        "Des bénévoles.", "Volunteers.",
        "1",          # target groups: refugees
        "language",   # sectors, by id
        "https://example.org/cafes",
    ]) + "\n"
    result = runner.invoke(app, ["new", "--interactive", "--dir", str(tmp_path)], input=answers)
    assert result.exit_code == 0, result.output
    report = check_paths([tmp_path / "fi-tampere-language-cafes.yaml"], collection=PRACTICES_DIR)
    assert report.ok, report.render()
    record = report.records[0]
    assert record.checklist_items == ["T5-02", "T5-03"] and record.actor_types == ["civil-society-organisation"]


def test_kb_new_warns_about_a_near_duplicate(runner, tmp_path):
    shutil.copy(PRACTICES_DIR / "fi-womento-mentoring.yaml", tmp_path)
    flags = list(FLAGS)
    flags[flags.index("Language cafés in Tampere")] = "Womento mentoring for migrant women who have studied, Finland"
    flags[flags.index("Cafés linguistiques à Tampere")] = "Womento, marrainage professionnel des migrantes ayant fait des études, Finlande"
    flags[flags.index("Tampere Language Café")] = "Womento"
    flags[flags.index("--place") + 1] = ""
    result = runner.invoke(app, ["new", *flags, "--dir", str(tmp_path), "--id", "fi-womento-again"])
    assert result.exit_code == 0, result.output
    assert "near-duplicate of" in result.output and "fi-womento-mentoring.yaml" in result.output


def test_validate_fix_repairs_a_broken_file(runner, tmp_path):
    shutil.copy(FIXTURES / "fixable" / "broken.yaml", tmp_path / "broken.yaml")
    before = check_paths([tmp_path], collection=tmp_path)
    assert {p.rule for p in before.errors} >= {"type", "duplicate-value", "vocabulary", "id-filename"}
    result = runner.invoke(app, ["validate", "--fix", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for change in ("country: 'Finlande' -> 'FI'", "organisations: made the single value a list",
                   "actor_types: removed repeated values", "key order", "renamed broken.yaml -> fi-sampleville-guidance.yaml"):
        assert change in result.output
    fixed = tmp_path / "fi-sampleville-guidance.yaml"
    assert fixed.exists() and not (tmp_path / "broken.yaml").exists()
    assert check_paths([fixed], collection=tmp_path).ok
    text = fixed.read_text()
    assert text.index("title:") < text.index("summary:") < text.index("country:") < text.index("source:")


def test_validate_fix_changes_nothing_in_the_real_records(tmp_path, runner):
    for path in PRACTICES_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = runner.invoke(app, ["validate", "--fix", str(tmp_path)])
    assert "0 files repaired." in result.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_links_offline_summary(runner):
    result = runner.invoke(app, ["links", str(PRACTICES_DIR)])
    assert result.exit_code == 0
    assert "distinct links in 105 files (form only; --online to fetch)" in result.output


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):  # noqa: N802 - http.server's naming
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/no-head":
            self.send_response(405)
        else:
            self.send_response(404)
        self.end_headers()

    def do_GET(self):  # noqa: N802
        if self.path == "/no-head":
            self.send_response(200)
            self.end_headers()
        else:
            self.do_HEAD()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_links_online_reports_dead_and_moved(http_server):
    results = {path: check_online(Link(http_server + path), timeout=5).status
               for path in ("/ok", "/moved", "/gone", "/no-head")}
    assert results == {"/ok": "ok", "/moved": "moved", "/gone": "dead", "/no-head": "ok"}
    unreachable = check_online(Link("http://127.0.0.1:9/nothing"), timeout=2)
    assert unreachable.status == "dead"


def test_links_allowlist_and_strict(runner, tmp_path, http_server):
    record = (FIXTURES / "good" / "fi-sample-city-guidance.yaml").read_text()
    (tmp_path / "fi-sample-city-guidance.yaml").write_text(record.replace("https://example.org/sampleville", http_server + "/gone"))
    shutil.copy(FIXTURES / "good" / "ref-sample-guidance-report.yaml", tmp_path)
    strict = runner.invoke(app, ["links", str(tmp_path), "--online", "--strict", "--timeout", "5",
                                 "--allowlist", str(tmp_path / "none.txt")])
    assert strict.exit_code == 1 and "DEAD" in strict.output and "/gone" in strict.output
    allow = tmp_path / "allow.txt"
    allow.write_text(f"# known false alarm\n{http_server}/gone\nhttps://example.org/\n")
    allowed = runner.invoke(app, ["links", str(tmp_path), "--online", "--strict", "--allowlist", str(allow)])
    assert allowed.exit_code == 0 and "2 allowlisted" in allowed.output
