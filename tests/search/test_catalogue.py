"""What a web worker opens instead of the record files: the catalogue of briefs and the memory-mapped
columns the build wrote beside the index, and full records read from the index on demand."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from kb.search import catalogue
from kb.assess.answers import parse_answers
from kb.search.catalogue import Brief
from kb.search.columns import Table
from kb.web.feed import Timeline
from kb.records.framework import get_framework
from kb.assess.grid import parse_grid, score
from kb.search.indexer import FACETS, current, facet_values
from kb.paths import PRACTICES_DIR
from kb.assess.recommend import Recommender
from kb.search.engine import SearchIndex
from kb.web.service import Service, Settings
from kb.records.stats import compute
from kb.records.validate import load_records


@pytest.fixture(scope="module")
def records():
    return load_records()


@pytest.fixture(scope="module")
def briefs(practices_index):
    return catalogue.read(current(practices_index).path)


def test_the_catalogue_holds_a_brief_of_every_record(records, briefs):
    assert sorted(b.id for b in briefs) == sorted(r.id for r in records)
    for record in records:
        brief = Brief.of(record)
        assert Brief.from_json(json.loads(json.dumps(brief.to_json()))) == brief
        assert facet_values(brief) == facet_values(record)
    by_id = {b.id: b for b in briefs}
    practice = next(r for r in records if r.kind == "practice" and len(r.summary.fr) > 300)
    brief = by_id[practice.id]
    assert (brief.title.fr, brief.title.en, brief.country, brief.year_started) == (
        practice.title.fr, practice.title.en, practice.country, practice.year_started)
    assert practice.summary.fr.startswith(brief.summary.fr) and len(brief.summary.fr) == catalogue.SUMMARY_CHARS


def test_briefs_give_the_same_counts_recommendations_grid_and_timeline_as_full_records(records, briefs, practices_index):
    fw = get_framework()
    assert compute(briefs, fw) == compute(records, fw)
    index = SearchIndex(practices_index)
    try:
        full, light = Recommender(records, index), Recommender(briefs, index)
        for text in ("ticked: [T1-01, T2-03]\ncountry: PL\nactor_type: municipality\n", "ticked: []\n",
                     "ticked: [T3-09]\ncountry: FI\n"):
            answers = parse_answers(text)
            assert light.report(answers, lang="fr") == full.report(answers, lang="fr")
    finally:
        index.close()
    grid = parse_grid('{"ratings": {"IP-01": "not-met", "IP-02": "partly"}}')
    assert score(grid, briefs) == score(grid, records)
    assert [(c.record.id, c.date, c.kind) for c in Timeline(briefs).latest(limit=1000)] == [
        (c.record.id, c.date, c.kind) for c in Timeline(records).latest(limit=1000)]


def test_columns_are_written_once_and_memory_mapped(practices_index, records):
    path = current(practices_index).path
    table = Table.read(path, FACETS)
    assert isinstance(table.year, np.memmap) and all(isinstance(f.docs, np.memmap) for f in table.facets.values())
    rows = table.rows()
    assert sorted(i for i, _, _ in rows) == sorted(r.id for r in records)
    by_id = {r.id: r for r in records}
    for record_id, year, facets in rows:
        expected = {k: v for k, v in facet_values(by_id[record_id]).items() if v}
        assert facets == expected
        assert year == (getattr(by_id[record_id], "year_started", None) or getattr(by_id[record_id], "year", None) or 0)


def test_a_worker_opens_what_the_build_wrote_and_validates_no_record_file(practices_index, tmp_path, monkeypatch,
                                                                         records):
    import kb.records.validate

    index = tmp_path / "index"
    shutil.copytree(practices_index, index)

    def refuse(*args, **kwargs):
        raise AssertionError("a worker validated the record files")

    monkeypatch.setattr(kb.records.validate, "load_records", refuse)
    monkeypatch.setattr(kb.records.validate, "check_paths", refuse)
    svc = Service(Settings(practices=PRACTICES_DIR, index=index))
    try:
        assert all(isinstance(b, Brief) for b in svc.briefs) and len(svc.briefs) == len(records)
        by_id = {r.id: r for r in records}
        some = [svc.practices[0].id, svc.references[0].id]
        for record_id in some:
            assert svc.record(record_id) == by_id[record_id]  # the full record, read from the index
        assert svc.record("no-such-record") is None
        # summaries stay in the catalogue file until a page asks for one, even once the generation is pruned
        assert svc.wait_until_warm(timeout=60)
        eager = {b.id: b for b in catalogue.read(current(index).path)}
        assert all(b.summary_text is None for b in svc.briefs)
        shutil.rmtree(current(index).path)
        assert all(b.summary == eager[b.id].summary for b in svc.briefs)
        assert [r.id for r in svc.full_records()] == [b.id for b in svc.practices + svc.references]
        assert svc.wait_until_warm(timeout=60)
    finally:
        svc.close()


def test_an_index_without_its_catalogue_still_serves_every_record(practices_index, tmp_path, records):
    index = tmp_path / "index"
    shutil.copytree(practices_index, index)
    (current(index).path / catalogue.FILE).unlink()
    svc = Service(Settings(practices=PRACTICES_DIR, index=index))
    try:
        assert sorted(b.id for b in svc.briefs) == sorted(r.id for r in records)
    finally:
        svc.close()


def test_background_linking_waits_for_a_pause_in_requests(practices_index, tmp_path, monkeypatch):
    import kb.web.service

    index = tmp_path / "index"
    shutil.copytree(practices_index, index)
    monkeypatch.setattr(kb.web.service, "IDLE_S", 3600.0)  # requests never pause long enough
    svc = Service(Settings(practices=PRACTICES_DIR, index=index))
    try:
        svc.touch()
        linked = len(svc.recommender._order)
        assert not svc.wait_until_warm(timeout=0.5)
        assert len(svc.recommender._order) <= linked + 1  # at most the item under way when the request came
        monkeypatch.setattr(kb.web.service, "IDLE_S", 0.0)  # a pause
        assert svc.wait_until_warm(timeout=60)
        assert set(svc.recommender._order) == set(get_framework().checklist_items)
    finally:
        svc.close()
