"""Updating the index in place: `kb index` with a current index deletes and adds the documents of the
changed record files only, and the result searches exactly as an index built afresh from the same
records."""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import kb.search.indexer
from kb.search import catalogue
from kb.cli import app
from kb.search.columns import Table
from kb.search.filters import Filters
from kb.search.indexer import FACETS, build, current, ensure, is_fresh, listing, plan
from kb.paths import FRAMEWORK_DIR, PRACTICES_DIR
from kb.search.engine import SearchIndex
from kb.records.validate import RecordsError, collect

from ..conftest import FIXTURES

ADDED, CHANGED, REMOVED = "pl-welcome-home-housing-copy", "fi-womento-mentoring", "de-hamburg-empower-van"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _age(records: Path, seconds: float = 3600) -> None:
    """Date the record files back, as files written long before the build that indexes them."""
    then = time.time() - seconds
    for path in records.rglob("*.yaml"):
        os.utime(path, (then, then))


def _copy_records(tmp: Path) -> Path:
    records = tmp / "records"
    shutil.copytree(PRACTICES_DIR, records)
    # a word only the record to be removed has, and one only the record to be changed has (and loses)
    _edit(records / f"{REMOVED}.yaml", "The van gives women", "The xylozorb van gives women")
    _edit(records / f"{CHANGED}.yaml", "Womento staff", "Womento quintzorb staff")
    _age(records)
    return records


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    """An index built, then updated with one record added, one changed and one removed; and an index
    built afresh from the same final records."""
    tmp = tmp_path_factory.mktemp("incremental")
    records = _copy_records(tmp)
    first = build(records, tmp / "updated")
    before = _hashes(first.path)
    text = (records / "pl-welcome-home-housing.yaml").read_text(encoding="utf-8")
    text = text.replace("id: pl-welcome-home-housing", f"id: {ADDED}", 1)
    text = text.replace("graduated subletting of flats", "graduated addzorb subletting of flats", 1)
    (records / f"{ADDED}.yaml").write_text(text, encoding="utf-8")
    _edit(records / f"{CHANGED}.yaml", "Womento quintzorb staff", "Womento staff")
    _edit(records / f"{CHANGED}.yaml", "entirely free of charge", "entirely free of charge, newzorb")
    (records / f"{REMOVED}.yaml").unlink()
    second = build(records, tmp / "updated")
    fresh = build(records, tmp / "fresh")
    a, b = SearchIndex(tmp / "updated"), SearchIndex(tmp / "fresh")
    yield {"records": records, "first": first, "before": before, "second": second, "fresh": fresh, "a": a, "b": b}
    a.close()
    b.close()


def test_the_update_says_what_it_did(updated):
    meta, fresh = updated["second"].meta, updated["fresh"].meta
    assert (meta["built"], meta["added"], meta["changed"], meta["removed"]) == ("incremental", 1, 1, 1)
    assert fresh["built"] == "full" and fresh["reason"] == "no index yet"
    assert updated["first"].meta["built"] == "full"
    for key in ("records", "practices", "references", "fingerprint"):
        assert meta[key] == fresh[key], key
    assert meta["documents"] == meta["records"] + 2  # the removed and the former changed documents, deleted
    assert current(updated["second"].path.parent).path == updated["second"].path


QUERIES = [
    # single words, several words, phrases, misspelt words
    ("logement", {}, {}), ("housing", {}, {}), ("mentoring", {}, {}), ("womento", {}, {}), ("newzorb", {}, {}),
    ("addzorb", {}, {}), ("xylozorb", {}, {}), ("quintzorb", {}, {}), ("santé mentale", {}, {}),
    ("emploi des femmes migrantes", {}, {}), ("refugee families housing Poland", {}, {}),
    ("comment consulter les réfugiés", {}, {}), ('"garde d’enfants"', {}, {}), ('"welcome home"', {}, {}),
    ('"Empower Van"', {}, {}), ("logemnt", {}, {}), ("mentorng womn", {}, {}), ("integraton", {}, {}),
    ("xylozorbe", {}, {}),
    # filters alone, filters and words, sorting, pages
    ("", {}, {}), ("", {"country": ["PL"]}, {}), ("", {"kind": ["reference"]}, {}), ("", {"theme": ["5"]}, {}),
    ("", {"country": ["DE"]}, {}), ("logement", {"country": ["PL"]}, {}), ("femmes", {"theme": ["2"]}, {}),
    ("mentoring", {"kind": ["practice"]}, {"sort": "date"}), ("", {}, {"sort": "date", "limit": 20}),
    ("intégration", {}, {"page": 2}), ("", {}, {"page": 3, "limit": 7}), ("réfugiés", {}, {"page": 2, "sort": "date"}),
    ("housing", {}, {"lang": "en"}),
]


@pytest.mark.parametrize("query,filters,options", QUERIES)
def test_an_updated_index_searches_as_one_built_afresh(updated, query, filters, options):
    a, b = updated["a"], updated["b"]
    fa, fb = Filters.parse(filters), Filters.parse(filters)
    ra, rb = a.search(query, fa, **options), b.search(query, fb, **options)
    assert ra.model_dump() == rb.model_dump()
    # the scores before rounding, to the last bit
    parts = a.split(ra.suggestion if ra.corrected else query)
    ma, mb = a._ranked(parts, a._filter_mask(fa)), b._ranked(parts, b._filter_mask(fb))
    assert ma.total == mb.total and ma.full == mb.full
    if ma.order is not None:
        da, db = np.flatnonzero(ma.mask), np.flatnonzero(mb.mask)
        assert dict(zip((a._cols.ids[d] for d in da), ma.order[da].tolist())) == \
            dict(zip((b._cols.ids[d] for d in db), mb.order[db].tolist()))


def test_text_matches_similar_records_and_counts_are_the_same(updated):
    a, b = updated["a"], updated["b"]
    for text in ("Un logement pour les familles réfugiées en Pologne", "mentoring for migrant women newzorb",
                 "accompagnement vers l'emploi et cours de langue", "Empower Van Hamburg women safety"):
        assert a.text_matches(text) == b.text_matches(text), text
    for record_id in (ADDED, CHANGED, "pl-welcome-home-housing", "it-ciac-tandem-housing", "fi-etno-advisory-board"):
        for lang in ("fr", "en"):
            assert [h.model_dump() for h in a.similar(record_id, lang=lang)] == \
                [h.model_dump() for h in b.similar(record_id, lang=lang)], record_id
    assert REMOVED not in {h.id for h in a.similar("pl-welcome-home-housing", limit=100)}
    assert sorted(a.ids()) == sorted(b.ids()) and len(a.ids()) == updated["second"].meta["records"]
    assert a.get(CHANGED) == b.get(CHANGED) and "newzorb" in a.get(CHANGED)["summary"]["en"]
    assert a.get(REMOVED) is None
    assert a.search("").facets == b.search("").facets
    assert a._cols._avg == b._cols._avg  # the average field lengths, to the last bit
    for word in ("logement", "womento", "van", "empower", "hamburg"):
        for field in ("body_fr", "body_en", "names", "title_en"):
            assert a._cols.doc_frequency(field, word) == b._cols.doc_frequency(field, word), (field, word)
            assert a._cols.frequency(field, word) == b._cols.frequency(field, word), (field, word)
    assert a._frequency("logement") == b._frequency("logement")


def test_a_removed_record_is_gone_from_everything(updated):
    a, gen = updated["a"], updated["second"]
    assert a.search("xylozorb").total == 0 and a.search("quintzorb").total == 0
    assert a.search('"Empower Van"').total == 0
    assert a.search("newzorb").total == 1 and a.search("addzorb").total == 1
    ids = [json.loads(line)["id"] for line in catalogue.read_lines(gen.path)]
    assert REMOVED not in ids and ADDED in ids and ids.count(CHANGED) == 1
    table = Table.read(gen.path, FACETS)
    assert REMOVED not in table.ids and table.ids.count(CHANGED) == 1
    vocab = json.loads((gen.path / "vocab.json").read_text(encoding="utf-8"))
    counts = json.loads((gen.path / "vocab-counts.json").read_text(encoding="utf-8"))
    first = json.loads((updated["first"].path / "vocab.json").read_text(encoding="utf-8"))
    assert {"xylozorb", "quintzorb"} <= set(first)
    assert not {"xylozorb", "quintzorb"} & set(vocab) and not {"xylozorb", "quintzorb"} & set(counts)
    assert {"newzorb", "addzorb"} <= set(vocab) and sorted(counts) == vocab
    manifest = json.loads((gen.path / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert f"{REMOVED}.yaml" not in manifest and f"{ADDED}.yaml" in manifest


def test_the_update_writes_the_same_catalogue_and_vocabulary_as_a_full_build(updated):
    one, other = updated["second"].path, updated["fresh"].path
    for name in ("catalogue.jsonl", "vocab.json", "vocab-counts.json"):
        assert (one / name).read_bytes() == (other / name).read_bytes(), name
    a, b = Table.read(one, FACETS), Table.read(other, FACETS)
    assert sorted((i, y, {k: sorted(v) for k, v in f.items()}) for i, y, f in a.rows() if i) == \
        sorted((i, y, {k: sorted(v) for k, v in f.items()}) for i, y, f in b.rows())
    assert {k: f.values for k, f in a.facets.items()} == {k: f.values for k, f in b.facets.items()}


def test_the_update_leaves_the_previous_generation_as_it_was(updated):
    first = updated["first"].path
    assert _hashes(first) == updated["before"]
    linked = [p for p in updated["second"].path.iterdir() if p.name.startswith("MAIN_") and p.stat().st_nlink > 1]
    assert linked, "the segment files of the previous generation are hard-linked, not copied"
    assert not (updated["second"].path / "book").exists()
    import whoosh.index

    with whoosh.index.open_dir(str(first)).searcher() as s:  # it still opens, with what it held
        assert s.document_number(id=REMOVED) is not None and not s.reader().has_deletions()


@pytest.fixture
def small(tmp_path):
    records = _copy_records(tmp_path)
    directory = tmp_path / "index"
    first = build(records, directory)
    return records, directory, first


def test_the_freshness_check_reads_no_unchanged_record_file(small, monkeypatch):
    records, directory, _ = small  # record files dated back before the build (not "racily clean")
    read: list[Path] = []
    original = pathlib.Path.read_bytes

    def counting(self):
        read.append(self)
        return original(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", counting)
    assert is_fresh(records, directory)
    gen, failure = ensure(records, directory)
    assert failure is None and gen.path == current(directory).path
    assert not [p for p in read if records in p.parents]
    # a file touched but not changed is read (and still fresh); a changed one is read, and only it
    os.utime(records / f"{CHANGED}.yaml")
    assert is_fresh(records, directory)
    assert [p for p in read if records in p.parents] == [records / f"{CHANGED}.yaml"]
    read.clear()
    _edit(records / "it-ciac-tandem-housing.yaml", "kind: practice", "kind: practice\n")
    todo = plan(records, directory)
    assert not todo.fresh and todo.changes.changed == ["it-ciac-tandem-housing.yaml"]
    assert sorted(p.name for p in read if records in p.parents) == [f"{CHANGED}.yaml", "it-ciac-tandem-housing.yaml"]


def test_the_listing_is_what_the_validator_collects(tmp_path):
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    (records / "sub" / "deeper").mkdir(parents=True)
    (records / "sub" / "deeper" / "z.yml").write_text("x: 1\n")
    (records / "sub" / "a.yaml").write_text("x: 1\n")
    (records / ".hidden.yaml").write_text("x: 1\n")
    (records / "notes.txt").write_text("x\n")
    (records / "a-folder.yaml").mkdir()
    assert [rel for rel, _, _ in listing(records)] == [p.relative_to(records).as_posix() for p in collect([records])]
    assert [rel for rel, _, _ in listing(PRACTICES_DIR)] == [p.relative_to(PRACTICES_DIR).as_posix()
                                                             for p in collect([PRACTICES_DIR])]


def test_a_framework_change_rebuilds_everything(small, tmp_path, monkeypatch):
    records, directory, first = small
    framework = tmp_path / "framework"
    shutil.copytree(FRAMEWORK_DIR, framework)
    with (framework / "thesaurus.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the file\n")
    monkeypatch.setattr(kb.search.indexer, "FRAMEWORK_DIR", framework)
    assert not is_fresh(records, directory)
    assert plan(records, directory).reason == "framework changed"
    gen = build(records, directory)
    assert (gen.meta["built"], gen.meta["reason"]) == ("full", "framework changed")
    again = build(records, directory)
    assert again.meta["built"] == "incremental"
    assert build(records, directory, full=True).meta["reason"] == "asked for"


def test_an_invalid_changed_record_leaves_the_current_index_serving(small):
    records, directory, first = small
    _edit(records / f"{CHANGED}.yaml", 'country: "FI"', 'country: "Atlantis"')
    with pytest.raises(RecordsError) as failed:
        build(records, directory)
    assert "[vocabulary]" in str(failed.value) and f"{CHANGED}.yaml" in str(failed.value)
    assert current(directory).path == first.path and not list(directory.glob(".build-*"))
    gen, failure = ensure(records, directory)
    assert gen.path == first.path and failure is not None
    ix = SearchIndex(directory)
    try:
        assert ix.search("quintzorb").total == 1  # the record as it was indexed
    finally:
        ix.close()


@pytest.mark.parametrize("case", ["related-to-removed", "duplicate-id", "related-unknown"])
def test_checks_over_the_whole_collection_report_what_a_full_build_reports(small, tmp_path, case):
    records, directory, first = small
    if case == "related-to-removed":  # an unchanged record names a record that is removed
        (records / "bg-sofia-information-bureau.yaml").unlink()
    elif case == "duplicate-id":  # a record in a subfolder with the id of an unchanged one
        (records / "sub").mkdir()
        shutil.copy(records / "pl-welcome-home-housing.yaml", records / "sub" / "pl-welcome-home-housing.yaml")
    else:
        _edit(records / f"{CHANGED}.yaml", "related: []", "related: [pl-welcome-home-housng]")
    with pytest.raises(RecordsError) as incremental:
        build(records, directory)
    with pytest.raises(RecordsError) as full:
        build(records, tmp_path / "afresh")
    assert current(directory).path == first.path
    assert [str(p) for p in incremental.value.report.errors] == [str(p) for p in full.value.report.errors]
    assert {"related-to-removed": "[related]", "duplicate-id": "[duplicate-id]",
            "related-unknown": "did you mean 'pl-welcome-home-housing'?"}[case] in str(incremental.value)


def test_many_updates_merge_small_segments_and_still_search_the_same(small, tmp_path):
    records, directory, _ = small
    source = (records / "pl-welcome-home-housing.yaml").read_text(encoding="utf-8")
    for n in range(kb.search.indexer.SMALL_SEGMENTS + 3):
        text = source.replace("id: pl-welcome-home-housing", f"id: pl-welcome-home-housing-{n}", 1)
        (records / f"pl-welcome-home-housing-{n}.yaml").write_text(text, encoding="utf-8")
        if n % 3 == 2:  # and a record added before changed again: its document deleted from a small segment
            _edit(records / f"pl-welcome-home-housing-{n - 1}.yaml", "Welcome Home est", f"Welcome Home (n°{n}) est")
        assert build(records, directory).meta["built"] == "incremental"
    import whoosh.index

    segments = whoosh.index.open_dir(str(current(directory).path)).reader().leaf_readers()
    assert len(segments) <= kb.search.indexer.SMALL_SEGMENTS + 2
    build(records, tmp_path / "afresh")
    a, b = SearchIndex(directory), SearchIndex(tmp_path / "afresh")
    try:
        for query in ("welcome home", "logement", "", '"sous-location progressive"', "n°10"):
            assert a.search(query, limit=50).model_dump() == b.search(query, limit=50).model_dump(), query
        assert [h.id for h in a.similar("pl-welcome-home-housing-4")] == [h.id for h in b.similar("pl-welcome-home-housing-4")]
    finally:
        a.close()
        b.close()


def test_many_changed_records_rebuild_everything(small):
    records, directory, _ = small
    for path in sorted(records.glob("*.yaml"))[:60]:
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n")
    gen = build(records, directory)
    assert (gen.meta["built"], gen.meta["reason"]) == ("full", "too many deleted documents")
    assert gen.meta["changed"] == 60


def test_an_unreadable_generation_is_rebuilt(small):
    records, directory, first = small
    (first.path / "catalogue.jsonl").write_text("", encoding="utf-8")
    _edit(records / f"{CHANGED}.yaml", "Womento quintzorb staff", "Womento's staff")
    gen = build(records, directory)
    assert gen.meta["built"] == "full" and "could not be updated" in gen.meta["reason"]
    (gen.path / "manifest.json").unlink()
    assert build(records, directory).meta["reason"] == "the index has no readable manifest"


def test_cli_index_says_whether_it_updated_or_rebuilt(runner, tmp_path, monkeypatch):
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    monkeypatch.setenv("KB_PRACTICES_DIR", str(records))
    directory = str(tmp_path / "index")
    first = runner.invoke(app, ["index", "--index-dir", directory])
    assert first.exit_code == 0 and "(full rebuild: no index yet) in " in first.output
    assert first.output.startswith("Indexed ")
    _edit(records / "fi-sample-city-guidance.yaml", "Sampleville Adult", "Sampleville Adult Learning")
    second = runner.invoke(app, ["index", "--index-dir", directory])
    assert second.exit_code == 0 and "(incremental: 0 added, 1 changed, 0 removed) in " in second.output
    assert "Index is up to date" in runner.invoke(app, ["index", "--index-dir", directory]).output
    forced = runner.invoke(app, ["index", "--index-dir", directory, "--full"])
    assert forced.exit_code == 0 and "(full rebuild: asked for)" in forced.output
