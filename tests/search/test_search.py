"""Search: French- and English-aware, typo-tolerant, faceted, on the real knowledge base."""

from __future__ import annotations

import json
import shutil
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli import app
from kb.search.filters import FilterError, Filters
from kb.search.indexer import build, current, ensure, field_text
from kb.paths import PRACTICES_DIR
from kb.search.engine import SearchIndex, may_miss
from kb.search.suggestions import candidates, max_edits
from kb.records.validate import RecordsError

from ..conftest import FIXTURES


@pytest.fixture(scope="module")
def index_dir(practices_index):
    return practices_index


@pytest.fixture(scope="module")
def ix(index_dir):
    index = SearchIndex(index_dir)
    yield index
    index.close()


def ids(ix, query, **kw):
    return {h.id for h in ix.search(query, limit=100, **kw).results}


@pytest.mark.parametrize(
    "variants",
    [
        ["réfugiées", "refugiees", "RÉFUGIÉES"],
        ["l'intégration", "l’intégration", "intégration", "integration"],
        ["d'hébergement", "hébergement", "hebergement"],
        ["Gdańsk", "gdansk", "GDANSK"],
        ["Hämeenlinna", "hameenlinna"],
    ],
)
def test_accented_unaccented_and_elided_forms_find_the_same_records(ix, variants):
    results = [ids(ix, v) for v in variants]
    assert results[0], variants[0]
    assert all(r == results[0] for r in results)


def test_a_french_query_finds_other_forms_of_the_word(ix):
    # the Tandem record says "logement"; the query says "logements"
    assert "it-ciac-tandem-housing" in ids(ix, "logements")
    # the Womento record says "marraine"; the query says "marraines"
    assert "fi-womento-mentoring" in ids(ix, "marraines")


def test_an_english_query_finds_a_practice_through_its_english_text(ix):
    found = ids(ix, "volunteered peers")
    assert "rs-refugees-for-refugees" in found


def test_the_thesaurus_bridges_languages(ix):
    assert ids(ix, "logement") == ids(ix, "housing")
    assert "fi-womento-mentoring" in ids(ix, "mentorat")
    assert {"gr-kethea-addiction-support", "rs-jrs-pedro-arrupe-home"} <= ids(ix, "santé mentale")
    assert ids(ix, "santé mentale") == ids(ix, "mental health")


def test_records_matching_every_word_come_first_then_those_missing_one(ix):
    result = ix.search("discrimination au logement", limit=100)
    assert result.mode == "partial" and result.full_matches >= 1
    full = result.results[:result.full_matches]
    assert all(not h.missing for h in full)
    partial = result.results[result.full_matches:]
    assert partial and all(len(h.missing) == 1 for h in partial)
    assert {h.missing[0] for h in partial} <= {"discrimination", "logement"}
    assert "be-brussels-anti-racism-plan" in {h.id for h in partial}  # discrimination, not housing
    assert "it-ciac-tandem-housing" in {h.id for h in partial}  # housing, not discrimination
    assert result.total == len(result.results)


def test_two_names_list_both_records_each_missing_the_other_name(ix):
    result = ix.search("Womento Kiron", limit=50)
    missing = {h.id: h.missing for h in result.results}
    assert missing == {"fi-womento-mentoring": ["Kiron"], "de-kiron-online-university": ["Womento"]}
    assert result.mode == "partial" and result.full_matches == 0
    exact = ix.search("Womento mentoring", limit=50)
    assert exact.full_matches == 1 and exact.results[0].id == "fi-womento-mentoring" and not exact.results[0].missing
    assert all(h.missing == ["Womento"] for h in exact.results[1:])


def test_a_record_may_miss_one_word_of_a_short_query_and_a_third_of_a_long_one():
    assert [may_miss(n) for n in range(1, 10)] == [0, 1, 1, 1, 1, 2, 2, 2, 3]


def test_a_rare_word_weighs_more_than_a_common_one(ix):
    # "Womento" is in one record, "réfugiés" in most: a record holding only the rare word comes
    # before every record holding only the common one
    result = ix.search("Womento réfugiés", limit=100)
    assert result.results[0].id == "fi-womento-mentoring"
    assert all(h.missing == ["Womento"] for h in result.results[1:])


def test_totals_and_facets_count_exactly_the_listed_records(ix):
    result = ix.search("participation des réfugiés aux décisions", limit=100)
    assert result.total == len(result.results) > result.full_matches >= 1
    themes: dict[str, int] = {}
    for hit in result.results:
        for t in hit.themes:
            themes[str(t)] = themes.get(str(t), 0) + 1
    assert result.facets["theme"] == dict(sorted(themes.items(), key=lambda kv: (-kv[1], kv[0])))


def test_quoted_phrases_and_filters_keep_their_strict_meaning(ix):
    result = ix.search('"garde d’enfants" femmes', limit=100)
    assert result.results and all("garde d’enfants" not in h.missing for h in result.results)
    phrase_only = ids(ix, '"garde d’enfants"')
    assert {h.id for h in result.results} == phrase_only
    poland = ix.search("discrimination au logement", Filters.parse({"country": ["PL"]}), limit=100)
    assert poland.results and {h.country for h in poland.results} == {"PL"}


def test_a_word_no_record_holds_is_reported_missing_without_hiding_the_others(ix):
    result = ix.search("logement xyzzyq", limit=100)
    assert result.total == ix.search("logement").total
    assert all(h.missing == ["xyzzyq"] for h in result.results) and result.full_matches == 0


def test_a_record_about_a_concept_outranks_one_that_names_it_once(ix):
    # "HLM" is in no record: its thesaurus group (social housing) and the broader one (housing) are;
    # the records about housing come before those that mention it in passing
    top = [h.id for h in ix.search("HLM", limit=3).results]
    housing = {"pl-welcome-home-housing", "pl-lublin-family-support-housing", "it-ciac-tandem-housing",
               "pl-warsaw-witek-family-support"}
    assert set(top) <= housing
    assert ix.search("sans-abri").results[0].id == "pl-welcome-home-housing"  # the record naming homelessness
    assert ix.search("drug abuse").results[0].id == "gr-kethea-addiction-support"


def test_a_french_question_word_does_not_search(ix):
    asked = ix.search("comment consulter les réfugiés", limit=100)
    plain = ix.search("consulter les réfugiés", limit=100)
    assert asked.results and [h.id for h in asked.results] == [h.id for h in plain.results]


def test_quoted_phrases_are_stricter_than_words(ix):
    phrase = ids(ix, '"garde d’enfants"')
    words = ids(ix, "garde enfants")
    assert phrase and phrase <= words
    assert "pl-ocalenie-my-chance-in-poland" in phrase


def test_a_typo_gets_a_suggestion_and_corrected_results(ix):
    result = ix.search("logemnt")
    assert result.suggestion == "logement"
    assert result.corrected and result.total == ix.search("logement").total
    assert ix.search("logement").suggestion is None


def test_a_correction_is_plausible_or_not_offered(ix):
    assert (max_edits("ab"), max_edits("logis"), max_edits("logement")) == (0, 1, 2)
    words = [c.word for c in candidates("conjugales", ix._vocab, ix._frequency)]
    assert "consultes" not in words
    assert ix.search("violences conjugales").suggestion in (None, "violences conjugales")
    assert ix.search("qzxwvk").suggestion is None


def test_a_correction_prefers_the_guides_vocabulary_and_common_words(ix):
    found = candidates("integraton", ix._vocab, ix._frequency)
    assert found[0].word == "integration" and found[0].edits == 1
    assert [c.cost for c in found] == sorted(c.cost for c in found)


def test_nothing_found_offers_near_terms_themes_and_factors(ix):
    sweden = Filters.parse({"country": ["SE"]})
    result = ix.search("bénévolat", sweden)
    assert result.total == 0 and result.alternatives is not None
    assert ("theme", "5") in {(link.kind, link.id) for link in result.alternatives.links}
    for term in result.alternatives.terms:
        assert ix.search(term, sweden).total
    near = ix.search("mentoratxyz")  # three edits from any word: no correction
    assert near.total == 0 and near.suggestion is None and "mentorat" in near.alternatives.terms
    assert all(ix.search(term).total for term in near.alternatives.terms)
    assert ix.search("logement").alternatives is None


def test_nothing_found_in_the_cli_points_somewhere(runner, index_dir):
    result = runner.invoke(app, ["search", "bénévolat", "--country", "SE", "--index-dir", str(index_dir)])
    assert result.exit_code == 0
    assert "0 résultats" in result.output and "Thématique 5" in result.output and "kb search" in result.output


def test_a_typo_beside_a_good_word_is_corrected_too(ix):
    result = ix.search("santé mentalle")
    assert result.suggestion == "santé mentale" and result.corrected
    assert "gr-kethea-addiction-support" in {h.id for h in result.results}


@pytest.mark.parametrize("typed", ["FI", "fi", "Finlande", "finland", "finlnd"])
def test_country_filters_accept_names_codes_and_typos(ix, typed):
    filters = Filters.parse({"country": [typed]})
    assert filters.values == {"country": ["FI"]}
    result = ix.search("", filters, limit=100)
    assert result.total == 13 and {h.country for h in result.results} == {"FI"}


def test_an_unknown_filter_value_is_an_error_listing_close_matches():
    with pytest.raises(FilterError) as exc:
        Filters.parse({"sector": ["xyzzy"]})
    assert "sector" in str(exc.value)
    with pytest.raises(FilterError) as exc:
        Filters.parse({"country": ["Atlantis"]})
    assert "did you mean" in str(exc.value)


def test_filters_combine_within_and_across_facets(ix):
    fi_or_se = ix.search("", Filters.parse({"country": ["FI", "Suède"]}), limit=100)
    assert {h.country for h in fi_or_se.results} == {"FI", "SE"}
    fi_theme5 = ix.search("", Filters.parse({"country": ["FI"], "theme": ["5"]}), limit=100)
    assert fi_theme5.total > 0 and all(h.country == "FI" and 5 in h.themes for h in fi_theme5.results)
    refs = ix.search("", Filters.parse({"kind": ["référence"]}), limit=100)
    assert refs.total == 43 and {h.kind for h in refs.results} == {"reference"}


def test_facets_count_what_the_results_hold(ix):
    result = ix.search("femmes", limit=100)
    assert result.total == len(result.results)
    countries = {}
    for hit in result.results:
        if hit.country:
            countries[hit.country] = countries.get(hit.country, 0) + 1
    assert result.facets["country"] == dict(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0])))
    themes = {}
    for hit in result.results:
        for t in hit.themes:
            themes[str(t)] = themes.get(str(t), 0) + 1
    assert result.facets["theme"] == {k: themes[k] for k in result.facets["theme"]}
    assert set(result.facets["theme"]) == set(themes)


def test_pagination_splits_the_same_total(ix):
    first = ix.search("intégration", limit=5, page=1)
    second = ix.search("intégration", limit=5, page=2)
    assert first.total == second.total > 10
    assert not {h.id for h in first.results} & {h.id for h in second.results}
    assert first.pages == (first.total + 4) // 5


def test_sort_by_date_puts_the_newest_first(ix):
    result = ix.search("", Filters.parse({"kind": ["practice"]}), limit=100, sort="date")
    years = [h.year or 0 for h in result.results]
    assert years == sorted(years, reverse=True) and years[0] >= 2021


def test_snippets_highlight_matches_and_escape_the_rest(ix):
    hit = ix.search("logement", limit=1).results[0]
    assert "<mark>" in hit.snippet
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_more_like_this(ix):
    similar = [h.id for h in ix.similar("pl-welcome-home-housing", limit=5)]
    assert "pl-welcome-home-housing" not in similar and len(similar) == 5
    assert "pl-lublin-family-support-housing" in similar
    with pytest.raises(KeyError):
        ix.similar("no-such-record")


def test_a_failed_build_keeps_the_old_index_serving(tmp_path):
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    directory = tmp_path / "index"
    first = build(records, directory)
    ix = SearchIndex(directory)
    assert ix.search("Sampleville").total == 1
    shutil.copy(FIXTURES / "bad" / "range.yaml", records / "range.yaml")
    with pytest.raises(RecordsError):
        build(records, directory)
    assert current(directory).path == first.path
    gen, failure = ensure(records, directory)
    assert gen.path == first.path and failure is not None
    assert not ix.refresh() and ix.search("Sampleville").total == 1


def test_a_build_with_worker_processes_makes_the_same_index(index_dir, ix, tmp_path, monkeypatch):
    import kb.records.validate

    monkeypatch.setattr(kb.records.validate, "PARALLEL_FROM", 1)  # the knowledge base is small: use workers anyway
    gen = build(PRACTICES_DIR, tmp_path / "index", processes=3)
    serial = current(index_dir)
    for name in ("catalogue.jsonl", *(f"columns/{p.name}" for p in (serial.path / "columns").iterdir())):
        assert (gen.path / name).read_bytes() == (serial.path / name).read_bytes(), name
    assert (gen.path / "vocab.json").read_text() == (serial.path / "vocab.json").read_text()
    other = SearchIndex(tmp_path / "index")
    try:
        for query in ("logement", "santé mentale", '"garde d’enfants"', ""):
            a, b = ix.search(query), other.search(query)
            assert [(h.id, h.score, h.snippet) for h in a.results] == [(h.id, h.score, h.snippet) for h in b.results]
            assert a.facets == b.facets
    finally:
        other.close()


def test_a_build_indexed_by_two_writer_processes_answers_the_same(index_dir, ix, tmp_path, monkeypatch):
    import kb.search.indexer
    from kb.search.columns import Table

    monkeypatch.setattr(kb.search.indexer, "WRITER_PROCS_FROM", 1)  # the knowledge base is small: split it anyway
    monkeypatch.setattr(kb.search.indexer, "WRITER_BATCH", 7)
    gen = build(PRACTICES_DIR, tmp_path / "index", processes=2)
    serial = current(index_dir)
    other = SearchIndex(tmp_path / "index")
    try:
        assert len(other._searcher.reader().leaf_readers()) == 2  # one segment per writer process
        # documents are numbered per segment, and the columns follow the index's own numbering
        rows = Table.read(gen.path, kb.search.indexer.FACETS).rows()
        assert [r[0] for r in rows] == list(other._searcher.reader().column_reader("id")) != sorted(r[0] for r in rows)
        assert sorted(rows) == sorted(Table.read(serial.path, kb.search.indexer.FACETS).rows())
        for query, filters in (("logement", {}), ("santé mentale", {}), ('"garde d’enfants"', {}), ("", {}),
                               ("emploi", {"country": ["PL", "FI"]}), ("", {"theme": ["4"]})):
            for page, sort in ((1, "relevance"), (2, "relevance"), (1, "date")):
                a = ix.search(query, Filters.parse(filters), page=page, sort=sort, limit=5)
                b = other.search(query, Filters.parse(filters), page=page, sort=sort, limit=5)
                assert a.model_dump() == b.model_dump(), (query, filters, page, sort)
        some = ix.ids()[:5]
        assert [ix.similar(i) for i in some] == [other.similar(i) for i in some]
    finally:
        other.close()


def test_a_build_with_worker_processes_reports_bad_records_the_same(tmp_path, monkeypatch):
    import kb.records.validate

    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    shutil.copy(FIXTURES / "bad" / "range.yaml", records / "range.yaml")
    with pytest.raises(RecordsError) as serial:
        build(records, tmp_path / "a", processes=1)
    monkeypatch.setattr(kb.records.validate, "PARALLEL_FROM", 1)
    with pytest.raises(RecordsError) as parallel:
        build(records, tmp_path / "b", processes=2)
    assert parallel.value.report.render() == serial.value.report.render()
    assert current(tmp_path / "b") is None and not list((tmp_path / "b").glob(".build-*"))


def test_a_killed_build_leaves_nothing_readers_see(tmp_path):
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    directory = tmp_path / "index"
    first = build(records, directory)
    (directory / ".build-killed").mkdir()  # what a build killed half-way leaves behind
    (directory / ".build-killed" / "_MAIN_1.toc").write_text("half")
    assert current(directory).path == first.path
    second = build(records, directory)
    assert not (directory / ".build-killed").exists()
    assert current(directory).path == second.path


def test_ensure_rebuilds_only_when_records_change(tmp_path):
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    directory = tmp_path / "index"
    first, _ = ensure(records, directory)
    again, _ = ensure(records, directory)
    assert again.path == first.path
    ix = SearchIndex(directory)
    text = (records / "fi-sample-city-guidance.yaml").read_text().replace("Sampleville Adult", "Sampleville Adult Learning")
    (records / "fi-sample-city-guidance.yaml").write_text(text)
    rebuilt, failure = ensure(records, directory)
    assert failure is None and rebuilt.path != first.path
    assert ix.refresh() and ix.search("learning").total == 1


def test_cli_index_and_search(runner, tmp_path, monkeypatch):
    directory = tmp_path / "index"
    built = runner.invoke(app, ["index", "--index-dir", str(directory)])
    assert built.exit_code == 0 and "Indexed 62 practices and 43 references" in built.output
    fresh = runner.invoke(app, ["index", "--index-dir", str(directory)])
    assert "Index is up to date: 105 records" in fresh.output
    result = runner.invoke(app, ["search", "logemnt", "--country", "Pologne", "--json", "--index-dir", str(directory)])
    data = json.loads(result.output)
    assert set(data) >= {"query", "total", "results", "facets", "suggestion"}
    assert data["suggestion"] == "logement" and data["total"] > 0
    assert set(data["results"][0]) >= {"id", "kind", "title", "country", "themes", "score", "snippet"}
    assert all(h["country"] == "PL" for h in data["results"])
    table = runner.invoke(app, ["search", "mentoring", "--lang", "en", "--index-dir", str(directory)])
    assert table.exit_code == 0 and "fi-womento-mentoring" in table.output
    bad = runner.invoke(app, ["search", "x", "--country", "Atlantis", "--index-dir", str(directory)])
    assert bad.exit_code == 2 and "--country: 'Atlantis' matches no country" in bad.output
    sim = runner.invoke(app, ["similar", "pl-welcome-home-housng", "--index-dir", str(directory)])
    assert sim.exit_code == 2 and "did you mean pl-welcome-home-housing?" in sim.output


def test_cli_index_fails_cleanly_on_bad_records(runner, tmp_path, monkeypatch):
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    shutil.copy(FIXTURES / "bad" / "range.yaml", records / "range.yaml")
    monkeypatch.setenv("KB_PRACTICES_DIR", str(records))
    result = runner.invoke(app, ["index", "--index-dir", str(tmp_path / "index")])
    assert result.exit_code == 1
    assert "[range]" in result.output and "Index not built" in result.output


_SNIPPET_WORDS = ["logement", "logements", "Logé", "accès", "au", "de", "la", "ville", "familles", "réfugiées",
                  "emploi", "école", "x" * 30, "bénévoles", "accompagnement", "quartier"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_SNIPPET_WORDS), min_size=1, max_size=300), st.integers(1, 3))
def test_snippets_stop_scanning_where_nothing_more_can_show(words, fragments):
    import kb.search.engine
    from kb.search.analysis import index_term

    text = " ".join(words)
    wanted = {index_term("logement", "fr", 2), index_term("emploi", "fr", 2)}

    def every_span(text, wanted, lang, width, fragments):
        return [(m.start(), m.end()) for m in kb.search.engine._WORD.finditer(text)
                if index_term(m.group().lower(), lang, 2) in wanted]

    fast = kb.search.engine.mark(text, wanted, "fr", fragments=fragments)
    with patch.object(kb.search.engine, "_spans", every_span):
        assert fast == kb.search.engine.mark(text, wanted, "fr", fragments=fragments)


@pytest.mark.parametrize("field,word", [("body_fr", "logement"), ("body_en", "housing"), ("title_fr", "jeunes"),
                                        ("names", "gdansk"), ("tags_en", "education"), ("synonyms", "g1")])
def test_array_scores_are_whooshs_bm25f(ix, field, word, monkeypatch):
    from whoosh.query import Term

    from kb.search.analysis import english_analyzer, french_analyzer

    token = word
    if field.endswith("_fr"):
        token = analyze_one(french_analyzer(), word)
    elif field.endswith("_en"):
        token = analyze_one(english_analyzer(), word)
    ids_, scores = ix._cols.term(field, token)
    assert len(ids_), f"{word!r} should be in {field}"
    # the average field length is the mean of the live documents' lengths as the index stores them
    # (one byte each), where Whoosh divides the sum of the exact lengths: nearly the same
    exact = ix._searcher.avg_field_length(field)
    assert ix._cols._avg[field] == pytest.approx(exact, rel=0.03)
    monkeypatch.setattr(ix._searcher, "avg_field_length", lambda name, default=None: ix._cols._avg[name])
    whoosh = {hit.docnum: hit.score for hit in ix._searcher.search(Term(field, token), limit=None)}
    assert set(ids_.tolist()) == set(whoosh)
    for docnum, score in zip(ids_.tolist(), scores.tolist()):
        assert score == pytest.approx(whoosh[docnum], rel=1e-4)


def analyze_one(analyzer, word):
    return [t.text for t in analyzer(word)][0]


def test_an_index_without_its_columns_file_still_searches_the_same(index_dir, ix, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    gen = current(copy)
    shutil.rmtree(gen.path / "columns")
    other = SearchIndex(copy)
    try:
        for query, filters in (("logement", {}), ("", {"country": ["PL"]}), ('"garde d’enfants"', {})):
            a = ix.search(query, Filters.parse(filters))
            b = other.search(query, Filters.parse(filters))
            assert (a.total, [h.id for h in a.results], a.facets) == (b.total, [h.id for h in b.results], b.facets)
    finally:
        other.close()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aeiouéèêàçœæİıßﬁ’'- .,;ABÉÈŒ\u0301stnrl0123")), max_size=80))
def test_the_set_of_terms_of_a_text_is_what_the_analyzers_make(text):
    # the build finds thesaurus groups and the typo vocabulary from word sets, without the analyzers
    import re

    from kb.search.analysis import analyze, english_analyzer, fold, french_analyzer, surface_words, terms_of

    assert terms_of(text, "fr") == set(analyze(french_analyzer(), text))
    assert terms_of(text, "en") == set(analyze(english_analyzer(), text))
    # the words as the index's tokenizer splits them (a combining accent splits, as in the index), folded
    folded = {fold(w) for w in re.findall(r"\w+", text)}
    assert surface_words(text) == {w for w in folded if len(w) >= 3 and not w.isdigit()}


def test_phrases_compared_in_bulk_find_what_whooshs_phrase_query_finds(ix):
    """Every 2- and 3-word run of every record's bodies and titles, and runs with a repeated word."""
    import random

    from whoosh.query import Phrase

    from kb.search.analysis import analyze, english_analyzer, french_analyzer

    rng = random.Random(7)
    checked = 0
    for docnum in range(ix._cols.n):
        stored = ix._searcher.stored_fields(docnum)
        for field, analyzer in (("body_fr", french_analyzer()), ("body_en", english_analyzer()),
                                ("title_fr", french_analyzer()), ("title_en", english_analyzer())):
            tokens = analyze(analyzer, field_text(stored["record"], field))
            for _ in range(3):
                if len(tokens) < 3:
                    break
                start, size = rng.randrange(len(tokens) - 2), rng.choice([2, 3])
                words = tokens[start:start + size]
                for phrase in (words, [words[0], words[0]], [words[-1], *words]):
                    found, _ = ix._cols.phrase(field, phrase)
                    expected = sorted(h.docnum for h in ix._searcher.search(Phrase(field, phrase), limit=None))
                    assert found.tolist() == expected, (field, phrase)
                    checked += 1
    assert checked > 500


def test_the_costliest_requests_do_bounded_work(ix):
    """A 500-character query of distinct unknown words, repeated words, the deepest page: the work is
    counted (words searched, corrections looked up, records read), not timed."""
    import random
    import string

    import kb.search.engine
    from kb.search.engine import MAX_CORRECTIONS, MAX_PARTS, MAX_QUERY_LENGTH

    rng = random.Random(11)
    unknown = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
                       for _ in range(90))[:MAX_QUERY_LENGTH]
    assert len(unknown.split()) > 2 * MAX_PARTS
    counts = {"unit": 0, "candidates": 0, "stored": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)
        return wrapper

    with patch.object(SearchIndex, "_unit", counting("unit", SearchIndex._unit)), \
            patch.object(kb.search.engine, "candidates", counting("candidates", kb.search.engine.candidates)):
        result = ix.search(unknown)
    assert counts["unit"] <= 2 * MAX_PARTS  # the query, then at most its correction
    assert counts["candidates"] <= MAX_CORRECTIONS
    assert result.total == 0 and result.alternatives is not None

    counts["unit"] = 0
    with patch.object(SearchIndex, "_unit", counting("unit", SearchIndex._unit)):
        ix.search(" ".join(["logement", "emploi", "santé"] * 40))
    assert counts["unit"] == 3  # a repeated word is searched once

    searcher = ix._searcher
    with patch.object(searcher, "stored_fields", counting("stored", searcher.stored_fields)):
        deep = ix.search("", page=10_000, limit=100)
        assert deep.results == [] and counts["stored"] == 0
        ix.search("logement", page=2, limit=5)
        assert counts["stored"] == 5  # only the page's records are read
