"""Country names and typos resolve to ISO codes; names come from Babel's CLDR data."""

import pytest

from kb.records import countries


@pytest.mark.parametrize("text", ["FI", "fi", "Finlande", "finland", "FINLAND", "finlnd", "Finlnde"])
def test_finland_in_every_spelling(text):
    assert countries.resolve(text) == "FI"


@pytest.mark.parametrize(
    "text, code",
    [("Norvège", "NO"), ("norvege", "NO"), ("Norway", "NO"), ("Turkey", "TR"), ("Turquie", "TR"),
     ("Serbie", "RS"), ("Pologne", "PL"), ("Grèce", "GR"), ("Allemagne", "DE"), ("Suède", "SE")],
)
def test_french_and_english_names(text, code):
    assert countries.resolve(text) == code


def test_unknown_input_resolves_to_nothing():
    assert countries.resolve("xx") is None
    assert countries.resolve("Atlantis of the north") is None
    assert countries.resolve("") is None


def test_249_iso_codes_with_names_in_both_languages():
    assert len(countries.codes()) == 249
    assert countries.name("FI", "fr") == "Finlande" and countries.name("FI", "en") == "Finland"


def test_suggestions_rank_the_right_country_first():
    assert countries.suggest("Finlnd")[0].code == "FI"
