"""The book: its data, its HTML, and the PDFs `kb book` writes in French and English, opened with pypdf
(pages, every practice's title, the outline, internal links), its errors and its cache."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import Destination

from kb.web import book
from kb.cli import app
from kb.records.framework import get_framework
from kb.records.models import Practice, Reference
from kb.records.validate import load_records

fw = get_framework()


@pytest.fixture(scope="module")
def records():
    return load_records()


@pytest.fixture(scope="module")
def practices(records):
    return [r for r in records if isinstance(r, Practice)]


def test_an_edition_holds_every_theme_practice_and_reference(records, practices):
    b = book.collect(records, "en")
    assert b.practices == len(practices) and b.references == len([r for r in records if isinstance(r, Reference)])
    assert b.countries == len({p.country for p in practices})
    assert [c.theme.number for c in b.chapters] == [1, 2, 3, 4, 5, 6]
    # the catalogue lists every practice once, under the theme the guide lists it under
    listed = [p.id for _, items in b.catalogue for p in items]
    assert sorted(listed) == sorted(p.id for p in practices)
    for theme, items in b.catalogue:
        assert all(p.themes[0] == theme.number for p in items)
    # each success factor is followed by exactly the practices that illustrate it
    for chapter in b.chapters:
        for section in chapter.factors:
            assert {p.id for p in section.practices} == {p.id for p in practices if section.factor.id in p.success_factors}
    # the index by country and by city covers every practice
    assert sum(c.count for c in b.by_country) == len(practices)
    assert sum(len(pl.practices) for pl in b.by_place) == len([p for p in practices if p.place])
    assert b.edition == max(max(r.added, r.last_verified) for r in records)


def test_the_same_records_make_the_same_book(records):
    assert book.render_html(book.collect(records, "fr")) == book.render_html(book.collect(list(reversed(records)), "fr"))


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.internal: list[str] = []
        self.styles = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.internal.append(attrs["href"][1:])
        self.styles += tag == "style" or "style" in attrs


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_html_has_unique_anchors_and_every_cross_reference_lands(records, practices, lang):
    html = book.render_html(book.collect(records, lang), "web")
    parser = _Anchors()
    parser.feed(html)
    assert len(parser.ids) == len(set(parser.ids))
    assert sorted(set(parser.internal) - set(parser.ids)) == []
    assert parser.styles == 0  # the page served at /book keeps to the CSP: no inline style
    assert '<link rel="stylesheet" href="/static/book.css">' in html
    for p in practices:
        assert f'id="p-{p.id}"' in html


def test_the_html_file_stands_alone(records):
    html = book.render_html(book.collect(records, "en"), "file")
    assert "<style>" in html and "@page" in html and "/static/book.css" not in html


# -- the PDFs `kb book` writes (built once for the module) -------------------------------------------

@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("book")
    runner = CliRunner()
    paths = {}
    for lang in ("fr", "en"):
        path = out / f"book-{lang}.pdf"
        result = runner.invoke(app, ["book", "--format", "pdf", "--lang", lang, "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert re.search(rf"Wrote .*book-{lang}\.pdf: \d+ pages, \d+ practices from \d+ countries", result.output)
        paths[lang] = path
    return paths


def _text(reader: PdfReader) -> str:
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pdf_has_a_plausible_number_of_pages_and_every_practice(pdfs, practices, lang):
    reader = PdfReader(pdfs[lang])
    assert len(practices) // 2 <= len(reader.pages) <= 8 * len(practices)
    assert reader.metadata.title.startswith("Bonnes pratiques" if lang == "fr" else "Good practices")
    text = _text(reader)
    missing = [p.id for p in practices if _flat(p.title.get(lang)) not in text]
    assert missing == []
    # the first page is the cover: the counts and the date of the edition
    cover = _flat(reader.pages[0].extract_text())
    assert f"{len(practices)} practices" in cover if lang == "en" else f"{len(practices)} pratiques" in cover
    assert ("Edition of" if lang == "en" else "Édition du") in cover


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pdf_outline_has_the_six_themes_and_the_parts(pdfs, lang):
    reader = PdfReader(pdfs[lang])
    top = [item.title for item in reader.outline if isinstance(item, Destination)]
    for theme in fw.themes:
        assert f"{theme.number}. {theme.title.get(lang)}" in top
    assert ("Glossary" if lang == "en" else "Glossaire") in top
    assert ("References" if lang == "en" else "Références") in top
    # every outline entry points at a page of the document
    pages = {page.indirect_reference.idnum for page in reader.pages}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item

    assert all(reader.get_destination_page_number(item) is not None for item in walk(reader.outline))
    assert pages


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_internal_link_of_the_pdf_resolves_and_record_links_go_out(pdfs, lang):
    reader = PdfReader(pdfs[lang])
    named = reader.named_destinations
    internal, external, broken = 0, set(), []
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            dest = annot.get("/Dest") or (action.get("/D") if action and action.get("/S") == "/GoTo" else None)
            if action is not None and action.get("/S") == "/URI":
                external.add(str(action["/URI"]))
            elif dest is not None:
                internal += 1
                name = str(dest) if not isinstance(dest, list) else None
                if name is not None and (name not in named or reader.get_destination_page_number(named[name]) is None):
                    broken.append(name)
    assert internal > 500 and broken == []
    assert "https://humansintheloop.org/" in external


def test_the_pdf_pages_carry_the_theme_in_their_header(pdfs):
    reader = PdfReader(pdfs["en"])
    theme = fw.theme_by_number[3]
    pages = [n for n, p in enumerate(reader.pages) if f"Theme 3 · {theme.title.en}" in _flat(p.extract_text())]
    assert len(pages) >= 2 and pages == list(range(pages[0], pages[-1] + 1))  # one run of pages
    assert "Edition of" in _flat(reader.pages[pages[0]].extract_text())


# -- errors and the cache -------------------------------------------------------------------------------

def _no_engine():
    raise book.BookError("the PDF engine (WeasyPrint) cannot start: no Pango. It needs Pango; on Debian or "
                         f"Ubuntu: apt-get install {book.PANGO_PACKAGES}")


def test_a_failed_build_says_why_exits_non_zero_and_leaves_no_file(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(book, "_weasyprint", _no_engine)
    target = tmp_path / "book.pdf"
    result = runner.invoke(app, ["book", "-o", str(target)])
    assert result.exit_code == 1
    assert "The book was not built: the PDF engine (WeasyPrint) cannot start" in result.output
    assert "apt-get install libpango-1.0-0" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_half_way_leaves_nothing_behind(records, tmp_path):
    def half(fh):
        fh.write(b"%PDF-1.7 half")
        raise RuntimeError("disk full")

    with pytest.raises(book.BookError, match="disk full"):
        book._write_atomically(tmp_path / "book.pdf", half)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_refused(runner, records, tmp_path):
    with pytest.raises(book.BookError, match="format 'docx'"):
        book.build(records, "fr", "docx", tmp_path / "x.docx")
    assert runner.invoke(app, ["book", "--format", "docx"]).exit_code == 2


def test_the_cache_builds_once_per_generation(records, tmp_path, monkeypatch):
    generation = tmp_path / "gen-1"
    generation.mkdir()
    calls = []
    real = book.build

    def counting(*args, **kwargs):
        calls.append(args[1:3])
        return real(*args, **kwargs)

    monkeypatch.setattr(book, "build", counting)
    first = book.cached(generation, lambda: records, "en", "html")
    again = book.cached(generation, lambda: records, "en", "html")
    assert first == again == generation / "book" / "book-en.html" and calls == [("en", "html")]
    assert "/static/book.css" in first.read_text(encoding="utf-8")  # the web page's HTML
    with pytest.raises(book.BookError, match="has been replaced by a newer one"):
        book.cached(tmp_path / "gen-gone", lambda: records, "en", "html")


def test_a_failed_cached_build_leaves_no_file_and_is_tried_again(records, tmp_path, monkeypatch):
    generation = tmp_path / "gen-1"
    generation.mkdir()
    monkeypatch.setattr(book, "_weasyprint", _no_engine)
    with pytest.raises(book.BookError, match="cannot start"):
        book.cached(generation, lambda: records, "fr", "pdf")
    assert [p.name for p in (generation / "book").iterdir() if not p.name.endswith(".lock")] == []


def test_the_book_css_is_the_only_file_it_needs():
    css = Path(book.BOOK_CSS).read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css  # no font, image or stylesheet to fetch
    assert "size: A4" in css and "target-counter" in css and "bookmark-level" in css
