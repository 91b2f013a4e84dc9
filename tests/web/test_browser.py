"""In a real browser (headless Chromium driven by Playwright): search, facets, a practice, English,
the checklist saved as one goes, results, download and upload; axe-core finds no serious or critical
accessibility violation on the main pages.

Skipped, with the reason, on a machine without Chromium; never in CI (CI=true), where .ci/run
installs Debian's chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but no Chromium: .ci/run should have installed Debian's chromium")
    pytest.skip("no Chromium on this machine (install Debian's chromium to run the browser tests)",
                allow_module_level=True)

uvicorn = pytest.importorskip("uvicorn")
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from kb.assess.answers import parse_answers  # noqa: E402
from kb.web.app import Settings, create_app  # noqa: E402
from kb.paths import PRACTICES_DIR  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app(Settings(practices=PRACTICES_DIR, index=tmp_path_factory.mktemp("index")))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def test_search_facet_practice_and_english(server, page):
    page.goto(server + "/")
    page.get_by_label("Rechercher une pratique").fill("logement")
    page.get_by_role("button", name="Rechercher").first.click()
    expect(page.locator("#results-title")).to_contain_text("résultats")
    page.locator("aside .facet a", has_text="Pologne").first.click()
    expect(page).to_have_url(__import__("re").compile(r"country=PL"))
    expect(page.locator("aside a.on")).to_contain_text("Pologne")
    page.locator("ol.hits h3 a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert "/practices/pl-" in page.url
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Success factors")).to_be_visible()


def test_checklist_saved_results_download_and_upload(server, page, tmp_path):
    page.goto(server + "/checklist?lang=en")
    page.locator("#tick-T1-01").check()
    page.locator("#tick-T1-02").check()
    page.locator("#na-T3-11").check()
    page.locator("#note_1").fill("We survey families twice a year.")
    page.locator("#country").fill("Finland")
    page.reload()  # answers stay in the browser
    expect(page.locator("#tick-T1-02")).to_be_checked()
    expect(page.locator("#na-T3-11")).to_be_checked()
    expect(page.locator("#note_1")).to_have_value("We survey families twice a year.")
    page.get_by_role("button", name="See my results").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.locator("table.bars")).to_contain_text("2/10")
    expect(page.locator(".why").first).to_contain_text("Why")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my answers").click()
    path = tmp_path / "answers.yaml"
    info.value.save_as(path)
    answers = parse_answers(path.read_bytes())
    assert answers.ticked == ["T1-01", "T1-02"] and answers.not_applicable == ["T3-11"] and answers.country == "FI"
    # a new browser profile loads the file back
    other = page.context.browser.new_context()
    fresh = other.new_page()
    fresh.goto(server + "/checklist?lang=en")
    expect(fresh.locator("#tick-T1-02")).not_to_be_checked()
    fresh.locator("#answers_file").set_input_files(str(path))
    fresh.get_by_role("button", name="Load", exact=True).click()
    expect(fresh.locator("#tick-T1-02")).to_be_checked()
    expect(fresh.locator("#note_1")).to_have_value("We survey families twice a year.")
    other.close()


def test_a_ticked_general_item_flags_the_theme_items_left_open(server, page):
    page.goto(server + "/checklist?lang=en")
    boxes = page.locator("input[name=ticked]")
    for n in range(boxes.count()):
        box = boxes.nth(n)
        if box.get_attribute("value") not in ("T3-09", "T3-13", "T5-02"):
            box.check()
    page.get_by_role("button", name="See my results").click()
    expect(page.locator("ul.gaps > li")).to_have_count(3)
    expect(page.locator("#gap-T3-09 .why").first).to_contain_text("Why")
    flag = page.locator("#general-G-04 .warning")
    expect(flag).to_contain_text("You ticked G-04")
    expect(flag.locator("a")).to_have_text(["T3-09", "T3-13"])
    flag.locator("a", has_text="T3-09").click()
    expect(page).to_have_url(__import__("re").compile(r"#gap-T3-09$"))


AXE_PAGES = ["/", "/search?q=logement", "/practices/fi-womento-mentoring", "/practices/ref-mipex-2015", "/themes/1",
             "/references", "/glossary", "/checklist", "/grid", "/about", "/countries/PL", "/nothing?lang=en"]


def test_no_serious_accessibility_violations(server, page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = {}
    for path in AXE_PAGES:
        page.goto(server + path)
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        if bad:
            problems[path] = [(v["id"], v["impact"], len(v["nodes"])) for v in bad]
    # the results page, reached by posting the checklist
    page.goto(server + "/checklist")
    page.locator("#tick-T1-01").check()
    page.locator("form#checklist button[type=submit]").first.click()
    results = axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        problems["/results"] = [(v["id"], v["impact"], len(v["nodes"])) for v in bad]
    assert problems == {}


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_screenshots_at_phone_and_desktop_widths(server, browser, width, height, tmp_path):
    """Every page renders without horizontal overflow; KB_SCREENSHOTS=DIR keeps the pictures."""
    out = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    overflow = {}
    for path in AXE_PAGES[:-1]:
        pg.goto(server + path)
        name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"
        pg.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        extra = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if extra > 2:
            overflow[path] = extra
    context.close()
    assert overflow == {}


# -- the book, the first-visit path -----------------------------------------------------------------------

def test_printing_the_book_hides_its_navigation(server, page):
    from pypdf import PdfReader

    page.goto(server + "/book?lang=en")
    bar = page.locator("nav.book-bar")
    expect(bar).to_be_visible()
    expect(page.get_by_role("heading", name="How to use this book")).to_be_visible()
    page.emulate_media(media="print")
    expect(bar).to_be_hidden()
    assert page.locator("#theme-2-title").evaluate("h => getComputedStyle(h).breakBefore") == "page"
    import io

    printed = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert abs(float(printed.pages[0].mediabox.width) - 595.3) < 1  # A4
    text = " ".join(" ".join(p.extract_text().split()) for p in printed.pages[:3])
    assert "Good practices for the local integration of refugees" in text and "How to use this book" in text
    assert "Download the PDF" not in text and "Français" not in text  # the bar is not printed
    page.emulate_media(media="screen")
    expect(bar).to_be_visible()


def test_start_opens_a_worked_example_in_one_click(server, page):
    page.goto(server + "/?lang=en")
    page.get_by_role("link", name="First visit? Start here").click()
    expect(page.get_by_role("heading", name="Start here", exact=True)).to_be_visible()
    page.locator("#example-polish-municipality").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.locator(".notice").first).to_contain_text("A municipality in Poland")
    expect(page.locator("table.bars tbody tr")).to_have_count(6)
    expect(page.locator("ul.gaps > li").first).to_be_visible()


def test_start_book_and_an_example_pass_axe_and_fit_a_phone(server, browser, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    out = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    problems, overflow = {}, {}
    for width, height in [(390, 844), (1280, 900)]:
        context = browser.new_context(viewport={"width": width, "height": height})
        pg = context.new_page()
        for path in ["/start?lang=en", "/start", "/book?lang=en", "/results?example=small-ngo&lang=en"]:
            pg.goto(server + path)
            if width == 1280:
                bad = [v for v in axe.run(pg).response["violations"] if v.get("impact") in ("serious", "critical")]
                if bad:
                    problems[path] = [(v["id"], v["impact"], len(v["nodes"])) for v in bad]
            extra = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if extra > 2:
                overflow[(path, width)] = extra
        pg.goto(server + "/start?lang=en")
        pg.screenshot(path=str(out / f"start-{width}.png"), full_page=True)
        context.close()
    assert problems == {} and overflow == {}


# -- the self-assessment over time and as a team, the action plan ----------------------------------

def _answers(path: Path, ticked: list[str], **extra) -> str:
    import yaml

    path.write_text(yaml.safe_dump({"ticked": ticked, **extra}, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_compare_two_answers_files_on_results(server, page, tmp_path):
    now = _answers(tmp_path / "2026.yaml", ["T1-01", "T1-03", "T4-10"], date="2026-06-01", respondent="coordinator")
    then = _answers(tmp_path / "2025.yaml", ["T1-01", "T1-02"], date="2025-06-01")
    page.goto(server + "/checklist?lang=en")
    page.locator("#answers_file").set_input_files(now)
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.locator("#date")).to_have_value("2026-06-01")
    expect(page.locator("#respondent")).to_have_value("coordinator")
    page.get_by_role("button", name="See my results").click()
    page.get_by_label("Earlier answers file (YAML, JSON)").set_input_files(then)
    page.get_by_role("button", name="Compare", exact=True).click()
    progress = page.locator("#progress")
    expect(progress.get_by_role("heading", level=2)).to_contain_text("Progress since the earlier assessment (2025-06-01 → 2026-06-01)")
    expect(progress.locator("svg.pair")).to_have_count(6)
    expect(progress.locator("#progress-newly_done li strong")).to_have_text(["T1-03", "T4-10"])
    expect(progress.locator("#progress-no_longer li strong")).to_have_text(["T1-02"])
    expect(progress.locator("tbody tr").nth(3)).to_contain_text("0/19 → 1/19 (+1)")
    progress.locator("#progress-no_longer a").click()  # to its gap and the practices that answer it
    expect(page).to_have_url(__import__("re").compile(r"#gap-T1-02$"))
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the summary (Markdown)").click()
    summary = Path(info.value.path()).read_text(encoding="utf-8")
    assert "## Progress since the earlier assessment (2025-06-01 → 2026-06-01)" in summary


def _team(tmp_path: Path) -> list[str]:
    base = [f"T{t}-{n:02d}" for t, n in ((2, 1), (2, 2), (5, 1))]
    return [_answers(tmp_path / "ana.yaml", base + ["T1-01", "T1-02"], respondent="Ana", notes={"1": "We survey families."}),
            _answers(tmp_path / "bo.yaml", base + ["T1-01"], respondent="Bo", notes={"1": "Only once a year."}),
            _answers(tmp_path / "cy.yaml", base + ["T1-01"])]


def test_upload_three_files_to_the_team_page_one_at_a_time(server, page, tmp_path):
    ana, bo, cy = _team(tmp_path)
    page.goto(server + "/team?lang=en")
    expect(page.locator("#files-hint")).to_be_visible()  # the script is running
    for path in (ana, bo, cy):
        page.locator("#files").set_input_files(path)  # each choice adds to the list
    chosen = page.locator("#file-list li span")
    expect(chosen).to_have_text(["ana.yaml", "bo.yaml", "cy.yaml"])
    page.get_by_role("button", name="Remove bo.yaml").click()
    expect(chosen).to_have_text(["ana.yaml", "cy.yaml"])
    page.locator("#files").set_input_files([bo, ana])  # a file chosen again is not listed twice
    expect(chosen).to_have_text(["ana.yaml", "cy.yaml", "bo.yaml"])
    assert page.locator("#files").evaluate("i => i.files.length") == 3
    page.get_by_role("button", name="See the team view").click()
    expect(page.get_by_role("heading", name="Respondents (3)")).to_be_visible()
    agenda = page.locator("ol.agenda > li")
    expect(agenda).to_have_count(1)
    expect(agenda.first).to_contain_text("T1-02")
    expect(agenda.first).to_contain_text("1 of 3")
    expect(agenda.first).to_contain_text("ticked by: Ana · not by: cy.yaml, Bo")  # in the order of the list
    expect(page.locator(".notes-grid figcaption")).to_have_text(["Ana", "Bo"])
    expect(page.locator("#team-gaps .gaps > li").first).to_contain_text("gap (consensus)")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the team view (Markdown)").click()
    assert Path(info.value.path()).read_text(encoding="utf-8").startswith("# Team self-assessment")


def test_the_team_page_says_why_it_refuses_files(server, page, tmp_path):
    ana, _, _ = _team(tmp_path)
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(Path(ana).read_bytes())
    page.goto(server + "/team?lang=en")
    page.locator("#files").set_input_files([ana, str(copy)])
    page.get_by_role("button", name="See the team view").click()
    expect(page.locator(".error")).to_contain_text("copy.yaml: the same file as ana.yaml")
    # more than the app takes in one request: the team page says so, with the limits
    big = [{"name": f"{n}.yaml", "mimeType": "application/yaml", "buffer": (f"respondent: '{n}'\n" + "#" * 40_000).encode()}
           for n in range(30)]
    page.locator("#files").set_input_files(big)
    page.get_by_role("button", name="See the team view").click()
    expect(page.locator(".error")).to_contain_text("larger than 1024 KiB")
    expect(page.locator(".error")).to_contain_text("at most 50 files")
    expect(page.get_by_role("heading", name="Team self-assessment")).to_be_visible()


def test_download_the_action_plan_as_csv(server, page, tmp_path):
    import csv
    import io

    page.goto(server + "/team?lang=en")
    page.locator("#files").set_input_files(_team(tmp_path))
    page.get_by_role("button", name="See the team view").click()
    for item in ("T1-03", "T1-02", "T4-10"):
        page.get_by_label(f"to the plan ({item})").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Plan as CSV (spreadsheet)").click()
    assert info.value.suggested_filename == "action-plan.csv"
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Item", "Theme", "To do"] and rows[0][-3:] == ["Owner", "Deadline", "Status"]
    assert [r[0] for r in rows[1:]] == ["T1-03", "T4-10", "T1-02"]  # in the page's order: consensus gaps first
    assert all(r[3] and r[-3:] == ["", "", ""] for r in rows[1:])
    page.get_by_role("button", name="Printable plan").click()
    expect(page.get_by_role("heading", name="Action plan")).to_be_visible()
    expect(page.locator("table.plan tbody tr")).to_have_count(3)


def test_team_results_and_plan_pass_axe_and_fit_a_phone(server, browser, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems, overflow = {}, {}
    files = _team(tmp_path)
    for width, height in [(390, 844), (1280, 900)]:
        context = browser.new_context(viewport={"width": width, "height": height})
        pg = context.new_page()
        pg.goto(server + "/team?lang=en")
        pg.locator("#files").set_input_files(files)
        pg.get_by_role("button", name="See the team view").click()
        pg.locator("#agenda").wait_for()
        views = [("/team", None)]
        pg.locator("#plan-T1-03").check()
        views.append(("/plan", lambda p: p.get_by_role("button", name="Printable plan").click()))
        views.append(("/results compare", lambda p: (p.goto(server + "/results?example=small-ngo&lang=en"),
                                                    p.locator("#since_file").set_input_files(files[0]),
                                                    p.get_by_role("button", name="Compare", exact=True).click())))
        for name, go in views:
            if go:
                go(pg)
            pg.wait_for_load_state()
            if width == 1280:
                bad = [v for v in axe.run(pg).response["violations"] if v.get("impact") in ("serious", "critical")]
                if bad:
                    problems[name] = [(v["id"], v["impact"], len(v["nodes"])) for v in bad]
            extra = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if extra > 2:
                overflow[(name, width)] = extra
        context.close()
    assert problems == {} and overflow == {}
