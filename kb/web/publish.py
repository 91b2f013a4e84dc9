"""Web routes that carry the knowledge base beyond its pages: the printable book (/book, /book.pdf), the
Atom feed of what is new (/feed.atom) and the first-visit path (/start).

Thin handlers: the book is made by kb/web/book.py (once per index generation, kept beside the index), the
feed by kb/web/feed.py, the worked examples are kb/assess/examples.py's. Nothing about the visitor is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from kb.web import book, feed
from kb.assess.examples import EXAMPLES, START_EXAMPLES
from kb.search.filters import FACET_PARAMS, FilterError, Filters
from kb.web.i18n import lang_of

router = APIRouter(include_in_schema=False)
MAX_FILTER_VALUES = 40  # as on /search


def _svc(request: Request):
    return request.app.state.service


@router.get("/start", response_class=HTMLResponse)
def start_page(request: Request):
    """Where a first-time visitor begins: the three things the service does, and worked examples."""
    return request.app.state.render(request, "start.html", examples=[EXAMPLES[n] for n in START_EXAMPLES],
                                    counts=_svc(request).counts)


def _book_file(request: Request, fmt: book.Format):
    svc = _svc(request)
    try:
        return book.cached(svc.generation.path, svc.full_records, lang_of(request), fmt, svc.framework)
    except book.BookError as exc:
        raise HTTPException(503, f"the book cannot be made right now: {exc}") from None


@router.get("/book")
def book_page(request: Request):
    """The whole knowledge base as one printable page (the PDF's HTML)."""
    return FileResponse(_book_file(request, "html"), media_type="text/html; charset=utf-8",
                        headers={"Content-Language": lang_of(request)})


@router.get("/book.pdf")
def book_pdf(request: Request):
    """The book as an A4 PDF: contents with page numbers, running headers, links, an outline."""
    lang = lang_of(request)
    return FileResponse(_book_file(request, "pdf"), media_type="application/pdf",
                        filename=f"integration-practices-{lang}.pdf", content_disposition_type="inline",
                        headers={"Content-Language": lang})


@router.get("/feed.atom")
def atom_feed(request: Request):
    """Practices and references added or updated, newest first; the filters are the search page's."""
    raw: dict[str, list[str]] = {}
    for facet in FACET_PARAMS:
        values = [v for v in request.query_params.getlist(facet) if v.strip()]
        if values:
            raw[facet] = values
    if sum(len(v) for v in raw.values()) > MAX_FILTER_VALUES:
        raise HTTPException(400, f"filters: at most {MAX_FILTER_VALUES} values")
    try:
        filters = Filters.parse(raw)
    except FilterError as exc:
        raise HTTPException(400, str(exc)) from None
    svc = _svc(request)
    body = feed.atom(svc.timeline, filters, base_url=str(request.base_url), lang=lang_of(request),
                     framework=svc.framework, load=svc.record)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


__all__ = ["router"]
