"""The benchmark runs end to end at a tiny size (no timing is asserted), so that it cannot rot."""

import importlib.util
import json

from kb.paths import ROOT
from kb.validate import check_paths


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
    assert _bench().main(["--sizes", "60", "--rounds", "1", "--json", str(out), "--workdir", str(tmp_path / "w")]) == 0
    data = json.loads(out.read_text())
    assert {"machine", "runs", "gaps_p95_ms", "http"} <= set(data)
    assert {(r["size"], r["engine"]) for r in data["runs"]} == {(60, "kb"), (60, "sqlite-fts5")}
    for run in data["runs"]:
        assert {"build_s", "index_mb", "peak_rss_mb", "search_p50_ms", "search_p95_ms", "search_p99_ms"} <= set(run)
    assert set(data["gaps_p95_ms"]) == {"60"}
    assert {"p50_ms", "p95_ms", "rps", "clients", "workers", "load_p50_ms", "load_p95_ms"} <= set(data["http"]["60"])
    assert all(v > 0 for v in data["http"]["60"].values())
