"""Self-assessment over time and as a team: progress between two answers files, a team's answers
side by side, and the action plan, on hand-built files whose right answers are known; in the
library, the command line (`kb gaps --since`, `--team`, `kb plan`), the API and the pages."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml

from kb.assess.answers import parse_answers
from kb.records.framework import get_framework
from kb.paths import PRACTICES_DIR
from kb.assess.plan import PlanError, make_plan, parse_items, plan_csv, plan_markdown
from kb.assess.progress import progress
from kb.assess.recommend import Recommender
from kb.search.engine import SearchIndex
from kb.assess.summary import markdown
from kb.assess.team import MAX_RESPONDENTS, TeamError, read_team, team_markdown, team_report
from kb.records.validate import load_records

fw = get_framework()
ALL_ITEMS = list(fw.checklist_items)


@pytest.fixture(scope="module")
def index_dir(practices_index):
    return practices_index


@pytest.fixture(scope="module")
def recommender(index_dir):
    return Recommender(load_records(), SearchIndex(index_dir))


def answers_file(ticked, **extra) -> bytes:
    return yaml.safe_dump({"ticked": list(ticked), **extra}, allow_unicode=True).encode()


def test_answers_files_may_carry_a_date_and_a_respondent():
    answers = parse_answers("ticked: [T1-01]\ndate: 2026-03-15\nrespondent: refugee advisory group\n")
    assert str(answers.date) == "2026-03-15" and answers.respondent == "refugee advisory group"
    assert parse_answers("ticked: [T1-01]\n").date is None
    with pytest.raises(ValueError, match="'15/03/2026' is not a date; expected an ISO date such as 2026-03-15"):
        parse_answers("date: 15/03/2026\n")


# -- progress ---------------------------------------------------------------------------------

def test_progress_lists_exactly_the_items_that_changed():
    then = parse_answers(answers_file(["T1-01", "T1-02", "T2-05"], not_applicable=["T3-11"], date="2025-06-01"))
    now = parse_answers(answers_file(["T1-01", "T1-03", "T2-05", "T4-10"], date="2026-06-01"))
    p = progress(now, then)
    assert p.newly_done == ["T1-03", "T4-10"]
    assert p.no_longer_done == ["T1-02"]
    assert p.newly_open == ["T3-11"]
    assert set(p.still_open) == set(ALL_ITEMS) - {"T1-01", "T1-02", "T1-03", "T2-05", "T4-10", "T3-11"}
    theme1 = p.themes[0]
    assert (theme1.ticked_then, theme1.ticked_now, theme1.status_then, theme1.status_now) == (2, 2, "improve", "improve")
    theme4 = p.themes[3]
    assert (theme4.ticked_then, theme4.ticked_now, theme4.status_then, theme4.status_now) == (0, 1, "rethink", "improve")
    assert (str(p.since_date), str(p.date)) == ("2025-06-01", "2026-06-01")


def test_the_report_and_its_summary_carry_the_progress(recommender):
    then = parse_answers(answers_file(["T1-01"]))
    now = parse_answers(answers_file(["T1-01", "T1-02"], date="2026-06-01", respondent="Ana"))
    report = recommender.report(now, since=then, lang="en")
    assert report.progress.newly_done == ["T1-02"] and report.respondent == "Ana"
    assert "T1-02" not in {g.item for g in report.gaps}
    text = markdown(report, "en")
    assert "## Progress since the earlier assessment" in text and "- **Newly done** (1): T1-02" in text
    assert "1/10 → 2/10 (+1)" in text
    assert "Progrès depuis l'évaluation précédente" in markdown(report, "fr")
    assert recommender.report(now).progress is None


# -- team -------------------------------------------------------------------------------------

def team_of_three():
    base = ALL_ITEMS[10:]  # themes 2-6 ticked by everyone: consensus done
    return [("ana.yaml", answers_file(base + ["T1-01", "T1-02"], respondent="Ana", notes={"1": "We survey families."})),
            ("bo.yaml", answers_file(base + ["T1-01"], respondent="Bo", notes={"1": "Only once a year."})),
            ("cy.yaml", answers_file(base + ["T1-01"]))]


def test_an_item_ticked_by_one_of_three_is_contested_and_first_on_the_agenda(recommender):
    report = team_report(read_team(team_of_three()), recommender, lang="en")
    assert [r.label for r in report.respondents] == ["Ana", "Bo", "cy.yaml"]
    assert [v.item for v in report.agenda] == ["T1-02"]
    first = report.agenda[0]
    assert (first.state, first.ticked_by, first.not_ticked_by) == ("contested", ["Ana"], ["Bo", "cy.yaml"])
    states = {v.item: v.state for v in report.items}
    assert states["T1-01"] == "consensus-done" and states["T1-03"] == "consensus-gap"
    theme1 = report.themes[0]
    assert (theme1.consensus_done, theme1.contested, theme1.consensus_gap) == (1, 1, 8)
    assert [(n.respondent, n.text) for n in report.notes["1"]] == [("Ana", "We survey families."), ("Bo", "Only once a year.")]


def test_the_most_divided_items_lead_the_agenda(recommender):
    files = [(f"{n}.yaml", answers_file(ticked, respondent=n)) for n, ticked in
             (("A", ["T1-01", "T1-02", "T2-01"]), ("B", ["T1-01", "T1-02"]), ("C", ["T1-01"]), ("D", []))]
    report = team_report(read_team(files), recommender)
    assert [v.item for v in report.agenda] == ["T1-02", "T1-01", "T2-01"]  # 2 of 4, then 3 of 4 and 1 of 4


def test_a_consensus_gap_leads_the_teams_recommendations(recommender):
    report = team_report(read_team(team_of_three()), recommender, lang="en")
    assert report.gaps[0].state == "consensus-gap" and report.gaps[0].item == "T1-03"
    assert report.gaps[0].recommendations
    assert [g.item for g in report.gaps if g.state == "contested"] == ["T1-02"]
    assert report.gaps[-1].item == "T1-02"
    text = team_markdown(report, "en")
    assert "## To discuss: the items the team disagrees on" in text and "ticked by Ana; not by Bo, cy.yaml" in text


def test_bad_team_input_gets_a_clear_message():
    one = answers_file(["T1-01"])
    with pytest.raises(TeamError, match="at least 2 answers files; 1 given"):
        read_team([("a.yaml", one)])
    with pytest.raises(TeamError, match="b.yaml: the same file as a.yaml; give each respondent's file once"):
        read_team([("a.yaml", one), ("b.yaml", one)])
    with pytest.raises(TeamError, match=f"10000 files given; a team view takes at most {MAX_RESPONDENTS}"):
        read_team([(f"{n}.yaml", answers_file([], respondent=str(n))) for n in range(10_000)])
    with pytest.raises(TeamError) as exc:
        read_team([("a.yaml", one), ("notes.txt", b"just some text"), ("c.yaml", b"ticked: [T9-99]\n")])
    message = str(exc.value)
    assert "notes.txt:1:1: error: (file): expected a mapping" in message
    assert "c.yaml:1:10: error: ticked[0]: 'T9-99' is not a checklist item" in message


def test_respondents_with_the_same_name_are_told_apart(recommender):
    files = [("a.yaml", answers_file(["T1-01"], respondent="Ana")), ("b.yaml", answers_file([], respondent="Ana"))]
    assert [label for label, _ in read_team(files)] == ["Ana", "Ana (2)"]


# -- action plan ------------------------------------------------------------------------------

def test_an_action_plan_lists_each_chosen_item_with_practices_and_empty_columns(recommender):
    answers = parse_answers(answers_file([], country="PL", organisation="Example NGO"))
    plan = make_plan(recommender, parse_items("T3-09, t4-10,T3-09"), answers)
    assert [r.item for r in plan.rows] == ["T3-09", "T4-10"]
    assert all(2 <= len(r.practices) <= 3 for r in plan.rows)
    assert all((r.owner, r.deadline, r.status) == ("", "", "") for r in plan.rows)
    rows = list(csv.reader(io.StringIO(plan_csv(plan, "en").lstrip("\ufeff"))))
    assert rows[0][:3] == ["Item", "Theme", "To do"] and rows[0][-3:] == ["Owner", "Deadline", "Status"]
    assert [r[0] for r in rows[1:]] == ["T3-09", "T4-10"] and rows[1][1] == "3"
    assert rows[1][3].startswith(plan.rows[0].practices[0].title["en"])
    text = plan_markdown(plan, "fr")
    assert text.startswith("# Plan d'action — Example NGO") and "| T3-09 |" in text and "| Responsable |" in text


def test_a_plan_of_unknown_or_no_items_is_refused(recommender):
    with pytest.raises(PlanError, match="not checklist items: T9-99"):
        make_plan(recommender, ["T3-09", "T9-99"])
    with pytest.raises(PlanError, match="choose at least one checklist item"):
        make_plan(recommender, [])


# -- the API ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from kb.web.app import Settings, create_app

    return TestClient(create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("web-index"))))


@pytest.fixture
def fresh(client):
    client.cookies.clear()  # no language remembered from another test
    return client


def test_api_gaps_takes_an_earlier_answers_document(client):
    import json

    body = {"answers": {"ticked": ["T1-01", "T1-02"], "date": "2026-06-01"}, "since": {"ticked": ["T1-01"]}}
    report = client.post("/api/gaps", content=json.dumps(body)).json()
    assert report["progress"]["newly_done"] == ["T1-02"] and report["date"] == "2026-06-01"
    bad = client.post("/api/gaps", content=json.dumps({"answers": {}, "since": {"ticked": ["T9-01"]}}))
    assert bad.status_code == 400 and bad.json()["error"].startswith("since.ticked[0]: 'T9-01' is not a checklist item")
    odd = client.post("/api/gaps", content=json.dumps({"answers": {"ticked": []}}))
    assert odd.status_code == 400 and "exactly two keys" in odd.json()["error"]
    assert client.post("/api/gaps", content=b"ticked: [T1-01]\n").json()["progress"] is None


def test_api_team_reads_several_answers_documents(client):
    import json

    files = [{"name": name, "answers": yaml.safe_load(raw)} for name, raw in team_of_three()]
    report = client.post("/api/team", content=json.dumps({"respondents": files})).json()
    assert [v["item"] for v in report["agenda"]] == ["T1-02"] and report["gaps"][0]["state"] == "consensus-gap"
    twice = client.post("/api/team", content=json.dumps({"respondents": [files[0], files[0]]}))
    assert twice.status_code == 400 and "the same file as ana.yaml" in twice.json()["error"]
    many = client.post("/api/team", content=json.dumps({"respondents": [
        {"name": str(n), "answers": {"respondent": str(n)}} for n in range(MAX_RESPONDENTS + 1)]}))
    assert many.status_code == 400 and "at most 50" in many.json()["error"]
    assert client.post("/api/team", content=b"[1, 2]").status_code == 400
    spec = client.get("/openapi.json").json()["paths"]
    assert "example" in spec["/api/team"]["post"]["requestBody"]["content"]["application/json"]
    assert "since" in spec["/api/gaps"]["post"]["requestBody"]["content"]["application/json"]["examples"]


# -- the command line -------------------------------------------------------------------------

def write(folder, name: str, ticked, **extra):
    path = folder / name
    path.write_bytes(answers_file(ticked, **extra))
    return str(path)


def test_kb_gaps_since_prints_what_changed(runner, tmp_path, index_dir):
    from kb.cli import app

    old = write(tmp_path, "old.yaml", ["T1-01", "T1-02", "T2-05"], not_applicable=["T3-11"], date="2025-06-01")
    new = write(tmp_path, "new.yaml", ["T1-01", "T1-03", "T2-05", "T4-10"], date="2026-06-01")
    args = ["gaps", new, "--since", old, "--lang", "en", "--index-dir", str(index_dir)]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "Progress since the earlier assessment (2025-06-01 → 2026-06-01)" in text.output
    assert "Newly done (2)" in text.output and "No longer ticked (1)" in text.output
    assert "   T4-10  Survey refugees at least twice a year" in text.output
    data = json.loads(runner.invoke(app, args + ["--json"]).output)
    assert data["progress"]["newly_done"] == ["T1-03", "T4-10"] and data["progress"]["no_longer_done"] == ["T1-02"]
    assert data["progress"]["newly_open"] == ["T3-11"]
    md = runner.invoke(app, args + ["--markdown"]).output
    assert "## Progress since the earlier assessment (2025-06-01 → 2026-06-01)" in md and "- **Newly done** (2): T1-03, T4-10" in md
    missing = runner.invoke(app, ["gaps", new, "--since", str(tmp_path / "nope.yaml"), "--index-dir", str(index_dir)])
    assert missing.exit_code == 2 and "nope.yaml: cannot be read" in missing.output


def team_files(folder) -> list[str]:
    return [write(folder, name, yaml.safe_load(raw)["ticked"], **{k: v for k, v in yaml.safe_load(raw).items() if k != "ticked"})
            for name, raw in team_of_three()]


def test_kb_gaps_team_puts_the_contested_item_first(runner, tmp_path, index_dir):
    from kb.cli import app

    files = team_files(tmp_path)
    args = ["gaps", *files, "--team", "--lang", "en", "--index-dir", str(index_dir)]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "Team self-assessment — Respondents: Ana, Bo, cy.yaml" in text.output
    agenda = text.output.split("To discuss: the items the team disagrees on")[1]
    assert agenda.lstrip().startswith("T1-02  1/3") and "ticked by Ana; not by Bo, cy.yaml" in agenda
    assert "Ana: We survey families." in text.output and "Bo: Only once a year." in text.output
    data = json.loads(runner.invoke(app, args + ["--json"]).output)
    assert [v["item"] for v in data["agenda"]] == ["T1-02"]
    assert (data["gaps"][0]["item"], data["gaps"][0]["state"]) == ("T1-03", "consensus-gap")
    md = runner.invoke(app, args + ["--markdown"]).output
    assert md.startswith("# Team self-assessment") and "- **T1-02**" in md


def test_kb_gaps_team_refuses_bad_input_with_a_clear_message(runner, tmp_path, index_dir):
    from kb.cli import app

    ix = ["--index-dir", str(index_dir)]
    files = team_files(tmp_path)
    cases = [
        (["gaps", files[0], "--team"], "error: a team view needs at least 2 answers files; 1 given"),
        (["gaps", files[0], files[0], "--team"], "error: ana.yaml: the same file as ana.yaml; give each respondent's file once"),
        (["gaps", *[files[0]] * 10_000, "--team"], "error: 10000 files given; a team view takes at most 50"),
        (["gaps", files[0], write(tmp_path, "odd.yaml", ["T9-99"]), "--team"],
         "odd.yaml:2:3: error: ticked[0]: 'T9-99' is not a checklist item; did you mean"),
        (["gaps", files[0], str(tmp_path / "notes.txt"), "--team"],
         "notes.txt:1:1: error: (file): expected a mapping with ticked, not_applicable and notes"),
        (["gaps", *files], "error: 3 answers files given: add --team"),
        (["gaps", *files, "--team", "--since", files[0]], "error: --since compares two files of one organisation"),
    ]
    (tmp_path / "notes.txt").write_text("just some notes\n")
    for args, message in cases:
        result = runner.invoke(app, args + ix)
        assert result.exit_code == 2 and message in result.output, (args[:3], result.output)


def test_kb_plan_writes_markdown_and_csv(runner, tmp_path, index_dir):
    from kb.cli import app

    ix = ["--index-dir", str(index_dir)]
    answers = write(tmp_path, "a.yaml", [], country="PL", organisation="Example NGO")
    md = runner.invoke(app, ["plan", answers, "--items", "T3-09,T4-10", "--lang", "en", *ix])
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# Action plan — Example NGO") and "| T3-09 |" in md.output and "| T4-10 |" in md.output
    target = tmp_path / "plan.csv"
    written = runner.invoke(app, ["plan", answers, "--items", "t4-10", "--format", "csv", "--lang", "en", "-o", str(target), *ix])
    assert written.exit_code == 0 and "1 item" in written.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][-3:] == ["Owner", "Deadline", "Status"] and [r[0] for r in rows[1:]] == ["T4-10"]
    # without --items, the file's gaps make the plan
    all_but_two = write(tmp_path, "b.yaml", [i for i in ALL_ITEMS if i not in ("T2-01", "T5-03")])
    rows = list(csv.reader(io.StringIO(runner.invoke(app, ["plan", all_but_two, "--format", "csv", *ix]).output.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["T2-01", "T5-03"]
    unknown = runner.invoke(app, ["plan", answers, "--items", "T3-09,T9-99", *ix])
    assert unknown.exit_code == 2 and "error: --items: not checklist items: T9-99" in unknown.output
    done = write(tmp_path, "c.yaml", ALL_ITEMS)
    nothing = runner.invoke(app, ["plan", done, *ix])
    assert nothing.exit_code == 2 and "no gaps (every applicable item is ticked); choose items with --items" in nothing.output


# -- the pages --------------------------------------------------------------------------------

def test_the_checklist_form_carries_a_date_and_a_respondent(fresh):
    page = fresh.get("/checklist?lang=en").text
    assert 'id="date" name="date" type="date"' in page and 'id="respondent" name="respondent"' in page
    assert 'href="/team"' in page
    form = {"ticked": ["T1-01"], "date": "2026-03-15", "respondent": "refugee advisory group"}
    answers = parse_answers(fresh.post("/checklist/download", data=form).content)
    assert (str(answers.date), answers.respondent) == ("2026-03-15", "refugee advisory group")
    loaded = fresh.post("/checklist?lang=en", files={"answers_file": ("a.yaml", answers_file(["T1-01"], date="2026-03-15",
                                                                                            respondent="Ana"))}).text
    assert 'type="date" value="2026-03-15"' in loaded and 'name="respondent" maxlength="200" value="Ana"' in loaded
    results = fresh.post("/results?lang=en", data=form).text
    assert 'name="date" value="2026-03-15"' in results and "refugee advisory group" in results
    bad = fresh.post("/results?lang=en", data={"ticked": ["T1-01"], "date": "15/03/2026"})
    assert bad.status_code == 400 and "is not a date; expected an ISO date such as 2026-03-15" in bad.text


NOW = {"ticked": ["T1-01", "T1-03", "T2-05", "T4-10"], "date": "2026-06-01", "country": "PL"}
THEN = answers_file(["T1-01", "T1-02", "T2-05"], not_applicable=["T3-11"], date="2025-06-01")


def test_results_compare_with_an_earlier_answers_file(fresh):
    page = fresh.post("/results?lang=en", data={**NOW, "compare": "1"}, files={"since_file": ("then.yaml", THEN)})
    assert page.status_code == 200
    text = page.text
    assert 'id="progress"' in text and "Progress since the earlier assessment" in text and "2025-06-01 → 2026-06-01" in text
    section = text.split('id="progress"')[1].split("</section>\n  {% endif %}")[0]
    newly = section.split('id="progress-newly_done"')[1].split("</section>")[0]
    assert "<strong>T1-03</strong>" in newly and "<strong>T4-10</strong>" in newly and "T1-02" not in newly
    assert "<strong>T1-02</strong>" in section.split('id="progress-no_longer"')[1].split("</section>")[0]
    assert "<strong>T3-11</strong>" in section.split('id="progress-newly_open"')[1].split("</section>")[0]
    assert 'class="bar pair"' in text and 'aria-label="then 0/19, now 1/19"' in text  # theme 4: 0 → 1 of 19
    assert 'name="since_doc"' in text  # the summary download keeps the comparison
    since_doc = text.split('name="since_doc" value="')[1].split('"')[0].replace("&#34;", '"')
    md = fresh.post("/results?lang=en", data={**NOW, "since_doc": since_doc, "format": "md"})
    assert "## Progress since the earlier assessment (2025-06-01 → 2026-06-01)" in md.text
    assert "- **Newly done** (2): T1-03, T4-10" in md.text


def test_results_compare_with_a_bad_file_says_why(fresh):
    none = fresh.post("/results?lang=en", data={**NOW, "compare": "1"}, files={"since_file": ("", b"")})
    assert none.status_code == 400 and "choose the earlier answers file to compare with" in none.text
    assert "Your results" in none.text and 'id="progress"' not in none.text
    odd = fresh.post("/results?lang=en", data={**NOW, "compare": "1"}, files={"since_file": ("old.yaml", b"ticked: [T1-01, T9-99]\n")})
    assert odd.status_code == 400 and "old.yaml:1:17: error: ticked[1]: &#39;T9-99&#39; is not a checklist item" in odd.text
    text = fresh.post("/results?lang=en", data={**NOW, "compare": "1"}, files={"since_file": ("notes.txt", b"hello")})
    assert text.status_code == 400 and "expected a mapping" in text.text
    big = fresh.post("/results?lang=en", data={**NOW, "compare": "1"}, files={"since_file": ("big.yaml", b"#" * (300 * 1024))})
    assert big.status_code == 400 and "larger than 256 KiB" in big.text


def team_upload(files):
    return [("files", (name, raw)) for name, raw in files]


def test_the_team_page_shows_the_agenda_the_reading_and_the_notes(fresh):
    form = fresh.get("/team?lang=en").text
    assert 'type="file" multiple' in form and "team.js" in form
    page = fresh.post("/team?lang=en", files=team_upload(team_of_three()))
    assert page.status_code == 200
    text = page.text
    agenda = text.split('id="agenda"')[1].split("</section>")[0]
    assert agenda.count("<li ") == 1 and 'id="agenda-T1-02"' in agenda and "1 of 3" in agenda
    assert "ticked by: Ana · not by: Bo, cy.yaml" in agenda
    assert "1 done (consensus) · 1 contested · 8 gap (consensus)" in text  # theme 1
    assert "<figcaption>Ana</figcaption><blockquote>We survey families.</blockquote>" in text
    gaps = text.split('id="team-gaps"')[1]
    assert gaps.index('id="team-gap-T1-03"') < gaps.index('id="team-gap-T1-02"')  # a consensus gap before a contested item
    assert 'name="items" value="T1-03" id="plan-T1-03" form="plan"' in text and '<form id="plan" action="/plan"' in text
    # the Markdown download re-reads the answers the page carries: no second upload, nothing kept
    members = [m.replace("&#34;", '"').replace("&#39;", "'") for m in
               [part.split('"')[0] for part in text.split('name="member" value="')[1:]]]
    assert len(members) == 3
    md = fresh.post("/team?lang=en", data={"member": members, "format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# Team self-assessment")
    assert "ticked by Ana; not by Bo, cy.yaml" in md.text


def test_the_team_page_answers_bad_input_with_a_message_never_a_500(fresh):
    one = answers_file(["T1-01"], respondent="Ana")
    cases = [
        ([("a.yaml", one)], 400, "a team view needs at least 2 answers files; 1 given"),
        ([("a.yaml", one), ("b.yaml", one)], 400, "b.yaml: the same file as a.yaml; give each respondent&#39;s file once"),
        ([("a.yaml", one), ("notes.txt", b"just some text")], 400, "notes.txt:1:1: error: (file): expected a mapping"),
        ([("a.yaml", one), ("c.yaml", b"ticked: [T9-99]\n")], 400, "c.yaml:1:10: error: ticked[0]: &#39;T9-99&#39; is not a checklist item"),
        ([(f"{n}.yaml", answers_file([], respondent=str(n))) for n in range(51)], 400, "51 files given; a team view takes at most 50"),
        ([], 400, "a team view needs at least 2 answers files; 0 given"),
        ([(f"{n}.yaml", b"{}") for n in range(300)], 400, "A team view takes at most 50 files."),  # too many parts
        # ten thousand files pass the request size limit before anything is read
        ([(f"{n}.yaml", answers_file([], respondent=str(n))) for n in range(10_000)], 413,
         "The files together are larger than 1024 KiB, the most the service accepts in one request. A team view takes at most 50 files"),
    ]
    for files, status, message in cases:
        page = fresh.post("/team?lang=en", files=team_upload(files) or {"files": ("", b"")})
        assert page.status_code == status and message in page.text, (len(files), page.status_code, page.text[-600:])
        assert page.headers["content-type"].startswith("text/html") and "Team self-assessment" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
    bad_member = fresh.post("/team?lang=en", data={"member": ["not json", "{}"]})
    assert bad_member.status_code == 400 and "error" in bad_member.text


def test_an_action_plan_as_a_page_markdown_and_csv(fresh):
    assert "T3-09, T4-10" in fresh.get("/plan?lang=en").text
    form = {"items": ["T3-09", "T4-10"], "country": "PL", "organisation": "Example NGO"}
    page = fresh.post("/plan?lang=en", data=form)
    assert page.status_code == 200 and "Action plan — Example NGO" in page.text
    assert page.text.count("<th scope=\"row\">") == 2 and 'class="blank"' in page.text
    assert '<th scope="col" class="col-owner">Owner</th>' in page.text
    md = fresh.post("/plan?lang=en", data={**form, "format": "md"})
    assert md.headers["content-disposition"] == 'attachment; filename="action-plan.md"'
    assert md.text.startswith("# Action plan — Example NGO") and "| T4-10 |" in md.text
    sheet = fresh.post("/plan?lang=en", data={**form, "format": "csv"})
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Item", "Theme", "To do"] and [r[0] for r in rows[1:]] == ["T3-09", "T4-10"]
    assert all(r[-3:] == ["", "", ""] for r in rows[1:])
    typed = fresh.post("/plan?lang=en", data={"items": "t3-09, T4-10"})
    assert typed.status_code == 200 and typed.text.count("<th scope=\"row\">") == 2
    for data, message in (({}, "choose at least one checklist item"), ({"items": "T9-99"}, "not checklist items: T9-99"),
                          ({"items": "T3-09", "country": "Atlantis"}, "&#39;Atlantis&#39; is not a country")):
        bad = fresh.post("/plan?lang=en", data=data)
        assert bad.status_code == 400 and message in bad.text


def test_results_and_home_lead_to_the_team_view_and_the_plan(fresh):
    results = fresh.post("/results?lang=en", data={"ticked": ["T1-01"], "country": "PL"}).text
    assert 'href="/team"' in results and '<form id="plan" action="/plan"' in results
    assert 'name="items" value="T1-02" id="plan-T1-02" form="plan"' in results
    assert '<input type="hidden" name="country" value="PL">' in results.split('<form id="plan"')[1]
    assert 'href="/team"' in fresh.get("/?lang=en").text
