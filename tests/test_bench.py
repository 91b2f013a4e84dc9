"""The benchmark runs end to end at a tiny size (no timing is asserted), so that it cannot rot."""

import importlib.util
import json

from kb.paths import ROOT
from kb.records.validate import check_paths


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_records_are_valid(tmp_path):
    _bench().generate(40, tmp_path / "records")
    report = check_paths([tmp_path / "records"], collection=tmp_path / "records")
    assert report.ok, report.render()
    assert len(report.records) == 40 and {r.kind for r in report.records} == {"practice", "reference"}


def test_the_benchmark_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "bench.json"
    assert _bench().main(["--sizes", "60", "--mix", "own", "--rounds", "1", "--json", str(out),
                          "--workdir", str(tmp_path / "w")]) == 0
    data = json.loads(out.read_text())
    assert {"machine", "runs", "gaps_p95_ms", "http"} <= set(data)
    assert {(r["size"], r["engine"]) for r in data["runs"]} == {(60, "kb"), (60, "sqlite-fts5")}
    for run in data["runs"]:
        assert {"build_s", "index_mb", "peak_rss_mb", "search_p50_ms", "search_p95_ms", "search_p99_ms"} <= set(run)
    assert set(data["gaps_p95_ms"]) == {"60"}
    assert {"p50_ms", "p95_ms", "rps", "clients", "workers", "load_p50_ms", "load_p95_ms"} <= set(data["http"]["60"])
    assert all(v > 0 for v in data["http"]["60"].values())


def test_independent_records_are_valid(tmp_path):
    _bench().generate_independent(40, tmp_path / "records")
    report = check_paths([tmp_path / "records"], collection=tmp_path / "records")
    assert report.ok, report.render()
    assert len(report.records) == 40 and {r.kind for r in report.records} == {"practice", "reference"}


def test_the_independent_mix_has_200_labelled_queries(tmp_path):
    bench = _bench()
    mix = bench.bench_corpus.queries(bench.generate_independent(40, tmp_path / "records"))
    assert len(mix) == 200 and {kind for kind, _, _ in mix} == set(bench.bench_corpus.KINDS)
    assert mix == bench.bench_corpus.queries(bench.generate_independent(40, tmp_path / "again"))  # deterministic
    phrases = [q for kind, q, _ in mix if kind == "phrase"]
    assert all(q.startswith('"') and q.endswith('"') and 2 <= len(q.split()) <= 3 for q in phrases)
    assert all(q == "" and f for kind, q, f in mix if kind == "filters only")
    assert all(5 <= len(q.split()) <= 8 for kind, q, _ in mix if kind == "many words")


def test_the_independent_mix_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "bench.json"
    assert _bench().main(["--sizes", "40", "--mix", "independent", "--independent-rounds", "1", "--json", str(out),
                          "--workdir", str(tmp_path / "w")]) == 0
    data = json.loads(out.read_text())
    assert data["runs"] == [] and set(data["independent"]["sizes"]) == {"40"}
    engines = data["independent"]["sizes"]["40"]["engines"]
    assert set(engines) == {"kb", "sqlite-fts5", "sqlite-fts5-no-facets"}
    kinds = set(data["independent"]["queries"])
    assert {"1 word", "phrase", "misspelt", "filters only", "most of collection"} <= kinds
    for engine in engines.values():
        assert set(engine["kinds"]) == kinds
        assert all({"p50_ms", "p95_ms", "queries", "matches_median"} <= set(k) for k in engine["kinds"].values())
        assert {"p50_ms", "p95_ms", "p99_ms"} <= set(engine["overall"])
    kb = engines["kb"]
    assert {"build_s", "peak_rss_mb", "index_mb"} <= set(kb)
    assert {"searcher_mb", "process_mb"} <= set(kb["searcher"]) and {"searcher_mb"} <= set(engines["sqlite-fts5"]["searcher"])
    assert {"wall_s", "max_rss_mb"} <= set(kb["cold_cli"]) and {"wall_s", "max_rss_mb"} <= set(engines["sqlite-fts5"]["cold_cli"])
    assert {"ready_s", "all_workers_ready_s", "worker_rss_ready_mb", "worker_rss_after_mix_mb",
            "worker_private_after_mix_mb"} <= set(kb["serve"])
    assert all(0 < private < rss for private, rss in zip(kb["serve"]["worker_private_after_mix_mb"],
                                                          kb["serve"]["worker_rss_after_mix_mb"]))
    assert len(kb["serve"]["worker_rss_ready_mb"]) == 2
    assert "add_one_s" in kb["add_one"] and kb["add_one"]["output"].startswith("Indexed")
    assert all("cpu_ms" in case for case in kb["worst_case"].values())
