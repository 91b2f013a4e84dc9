#!/usr/bin/env python3
"""Search relevance: runs the judged queries (tests/relevance/queries.yaml) through SearchIndex.search
and prints recall@5 and MRR@10, overall and per category. See docs/relevance.md.

    python scripts/relevance.py [--queries FILE] [--index DIR] [--no-build] [--json FILE] [--show-failures]

Without --no-build the index is first brought up to date with the records (as `kb search` does).
Exit status: 0, or 2 when the queries file or the index is unusable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.search.indexer import ensure  # noqa: E402
from kb.paths import index_dir  # noqa: E402
from kb.search.relevance import QUERIES_PATH, QueriesError, evaluate, format_failures, format_table, load_queries  # noqa: E402
from kb.search.engine import IndexMissing, SearchIndex  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=Path, default=QUERIES_PATH, help="the judged queries (YAML)")
    parser.add_argument("--index", type=Path, default=None, help="index directory (default: the project's index)")
    parser.add_argument("--no-build", action="store_true", help="use the index as it is, even if stale")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="write per-query results here")
    parser.add_argument("--show-failures", action="store_true",
                        help="list the queries whose expected records are not all in the top 5, with what came instead")
    args = parser.parse_args(argv)

    try:
        queries = load_queries(args.queries)
    except (QueriesError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    directory = args.index or index_dir()
    if not args.no_build:
        _, failure = ensure(directory=directory)
        if failure is not None:
            print(f"warning: the records do not validate, measuring the previous index: {failure}", file=sys.stderr)
    try:
        index = SearchIndex(directory)
    except IndexMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        report = evaluate(index, queries)
    finally:
        index.close()

    print(f"{len(queries)} queries, index {directory}")
    print(format_table(report))
    if args.show_failures and report.failures:
        print()
        print(format_failures(report))
    if args.json:
        data = report.to_dict()
        data["index"] = str(directory)
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
