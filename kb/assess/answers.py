"""Self-assessment answers: the file a practitioner fills (YAML or JSON, the same shape the web app
downloads and uploads), read safely into an ``Answers`` model with precise errors.

    ticked: [T1-01, T4-03, G-02]          # items done (theme or general checklist)
    not_applicable: [T3-11]               # items that do not apply to the organisation
    notes: {"1": "...", general: "..."}   # a note per theme, or for the general checklist
    organisation: Example NGO             # optional
    country: FI                           # optional: code or name (Finlande, finland, finlnd)
    actor_type: civil-society-organisation  # optional
    date: 2026-03-15                      # optional: when the answers were given (ISO date)
    respondent: refugee advisory group    # optional: who answered (a name, a role, a group)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz, process

from kb.records import countries
from kb.search.filters import FilterError, resolve
from kb.records.framework import get_framework
from kb.records.yamlsource import format_path, parse

MAX_ANSWERS_BYTES = 256 * 1024
NOTE_KEYS = ("1", "2", "3", "4", "5", "6", "general")


class Answers(BaseModel):
    """A filled-in self-assessment."""

    model_config = ConfigDict(extra="forbid")

    ticked: list[str] = Field(default_factory=list, description="Ids of the items done (T1-01 ..., G-01 ...).")
    not_applicable: list[str] = Field(default_factory=list, description="Ids of the items that do not apply.")
    notes: dict[str, str] = Field(default_factory=dict, description='A note per theme ("1"-"6") or "general".')
    organisation: str | None = Field(default=None, max_length=200, description="Name of the organisation (optional).")
    country: str | None = Field(default=None, description="Country code or name; favours practices from it.")
    actor_type: str | None = Field(default=None, description="Kind of organisation; favours practices of the same kind.")
    date: datetime.date | None = Field(default=None, description="When the answers were given (ISO date, 2026-03-15); "
                                       "compares an assessment with an earlier one.")
    respondent: str | None = Field(default=None, max_length=200,
                                   description='Who answered: a name, a role, "refugee advisory group" (labels a team view).')


@dataclass
class AnswersProblem:
    line: int
    column: int
    field: str
    message: str

    def render(self, name: str) -> str:
        return f"{name}:{self.line}:{self.column}: error: {self.field}: {self.message}"


class AnswersError(ValueError):
    """The answers cannot be used; ``problems`` say where and why."""

    def __init__(self, name: str, problems: list[AnswersProblem]):
        self.name, self.problems = name, problems
        super().__init__("\n".join(p.render(name) for p in problems))


def _item_ids() -> list[str]:
    fw = get_framework()
    return [*fw.checklist_items, *fw.general_items]


def theme_items(answers: Answers) -> tuple[set[str], set[str]]:
    """(ticked, not applicable) theme-checklist items of ``answers``: a general item ticks none of
    the theme items it sums up (docs/scoring.md)."""
    fw = get_framework()
    ticked = {i for i in answers.ticked if i in fw.checklist_items}
    return ticked, {i for i in answers.not_applicable if i in fw.checklist_items} - ticked


def tally(ticked: set[str], not_applicable: set[str]) -> list[tuple[int, int, int]]:
    """(done, applicable, not applicable) per theme, in theme order."""
    out = []
    for t in get_framework().themes:
        items = [i.id for i in t.checklist]
        na = sum(1 for i in items if i in not_applicable)
        out.append((sum(1 for i in items if i in ticked), len(items) - na, na))
    return out


def read_mapping(raw: bytes | str, name: str, expected: str):
    """The parsed document (a mapping, {} when empty) of an uploaded YAML or JSON file, or AnswersError."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_ANSWERS_BYTES:
        raise AnswersError(name, [AnswersProblem(1, 1, "(file)", f"larger than {MAX_ANSWERS_BYTES // 1024} KiB")])
    parsed = parse(raw)
    problems = [AnswersProblem(p.line, p.column, p.field, p.message) for p in parsed.problems if p.rule != "yaml-boolean"]
    if problems:
        raise AnswersError(name, problems)
    data = {} if parsed.data is None else parsed.data
    if not isinstance(data, dict):
        raise AnswersError(name, [AnswersProblem(1, 1, "(file)", f"expected a mapping with {expected}")])
    return parsed, data


def validate_model(model, data: dict, parsed, name: str):
    """``model`` validated from ``data``, or AnswersError with each problem at its line and column."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            line, col = parsed.position(loc)
            msg = err["msg"]
            if err["type"].startswith(("date_", "datetime_")):
                msg = f"{err.get('input')!r} is not a date; expected an ISO date such as 2026-03-15"
            if err["type"] == "list_type":
                msg = f"expected a list of item ids, such as [{'T1-01, T1-02'}] or one '- id' per line"
            if err["type"] == "extra_forbidden":
                fields = list(model.model_fields)
                close = process.extractOne(str(loc[-1]), fields, scorer=fuzz.ratio, score_cutoff=60)
                msg = f"unknown key {loc[-1]!r}" + (f"; did you mean {close[0]!r}?" if close else
                                                    f"; expected one of: {', '.join(fields)}")
            problems.append(AnswersProblem(line, col, format_path(loc), msg))
        raise AnswersError(name, problems) from None


def parse_answers(raw: bytes | str, name: str = "answers") -> Answers:
    """Read answers from YAML or JSON text; AnswersError naming line, column and field otherwise."""
    parsed, data = read_mapping(raw, name, "ticked, not_applicable and notes")
    problems: list[AnswersProblem] = []
    data = {k: ([] if v is None and k in ("ticked", "not_applicable") else v) for k, v in data.items()}
    for key in ("organisation", "country", "actor_type", "date", "respondent"):
        if isinstance(data.get(key), str) and not data[key].strip():
            data[key] = None
    if data.get("notes") is None:
        data.pop("notes", None)
    if isinstance(data.get("notes"), dict):
        data["notes"] = {str(k): v for k, v in data["notes"].items() if v not in (None, "")}
    answers = validate_model(Answers, data, parsed, name)
    valid = set(_item_ids())
    seen: dict[str, str] = {}
    for field_name in ("ticked", "not_applicable"):
        for i, item in enumerate(getattr(answers, field_name)):
            line, col = parsed.position((field_name, i))
            where = f"{field_name}[{i}]"
            if item not in valid:
                close = process.extractOne(item, sorted(valid), scorer=fuzz.ratio)
                problems.append(AnswersProblem(line, col, where, f"{item!r} is not a checklist item; did you mean {close[0]}?"))
            elif item in seen:
                problems.append(AnswersProblem(line, col, where, f"{item} is already listed in {seen[item]}; list it once"))
            else:
                seen[item] = field_name
    for key in answers.notes:
        if key not in NOTE_KEYS:
            line, col = parsed.position(("notes", key))
            problems.append(AnswersProblem(line, col, f"notes.{key}", f"{key!r} is not a theme; expected 1-6 or general"))
    if answers.country:
        code = countries.resolve(answers.country)
        if code is None:
            line, col = parsed.position(("country",))
            close = [m for m in countries.suggest(answers.country, limit=1) if m.score >= 60]
            problems.append(AnswersProblem(line, col, "country", f"{answers.country!r} is not a country"
                                           + (f"; did you mean {close[0].code} ({close[0].name_en})?" if close
                                              else "; expected a code such as FI or a name such as Finland")))
        else:
            answers.country = code
    if answers.actor_type:
        try:
            answers.actor_type = resolve("actor_type", answers.actor_type)
        except FilterError as exc:
            line, col = parsed.position(("actor_type",))
            problems.append(AnswersProblem(line, col, "actor_type", str(exc).split(": ", 1)[1]))
    if problems:
        raise AnswersError(name, problems)
    return answers


def template(theme: int | None = None, lang: str = "fr") -> str:
    """A commented answers file listing every item (id and text): uncomment the lines that apply."""
    fw = get_framework()
    en = lang == "en"
    themes = [fw.theme_by_number[theme]] if theme else fw.themes
    lines = [
        "# " + ("Self-assessment answers (integration toolkit checklists)" if en
                else "Réponses d'auto-évaluation (listes de vérification de la boîte à outils)"),
        "# " + ("Uncomment (remove '# ') the items your organisation does under `ticked`," if en
                else "Décommentez (retirez « # ») les éléments que votre organisation réalise sous `ticked`,"),
        "# " + ("move items that do not apply to you under `not_applicable`, then run: kb gaps FILE" if en
                else "déplacez ceux qui ne s'appliquent pas sous `not_applicable`, puis lancez : kb gaps FICHIER"),
        "",
        "organisation: \"\"",
        "country: \"\"        # " + ("code or name, e.g. FI or Finland" if en else "code ou nom, p. ex. FI ou Finlande"),
        "actor_type: \"\"     # " + ", ".join(fw.facet("actor_types")),
        "date: \"\"           # " + ("when you answer, e.g. 2026-03-15 (to compare with a later assessment)" if en
                                 else "date des réponses, p. ex. 2026-03-15 (pour comparer avec une évaluation ultérieure)"),
        "respondent: \"\"     # " + ("who answers: a name, a role, a group" if en else "qui répond : un nom, un rôle, un groupe"),
        "",
        "ticked:",
    ]
    for t in themes:
        lines.append(f"  # --- {t.number}. {t.title.get(lang)}")
        if t.checklist_note:
            lines.append(f"  #     ({t.checklist_note.get(lang)})")
        for item in t.checklist:
            marker = (" [local authorities]" if en else " [autorités locales]") if item.audience else ""
            lines.append(f"  # - {item.id}   # {_one_line(item.text.get(lang))}{marker}")
    if theme is None:
        lines.append("  # --- " + ("General checklist" if en else "Liste de vérification générale"))
        for item in fw.general_checklist.items:
            lines.append(f"  # - {item.id}    # {_one_line(item.text.get(lang))}")
    lines += ["", "not_applicable:", "  # - T3-11", "", "notes:"]
    for t in themes:
        lines.append(f'  "{t.number}": ""')
    if theme is None:
        lines.append('  general: ""')
    return "\n".join(lines) + "\n"


def _one_line(text: str, width: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
