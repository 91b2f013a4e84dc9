"""Counts over the knowledge base, and the parts of the framework no record answers yet."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from kb.records.framework import Framework, get_framework
from kb.records.models import Practice, Reference
from kb.paths import FRAMEWORK_DIR


def known_gaps(path: Path = FRAMEWORK_DIR / "known-gaps.yaml") -> dict[str, dict[str, str]]:
    """The guide's own holes, documented: {"checklist_items": {id: why}, "success_factors": {id: why}}."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return {
        key: {entry["id"]: entry["why"]["en"] for entry in data.get(key, [])}
        for key in ("checklist_items", "success_factors")
    }


def compute(records: list[Practice | Reference], framework: Framework | None = None) -> dict:
    """Counts by kind, theme, country, success factor, dimension, target group and sector."""
    fw = framework or get_framework()
    practices = [r for r in records if r.kind == "practice"]
    references = [r for r in records if r.kind == "reference"]

    def count(values) -> dict:
        return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], str(kv[0]))))

    by_theme = {str(t.number): 0 for t in fw.themes}
    for p in practices:
        for t in p.themes:
            by_theme[str(t)] += 1
    refs_by_theme = {str(t.number): 0 for t in fw.themes}
    for r in references:
        for t in r.themes:
            refs_by_theme[str(t)] += 1
    by_factor = {sf: 0 for sf in fw.success_factors}
    by_item = {item: 0 for item in fw.checklist_items}
    by_dimension = {d.id: 0 for d in fw.grid.dimensions}
    for p in practices:
        for sf in p.success_factors:
            by_factor[sf] += 1
        for item in p.checklist_items:
            by_item[item] += 1
        for dim in p.dimensions:
            by_dimension[dim] += 1
    return {
        "practices": len(practices),
        "references": len(references),
        "countries": len({p.country for p in practices}),
        "by_kind": {"practice": len(practices), "reference": len(references)},
        "by_theme": by_theme,
        "references_by_theme": refs_by_theme,
        "by_country": count(p.country for p in practices),
        "by_success_factor": by_factor,
        "by_dimension": by_dimension,
        "by_indicator": count(e.id for p in practices for e in p.indicators),
        "by_target_group": count(g for p in practices for g in p.target_groups),
        "by_sector": count(s for p in practices for s in p.sectors),
        "by_actor_type": count(a for p in practices for a in p.actor_types),
        "by_checklist_item": by_item,
        "uncovered_checklist_items": [i for i, n in by_item.items() if n == 0],
        "uncovered_success_factors": [sf for sf, n in by_factor.items() if n == 0],
    }
