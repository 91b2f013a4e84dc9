"""`kb links`: every web address in the records, checked offline for its form and, on request, online
(with a timeout and one retry) for dead or moved links. Known false alarms go in links-allowlist.txt."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kb.paths import ROOT
from kb.records.validate import check_paths
from kb.records.yamlsource import Parsed

ALLOWLIST = ROOT / "links-allowlist.txt"
USER_AGENT = "integration-practices-kb link check (+https://github.com/)"


@dataclass
class Link:
    url: str
    where: list[str] = field(default_factory=list)  # "path:line" of each use
    status: str = "ok"  # ok | malformed | dead | moved | allowlisted | unchecked
    detail: str = ""


def _offline(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "not an http(s) address"
    if "." not in parts.netloc or any(c.isspace() for c in url):
        return "no host, or spaces in the address"
    if url.endswith((".pdf/", ".html/")):
        return None  # odd but some servers want it; the online check decides
    return None


def collect_links(paths: list[Path]) -> tuple[list[Link], int]:
    """Every distinct URL in the records under ``paths``, with where it is used."""
    report = check_paths(paths)
    links: dict[str, Link] = {}

    def add(url: str, parsed: Parsed, loc: tuple, display: str) -> None:
        line, _ = parsed.position(loc)
        links.setdefault(url, Link(url)).where.append(f"{display}:{line}")

    for f in report.files:
        data = f.data or {}
        for i, link in enumerate(data.get("links") or []):
            if isinstance(link, dict) and isinstance(link.get("url"), str):
                add(link["url"], f.parsed, ("links", i, "url"), f.display)
    for link in links.values():
        problem = _offline(link.url)
        if problem:
            link.status, link.detail = "malformed", problem
        else:
            link.status = "unchecked"
    return sorted(links.values(), key=lambda item: item.url), len(report.files)


def read_allowlist(path: Path = ALLOWLIST) -> list[str]:
    if not path.exists():
        return []
    return [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.split("#", 1)[0].strip()]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _fetch(url: str, timeout: float) -> tuple[int | None, str]:
    """(status, location or error) of one request, HEAD first then GET when HEAD is refused."""
    opener = urllib.request.build_opener(_NoRedirect)
    last = (None, "")
    for method in ("HEAD", "GET"):
        req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with opener.open(req, timeout=timeout) as resp:
                return resp.status, ""
        except urllib.error.HTTPError as exc:
            last = (exc.code, exc.headers.get("Location") or "")
            if exc.code in (301, 302, 303, 307, 308) or exc.code in (404, 410):
                return last
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            last = (None, str(getattr(exc, "reason", exc)))
    return last


def check_online(link: Link, timeout: float = 10.0) -> Link:
    for attempt in range(2):  # one retry for passing faults
        status, info = _fetch(link.url, timeout)
        if status is not None and status < 500:
            break
    if status is not None and 200 <= status < 300:
        link.status = "ok"
    elif status in (301, 308):
        link.status, link.detail = "moved", f"{status} -> {info}"
    elif status in (302, 303, 307):
        link.status, link.detail = "ok", f"{status} (temporary redirect)"
    elif status is None:
        link.status, link.detail = "dead", info or "no answer"
    else:
        link.status, link.detail = "dead", f"HTTP {status}"
    return link


def check(paths: list[Path], *, online: bool = False, allowlist: list[str] = (), timeout: float = 10.0,
          workers: int = 8) -> tuple[list[Link], int]:
    links, files = collect_links(paths)
    todo = []
    for link in links:
        if any(link.url.startswith(prefix) for prefix in allowlist):
            link.status = "allowlisted"
        elif link.status == "unchecked":
            if online:
                todo.append(link)
            else:
                link.status = "ok"
    if todo:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda item: check_online(item, timeout), todo))
    return links, files
