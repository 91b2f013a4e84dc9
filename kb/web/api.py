"""The JSON API under /api: the same models and library functions as the CLI.

Errors under /api share one envelope: {"ok": false, "error": "...", "status": 4xx}.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
import yaml
from pydantic import BaseModel, Field, ValidationError

from kb.assess.answers import Answers, AnswersError, parse_answers
from kb.search.filters import FilterError, Filters
from kb.records.framework_json import framework_json
from kb.assess.grid import GridAnswers, GridReport, parse_grid, score
from kb.records.models import Practice, Reference
from kb.assess.recommend import GapsReport
from kb.search.engine import SearchResponse
from kb.assess.team import MAX_RESPONDENTS, TeamError, TeamReport, read_team, team_report

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_BODY = 256 * 1024
FilterValues = Annotated[list[str] | None, Query(description="Id or name, French or English; repeat for several values.")]


class PracticeList(BaseModel):
    total: int
    items: list[Practice]


class ReferenceList(BaseModel):
    total: int
    items: list[Reference]


def _service(request: Request):
    return request.app.state.service


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, f"request body larger than {MAX_BODY // 1024} KiB")
    return body


def _answers_schema(model) -> dict:
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()},
        "application/yaml": {"schema": {"type": "string"}},
    }}}


def record_or_404(service, record_id: str):
    record = service.record(record_id) if ID_RE.match(record_id) and len(record_id) <= 120 else None
    if record is None:
        raise HTTPException(404, f"no record has the id {record_id!r}")
    return record


router = APIRouter(prefix="/api")


# async on purpose: a search is a few milliseconds of CPU under the index's lock, so handing it to a
# worker thread (FastAPI's way for plain functions) only adds a thread switch to every call
@router.get("/search", response_model=SearchResponse, tags=["search"])
async def api_search(
    request: Request,
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
    """Search practices and references (the `kb search --json` shape). Filters take ids or names in
    French or English, typos tolerated; facet counts cover every match."""
    raw = {"theme": theme, "country": country, "success_factor": success_factor, "dimension": dimension,
           "target_group": target_group, "sector": sector, "actor_type": actor_type, "kind": kind}
    if sum(len(v) for v in raw.values() if v) > 40:
        raise HTTPException(400, "too many filter values (40 at most)")
    try:
        filters = Filters.parse({k: v for k, v in raw.items() if v})
    except FilterError as exc:
        raise HTTPException(400, str(exc)) from None
    index = _service(request).index
    index.refresh()
    return index.search(q, filters, page=page, limit=limit, sort=sort, lang=lang)


@router.get("/practices", response_model=PracticeList, tags=["records"])
def api_practices(
    request: Request,
    theme: Annotated[int | None, Query(ge=1, le=6)] = None,
    country: Annotated[str | None, Query(max_length=60, description="Code or name.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
):
    """Every practice (optionally of one theme or country), in id order."""
    service = _service(request)
    code = None
    if country:
        try:
            codes = Filters.parse({"country": [country]}).values.get("country", [])
        except FilterError as exc:
            raise HTTPException(400, str(exc)) from None
        if len(codes) != 1:
            raise HTTPException(400, f"country: give one country, as a code or a name (e.g. PL or Pologne); got {country!r}")
        code = codes[0]
    items = service.practices_for(theme=theme, country=code)
    return PracticeList(total=len(items), items=[service.record(b.id) for b in items[offset:offset + limit]])


@router.get("/practices/{record_id}", response_model=Practice | Reference, tags=["records"])
def api_practice(request: Request, record_id: str):
    """One record (practice or reference) by id; 404 when unknown."""
    return record_or_404(_service(request), record_id)


@router.get("/references", response_model=ReferenceList, tags=["records"])
def api_references(request: Request, theme: Annotated[int | None, Query(ge=1, le=6)] = None):
    """Every reference (optionally of one theme)."""
    service = _service(request)
    items = service.references_for(theme) if theme else service.references
    return ReferenceList(total=len(items), items=[service.record(b.id) for b in items])


@router.get("/taxonomy", tags=["framework"])
def api_taxonomy(request: Request) -> dict:
    """The guide's framework: themes, success factors, checklists, general checklist, grid, glossary, facets."""
    return framework_json(_service(request).framework)


GAPS_EXAMPLE = {"ticked": ["T1-01", "T1-02", "G-01"], "not_applicable": ["T3-11"], "country": "PL",
                "date": "2026-06-01", "respondent": "coordination team"}


class GapsSince(BaseModel):
    """An answers document and an earlier one, to see the progress between them."""

    answers: Answers
    since: Answers


def _answers_or_400(raw, name: str) -> Answers:
    """The answers of ``raw``, or a 400 naming each problem's field (under ``name.`` for a part of the body)."""
    try:
        return parse_answers(raw, name)
    except AnswersError as exc:
        prefix = "" if name == "body" else f"{name}."
        raise HTTPException(400, "; ".join(prefix + p.render(name).split(": error: ", 1)[1] for p in exc.problems)) from None


@router.post("/gaps", response_model=GapsReport, tags=["self-assessment"], openapi_extra={"requestBody": {
    "required": True, "content": {
        "application/json": {"schema": {"oneOf": [Answers.model_json_schema(), GapsSince.model_json_schema()]},
                             "examples": {"answers": {"summary": "One answers document", "value": GAPS_EXAMPLE},
                                          "since": {"summary": "With an earlier answers document (progress)",
                                                    "value": {"answers": GAPS_EXAMPLE,
                                                              "since": {"ticked": ["T1-01"], "date": "2025-06-01"}}}}},
        "application/yaml": {"schema": {"type": "string"}},
    }}})
async def api_gaps(
    request: Request,
    lang: Literal["fr", "en"] = "en",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    per_gap: Annotated[int, Query(ge=1, le=20)] = 5,
):
    """An answers document (JSON or YAML, the file the CLI reads) in; the `kb gaps --json` report out.
    To see progress, send `{"answers": {...}, "since": {...}}` with an earlier answers document: the
    report then has a `progress` section (`kb gaps NEW --since OLD`). Nothing is stored."""
    body = await _body(request)
    since = None
    parsed = _envelope(body)
    if parsed is not None:
        answers = _answers_or_400(json.dumps(parsed["answers"], default=str), "answers")
        since = _answers_or_400(json.dumps(parsed["since"], default=str), "since")
    else:
        answers = _answers_or_400(body, "body")
    return _service(request).recommender.report(answers, per_gap=per_gap, limit=limit, lang=lang, since=since)


def _envelope(body: bytes) -> dict | None:
    """The {"answers": ..., "since": ...} body of a progress request, or None for a plain answers document."""
    try:
        data = yaml.safe_load(body) if body.strip() else None
    except yaml.YAMLError:
        return None  # parse_answers reports the syntax error with its line
    if isinstance(data, dict) and set(data) == {"answers", "since"}:
        if not all(isinstance(data[k], dict) for k in ("answers", "since")):
            raise HTTPException(400, "answers and since must each be an answers document (a mapping)")
        return data
    if isinstance(data, dict) and ("answers" in data or "since" in data):
        raise HTTPException(400, 'a progress request has exactly two keys, "answers" and "since"')
    return None


TEAM_EXAMPLE = {"respondents": [
    {"name": "coordinator.yaml", "answers": {"ticked": ["T1-01", "T1-02"], "respondent": "Coordinator"}},
    {"name": "advisory.yaml", "answers": {"ticked": ["T1-01"], "respondent": "Refugee advisory group"}},
    {"name": "partner.yaml", "answers": {"ticked": ["T1-01"], "respondent": "Partner NGO"}},
]}


class TeamMember(BaseModel):
    name: str = Field(max_length=200, description="A label for the file; the answers' `respondent` wins when given.")
    answers: dict = Field(description="An answers document (the file the CLI reads).")


class TeamRequest(BaseModel):
    respondents: list[TeamMember] = Field(description=f"2 to {MAX_RESPONDENTS} answers documents.")


@router.post("/team", response_model=TeamReport, tags=["self-assessment"], openapi_extra={"requestBody": {
    "required": True, "content": {"application/json": {"schema": TeamRequest.model_json_schema(),
                                                       "example": TEAM_EXAMPLE}}}})
async def api_team(request: Request, lang: Literal["fr", "en"] = "en",
                   per_gap: Annotated[int, Query(ge=1, le=20)] = 3):
    """Several people's answers documents in; the team view out (`kb gaps A B C --team --json`): per
    item who ticked it, the contested items first as an agenda, a reading per theme, everyone's
    notes, and practices for the consensus gaps first. Nothing is stored."""
    body = await _body(request)
    try:
        data = TeamRequest.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(x) for x in first["loc"]) or "body"
        raise HTTPException(400, f"{where}: {first['msg']}") from None
    files = [(m.name, json.dumps(m.answers, default=str).encode()) for m in data.respondents]
    try:
        team = read_team(files)
    except TeamError as exc:
        raise HTTPException(400, str(exc).replace("\n", "; ")) from None
    return team_report(team, _service(request).recommender, per_gap=per_gap, lang=lang)


@router.post("/grid", response_model=GridReport, tags=["self-assessment"], openapi_extra=_answers_schema(GridAnswers))
async def api_grid(request: Request):
    """Ratings of the grid's indicators in (met / partly / not-met / n/a); scores per dimension and overall."""
    try:
        answers = parse_grid(await _body(request), "body")
    except AnswersError as exc:
        raise HTTPException(400, "; ".join(p.render("body").split(": error: ", 1)[1] for p in exc.problems)) from None
    return score(answers, _service(request).practices)


@router.get("/export.json", tags=["exports"])
def export_json(request: Request) -> JSONResponse:
    """Every record as one JSON document."""
    service = _service(request)
    return JSONResponse(
        {"practices": [service.record(p.id).model_dump(mode="json", exclude_none=True) for p in service.practices],
         "references": [service.record(r.id).model_dump(mode="json", exclude_none=True) for r in service.references]},
        headers={"Content-Disposition": 'attachment; filename="integration-practices.json"'},
    )


CSV_COLUMNS = ["id", "kind", "title_fr", "title_en", "summary_fr", "summary_en", "country", "place", "organisations",
               "actor_types", "year", "themes", "success_factors", "checklist_items", "indicators", "target_groups",
               "sectors", "links", "publisher", "language", "document_type", "source_section", "source_heading"]


@router.get("/export.csv", tags=["exports"])
def export_csv(request: Request) -> Response:
    """Every record as CSV (one row each; lists joined with "; ")."""
    service = _service(request)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for r in service.full_records():
        row = {"id": r.id, "kind": r.kind, "themes": "; ".join(map(str, r.themes)),
               "source_section": r.source.section or "", "source_heading": r.source.heading or ""}
        if isinstance(r, Practice):
            row.update(title_fr=r.title.fr, title_en=r.title.en, summary_fr=r.summary.fr, summary_en=r.summary.en,
                       country=r.country, place=r.place or "", organisations="; ".join(r.organisations),
                       actor_types="; ".join(r.actor_types), year=r.year_started or "",
                       success_factors="; ".join(r.success_factors), checklist_items="; ".join(r.checklist_items),
                       indicators="; ".join(e.id for e in r.indicators), target_groups="; ".join(r.target_groups),
                       sectors="; ".join(r.sectors), links="; ".join(link.url for link in r.links))
        else:
            row.update(title_fr=r.title, title_en=r.title, summary_fr=r.description.fr, summary_en=r.description.en,
                       year=r.year or "", links="; ".join(link.url for link in r.links), publisher=r.publisher, language=r.language,
                       document_type=r.document_type)
        writer.writerow(row)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="integration-practices.csv"'})
