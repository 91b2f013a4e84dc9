"""The validator: every problem in a set of record files, each with file, line, column, field and rule.

``check_paths`` reads YAML files (never raising, whatever their bytes), validates them against the
record schema and the framework, then checks what only the whole collection can show: duplicate
ids, unknown related ids, near-duplicate practices.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from dataclasses import asdict, dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from pydantic import ValidationError
from rapidfuzz import fuzz

from kb.records.framework import get_framework
from kb.records.models import KINDS, Practice, Reference
from kb.paths import practices_dir
from kb.records.yamlsource import Parsed, format_path, parse

Record = Practice | Reference

# pydantic error types -> our rule names (custom errors are named kb_<rule>)
_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown-key",
    "too_short": "too-short",
    "literal_error": "vocabulary",
    "greater_than_equal": "range",
    "less_than_equal": "range",
}
NEAR_DUPLICATE_TITLE = 88.0  # rapidfuzz token_sort_ratio on titles, with the same place or organisation


@dataclass(frozen=True)
class Problem:
    """One problem in one file, as printed: PATH:LINE:COL: severity: FIELD: message [rule]."""

    path: str
    line: int
    column: int
    severity: str  # "error" | "warning"
    field: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.field}: {self.message} [{self.rule}]"

    def github(self) -> str:
        """The same problem as a GitHub Actions annotation."""
        level = "error" if self.severity == "error" else "warning"
        message = f"{self.field}: {self.message}".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} file={self.path},line={self.line},col={self.column},title={self.rule}::{message}"


@dataclass
class CheckedFile:
    """A file as read: its record when valid, and where its fields are."""

    path: Path
    display: str
    parsed: Parsed
    record: Record | None = None
    data: dict | None = None


@dataclass(frozen=True, slots=True)
class Brief:
    """What the collection checks need of a valid record, kept instead of it when records are
    handed on as they are read (``check_paths(each=...)``), so that memory stays flat."""

    id: str
    kind: str
    country: str | None
    place: str | None
    organisations: tuple[str, ...]
    title: object

    @classmethod
    def of(cls, record: Record) -> "Brief":
        return cls(record.id, record.kind, getattr(record, "country", None), getattr(record, "place", None),
                   tuple(getattr(record, "organisations", ())), record.title)

    def briefed(self, checked: "CheckedFile") -> "CheckedFile":
        """``checked`` with this brief instead of its record, and only the positions checks point at."""
        data = checked.data or {}
        keep = {k: v for k, v in checked.parsed.positions.items() if k in ((), ("id",), ("title",)) or k[:1] == ("related",)}
        return CheckedFile(checked.path, checked.display, Parsed(data=None, positions=keep, problems=[]), self,
                           {"id": data.get("id"), "related": data.get("related")})


def _is_practice(record) -> bool:
    return record is not None and getattr(record, "kind", None) == "practice"


@dataclass
class Report:
    """Everything ``check_paths`` found."""

    files: list[CheckedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def records(self) -> list[Record]:
        return [f.record for f in self.files if f.record is not None]

    def summary(self) -> str:
        """The closing line."""
        n = len(self.files)
        warn = len(self.warnings)
        warn_text = f", {warn} warning{'s' * (warn != 1)}" if warn else ""
        if self.ok:
            return f"All {n} file{'s' * (n != 1)} valid{warn_text}."
        bad = len({p.path for p in self.errors})
        e = len(self.errors)
        return (
            f"Validation failed: {e} error{'s' * (e != 1)} in {bad} file{'s' * (bad != 1)}"
            f"{warn_text} ({n} file{'s' * (n != 1)} checked)."
        )

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "files_checked": len(self.files),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [asdict(p) for p in self.problems],
        }

    def render(self, fmt: str = "text") -> str:
        """The report as ``text``, ``json`` or ``github`` annotations."""
        if fmt == "json":
            return json.dumps(self.as_json(), ensure_ascii=False, indent=2)
        lines = [p.github() if fmt == "github" else str(p) for p in self.problems]
        lines.append(self.summary())
        return "\n".join(lines)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def collect(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named by ``paths`` (folders are searched recursively), sorted, once each."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix in (".yaml", ".yml") and child.is_file() and not child.name.startswith("."):
                    found[child] = None
        else:
            found[path] = None
    return list(found)


def _model_problems(checked: CheckedFile, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-after")))
        etype = err["type"]
        if etype == "kb_dates":
            loc = ("last_verified",)
        if etype == "kb_required" and "links" in err["msg"] and not loc:
            loc = ("links",)
        rule = etype[3:].replace("_", "-") if etype.startswith("kb_") else _RULES.get(etype, "type")
        message = err["msg"]
        if etype == "missing":
            message = "required field is missing"
        elif etype == "extra_forbidden":
            parent = KINDS.get(str((checked.data or {}).get("kind")))
            message = _unknown_key_message(loc, parent)
        elif etype == "too_short":
            need = err.get("ctx", {}).get("min_length", 1)
            message = f"at least {need} value{'s' * (need != 1)} expected; the list is empty"
        elif etype == "literal_error":
            message = f"{err['input']!r} is not allowed; {err['msg'].replace('Input should be', 'expected')}"
        elif rule == "type":
            message = f"{err['msg'].replace('Input should be', 'expected')}; got {_describe(err.get('input'))}"
        elif rule == "range":
            message = f"{err['input']} is out of range; {err['msg'].replace('Input should be', 'expected a value')}"
        line, col = checked.parsed.position(loc)
        problems.append(Problem(checked.display, line, col, "error", format_path(loc), message, rule))
    return problems


def _describe(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _unknown_key_message(loc: tuple, model: type | None) -> str:
    from rapidfuzz import process

    key = str(loc[-1])
    fields: list[str] = []
    if model is not None and len(loc) == 1:
        fields = list(model.model_fields)
    if fields:
        close = process.extractOne(key, fields, scorer=fuzz.ratio, score_cutoff=60)
        if close:
            return f"unknown key {key!r}; did you mean {close[0]!r}?"
        return f"unknown key {key!r}; expected one of: {', '.join(fields)}"
    return f"unknown key {key!r}; remove it or check its spelling"


def check_file(path: Path) -> tuple[CheckedFile, list[Problem]]:
    """Read and validate one file on its own."""
    display = _display(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return CheckedFile(path, display, Parsed()), [
            Problem(display, 1, 1, "error", "(file)", f"cannot be read: {exc.strerror or exc}", "io")
        ]
    return check_bytes(raw, path, display)


def check_bytes(raw: bytes, path: Path, display: str | None = None) -> tuple[CheckedFile, list[Problem]]:
    """Validate the text of one record as if it were the file ``path`` (used by the web form too)."""
    display = display or _display(path)
    parsed = parse(raw)
    checked = CheckedFile(path, display, parsed)
    problems = [Problem(display, p.line, p.column, "error", p.field, p.message, p.rule) for p in parsed.problems]
    data = parsed.data
    if data is None:
        if not problems:  # "~" or "null": a document with nothing in it
            problems.append(Problem(display, 1, 1, "error", "(record)", "the file holds no record; expected a mapping of fields", "type"))
        return checked, problems
    if not isinstance(data, dict):
        problems.append(Problem(display, 1, 1, "error", "(record)", f"expected a mapping of fields; got {_describe(data)}", "type"))
        return checked, problems
    checked.data = data
    kind = data.get("kind")
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        line, col = parsed.position(("kind",))
        if "kind" not in data:
            problems.append(Problem(display, line, col, "error", "kind", "required field is missing; expected practice or reference", "required"))
        else:
            problems.append(Problem(display, line, col, "error", "kind", f"{kind!r} is not a kind of record; expected practice or reference", "vocabulary"))
        return checked, problems
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_model_problems(checked, exc))
        record = None
    if isinstance(data.get("id"), str) and data["id"] != path.stem:
        line, col = parsed.position(("id",))
        problems.append(Problem(display, line, col, "error", "id", f"{data['id']!r} does not match the file name {path.name!r}; "
                                f"rename the file to {data['id']}.yaml or change the id to {path.stem!r}", "id-filename"))
    if isinstance(data.get("id"), str):
        is_ref = data["id"].startswith("ref-")
        if is_ref != (kind == "reference"):
            line, col = parsed.position(("id",))
            expected = "start with ref-" if kind == "reference" else "not start with ref- (kept for references)"
            problems.append(Problem(display, line, col, "error", "id", f"the id of a {kind} must {expected}", "id-format"))
    if record is not None and not any(p.severity == "error" for p in problems):
        checked.record = record
        problems.extend(_consistency(checked, record))
        if any(p.severity == "error" for p in problems):
            checked.record = None
        else:
            checked.parsed = parsed.slim()  # a valid file keeps only what collection checks may point at
    return checked, problems


@lru_cache(maxsize=1)
def _placeholders() -> frozenset[str]:
    """The example texts of the contributor template, which must not survive into a record."""
    from kb.paths import RECORD_TEMPLATES_DIR

    data = parse((RECORD_TEMPLATES_DIR / "practice.yaml").read_bytes()).data or {}
    texts = [data.get("title", {}).get("fr"), data.get("title", {}).get("en"), data.get("summary", {}).get("fr"),
             data.get("summary", {}).get("en"), *data.get("organisations", [])]
    for e in data.get("indicators", []):
        texts += list(e.get("evidence", {}).values())
    texts += [link.get("url") for link in data.get("links", [])]
    return frozenset(t.strip() for t in texts if isinstance(t, str))


def _placeholder_problems(checked: CheckedFile, record: Practice) -> list[Problem]:
    fields = [(("title", "fr"), record.title.fr), (("title", "en"), record.title.en),
              (("summary", "fr"), record.summary.fr), (("summary", "en"), record.summary.en)]
    fields += [(("organisations", i), o) for i, o in enumerate(record.organisations)]
    for i, e in enumerate(record.indicators):
        fields += [(("indicators", i, "evidence", "fr"), e.evidence.fr), (("indicators", i, "evidence", "en"), e.evidence.en)]
    fields += [(("links", i, "url"), link.url) for i, link in enumerate(record.links)]
    problems = []
    for loc, text in fields:
        if text.strip() in _placeholders():
            line, col = checked.parsed.position(loc)
            problems.append(Problem(checked.display, line, col, "error", format_path(loc),
                                    f"{text.strip()!r} is the template's example; write the practice's own", "placeholder"))
    return problems


def _consistency(checked: CheckedFile, record: Record) -> list[Problem]:
    """Tags must agree with the record's themes, and no template example may be left in."""
    if not isinstance(record, Practice):
        return []
    fw = get_framework()
    problems = _placeholder_problems(checked, record)
    themes = set(record.themes)
    for field_name, lookup in (("success_factors", fw.success_factors), ("checklist_items", fw.checklist_items)):
        for i, term in enumerate(getattr(record, field_name)):
            theme = lookup[term][0]
            if theme not in themes:
                line, col = checked.parsed.position((field_name, i))
                problems.append(Problem(checked.display, line, col, "error", f"{field_name}[{i}]",
                                        f"{term} belongs to theme {theme}, which is not in themes; add {theme} to themes or remove {term}",
                                        "theme-consistency"))
    return problems


def _known_ids(extra_dirs: Iterable[Path]) -> set[str]:
    ids = set()
    for directory in extra_dirs:
        for path in collect([directory]):
            ids.add(path.stem)
    return ids


PARALLEL_FROM = 500  # files from which check_paths(processes=...) reads in worker processes


def check_paths(paths: Iterable[Path], *, collection: Path | None = None,
                each: Callable[[object], None] | None = None, prepare: Callable[[Record], object] | None = None,
                processes: int = 1) -> Report:
    """Validate the files under ``paths``; cross-check ids against ``collection`` (default: practices/).

    With ``each``, every valid record is handed to it as soon as its file is read - or what
    ``prepare`` (a module-level function) makes of it - and the report keeps a ``Brief`` of it
    instead (large builds: memory does not grow with the records' text). With ``processes`` > 1 and
    at least PARALLEL_FROM files, files are read, validated and prepared by ``processes - 1``
    worker processes while this one consumes the results, in the files' order."""
    report = Report()
    files = collect(paths)
    work = partial(_check_one, prepare=prepare, hand_on=each is not None)
    pool = None
    if processes > 1 and len(files) >= PARALLEL_FROM:
        pool = multiprocessing.get_context("fork").Pool(processes - 1)
        results = _bounded(pool, work, files)
    else:
        results = map(work, files)
    try:
        for checked, problems, payload in results:
            if payload is not None:
                each(payload)
            if checked is not None:
                report.files.append(checked)
            report.problems.extend(problems)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    report.problems.extend(_collection_problems(report, collection if collection is not None else practices_dir()))
    report.problems.sort(key=lambda p: (p.path, p.line, p.column, p.rule))
    return report


def _bounded(pool, work, files: list[Path], chunk: int = 32, ahead: int = 16):
    """``work`` over ``files`` in the pool, results in order, with at most ``ahead`` chunks in flight
    (``Pool.imap`` would let the workers run ahead and pile every result up in memory)."""
    pending: deque = deque()
    for start in range(0, len(files), chunk):
        pending.append(pool.map_async(work, files[start:start + chunk]))
        if len(pending) >= ahead:
            yield from pending.popleft().get()
    while pending:
        yield from pending.popleft().get()


def _check_one(path: Path, prepare: Callable[[Record], object] | None, hand_on: bool):
    """One file's check for ``check_paths``: (checked file, problems, what to hand on or None)."""
    if not path.exists():
        return None, [Problem(_display(path), 1, 1, "error", "(file)", "no such file or folder", "io")], None
    checked, problems = check_file(path)
    if not hand_on or checked.record is None:
        return checked, problems, None
    payload = prepare(checked.record) if prepare is not None else checked.record
    return Brief.of(checked.record).briefed(checked), problems, payload


def _collection_problems(report: Report, collection: Path) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, CheckedFile] = {}
    for checked in report.files:
        rid = (checked.data or {}).get("id")
        if not isinstance(rid, str):
            continue
        if rid in by_id:
            line, col = checked.parsed.position(("id",))
            problems.append(Problem(checked.display, line, col, "error", "id",
                                    f"{rid!r} is already the id of {by_id[rid].display}; ids must be unique", "duplicate-id"))
        else:
            by_id[rid] = checked
    known = set(by_id) | (_known_ids([collection]) if collection.is_dir() else set())
    for checked in report.files:
        related = (checked.data or {}).get("related")
        if not isinstance(related, list):
            continue
        for i, rid in enumerate(related):
            if isinstance(rid, str) and rid not in known:
                line, col = checked.parsed.position(("related", i))
                close = _closest(rid, known)
                problems.append(Problem(checked.display, line, col, "error", f"related[{i}]",
                                        f"{rid!r} is not the id of any record; {close}", "related"))
            elif rid == (checked.data or {}).get("id"):
                line, col = checked.parsed.position(("related", i))
                problems.append(Problem(checked.display, line, col, "error", f"related[{i}]",
                                        "a record cannot be related to itself; remove it", "related"))
    problems.extend(_near_duplicates(report))
    problems.extend(_near_duplicates_in_collection(report, collection))
    return problems


def _near_duplicates_in_collection(report: Report, collection: Path) -> list[Problem]:
    """Checked practices that look like a record already in the collection (but not checked now)."""
    checked = {f.path.resolve() for f in report.files}
    new = [f for f in report.files if _is_practice(f.record)]
    if not new or not collection.is_dir():
        return []
    existing = []
    for path in collection.glob("*.yaml"):
        if path.resolve() in checked:
            continue
        other, problems = check_file(path)
        if isinstance(other.record, Practice):
            existing.append((other.display, other.record))
    return near_duplicate_problems(new, existing)


def near_duplicate_problems(new: list[CheckedFile], existing: list[tuple[str, Practice]]) -> list[Problem]:
    """A warning for each checked practice in ``new`` that looks like one of ``existing`` ((display
    path, practice or its brief) pairs: records the check did not read this time)."""
    problems = []
    for f in new:
        for display, other in existing:
            hit = resemblance(f.record, other)
            if hit:
                problems.append(_near_duplicate_problem(f, display, hit))
    return problems


def _closest(value: str, choices: set[str]) -> str:
    from rapidfuzz import process

    best = process.extractOne(value, sorted(choices), scorer=fuzz.ratio, score_cutoff=60)
    return f"did you mean {best[0]!r}?" if best else "check the id of the record you mean"


def _norm(text: str | None) -> str:
    from kb.records.countries import fold

    return fold(text or "")


def resemblance(pa: Practice, pb: Practice) -> tuple[float, str] | None:
    """(title similarity, what they share) when two practices look like the same initiative, else None."""
    if pa.country != pb.country:
        return None
    same_place = bool(pa.place and pb.place and _norm(pa.place) == _norm(pb.place))
    orgs_a = {_norm(o) for o in pa.organisations}
    orgs_b = {_norm(o) for o in pb.organisations}
    same_org = bool(orgs_a & orgs_b) or any(fuzz.token_sort_ratio(x, y) >= 90 for x in orgs_a for y in orgs_b)
    if not (same_place or same_org):
        return None
    score = max(
        fuzz.token_sort_ratio(_norm(pa.title.fr), _norm(pb.title.fr)),
        fuzz.token_sort_ratio(_norm(pa.title.en), _norm(pb.title.en)),
    )
    if score < NEAR_DUPLICATE_TITLE:
        return None
    return score, "the same place" if same_place else "an organisation"


def near_duplicates_of(record: Practice, existing: Iterable[Record]) -> list[tuple[str, float]]:
    """Ids of existing practices ``record`` looks like a near-duplicate of, with the title similarity."""
    found = []
    for other in existing:
        if other.kind == "practice" and other.id != record.id:
            hit = resemblance(record, other)
            if hit:
                found.append((other.id, hit[0]))
    return found


def _near_duplicate_problem(checked: CheckedFile, other: str, hit: tuple[float, str]) -> Problem:
    score, shared = hit
    line, col = checked.parsed.position(("title",))
    return Problem(checked.display, line, col, "warning", "title",
                   f"looks like a near-duplicate of {other} (titles {score:.0f}% alike, {shared} in common); "
                   "merge them or make the titles say how they differ", "near-duplicate")


def _buckets(practices: list[CheckedFile]) -> list[list[CheckedFile]]:
    """Practices grouped by (country, place) and (country, organisation): only these can be near-duplicates,
    so comparing within groups keeps the check linear in the number of records, not quadratic."""
    groups: dict[tuple, list[CheckedFile]] = {}
    for f in practices:
        r = f.record
        keys = {(r.country, "place", _norm(r.place))} if r.place else set()
        keys |= {(r.country, "org", _norm(o)) for o in r.organisations}
        for key in keys:
            groups.setdefault(key, []).append(f)
    return [g for g in groups.values() if len(g) > 1]


def close_pairs(titles: list[str], rows: int = 512) -> set[tuple[int, int]]:
    """Index pairs (i < j) of titles at least NEAR_DUPLICATE_TITLE alike: every title is prepared
    once and compared in C (``cdist``), a slice of rows at a time so that the matrix stays small."""
    from rapidfuzz import process

    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(titles), rows):
        scores = process.cdist(titles[start:start + rows], titles, scorer=fuzz.token_sort_ratio,
                               score_cutoff=NEAR_DUPLICATE_TITLE, dtype=np.uint8)
        pairs |= {(start + int(i), int(j)) for i, j in zip(*np.nonzero(scores)) if start + i < j}
    return pairs


def _near_duplicates(report: Report) -> list[Problem]:
    """Practices whose titles are nearly the same and that share a place or an organisation."""
    practices = [f for f in report.files if _is_practice(f.record)]
    problems, seen = [], set()
    for group in _buckets(practices):
        # compare every title of the group at once (in C), then confirm the few close pairs
        titles = [[_norm(f.record.title.fr) for f in group], [_norm(f.record.title.en) for f in group]]
        close = close_pairs(titles[0]) | close_pairs(titles[1])
        for i, j in sorted(close):
            a, b = group[i], group[j]
            if (a.display, b.display) in seen:
                continue
            seen.add((a.display, b.display))
            hit = resemblance(a.record, b.record)
            if hit:
                problems.append(_near_duplicate_problem(b, a.display, hit))
    return problems


class RecordsError(Exception):
    """The records do not validate; ``report`` holds every problem."""

    def __init__(self, report: Report):
        super().__init__(report.render())
        self.report = report


def load_records(directory: Path | None = None) -> list[Record]:
    """Every valid record under ``directory`` (default practices/); RecordsError if any is invalid."""
    directory = directory or practices_dir()
    report = check_paths([directory], collection=directory)
    if not report.ok:
        raise RecordsError(report)
    return report.records
