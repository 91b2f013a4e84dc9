"""The knowledge base: every example and reference of the guide, counted and checked."""

import json

import pytest

from kb.cli import app
from kb.records.framework import get_framework
from kb.records.models import Practice, Reference
from kb.records.stats import compute, known_gaps
from kb.records.validate import load_records

fw = get_framework()
records = load_records()
practices = [r for r in records if isinstance(r, Practice)]
references = [r for r in records if isinstance(r, Reference)]

# counted in the guide: example paragraphs per theme (see README, "The knowledge base")
PRACTICES_BY_PRIMARY_THEME = {1: 9, 2: 11, 3: 7, 4: 13, 5: 8, 6: 14}
COUNTRIES = {"BE", "BG", "DE", "EE", "FI", "GR", "HU", "IT", "LT", "MT", "NO", "PL", "RS", "SE", "TR"}


def test_practice_and_reference_counts():
    assert len(practices) == 62
    assert len(references) == 43


def test_practices_per_theme_they_are_listed_under():
    counted = {n: sum(1 for p in practices if p.themes[0] == n) for n in range(1, 7)}
    assert counted == PRACTICES_BY_PRIMARY_THEME


def test_fifteen_countries():
    assert {p.country for p in practices} == COUNTRIES


@pytest.mark.parametrize("number", range(1, 7))
def test_each_theme_has_practices_and_references(number):
    assert any(number in p.themes for p in practices)
    assert any(number in r.themes for r in references)


def test_first_success_factor_belongs_to_the_primary_theme():
    for p in practices:
        assert fw.success_factors[p.success_factors[0]][0] == p.themes[0], p.id


def test_every_record_cites_the_guide():
    for r in records:
        assert r.source.document == "boite-a-outils-integration-fr" and r.source.section, r.id


def test_related_links_go_both_ways():
    by_id = {p.id: p for p in practices}
    for p in practices:
        for other in p.related:
            if other in by_id:
                assert p.id in by_id[other].related, f"{other} should list {p.id} in related"


def test_uncovered_items_are_exactly_the_documented_holes():
    stats = compute(records, fw)
    gaps = known_gaps()
    assert set(stats["uncovered_checklist_items"]) == set(gaps["checklist_items"])
    assert set(stats["uncovered_success_factors"]) == set(gaps["success_factors"])


def test_kb_stats_json(runner):
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["practices"] == 62 and data["references"] == 43
    assert data["by_country"]["PL"] == sum(1 for p in practices if p.country == "PL")
    assert set(data["by_theme"]) == {"1", "2", "3", "4", "5", "6"}
    for key in ("by_success_factor", "by_dimension", "by_target_group", "by_sector",
                "uncovered_checklist_items", "uncovered_success_factors"):
        assert key in data


def test_kb_stats_text_shows_the_holes(runner):
    result = runner.invoke(app, ["stats", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "62 practices from 15 countries, 43 references" in result.output
    for item in known_gaps()["checklist_items"]:
        assert item in result.output


def test_documented_holes_name_real_framework_ids():
    gaps = known_gaps()
    assert set(gaps["checklist_items"]) <= set(fw.checklist_items)
    assert set(gaps["success_factors"]) <= set(fw.success_factors)
