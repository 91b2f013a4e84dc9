"""Self-assessment over time and as a team: progress between two answers files, a team's answers
side by side, and the action plan, on hand-built files whose right answers are known."""

from __future__ import annotations

import csv
import io

import pytest
import yaml

from kb.answers import parse_answers
from kb.framework import get_framework
from kb.indexer import build
from kb.paths import PRACTICES_DIR
from kb.plan import PlanError, make_plan, parse_items, plan_csv, plan_markdown
from kb.progress import progress
from kb.recommend import Recommender
from kb.search import SearchIndex
from kb.summary import markdown
from kb.team import MAX_RESPONDENTS, TeamError, read_team, team_markdown, team_report
from kb.validate import load_records

fw = get_framework()
ALL_ITEMS = list(fw.checklist_items)


@pytest.fixture(scope="module")
def recommender(tmp_path_factory):
    directory = tmp_path_factory.mktemp("index")
    build(PRACTICES_DIR, directory)
    return Recommender(load_records(), SearchIndex(directory))


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

    from kb.app import Settings, create_app

    return TestClient(create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("web-index"))))


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
