"""The web app: home page, health check and the search API."""

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from kb.web.app import Settings, create_app
from kb.records.framework import get_framework
from kb.paths import PRACTICES_DIR

from ..conftest import FIXTURES

fw = get_framework()


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    return TestClient(create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("index"))))


def test_healthz_answers_with_counts(tmp_path):
    c = TestClient(create_app(Settings(practices=FIXTURES / "good", index=tmp_path)))
    response = c.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "practices": 1, "references": 1}


def test_home_lists_the_six_themes_in_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    for theme in fw.themes:
        assert str(escape(theme.title.fr)) in response.text


def test_home_in_english_with_lang_and_remembers_it(tmp_path):
    c = TestClient(create_app(Settings(practices=PRACTICES_DIR, index=tmp_path)))
    response = c.get("/?lang=en")
    assert '<html lang="en">' in response.text
    assert all(str(escape(theme.title.en)) in response.text for theme in fw.themes)
    assert '<html lang="en">' in c.get("/").text  # the cookie keeps English


def test_unknown_language_falls_back_to_french(tmp_path):
    c = TestClient(create_app(Settings(practices=FIXTURES / "good", index=tmp_path)))
    assert '<html lang="fr">' in c.get("/?lang=xx").text


def test_api_search_has_the_cli_shape(client):
    response = client.get("/api/search", params={"q": "logement", "country": "Pologne"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) >= {"query", "total", "results", "facets", "suggestion"}
    assert data["total"] > 0 and all(h["country"] == "PL" for h in data["results"])


def test_api_search_errors_name_the_parameter(client):
    bad_filter = client.get("/api/search", params={"country": "Atlantis"})
    assert bad_filter.status_code == 400
    assert bad_filter.json()["ok"] is False and bad_filter.json()["error"].startswith("country:")
    too_many = client.get("/api/search", params={"limit": 500})
    assert too_many.status_code == 422 and too_many.json()["error"].startswith("limit:")
    long_query = client.get("/api/search", params={"q": "x" * 501})
    assert long_query.status_code == 422 and long_query.json()["error"].startswith("q:")
