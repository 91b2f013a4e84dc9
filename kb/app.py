"""The web application: ``create_app`` builds the FastAPI app over the library.

Pages are server-rendered with Jinja2 (autoescape on); French by default, English with ``?lang=en``.
The app reads records and framework once at start-up and stores nothing about its users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from kb import __version__
from kb.filters import FilterError, Filters
from kb.framework import get_framework
from kb.indexer import ensure
from kb.paths import STATIC_DIR, TEMPLATES_DIR, index_dir, practices_dir
from kb.search import SearchIndex, SearchResponse
from kb.stats import compute
from kb.validate import load_records

UI = {
    "fr": {
        "tagline": "Bonnes pratiques pour l'intégration locale des réfugiés",
        "themes": "Les six thématiques clés",
        "practices": "pratiques",
        "references": "références",
        "countries": "pays",
        "other_lang": "English",
    },
    "en": {
        "tagline": "Good practices for the local integration of refugees",
        "themes": "The six key themes",
        "practices": "practices",
        "references": "references",
        "countries": "countries",
        "other_lang": "Français",
    },
}


FilterValues = Annotated[list[str] | None, Query(description="Id or name; repeat for several values.")]


@dataclass
class Settings:
    """Where the app reads its records and its index from."""

    practices: Path = field(default_factory=practices_dir)
    index: Path = field(default_factory=index_dir)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "fr"
    return lang if lang in UI else "fr"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, reading its records from ``settings.practices``."""
    settings = settings or Settings()
    framework = get_framework()
    records = load_records(settings.practices)
    counts = compute(records, framework)
    ensure(settings.practices, settings.index)
    index = SearchIndex(settings.index)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

    app = FastAPI(
        title="integration-practices-kb",
        version=__version__,
        description="Good practices for the local integration of refugees, from the UNHCR / MPG integration toolkit.",
    )
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.state.index = index

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e["loc"][1:]) or str(e["loc"][0])
            problems.append(f"{where}: {e['msg']}")
        return error(422, "; ".join(problems))

    def render(request: Request, name: str, **context) -> HTMLResponse:
        lang = _lang(request)
        response = templates.TemplateResponse(
            request, name, {"lang": lang, "ui": UI[lang], "other": "en" if lang == "fr" else "fr", **context}
        )
        if request.query_params.get("lang") in UI:
            response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html", themes=framework.themes, counts=counts)

    @app.get("/healthz", tags=["service"])
    def healthz() -> JSONResponse:
        """Answers when the service is ready, with the number of records it serves."""
        return JSONResponse({"ok": True, "practices": counts["practices"], "references": counts["references"]})

    @app.get("/api/search", response_model=SearchResponse, tags=["search"])
    def api_search(
        q: Annotated[str, Query(max_length=500, description='Words, or "a phrase" in quotes.')] = "",
        theme: FilterValues = None,
        country: FilterValues = None,
        success_factor: FilterValues = None,
        dimension: FilterValues = None,
        target_group: FilterValues = None,
        sector: FilterValues = None,
        actor_type: FilterValues = None,
        kind: FilterValues = None,
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        sort: Literal["relevance", "date"] = "relevance",
        lang: Literal["fr", "en"] = "fr",
    ):
        """Search practices and references. Filters take ids or names in French or English (typos
        tolerated); repeat a parameter for several values. Facet counts cover all matches."""
        raw = {"theme": theme, "country": country, "success_factor": success_factor, "dimension": dimension,
               "target_group": target_group, "sector": sector, "actor_type": actor_type, "kind": kind}
        try:
            filters = Filters.parse({k: v for k, v in raw.items() if v})
        except FilterError as exc:
            return error(400, str(exc))
        index.refresh()
        return index.search(q, filters, page=page, limit=limit, sort=sort, lang=lang)

    return app
