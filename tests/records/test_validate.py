"""The validator: one bad-record fixture per rule, each with its exact message line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli import app
from kb.paths import PRACTICES_DIR
from kb.records.validate import check_paths, load_records

FIXTURES = Path(__file__).parent.parent / "fixtures"
GOOD = FIXTURES / "good"

# fixture file -> the exact lines the validator prints for it (messages are part of the API)
EXPECTED = {
    "yaml-syntax.yaml": [
        "20:16: error: (file): YAML syntax error: while parsing a flow sequence expected ',' or ']', but got ':' [yaml-syntax]",
    ],
    "encoding.yaml": ["4:1: error: (file): not valid UTF-8 (byte 44); save the file as UTF-8 [encoding]"],
    "duplicate-key.yaml": ["15:1: error: place: duplicate key (first given on line 14); keep one of them [duplicate-key]"],
    "yaml-boolean.yaml": [
        '13:10: error: country: unquoted NO is read as a boolean by YAML 1.1 tools; write "NO" in quotes if you mean the text [yaml-boolean]',
    ],
    "unknown-key.yaml": [
        "1:1: error: summary: required field is missing [required]",
        "6:1: error: summry: unknown key 'summry'; did you mean 'summary'? [unknown-key]",
    ],
    "required.yaml": ["1:1: error: country: required field is missing [required]"],
    "type.yaml": [
        "15:1: error: organisations: expected a valid list; got str 'Sampleville Adult Education Centre' [type]",
    ],
    "not-a-mapping.yaml": ["1:1: error: (record): expected a mapping of fields; got a list [type]"],
    "vocabulary-theme.yaml": [
        "19:13: error: themes[1]: 9 is not a theme (1-6); expected one of: 1, 2, 3, 4, 5, 6 [vocabulary]",
    ],
    "vocabulary-success-factor.yaml": [
        "21:5: error: success_factors[0]: qualified-multidisciplinary-profesionals is not a success factor; "
        "did you mean qualified-multidisciplinary-professionals? [vocabulary]",
    ],
    "vocabulary-checklist-item.yaml": [
        "22:26: error: checklist_items[1]: T2-31 is not a checklist item; did you mean T2-01? [vocabulary]",
    ],
    "vocabulary-indicator.yaml": [
        "24:5: error: indicators[0].id: IP-30 is not an evaluation-grid indicator; did you mean IP-01? [vocabulary]",
    ],
    "vocabulary-country.yaml": [
        "13:1: error: country: Finlande is not an ISO 3166-1 alpha-2 country code; did you mean FI (Finland)? [vocabulary]",
    ],
    "vocabulary-facet.yaml": [
        "28:17: error: target_groups[0]: migrant is not a target group; did you mean migrants? [vocabulary]",
    ],
    "vocabulary-kind.yaml": ["2:1: error: kind: 'pratice' is not a kind of record; expected practice or reference [vocabulary]"],
    "empty-text.yaml": ["5:3: error: title.en: text is empty; write it in both French and English [empty-text]"],
    "url.yaml": [
        "31:5: error: links[0].url: 'https://example.org/sample ville' is not a valid web address; "
        "expected an http(s) URL with no spaces (encode them as %20) [url]",
    ],
    "id-filename.yaml": [
        "1:1: error: id: 'fi-sampleville-guidance' does not match the file name 'id-filename.yaml'; "
        "rename the file to fi-sampleville-guidance.yaml or change the id to 'id-filename' [id-filename]",
    ],
    "Fi_Sampleville.yaml": [
        "1:1: error: id: 'Fi_Sampleville' is not a valid id; use lower-case ASCII letters, digits and single hyphens (kebab-case) [id-format]",
    ],
    "kind-prefix.yaml": ["1:1: error: id: the id of a reference must start with ref- [id-format]"],
    "related.yaml": [
        "33:11: error: related[0]: 'ref-sample-guidance-reprot' is not the id of any record; did you mean 'ref-sample-guidance-report'? [related]",
    ],
    "theme-consistency.yaml": [
        "22:26: error: checklist_items[1]: T4-09 belongs to theme 4, which is not in themes; add 4 to themes or remove T4-09 [theme-consistency]",
    ],
    "duplicate-value.yaml": ["29:1: error: sectors: education is listed twice; list each value once [duplicate-value]"],
    "too-short.yaml": ["22:1: error: checklist_items: at least 1 value expected; the list is empty [too-short]"],
    "placeholder.yaml": [
        "5:3: error: title.en: 'Short title of the initiative' is the template's example; write the practice's own [placeholder]",
    ],
    "dates.yaml": [
        "39:1: error: last_verified: last_verified (2026-10-01) is before added (2026-11-01); a record is verified on or after it is added [dates]",
    ],
    "range.yaml": ["18:1: error: year_started: 1066 is out of range; expected a value greater than or equal to 1900 [range]"],
}


def test_every_bad_fixture_has_its_expected_lines():
    assert sorted(EXPECTED) == sorted(p.name for p in (FIXTURES / "bad").glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture_prints_the_exact_message(name):
    path = FIXTURES / "bad" / name
    report = check_paths([path], collection=GOOD)
    prefix = f"{os.path.relpath(path)}:"
    # the fixtures are all variants of one good record, so they also resemble it: that warning is tested apart
    assert [str(p) for p in report.problems if p.rule != "near-duplicate"] == [prefix + line for line in EXPECTED[name]]
    assert not report.ok


def test_every_rule_has_a_fixture():
    rules = {line.rsplit("[", 1)[1].rstrip("]") for lines in EXPECTED.values() for line in lines}
    rules |= {"duplicate-id", "near-duplicate"}  # collection rules, tested below
    documented = set(Path("docs/validation-rules.md").read_text(encoding="utf-8").split("`")[1::2])
    assert rules <= documented


def test_duplicate_ids_across_files_are_an_error():
    report = check_paths([FIXTURES / "dup"], collection=FIXTURES / "dup")
    dup = [p for p in report.problems if p.rule == "duplicate-id"]
    assert [str(p) for p in dup] == [
        f"{os.path.relpath(FIXTURES / 'dup/b/fi-twice.yaml')}:1:1: error: id: 'fi-twice' is already the id of "
        f"{os.path.relpath(FIXTURES / 'dup/a/fi-twice.yaml')}; ids must be unique [duplicate-id]"
    ]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["accueil", "des", "familles", "réfugiées", "gdansk", "maison", "ville",
                                          "jeunes", "emploi", "de", "la"]), min_size=1, max_size=6).map(" ".join),
                min_size=2, max_size=40), st.integers(1, 7))
def test_close_titles_are_found_in_slices_as_by_comparing_every_pair(titles, rows):
    from rapidfuzz import fuzz

    from kb.records.validate import NEAR_DUPLICATE_TITLE, close_pairs

    every_pair = {(i, j) for i in range(len(titles)) for j in range(i + 1, len(titles))
                  if fuzz.token_sort_ratio(titles[i], titles[j]) >= NEAR_DUPLICATE_TITLE}
    assert close_pairs(titles, rows=rows) == every_pair


def test_near_duplicates_are_a_warning_not_an_error():
    report = check_paths([FIXTURES / "near-duplicate"], collection=FIXTURES / "near-duplicate")
    assert report.ok
    assert [(p.severity, p.rule) for p in report.problems] == [("warning", "near-duplicate")]
    names = {Path(report.problems[0].path).name, report.problems[0].message.split(" of ")[1].split(" (")[0].rsplit("/", 1)[-1]}
    assert names == {"fi-sampleville-interviews.yaml", "fi-sampleville-interviews-2.yaml"}
    assert report.summary() == "All 2 files valid, 1 warning."


def test_good_fixtures_are_valid():
    report = check_paths([GOOD], collection=GOOD)
    assert report.problems == []
    assert report.summary() == "All 2 files valid."


def test_the_real_practices_folder_validates_without_warnings():
    report = check_paths([PRACTICES_DIR], collection=PRACTICES_DIR)
    assert [str(p) for p in report.problems] == []
    assert len(report.records) == len(list(PRACTICES_DIR.glob("*.yaml")))


def test_load_records_returns_models():
    records = load_records(GOOD)
    assert {r.id for r in records} == {"fi-sample-city-guidance", "ref-sample-guidance-report"}


def test_cli_validate_exit_codes_and_total(runner):
    good = runner.invoke(app, ["validate", str(GOOD)])
    assert good.exit_code == 0, good.output
    assert good.output.strip().endswith("All 2 files valid.")
    bad = runner.invoke(app, ["validate", str(FIXTURES / "bad" / "range.yaml"), str(FIXTURES / "bad" / "url.yaml")])
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines()[-1].startswith("Validation failed: ")
    assert "[range]" in bad.output and "[url]" in bad.output


def test_cli_validate_json_and_github_formats(runner):
    path = FIXTURES / "bad" / "vocabulary-facet.yaml"
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])
    data = json.loads(result.output)
    assert data["ok"] is False and data["files_checked"] == 1
    facet = [p for p in data["problems"] if p["rule"] == "vocabulary"][0]
    assert facet["line"] == 28 and facet["column"] == 17 and facet["field"] == "target_groups[0]"
    gh = runner.invoke(app, ["validate", "--format", "github", str(path)])
    assert f"::error file={os.path.relpath(path)},line=28,col=17,title=vocabulary::target_groups[0]: migrant" in gh.output


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\x01\x02", b"- - - [", b"a: &x [*x]", b"{", b"id: [1, {2: 3}]\n", b"kind: practice\n", b"!!binary x",
     b"a: !!python/object/apply:os.system [ls]", b"? [a, b]\n: c\n", b"<<: 5", b"kind: 5\nid: 5\n"],
)
def test_hostile_input_gives_problems_never_a_traceback(tmp_path, raw):
    path = tmp_path / "hostile.yaml"
    path.write_bytes(raw)
    report = check_paths([path], collection=tmp_path)
    assert not report.ok
    assert all(p.line >= 1 and p.column >= 1 for p in report.problems)


@pytest.mark.parametrize("template", ["practice.yaml", "reference.yaml"])
def test_contributor_templates_validate_once_copied_under_their_id(tmp_path, template):
    import yaml

    from kb.paths import RECORD_TEMPLATES_DIR

    text = (RECORD_TEMPLATES_DIR / template).read_text(encoding="utf-8")
    record_id = yaml.safe_load(text)["id"]
    target = tmp_path / f"{record_id}.yaml"
    target.write_text(text, encoding="utf-8")
    report = check_paths([target], collection=tmp_path)
    if template == "practice.yaml":
        # as copied, only the example texts are refused: everything else in the template is valid
        assert report.problems and {p.rule for p in report.problems} == {"placeholder"}
        assert {p.field for p in report.problems} >= {"title.fr", "title.en", "summary.fr", "summary.en", "links[0].url"}
    else:
        assert [str(p) for p in report.problems] == []


# Links: a practice and a reference have the same list of links; a record from the guide may have none
# (the guide names publications without printing an address), a contribution needs at least one.

TWO_LINKS = [
    {"url": "https://example.org/report.pdf", "label": "Rapport (PDF) / Report (PDF)"},
    {"url": "https://example.org/portfolio/"},
]


def _good(name: str, **changes) -> dict:
    import yaml

    data = yaml.safe_load((GOOD / name).read_text(encoding="utf-8"))
    data["related"] = [] if "related" in data else None  # checked alone, a related id would name nothing
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


def _check(tmp_path: Path, data: dict):
    import yaml

    path = tmp_path / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return check_paths([path], collection=tmp_path)


@pytest.mark.parametrize("name", ["fi-sample-city-guidance.yaml", "ref-sample-guidance-report.yaml"])
def test_practices_and_references_each_accept_several_links(tmp_path, name):
    report = _check(tmp_path, _good(name, links=TWO_LINKS))
    assert [str(p) for p in report.problems] == []
    (record,) = report.records
    assert [link.url for link in record.links] == [link["url"] for link in TWO_LINKS]
    assert record.links[0].label == "Rapport (PDF) / Report (PDF)" and record.links[1].label is None


@pytest.mark.parametrize("name", ["fi-sample-city-guidance.yaml", "ref-sample-guidance-report.yaml"])
def test_the_same_link_twice_is_refused(tmp_path, name):
    report = _check(tmp_path, _good(name, links=[TWO_LINKS[0], TWO_LINKS[0]]))
    assert [(p.field, p.rule) for p in report.errors] == [("links", "duplicate-value")]


@pytest.mark.parametrize("name", ["fi-sample-city-guidance.yaml", "ref-sample-guidance-report.yaml"])
def test_a_record_from_the_guide_may_have_no_link_but_a_contribution_needs_one(tmp_path, name):
    from_guide = _good(name, links=[])
    assert _check(tmp_path, from_guide).ok
    contributed = {**from_guide, "source": {"document": "contribution"}}
    report = _check(tmp_path, contributed)
    assert [p.rule for p in report.errors] == ["required"]
    assert "needs at least one public link" in report.errors[0].message
    assert _check(tmp_path, {**contributed, "links": TWO_LINKS[:1]}).ok


def test_a_reference_without_links_field_is_valid_from_the_guide(tmp_path):
    data = _good("ref-sample-guidance-report.yaml")
    del data["links"]
    assert _check(tmp_path, data).ok


def test_completed_from_link_needs_a_link_and_filled_fields(tmp_path):
    assert _check(tmp_path, _good("ref-sample-guidance-report.yaml", completed_from_link=["publisher", "year"])).ok
    no_link = _check(tmp_path, _good("ref-sample-guidance-report.yaml", completed_from_link=["publisher"], links=[]))
    assert [p.rule for p in no_link.errors] == ["required"] and "has no links" in no_link.errors[0].message
    empty = _good("ref-sample-guidance-report.yaml", completed_from_link=["year"])
    del empty["year"]
    report = _check(tmp_path, empty)
    assert [p.rule for p in report.errors] == ["required"] and "year" in report.errors[0].message
    unknown = _check(tmp_path, _good("ref-sample-guidance-report.yaml", completed_from_link=["description"]))
    assert [p.rule for p in unknown.errors] == ["vocabulary"]


def test_fix_moves_an_old_reference_url_into_links(tmp_path, runner):
    data = _good("ref-sample-guidance-report.yaml")
    url = data.pop("links")[0]["url"]
    old = {**{k: v for k, v in data.items() if k != "language"}, "url": url, "language": data["language"]}
    path = tmp_path / f"{old['id']}.yaml"
    import yaml

    path.write_text(yaml.safe_dump(old, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [p.rule for p in check_paths([path], collection=tmp_path).errors] == ["unknown-key"]
    result = runner.invoke(app, ["validate", "--fix", str(path)])
    assert result.exit_code == 0, result.output
    assert "url: moved into links" in result.output
    fixed = check_paths([path], collection=tmp_path)
    assert fixed.ok and [link.url for link in fixed.records[0].links] == [url]
