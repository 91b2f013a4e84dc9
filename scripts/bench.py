#!/usr/bin/env python3
"""Benchmark: the knowledge base's search at growing sizes, beside SQLite FTS5, in one run.

    python scripts/bench.py --sizes 1000 10000 [--mix own|independent|both] [--json out.json] [--workdir DIR] [--no-http]

Two mixes, each with its own corpus and queries (``--mix both``, the default, runs both):

``--mix own`` (the project's first benchmark). For each size it generates that many synthetic but valid records (deterministic: French and English
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

``--mix independent`` (scripts/bench_corpus.py: a corpus and query mix that share nothing with the
above but the record format). For each size it generates records with longer bodies (several
paragraphs, 250-600 words per language) from another vocabulary (a few thousand French and English
words, Zipf-weighted, with set phrases and realistic names), then
  - builds the index with `kb index` in a child process: time, peak RSS;
  - runs 200 queries of eight kinds (1 word, 2-3 words, quoted phrases of 2-3 words including common
    ones, 5-8 words, misspelt words, filters alone, filters with words, words in most records) warm
    on one open searcher, and the same on SQLite FTS5 over the same seven text fields with facet counts
    (one GROUP BY over every facet of the matches: like-for-like with kb's facets) and without them:
    p50 / p95 per kind and overall. FTS5 has no spelling correction: it runs a misspelt word as it is;
  - the worst requests (a 500-character query of distinct unknown words, 100 filter values, the
    deepest page): CPU time per request;
  - searcher memory: the RSS of a fresh process after opening the index and running the mix once,
    minus its RSS before opening (and the same for FTS5);
  - a cold `kb search` process (wall time, max RSS), beside a cold Python process querying FTS5;
  - `kb serve --workers 2`: time until /healthz answers and until every worker has started, RSS per
    worker when ready and after the mix over HTTP, and its private part after the mix (RSS less the
    pages shared with other processes through files: libraries, the memory-mapped columns);
  - one added record: the time of `kb index` after one more record file is written.
Every command runs as ``python -m kb.cli`` with this interpreter and this checkout on PYTHONPATH; the
checkout's bytecode is compiled first, as a first run of Python would leave it.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import statistics
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
sys.path.insert(1, str(Path(__file__).resolve().parent))

import bench_corpus  # noqa: E402

from kb.records.fix import dump  # noqa: E402
from kb.records.framework import get_framework  # noqa: E402

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


def child_env(records: Path | None = None, index: Path | None = None) -> dict:
    """The environment of a child process: this checkout first on PYTHONPATH, the records and index set."""
    paths = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    if records is not None:
        env["KB_PRACTICES_DIR"] = str(records)
    if index is not None:
        env["KB_INDEX_DIR"] = str(index)
    return env


def kb_cmd(*args: str) -> list[str]:
    """The `kb` command line of this checkout, with this interpreter (not the installed entry point,
    which imports whichever checkout was installed)."""
    return [sys.executable, "-m", "kb.cli", *args]


# A small launcher between this process and a measured command: a child's peak RSS as the kernel reports
# it (wait4) includes the memory of the process that forked it, up to its exec; measured from this
# (large) process, a small command would seem as big as the benchmark. The launcher is a bare
# interpreter, smaller than anything measured.
_LAUNCHER = """
import json, os, signal, sys, time
report, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ)
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
signal.alarm(max(1, int(timeout)))
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(report, "w") as f:
    json.dump({"wall_s": wall, "max_rss_mb": usage.ru_maxrss / 1024, "rc": os.waitstatus_to_exitcode(status)}, f)
"""


def run_measured(cmd: list[str], env: dict, timeout: float) -> dict:
    """Run ``cmd``: its wall time, its peak RSS (its own and its children's), exit code and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errf, \
            tempfile.NamedTemporaryFile(suffix=".json") as report:
        done = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, report.name, str(timeout), *cmd], env=env, cwd=ROOT,
                              stdout=out, stderr=errf, timeout=timeout + 60)
        out.seek(0)
        errf.seek(0)
        text = Path(report.name).read_text()
        measured = json.loads(text) if text else {"wall_s": 0.0, "max_rss_mb": 0.0, "rc": done.returncode or 1}
        return {**measured, "stdout": out.read().decode("utf-8", "replace"), "stderr": errf.read().decode("utf-8", "replace")}


def _proc_children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _proc_rss_mb(pid: int, field: str = "VmRSS") -> float | None:
    """A process's resident memory (``VmRSS``), or its private part (``RssAnon``: what is not shared with
    other processes through files, such as libraries and the memory-mapped columns), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _proc_cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))], 2) if ordered else 0.0


def stats(values: list[float]) -> dict:
    return {"search_p50_ms": pct(values, 50), "search_p95_ms": pct(values, 95), "search_p99_ms": pct(values, 99)}


def build_index(records: Path, index: Path) -> dict:
    """Build in a child process, so that its peak memory is its own."""
    code = ("import json,sys,time; from pathlib import Path; from kb.search.indexer import build; t=time.perf_counter(); "
            f"build(Path({str(records)!r}), Path({str(index)!r})); print(json.dumps({{'build_s': time.perf_counter()-t}}))")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=child_env())
    if done.returncode:
        raise SystemExit(done.stderr)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    return {"build_s": round(json.loads(done.stdout.strip().splitlines()[-1])["build_s"], 2),
            "index_mb": round(size / 2**20, 1), "peak_rss_mb": round(max(peak_kb, before) / 1024, 1)}


def bench_kb(index: Path, rounds: int) -> tuple[dict, object]:
    from kb.search.filters import Filters
    from kb.search.engine import SearchIndex

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
    """p95 of the gap report for a half-ticked checklist, on a warm recommender. What is loaded is then
    kept out of the garbage collector's full passes (``gc.freeze``), as the web app does once started:
    otherwise one full pass over this process's heap (the generated records, the FTS5 rows), about
    40 ms at 1k records, lands in one of the ten reports and is their p95."""
    from kb.assess.answers import parse_answers
    from kb.assess.recommend import Recommender
    from kb.records.validate import load_records

    rec = Recommender(load_records(records), ix)
    rec.warm()
    fw = get_framework()
    half = [i for n, i in enumerate(fw.checklist_items) if n % 2 == 0]
    answers = parse_answers(json.dumps({"ticked": half, "country": "FI"}))
    times = []
    gc.collect()
    gc.freeze()
    try:
        for _ in range(rounds):
            t = time.perf_counter()
            rec.report(answers)
            times.append((time.perf_counter() - t) * 1000)
    finally:
        gc.unfreeze()
    return pct(times, 95)


def bench_http(records: Path, index: Path, clients: int = 4, workers: int = 2, per_client: int = 40) -> dict:
    """``GET /api/search`` on loopback against ``kb serve --workers``: p50 / p95 one request at a time
    (the web layer's cost over the library call), then requests per second and p50 / p95 with
    ``clients`` at once (with queueing: on 2 cores, 4 clients share 2 workers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = child_env(records, index)
    proc = subprocess.Popen(kb_cmd("serve", "--port", str(port), "--workers", str(workers)), env=env,
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


# --------------------------------------------------------------------------------------------------
# The independent mix (scripts/bench_corpus.py)

QUERY_SAMPLE = 400  # the queries are drawn from the first records, the same at every size


def generate_independent(n: int, directory: Path, seed: int = bench_corpus.SEED) -> list[dict]:
    """Write ``n`` valid records of the independent corpus; return the first ones, to draw queries from."""
    fw = get_framework()
    rnd = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    sample = []
    for i in range(n):
        rec = bench_corpus.record(i, rnd, fw)
        if i < QUERY_SAMPLE:
            sample.append(rec)
        (directory / f"{rec['id']}.yaml").write_text(_dump(rec), encoding="utf-8")
    return sample


def _kinds(times: dict[str, list[float]], matches: dict[str, list[int]]) -> dict:
    out = {}
    for kind in bench_corpus.KINDS:
        out[kind] = {"p50_ms": pct(times[kind], 50), "p95_ms": pct(times[kind], 95), "max_ms": pct(times[kind], 100),
                     "queries": len(matches[kind]), "matches_median": int(statistics.median(matches[kind])),
                     "no_match": sum(1 for m in matches[kind] if not m)}
    every = [t for kind in times for t in times[kind]]
    return {"overall": {"p50_ms": pct(every, 50), "p95_ms": pct(every, 95), "p99_ms": pct(every, 99)}, "kinds": out}


def bench_kb_independent(index: Path, mix: list, rounds: int):
    """The mix warm on one open searcher: p50 / p95 per kind and overall; also the open searcher."""
    from kb.search.filters import Filters
    from kb.search.engine import SearchIndex

    ix = SearchIndex(index)
    matches: dict[str, list[int]] = {k: [] for k in bench_corpus.KINDS}
    for kind, q, f in mix:  # warm, and what each query finds
        matches[kind].append(ix.search(q, Filters.parse(f) if f else None).total)
    times: dict[str, list[float]] = {k: [] for k in bench_corpus.KINDS}
    for _ in range(rounds):
        for kind, q, f in mix:
            t = time.perf_counter()
            ix.search(q, Filters.parse(f) if f else None)
            times[kind].append((time.perf_counter() - t) * 1000)
    return _kinds(times, matches), ix


def worst_case(ix, mix: list, repeats: int = 3) -> dict:
    """CPU time of the costliest requests one can send (the library call, filters parsed included)."""
    from kb.search.filters import FilterError, Filters

    fw = get_framework()
    rnd = random.Random(5)
    words: list[str] = []
    while len(" ".join(words)) < 500:
        w = "".join(rnd.choice("bcdfghjklmnpqrstvwxz") + rnd.choice("aeiouy") for _ in range(rnd.randint(3, 5)))
        if w not in words:
            words.append(w)
    unknown = " ".join(words)[:500]
    values = {"country": sorted(bench_corpus.CITIES), "sector": [t.id for t in fw.facets.sectors],
              "target_group": [t.id for t in fw.facets.target_groups], "actor_type": [t.id for t in fw.facets.actor_types]}
    values["success_factor"] = list(fw.success_factors)[:100 - sum(len(v) for v in values.values())]
    common = next(q for kind, q, _ in mix if kind == "most of collection")
    deepest = max(1, (ix.search(common).total + 99) // 100)
    cases = {
        "500-character query of unknown words": (unknown, None, {}),
        "100 filter values": ("", values, {}),
        f"deepest page ({common!r}, page {deepest} of 100)": (common, None, {"page": deepest, "limit": 100}),
        "all three together": (unknown, values, {"page": 1000, "limit": 100}),
    }
    out = {}
    for name, (q, raw, kw) in cases.items():
        cpu, wall = [], []
        for _ in range(repeats):
            c, t = time.process_time(), time.perf_counter()
            try:
                ix.search(q, Filters.parse(raw) if raw else None, **kw)
            except FilterError as exc:
                out[name] = {"error": str(exc)}
                break
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - t) * 1000)
        else:
            out[name] = {"cpu_ms": round(max(cpu), 1), "wall_ms": round(max(wall), 1)}
    return out


def fts5_build_independent(records: Path, db: Path) -> dict:
    """The FTS5 table on kb's seven text fields, and a facets table (doc, facet, value) for the counts."""
    import yaml

    from kb.records import countries

    fw = get_framework()
    names = {k: {t.id: t.name for t in getattr(fw.facets, k)} for k in ("actor_types", "target_groups", "sectors")}
    if db.exists():
        db.unlink()
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(bench_corpus.FTS5_SCHEMA)
    rows, facets = [], []
    for n, path in enumerate(sorted(records.glob("*.yaml")), start=1):
        d = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        values = {"kind": [d["kind"]], "theme": [str(t) for t in d["themes"]]}
        if d["kind"] == "practice":
            ev = d.get("indicators", [])
            title_fr, title_en = d["title"]["fr"], d["title"]["en"]
            body_fr = " ".join([d["summary"]["fr"], *(e["evidence"]["fr"] for e in ev)])
            body_en = " ".join([d["summary"]["en"], *(e["evidence"]["en"] for e in ev)])
            who = [*d.get("organisations", []), d.get("place", ""), countries.name(d["country"], "fr"),
                   countries.name(d["country"], "en"), d["country"]]
            tags = [names["sectors"][v] for v in d["sectors"]] + [names["target_groups"][v] for v in d["target_groups"]]
            tags += [names["actor_types"][v] for v in d["actor_types"]] + [fw.success_factors[v][1].name for v in d["success_factors"]]
            values |= {"country": [d["country"]], "success_factor": d["success_factors"], "target_group": d["target_groups"],
                       "sector": d["sectors"], "actor_type": d["actor_types"],
                       "dimension": sorted({fw.indicators[e["id"]][0] for e in ev})}
            year = d.get("year_started") or 0
        else:
            title_fr = title_en = d["title"]
            body_fr, body_en = d["description"]["fr"], d["description"]["en"]
            who, tags, year = [d["publisher"], *d.get("authors", []), d["title"]], [], d.get("year") or 0
        rows.append((n, d["id"], year, title_fr, title_en, body_fr, body_en, " ".join(w for w in who if w),
                     " ; ".join(t.fr for t in tags), " ; ".join(t.en for t in tags)))
        facets += [(n, facet, v) for facet, vs in values.items() for v in vs]
    con.executemany("INSERT INTO docs(rowid, id, year, title_fr, title_en, body_fr, body_en, names, tags_fr, tags_en) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    con.executemany("INSERT OR IGNORE INTO facets VALUES (?,?,?)", facets)
    con.executemany("INSERT INTO years VALUES (?,?)", [(row[0], row[2]) for row in rows])
    con.commit()
    con.close()
    return {"build_s": round(time.perf_counter() - t0, 2), "index_mb": round(db.stat().st_size / 2**20, 1)}


def bench_fts5_independent(db: Path, mix: list, rounds: int, with_facets: bool) -> dict:
    con = sqlite3.connect(db)
    matches: dict[str, list[int]] = {k: [] for k in bench_corpus.KINDS}
    for kind, q, f in mix:
        matches[kind].append(bench_corpus.fts5_search(con, q, f, facets=True))
    times: dict[str, list[float]] = {k: [] for k in bench_corpus.KINDS}
    for _ in range(rounds):
        for kind, q, f in mix:
            t = time.perf_counter()
            bench_corpus.fts5_search(con, q, f, facets=with_facets)
            times[kind].append((time.perf_counter() - t) * 1000)
    con.close()
    return _kinds(times, matches)


# a child process's RSS before its engine is imported, once it is, and after it ran the mix once
_MEMORY = """
import json, sys
from pathlib import Path
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
start = rss()
{imports}
before = rss()
mix = json.loads(Path(sys.argv[1]).read_text())
{open}
for kind, q, f in mix:
    {search}
print(json.dumps({{"start_mb": start, "before_mb": before, "after_mb": rss()}}))
"""
_MEMORY_KB = _MEMORY.format(imports="from kb.search.filters import Filters\nfrom kb.search.engine import SearchIndex",
                            open="ix = SearchIndex(Path(sys.argv[2]))",
                            search="ix.search(q, Filters.parse(f) if f else None)")
_MEMORY_FTS5 = _MEMORY.format(imports="import sqlite3\nimport bench_corpus", open="con = sqlite3.connect(sys.argv[2])",
                              search="bench_corpus.fts5_search(con, q, f, facets=True)")

_COLD_FTS5 = """
import sqlite3, sys
import bench_corpus
con = sqlite3.connect(sys.argv[1])
print(bench_corpus.fts5_search(con, sys.argv[2], {}, facets=True))
"""


def searcher_memory(code: str, mix_file: Path, target: Path) -> dict:
    """RSS of a fresh process after opening the index and running the mix once, minus before opening."""
    env = child_env()
    env["PYTHONPATH"] += os.pathsep + str(Path(__file__).resolve().parent)
    done = run_measured([sys.executable, "-c", code, str(mix_file), str(target)], env, timeout=600)
    if done["rc"]:
        return {"error": done["stderr"][-2000:]}
    m = json.loads(done["stdout"].strip().splitlines()[-1])
    return {"searcher_mb": round(m["after_mb"] - m["before_mb"], 1), "process_mb": round(m["after_mb"], 1),
            "imports_mb": round(m["before_mb"] - m["start_mb"], 1), "wall_s": round(done["wall_s"], 2)}


def cold_cli(records: Path, index: Path, db: Path, word: str = "logement", repeats: int = 3) -> dict:
    """A whole `kb search WORD` process, and a Python process querying FTS5 (with facet counts): wall, max RSS."""
    env = child_env(records, index)
    fts_env = child_env()
    fts_env["PYTHONPATH"] += os.pathsep + str(Path(__file__).resolve().parent)
    out = {}
    for engine, cmd, e in (("kb", kb_cmd("search", word, "--index-dir", str(index)), env),
                           ("sqlite-fts5", [sys.executable, "-c", _COLD_FTS5, str(db), word], fts_env)):
        runs = [run_measured(cmd, e, timeout=300) for _ in range(repeats)]
        bad = [r for r in runs if r["rc"]]
        if bad:
            out[engine] = {"error": bad[0]["stderr"][-2000:]}
            continue
        out[engine] = {"wall_s": round(statistics.median(r["wall_s"] for r in runs), 3),
                       "max_rss_mb": round(max(r["max_rss_mb"] for r in runs), 1)}
    return out


def serve_start(records: Path, index: Path, mix: list, workers: int = 2, timeout: float = 900) -> dict:
    """`kb serve --workers N`: time until /healthz answers, until every worker has started, and RSS per worker
    (ready, and after the mix once over HTTP, one request at a time, whose p50 / p95 it also gives)."""
    import http.client

    port = _free_port()
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(kb_cmd("serve", "--port", str(port), "--workers", str(workers)),
                                env=child_env(records, index), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        seen: set[int] = set()
        try:
            ready = None
            while ready is None:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                    ready = time.perf_counter() - t0
                except OSError:
                    if proc.poll() is not None or time.perf_counter() - t0 > timeout:
                        log.seek(0)
                        return {"error": f"kb serve did not start (exit code {proc.poll()}): "
                                         + log.read().decode("utf-8", "replace")[-2000:]}
                    time.sleep(0.05)
            all_ready = None
            while all_ready is None and time.perf_counter() - t0 < timeout:
                log.seek(0)
                if log.read().count(b"Application startup complete") >= workers:
                    all_ready = time.perf_counter() - t0
                else:
                    time.sleep(0.05)

            def worker_pids() -> list[int]:
                kids = _proc_children(proc.pid)
                pids = [p for p in kids if "spawn_main" in _proc_cmdline(p)] or ([proc.pid] if workers == 1 else kids)
                seen.update(pids)
                return pids

            rss_ready = [_proc_rss_mb(p) for p in worker_pids()]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            times = []
            for _, q, f in mix:
                params = [("q", q)] + [(k, v) for k, vs in f.items() for v in vs]
                t = time.perf_counter()
                conn.request("GET", "/api/search?" + urllib.parse.urlencode(params))
                conn.getresponse().read()
                times.append((time.perf_counter() - t) * 1000)
            conn.close()
            rss_after = [_proc_rss_mb(p) for p in worker_pids()]
            private_after = [_proc_rss_mb(p, "RssAnon") for p in worker_pids()]
            return {"workers": workers, "ready_s": round(ready, 2),
                    "all_workers_ready_s": round(all_ready, 2) if all_ready else None,
                    "worker_rss_ready_mb": rss_ready, "worker_rss_after_mix_mb": rss_after,
                    "worker_private_after_mix_mb": private_after,
                    "supervisor_rss_mb": _proc_rss_mb(proc.pid),
                    "http_one_at_a_time_p50_ms": pct(times, 50), "http_one_at_a_time_p95_ms": pct(times, 95)}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for pid in seen:  # workers left behind by a supervisor that was killed
                if _proc_rss_mb(pid) is not None and pid in _proc_children(proc.pid):
                    os.kill(pid, 9)


def add_one(records: Path, index: Path, n: int) -> dict:
    """Write one more record, then time `kb index` on the same folders."""
    rec = bench_corpus.record(n, random.Random(f"{bench_corpus.SEED}-added"), get_framework())
    (records / f"{rec['id']}.yaml").write_text(_dump(rec), encoding="utf-8")
    done = run_measured(kb_cmd("index", "--index-dir", str(index)), child_env(records, index), timeout=3600)
    if done["rc"]:
        return {"error": (done["stdout"] + done["stderr"])[-2000:]}
    return {"add_one_s": round(done["wall_s"], 2), "peak_rss_mb": round(done["max_rss_mb"], 1),
            "output": done["stdout"].strip().splitlines()[-1] if done["stdout"].strip() else ""}


def run_independent(size: int, work: Path, rounds: int, http: bool) -> dict:
    records, index, db = work / f"ind-records-{size}", work / f"ind-index-{size}", work / f"ind-fts-{size}.sqlite"
    shutil.rmtree(records, ignore_errors=True)
    shutil.rmtree(index, ignore_errors=True)
    t = time.perf_counter()
    sample = generate_independent(size, records)
    mix = bench_corpus.queries(sample)
    mix_file = work / "ind-mix.json"
    mix_file.write_text(json.dumps(mix, ensure_ascii=False), encoding="utf-8")
    words = [len(r["summary"][lang].split()) for r in sample if r["kind"] == "practice" for lang in ("fr", "en")]
    out: dict = {"size": size, "generate_s": round(time.perf_counter() - t, 1),
                 "body_words_per_language_mean": round(statistics.mean(words))}
    print(f"[independent {size}] generated in {out['generate_s']} s", flush=True)
    built = run_measured(kb_cmd("index", "--index-dir", str(index)), child_env(records, index), timeout=3600)
    if built["rc"]:
        raise SystemExit(built["stdout"] + built["stderr"])
    size_mb = sum(p.stat().st_size for p in index.rglob("*") if p.is_file()) / 2**20
    kb: dict = {"build_s": round(built["wall_s"], 2), "peak_rss_mb": round(built["max_rss_mb"], 1),
                "index_mb": round(size_mb, 1)}
    print(f"[independent {size}] kb index: {kb['build_s']} s, peak {kb['peak_rss_mb']} MB", flush=True)
    fts: dict = fts5_build_independent(records, db)
    figures, ix = bench_kb_independent(index, mix, rounds)
    kb |= figures
    kb["worst_case"] = worst_case(ix, mix)
    ix.close()
    fts |= bench_fts5_independent(db, mix, rounds, with_facets=True)
    bare = bench_fts5_independent(db, mix, rounds, with_facets=False)
    kb["searcher"] = searcher_memory(_MEMORY_KB, mix_file, index)
    fts["searcher"] = searcher_memory(_MEMORY_FTS5, mix_file, db)
    cold = cold_cli(records, index, db)
    kb["cold_cli"], fts["cold_cli"] = cold["kb"], cold["sqlite-fts5"]
    if http:
        kb["serve"] = serve_start(records, index, mix)
    kb["add_one"] = add_one(records, index, size)
    out["engines"] = {"kb": kb, "sqlite-fts5": fts, "sqlite-fts5-no-facets": bare}
    print(f"[independent {size}] done: kb p95 {kb['overall']['p95_ms']} ms, FTS5 with facets "
          f"{fts['overall']['p95_ms']} ms, without {bare['overall']['p95_ms']} ms", flush=True)
    return out


def _cell(d: dict, *keys, unit: str = "") -> str:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return "-"
        d = d[k]
    return f"{d}{unit}" if d is not None else "-"


def print_independent(ind: dict) -> None:
    for size, run in ind["sizes"].items():
        e = run["engines"]
        kb, fts, bare = e["kb"], e["sqlite-fts5"], e["sqlite-fts5-no-facets"]
        print(f"\nindependent mix, {size} records ({run['body_words_per_language_mean']} words per body and language): "
              "p50 / p95 ms per kind (matches: median records found)")
        print(f"{'kind':20} {'n':>3} {'kb p50':>7} {'kb p95':>7} {'FTS5 p50':>9} {'FTS5 p95':>9} {'no-facet p95':>12} "
              f"{'kb/FTS5 p95':>11} {'kb matches':>10} {'FTS5 matches':>12}")
        for kind in list(bench_corpus.KINDS) + ["overall"]:
            a = kb["overall"] if kind == "overall" else kb["kinds"][kind]
            b = fts["overall"] if kind == "overall" else fts["kinds"][kind]
            c = bare["overall"] if kind == "overall" else bare["kinds"][kind]
            ratio = round(a["p95_ms"] / b["p95_ms"], 2) if b["p95_ms"] else "-"
            print(f"{kind:20} {a.get('queries', 200):>3} {a['p50_ms']:>7} {a['p95_ms']:>7} {b['p50_ms']:>9} {b['p95_ms']:>9} "
                  f"{c['p95_ms']:>12} {ratio:>11} {a.get('matches_median', ''):>10} {b.get('matches_median', ''):>12}")
        print(f"build: kb {kb['build_s']} s, peak {kb['peak_rss_mb']} MB, {kb['index_mb']} MB on disk; "
              f"FTS5 {fts['build_s']} s, {fts['index_mb']} MB")
        print(f"searcher memory (process after the mix / searcher alone): kb {_cell(kb, 'searcher', 'process_mb')} / "
              f"{_cell(kb, 'searcher', 'searcher_mb')} MB; FTS5 {_cell(fts, 'searcher', 'process_mb')} / "
              f"{_cell(fts, 'searcher', 'searcher_mb')} MB")
        print(f"cold process: kb search {_cell(kb, 'cold_cli', 'wall_s')} s, {_cell(kb, 'cold_cli', 'max_rss_mb')} MB; "
              f"FTS5 {_cell(fts, 'cold_cli', 'wall_s')} s, {_cell(fts, 'cold_cli', 'max_rss_mb')} MB")
        if "serve" in kb:
            s = kb["serve"]
            print(f"kb serve --workers 2: healthz after {_cell(s, 'ready_s')} s, every worker after "
                  f"{_cell(s, 'all_workers_ready_s')} s; RSS per worker {_cell(s, 'worker_rss_ready_mb')} MB ready, "
                  f"{_cell(s, 'worker_rss_after_mix_mb')} MB after the mix (private "
                  f"{_cell(s, 'worker_private_after_mix_mb')} MB); HTTP p50 / p95 "
                  f"{_cell(s, 'http_one_at_a_time_p50_ms')} / {_cell(s, 'http_one_at_a_time_p95_ms')} ms")
        print(f"one added record: kb index {_cell(kb, 'add_one', 'add_one_s')} s")
        for name, w in kb["worst_case"].items():
            print(f"worst case, {name}: CPU {_cell(w, 'cpu_ms')} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--mix", choices=("own", "independent", "both"), default="both",
                        help="the project's own corpus and queries, the independent ones, or both (default)")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--workdir", help="keep generated records and indexes here (default: a temporary folder)")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the own query mix")
    parser.add_argument("--independent-rounds", type=int, default=3, help="passes over the 200 independent queries")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement (and `kb serve`'s start-up)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients of the load phase (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="`kb serve --workers` for the HTTP run (default 2)")
    args = parser.parse_args(argv)
    # the checkout's bytecode written once, as Python does on a first run, so that the cold processes
    # measured below do not compile the package each time (PYTHONDONTWRITEBYTECODE would make them)
    compileall.compile_dir(str(ROOT / "kb"), quiet=1)
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kb-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                          "sqlite": sqlite3.sqlite_version},
              "mix": args.mix, "runs": [], "gaps_p95_ms": {}, "http": {}}
    if args.mix in ("independent", "both"):
        result["independent"] = {
            "vocabulary": bench_corpus.size(), "queries": dict(bench_corpus.KINDS), "rounds": args.independent_rounds,
            "notes": ["FTS5: every word required (AND), quoted phrases as FTS5 phrases, misspelt words as they are "
                      "(FTS5 has no correction, stemming or thesaurus); facet counts by one GROUP BY over the "
                      "matches' facet values, as kb counts every facet on every search"],
            "sizes": {}}

    def save() -> None:  # after every size, so that a long run is not lost if a later size fails
        result["total_s"] = round(time.perf_counter() - started, 1)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")

    try:
        for size in args.sizes:
            if args.mix in ("own", "both"):
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
                save()
            if args.mix in ("independent", "both"):
                result["independent"]["sizes"][str(size)] = run_independent(size, work, args.independent_rounds,
                                                                            not args.no_http)
                save()
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    if result["runs"]:
        print("\nown mix")
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
    if "independent" in result:
        print_independent(result["independent"])
    save()
    print(f"\nwhole run: {result['total_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
