#!/usr/bin/env python3
"""Load test: N concurrent clients on loopback for T seconds against a mix of pages and API calls.

    python scripts/loadtest.py --url http://127.0.0.1:8000 --clients 32 --seconds 60 [--json out.json]

Each client keeps one HTTP/1.1 connection and picks requests from a fixed, weighted mix (search pages
and API searches with and without filters, practice pages, themes, the checklist's gap report, health
checks). Prints throughput, p50/p95/p99 latency (overall and per kind) and the error count; exits 1
when any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit

MIX = [  # (kind, method, path, body, weight)
    ("search-page", "GET", "/search?q=logement", None, 3),
    ("search-page", "GET", "/search?q=women&country=PL&lang=en", None, 2),
    ("api-search", "GET", "/api/search?q=mentoring", None, 4),
    ("api-search", "GET", "/api/search?q=logemnt&theme=3", None, 2),
    ("api-search", "GET", "/api/search?sector=housing&country=Finlande", None, 2),
    ("practice", "GET", "/practices/fi-womento-mentoring", None, 2),
    ("practice", "GET", "/practices/pl-welcome-home-housing?lang=en", None, 2),
    ("page", "GET", "/", None, 1),
    ("page", "GET", "/themes/4", None, 1),
    ("api", "GET", "/api/practices/se-yalla-trappan", None, 1),
    ("gaps", "POST", "/api/gaps", json.dumps({"ticked": ["T1-01", "T2-03", "T4-09"], "country": "FI"}), 1),
    ("health", "GET", "/healthz", None, 1),
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def run(url: str, clients: int, seconds: float, seed: int = 7) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    weighted = [m for m in MIX for _ in range(m[4])]
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rnd = random.Random(seed + n)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.monotonic() < stop:
            kind, method, path, body, _ = rnd.choice(weighted)
            headers = {"Content-Type": "application/json"} if body else {}
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                problem = f"{method} {path}: HTTP {resp.status}"
            except Exception as exc:  # a refused or dropped connection is an error too
                ok, problem = False, f"{method} {path}: {exc.__class__.__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.setdefault(kind, []).append(elapsed)
                if not ok:
                    errors.append(problem)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    every = [v for vs in latencies.values() for v in vs]

    def summary(values: list[float]) -> dict:
        return {"requests": len(values), "p50_ms": round(percentile(values, 50), 1),
                "p95_ms": round(percentile(values, 95), 1), "p99_ms": round(percentile(values, 99), 1),
                "mean_ms": round(statistics.fmean(values), 1) if values else 0.0}

    return {
        "url": url, "clients": clients, "seconds": round(wall, 1),
        "requests": len(every), "errors": len(errors), "error_samples": errors[:10],
        "rps": round(len(every) / wall, 1) if wall else 0.0,
        "overall": summary(every),
        "by_kind": {kind: summary(values) for kind, values in sorted(latencies.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    result = run(args.url, args.clients, args.seconds)
    print(f"{result['requests']} requests in {result['seconds']} s from {result['clients']} clients: "
          f"{result['rps']} req/s, errors {result['errors']}")
    print(f"{'kind':12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, s in [("overall", result["overall"]), *result["by_kind"].items()]:
        print(f"{kind:12} {s['requests']:>9} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['p99_ms']:>8}")
    for sample in result["error_samples"]:
        print("error:", sample)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
