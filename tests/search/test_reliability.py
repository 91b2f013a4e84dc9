"""Reliability: searches keep answering while the index is rebuilt and swapped; a failed rebuild keeps
the old index serving; a short load run has no error; the service writes nothing but its index."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import socket
import threading
import time
import urllib.request

import pytest
import uvicorn

from kb.web.app import Settings, create_app
from kb.search.indexer import build, current, ensure
from kb.paths import PRACTICES_DIR, ROOT
from kb.records.validate import RecordsError

from ..conftest import FIXTURES


def _serve(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def live(tmp_path):
    # a slice of the knowledge base (records with no cross-links), so that rebuilds are quick
    records = tmp_path / "records"
    records.mkdir()
    for path in sorted(PRACTICES_DIR.glob("*.yaml")):
        if "related: []" in path.read_text() or path.name.startswith("ref-"):
            shutil.copy(path, records)
    index = tmp_path / "index"
    app = create_app(Settings(practices=records, index=index))
    server, thread, url = _serve(app)
    yield records, index, url
    server.should_exit = True
    thread.join(timeout=5)


def test_searches_never_fail_while_the_index_is_rebuilt_and_swapped(live):
    records, index, url = live
    stop = threading.Event()
    counts = {"ok": 0, "failed": 0}
    failures: list[str] = []
    lock = threading.Lock()

    def hammer(path: str) -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(url + path, timeout=30) as resp:
                    ok = resp.status == 200 and resp.read()
            except Exception as exc:  # noqa: BLE001 - any failure counts
                ok = False
                failures.append(f"{path}: {exc}")
            with lock:
                counts["ok" if ok else "failed"] += 1
            time.sleep(0.02)  # leave the builder some CPU on a 2-core machine

    threads = [threading.Thread(target=hammer, args=(p,)) for p in
               ("/api/search?q=logement", "/api/search?q=mentoring&country=FI", "/search?q=femmes", "/api/search?q=")]
    for t in threads:
        t.start()
    generations = {current(index).path.name}
    target = records / "fi-womento-mentoring.yaml"
    original = target.read_text()
    for n in range(2):  # two rebuilds, each swapped in while requests run
        target.write_text(original.replace("Womento", f"Womento{n}", 1))
        # the rebuild runs in another process, as a deploy or `kb index` would
        done = subprocess.run([sys.executable, "-m", "kb.cli", "index", "--index-dir", str(index)],
                              env={**os.environ, "KB_PRACTICES_DIR": str(records)}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        generations.add(current(index).path.name)
        time.sleep(0.3)
    # a bad record: the rebuild fails and the previous index keeps serving
    shutil.copy(FIXTURES / "bad" / "range.yaml", records / "range.yaml")
    failed = subprocess.run([sys.executable, "-m", "kb.cli", "index", "--index-dir", str(index)],
                            env={**os.environ, "KB_PRACTICES_DIR": str(records)}, capture_output=True, text=True)
    assert failed.returncode == 1 and "[range]" in failed.stdout + failed.stderr
    assert "previous index (if any) is unchanged" in failed.stdout + failed.stderr
    with pytest.raises(RecordsError):
        build(records, index)
    gen, failure = ensure(records, index)
    assert failure is not None and "range" in failure.report.render()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    assert len(generations) == 3 and current(index).path == gen.path
    assert counts["failed"] == 0, failures[:5]
    assert counts["ok"] > 20
    with urllib.request.urlopen(url + "/api/search?q=Womento1") as resp:
        assert b'"total":1' in resp.read()  # the last good build is the one serving


def test_a_short_load_run_has_no_error(live):
    _, _, url = live
    spec = importlib.util.spec_from_file_location("loadtest", ROOT / "scripts" / "loadtest.py")
    loadtest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loadtest)
    result = loadtest.run(url, clients=4, seconds=3)
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] > 0 and set(result["by_kind"]) >= {"api-search", "search-page", "practice"}


def test_the_service_writes_nothing_but_its_index(tmp_path):
    from fastapi.testclient import TestClient

    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "good", records)
    index = tmp_path / "index"
    client = TestClient(create_app(Settings(practices=records, index=index)))
    before = {p: p.stat().st_mtime for p in tmp_path.rglob("*")}
    client.post("/results", data={"ticked": ["T1-01"], "note_1": "private"})
    client.post("/checklist/download", data={"ticked": ["T1-01"]})
    client.post("/api/gaps", content=b'{"ticked": ["T1-01"]}')
    client.get("/search?q=Sampleville")
    after = {p: p.stat().st_mtime for p in tmp_path.rglob("*")}
    assert after == before
    assert not any("private" in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())


def test_served_connections_send_small_writes_at_once(monkeypatch):
    # several workers share a listening socket bound without naming TCP, on which asyncio leaves
    # Nagle's algorithm on: a response's second write would then wait 40 ms for a delayed ACK
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    from kb.web.server import NoDelayHTTPProtocol

    monkeypatch.setattr(AutoHTTPProtocol, "connection_made", lambda self, transport: None)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn binds for workers
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0

        class Transport:
            def get_extra_info(self, name, default=None):
                return accepted if name == "socket" else default

        NoDelayHTTPProtocol.__new__(NoDelayHTTPProtocol).connection_made(Transport())
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in (client, accepted, listener):
            s.close()


def test_serve_gives_workers_time_to_load_a_large_collection(monkeypatch):
    # uvicorn restarts a worker that misses its supervisor's ping (5 s by default): a worker loading
    # 100k records was restarted mid-start-up before this setting
    import kb.web.server

    seen = {}
    monkeypatch.setattr(kb.web.server.uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    kb.web.server.run("127.0.0.1", 8000, 2)
    assert seen["app"] == "kb.web.app:create_app" and seen["factory"] and seen["workers"] == 2
    assert seen["timeout_worker_healthcheck"] >= 60 and seen["http"] is kb.web.server.NoDelayHTTPProtocol
