"""The framework as plain JSON, the shape `kb themes --json` prints and the API serves."""

from __future__ import annotations

from kb.records.framework import Framework


def framework_json(fw: Framework) -> dict:
    """Themes, general checklist, dimensions (with a flat indicator list), glossary and facets."""
    dims = []
    for d in fw.grid.dimensions:
        entry = d.model_dump(mode="json")
        entry["indicators"] = [
            {**ind.model_dump(mode="json"), "question": q.id} for q in d.questions for ind in q.indicators
        ]
        dims.append(entry)
    return {
        "themes": [t.model_dump(mode="json", exclude_none=True) for t in fw.themes],
        "general_checklist": [i.model_dump(mode="json") for i in fw.general_checklist.items],
        "dimensions": dims,
        "glossary": [g.model_dump(mode="json") for g in fw.glossary.terms],
        "facets": fw.facets.model_dump(mode="json"),
    }
