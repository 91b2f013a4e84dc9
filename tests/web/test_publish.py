"""The web app's book (/book, /book.pdf), feed of what is new (/feed.atom, parsed with feedparser), first-visit
path (/start) and worked examples (/results?example=), and where the other pages link to them."""

from __future__ import annotations

import datetime as dt
import re

import feedparser
import pytest
from fastapi.testclient import TestClient

from kb.web import book
from kb.web.app import Settings, create_app
from kb.web.middleware import SECURITY_HEADERS
from kb.assess.examples import EXAMPLES, START_EXAMPLES
from kb.web.feed import FEED_SIZE, Timeline
from kb.search.filters import Filters
from kb.records.models import Practice
from kb.paths import PRACTICES_DIR


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("index")))


@pytest.fixture
def client(app):
    return TestClient(app)


@pytest.fixture(scope="module")
def svc(app):
    return app.state.service


# -- the first visit ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, words", [("fr", ["Par où commencer", "Évaluez votre action", "Une municipalité en Pologne"]),
                                         ("en", ["Start here", "Assess your practice", "See your gaps as the guide reads them",
                                                 "Find the practices that answer them", "A municipality in Poland",
                                                 "A small NGO", "A refugee-led organisation"])])
def test_start_walks_through_three_steps_with_one_click_examples(client, lang, words):
    page = client.get(f"/start?lang={lang}")
    assert page.status_code == 200
    for word in words:
        assert word in page.text
    assert page.text.count('<svg class="step-art"') == 3  # drawn inline: no image to fetch
    for name in START_EXAMPLES:
        assert f'href="/results?example={name}"' in page.text
    assert 'href="/checklist"' in page.text
    assert "style=" not in page.text and "<style" not in page.text and "<script" not in page.text
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize("name", START_EXAMPLES)
def test_an_example_opens_a_full_result(client, name):
    page = client.get(f"/results?example={name}&lang=en")
    assert page.status_code == 200
    assert "Example: the answers of an imagined organisation" in page.text
    assert EXAMPLES[name].label.en in page.text
    assert 'class="bars"' in page.text and "To strengthen" in page.text and "The practices most useful to you" in page.text
    # the example's answers ride along, so "download my answers" hands back the example file
    for item in __import__("kb.assess.examples", fromlist=["load"]).load(name).ticked:
        assert f'name="ticked" value="{item}"' in page.text


def test_an_example_favours_practices_from_its_country(client):
    page = client.get("/results?example=polish-municipality&lang=en")
    overall = page.text.split("The practices most useful to you")[1]
    assert "(Poland)" in overall or ", Poland)" in overall


def test_an_unknown_example_is_a_404_naming_the_examples(client):
    page = client.get("/results?example=nope&lang=en")
    assert page.status_code == 404 and "polish-municipality" in page.text
    assert client.get("/results").status_code == 200  # without an example: the empty results page


def test_home_offers_start_the_self_assessment_the_book_and_what_is_new(client, svc):
    page = client.get("/?lang=en")
    assert 'href="/start"' in page.text and "First visit? Start here" in page.text
    assert "Start the self-assessment" in page.text and 'class="cta"' in page.text
    assert 'href="/book.pdf?lang=en"' in page.text
    assert "Recently added" in page.text
    newest = svc.timeline.latest(limit=1)[0]
    assert f'href="/practices/{newest.record.id}"' in page.text
    assert '<link rel="alternate" type="application/atom+xml"' in page.text


@pytest.mark.parametrize("path", ["/about", "/themes/1", "/themes/6"])
def test_about_and_every_theme_page_link_to_the_book(client, path):
    page = client.get(path + "?lang=fr")
    assert 'href="/book.pdf?lang=fr"' in page.text
    if path.startswith("/themes/"):
        assert f'href="/book?lang=fr#theme-{path[-1]}"' in page.text


# -- the book -----------------------------------------------------------------------------------------

def test_book_page_is_print_ready_html_built_once_per_generation(client, svc, monkeypatch):
    page = client.get("/book?lang=en")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text and "How to use this book" in page.text
    assert '<link rel="stylesheet" href="/static/book.css">' in page.text and 'class="book-bar"' in page.text
    assert "style=" not in page.text and "<style" not in page.text and "<script" not in page.text
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert (svc.generation.path / "book" / "book-en.html").is_file()  # kept beside the index
    monkeypatch.setattr(book, "build", lambda *a, **k: pytest.fail("built again"))
    assert client.get("/book?lang=en").text == page.text


def test_book_pdf_is_served_from_the_cache(client, svc):
    response = client.get("/book.pdf?lang=fr")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="integration-practices-fr.pdf"'
    assert response.content.startswith(b"%PDF-")
    cached = svc.generation.path / "book" / "book-fr.pdf"
    assert cached.read_bytes() == response.content
    assert [p.name for p in cached.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_book_that_cannot_be_built_is_a_503_with_the_reason(client, svc, monkeypatch):
    def no_engine():
        raise book.BookError(f"the PDF engine (WeasyPrint) cannot start: no Pango. On Debian: apt-get install "
                             f"{book.PANGO_PACKAGES}")

    monkeypatch.setattr(book, "_weasyprint", no_engine)
    response = client.get("/book.pdf?lang=en")
    assert response.status_code == 503
    assert "the book cannot be made right now" in response.text and "apt-get install libpango" in response.text
    assert "Traceback" not in response.text and response.headers["content-type"].startswith("text/html")
    assert not (svc.generation.path / "book" / "book-en.pdf").exists()


# -- the feed -----------------------------------------------------------------------------------------

def _feed(client, query: str = ""):
    response = client.get("/feed.atom" + query)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_feed_is_valid_atom_with_ids_dates_and_links(client, svc):
    parsed = _feed(client, "?lang=en")
    assert parsed.feed.title.startswith("What is new") and parsed.feed.language == "en"
    assert parsed.feed.id == "tag:integration-practices-kb,2026:feed/en"
    assert parsed.feed.updated_parsed is not None
    assert any(link.rel == "self" and link.href == "http://testserver/feed.atom?lang=en" for link in parsed.feed.links)
    entries = parsed.entries
    assert len(entries) == min(FEED_SIZE, len(svc.briefs))
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) and all(i.startswith("tag:integration-practices-kb,2026:record/") for i in ids)
    assert all(e.link.startswith("http://testserver/practices/") and e.link.endswith("?lang=en") for e in entries)
    updated = [dt.datetime(*e.updated_parsed[:6]) for e in entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    assert all(e.published_parsed <= e.updated_parsed for e in entries)
    assert all(e.summary and e.title for e in entries)
    by_id = svc.by_id
    first = by_id[ids[0].rsplit("/", 1)[1]]
    assert dt.date(*entries[0].updated_parsed[:3]) == first.last_verified == max(r.last_verified for r in svc.briefs)
    assert client.get(entries[0].link.replace("http://testserver", "")).status_code == 200


def test_feed_filters_narrow_it_like_search(client, svc):
    whole = _feed(client, "?lang=en")
    narrow = _feed(client, "?theme=4&country=PL&lang=en")
    expected = [p for p in svc.practices if 4 in p.themes and p.country == "PL"]
    assert 0 < len(narrow.entries) == len(expected) < len(whole.entries)
    assert {e.id.rsplit("/", 1)[1] for e in narrow.entries} == {p.id for p in expected}
    assert "Working for refugees" in narrow.feed.title and "Poland" in narrow.feed.title
    assert narrow.feed.id == "tag:integration-practices-kb,2026:feed/en?theme=4&country=PL"
    # names and typos work as on /search; values of one facet are OR-ed
    assert len(_feed(client, "?country=Pologne&theme=4").entries) == len(expected)
    both = _feed(client, "?country=PL&country=FI&kind=practice")
    assert len(both.entries) == min(FEED_SIZE, len([p for p in svc.practices if p.country in ("PL", "FI")]))
    assert len(_feed(client, "?kind=reference").entries) == min(FEED_SIZE, len(svc.references))


def test_feed_refuses_unknown_filters_with_a_message(client):
    response = client.get("/feed.atom?country=Atlantis")
    assert response.status_code == 400 and "matches no country" in response.text
    assert client.get("/feed.atom?" + "&".join(["theme=1"] * 41)).status_code == 400


def test_search_pages_point_feed_readers_at_the_feed_of_their_filters(client):
    page = client.get("/search?q=logement&theme=4&country=PL&lang=fr")
    link = re.search(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" href="([^"]+)">', page.text)
    assert link and link.group(2) == "/feed.atom?theme=4&amp;country=PL&amp;lang=fr"
    assert _feed(client, "?theme=4&country=PL&lang=fr").entries
    plain = client.get("/search?q=logement&lang=en")
    assert 'href="/feed.atom?lang=en"' in plain.text


def test_an_update_is_newer_than_an_addition_and_says_so(svc):
    practice = svc.record(svc.practices[0].id)
    updated = practice.model_copy(update={"last_verified": practice.last_verified + dt.timedelta(days=30)})
    timeline = Timeline([updated, *(r for r in svc.full_records() if r.id != practice.id)])
    first = timeline.latest(limit=1)[0]
    assert first.record.id == practice.id and first.kind == "updated"
    only = timeline.latest(Filters.parse({"country": [practice.country]}), limit=1000)
    assert all(c.record.country == practice.country for c in only if isinstance(c.record, Practice))
