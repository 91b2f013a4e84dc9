#!/usr/bin/env python3
"""The pictures in docs/screenshots/, at phone and desktop widths (headless Chromium through
Playwright, as the browser tests drive it): /start; the self-assessment over time and as a team (the
progress on /results from Café Polska's 2025 and 2026 answers, the team view of its three respondents,
the action plan made from the team's gaps; the answers files are docs/examples/); and the first four
pages of the French and English PDFs, side by side.

    python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

Needs Debian's chromium and poppler-utils (pdftoppm) to turn the PDF's pages into pictures.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage"]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
PDF_PAGES = 4  # the cover, the contents, how to use the book, the first theme
EXAMPLES = ROOT / "docs" / "examples"


def _serve(index: Path):
    import uvicorn

    from kb.web.app import Settings, create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(index=index)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _down_to(page, selector: str, path: Path) -> None:
    """The page from its top to the end of ``selector``: the part a reader looks at first."""
    bottom = page.locator(selector).evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")
    width = page.viewport_size["width"]
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": bottom + 16})


def assessment(page, base: str, out: Path, name: str) -> list[Path]:
    """Progress, team and plan pictures of one viewport; the paths written."""
    written = []
    page.goto(f"{base}/checklist?lang=en")
    page.locator("#answers_file").set_input_files(str(EXAMPLES / "small-ngo-2026.yaml"))
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_role("button", name="See my results").click()
    page.locator("#since_file").set_input_files(str(EXAMPLES / "small-ngo-2025.yaml"))
    page.get_by_role("button", name="Compare", exact=True).click()
    page.locator("#progress").wait_for()
    written.append(out / f"progress-{name}.png")
    _down_to(page, "#progress", written[-1])

    page.goto(f"{base}/team?lang=en")
    page.locator("#files").set_input_files(sorted(str(p) for p in (EXAMPLES / "team").glob("*.yaml")))
    page.get_by_role("button", name="See the team view").click()
    page.locator("#agenda").wait_for()
    written.append(out / f"team-{name}.png")
    _down_to(page, "#notes" if name == "desktop" else "#agenda li:nth-child(3)", written[-1])

    if name == "desktop":
        for item in ("T4-10", "T4-11", "T1-03"):
            page.locator(f"#plan-{item}").check()
        page.get_by_role("button", name="Printable plan").click()
        page.locator("table.plan").wait_for()
        written.append(out / f"plan-{name}.png")
        page.screenshot(path=str(written[-1]), full_page=True)
    return written


def _side_by_side(pages: list[Path], target: Path, gap: int = 16) -> None:
    """The pages in a row on a grey ground, as they would lie on a table (Pillow comes with WeasyPrint)."""
    from PIL import Image

    images = [Image.open(p) for p in pages]
    width = sum(i.width for i in images) + gap * (len(images) + 1)
    height = max(i.height for i in images) + 2 * gap
    sheet = Image.new("RGB", (width, height), (214, 218, 212))
    x = gap
    for image in images:
        sheet.paste(image, (x, gap))
        x += image.width + gap
    sheet.save(target, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args(argv)
    if not args.chromium or not shutil.which("pdftoppm"):
        parser.error("needs Debian's chromium and poppler-utils (pdftoppm)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server, base = _serve(Path(tmp) / "index")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=ARGS, headless=True)
                for name, (width, height) in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    for lang in ("en", "fr"):
                        page.goto(f"{base}/start?lang={lang}")
                        page.screenshot(path=str(args.out / f"start-{name}-{lang}.png"), full_page=True)
                    assessment(page, base, args.out, name)
                    context.close()
                browser.close()
            for lang in ("fr", "en"):
                pdf = Path(tmp) / f"book-{lang}.pdf"
                subprocess.run([sys.executable, "-m", "kb.cli", "book", "--lang", lang, "-o", str(pdf)], check=True,
                               cwd=ROOT)
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", str(PDF_PAGES), str(pdf),
                                str(Path(tmp) / f"book-{lang}-page")], check=True)
                _side_by_side(sorted(Path(tmp).glob(f"book-{lang}-page-*.png")), args.out / f"book-{lang}-first-pages.png")
        finally:
            server.should_exit = True
    for path in sorted(args.out.glob("*.png")):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
