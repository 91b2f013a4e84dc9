"""Search relevance: the metrics on known rankings, the judged queries file, and a floor on the real
knowledge base (see docs/relevance.md)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from kb.paths import PRACTICES_DIR, ROOT
from kb.search.relevance import (
    CATEGORIES,
    QUERIES_PATH,
    QueriesError,
    Query,
    Report,
    QueryResult,
    evaluate,
    format_failures,
    format_table,
    known_ids,
    load_queries,
    mrr_at,
    parse_queries,
    recall_at,
)
from kb.search.engine import SearchIndex

# Overall recall@5 the engine must keep on tests/relevance/queries.yaml: the value measured on the
# current code, rounded down to 2 decimals. It is raised as the engine improves, never lowered to let
# a change through. History: 0.69 at 46bc54a (docs/relevance.md), 0.73 at b8939e4, 0.75 at 3ccc920.
FLOOR = 0.75


# -- metrics on hand-made rankings -------------------------------------------------------------
@pytest.mark.parametrize(
    "ranked, expected, k, value",
    [
        (["a", "b", "c", "d", "e", "f"], ["a"], 5, 1.0),
        (["a", "b", "c", "d", "e", "f"], ["f"], 5, 0.0),  # sixth is outside the top 5
        (["a", "b", "c", "d", "e", "f"], ["a", "f"], 5, 0.5),
        (["x", "b", "y", "d"], ["b", "d", "z"], 5, 2 / 3),
        ([], ["a"], 5, 0.0),
        (["a", "b"], ["b", "c"], 1, 0.0),
        (["a", "b"], ["b", "c"], 2, 0.5),
        (["a"], [], 5, 1.0),  # nothing to find: nothing missed
    ],
)
def test_recall_at_k(ranked, expected, k, value):
    assert recall_at(ranked, expected, k) == pytest.approx(value)


@pytest.mark.parametrize(
    "ranked, expected, k, value",
    [
        (["a", "b", "c"], ["a"], 10, 1.0),
        (["a", "b", "c"], ["c"], 10, 1 / 3),
        (["a", "b", "c"], ["c", "b"], 10, 1 / 2),  # the first expected id found counts
        (["a", "b", "c"], ["z"], 10, 0.0),
        ([f"r{i}" for i in range(12)], ["r9"], 10, 1 / 10),
        ([f"r{i}" for i in range(12)], ["r10"], 10, 0.0),  # eleventh is outside the top 10
        ([], ["a"], 10, 0.0),
    ],
)
def test_mrr_at_k(ranked, expected, k, value):
    assert mrr_at(ranked, expected, k) == pytest.approx(value)


class FakeIndex:
    """Answers each query with a fixed ranking."""

    def __init__(self, rankings):
        self.rankings = rankings
        self.calls = []

    def search(self, query, filters=None, *, limit=10, lang="fr", **kw):
        self.calls.append((query, filters.values if filters else {}, limit, lang))

        class Hit:
            def __init__(self, id):
                self.id = id

        class Response:
            results = [Hit(i) for i in self.rankings[query][:limit]]
            mode, corrected = "all", False

        return Response()


def test_evaluate_averages_overall_and_per_category():
    queries = [
        Query("one", "single-word", "fr", ("a", "b")),
        Query("two words", "question", "fr", ("c",)),
        Query("three", "single-word", "en", ("z",), filters={"country": ["PL"]}),
    ]
    index = FakeIndex({"one": ["a", "x", "y", "z", "w", "b"], "two words": ["x", "c"], "three": ["q"]})
    report = evaluate(index, queries)
    assert [r.recall for r in report.results] == [0.5, 1.0, 0.0]
    assert [r.rr for r in report.results] == [1.0, 0.5, 0.0]
    assert report.overall.recall == pytest.approx(1.5 / 3)
    assert report.overall.mrr == pytest.approx(1.5 / 3)
    assert report.by_category["single-word"].recall == pytest.approx(0.25)
    assert report.by_category["question"].mrr == pytest.approx(0.5)
    assert [r.query.query for r in report.failures] == ["one", "three"]
    assert report.results[0].missing == ["b"]
    assert index.calls[2] == ("three", {"country": ["PL"]}, 10, "en")  # filters resolved, top 10 asked
    table = format_table(report)
    assert table.splitlines()[-1].split()[:4] == ["overall", "3", "0.500", "0.500"]
    assert "missing: b" in format_failures(report)
    assert json.loads(json.dumps(report.to_dict()))["overall"]["queries"] == 3


# -- the queries file ----------------------------------------------------------------------------
def test_every_id_in_the_queries_file_is_a_record():
    ids = known_ids(PRACTICES_DIR)
    queries = load_queries(QUERIES_PATH, PRACTICES_DIR)
    named = {i for q in queries for i in (*q.expected, *q.acceptable)}
    assert named <= ids, sorted(named - ids)


def test_the_queries_file_covers_every_category_and_both_languages():
    queries = load_queries(QUERIES_PATH, PRACTICES_DIR)
    assert len(queries) >= 110
    counts = {c: sum(q.category == c for q in queries) for c in CATEGORIES}
    assert all(n >= 10 for n in counts.values()), counts
    assert {q.lang for q in queries} == {"fr", "en"}
    by_text = {q.query: q for q in queries if not q.filters}
    for text in ("participation des réfugiés aux décisions", "discrimination au logement", "HLM", "sans-abri",
                 "violences conjugales", "drug abuse"):
        assert text in by_text
    assert by_text["drug abuse"].expected[0] == "gr-kethea-addiction-support"


GOOD = """
queries:
  - query: "logement"
    category: single-word
    lang: fr
    expected: [a]
"""


@pytest.mark.parametrize(
    "change, message",
    [
        (("expected: [a]", "expected: [a, nope]"), "q.yaml:3: query 'logement': unknown record id(s) in expected: nope"),
        (("category: single-word", "category: one-word"), "q.yaml:3: query 'logement': unknown category 'one-word'"),
        (("lang: fr", "lang: de"), "lang must be fr or en"),
        (("expected: [a]", "expected: []"), "expected must list 1 to 5 ids"),
        (("expected: [a]", "expected: [a]\n    acceptable: [a]"), "both expected and acceptable: a"),
        (("expected: [a]", "expected: [a]\n    filters: {colour: red}"), "unknown filter 'colour'"),
        (("expected: [a]", "expected: [a]\n    filters: {country: Atlantis}"), "country: 'Atlantis' matches no country"),
        (("expected: [a]", "expected: [a]\n    note: x"), "unknown key(s) note"),
        (("    lang: fr\n", ""), "missing lang"),
    ],
)
def test_a_bad_queries_file_names_the_query_and_line(change, message):
    text = GOOD.replace(*change)
    with pytest.raises(QueriesError) as err:
        parse_queries(text, "q.yaml", {"a", "b"})
    assert message in str(err.value)
    assert str(err.value).startswith("q.yaml:")


def test_a_query_listed_twice_is_refused():
    with pytest.raises(QueriesError, match="appears twice"):
        parse_queries(GOOD + GOOD.split("queries:\n")[1], "q.yaml", {"a"})


def test_the_script_reports_a_bad_queries_file(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("relevance_script", ROOT / "scripts" / "relevance.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    bad = tmp_path / "q.yaml"
    bad.write_text(GOOD.replace("expected: [a]", "expected: [no-such-record]"), encoding="utf-8")
    assert script.main(["--queries", str(bad), "--no-build", "--index", str(tmp_path)]) == 2
    assert "unknown record id(s) in expected: no-such-record" in capsys.readouterr().err


# -- the floor on the real knowledge base ----------------------------------------------------------
@pytest.fixture(scope="module")
def real_index(practices_index):
    index = SearchIndex(practices_index)
    yield index
    index.close()


def test_recall_at_5_stays_above_the_floor(real_index):
    report: Report = evaluate(real_index, load_queries(QUERIES_PATH, PRACTICES_DIR))
    assert report.overall.queries >= 110
    assert report.overall.recall >= FLOOR, (
        f"overall recall@5 {report.overall.recall:.3f} < floor {FLOOR}\n{format_table(report)}\n\n"
        f"{format_failures(report)}"
    )


@pytest.mark.parametrize("text, judged_in_top_5", [
    ("participation des réfugiés aux décisions", 3),  # was 1 result: every word required
    ("discrimination au logement", 3),  # was 1 result
    ("HLM", 3),  # was no result
    ("sans-abri", 3),  # was no result
    ("violences conjugales", 1),  # was "corrected" into "violences consultes"
    ("drug abuse", 1),
])
def test_the_queries_that_failed_practitioners_now_answer_them(real_index, text, judged_in_top_5):
    query = next(q for q in load_queries(QUERIES_PATH, PRACTICES_DIR) if q.query == text)
    result = real_index.search(query.query, limit=5)
    judged = set(query.expected) | set(query.acceptable)
    top = [h.id for h in result.results]
    assert top and top[0] in judged
    assert sum(1 for rid in top if rid in judged) >= judged_in_top_5, top
    assert result.suggestion is None


def test_the_script_prints_the_table_and_writes_json(real_index, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("relevance_script", ROOT / "scripts" / "relevance.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "results.json"
    assert script.main(["--index", str(real_index.directory), "--no-build", "--json", str(out), "--show-failures"]) == 0
    printed = capsys.readouterr().out
    assert "overall" in printed and "recall@5" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["overall"]["queries"] == len(data["queries"])
    assert set(data["by_category"]) == set(CATEGORIES)
    assert isinstance(data["queries"][0]["results"], list)


def test_query_result_lists_the_expected_ids_missing_from_the_top_5():
    q = Query("q", "typo", "fr", ("a", "b", "c"))
    r = QueryResult(q, ["x", "a", "y", "z", "w", "c"], recall_at(["x", "a", "y", "z", "w", "c"], q.expected), 0.5)
    assert r.missing == ["b", "c"]
    assert Path(QUERIES_PATH).name == "queries.yaml"
