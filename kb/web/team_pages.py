"""The pages of the self-assessment as a team and of the action plan: thin handlers over kb.assess.team and
kb.assess.plan.

/team takes several answers files at once (an <input type=file multiple>, which web/static/team.js
lets the user fill one file at a time) and shows the team view; its forms carry the answers back as
hidden fields, so that the Markdown download and the plan need no second upload and nothing is kept.
/plan turns the gaps ticked on /results or /team (checkboxes tied to one form by its id) into a
printable plan, its Markdown or its CSV.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.assess.answers import MAX_ANSWERS_BYTES, AnswersError, parse_answers
from kb.web.i18n import content_lang, lang_of, translator
from kb.assess.plan import COLUMNS, MAX_ITEMS, PlanError, make_plan, parse_items, plan_csv, plan_markdown
from kb.assess.team import MAX_RESPONDENTS, TeamError, read_team, shared_preferences, team_markdown, team_report

router = APIRouter(include_in_schema=False)
MAX_FORM_PARTS = 200  # files and fields a team form may carry: far above 50 files, far below ten thousand


def _render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    return request.app.state.render(request, name, status_code=status_code, **context)


def _team_page(request: Request, *, status_code: int = 200, errors: list[str] | None = None, **context):
    return _render(request, "team.html", status_code=status_code,
                   **{"report": None, "errors": errors or [], "max_respondents": MAX_RESPONDENTS, **context})


def too_large(request: Request, limit_kib: int) -> HTMLResponse:
    """The team page with the reason, for a request larger than the app accepts (ten thousand files)."""
    t = translator(lang_of(request))
    return _team_page(request, status_code=413, errors=[t("team_too_large", kib=limit_kib, n=MAX_RESPONDENTS)])


@router.get("/team", response_class=HTMLResponse)
def team_form(request: Request):
    """The form where a team's answers files are uploaded together."""
    return _team_page(request)


async def _team_files(form) -> list[tuple[str, bytes]]:
    """(name, content) of the uploaded files, or of the members a team view carries in its forms."""
    files = []
    for n, upload in enumerate(form.getlist("files"), start=1):
        if isinstance(upload, UploadFile) and (upload.filename or upload.size):
            files.append((upload.filename or f"file {n}", await upload.read(MAX_ANSWERS_BYTES + 1)))
    if files:
        return files
    for n, member in enumerate(form.getlist("member")[:MAX_FORM_PARTS], start=1):
        try:
            data = json.loads(str(member))
            name, answers = str(data["name"])[:200], data["answers"]
        except (ValueError, KeyError, TypeError):
            name, answers = f"member {n}", str(member)
        # the label heads the document as a YAML comment: two members with the same answers stay two
        # files (read_team refuses a file given twice, which a re-sent team view is not)
        files.append((name, f"# {name}\n".encode() + json.dumps(answers, ensure_ascii=False).encode()))
    return files


@router.post("/team", response_class=HTMLResponse)
async def team_view(request: Request):
    """The team view of the uploaded answers files (2 to 50), read in the request and kept nowhere;
    ``format=md`` downloads it as Markdown."""
    svc = request.app.state.service
    lang = lang_of(request)
    t = translator(lang)
    try:
        form = await request.form(max_files=MAX_FORM_PARTS, max_fields=MAX_FORM_PARTS)
    except StarletteHTTPException as exc:  # too many parts: said on the page, not as a bare error
        return _team_page(request, status_code=400, errors=[f"{exc.detail} {t('team_too_many_parts', n=MAX_RESPONDENTS)}"])
    try:
        team = read_team(await _team_files(form))
    except TeamError as exc:
        return _team_page(request, status_code=400, errors=str(exc).splitlines())
    report = team_report(team, svc.recommender, per_gap=3, lang=content_lang(lang))
    if form.get("format") == "md":
        return Response(team_markdown(report, content_lang(lang)), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="team.md"'})
    members = [json.dumps({"name": label, "answers": a.model_dump(mode="json", exclude_none=True)}, ensure_ascii=False)
               for label, a in team]
    prefs = shared_preferences([a for _, a in team])
    return _team_page(request, report=report, members=members, prefs=prefs.model_dump(include={"organisation", "country", "actor_type"},
                                                                               exclude_none=True),
                      fw=svc.framework)


# -- the action plan ------------------------------------------------------------------------

def _plan_page(request: Request, *, status_code: int = 200, **context):
    return _render(request, "plan.html", status_code=status_code, **{"plan": None, "errors": [], "items": [],
                                                                    "prefs": {}, "columns": COLUMNS, **context})


@router.get("/plan", response_class=HTMLResponse)
def plan_form(request: Request):
    """How to make a plan, with a form taking item ids."""
    return _plan_page(request)


@router.post("/plan")
async def plan_page(request: Request):
    """The plan for the chosen items (``items``, repeated or comma-separated): a printable page, or with
    ``format=md`` or ``format=csv`` a download. Country and kind of organisation favour practices."""
    svc = request.app.state.service
    lang = lang_of(request)
    form = await request.form()
    items = parse_items(",".join(str(v) for v in form.getlist("items")[:MAX_ITEMS * 2]))
    prefs = {k: str(form.get(k)).strip()[:200] for k in ("organisation", "country", "actor_type") if form.get(k)}
    prefs = {k: v for k, v in prefs.items() if v}
    try:
        answers = parse_answers(json.dumps(prefs), "form")
    except AnswersError as exc:
        return _plan_page(request, status_code=400, errors=[p.render(exc.name) for p in exc.problems], items=items,
                          prefs=prefs)
    try:
        plan = make_plan(svc.recommender, items, answers)
    except PlanError as exc:
        return _plan_page(request, status_code=400, errors=[str(exc)], items=items, prefs=prefs)
    fmt = form.get("format")
    if fmt == "md":
        return Response(plan_markdown(plan, content_lang(lang)), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="action-plan.md"'})
    if fmt == "csv":
        return Response(plan_csv(plan, content_lang(lang)), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="action-plan.csv"'})
    return _plan_page(request, plan=plan, items=items, prefs=prefs)


__all__ = ["router", "too_large"]
