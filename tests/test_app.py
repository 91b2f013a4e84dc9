"""The web app: the home page lists the six themes, in French by default and in English on request."""

from markupsafe import escape

from fastapi.testclient import TestClient

from kb.app import Settings, create_app
from kb.framework import get_framework

from .conftest import FIXTURES

fw = get_framework()


def client(practices=None) -> TestClient:
    return TestClient(create_app(Settings(practices=practices) if practices else None))


def test_healthz_answers_with_counts():
    response = client(FIXTURES / "good").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "practices": 1, "references": 1}


def test_home_lists_the_six_themes_in_french_by_default():
    response = client().get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    for theme in fw.themes:
        assert str(escape(theme.title.fr)) in response.text


def test_home_in_english_with_lang_and_remembers_it():
    c = client()
    response = c.get("/?lang=en")
    assert '<html lang="en">' in response.text
    assert all(str(escape(theme.title.en)) in response.text for theme in fw.themes)
    assert c.get("/").text.count('<html lang="en">') == 1  # the cookie keeps English


def test_unknown_language_falls_back_to_french():
    assert '<html lang="fr">' in client().get("/?lang=xx").text
