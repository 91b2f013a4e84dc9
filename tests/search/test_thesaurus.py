"""The French <-> English thesaurus: its file, its broader groups, its checks and its lookups."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search.analysis import analyze, english_analyzer, fold, french_analyzer
from kb.records.framework import get_framework
from kb.search.indexer import document
from kb.paths import FRAMEWORK_DIR, PRACTICES_DIR
from kb.search.thesaurus import Thesaurus, ThesaurusError, _stems, get_thesaurus, load_thesaurus
from kb.records.validate import check_file

THESAURUS = FRAMEWORK_DIR / "thesaurus.yaml"


@lru_cache(maxsize=1)
def thesaurus() -> Thesaurus:
    return load_thesaurus(THESAURUS)


@lru_cache(maxsize=1)
def record_texts() -> list[tuple[str, str, str]]:
    """(id, French text, English text) of every record of practices/, as the index hands them to
    ``groups_in`` (title, body and tag names; see kb/search/indexer.py)."""
    out = []
    for path in sorted(PRACTICES_DIR.glob("*.yaml")):
        checked, _ = check_file(path)
        if checked.record is None:  # a record being edited: the validation tests speak of it
            continue
        doc = document(checked.record)
        out.append((doc["id"], f"{doc['title_fr']} {doc['body_fr']} {doc['tags_fr']}",
                    f"{doc['title_en']} {doc['body_en']} {doc['tags_en']}"))
    return out


def framework_texts() -> list[tuple[str, str]]:
    """(French, English) pairs of the framework's names: theme titles, success factors, checklist
    items, general checklist, glossary terms and facet labels (with their short descriptions)."""
    fw = get_framework()
    pairs = []
    for theme in fw.themes:
        pairs.append((theme.title.fr, theme.title.en))
        for sf in theme.success_factors:
            pairs += [(sf.name.fr, sf.name.en), (sf.description.fr, sf.description.en)]
        pairs += [(item.text.fr, item.text.en) for item in theme.checklist]
    pairs += [(item.text.fr, item.text.en) for item in fw.general_checklist.items]
    pairs += [(term.term.fr, term.term.en) for term in fw.glossary.terms]
    for facet in ("actor_types", "target_groups", "sectors"):
        for term in fw.facet(facet).values():
            pairs += [(term.name.fr, term.name.en), (term.description.fr, term.description.en)]
    return pairs


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thesaurus.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ThesaurusError) as err:
        load_thesaurus(path)
    return err.value.problems


# -- the file -------------------------------------------------------------------------------------

def test_the_thesaurus_file_parses_into_several_hundred_groups():
    t = thesaurus()
    assert len(t.groups) >= 300
    assert all(len(group) >= 2 for group in t.groups)
    assert sum(1 for b in t.broader if b) >= 100  # narrower concepts name their broader one


def test_no_term_is_repeated_within_a_group():
    for group in thesaurus().groups:
        folded = [fold(term) for term in group]
        assert len(folded) == len(set(folded)), group


def test_no_two_groups_hold_the_same_terms():
    seen = {}
    for n, group in enumerate(thesaurus().groups):
        key = frozenset(fold(term) for term in group)
        assert key not in seen, (n, seen.get(key), group)
        seen[key] = n


def test_every_group_finds_a_record_or_names_a_framework_term():
    # a record "holds" a group as the index sees it: groups_in on its French and English texts
    t = thesaurus()
    in_records = {n for _, fr, en in record_texts() for n in t.groups_in(fr, en)}
    in_framework = {n for fr, en in framework_texts() for n in t.groups_in(fr, en)}
    orphans = [group[:3] for n, group in enumerate(t.groups)
               if n not in in_records and n not in in_framework
               and not any(b in in_records for b in t.broader[n])]
    assert not orphans


def test_the_index_build_uses_the_same_thesaurus_as_this_test():
    assert get_thesaurus().groups == thesaurus().groups
    assert get_thesaurus().broader == thesaurus().broader


# -- what practitioners type ------------------------------------------------------------------------

def test_hlm_expands_to_social_housing():
    terms = thesaurus().expand("HLM")
    assert "logement social" in terms and "social housing" in terms


def test_sans_abri_has_the_housing_group_as_its_broader_concept():
    t = thesaurus()
    broader = [t.groups[n] for n in t.broader_of("sans-abri")]
    assert any("logement" in group and "housing" in group for group in broader)
    assert t.broader_of("SDF") == t.broader_of("homelessness") == t.broader_of("sans-abri")


def test_lecture_and_lire_are_in_one_group():
    t = thesaurus()
    assert set(t.groups_of("lecture")) & set(t.groups_of("lire"))
    assert "reading" in t.expand("lire")


def test_drug_abuse_expands_to_addiction():
    assert "addiction" in thesaurus().expand("drug abuse")
    assert "toxicomanie" in thesaurus().expand("substance abuse")


def test_violences_conjugales_expands_to_domestic_violence():
    t = thesaurus()
    assert "domestic violence" in t.expand("violences conjugales")
    assert "violence domestique" in t.expand("domestic violence")
    assert not set(t.groups_of("violences conjugales")) & set(t.groups_of("gender-based violence"))


def test_acronyms_reach_their_full_names_in_both_languages():
    t = thesaurus()
    for acronym, full in (("MNA", "unaccompanied minor"), ("UAM", "mineur non accompagné"),
                          ("AMIF", "Fonds asile migration et intégration"), ("FSE", "European Social Fund"),
                          ("OIM", "International Organization for Migration"), ("HCR", "UNHCR"),
                          ("ONG", "NGO"), ("CSO", "organisation de la société civile"),
                          ("EMN", "Réseau européen des migrations"), ("SDF", "homeless")):
        assert full in t.expand(acronym), acronym


def test_participation_and_decision_making_are_different_concepts():
    t = thesaurus()
    assert not set(t.groups_of("participation")) & set(t.groups_of("prise de décision"))


def test_a_word_already_in_the_broader_group_gets_no_broader_weight():
    t = Thesaurus([["logement", "housing"], ["sans-abri", "homeless"], ["abri", "shelter"]],
                  broader=[[], [0], [0, 1]])
    assert t.broader_of("homeless") == [0]
    assert t.broader_of("logement") == []
    assert t.broader_of("unknown word") == []
    assert t.broader_of("shelter") == [0, 1]


# -- the two forms and the checks -------------------------------------------------------------------

def test_plain_and_broader_groups_mix_in_one_file(tmp_path):
    path = write(tmp_path, """
groups:
  - [logement, housing]
  - terms: [sans-abri, homeless]
    broader: logement
  - terms: [hébergement d'urgence, emergency shelter]
    broader: [logement, homeless]
""")
    t = load_thesaurus(path)
    assert t.groups == [["logement", "housing"], ["sans-abri", "homeless"], ["hébergement d'urgence", "emergency shelter"]]
    assert t.broader == [[], [0], [0, 1]]
    assert t.broader_of("emergency shelter") == [0, 1]
    assert t.expand("homeless") == ["sans-abri"]


def test_a_broader_term_that_no_group_holds_is_an_error_naming_file_line_and_group(tmp_path):
    path = write(tmp_path, "groups:\n  - [logement, housing]\n  - terms: [sans-abri, homeless]\n    broader: logment\n")
    [problem] = problems_of(path)
    assert problem == f"{path}:4: group 2: broader 'logment' names no group's term; name a term of another group"


def test_an_empty_term_is_an_error(tmp_path):
    path = write(tmp_path, 'groups:\n  - [logement, housing]\n  - [santé, "", health]\n')
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3: group 2: term 2 is empty")


def test_a_group_of_one_term_is_an_error(tmp_path):
    path = write(tmp_path, "groups:\n  - [logement, housing]\n  - terms: [santé]\n")
    [problem] = problems_of(path)
    assert problem == f"{path}:3: group 2: has 1 term(s); a group needs at least 2"


@pytest.mark.parametrize("text, expected", [
    ("groups:\n  - [logement, housing, Housing]\n", "group 1: 'Housing' repeats 'housing'"),
    ("groups:\n  - [logement, housing]\n  - [housing, logement]\n", "group 2: holds the same terms as group 1"),
    ("groups:\n  - [alpha, beta]\n  - [gamma, delta]\n  - terms: [epsilon, zeta]\n    broader: alpha\n", ""),
    ("groups:\n  - [logement, housing]\n  - terms: [abri, shelter]\n    broader: abri\n",
     "group 2: broader 'abri' is a term of this very group"),
    ("groups:\n  - [logement, housing]\n  - [habitat, housing]\n  - terms: [abri, shelter]\n    broader: housing\n",
     "group 3: broader 'housing' is a term of several groups (1, 2)"),
    ("groups:\n  - terms: [logement, housing]\n    broader: shelter\n  - terms: [abri, shelter]\n    broader: housing\n",
     "its broader groups lead back to it (a cycle)"),
    ("groups:\n  - terms: [logement, housing]\n    narrower: abri\n", "group 1: unknown key 'narrower'"),
    ("groups:\n  - [logement, 2020]\n", "group 1: term 2 is 2020, not text; write it in quotes"),
    ("groups:\n  - [a, logement, housing]\n", "group 1: 'a' has no searchable word (only stop words)"),
    ("groups:\n  - logement\n", "group 1: expected a list of terms"),
    ("groups:\n  - [logement, NO]\n", "unquoted NO is read as a boolean"),
    ("groups: [logement\n", "YAML syntax error"),
    ("- [logement, housing]\n", "expected a mapping with a list of groups under 'groups'"),
])
def test_bad_thesaurus_files_give_clear_errors(tmp_path, text, expected):
    path = write(tmp_path, text)
    if not expected:  # the one good file of the list
        assert load_thesaurus(path).broader == [[], [], [0]]
        return
    problems = problems_of(path)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(f"{path}:") for p in problems)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = write(tmp_path, "groups:\n  - [logement]\n  - [santé, '']\n  - terms: [abri, shelter]\n    broader: nothing\n")
    problems = problems_of(path)
    assert [re.match(r".*?:(\d+): group (\d+)", p).groups() for p in problems] == [
        ("2", "1"), ("3", "2"), ("5", "3")]


def test_a_missing_file_is_reported_with_its_name(tmp_path):
    with pytest.raises(ThesaurusError, match="nothing.yaml: cannot be read"):
        load_thesaurus(tmp_path / "nothing.yaml")


# -- lookups ------------------------------------------------------------------------------------------

def test_groups_in_finds_exactly_what_the_loop_over_every_group_finds_in_every_record():
    t = thesaurus()
    for _, fr, en in record_texts():
        assert t.groups_in(fr, en) == t.groups_in_slow(fr, en) == list(t.group_counts(fr, en))
    for fr, en in framework_texts():
        assert t.groups_in(fr, en) == t.groups_in_slow(fr, en) == list(t.group_counts(fr, en))


def _vocabulary() -> list[str]:
    words = {w for group in thesaurus().groups for term in group for w in re.findall(r"\w+", term)}
    return sorted(words) + ["logements", "Réfugiées", "l'accueil", "d’emploi", "xyz", "the", "de"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_vocabulary()), max_size=40), st.lists(st.sampled_from(_vocabulary()), max_size=40))
def test_groups_in_finds_exactly_what_the_loop_finds_in_generated_texts(fr_words, en_words):
    t = thesaurus()
    fr, en = " ".join(fr_words), " ".join(en_words)
    assert t.groups_in(fr, en) == t.groups_in_slow(fr, en)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aeiouéèêàçœæıßﬁ’'- .,;ABÉŒstnrl0123")), max_size=60))
def test_term_stems_are_what_the_analyzers_make(text):
    assert _stems(text, "fr") == analyze(french_analyzer(), text)
    assert _stems(text, "en") == analyze(english_analyzer(), text)


def test_groups_of_and_expand_still_serve_search():
    t = thesaurus()
    assert "housing" in t.expand("logements")
    assert t.groups_of("santé mentale") == t.groups_of("mental health")
    assert t.groups_of("Réfugiées") == t.groups_of("refugee")
    assert t.groups_of("a word no group holds") == []
    assert t.expand("xyzzy") == []


# -- the analysed thesaurus kept on disk ------------------------------------------------------------

def test_the_analysed_state_rebuilds_the_same_thesaurus():
    t = thesaurus()
    again = Thesaurus.from_state(json.loads(json.dumps(t.state())))
    assert (again.groups, again.broader) == (t.groups, t.broader)
    for word in ("HLM", "sans-abri", "lire", "drug abuse", "participation", "mental health"):
        assert (again.groups_of(word), again.broader_of(word), again.expand(word)) == (
            t.groups_of(word), t.broader_of(word), t.expand(word))
    for _, fr, en in record_texts()[:20]:
        assert again.groups_in(fr, en) == t.groups_in(fr, en)


def test_get_thesaurus_keeps_the_analysed_file_in_its_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, "groups:\n  - [logement, housing]\n  - terms: [sans-abri, homeless]\n    broader: logement\n")
    get_thesaurus.cache_clear()
    try:
        first = get_thesaurus(path)
        [cached] = (tmp_path / "cache").glob("thesaurus-*.json")
        get_thesaurus.cache_clear()
        assert get_thesaurus(path).broader_of("homeless") == first.broader_of("homeless") == [0]
        cached.write_text("{not json", encoding="utf-8")  # a damaged cache is ignored and rewritten
        get_thesaurus.cache_clear()
        assert get_thesaurus(path).expand("housing") == ["logement"]
        assert json.loads(cached.read_text(encoding="utf-8"))["groups"][0] == ["logement", "housing"]
        path.write_text("groups:\n  - [logement, housing, accommodation]\n", encoding="utf-8")
        get_thesaurus.cache_clear()
        assert get_thesaurus(path).expand("housing") == ["logement", "accommodation"]  # a new file, a new entry
        assert len(list((tmp_path / "cache").glob("thesaurus-*.json"))) == 1
    finally:
        get_thesaurus.cache_clear()


def test_get_thesaurus_works_when_its_cache_folder_cannot_be_written(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("KB_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot be created
    path = write(tmp_path, "groups:\n  - [logement, housing]\n")
    get_thesaurus.cache_clear()
    try:
        assert get_thesaurus(path).expand("logement") == ["housing"]
    finally:
        get_thesaurus.cache_clear()


def test_group_counts_count_each_occurrence_of_a_group_present_in_the_texts():
    th = thesaurus()
    fr = "Le logement social, puis d'autres logements ; un hébergement. Santé mentale."
    counts = th.group_counts(fr, "Housing.")
    housing = th.groups_of("logement")[0]
    social = th.groups_of("logement social")[0]
    mental = th.groups_of("santé mentale")[0]
    assert set(counts) == set(th.groups_in(fr, "Housing."))
    assert counts[housing] == 4  # logement, logements, hébergement, housing
    assert counts[social] == 1 and counts[mental] == 1
    assert max(th.group_counts("logement " * 50, "", most=8).values()) == 8
