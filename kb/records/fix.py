"""`kb validate --fix`: the mechanical repairs — file name, key order, country names to codes,
YAML 1.1 booleans, whitespace, single values where lists belong, repeated values — each reported."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kb.records import countries
from kb.records.yamlsource import parse

_ORDER_NESTED = {
    "title": ["fr", "en"], "summary": ["fr", "en"], "description": ["fr", "en"],
    "source": ["document", "section", "heading"],
}
_LIST_FIELDS = {"organisations", "actor_types", "themes", "success_factors", "checklist_items", "target_groups",
                "sectors", "related", "authors"}


ORDER = {
    "practice": ["id", "kind", "title", "summary", "country", "place", "organisations", "actor_types", "year_started",
                 "themes", "success_factors", "checklist_items", "indicators", "target_groups", "sectors", "links",
                 "related", "source", "added", "last_verified"],
    "reference": ["id", "kind", "title", "authors", "publisher", "year", "links", "completed_from_link", "language",
                  "document_type", "themes", "description", "source", "added", "last_verified"],
}


class _Dumper(yaml.SafeDumper):
    """Block mappings, indented block lists, short lists on one line, long text folded."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):  # the same date twice is written twice, not as an anchor
        return True


def _str(dumper, value: str):
    style = ">" if len(value) > 90 and "\n" not in value else ("|" if "\n" in value else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper, value: list):
    flow = all(isinstance(v, (str, int)) and len(str(v)) < 50 for v in value) and len(value) <= 8
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dump(data: dict) -> str:
    """A record as canonical YAML."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def _clean(value):
    if isinstance(value, str):
        return re.sub(r"[ \t]+\n", "\n", value.replace("\t", " ")).strip()
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _ordered(data: dict, kind: str) -> dict:
    order = ORDER.get(kind, ORDER["practice"])
    out = {k: data[k] for k in order if k in data}
    out.update({k: v for k, v in data.items() if k not in out})
    for key, sub in _ORDER_NESTED.items():
        if isinstance(out.get(key), dict):
            d = out[key]
            out[key] = {**{k: d[k] for k in sub if k in d}, **{k: v for k, v in d.items() if k not in sub}}
    if isinstance(out.get("indicators"), list):
        out["indicators"] = [
            {**{k: e[k] for k in ("id", "evidence") if k in e}, **{k: v for k, v in e.items() if k not in ("id", "evidence")}}
            if isinstance(e, dict) else e for e in out["indicators"]]
        for e in out["indicators"]:
            if isinstance(e, dict) and isinstance(e.get("evidence"), dict):
                ev = e["evidence"]
                e["evidence"] = {**{k: ev[k] for k in ("fr", "en") if k in ev}, **{k: v for k, v in ev.items() if k not in ("fr", "en")}}
    if isinstance(out.get("links"), list):
        out["links"] = [{**{k: link[k] for k in ("url", "label") if k in link}, **{k: v for k, v in link.items() if k not in ("url", "label")}}
                        if isinstance(link, dict) else link for link in out["links"]]
    return out


def fix_file(path: Path) -> tuple[Path, list[str]]:
    """Repair ``path`` in place (and rename it to its id); returns the new path and what changed."""
    raw = path.read_bytes()
    parsed = parse(raw)
    if parsed.data is None or not isinstance(parsed.data, dict) or any(
        p.rule in ("yaml-syntax", "encoding") for p in parsed.problems
    ):
        return path, []  # not mechanical: the validator explains what is wrong
    changes: list[str] = []
    data = dict(parsed.data)
    for p in parsed.problems:
        if p.rule == "yaml-boolean":
            changes.append(f"{p.field}: quoted the value so that YAML reads it as text")
        if p.rule == "duplicate-key":
            changes.append(f"{p.field}: kept the first of two values given for this key")
    cleaned = _clean(data)
    if cleaned != data:
        changes.append("whitespace: trimmed spaces and tabs in text values")
        data = cleaned
    for key in _LIST_FIELDS:
        if isinstance(data.get(key), (str, int)) and not isinstance(data.get(key), bool):
            data[key] = [data[key]]
            changes.append(f"{key}: made the single value a list")
        if isinstance(data.get(key), list):
            deduped = list(dict.fromkeys(data[key]))
            if key == "themes":
                deduped = list(dict.fromkeys(int(t) if isinstance(t, str) and t.isdigit() else t for t in deduped))
            if deduped != data[key]:
                changes.append(f"{key}: removed repeated values" if len(deduped) < len(data[key]) else f"{key}: numbers as numbers")
                data[key] = deduped
    country = data.get("country")
    if isinstance(country, str) and country not in countries.codes():
        code = countries.resolve(country)
        if code:
            data["country"] = code
            changes.append(f"country: {country!r} -> {code!r}")
    kind = data.get("kind") if isinstance(data.get("kind"), str) else ("reference" if str(data.get("id", "")).startswith("ref-") else "practice")
    if kind == "reference" and isinstance(data.get("url"), str) and "links" not in data:
        # older reference files had a single `url`; a reference now has a list of links, like a practice
        data = {("links" if k == "url" else k): ([{"url": v}] if k == "url" else v) for k, v in data.items()}
        changes.append("url: moved into links (a reference now lists its addresses under links, like a practice)")
    ordered = _ordered(data, kind)
    if list(ordered) != list(data):
        changes.append("key order: put the fields in the template's order")
    text = dump(ordered)
    original = raw.decode("utf-8", errors="replace")
    if changes and text != original:
        if any(line.lstrip().startswith("#") for line in original.splitlines()):
            changes.append("comments: the file was rewritten in canonical form, so its comments were dropped")
        path.write_text(text, encoding="utf-8")
    rid = ordered.get("id")
    if isinstance(rid, str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid) and path.stem != rid:
        target = path.with_name(f"{rid}.yaml")
        if target.exists():
            changes.append(f"file name: not renamed to {target.name}, which already exists")
        else:
            path.rename(target)
            changes.append(f"file name: renamed {path.name} -> {target.name}")
            path = target
    return path, changes


__all__ = ["fix_file", "dump"]
