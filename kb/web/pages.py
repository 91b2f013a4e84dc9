"""The HTML pages: thin handlers that call the library and render Jinja2 templates.

French by default, English with ?lang=en (remembered in a cookie). Everything works without
JavaScript; the checklist's script only saves answers in the browser as the user goes.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from kb.records import countries
from kb.assess.answers import MAX_ANSWERS_BYTES, Answers, AnswersError, parse_answers
from kb.web.api import record_or_404
from kb.search.filters import FACET_PARAMS, FilterError, Filters
from kb.assess.grid import parse_grid, score
from kb.web.i18n import content_lang, lang_of, translator
from kb.records.models import Practice
from kb.assess.summary import STATUS, markdown

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 10
RECENT = 6  # records in the home page's "recently added"


def _svc(request: Request):
    return request.app.state.service


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    return request.app.state.render(request, name, status_code=status_code, **context)


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    svc = _svc(request)
    countries_seen = sorted({p.country for p in svc.practices}, key=lambda c: countries.name(c, lang_of(request)))
    return render(request, "home.html", themes=svc.framework.themes, counts=svc.counts,
                  coverage=svc.coverage, coverage_countries=countries_seen,
                  recent=svc.timeline.latest(limit=RECENT))


def _search_params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for facet in FACET_PARAMS:
        values = [v for v in request.query_params.getlist(facet) if v.strip()]
        if values:
            params[facet] = values
    return params


def search_url(q: str, filters: dict[str, list[str]], **extra) -> str:
    pairs: list[tuple[str, str]] = []
    if q:
        pairs.append(("q", q))
    for facet, values in filters.items():
        pairs += [(facet, v) for v in values]
    pairs += [(k, str(v)) for k, v in extra.items() if v not in (None, "")]
    return "/search" + ("?" + urlencode(pairs) if pairs else "")


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request):
    svc = _svc(request)
    lang = lang_of(request)
    q = request.query_params.get("q", "")[:500]
    sort = request.query_params.get("sort", "relevance")
    sort = sort if sort in ("relevance", "date") else "relevance"
    try:
        page = max(1, min(10_000, int(request.query_params.get("page", "1"))))
    except ValueError:
        page = 1
    raw = _search_params(request)
    error = None
    try:
        if sum(len(v) for v in raw.values()) > 40:
            raise FilterError("filters", "…", [])
        filters = Filters.parse(raw)
    except FilterError as exc:
        error, filters = str(exc), Filters()
    svc.index.refresh()
    result = svc.index.search(q, filters, page=page, limit=PAGE_SIZE, sort=sort, lang=content_lang(lang))
    active = filters.values

    def toggle(facet: str, value: str) -> str:
        current = list(active.get(facet, []))
        current = [v for v in current if v != value] if value in current else current + [value]
        new = {**active, facet: current}
        return search_url(q, {k: v for k, v in new.items() if v}, sort=None if sort == "relevance" else sort)

    def page_url(n: int) -> str:
        return search_url(q, active, sort=None if sort == "relevance" else sort, page=n if n > 1 else None)

    return render(request, "search.html", status_code=400 if error else 200, q=q, result=result, error=error,
                  active=active, toggle=toggle, page_url=page_url, sort=sort,
                  sort_url=lambda s: search_url(q, active, sort=None if s == "relevance" else s),
                  json_url="/api/search" + search_url(q, active, sort=sort, page=page,
                                                      lang=content_lang(lang))[len("/search"):],
                  facet_label=_facet_label(svc, lang), search_url=search_url)


def _facet_label(svc, lang: str):
    fw = svc.framework

    def label(facet: str, value: str) -> str:
        if facet == "theme":
            t = fw.theme_by_number.get(int(value)) if value.isdigit() else None
            return f"{value}. {t.title.get(lang)}" if t else value
        if facet == "country":
            return countries.name(value, lang)
        if facet == "success_factor" and value in fw.success_factors:
            return fw.success_factors[value][1].name.get(lang)
        if facet == "dimension" and value in fw.dimensions:
            return fw.dimensions[value].name.get(lang)
        if facet in ("target_group", "sector", "actor_type"):
            term = fw.facet(facet + "s").get(value)
            return term.name.get(lang) if term else value
        if facet == "kind" and value in ("practice", "reference"):
            return translator(lang)("kind_" + value)
        return value

    return label


@router.get("/practices/{record_id}", response_class=HTMLResponse)
def practice_page(request: Request, record_id: str):
    svc = _svc(request)
    record = record_or_404(svc, record_id)
    related = [svc.by_id[r] for r in getattr(record, "related", []) if r in svc.by_id]
    similar = svc.index.similar(record.id, limit=5, lang=content_lang(lang_of(request)))
    return render(request, "practice.html" if isinstance(record, Practice) else "reference.html",
                  record=record, related=related, similar=similar, fw=svc.framework)


@router.get("/references", response_class=HTMLResponse)
def references_page(request: Request):
    svc = _svc(request)
    groups = [(t, svc.references_for(t.number)) for t in svc.framework.themes]
    general = [r for r in svc.references if not r.themes]
    return render(request, "references.html", groups=groups, general=general, total=len(svc.references))


@router.get("/themes/{number}", response_class=HTMLResponse)
def theme_page(request: Request, number: str):
    svc = _svc(request)
    if not number.isdigit() or int(number) not in svc.framework.theme_by_number:
        raise HTTPException(404, f"no theme {number!r}; themes are numbered 1 to 6")
    theme = svc.framework.theme_by_number[int(number)]
    by_factor = {sf.id: svc.practices_for(success_factor=sf.id) for sf in theme.success_factors}
    return render(request, "theme.html", theme=theme, by_factor=by_factor, references=svc.references_for(theme.number),
                  practices=svc.practices_for(theme=theme.number), fw=svc.framework)


@router.get("/countries/{code}", response_class=HTMLResponse)
def country_page(request: Request, code: str):
    svc = _svc(request)
    resolved = countries.resolve(code) if len(code) <= 60 else None
    if resolved is None:
        raise HTTPException(404, f"no country {code!r}")
    if resolved != code:
        return RedirectResponse(f"/countries/{resolved}", status_code=301)
    practices = svc.practices_for(country=code)
    return render(request, "country.html", code=code, practices=practices, fw=svc.framework)


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request):
    return render(request, "glossary.html", terms=_svc(request).framework.glossary.terms)


# -- self-assessment ------------------------------------------------------------------------

def _form_answers(form) -> dict:
    """The answers document the checklist form describes (the file's shape)."""
    notes = {}
    for key in ("1", "2", "3", "4", "5", "6", "general"):
        value = (form.get(f"note_{key}") or "").strip()
        if value:
            notes[key] = value[:5000]
    doc = {"ticked": list(dict.fromkeys(form.getlist("ticked")))[:200],
           "not_applicable": [i for i in dict.fromkeys(form.getlist("not_applicable")) if i not in form.getlist("ticked")][:200],
           "notes": notes}
    for key in ("organisation", "country", "actor_type", "date", "respondent"):
        value = str(form.get(key) or "").strip()
        if value:
            doc[key] = value[:200]
    return doc


def answers_yaml(doc: dict) -> str:
    header = "# Self-assessment answers (integration toolkit); read with `kb gaps FILE` or load in /checklist\n"
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _checklist(request: Request, answers: dict | None = None, errors: list[str] | None = None, status_code: int = 200):
    svc = _svc(request)
    return render(request, "checklist.html", status_code=status_code, fw=svc.framework, answers=answers or {},
                  errors=errors or [], actor_types=svc.framework.facets.actor_types)


@router.get("/checklist", response_class=HTMLResponse)
def checklist_page(request: Request):
    return _checklist(request)


@router.post("/checklist", response_class=HTMLResponse)
async def checklist_upload(request: Request):
    """Load an answers file (the one the CLI reads) back into the form."""
    form = await request.form()
    upload = form.get("answers_file")
    if not isinstance(upload, UploadFile) and not hasattr(upload, "read"):
        return _checklist(request, errors=["answers_file: choose a file to load"], status_code=400)
    raw = await upload.read(256 * 1024 + 1)
    try:
        answers = parse_answers(raw, upload.filename or "answers")
    except AnswersError as exc:
        return _checklist(request, errors=[p.render(exc.name) for p in exc.problems], status_code=400)
    return _checklist(request, answers=answers.model_dump(exclude_none=True))


@router.post("/checklist/download")
async def checklist_download(request: Request):
    doc = _form_answers(await request.form())
    return Response(answers_yaml(doc), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="answers.yaml"'})


@router.get("/results", response_class=HTMLResponse)
def results_empty(request: Request, example: str = ""):
    """The results page; ``?example=small-ngo`` shows the results of a worked example (see /start)."""
    if example:
        return _example_results(request, example)
    return render(request, "results.html", report=None)


def _example_results(request: Request, name: str):
    from kb.assess.examples import get, load

    svc = _svc(request)
    try:
        example = get(name[:60])
    except KeyError as exc:
        raise HTTPException(404, exc.args[0]) from None
    answers = load(example.name)
    report = svc.recommender.report(answers, per_gap=3, limit=10, lang=content_lang(lang_of(request)))
    return render(request, "results.html", report=report, doc=answers.model_dump(exclude_none=True),
                  status_text=STATUS, fw=svc.framework, example=example)


async def _earlier_answers(form, lang: str) -> tuple[Answers | None, list[str]]:
    """The earlier answers to compare with: an uploaded ``since_file`` (the compare form), else the
    ``since_doc`` a progress page carries in its forms; with the problems when it cannot be read."""
    upload = form.get("since_file")
    if isinstance(upload, UploadFile) and (upload.filename or upload.size):
        raw = await upload.read(MAX_ANSWERS_BYTES + 1)
        name = upload.filename or "since"
    elif form.get("since_doc"):
        raw, name = str(form.get("since_doc")).encode("utf-8"), "since"
    elif form.get("compare"):
        return None, ["since_file: " + translator(lang)("compare_choose")]
    else:
        return None, []
    try:
        return parse_answers(raw, name), []
    except AnswersError as exc:
        return None, [p.render(exc.name) for p in exc.problems]


@router.post("/results", response_class=HTMLResponse)
async def results_page(request: Request):
    """The results of the posted answers; with an earlier answers file (``since_file``, or ``since_doc``),
    the progress from it. Both are read in the request and kept nowhere."""
    svc = _svc(request)
    lang = lang_of(request)
    form = await request.form()
    doc = _form_answers(form)
    try:
        answers = parse_answers(json.dumps(doc), "form")
    except AnswersError as exc:
        return _checklist(request, answers=doc, errors=[p.render(exc.name) for p in exc.problems], status_code=400)
    since, compare_errors = await _earlier_answers(form, lang)
    report = svc.recommender.report(answers, per_gap=3, limit=10, lang=content_lang(lang), since=since)
    if form.get("format") == "md":
        return Response(markdown(report, content_lang(lang)), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="summary.md"'})
    since_doc = json.dumps(since.model_dump(mode="json", exclude_none=True), ensure_ascii=False) if since else None
    return render(request, "results.html", status_code=400 if compare_errors else 200, report=report, doc=doc,
                  since_doc=since_doc, compare_errors=compare_errors, status_text=STATUS, fw=svc.framework)


@router.get("/grid", response_class=HTMLResponse)
def grid_page(request: Request):
    return render(request, "grid.html", fw=_svc(request).framework, ratings={}, report=None, errors=[])


@router.post("/grid", response_class=HTMLResponse)
async def grid_result(request: Request):
    svc = _svc(request)
    form = await request.form()
    ratings = {k: str(v) for k, v in form.items() if k in svc.framework.indicators and str(v)}
    doc = {"practice": (str(form.get("practice") or "").strip()[:200] or None), "ratings": ratings}
    try:
        answers = parse_grid(json.dumps(doc), "form")
    except AnswersError as exc:
        return render(request, "grid.html", status_code=400, fw=svc.framework, ratings=ratings, report=None,
                      errors=[p.render(exc.name) for p in exc.problems])
    return render(request, "grid.html", fw=svc.framework, ratings=answers.ratings, practice=answers.practice,
                  report=score(answers, svc.practices), errors=[])


@router.get("/about", response_class=HTMLResponse)
def about_page(request: Request):
    return render(request, "about.html", counts=_svc(request).counts)


@router.get("/contribute", response_class=HTMLResponse)
def contribute_page(request: Request):
    return render(request, "contribute.html")


__all__ = ["router"]


# -- proposing a practice -------------------------------------------------------------------

def _propose_fields(form) -> dict:
    def lines(name: str) -> list[str]:
        return [x.strip() for x in str(form.get(name) or "").splitlines() if x.strip()][:30]

    indicators = []
    for ident in form.getlist("indicators")[:34]:
        fr = str(form.get(f"evidence_fr_{ident}") or "").strip()[:500]
        en = str(form.get(f"evidence_en_{ident}") or "").strip()[:500]
        indicators.append(f"{ident}={fr} | {en}")
    year = str(form.get("year_started") or "").strip()
    return {
        "title_fr": str(form.get("title_fr") or "")[:300], "title_en": str(form.get("title_en") or "")[:300],
        "summary_fr": str(form.get("summary_fr") or "")[:3000], "summary_en": str(form.get("summary_en") or "")[:3000],
        "country": str(form.get("country") or "")[:60], "place": str(form.get("place") or "")[:120] or None,
        "organisations": lines("organisations"), "actor_types": form.getlist("actor_types")[:20],
        "year_started": int(year) if year.isdigit() and 1900 <= int(year) <= 2100 else None,
        "themes": form.getlist("themes")[:6], "success_factors": form.getlist("success_factors")[:40],
        "checklist_items": form.getlist("checklist_items")[:80], "indicators": indicators,
        "target_groups": form.getlist("target_groups")[:30], "sectors": form.getlist("sectors")[:30],
        "links": lines("links"),
    }


def _field_of(problem_field: str) -> str:
    """Validator field path -> form field name ("summary.en" -> "summary_en", "themes[0]" -> "themes")."""
    base = problem_field.split("[")[0]
    first = base.split(".")[0]
    if first in ("title", "summary") and "." in base:
        return base.replace(".", "_")
    return first


def _propose(request: Request, form: dict | None = None, *, status_code: int = 200, **context):
    svc = _svc(request)
    return render(request, "propose.html", status_code=status_code, fw=svc.framework, form=form or {},
                  countries_list=sorted(countries.codes(), key=lambda c: countries.name(c, lang_of(request))),
                  **{"errors": {}, "general": [], "yaml_text": None, "duplicates": [], **context})


@router.get("/propose", response_class=HTMLResponse)
def propose_page(request: Request):
    return _propose(request)


@router.post("/propose", response_class=HTMLResponse)
async def propose_submit(request: Request):
    """Check a proposed practice with the validator's own code; hand back its YAML. Nothing is stored."""
    from pathlib import Path

    from kb.records.fix import dump
    from kb.records.scaffold import ScaffoldError, build
    from kb.records.validate import check_bytes, near_duplicates_of

    svc = _svc(request)
    form = await request.form()
    fields = _propose_fields(form)
    t = translator(lang_of(request))
    errors: dict[str, list[str]] = {}
    missing = [k for k in ("country",) if not fields[k].strip()]
    for k in missing:
        errors.setdefault(k, []).append(t("required"))
    fields_for_id = {**fields, "title_en": fields["title_en"] or fields["title_fr"] or "untitled"}
    complete = []
    for ind in fields["indicators"]:
        ident, _, evidence = ind.partition("=")
        fr, _, en = evidence.partition("|")
        if fr.strip() and en.strip():
            complete.append(ind)
        else:
            errors.setdefault("indicators", []).append(
                f"{ident}: " + t("evidence_in_both_languages"))
    fields_for_id["indicators"] = complete
    fields = {**fields, "indicators": complete}
    record = None
    if not missing:
        try:
            record = build(**fields, record_id=build(**fields_for_id)["id"])
        except ScaffoldError as exc:
            name = {"--country": "country", "--theme": "themes", "--success-factor": "success_factors",
                    "--checklist-item": "checklist_items", "--indicator": "indicators", "--actor-type": "actor_types",
                    "--target-group": "target_groups", "--sector": "sectors"}.get(exc.field, "general")
            errors.setdefault(name, []).append(str(exc).split(": ", 1)[1])
    yaml_text, duplicates = None, []
    if record is not None:
        yaml_text = dump(record)
        checked, problems = check_bytes(yaml_text.encode("utf-8"), Path(f"{record['id']}.yaml"), f"{record['id']}.yaml")
        for p in problems:
            errors.setdefault(_field_of(p.field), []).append(p.message)
        if checked.record is not None:
            duplicates = near_duplicates_of(checked.record, svc.practices)
    if errors:
        yaml_text = None
    return _propose(request, fields | {"raw": dict(form.multi_items())}, status_code=400 if errors else 200,
                    errors=errors, yaml_text=yaml_text, duplicates=duplicates, record_id=record["id"] if record else None)


@router.post("/propose/download")
async def propose_download(request: Request):
    from kb.records.fix import dump
    from kb.records.scaffold import ScaffoldError, build

    form = await request.form()
    try:
        record = build(**_propose_fields(form))
    except (ScaffoldError, TypeError, AttributeError) as exc:
        raise HTTPException(400, f"the proposal is incomplete: {exc}") from None
    return Response(dump(record), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{record["id"]}.yaml"'})
