"""Every page and API route, in both languages, with their error cases (FastAPI's TestClient)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from fastapi.testclient import TestClient

from kb.assess.answers import parse_answers
from kb.web.app import Settings, create_app
from kb.paths import PRACTICES_DIR


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("index")))


@pytest.fixture
def client(app):
    return TestClient(app)  # a fresh client: no language cookie carried between tests


PAGES = {
    "/": ("Les six thématiques clés", "The six key themes"),
    "/search?q=logement": ("résultats", "results"),
    "/practices/pl-welcome-home-housing": ("<summary>English</summary>", "<summary>Français</summary>"),
    "/practices/ref-mipex-2015": ("Champs absents du guide, complétés d&#39;après le lien\u00a0: publisher", "completed from the link: publisher"),
    "/references": ("Références", "References"),
    "/themes/4": ("Travailler pour les réfugiés", "Working for refugees"),
    "/countries/FI": ("Finlande", "Finland"),
    "/glossary": ("Demandeur d", "Asylum-seeker"),
    "/checklist": ("Voir mes résultats", "See my results"),
    "/results": ("Vos résultats", "Your results"),
    "/grid": ("Calculer le score", "Compute the score"),
    "/about": ("Vie privée", "Privacy"),
    "/contribute": ("templates/practice.yaml", "templates/practice.yaml"),
    "/propose": ("Vérifier ma fiche", "Check my record"),
}


@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_in_both_languages(client, path, lang):
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}lang={lang}")
    assert response.status_code == 200, response.text[:300]
    assert f'<html lang="{lang}">' in response.text
    expected = PAGES[path][0 if lang == "fr" else 1]
    assert expected in response.text
    assert 'href="#main"' in response.text and '<main id="main"' in response.text
    assert "http://" not in response.text.split("<main")[0] and "https://" not in response.text.split("<main")[0]


def test_language_is_remembered_and_switch_keeps_the_query(client):
    client.get("/?lang=en")
    page = client.get("/search?q=housing&country=FI")
    assert '<html lang="en">' in page.text
    assert 'href="/search?q=housing&amp;country=FI&amp;lang=fr"' in page.text


def test_search_page_facets_toggle_and_pagination(client):
    page = client.get("/search?q=femmes&lang=fr")
    assert "<mark>" in page.text
    assert 'href="/search?q=femmes&amp;country=PL"' in page.text
    filtered = client.get("/search?q=femmes&country=PL&lang=fr")
    assert 'aria-current="true"' in filtered.text and "Retirer tous les filtres" in filtered.text
    paged = client.get("/search?q=integration&lang=fr")
    assert 'rel="next"' in paged.text
    assert 'href="/api/search?q=integration' in paged.text


def test_search_page_did_you_mean_and_empty_state(client):
    assert "logement" in client.get("/search?q=logemnt&lang=fr").text
    empty = client.get("/search?q=zzzzqqqq&lang=en")
    assert "No results." in empty.text and "Try fewer words" in empty.text


def test_search_page_unknown_filter_is_a_400_with_the_reason(client):
    page = client.get("/search?country=Atlantis&lang=en")
    assert page.status_code == 400 and "matches no country" in page.text


def test_reflected_values_are_escaped(client):
    page = client.get("/search", params={"q": '<script>alert(1)</script>"', "sector": "<b>x</b>"})
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert "<b>x</b>" not in page.text


@pytest.mark.parametrize("path", ["/practices/nope", "/practices/..%2F..%2Fetc%2Fpasswd", "/themes/9", "/themes/x",
                                  "/countries/xx", "/nothing-here"])
def test_unknown_pages_are_helpful_404s(client, path):
    page = client.get(path + "?lang=en")
    assert page.status_code == 404
    assert "Page not found" in page.text and 'role="search"' in page.text


def test_country_names_redirect_to_the_code(client):
    response = client.get("/countries/finlande", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == "/countries/FI"


def test_checklist_round_trip_results_download_upload(client):
    form = {"ticked": ["T1-01", "T1-02", "G-03"], "not_applicable": ["T3-11"], "note_1": "Notre note",
            "organisation": "Association test", "country": "Pologne", "actor_type": "civil-society-organisation"}
    results = client.post("/results?lang=fr", data=form)
    assert results.status_code == 200
    assert "Association test" in results.text and "Notre note" in results.text
    assert "l'aide apportée reste à améliorer" in results.text.replace("&#39;", "'")
    assert 'class="bar"' in results.text and "Pourquoi" in results.text
    download = client.post("/checklist/download", data=form)
    assert download.headers["content-disposition"].startswith("attachment")
    answers = parse_answers(download.content)
    assert answers.ticked == ["T1-01", "T1-02", "G-03"] and answers.not_applicable == ["T3-11"]
    assert answers.country == "PL" and answers.notes == {"1": "Notre note"}
    upload = client.post("/checklist", files={"answers_file": ("answers.yaml", download.content)})
    assert upload.status_code == 200
    assert 'value="T1-02" id="tick-T1-02" checked' in upload.text and 'data-loaded="1"' in upload.text
    md = client.post("/results?lang=en", data={**form, "format": "md"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# Personalised self-assessment summary")


def test_bad_answers_are_shown_beside_the_form(client):
    bad = client.post("/checklist?lang=en", files={"answers_file": ("a.yaml", b"ticked: [T1-01, T1-99]")})
    assert bad.status_code == 400 and "did you mean T1-09?" in bad.text
    bad_form = client.post("/results?lang=en", data={"ticked": ["T1-01", "Z-9"]})
    assert bad_form.status_code == 400 and "Z-9" in bad_form.text and "See my results" in bad_form.text
    unreadable = client.post("/checklist", files={"answers_file": ("a.yaml", b"ticked: [")})
    assert unreadable.status_code == 400 and "YAML syntax error" in unreadable.text


def test_grid_form_scores_and_rejects_bad_input(client):
    page = client.post("/grid?lang=en", data={"IP-01": "met", "IP-02": "partly", "SU-01": "not-met", "practice": "Ours"})
    assert page.status_code == 200 and "Overall score" in page.text and "Weakest dimension" in page.text
    assert 'value="partly" id="IP-02-2" checked' in page.text
    bad = client.post("/grid?lang=en", data={"IP-01": "excellent"})
    assert bad.status_code == 400 and "is not a rating" in bad.text


def test_api_records_taxonomy_and_exports(client):
    practices = client.get("/api/practices?country=Finlande").json()
    assert practices["total"] == 13 and all(p["country"] == "FI" for p in practices["items"])
    for blank in (",", " , ", "PL,FI"):  # no country, or two, is a 400 naming the parameter (was a 500)
        bad = client.get("/api/practices", params={"country": blank})
        assert bad.status_code == 400 and bad.json()["error"].startswith("country: give one country"), blank
    one = client.get("/api/practices/fi-womento-mentoring").json()
    assert one["kind"] == "practice" and one["year_started"] == 2012
    refs = client.get("/api/references?theme=2").json()
    assert refs["total"] == 10 and all(2 in r["themes"] for r in refs["items"])
    taxonomy = client.get("/api/taxonomy").json()
    assert len(taxonomy["themes"]) == 6 and len(taxonomy["dimensions"]) == 5
    data = client.get("/api/export.json").json()
    assert len(data["practices"]) == 62 and len(data["references"]) == 43
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export.csv").text)))
    assert len(rows) == 105 and rows[0]["id"] and rows[0]["title_en"]


def test_api_gaps_and_grid(client):
    report = client.post("/api/gaps?lang=en", content=json.dumps({"ticked": ["T1-01"], "country": "FI"})).json()
    assert {t["theme"] for t in report["themes"]} == {1, 2, 3, 4, 5, 6} and report["country"] == "FI"
    assert report["gaps"][0]["recommendations"][0]["reasons"]
    as_yaml = client.post("/api/gaps", content=yaml.safe_dump({"ticked": ["T1-01"]}),
                          headers={"content-type": "application/yaml"})
    assert as_yaml.status_code == 200
    grid = client.post("/api/grid", content=json.dumps({"ratings": {"IP-01": "met", "SU-01": "not-met"}})).json()
    assert grid["overall"] == 50.0 and grid["weakest"] == "sustainability"


def test_the_search_page_shows_partial_matches_and_never_a_dead_end(client):
    page = client.get("/search?q=discrimination+au+logement&lang=en").text
    assert "One record matches every word; the next ones match most of them" in page
    assert '<p class="meta missing">Missing: <s>' in page
    assert "Aucune fiche ne contient tous les mots" in client.get("/search?q=Womento+Kiron&lang=fr").text
    empty = client.get("/search?q=b%C3%A9n%C3%A9volat&country=SE&lang=fr").text
    assert "Aucun résultat" in empty and "Thématiques et facteurs de réussite qui correspondent" in empty
    assert 'href="/themes/5"' in empty and 'href="/search"' in empty
    near = client.get("/search?q=mentoratxyz&lang=en").text
    assert "Nearby terms that find records" in near and 'href="/search?q=mentorat"' in near
    api = client.get("/api/search?q=discrimination+au+logement").json()
    assert api["mode"] == "partial" and api["full_matches"] >= 1 and any(h["missing"] for h in api["results"])


OPEN = ["T3-09", "T3-13", "T5-02"]


def test_a_fully_ticked_general_checklist_hides_no_gap_in_the_api_and_the_results_page(client):
    from kb.records.framework import get_framework

    fw = get_framework()
    ticked = [i for i in fw.checklist_items if i not in OPEN] + list(fw.general_items)
    report = client.post("/api/gaps?lang=en", content=json.dumps({"ticked": ticked})).json()
    assert [g["item"] for g in report["gaps"]] == OPEN and all(g["recommendations"] for g in report["gaps"])
    flagged = {g["item"]: g["still_open"] for g in report["general"] if g["still_open"]}
    assert flagged["G-04"] == ["T3-09", "T3-13"] and all(g["ticked"] and g["done"] for g in report["general"])
    page = client.post("/results?lang=en", data={"ticked": ticked}).text
    assert page.count('<li id="gap-') == 3 and 'id="gap-T3-09"' in page
    assert "You ticked G-04, yet these items it sums up are still open" in page


@pytest.mark.parametrize(
    "method, path, body, status, starts",
    [
        ("get", "/api/practices/nope", None, 404, "no record has the id 'nope'"),
        ("get", "/api/practices/UPPER", None, 404, "no record has the id"),
        ("get", "/api/search?limit=1000", None, 422, "limit:"),
        ("get", "/api/search?country=Atlantis", None, 400, "country:"),
        ("get", "/api/practices?theme=9", None, 422, "theme:"),
        ("post", "/api/gaps", b"ticked: [", 400, "(file): YAML syntax error"),
        ("post", "/api/gaps", b'{"ticked": ["T1-99"]}', 400, "ticked[0]: 'T1-99' is not a checklist item"),
        ("post", "/api/gaps", b"x" * (300 * 1024), 413, "request body larger"),
        ("post", "/api/grid", b'{"ratings": {"IP-01": "wow"}}', 400, "ratings.IP-01"),
        ("get", "/api/nothing", None, 404, "nothing at /api/nothing"),
    ],
)
def test_api_errors_share_one_envelope(client, method, path, body, status, starts):
    response = client.request(method.upper(), path, content=body)
    assert response.status_code == status
    data = response.json()
    assert data["ok"] is False and data["status"] == status and data["error"].startswith(starts), data


def test_openapi_docs_are_served_without_a_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/practices", "/api/practices/{record_id}", "/api/references", "/api/taxonomy",
            "/api/gaps", "/api/grid", "/api/export.json", "/api/export.csv", "/healthz"} <= set(spec["paths"])


PROPOSAL = {
    "title_fr": "Cafés linguistiques à Tampere", "title_en": "Language cafés in Tampere",
    "summary_fr": "Depuis 2019, des bénévoles animent chaque semaine des cafés linguistiques à la bibliothèque.",
    "summary_en": "Since 2019 volunteers have run weekly language cafés at the library.",
    "country": "FI", "place": "Tampere", "organisations": "Tampere Language Café", "year_started": "2019",
    "actor_types": ["civil-society-organisation"], "themes": ["5"],
    "success_factors": ["continuous-personalised-support"], "checklist_items": ["T5-02"],
    "indicators": ["IP-07"], "evidence_fr_IP-07": "Des bénévoles de la ville animent les cafés.",
    "evidence_en_IP-07": "Local volunteers run the cafés.", "target_groups": ["migrants"], "sectors": ["language"],
    "links": "https://example.org/cafes",
}


def test_propose_form_round_trips_to_a_valid_yaml(client, tmp_path):
    from kb.records.validate import check_paths

    page = client.post("/propose?lang=en", data=PROPOSAL)
    assert page.status_code == 200 and "Your record is valid" in page.text
    download = client.post("/propose/download", data=PROPOSAL)
    assert download.headers["content-disposition"] == 'attachment; filename="fi-tampere-language-cafes.yaml"'
    path = tmp_path / "fi-tampere-language-cafes.yaml"
    path.write_bytes(download.content)
    report = check_paths([path], collection=PRACTICES_DIR)
    assert report.ok, report.render()
    record = report.records[0]
    assert record.year_started == 2019 and record.indicators[0].evidence.en == "Local volunteers run the cafés."


def test_propose_form_shows_errors_beside_the_fields(client):
    bad = {**PROPOSAL, "summary_en": "", "links": "not a url", "checklist_items": [], "evidence_en_IP-07": ""}
    page = client.post("/propose?lang=en", data=bad)
    assert page.status_code == 400
    import re

    errors = dict(re.findall(r'<p class="field-error" id="err-(\w+)">(.*?)</p>', page.text))
    assert errors["summary_en"].startswith("text is empty")
    assert "not a valid web address" in errors["links"]
    assert errors["checklist_items"] == "required field is missing"
    assert 'id="summary_en" name="summary_en"' in page.text and 'aria-describedby="err-summary_en"' in page.text
    assert "Local volunteers" not in page.text.split("<form")[0]  # no YAML handed back for an invalid record


@pytest.mark.parametrize("lang, required, evidence", [
    ("fr", "obligatoire", "IP-07: écrivez la preuve en français et en anglais"),
    ("en", "required", "IP-07: give the evidence in French and in English"),
])
def test_propose_form_errors_in_the_page_language(client, lang, required, evidence):
    import re

    page = client.post(f"/propose?lang={lang}", data={**PROPOSAL, "country": "", "evidence_en_IP-07": ""})
    errors = dict(re.findall(r'<p class="field-error" id="err-(\w+)">(.*?)</p>', page.text))
    assert page.status_code == 400 and errors["country"] == required and errors["indicators"] == evidence


def test_propose_form_names_a_near_duplicate(client):
    dup = {**PROPOSAL, "title_fr": "Womento, marrainage professionnel des migrantes ayant fait des études, Finlande",
           "title_en": "Womento mentoring for migrant women who have studied, Finland", "place": "",
           "organisations": "Womento"}
    page = client.post("/propose?lang=en", data=dup)
    assert page.status_code == 200 and "looks very much like an existing record" in page.text
    assert 'href="/practices/fi-womento-mentoring"' in page.text


def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", "/api/search?q=x", "/nothing", "/docs", "/static/site.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_pages_carry_no_inline_script_or_style(client):
    import re

    for path in ("/", "/search?q=logement", "/checklist", "/grid", "/propose", "/docs", "/practices/fi-womento-mentoring"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


@pytest.mark.parametrize("payload", ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "{{7*7}}"])
def test_script_payloads_are_escaped_everywhere(client, payload):
    pages = [
        client.get("/search", params={"q": payload}),
        client.get("/search", params={"q": "x", "sector": payload}),
        client.post("/results", data={"ticked": ["T1-01"], "note_1": payload, "organisation": payload}),
        client.post("/propose", data={**PROPOSAL, "title_fr": payload, "summary_en": payload}),
        client.post("/checklist", files={"answers_file": ("a.yaml", ("notes: {'1': '" + payload.replace("'", "''") + "'}").encode())}),
        client.get("/practices/" + payload.replace("/", "")),
    ]
    for page in pages:
        assert page.status_code < 500
        assert payload not in page.text or payload == "{{7*7}}" and "49" not in page.text.split(payload)[0][-5:]
        assert "<script>alert" not in page.text and "<img src=x" not in page.text


def test_traversal_and_odd_ids_never_touch_files(client):
    for path in ("/practices/..%2F..%2Fpyproject", "/api/practices/..%2Fpyproject", "/static/../pyproject.toml",
                 "/static/..%2F..%2Fpyproject.toml", "/countries/..%2F..", "/themes/..%2F1"):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert "[project]" not in response.text


def test_limits_answer_4xx_with_a_message(client):
    big = client.post("/results", content=b"x" * (1024 * 1024 + 10),
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413 and "larger than" in big.text
    too_many = client.get("/api/search?" + "&".join("sector=housing" for _ in range(41)))
    assert too_many.status_code == 400 and too_many.json()["error"].startswith("too many filter values")
    long_q = client.get("/search", params={"q": "x" * 5000})
    assert long_q.status_code == 200  # the page trims the query to 500 characters
    big_file = client.post("/checklist", files={"answers_file": ("a.yaml", b"#" * (300 * 1024))})
    assert big_file.status_code == 400 and "larger than 256 KiB" in big_file.text


def test_head_requests_are_answered_like_get(client):
    assert client.head("/").status_code == 200
    assert client.head("/api/search?q=logement").status_code == 200
    assert client.head("/practices/nope").status_code == 404
