"""The framework data matches the guide: counts pinned from a reading of the guide."""

from __future__ import annotations

import json

import pytest

from kb.cli import app
from kb.records.framework import get_framework

fw = get_framework()

# counted in the guide (sections 5.1-5.6, 6, 7, 8)
SUCCESS_FACTORS = {1: 5, 2: 4, 3: 5, 4: 5, 5: 7, 6: 4}
CHECKLIST_ITEMS = {1: 10, 2: 15, 3: 17, 4: 19, 5: 9, 6: 10}
BENEFITS = {1: 5, 2: 8, 3: 6, 4: 8, 5: 7, 6: 5}
INDICATORS = {
    "inclusivity-participation": 11,
    "relevance-complementarity": 9,
    "effectiveness": 6,
    "sustainability": 4,
    "partnership-cooperation": 4,
}
QUESTIONS = {
    "inclusivity-participation": 3,
    "relevance-complementarity": 4,
    "effectiveness": 1,
    "sustainability": 2,
    "partnership-cooperation": 2,
}


def test_six_themes_in_order():
    assert [t.number for t in fw.themes] == [1, 2, 3, 4, 5, 6]
    assert [t.section for t in fw.themes] == ["5.1", "5.2", "5.3", "5.4", "5.5", "5.6"]


@pytest.mark.parametrize("number", range(1, 7))
def test_each_theme_has_the_guides_factors_items_and_benefits(number):
    theme = fw.theme_by_number[number]
    assert len(theme.success_factors) == SUCCESS_FACTORS[number]
    assert len(theme.checklist) == CHECKLIST_ITEMS[number]
    assert len(theme.benefits) == BENEFITS[number]
    assert [i.id for i in theme.checklist] == [f"T{number}-{n:02d}" for n in range(1, CHECKLIST_ITEMS[number] + 1)]


def test_totals():
    assert len(fw.success_factors) == 30
    assert len(fw.checklist_items) == 80
    assert len(fw.general_checklist.items) == 13
    assert len(fw.indicators) == 34
    assert len(fw.glossary.terms) == 19


def test_theme_four_second_list_is_for_local_authorities_only():
    theme = fw.theme_by_number[4]
    marked = [i.id for i in theme.checklist if i.audience == "local-authorities"]
    assert marked == ["T4-15", "T4-16", "T4-17", "T4-18", "T4-19"]
    assert [lst.id for lst in theme.checklist_lists] == ["support-actors", "local-authorities"]
    assert all(t.checklist_lists is None for t in fw.themes if t.number != 4)


def test_theme_three_notes_that_some_tasks_do_not_apply_to_ngos():
    assert fw.theme_by_number[3].checklist_note is not None
    assert all(t.checklist_note is None for t in fw.themes if t.number != 3)


def test_every_checklist_item_serves_factors_of_its_own_theme():
    for number, item in fw.checklist_items.values():
        assert item.success_factors
        assert all(fw.success_factors[sf][0] == number for sf in item.success_factors)


def test_every_success_factor_is_served_by_some_checklist_item():
    served = {sf for _, item in fw.checklist_items.values() for sf in item.success_factors}
    assert served == set(fw.success_factors)


def test_general_items_sum_up_existing_theme_items_and_cover_them_all():
    summed = [ref for item in fw.general_checklist.items for ref in item.sums_up]
    assert set(summed) <= set(fw.checklist_items)
    assert set(summed) == set(fw.checklist_items)


def test_five_dimensions_with_their_questions_and_indicators():
    assert list(fw.dimensions) == list(INDICATORS)
    for dim in fw.grid.dimensions:
        assert len(dim.questions) == QUESTIONS[dim.id]
        assert len(dim.indicators) == INDICATORS[dim.id]


def test_facets_cover_the_audiences_the_guide_names():
    actors = set(fw.facet("actor_types"))
    assert {"local-authority", "national-authority", "civil-society-organisation", "refugee-led-organisation",
            "faith-based-organisation", "education-institution", "private-sector"} <= actors
    sectors = set(fw.facet("sectors"))
    assert {"housing", "employment", "education", "language", "health", "legal-aid", "information"} <= sectors
    assert len(fw.facet("target_groups")) >= 15


def test_every_text_has_french_and_english_that_differ():
    texts = [t.title for t in fw.themes] + [sf.name for _, sf in fw.success_factors.values()]
    texts += [i.text for _, i in fw.checklist_items.values()] + [i.text for _, i in fw.indicators.values()]
    texts += [g.definition for g in fw.glossary.terms]
    assert all(t.fr and t.en and t.fr != t.en for t in texts)


def test_kb_themes_json_shape(runner):
    result = runner.invoke(app, ["themes", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    theme = data["themes"][0]
    assert theme["number"] == 1 and set(theme["title"]) == {"fr", "en"}
    assert {"id", "name"} <= set(theme["success_factors"][0])
    item = theme["checklist"][0]
    assert item["id"] == "T1-01" and set(item["text"]) == {"fr", "en"} and item["success_factors"]
    assert [g["id"] for g in data["general_checklist"]][:2] == ["G-01", "G-02"]
    assert [d["id"] for d in data["dimensions"]] == list(INDICATORS)
    assert {"id", "text"} <= set(data["dimensions"][0]["indicators"][0])
    assert sum(len(d["indicators"]) for d in data["dimensions"]) == 34


def test_kb_themes_text_in_each_language(runner):
    fr = runner.invoke(app, ["themes"])
    en = runner.invoke(app, ["themes", "--lang", "en"])
    assert fr.exit_code == en.exit_code == 0
    assert fw.theme_by_number[4].title.fr in fr.output and fw.theme_by_number[4].title.en in en.output
    assert "T4-19 (local authorities)" in en.output and "T4-19 (autorités locales)" in fr.output
    assert "PC-04" in en.output
