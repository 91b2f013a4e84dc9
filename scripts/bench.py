#!/usr/bin/env python3
"""Benchmark: the knowledge base's search at growing sizes, beside SQLite FTS5, in one run.

    python scripts/bench.py --sizes 1000 10000 [--json out.json] [--workdir DIR] [--no-http]

For each size it generates that many synthetic but valid records (deterministic: French and English
text built from the real vocabularies, realistic lengths and tag mixes), then
  - builds the index in a child process: time, size on disk, peak memory (RSS);
  - runs a fixed query mix warm on one open searcher — 1, 2 and 3 terms, a phrase, country and theme
    filters together, a typo, facet counts always — and reports p50 / p95 / p99;
  - runs the same mix on an SQLite FTS5 table (unicode61 remove_diacritics 2) built from the same
    records in the same run, with facet counts by GROUP BY and snippets, as the baseline;
  - times gap recommendations for a half-ticked checklist;
  - times GET /api/search over HTTP on loopback (`kb serve --workers 2`): one request at a time
    (p50 / p95, beside the library call), then with a bounded number of concurrent clients
    (requests per second, p50 / p95 with queueing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.fix import dump  # noqa: E402
from kb.framework import get_framework  # noqa: E402

CITIES = {"FI": ["Helsinki", "Turku", "Tampere", "Oulu"], "PL": ["Gdańsk", "Warszawa", "Lublin", "Kraków"],
          "IT": ["Bologna", "Ravenna", "Torino", "Napoli"], "SE": ["Malmö", "Göteborg", "Botkyrka"],
          "DE": ["Hamburg", "Heilbronn", "Leipzig"], "GR": ["Athína", "Karditsa", "Thessaloníki"],
          "BG": ["Sofia", "Plovdiv"], "RS": ["Beograd", "Novi Sad"], "TR": ["İstanbul", "Gaziantep"],
          "FR": ["Lyon", "Lille", "Nantes", "Marseille"], "ES": ["Barcelona", "Valencia"], "BE": ["Bruxelles", "Gent"],
          "NL": ["Utrecht", "Rotterdam"], "AT": ["Wien", "Graz"], "PT": ["Lisboa", "Porto"]}
WORDS_FR = ("accompagnement des familles réfugiées logement emploi bénévoles langue école santé mentale "
            "formation professionnelle participation des habitants ville association médiation interculturelle "
            "jeunes femmes enfants orientation information droits quartier parrainage insertion").split()
WORDS_EN = ("support for refugee families housing employment volunteers language school mental health "
            "vocational training participation residents city association intercultural mediation young women "
            "children guidance information rights neighbourhood mentoring inclusion").split()
QUERIES = [  # (label, query, filters)
    ("1 term", "logement", {}), ("1 term", "volunteers", {}), ("1 term", "parrainage", {}),
    ("2 terms", "santé mentale", {}), ("2 terms", "women employment", {}),
    ("3 terms", "formation professionnelle jeunes", {}), ("phrase", '"médiation interculturelle"', {}),
    ("filters", "école", {"country": ["FI"], "theme": ["2"]}), ("filters", "", {"country": ["PL"], "theme": ["5"]}),
    ("typo", "logemnt", {}), ("typo", "volonteers", {}),
]


def _vocabulary(lang: str) -> list[str]:
    """Words of the framework's own texts in ``lang``, most frequent first (a Zipf-like source)."""
    import re
    from collections import Counter

    fw = get_framework()
    texts = [t.introduction.get(lang) for t in fw.themes] + [b.get(lang) for t in fw.themes for b in t.benefits]
    texts += [sf.description.get(lang) for _, sf in fw.success_factors.values()]
    texts += [i.text.get(lang) for _, i in fw.checklist_items.values()] + [g.definition.get(lang) for g in fw.glossary.terms]
    counts = Counter(w for text in texts for w in re.findall(r"[^\W\d_]{2,}", text.lower()))
    return [w for w, _ in counts.most_common()]


_VOCAB: dict[str, tuple[list[str], list[float]]] = {}


def sentence(rnd: random.Random, words: list[str], n: int) -> str:
    """``n`` words drawn with Zipf weights from the real vocabulary of the language ``words`` is in."""
    lang = "fr" if words is WORDS_FR else "en"
    if lang not in _VOCAB:
        vocab = _vocabulary(lang) + words
        _VOCAB[lang] = (vocab, [1.0 / (rank + 1) for rank in range(len(vocab))])
    vocab, weights = _VOCAB[lang]
    return " ".join(rnd.choices(vocab, weights=weights, k=n)).capitalize() + "."


def generate(n: int, directory: Path, seed: int = 1) -> None:
    """Write ``n`` valid records (9 practices for 1 reference) under ``directory``."""
    fw = get_framework()
    rnd = random.Random(seed)
    themes = {t.number: t for t in fw.themes}
    facets = {k: [t.id for t in getattr(fw.facets, k)] for k in ("actor_types", "target_groups", "sectors")}
    indicators = list(fw.indicators)
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        t1 = rnd.randint(1, 6)
        theme_ids = [t1] + ([rnd.choice([t for t in themes if t != t1])] if rnd.random() < 0.4 else [])
        if i % 10 == 9:
            rec = {"id": f"ref-bench-{i:06d}", "kind": "reference",
                   "title": sentence(rnd, WORDS_EN, rnd.randint(5, 10))[:-1], "publisher": "Bench Institute",
                   "year": rnd.randint(2005, 2024), "links": [{"url": f"https://example.org/ref/{i}"}], "language": "en",
                   "document_type": "report", "themes": theme_ids,
                   "description": {"fr": sentence(rnd, WORDS_FR, 18), "en": sentence(rnd, WORDS_EN, 18)},
                   "source": {"document": "contribution"}, "added": "2026-11-01", "last_verified": "2026-11-01"}
        else:
            country = rnd.choice(list(CITIES))
            place = rnd.choice(CITIES[country])
            sfs = [sf.id for t in theme_ids for sf in themes[t].success_factors]
            items = [it.id for t in theme_ids for it in themes[t].checklist]
            rec = {"id": f"{country.lower()}-bench-{i:06d}", "kind": "practice",
                   "title": {"fr": sentence(rnd, WORDS_FR, 6)[:-1] + f" {place}", "en": sentence(rnd, WORDS_EN, 6)[:-1] + f" {place}"},
                   "summary": {"fr": " ".join(sentence(rnd, WORDS_FR, rnd.randint(14, 24)) for _ in range(4)),
                               "en": " ".join(sentence(rnd, WORDS_EN, rnd.randint(14, 24)) for _ in range(4))},
                   "country": country, "place": place, "organisations": [f"Organisation {i}"],
                   "actor_types": rnd.sample(facets["actor_types"], rnd.randint(1, 2)),
                   "year_started": rnd.randint(2000, 2024), "themes": theme_ids,
                   "success_factors": rnd.sample(sfs, rnd.randint(1, 3)),
                   "checklist_items": rnd.sample(items, rnd.randint(1, 4)),
                   "indicators": [{"id": ind, "evidence": {"fr": sentence(rnd, WORDS_FR, 10), "en": sentence(rnd, WORDS_EN, 10)}}
                                  for ind in rnd.sample(indicators, rnd.randint(1, 3))],
                   "target_groups": rnd.sample(facets["target_groups"], rnd.randint(1, 3)),
                   "sectors": rnd.sample(facets["sectors"], rnd.randint(1, 3)),
                   "links": [{"url": f"https://example.org/p/{i}"}], "source": {"document": "contribution"},
                   "added": "2026-11-01", "last_verified": "2026-11-01"}
        (directory / f"{rec['id']}.yaml").write_text(_dump(rec), encoding="utf-8")


def _dump(rec: dict) -> str:
    """YAML text of a generated record: libyaml's emitter when there is one (10x faster), else kb's."""
    import yaml

    if hasattr(yaml, "CSafeDumper"):
        return yaml.dump(rec, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)
    return dump(rec)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))], 2) if ordered else 0.0


def stats(values: list[float]) -> dict:
    return {"search_p50_ms": pct(values, 50), "search_p95_ms": pct(values, 95), "search_p99_ms": pct(values, 99)}


def build_index(records: Path, index: Path) -> dict:
    """Build in a child process, so that its peak memory is its own."""
    code = ("import json,sys,time; from pathlib import Path; from kb.indexer import build; t=time.perf_counter(); "
            f"build(Path({str(records)!r}), Path({str(index)!r})); print(json.dumps({{'build_s': time.perf_counter()-t}}))")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(done.stderr)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    return {"build_s": round(json.loads(done.stdout.strip().splitlines()[-1])["build_s"], 2),
            "index_mb": round(size / 2**20, 1), "peak_rss_mb": round(max(peak_kb, before) / 1024, 1)}


def bench_kb(index: Path, rounds: int) -> tuple[dict, object]:
    from kb.filters import Filters
    from kb.search import SearchIndex

    ix = SearchIndex(index)
    filters = {q: Filters.parse(f) for _, q, f in QUERIES for f in [f]}
    for _, q, f in QUERIES:  # warm
        ix.search(q, Filters.parse(f))
    times = []
    for _ in range(rounds):
        for _, q, f in QUERIES:
            t = time.perf_counter()
            ix.search(q, Filters.parse(f) if f else None)
            times.append((time.perf_counter() - t) * 1000)
    del filters
    return stats(times), ix


def bench_fts5(records: Path, workdir: Path, rounds: int) -> dict:
    import yaml

    db = workdir / "fts.sqlite"
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    t0 = time.perf_counter()
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, names, theme UNINDEXED, "
                "country UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    rows = []
    for path in records.glob("*.yaml"):
        d = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if d["kind"] == "practice":
            title = f"{d['title']['fr']} {d['title']['en']}"
            body = f"{d['summary']['fr']} {d['summary']['en']}"
        else:
            title, body = d["title"], f"{d['description']['fr']} {d['description']['en']}"
        rows.append((d["id"], title, body, " ".join(d.get("organisations", [])) + " " + d.get("place", ""),
                     ",".join(map(str, d["themes"])), d.get("country", "")))
    con.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?)", rows)
    con.commit()
    build_s = time.perf_counter() - t0
    size = db.stat().st_size

    def run(q: str, f: dict) -> None:
        where, args = [], []
        text = q.replace('"', "").strip()
        if text:
            where.append("docs MATCH ?")
            args.append(f'"{text}"' if q.startswith('"') else " AND ".join(text.split()))
        if f.get("country"):
            where.append("country = ?")
            args.append(f["country"][0])
        if f.get("theme"):
            where.append("(',' || theme || ',') LIKE ?")
            args.append(f"%,{f['theme'][0]},%")
        clause = " WHERE " + " AND ".join(where) if where else ""
        order = " ORDER BY rank" if text else ""
        snippet = "snippet(docs, 2, '<mark>', '</mark>', '…', 20)" if text else "substr(body, 1, 200)"
        con.execute(f"SELECT id, title, {snippet} FROM docs{clause}{order} LIMIT 10", args).fetchall()
        for col in ("country", "theme"):
            con.execute(f"SELECT {col}, count(*) FROM docs{clause} GROUP BY {col}", args).fetchall()

    for _, q, f in QUERIES:
        run(q, f)
    times = []
    for _ in range(rounds):
        for _, q, f in QUERIES:
            t = time.perf_counter()
            run(q, f)
            times.append((time.perf_counter() - t) * 1000)
    con.close()
    return {"build_s": round(build_s, 2), "index_mb": round(size / 2**20, 1), "peak_rss_mb": None, **stats(times)}


def bench_gaps(records: Path, ix, rounds: int = 10) -> float:
    from kb.answers import parse_answers
    from kb.recommend import Recommender
    from kb.validate import load_records

    rec = Recommender(load_records(records), ix)
    rec.warm()
    fw = get_framework()
    half = [i for n, i in enumerate(fw.checklist_items) if n % 2 == 0]
    answers = parse_answers(json.dumps({"ticked": half, "country": "FI"}))
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        rec.report(answers)
        times.append((time.perf_counter() - t) * 1000)
    return pct(times, 95)


def bench_http(records: Path, index: Path, clients: int = 4, workers: int = 2, per_client: int = 40) -> dict:
    """``GET /api/search`` on loopback against ``kb serve --workers``: p50 / p95 one request at a time
    (the web layer's cost over the library call), then requests per second and p50 / p95 with
    ``clients`` at once (with queueing: on 2 cores, 4 clients share 2 workers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KB_PRACTICES_DIR": str(records), "KB_INDEX_DIR": str(index)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "kb"), "serve", "--port", str(port),
                             "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + 1800  # at 100k records each worker validates every record first
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"kb serve did not start (exit code {proc.poll()})")
                time.sleep(0.25)
        paths = []
        for _, q, f in QUERIES:
            params = [("q", q)] + [(k, v) for k, vs in f.items() for v in vs]
            paths.append("/api/search?" + urllib.parse.urlencode(params))

        def run(n_clients: int, per_client: int) -> tuple[list[float], float]:
            times: list[float] = []
            lock = threading.Lock()

            def client(n: int) -> None:
                import http.client

                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                for k in range(per_client):
                    t = time.perf_counter()
                    conn.request("GET", paths[(n + k) % len(paths)])
                    conn.getresponse().read()
                    with lock:
                        times.append((time.perf_counter() - t) * 1000)
                conn.close()

            t0 = time.perf_counter()
            threads = [threading.Thread(target=client, args=(n,)) for n in range(n_clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return times, time.perf_counter() - t0

        run(clients, len(paths))  # warm every worker
        one, _ = run(1, 10 * len(paths))  # one request at a time: what the web layer adds to a search
        many, wall = run(clients, per_client)  # `clients` at once: throughput, and latency with queueing
        return {"p50_ms": pct(one, 50), "p95_ms": pct(one, 95), "rps": round(len(many) / wall, 1),
                "clients": clients, "workers": workers, "load_p50_ms": pct(many, 50), "load_p95_ms": pct(many, 95)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--workdir", help="keep generated records and indexes here (default: a temporary folder)")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the query mix")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients of the load phase (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="`kb serve --workers` for the HTTP run (default 2)")
    args = parser.parse_args(argv)
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kb-bench-"))
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                          "sqlite": sqlite3.sqlite_version},
              "runs": [], "gaps_p95_ms": {}, "http": {}}
    try:
        for size in args.sizes:
            records, index = work / f"records-{size}", work / f"index-{size}"
            shutil.rmtree(records, ignore_errors=True)
            shutil.rmtree(index, ignore_errors=True)
            t = time.perf_counter()
            generate(size, records)
            print(f"[{size}] generated in {time.perf_counter() - t:.1f} s", flush=True)
            built = build_index(records, index)
            kb_stats, ix = bench_kb(index, args.rounds)
            result["runs"].append({"size": size, "engine": "kb", **built, **kb_stats})
            result["runs"].append({"size": size, "engine": "sqlite-fts5", **bench_fts5(records, work, args.rounds)})
            result["gaps_p95_ms"][str(size)] = bench_gaps(records, ix)
            ix.close()
            if not args.no_http:
                result["http"][str(size)] = bench_http(records, index, args.clients, args.workers)
            print(f"[{size}] done: kb p95 {kb_stats['search_p95_ms']} ms, FTS5 p95 {result['runs'][-1]['search_p95_ms']} ms",
                  flush=True)
            if args.json:  # after every size, so that a long run is not lost if a later size fails
                Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'size':>7} {'engine':12} {'build s':>8} {'index MB':>9} {'peak MB':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for r in result["runs"]:
        print(f"{r['size']:>7} {r['engine']:12} {r['build_s']:>8} {r['index_mb']:>9} {str(r['peak_rss_mb'] or '-'):>8} "
              f"{r['search_p50_ms']:>7} {r['search_p95_ms']:>7} {r['search_p99_ms']:>7}")
    for size, v in result["gaps_p95_ms"].items():
        http = result["http"].get(size)
        print(f"{size:>7} gaps p95 {v} ms" + (f"; HTTP /api/search p50 {http['p50_ms']} ms, p95 {http['p95_ms']} ms; "
                                              f"{http['clients']} clients on {http['workers']} workers: {http['rps']} req/s, "
                                              f"p50 {http['load_p50_ms']} ms, p95 {http['load_p95_ms']} ms"
                                              if http else ""))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
