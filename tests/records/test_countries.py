"""Country names and typos resolve to ISO codes; names come from Babel's CLDR data."""

import json
import subprocess
import sys

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


def test_the_names_file_holds_cldrs_names():
    ours = json.loads(countries.NAMES_FILE.read_text(encoding="utf-8"))
    cldr = countries.from_cldr()
    differ = {code: (ours["names"].get(code), cldr["names"].get(code))
              for code in ours["names"].keys() | cldr["names"].keys()
              if ours["names"].get(code) != cldr["names"].get(code)}
    assert not differ, (f"kb/records/country-names.json (CLDR {ours['cldr']}) and Babel's CLDR {cldr['cldr']} "
                        f"differ: {differ}; run `make countries`")


def test_country_names_need_no_babel_at_run_time():
    # Babel's whole locale data cost every process 10 MB and 50 ms; the names file replaces it
    code = ("import sys; from kb.records import countries, models; from kb.search import engine; "
            "assert countries.name('GR', 'en') == 'Greece' and countries.resolve('Grèce') == 'GR'; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
