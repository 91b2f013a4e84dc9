"""The knowledge base as a book: one printable document regenerated from the records and the framework.

    collect(records, lang)      -> Book, the data of the edition (pure; no I/O)
    render_html(book, medium)   -> the HTML (for /book, for WeasyPrint, or a file), from web/templates/book/*.html
    write_pdf(html, path)       -> the PDF, laid out by WeasyPrint with web/static/book.css
    build(records, lang, fmt, path)        what ``kb book`` calls
    cached(generation, records, lang, fmt) what /book and /book.pdf call: built once per index
                                           generation, kept in ``<generation>/book/``

The same templates and stylesheet make the HTML page and the PDF: the PDF adds what only paged media
has (page numbers in the contents and cross-references, running headers, the outline). Every file is
written to a temporary name and renamed into place, so a failed build leaves nothing half-written;
failures raise BookError with a reason a reader can act on.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kb.records import countries
from kb.search.analysis import fold
from kb.records.framework import Dimension, Framework, GeneralItem, GlossaryTerm, SuccessFactor, Theme, get_framework
from kb.web.i18n import gettext_callables, install_i18n, switch_links, translator
from kb.records.models import Practice, Reference
from kb.paths import STATIC_DIR, TEMPLATES_DIR

Format = Literal["html", "pdf"]
FORMATS: tuple[str, ...] = ("html", "pdf")
BOOK_CSS = STATIC_DIR / "book.css"
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"  # Debian packages WeasyPrint loads
GRID_EXAMPLES = 15  # practices named under an indicator of the grid; the rest are counted


class BookError(RuntimeError):
    """The book could not be built; the message says why and, when it can, what to do."""


# -- the data of an edition ------------------------------------------------------------------------

@dataclass
class FactorSection:
    """A success factor and the practices that illustrate it."""

    factor: SuccessFactor
    practices: list[Practice]


@dataclass
class ThemeChapter:
    """One of the six themes, as the book prints it."""

    theme: Theme
    factors: list[FactorSection]
    references: list[Reference]
    listed: list[Practice]  # the practices the guide lists under this theme


@dataclass
class IndicatorRow:
    dimension: Dimension
    examples: dict[str, list[Practice]]  # indicator id -> practices that exemplify it


@dataclass
class Place:
    name: str
    country: str
    practices: list[Practice]


@dataclass
class CountryEntry:
    code: str
    name: str
    places: list[Place]  # a place named "" holds the practices that name no city or region

    @property
    def count(self) -> int:
        return sum(len(p.practices) for p in self.places)


@dataclass
class Book:
    """Everything one edition prints, in one language."""

    lang: str
    edition: dt.date
    practices: int
    countries: int
    references: int
    chapters: list[ThemeChapter]
    general: list[GeneralItem]
    general_title: str
    grid: list[IndicatorRow]
    grid_title: str
    grid_source: str
    glossary: list[GlossaryTerm]
    by_country: list[CountryEntry]
    by_place: list[Place]
    catalogue: list[tuple[Theme, list[Practice]]]  # every practice, under the theme it is listed under
    reference_list: list[Reference]
    titles: dict[str, str]  # record id -> its title in the book's language, for cross-references
    framework: Framework = field(repr=False)


def edition_date(records: list[Practice | Reference]) -> dt.date:
    """The date of an edition: the newest date a record was added or verified (the same records give
    the same book)."""
    return max((max(r.added, r.last_verified) for r in records), default=dt.date(2020, 1, 1))


def collect(records: list[Practice | Reference], lang: str = "fr", framework: Framework | None = None) -> Book:
    """The data of the book in ``lang`` from validated records and the framework."""
    fw = framework or get_framework()
    practices = [r for r in records if isinstance(r, Practice)]
    references = sorted((r for r in records if isinstance(r, Reference)), key=lambda r: (fold(r.title), r.id))

    def title(p: Practice) -> str:
        return fold(p.title.get(lang))

    def country_key(code: str) -> str:
        return fold(countries.name(code, lang))

    practices.sort(key=lambda p: (country_key(p.country), fold(p.place or ""), title(p), p.id))
    chapters = []
    for theme in fw.themes:
        factors = [FactorSection(sf, [p for p in practices if sf.id in p.success_factors])
                   for sf in theme.success_factors]
        chapters.append(ThemeChapter(theme, factors, [r for r in references if theme.number in r.themes],
                                     [p for p in practices if p.themes[0] == theme.number]))
    grid = [IndicatorRow(d, {ind.id: [p for p in practices if any(e.id == ind.id for e in p.indicators)]
                             for ind in d.indicators}) for d in fw.grid.dimensions]

    places: dict[tuple[str, str], list[Practice]] = defaultdict(list)
    for p in practices:
        places[(p.country, p.place or "")].append(p)
    by_country: dict[str, CountryEntry] = {}
    for (code, name), items in places.items():
        entry = by_country.setdefault(code, CountryEntry(code, countries.name(code, lang), []))
        entry.places.append(Place(name, code, items))
    for entry in by_country.values():
        entry.places.sort(key=lambda pl: (pl.name == "", fold(pl.name)))
    by_place = sorted((Place(name, code, items) for (code, name), items in places.items() if name),
                      key=lambda pl: (fold(pl.name), country_key(pl.country)))

    return Book(
        lang=lang,
        edition=edition_date(records),
        practices=len(practices),
        countries=len(by_country),
        references=len(references),
        chapters=chapters,
        general=list(fw.general_checklist.items),
        general_title=fw.general_checklist.title.get(lang),
        grid=grid,
        grid_title=fw.grid.title.get(lang),
        grid_source=fw.grid.source.get(lang),
        glossary=sorted(fw.glossary.terms, key=lambda g: fold(g.term.get(lang))),
        by_country=sorted(by_country.values(), key=lambda c: fold(c.name)),
        by_place=by_place,
        catalogue=[(c.theme, c.listed) for c in chapters],
        reference_list=references,
        titles={r.id: r.title.get(lang) if isinstance(r, Practice) else r.title for r in records},
        framework=fw,
    )


def long_date(day: dt.date, lang: str) -> str:
    """'1er décembre 2026', 'December 1, 2026'."""
    text = format_date(day, format="long", locale=lang)
    return text.replace("1 ", "1er ", 1) if lang == "fr" and day.day == 1 else text


# -- HTML -------------------------------------------------------------------------------------------

def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(country_name=countries.name)
    install_i18n(env)
    return env


_ENV: Environment | None = None


Medium = Literal["web", "pdf", "file"]


def render_html(book: Book, medium: Medium = "pdf") -> str:
    """The book as one HTML document, for ``medium``:

    - ``web``: the page served at /book: its stylesheet linked (the CSP allows no inline style), a bar
      of links that print hides;
    - ``pdf``: the document WeasyPrint lays out (the stylesheet is handed to it);
    - ``file``: a file that stands alone (``kb book --format html``), the stylesheet inside it."""
    global _ENV
    _ENV = _ENV or _environment()
    lang = book.lang
    t = translator(lang)
    return _ENV.get_template("book/book.html").render(
        book=book, lang=lang, languages=switch_links(lang, lambda code: f"/book?lang={code}"), t=t,
        web=medium == "web",
        **gettext_callables(lang),
        inline_css=BOOK_CSS.read_text(encoding="utf-8") if medium == "file" else None, max_examples=GRID_EXAMPLES,
        fw=book.framework, edition_long=long_date(book.edition, lang),
        colon=t("colon"), quote=lambda text: t("quoted", text=text),
    )


# -- PDF --------------------------------------------------------------------------------------------

def _weasyprint():
    """The WeasyPrint module, or BookError saying which system libraries are missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or HarfBuzz cannot be loaded
        raise BookError(f"the PDF engine (WeasyPrint) cannot start: {exc}. It needs Pango; on Debian or Ubuntu: "
                        f"apt-get install {PANGO_PACKAGES}") from None
    return weasyprint


def write_pdf(html: str, target: Path) -> int:
    """Lay ``html`` out as an A4 PDF at ``target`` (written whole or not at all); the number of pages."""
    weasyprint = _weasyprint()
    try:
        # the book's HTML refers to no file or address to load: its only resource is the stylesheet
        document = weasyprint.HTML(string=html, base_url=str(STATIC_DIR) + "/").render(
            stylesheets=[weasyprint.CSS(filename=str(BOOK_CSS))])
    except Exception as exc:  # layout errors: reported, never a traceback
        raise BookError(f"the PDF could not be laid out: {type(exc).__name__}: {exc}") from exc
    _write_atomically(target, lambda fh: document.write_pdf(fh))
    return len(document.pages)


def _write_atomically(target: Path, write: Callable) -> None:
    """Write through ``write(file)`` to a temporary file beside ``target``, then rename it into place."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BookError(f"cannot create {target.parent}: {exc.strerror or exc}") from None
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as fh:
            write(fh)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BookError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, (BookError, KeyboardInterrupt, SystemExit)):
            raise
        raise BookError(f"the PDF could not be written: {type(exc).__name__}: {exc}") from exc


# -- building ---------------------------------------------------------------------------------------

@dataclass
class Built:
    """A book written to disk."""

    path: Path
    format: str
    lang: str
    pages: int | None  # PDF only
    seconds: float
    book: Book


def build(records: list[Practice | Reference], lang: str, fmt: Format, target: Path, *, web: bool = False,
          framework: Framework | None = None) -> Built:
    """Write the book in ``lang`` as ``fmt`` to ``target``; BookError when it cannot. ``web``: the HTML is
    the page /book serves rather than a file that stands alone."""
    if fmt not in FORMATS:
        raise BookError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    start = time.perf_counter()
    book = collect(records, lang, framework)
    html = render_html(book, "pdf" if fmt == "pdf" else "web" if web else "file")
    pages = None
    if fmt == "pdf":
        pages = write_pdf(html, target)
    else:
        _write_atomically(target, lambda fh: fh.write(html.encode("utf-8")))
    return Built(target, fmt, lang, pages, time.perf_counter() - start, book)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # one build per file at a time, across worker processes too
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def cached(generation: Path, records: Callable[[], Iterable[Practice | Reference]], lang: str, fmt: Format,
           framework: Framework | None = None) -> Path:
    """The book for the index generation at ``generation``, built on first request (from the records
    ``records()`` gives) and kept in ``<generation>/book/``; the HTML is the web page's. It goes when
    the generation is pruned."""
    target = generation / "book" / f"book-{lang}.{fmt}"
    if target.is_file():
        return target
    if not generation.is_dir():
        raise BookError(f"the index this server loaded ({generation.name}) has been replaced by a newer one; "
                        "restart the server to publish the new edition")
    try:
        target.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise BookError(f"cannot create {target.parent}: {exc.strerror or exc}") from None
    with _lock(target.parent / f".{target.name}.lock"):
        if not target.is_file():  # another worker may have built it while this one waited
            build(list(records()), lang, fmt, target, web=True, framework=framework)
    return target
