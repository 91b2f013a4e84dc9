"""Self-rating on the evaluation grid (section 7 of the guide): every indicator of the five dimensions
rated met / partly / not-met / n/a, scored per dimension and overall.

The guide names a scoring system but gives no scale. This one (see docs/scoring.md):
  met = 2 points, partly = 1, not-met = 0; n/a and unanswered indicators are left out.
  A dimension's score is its points over the maximum for the indicators rated, as a percentage.
  The overall score is the mean of the dimension scores, each dimension weighing the same (the guide
  presents five equal dimensions; weighting by indicator would let the 11 indicators of inclusivity
  outweigh the 4 of sustainability).
  Levels: 75-100 strong, 50-74 developing, 0-49 weak.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from kb.assess.answers import AnswersError, AnswersProblem, read_mapping, validate_model
from kb.records.framework import get_framework

POINTS = {"met": 2, "partly": 1, "not-met": 0}
RATINGS = (*POINTS, "n/a")
_ALIASES = {"yes": "met", "oui": "met", "atteint": "met", "partial": "partly", "partiel": "partly",
            "partiellement": "partly", "no": "not-met", "non": "not-met", "not met": "not-met",
            "non atteint": "not-met", "na": "n/a", "n.a.": "n/a", "not applicable": "n/a", "sans objet": "n/a"}


class GridAnswers(BaseModel):
    """A practice rated on the grid's indicators."""

    model_config = ConfigDict(extra="forbid")

    practice: str | None = Field(default=None, max_length=200, description="Name of the practice rated.")
    ratings: dict[str, str] = Field(default_factory=dict, description="Indicator id -> met | partly | not-met | n/a.")


class DimensionScore(BaseModel):
    id: str
    name: dict[str, str]
    score: float | None = Field(description="0-100, or null when no indicator of it was rated.")
    level: str | None
    rated: int
    not_applicable: int
    unanswered: int
    points: int
    max_points: int


class Exemplar(BaseModel):
    id: str
    title: dict[str, str]
    country: str
    indicators: list[str] = Field(description="Indicators of the weakest dimension it exemplifies.")


class GridReport(BaseModel):
    practice: str | None
    dimensions: list[DimensionScore]
    overall: float | None
    level: str | None
    strongest: str | None
    weakest: str | None
    exemplars: list[Exemplar] = Field(description="Practices that best exemplify the weakest dimension.")


def level(score: float | None) -> str | None:
    if score is None:
        return None
    return "strong" if score >= 75 else "developing" if score >= 50 else "weak"


def parse_grid(raw: bytes | str, name: str = "grid") -> GridAnswers:
    """Read grid ratings from YAML or JSON; AnswersError naming line, column and field otherwise."""
    parsed, data = read_mapping(raw, name, "practice and ratings")
    problems: list[AnswersProblem] = []
    if isinstance(data.get("ratings"), dict):
        data["ratings"] = {str(k): ("" if v is None else str(v)) for k, v in data["ratings"].items()}
    answers = validate_model(GridAnswers, data, parsed, name)
    fw = get_framework()
    clean: dict[str, str] = {}
    for key, value in answers.ratings.items():
        line, col = parsed.position(("ratings", key))
        if key not in fw.indicators:
            close = process.extractOne(key, list(fw.indicators), scorer=fuzz.ratio)
            problems.append(AnswersProblem(line, col, f"ratings.{key}", f"{key!r} is not an indicator; did you mean {close[0]}?"))
            continue
        rating = value.strip().lower()
        rating = _ALIASES.get(rating, rating)
        if rating == "":
            continue  # unanswered
        if rating not in RATINGS:
            problems.append(AnswersProblem(line, col, f"ratings.{key}",
                                           f"{value!r} is not a rating; expected one of: {', '.join(RATINGS)}"))
            continue
        clean[key] = rating
    if problems:
        raise AnswersError(name, problems)
    return GridAnswers(practice=answers.practice or None, ratings=clean)


def score(answers: GridAnswers, records: list | None = None, *, exemplars: int = 5) -> GridReport:
    """Scores per dimension and overall, strongest and weakest dimensions, exemplary practices."""
    fw = get_framework()
    dims: list[DimensionScore] = []
    for d in fw.grid.dimensions:
        ids = [i.id for i in d.indicators]
        rated = [answers.ratings[i] for i in ids if answers.ratings.get(i) in POINTS]
        na = sum(1 for i in ids if answers.ratings.get(i) == "n/a")
        points, max_points = sum(POINTS[r] for r in rated), 2 * len(rated)
        value = round(100 * points / max_points, 1) if max_points else None
        dims.append(DimensionScore(id=d.id, name={"fr": d.name.fr, "en": d.name.en}, score=value, level=level(value),
                                   rated=len(rated), not_applicable=na, unanswered=len(ids) - len(rated) - na,
                                   points=points, max_points=max_points))
    scored = [d for d in dims if d.score is not None]
    overall = round(sum(d.score for d in scored) / len(scored), 1) if scored else None
    strongest = max(scored, key=lambda d: d.score).id if scored else None
    weakest = min(scored, key=lambda d: d.score).id if scored else None
    found: list[Exemplar] = []
    if weakest and records:
        dim_ids = {i.id for i in fw.dimensions[weakest].indicators}
        # indicators the user rated lowest in that dimension count double
        weak_ids = {i for i in dim_ids if answers.ratings.get(i) in ("not-met", "partly")}
        ranked = []
        for r in records:
            if r.kind != "practice":
                continue
            hits = [e.id for e in r.indicators if e.id in dim_ids]
            if hits:
                weight = len(hits) + sum(1 for h in hits if h in weak_ids)
                ranked.append((weight, r))
        ranked.sort(key=lambda wr: (-wr[0], wr[1].id))
        found = [Exemplar(id=r.id, title={"fr": r.title.fr, "en": r.title.en}, country=r.country,
                          indicators=[e.id for e in r.indicators if e.id in dim_ids]) for _, r in ranked[:exemplars]]
    return GridReport(practice=answers.practice, dimensions=dims, overall=overall, level=level(overall),
                      strongest=strongest, weakest=weakest, exemplars=found)


def template(lang: str = "fr") -> str:
    """A commented grid file: every indicator, grouped by dimension and guiding question."""
    fw = get_framework()
    en = lang == "en"
    lines = [
        "# " + ("Evaluation grid: rate your practice on each indicator" if en
                else "Grille d'évaluation : notez votre pratique sur chaque indicateur"),
        "# " + ("Ratings: met | partly | not-met | n/a (leave empty if unsure), then run: kb grid FILE" if en
                else "Notes : met (atteint) | partly (en partie) | not-met (non atteint) | n/a (sans objet) ; puis : kb grid FICHIER"),
        "",
        'practice: ""',
        "ratings:",
    ]
    for d in fw.grid.dimensions:
        lines.append(f"  # === {d.number}. {d.name.get(lang)}")
        for q in d.questions:
            lines.append(f"  # {q.text.get(lang)}")
            for ind in q.indicators:
                lines.append(f'  {ind.id}: ""   # {" ".join(ind.text.get(lang).split())}')
    return "\n".join(lines) + "\n"
