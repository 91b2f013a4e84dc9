"""Fuzzing, bounded: arbitrary bytes and YAML never make the loader, the validator or the answers
parser raise; the API, driven from its own OpenAPI schema, never answers 5xx and always conforms."""

from __future__ import annotations

import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.assess.answers import AnswersError, parse_answers
from kb.assess.grid import parse_grid
from kb.records.validate import check_bytes
from kb.records.yamlsource import parse

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=30), st.sampled_from(["NO", "yes", "off", "T1-01", "IP-01", "FI", "2026-11-29"]))
keys = st.one_of(st.sampled_from(["id", "kind", "title", "summary", "country", "themes", "indicators", "links",
                                  "ticked", "not_applicable", "notes", "ratings", "fr", "en", "url", "source"]),
                 st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12))
documents = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=5),
                                                              st.dictionaries(keys, children, max_size=6)),
                         max_leaves=25)


@FAST
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_problems_never_an_exception(raw):
    parse(raw)
    checked, problems = check_bytes(raw, __import__("pathlib").Path("fuzz.yaml"))
    assert problems  # random bytes are never a valid record
    assert all(p.line >= 1 and p.column >= 1 for p in problems)


@FAST
@given(documents)
def test_arbitrary_yaml_gives_problems_never_an_exception(doc):
    text = yaml.safe_dump(doc, allow_unicode=True)
    checked, problems = check_bytes(text.encode("utf-8"), __import__("pathlib").Path("fuzz.yaml"))
    assert checked.record is None or not [p for p in problems if p.severity == "error"]


@FAST
@given(st.one_of(st.binary(max_size=300), documents.map(lambda d: yaml.safe_dump(d).encode("utf-8"))))
def test_answers_and_grid_parsers_raise_only_their_own_error(raw):
    for parser in (parse_answers, parse_grid):
        try:
            parser(raw, "fuzz.yaml")
        except AnswersError as exc:
            assert exc.problems and all(p.line >= 1 for p in exc.problems)


@FAST
@given(st.dictionaries(st.sampled_from(["ticked", "not_applicable"]),
                       st.lists(st.sampled_from(["T1-01", "T4-19", "G-13", "T9-99", "", "x"]), max_size=6), max_size=2))
def test_answers_with_plausible_ids(doc):
    try:
        answers = parse_answers(yaml.safe_dump(doc))
    except AnswersError as exc:
        assert "is not a checklist item" in str(exc) or "already listed" in str(exc)
    else:
        assert set(answers.ticked) <= {"T1-01", "T4-19", "G-13"}


schemathesis = pytest.importorskip("schemathesis")
from kb.web.app import Settings, create_app  # noqa: E402
from kb.paths import PRACTICES_DIR  # noqa: E402


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    return create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("index")))


def test_the_api_answers_its_own_schema_without_5xx(api_app):
    from schemathesis import checks

    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    failures, labels = [], []
    for operation in schema.get_all_operations():
        op = operation.ok()
        labels.append(op.label)
        strategy = op.as_strategy()

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=strategy)
        def run(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append((op.label, response.status_code, case.path, response.text[:200]))
            case.validate_response(response, checks=[checks.not_a_server_error, checks.response_schema_conformance])

        run()
    assert {"GET /api/search", "POST /api/gaps", "POST /api/grid", "GET /api/practices/{record_id}"} <= set(labels)
    assert failures == []
