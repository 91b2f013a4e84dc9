"""Self-assessment: answers files, the guide's reading of each theme, gaps and their practices."""

from __future__ import annotations

import json

import pytest

from kb.assess.answers import AnswersError, parse_answers, template
from kb.cli import app
from kb.records.framework import get_framework
from kb.assess.grid import parse_grid, score
from kb.assess.grid import template as grid_template
from kb.assess.recommend import Recommender, status_of
from kb.search.engine import SearchIndex
from kb.assess.summary import markdown
from kb.records.validate import load_records

fw = get_framework()
ALL_ITEMS = list(fw.checklist_items)
FEEDBACK = {"T1-06", "T2-13", "T4-09", "T4-10", "T4-11", "T4-13", "T4-14"}


@pytest.fixture(scope="module")
def recommender(practices_index):
    return Recommender(load_records(), SearchIndex(practices_index))


def answers_ticking(items, **extra):
    lines = ["ticked:"] + [f"  - {i}" for i in items]
    for key, value in extra.items():
        lines.append(f"{key}: {json.dumps(value)}")
    return parse_answers("\n".join(lines) + "\n")


def test_the_guides_reading_of_a_result():
    assert status_of(10, 10) == "comprehensive"
    assert status_of(3, 10) == "improve"
    assert status_of(0, 10) == "rethink"
    assert status_of(0, 0) == "not-applicable"


def test_everything_ticked_but_one_theme(recommender):
    items = [i for i in ALL_ITEMS if not i.startswith("T5-")]
    report = recommender.report(answers_ticking(items))
    status = {t.theme: t.status for t in report.themes}
    assert status == {1: "comprehensive", 2: "comprehensive", 3: "comprehensive", 4: "comprehensive",
                      5: "rethink", 6: "comprehensive"}
    assert {g.item for g in report.gaps} == {i for i in ALL_ITEMS if i.startswith("T5-")}
    assert all(g.recommendations for g in report.gaps)


def test_only_feedback_items_unticked_puts_feedback_practices_first(recommender):
    report = recommender.report(answers_ticking([i for i in ALL_ITEMS if i not in FEEDBACK]))
    assert {g.item for g in report.gaps} == FEEDBACK
    feedback_practices = {rid for item in FEEDBACK for rid in recommender.by_item[item]}
    top = [r.id for r in report.recommendations[:3]]
    assert set(top) <= feedback_practices, top
    assert "mt-teatru-salesjan-feedback" in top


def test_each_gap_says_why(recommender):
    report = recommender.report(answers_ticking([i for i in ALL_ITEMS if i != "T4-13"]))
    (gap,) = report.gaps
    first = gap.recommendations[0]
    assert "answers checklist item T4-13" in first.reasons
    assert all(r.reasons for r in gap.recommendations)
    assert [r.score for r in gap.recommendations] == sorted((r.score for r in gap.recommendations), reverse=True)


def test_a_country_preference_changes_the_order_not_the_coverage(recommender):
    items = [i for i in ALL_ITEMS if not i.startswith(("T1-", "T4-"))]
    plain = recommender.report(answers_ticking(items))
    polish = recommender.report(answers_ticking(items, country="Pologne"))
    assert {g.item for g in plain.gaps if g.recommendations} == {g.item for g in polish.gaps if g.recommendations}
    assert [r.id for r in plain.recommendations] != [r.id for r in polish.recommendations]
    assert sum(r.country == "PL" for r in polish.recommendations) > sum(r.country == "PL" for r in plain.recommendations)


@pytest.mark.parametrize("per_gap", [1, 2])
def test_short_lists_give_the_same_ranking_as_scoring_every_record(recommender, monkeypatch, per_gap):
    # keep only two records per group, so that the short lists really cut
    import kb.assess.recommend

    monkeypatch.setattr(kb.assess.recommend, "MAX_PER_GAP", 2)
    small = Recommender(list(recommender.records.values()), recommender.index)
    actors = sorted({a for r in recommender.records.values() if r.kind == "practice" for a in r.actor_types})
    for extra in ({}, {"country": "PL"}, {"country": "IT", "actor_type": actors[0]}, {"actor_type": actors[-1]}):
        answers = answers_ticking([], **extra)
        for item in ALL_ITEMS:
            full = sorted(small.candidates(item, answers).items(), key=lambda kv: (-kv[1].score, kv[0]))[:per_gap]
            assert [(rid, c.score) for rid, c in small.ranked(item, answers, per_gap)] == \
                [(rid, c.score) for rid, c in full], (item, extra)


def test_the_overall_list_is_diversified(recommender):
    report = recommender.report(answers_ticking([]), limit=10)
    ids = [r.id for r in report.recommendations]
    assert len(ids) == len(set(ids)) == 10
    places = [r.place for r in report.recommendations if r.place]
    assert max(places.count(p) for p in set(places)) <= 2
    countries = [r.country for r in report.recommendations if r.country]
    assert max(countries.count(c) for c in set(countries)) <= 4


def test_a_ticked_general_item_never_ticks_the_theme_items_it_sums_up(recommender):
    g = fw.general_checklist.items[0]
    report = recommender.report(answers_ticking([g.id]))
    assert set(g.sums_up) <= {gap.item for gap in report.gaps}
    general = next(x for x in report.general if x.item == g.id)
    assert general.ticked and not general.implied
    assert general.still_open == g.sums_up


def test_a_general_item_is_implied_when_every_item_it_sums_up_is_ticked(recommender):
    other = fw.general_checklist.items[1]
    report = recommender.report(answers_ticking(other.sums_up))
    general = next(x for x in report.general if x.item == other.id)
    assert (general.ticked, general.implied, general.done, general.still_open) == (False, True, True, [])
    untouched = next(x for x in report.general if x.item == fw.general_checklist.items[0].id)
    assert not untouched.done


def test_three_open_items_under_a_fully_ticked_general_checklist_stay_gaps(recommender):
    open_items = ["T3-09", "T3-13", "T5-02"]
    items = [i for i in ALL_ITEMS if i not in open_items] + list(fw.general_items)
    report = recommender.report(answers_ticking(items))
    assert [gap.item for gap in report.gaps] == open_items
    assert all(gap.recommendations for gap in report.gaps)
    flagged = {g.item: g.still_open for g in report.general if g.still_open}
    expected = {g.id: [i for i in g.sums_up if i in open_items] for g in fw.general_checklist.items
                if set(g.sums_up) & set(open_items)}
    assert flagged == expected and flagged["G-04"] == ["T3-09", "T3-13"]
    assert all(g.ticked for g in report.general)
    assert {r.id for r in report.recommendations} <= {rec.id for gap in report.gaps for rec in gap.recommendations}


def test_the_summary_flags_a_ticked_general_item_whose_items_are_open(recommender):
    items = [i for i in ALL_ITEMS if i != "T3-09"] + ["G-04"]
    report = recommender.report(answers_ticking(items))
    assert [gap.item for gap in report.gaps] == ["T3-09"]
    en = markdown(report, "en")
    assert "G-04" in en and "still open: T3-09" in en
    assert "encore ouverts : T3-09" in markdown(report, "fr")


def test_not_applicable_items_leave_the_total(recommender):
    text = "ticked: []\nnot_applicable: [T3-11, T3-12]\n"
    report = recommender.report(parse_answers(text))
    theme3 = next(t for t in report.themes if t.theme == 3)
    assert (theme3.total, theme3.not_applicable) == (15, 2)
    assert not {"T3-11", "T3-12"} & {g.item for g in report.gaps}


def test_factors_without_examples_fall_back_to_the_themes_records(recommender):
    # a knowledge base where theme 3 has references but no practice: its items have no example
    refs = [r for r in recommender.records.values() if r.kind == "reference"]
    small = Recommender(refs, recommender.index)
    cands = small.candidates("T3-13")
    theme3_refs = {r.id for r in refs if 3 in r.themes}
    assert theme3_refs <= set(cands)
    assert all("same theme (3)" in " ".join(f"same theme ({a})" for c, a in cand.reasons if c == "theme")
               for rid, cand in cands.items() if rid in theme3_refs)


def test_json_shape_of_the_gaps_command(runner, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("ticked: [T1-01]\ncountry: FI\n")
    result = runner.invoke(app, ["gaps", str(path), "--json", "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"theme", "ticked", "total", "status"} <= set(data["themes"][0])
    assert {"item", "recommendations"} <= set(data["gaps"][0])
    assert {"id", "score", "reasons"} <= set(data["gaps"][0]["recommendations"][0])
    assert {"id", "score", "covers"} <= set(data["recommendations"][0])


def test_markdown_summary_reads_like_the_guides(recommender):
    answers = parse_answers('ticked: [T1-01, T1-02]\nnotes: {"1": "We survey twice a year."}\norganisation: Example NGO\n')
    text = markdown(recommender.report(answers, lang="en"), "en")
    assert text.startswith("# Personalised self-assessment summary")
    assert "Example NGO" in text and "We survey twice a year." in text
    assert "| 1. " in text and "support still to improve" in text and "a deep rethink is needed" in text


@pytest.mark.parametrize(
    "text, message",
    [
        ("ticked: [T1-01, T9-01]", "a.yaml:1:17: error: ticked[1]: 'T9-01' is not a checklist item; did you mean T1-01?"),
        ("ticked: T1-01", "a.yaml:1:1: error: ticked: expected a list of item ids"),
        ("tickd: []", "a.yaml:1:1: error: tickd: unknown key 'tickd'; did you mean 'ticked'?"),
        ("ticked: [\n", "a.yaml:2:1: error: (file): YAML syntax error"),
        ("ticked: [T1-01]\nnot_applicable: [T1-01]", "a.yaml:2:18: error: not_applicable[0]: T1-01 is already listed in ticked"),
        ('notes: {"9": x}', "a.yaml:1:9: error: notes.9: '9' is not a theme; expected 1-6 or general"),
        ("country: Atlantis", "a.yaml:1:1: error: country: 'Atlantis' is not a country"),
        ("- T1-01", "a.yaml:1:1: error: (file): expected a mapping"),
    ],
)
def test_bad_answers_are_clear_errors(text, message):
    with pytest.raises(AnswersError) as exc:
        parse_answers(text, "a.yaml")
    assert str(exc.value).startswith(message), str(exc.value)


def test_the_template_lists_every_item_and_parses_as_is():
    text = template(lang="en")
    for item in ALL_ITEMS + list(fw.general_items):
        assert f"# - {item} " in text
    assert parse_answers(text).ticked == []
    one = template(theme=4, lang="fr")
    assert "T4-19" in one and "T3-01" not in one and "[autorités locales]" in one


def test_cli_checklist_template_and_bad_file(runner, tmp_path):
    result = runner.invoke(app, ["checklist", "--template", "--theme", "2", "--lang", "en"])
    assert result.exit_code == 0 and "T2-15" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("ticked: [T1-01, T1-1]\n")
    out = runner.invoke(app, ["gaps", str(bad), "--index-dir", str(tmp_path / "ix")])
    assert out.exit_code == 2 and "did you mean T1-01?" in out.output and "Traceback" not in out.output


def test_grid_scores_each_dimension_and_overall():
    ratings = {i: "met" for i in fw.indicators}
    for ind in fw.dimensions["sustainability"].indicators:
        ratings[ind.id] = "not-met"
    ratings["PC-01"], ratings["PC-02"] = "partly", "n/a"
    text = "practice: Test\nratings:\n" + "".join(f"  {k}: {v}\n" for k, v in ratings.items())
    report = score(parse_grid(text), load_records())
    by_id = {d.id: d for d in report.dimensions}
    assert by_id["inclusivity-participation"].score == 100.0
    assert by_id["sustainability"].score == 0.0 and by_id["sustainability"].level == "weak"
    assert by_id["partnership-cooperation"].score == round(100 * 5 / 6, 1)
    assert report.overall == round((100 + 100 + 100 + 0 + by_id["partnership-cooperation"].score) / 5, 1)
    assert report.weakest == "sustainability" and report.strongest == "inclusivity-participation"
    assert report.exemplars and all(set(e.indicators) <= {"SU-01", "SU-02", "SU-03", "SU-04"} for e in report.exemplars)


def test_grid_template_and_errors(runner):
    text = grid_template("en")
    assert all(f"  {i}: \"\"" in text for i in fw.indicators)
    assert score(parse_grid(text)).overall is None
    with pytest.raises(AnswersError) as exc:
        parse_grid("ratings:\n  IP-01: great\n  XX-01: met\n", "g.yaml")
    assert "g.yaml:2:3: error: ratings.IP-01: 'great' is not a rating" in str(exc.value)
    assert "ratings.XX-01: 'XX-01' is not an indicator" in str(exc.value)
    result = runner.invoke(app, ["grid", "--template", "--lang", "en"])
    assert result.exit_code == 0 and "PC-04" in result.output


@pytest.mark.parametrize("name", ["small-ngo", "city-department", "polish-municipality", "refugee-led-organisation"])
def test_the_documented_example_answers_parse(name):
    from kb.assess.examples import EXAMPLES

    path = EXAMPLES[name].path
    answers = parse_answers(path.read_bytes(), path.name)
    assert answers.ticked and answers.country in ("PL", "FI", "DE")
