"""Search relevance measurement: a judged set of practitioner queries (tests/relevance/queries.yaml)
run through ``SearchIndex.search``, scored with recall@5 and MRR@10, overall and per category.

Shared by ``scripts/relevance.py`` (the report) and ``tests/search/test_relevance.py`` (the floor).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.search.filters import FACET_PARAMS, FilterError, Filters
from kb.paths import ROOT, practices_dir

QUERIES_PATH = ROOT / "tests" / "relevance" / "queries.yaml"
CATEGORIES = (
    "single-word",
    "question",
    "everyday-words",
    "administrative-terms",
    "place",
    "typo",
    "no-accents",
    "english",
)
LANGS = ("fr", "en")
RECALL_K = 5
MRR_K = 10
MAX_EXPECTED = 5
_KEYS = {"query", "category", "lang", "expected", "acceptable", "filters", "why"}
_REQUIRED = ("query", "category", "lang", "expected")


class QueriesError(ValueError):
    """The queries file is malformed: the message names the query and its line."""


@dataclass(frozen=True)
class Query:
    """One judged query."""

    query: str
    category: str
    lang: str
    expected: tuple[str, ...]
    acceptable: tuple[str, ...] = ()
    filters: dict[str, list[str]] = field(default_factory=dict)
    why: str | None = None
    line: int | None = None

    def label(self) -> str:
        extra = "".join(f" {k}={','.join(v)}" for k, v in self.filters.items())
        return f"{self.query!r}{extra}"


# -- metrics ---------------------------------------------------------------------------------
def recall_at(ranked: Sequence[str], expected: Iterable[str], k: int = RECALL_K) -> float:
    """Share of ``expected`` ids found among the first ``k`` of ``ranked`` (1.0 when nothing is expected)."""
    wanted = set(expected)
    if not wanted:
        return 1.0
    return len(wanted & set(ranked[:k])) / len(wanted)


def mrr_at(ranked: Sequence[str], expected: Iterable[str], k: int = MRR_K) -> float:
    """Reciprocal rank of the first ``expected`` id among the first ``k`` of ``ranked``; 0.0 if none."""
    wanted = set(expected)
    for rank, record_id in enumerate(ranked[:k], start=1):
        if record_id in wanted:
            return 1.0 / rank
    return 0.0


# -- loading ---------------------------------------------------------------------------------
def known_ids(records_dir: Path | None = None) -> set[str]:
    """The ids of the records (each file is named after its record's id)."""
    return {p.stem for p in (records_dir or practices_dir()).glob("*.yaml")}


def _lines(text: str) -> list[int | None]:
    """The 1-based line of each entry under ``queries:`` (None when the layout is unexpected)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "queries" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _ids(where: str, name: str, value, ids: set[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QueriesError(f"{where}: {name} must be a list of record ids")
    if len(set(value)) != len(value):
        raise QueriesError(f"{where}: {name} lists an id twice")
    if ids is not None:
        unknown = [v for v in value if v not in ids]
        if unknown:
            raise QueriesError(f"{where}: unknown record id(s) in {name}: {', '.join(unknown)}")
    return tuple(value)


def _filters(where: str, raw) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise QueriesError(f"{where}: filters must be a mapping facet -> value(s)")
    out: dict[str, list[str]] = {}
    for facet, given in raw.items():
        if facet not in FACET_PARAMS:
            raise QueriesError(f"{where}: unknown filter {facet!r}; one of {', '.join(FACET_PARAMS)}")
        values = [given] if isinstance(given, (str, int)) else given
        if not isinstance(values, list) or not values:
            raise QueriesError(f"{where}: filter {facet!r} must be a value or a list of values")
        out[facet] = [str(v) for v in values]
    try:
        Filters.parse(out)
    except FilterError as exc:
        raise QueriesError(f"{where}: {exc}") from None
    return out


def parse_queries(text: str, source: str = "<queries>", ids: set[str] | None = None) -> list[Query]:
    """The queries of a queries document; QueriesError naming the query (and line) on any problem.
    ``ids``: the valid record ids (None: not checked)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise QueriesError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("queries"), list):
        raise QueriesError(f"{source}: expected a mapping with a 'queries' list")
    lines = _lines(text)
    queries: list[Query] = []
    seen: set[tuple] = set()
    for n, entry in enumerate(data["queries"]):
        line = lines[n] if n < len(lines) else None
        at = f"{source}:{line}" if line else f"{source}: entry {n + 1}"
        if not isinstance(entry, dict):
            raise QueriesError(f"{at}: each entry must be a mapping")
        text_ = entry.get("query")
        where = f"{at}: query {text_!r}" if text_ is not None else at
        missing = [k for k in _REQUIRED if k not in entry]
        if missing:
            raise QueriesError(f"{where}: missing {', '.join(missing)}")
        extra = sorted(set(entry) - _KEYS)
        if extra:
            raise QueriesError(f"{where}: unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(_KEYS))}")
        if not isinstance(text_, str) or not text_.strip():
            raise QueriesError(f"{where}: query must be non-empty text")
        if entry["category"] not in CATEGORIES:
            raise QueriesError(f"{where}: unknown category {entry['category']!r}; one of {', '.join(CATEGORIES)}")
        if entry["lang"] not in LANGS:
            raise QueriesError(f"{where}: lang must be fr or en, not {entry['lang']!r}")
        expected = _ids(where, "expected", entry["expected"], ids)
        if not 1 <= len(expected) <= MAX_EXPECTED:
            raise QueriesError(f"{where}: expected must list 1 to {MAX_EXPECTED} ids, not {len(expected)}")
        acceptable = _ids(where, "acceptable", entry.get("acceptable"), ids)
        both = sorted(set(expected) & set(acceptable))
        if both:
            raise QueriesError(f"{where}: id(s) both expected and acceptable: {', '.join(both)}")
        filters = _filters(where, entry.get("filters"))
        why = entry.get("why")
        if why is not None and not isinstance(why, str):
            raise QueriesError(f"{where}: why must be text")
        key = (text_, tuple(sorted((k, tuple(v)) for k, v in filters.items())))
        if key in seen:
            raise QueriesError(f"{where}: the same query (with the same filters) appears twice")
        seen.add(key)
        queries.append(Query(text_, entry["category"], entry["lang"], expected, acceptable, filters, why, line))
    if not queries:
        raise QueriesError(f"{source}: no queries")
    return queries


def load_queries(path: Path | None = None, records_dir: Path | None = None, check_ids: bool = True) -> list[Query]:
    """The judged queries of ``path`` (default tests/relevance/queries.yaml), every id checked against
    the records of ``records_dir`` (default practices/)."""
    path = Path(path or QUERIES_PATH)
    ids = known_ids(records_dir) if check_ids else None
    return parse_queries(path.read_text(encoding="utf-8"), str(path), ids)


# -- evaluation ------------------------------------------------------------------------------
@dataclass
class QueryResult:
    query: Query
    ranked: list[str]  # the first MRR_K result ids
    recall: float
    rr: float
    mode: str | None = None
    corrected: bool = False

    @property
    def missing(self) -> list[str]:
        """Expected ids not in the first RECALL_K results."""
        top = set(self.ranked[:RECALL_K])
        return [i for i in self.query.expected if i not in top]

    def to_dict(self) -> dict:
        q = self.query
        return {
            "query": q.query, "category": q.category, "lang": q.lang, "filters": q.filters,
            "expected": list(q.expected), "acceptable": list(q.acceptable),
            "results": self.ranked, f"recall@{RECALL_K}": round(self.recall, 4),
            f"rr@{MRR_K}": round(self.rr, 4), "missing": self.missing, "mode": self.mode,
            "corrected": self.corrected, "line": q.line,
        }


@dataclass
class Scores:
    queries: int
    recall: float
    mrr: float
    perfect: int  # queries with every expected id in the top RECALL_K

    def to_dict(self) -> dict:
        return {"queries": self.queries, f"recall@{RECALL_K}": round(self.recall, 4),
                f"mrr@{MRR_K}": round(self.mrr, 4), "perfect": self.perfect}


def _scores(results: Sequence[QueryResult]) -> Scores:
    n = len(results)
    if not n:
        return Scores(0, 0.0, 0.0, 0)
    return Scores(n, sum(r.recall for r in results) / n, sum(r.rr for r in results) / n,
                  sum(1 for r in results if r.recall == 1.0))


@dataclass
class Report:
    results: list[QueryResult]

    @property
    def overall(self) -> Scores:
        return _scores(self.results)

    @property
    def by_category(self) -> dict[str, Scores]:
        return {c: _scores([r for r in self.results if r.query.category == c])
                for c in CATEGORIES if any(r.query.category == c for r in self.results)}

    @property
    def failures(self) -> list[QueryResult]:
        """Queries with an expected id missing from the first RECALL_K results."""
        return [r for r in self.results if r.recall < 1.0]

    def to_dict(self) -> dict:
        return {
            "overall": self.overall.to_dict(),
            "by_category": {c: s.to_dict() for c, s in self.by_category.items()},
            "queries": [r.to_dict() for r in self.results],
        }


def run_query(index, query: Query) -> QueryResult:
    """Search ``query`` on ``index`` (a kb.search.engine.SearchIndex) and score its ranking."""
    response = index.search(query.query, Filters.parse(query.filters), limit=MRR_K, lang=query.lang)
    ranked = [hit.id for hit in response.results]
    return QueryResult(query, ranked, recall_at(ranked, query.expected), mrr_at(ranked, query.expected),
                       getattr(response, "mode", None), bool(getattr(response, "corrected", False)))


def evaluate(index, queries: Iterable[Query]) -> Report:
    """Run every query on ``index`` and gather the report."""
    return Report([run_query(index, q) for q in queries])


# -- text output -----------------------------------------------------------------------------
def format_table(report: Report) -> str:
    """Overall and per-category scores as an aligned table."""
    head = ("category", "queries", f"recall@{RECALL_K}", f"MRR@{MRR_K}", "all found")
    rows = [(c, str(s.queries), f"{s.recall:.3f}", f"{s.mrr:.3f}", f"{s.perfect}/{s.queries}")
            for c, s in report.by_category.items()]
    o = report.overall
    total = ("overall", str(o.queries), f"{o.recall:.3f}", f"{o.mrr:.3f}", f"{o.perfect}/{o.queries}")
    widths = [max(len(r[i]) for r in [head, *rows, total]) for i in range(len(head))]

    def fmt(row):
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(head), rule, *map(fmt, rows), rule, fmt(total)])


def format_failures(report: Report) -> str:
    """Each query missing an expected id in its first RECALL_K results, with what came instead."""
    out = []
    for r in report.failures:
        q = r.query
        where = f" (line {q.line})" if q.line else ""
        out.append(f"[{q.category}] {q.label()}{where}  recall@{RECALL_K}={r.recall:.2f}  rr@{MRR_K}={r.rr:.2f}"
                   + ("  (corrected)" if r.corrected else ""))
        out.append(f"    missing: {', '.join(r.missing)}")
        shown = []
        for rank, record_id in enumerate(r.ranked[:RECALL_K], start=1):
            mark = "=" if record_id in q.expected else "~" if record_id in q.acceptable else " "
            shown.append(f"{rank}{mark}{record_id}")
        out.append(f"    top {RECALL_K}: " + ("; ".join(shown) if shown else "(no results)"))
    if out:
        out.append(f"({len(report.failures)} of {len(report.results)} queries; = expected, ~ acceptable)")
    return "\n".join(out)
