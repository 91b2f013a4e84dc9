"""Interface strings as gettext catalogs: every message translated in French and English, the catalogs
in step with what Babel extracts from the code and templates (babel.cfg), no raw key on a page, and
the catalogs shipped with the package."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from html.parser import HTMLParser

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.util import pathmatch
from fastapi.testclient import TestClient

from kb.paths import PRACTICES_DIR, ROOT
from kb.web import book
from kb.web.app import Settings, create_app
from kb.web.i18n import DOMAIN, ENGLISH_NOTE, LANGS, LOCALE_DIR, catalogs, gettext_callables, translator

POT = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "N_": None}  # as `make messages`: pybabel extract -k t -k N_


def _read(path, locale=None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _ids(catalog) -> set[str]:
    return {m.id for m in catalog if m.id}


def _mapping():
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        return parse_mapping_cfg(f)


def extracted() -> set[str]:
    method_map, options_map = _mapping()
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map, KEYWORDS):
        ids.update(message if isinstance(message, tuple) else (message,))
    return ids - {None, ""}


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_has_a_translation(lang):
    pot = _ids(_read(POT))
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang)
    assert _ids(catalog) == pot, f"{lang}: the catalog is stale: run `make messages`"
    assert [m.id for m in catalog if m.id and not m.string] == [], f"{lang}: messages without a translation"
    assert [m.id for m in catalog if m.id and m.fuzzy] == [], f"{lang}: fuzzy translations"
    assert list(catalog.obsolete) == [], f"{lang}: obsolete messages"


def test_the_template_holds_exactly_what_babel_extracts():
    found = extracted()
    pot = _ids(_read(POT))
    assert sorted(found - pot) == [], "strings of the code or templates missing from the catalogs: run `make messages`"
    assert sorted(pot - found) == [], "catalog messages no code or template uses any more: run `make messages`"


@pytest.mark.parametrize("catalog", [POT] + [LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for lang in LANGS],
                         ids=["template"] + list(LANGS))
def test_every_message_shows_translators_its_english_text(catalog):
    english = catalogs()["en"]
    notes = {m.id: " ".join(" ".join(m.auto_comments).split()) for m in _read(catalog) if m.id}  # as wrapped
    assert notes
    stale = {key: note for key, note in notes.items() if note != " ".join((ENGLISH_NOTE + english[key]).split())}
    assert stale == {}, f"{catalog.name}: notes that are not the English text: run `make messages`"


def test_no_template_chooses_its_words_by_language():
    # a text written in a template for one language and not another escapes the catalogs: a third
    # language would show one of the two
    import re

    from kb.paths import TEMPLATES_DIR

    found = [f"{path.relative_to(ROOT)}:{number}" for path in sorted(TEMPLATES_DIR.rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\blang\s*[!=]=", line)]
    assert found == []


def test_every_module_with_interface_strings_is_extracted():
    method_map, _ = _mapping()
    python = [pattern for pattern, method in method_map if method == "python"]
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "kb").rglob("*.py")
             if "translator(" in p.read_text(encoding="utf-8") and p.name != "i18n.py"]
    assert users
    assert [f for f in users if not any(pathmatch(pattern, f) for pattern in python)] == []


def test_translator_reads_the_catalogs():
    assert translator("fr")("search") == "Rechercher" and translator("en")("search") == "Search"
    assert translator("en")("team_files", n=4) == "Answers files (2 to 4, YAML or JSON)"
    assert translator("fr")("no_such_key") == "no_such_key"  # an unknown key or language: the key itself
    assert translator("de")("search") == "search"
    assert set(catalogs()) == set(LANGS)


@pytest.mark.parametrize("lang, expected", [("fr", "Rechercher"), ("en", "Search")])
def test_jinja_i18n_extension(lang, expected):
    env = book._environment()
    assert env.from_string("{{ _('search') }}").render(**gettext_callables(lang)) == expected
    assert env.from_string("{% trans %}search{% endtrans %}").render(**gettext_callables(lang)) == expected
    assert env.from_string("{{ _('x %(n)s', n=2) }}").render(**gettext_callables(lang)) == "x 2"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.words: set[str] = set()
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip:
            self.words.update(data.split())


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("index"))))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/", "/search?q=logement", "/checklist", "/results", "/grid", "/team", "/about",
                                  "/themes/4", "/practices/pl-welcome-home-housing", "/book"])
def test_no_message_id_shows_on_a_page(client, path, lang):
    page = client.get(path, params={"lang": lang})
    assert page.status_code == 200
    parser = _Text()
    parser.feed(page.text)
    keys = {k for k in catalogs()[lang] if "_" in k}  # ids like search_label: never words of the text
    assert sorted(parser.words & keys) == []


def test_the_catalogs_ship_with_the_package():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["kb.web"]
    files = [p.relative_to(LOCALE_DIR.parent).as_posix() for p in LOCALE_DIR.rglob("*.po*")]
    assert len(files) == len(LANGS) + 1
    assert [f for f in files if not any(fnmatch(f, pattern) for pattern in patterns)] == []


@pytest.fixture
def german(tmp_path, monkeypatch):
    """The app with a third catalog, made as the README says (`pybabel init`, then translate): every
    English text prefixed with "[de] " and the language named Deutsch."""
    from babel.messages.pofile import write_po

    from kb.web import i18n

    for lang in LANGS:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / lang / "LC_MESSAGES" / f"{DOMAIN}.po").write_bytes(
            (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").read_bytes())
    catalog = _read(LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po", "de")
    for message in catalog:
        if message.id:
            message.string = "Deutsch" if message.id == "language_name" else "[de] " + message.string
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / "de" / "LC_MESSAGES" / f"{DOMAIN}.po").open("wb") as f:
        write_po(f, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "LANGS", i18n.interface_languages(tmp_path))
    i18n.catalogs.cache_clear()
    i18n.gettext_callables.cache_clear()
    yield TestClient(create_app(Settings(practices=PRACTICES_DIR, index=tmp_path / "index")))
    i18n.catalogs.cache_clear()
    i18n.gettext_callables.cache_clear()


def test_a_third_language_needs_only_its_catalog(german):
    home = german.get("/?lang=de")
    assert home.status_code == 200 and '<html lang="de">' in home.text and "[de] Search" in home.text
    assert home.cookies.get("lang") == "de"
    assert '<a class="lang" href="/?lang=fr" hreflang="fr" lang="fr">Français</a>' in home.text
    assert '<a class="lang" href="/?lang=en" hreflang="en" lang="en">English</a>' in home.text
    french = german.get("/search?q=logement&lang=fr")
    assert 'href="/search?q=logement&amp;lang=de" hreflang="de" lang="de">Deutsch</a>' in french.text
    # the records stay in French and English: a German page shows the French text, English beside it
    practice = german.get("/practices/pl-welcome-home-housing?lang=de")
    assert practice.status_code == 200 and "<summary>English</summary>" in practice.text
    assert "sous-location progressive" in practice.text and "graduated subletting" in practice.text
    search = german.get("/search?q=logement&lang=de")
    assert search.status_code == 200 and "[de]" in search.text and "pl-welcome-home-housing" in search.text
    assert 'kind=practice">[de] Practice</a>' in search.text  # a facet value's label is a message too
    assert 'href="/api/search?q=logement&amp;sort=relevance&amp;page=1&amp;lang=fr"' in search.text
    about = german.get("/about?lang=de")
    assert "[de] This knowledge base turns" in about.text and "[de] It holds 62 good-practice examples" in about.text
    for path in ("/checklist", "/results?T1-01=on", "/grid", "/team", "/book", "/feed.atom", "/themes/4", "/contribute"):
        assert german.get(path, params={"lang": "de"}).status_code == 200, path
    assert german.post("/results?lang=de", data={"T1-01": "on", "format": "md"}).status_code == 200


def test_a_third_language_shows_the_framework_and_reports_in_french(german):
    from markupsafe import escape

    from kb.records.framework import get_framework

    fw = get_framework()
    item = fw.checklist_items["T1-02"][1]
    team = german.post("/team?lang=de", files=[("files", ("a.yaml", b"ticked: [T1-01, T1-02]\n")),
                                                ("files", ("b.yaml", b"ticked: [T1-01]\n"))])
    assert team.status_code == 200 and escape(item.text.fr) in team.text
    grid = german.post("/grid?lang=de", data={"IP-01": "met", "SU-01": "not-met"})
    assert grid.status_code == 200 and escape(fw.dimensions["effectiveness"].name.fr) in grid.text
    nothing = german.get("/search?q=integration+xqzv&mode=all&lang=de")
    assert nothing.status_code == 200
    for page in (team, grid, nothing):
        assert ">None<" not in page.text and "> None" not in page.text


def test_make_messages_leaves_an_unchanged_template_alone(tmp_path):
    from babel.messages.pofile import write_po

    from kb.web.i18n import write_template

    template = tmp_path / "messages.pot"
    template.write_bytes(POT.read_bytes())
    catalog = _read(POT)  # as Babel extracts it: a new date, no notes
    catalog.creation_date = catalog.creation_date.replace(year=catalog.creation_date.year + 1)
    for message in catalog:
        message.auto_comments = []
    extracted = tmp_path / "extracted.pot"
    with extracted.open("wb") as f:
        write_po(f, catalog, no_location=True, sort_output=True)
    write_template(extracted, template)
    assert template.read_bytes() == POT.read_bytes() and not extracted.exists()

    catalog.add("a_new_message")
    with extracted.open("wb") as f:
        write_po(f, catalog, no_location=True, sort_output=True)
    write_template(extracted, template)
    assert "a_new_message" in _ids(_read(template)) and "about_lead" in _ids(_read(template))
