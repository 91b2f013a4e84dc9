"""The web application: ``create_app`` wires the HTML pages and the JSON API over one ``Service``.

Pages are server-rendered with Jinja2 (autoescape on); the service stores nothing about its users.
"""

from __future__ import annotations

import gc
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb import __version__

from kb.records import countries
from kb.web import i18n
from kb.web.api import router as api_router
from kb.web.i18n import (content_lang, gettext_callables, install_i18n, lang_of, language_name, other_content_lang,
                         switch_links, translator)
from kb.web.middleware import MAX_REQUEST_BYTES, RequestGuard
from kb.web.pages import router as pages_router
from kb.web.publish import router as publish_router
from kb.web.team_pages import router as team_router
from kb.web.team_pages import too_large as team_too_large
from kb.paths import STATIC_DIR, TEMPLATES_DIR
from kb.web.service import Service, Settings

__all__ = ["create_app", "Settings"]

# Swagger UI's files, shipped by the fastapi-offline package, so that /docs needs no CDN.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, reading its records and index as ``settings`` say."""
    service = Service(settings or Settings())
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals.update(country_name=countries.name, language_name=language_name, version=__version__)
    install_i18n(templates.env)

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="integration-practices-kb",
        version=__version__,
        description="Good practices for the local integration of refugees, from the UNHCR / MPG integration "
                    "toolkit: search, records, the guide's framework, self-assessment. Nothing is stored.",
    )
    app.state.service = service
    # what start-up loaded stays for the life of the process: keep it out of the garbage collector's
    # full passes, which otherwise walk every record on a large collection
    gc.freeze()

    def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
        lang = lang_of(request)
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        from urllib.parse import urlencode

        languages = switch_links(lang, lambda code: request.url.path + "?" + urlencode(query + [("lang", code)]))
        return templates.TemplateResponse(
            request, name,
            {"lang": lang, "content": content_lang(lang), "other": other_content_lang(lang), "t": translator(lang),
             "languages": languages,
             "themes_nav": service.framework.themes, **gettext_callables(lang), **context},
            status_code=status_code,
        )

    app.state.render = render
    app.mount("/static/docs", StaticFiles(directory=str(DOCS_ASSETS)), name="docs-assets")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """OpenAPI docs, served with local assets (no CDN, no inline script)."""
        return templates.TemplateResponse(request, "docs.html", {})
    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(publish_router)  # /book, /book.pdf, /feed.atom, /start
    app.include_router(team_router)  # /team, /plan

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/healthz"

    def error_response(request: Request, status: int, message: str):
        if is_api(request):
            return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)
        return render(request, "error.html", status_code=status, status=status, message=message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e["loc"][1:]) or str(e["loc"][0])
            problems.append(f"{where}: {e['msg']}")
        return error_response(request, 422, "; ".join(problems))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # pragma: no cover - a bug, logged by uvicorn
        return error_response(request, 500, "internal error; the request was not processed")

    app.add_middleware(RequestGuard, refuse=error_response, touch=service.touch, langs=lambda: i18n.LANGS,
                       too_large={"/team": lambda request: team_too_large(request, MAX_REQUEST_BYTES // 1024)})

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict:
        """Answers when the service is ready, with the number of records it serves."""
        return {"ok": True, "practices": service.counts["practices"], "references": service.counts["references"]}

    return app
