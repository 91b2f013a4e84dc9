"""Per-document columns of an index generation: each document's id, year and facet values, written
once by the build as NumPy arrays and memory-mapped by every reader.

Layout, in document-number order::

    columns/ids.json               the record ids
    columns/year.npy               int32, 0 when unknown
    columns/values.json            {facet: [value, ...]}: each facet's values, sorted; a code is a place
    columns/<facet>.docs.npy       int32 document of each (document, value) entry
    columns/<facet>.vals.npy       int32 value code of each entry

Workers map the arrays instead of parsing them, so N workers share one copy in the page cache.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FOLDER = "columns"


@dataclass
class Facet:
    """One facet's values, as parallel arrays of (document, value code) entries."""

    values: list[str]
    codes: dict[str, int]
    docs: np.ndarray
    vals: np.ndarray


def facet_arrays(per_doc: list[list[str]]) -> Facet:
    """The entries of one facet, from each document's values."""
    values: list[str] = sorted({v for vs in per_doc for v in vs})
    codes = {v: i for i, v in enumerate(values)}
    docs = np.fromiter((d for d, vs in enumerate(per_doc) for _ in vs), dtype=np.int32)
    vals = np.fromiter((codes[v] for vs in per_doc for v in vs), dtype=np.int32)
    return Facet(values, codes, docs, vals)


@dataclass
class Table:
    """A generation's columns: ids, years and facets, in document-number order."""

    ids: list[str]
    year: np.ndarray
    facets: dict[str, Facet]

    @classmethod
    def of(cls, ids: list[str], years: list[int], facets: list[dict[str, list[str]]], names: tuple[str, ...]) -> "Table":
        """The columns of documents given one by one (their facet values as ``{facet: [values]}``)."""
        return cls(list(ids), np.asarray(years, dtype=np.int32),
                   {name: facet_arrays([doc.get(name, []) for doc in facets]) for name in names})

    @classmethod
    def updated(cls, old: "Table", ids: list[str], source: np.ndarray,
                new: dict[int, tuple[int, dict[str, list[str]]]], names: tuple[str, ...]) -> "Table":
        """The columns of an index updated in place: document ``d`` (id ``ids[d]``) is document
        ``source[d]`` of ``old`` when that is 0 or more, else ``new[d]`` (year, facet values), else a
        deleted document (no year, no values). Only values some document still has are kept."""
        source = np.asarray(source, dtype=np.int64)
        n = len(ids)
        kept = np.flatnonzero(source >= 0)
        year = np.zeros(n, dtype=np.int32)
        year[kept] = np.asarray(old.year)[source[kept]]
        for d, (y, _) in new.items():
            year[d] = y
        into = np.full(len(old.ids), -1, dtype=np.int64)  # where each old document went, -1 if gone
        into[source[kept]] = kept
        facets = {}
        for name in names:
            f = old.facets[name]
            docs = into[np.asarray(f.docs, dtype=np.int64)]
            keep = docs >= 0
            docs, old_codes = docs[keep], np.asarray(f.vals, dtype=np.int64)[keep]
            added = [(d, v) for d, (_, values) in sorted(new.items()) for v in values.get(name, [])]
            used = np.unique(old_codes)
            values = sorted({f.values[c] for c in used.tolist()} | {v for _, v in added})
            codes = {v: i for i, v in enumerate(values)}
            recode = np.full(len(f.values), -1, dtype=np.int64)
            recode[used] = [codes[f.values[c]] for c in used.tolist()]
            docs = np.concatenate([docs, np.fromiter((d for d, _ in added), dtype=np.int64, count=len(added))])
            vals = np.concatenate([recode[old_codes], np.fromiter((codes[v] for _, v in added), dtype=np.int64,
                                                                   count=len(added))])
            order = np.argsort(docs, kind="stable")  # by document, each one's values in their order
            facets[name] = Facet(values, codes, docs[order].astype(np.int32), vals[order].astype(np.int32))
        return cls(list(ids), year, facets)

    def rows(self) -> list[tuple[str, int, dict[str, list[str]]]]:
        """(id, year, {facet: values}) of every document: the inverse of ``of``."""
        per_doc: list[dict[str, list[str]]] = [{} for _ in self.ids]
        for name, f in self.facets.items():
            for doc, code in zip(f.docs.tolist(), f.vals.tolist()):
                per_doc[doc].setdefault(name, []).append(f.values[code])
        return [(i, int(y), per_doc[d]) for d, (i, y) in enumerate(zip(self.ids, self.year.tolist()))]

    def write(self, path: Path) -> None:
        """Write the columns into generation folder ``path``."""
        folder = path / FOLDER
        folder.mkdir(exist_ok=True)
        (folder / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")
        np.save(folder / "year.npy", self.year.astype(np.int32, copy=False))
        (folder / "values.json").write_text(
            json.dumps({name: f.values for name, f in self.facets.items()}, ensure_ascii=False), encoding="utf-8")
        for name, f in self.facets.items():
            np.save(folder / f"{name}.docs.npy", f.docs.astype(np.int32, copy=False))
            np.save(folder / f"{name}.vals.npy", f.vals.astype(np.int32, copy=False))

    @classmethod
    def read(cls, path: Path, names: tuple[str, ...]) -> "Table":
        """The columns of generation folder ``path``, memory-mapped; OSError or ValueError when missing
        or malformed."""
        folder = path / FOLDER
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        values = json.loads((folder / "values.json").read_text(encoding="utf-8"))
        year = np.load(folder / "year.npy", mmap_mode="r")
        facets = {}
        for name in names:
            docs = np.load(folder / f"{name}.docs.npy", mmap_mode="r")
            vals = np.load(folder / f"{name}.vals.npy", mmap_mode="r")
            if len(docs) != len(vals) or (len(docs) and int(docs.max()) >= len(ids)):
                raise ValueError(f"columns of facet {name} do not match the documents")
            facets[name] = Facet(values[name], {v: i for i, v in enumerate(values[name])}, docs, vals)
        if len(year) != len(ids) or not isinstance(ids, list):
            raise ValueError("columns do not match the documents")
        return cls(ids, year, facets)
