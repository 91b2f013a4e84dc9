"""The web application: ``create_app`` builds the FastAPI app over the library.

Pages are server-rendered with Jinja2 (autoescape on); French by default, English with ``?lang=en``.
The app reads records and framework once at start-up and stores nothing about its users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from kb import __version__
from kb.framework import get_framework
from kb.paths import STATIC_DIR, TEMPLATES_DIR, practices_dir
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


@dataclass
class Settings:
    """Where the app reads its records from."""

    practices: Path = field(default_factory=practices_dir)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "fr"
    return lang if lang in UI else "fr"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, reading its records from ``settings.practices``."""
    settings = settings or Settings()
    framework = get_framework()
    records = load_records(settings.practices)
    counts = compute(records, framework)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

    app = FastAPI(
        title="integration-practices-kb",
        version=__version__,
        description="Good practices for the local integration of refugees, from the UNHCR / MPG integration toolkit.",
    )
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

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

    return app
