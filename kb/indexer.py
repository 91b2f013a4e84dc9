"""Building the Whoosh index from validated records, into a new generation swapped in atomically.

Layout of the index folder::

    index/CURRENT            name of the generation readers must open
    index/gen-<stamp>/       a complete index, with meta.json (fingerprint, counts), vocab.json (typo
                             vocabulary), columns/ (kb.columns) and catalogue.jsonl (kb.catalogue)
    index/.build-<stamp>/    a build in progress (ignored by readers, removed by the next build)

A build validates each record and indexes it into the new generation; if anything is invalid it
throws that generation away, raises RecordsError, and the current one keeps serving. Only a finished generation is renamed into place and named in
CURRENT (written to a temporary file, then ``os.replace``d), so readers never see half an index.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb import catalogue, countries
from kb.analysis import ANALYSIS_VERSION, english_analyzer, french_analyzer, name_analyzer, surface_words
from kb.catalogue import Brief
from kb.columns import Table
from kb.framework import Framework, get_framework
from kb.models import Practice, Reference
from kb.paths import FRAMEWORK_DIR, index_dir, practices_dir
from kb.thesaurus import get_thesaurus
from kb.validate import RecordsError, check_paths, collect

INDEX_SCHEMA_VERSION = 6
FACETS = ("theme", "country", "success_factor", "dimension", "target_group", "sector", "actor_type", "kind")
TEXT_FIELDS = ("title_fr", "title_en", "body_fr", "body_en", "names", "tags_fr", "tags_en", "synonyms")


def schema() -> Schema:
    """The index schema: bilingual text fields, a names field, facet keywords, a sortable year."""
    fr, en, names = french_analyzer(), english_analyzer(), name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        title_fr=TEXT(analyzer=fr, stored=True, field_boost=3.0),
        title_en=TEXT(analyzer=en, stored=True, field_boost=3.0),
        body_fr=TEXT(analyzer=fr, stored=True),
        body_en=TEXT(analyzer=en, stored=True),
        names=TEXT(analyzer=names, field_boost=2.0),
        tags_fr=TEXT(analyzer=fr, field_boost=0.5),
        tags_en=TEXT(analyzer=en, field_boost=0.5),
        # thesaurus groups present in the record, each as often as it occurs (title twice): kb/thesaurus.py
        synonyms=KEYWORD(commas=True, scorable=True, field_boost=0.5),
        theme=KEYWORD(commas=True),
        country=KEYWORD(commas=True),
        success_factor=KEYWORD(commas=True),
        dimension=KEYWORD(commas=True),
        target_group=KEYWORD(commas=True),
        sector=KEYWORD(commas=True),
        actor_type=KEYWORD(commas=True),
        year=NUMERIC(stored=True, sortable=True, signed=False),
        facets=STORED(),
        record=STORED(),
    )


def facet_values(record: Practice | Reference) -> dict[str, list[str]]:
    """The facet values of a record (or its brief), as the search filters and counts see them."""
    if record.kind == "practice":
        return {
            "kind": ["practice"],
            "theme": [str(t) for t in record.themes],
            "country": [record.country],
            "success_factor": list(record.success_factors),
            "dimension": list(record.dimensions),
            "target_group": list(record.target_groups),
            "sector": list(record.sectors),
            "actor_type": list(record.actor_types),
        }
    return {
        "kind": ["reference"],
        "theme": [str(t) for t in record.themes],
        "country": [],
        "success_factor": [],
        "dimension": [],
        "target_group": [],
        "sector": [],
        "actor_type": [],
    }


def document(record: Practice | Reference, framework: Framework | None = None) -> dict:
    """The Whoosh document for a record (a pure function of the record)."""
    fw = framework or get_framework()
    facets = facet_values(record)
    if record.kind == "practice":
        title_fr, title_en = record.title.fr, record.title.en
        body_fr = " ".join([record.summary.fr, *(e.evidence.fr for e in record.indicators)])
        body_en = " ".join([record.summary.en, *(e.evidence.en for e in record.indicators)])
        names = [*record.organisations, record.place or "", countries.name(record.country, "fr"),
                 countries.name(record.country, "en"), record.country]
        year = record.year_started
    else:
        title_fr = title_en = record.title
        body_fr, body_en = record.description.fr, record.description.en
        names = [record.publisher, *record.authors, record.title]
        year = record.year
    tags_fr, tags_en = _tag_names(facets, fw)
    doc = {
        "id": record.id,
        "kind": facets["kind"][0],
        "title_fr": title_fr,
        "title_en": title_en,
        "body_fr": body_fr,
        "body_en": body_en,
        "names": " ".join(n for n in names if n),
        "tags_fr": tags_fr,
        "tags_en": tags_en,
        "year": year or 0,
        "facets": facets,
        "record": record.model_dump(mode="json", exclude_none=True),
    }
    for name in FACETS:
        if name != "kind" and facets[name]:
            doc[name] = ",".join(facets[name])
    from kb.thesaurus import get_thesaurus

    groups = get_thesaurus().group_counts(f"{title_fr} {title_fr} {body_fr} {tags_fr}",
                                          f"{title_en} {title_en} {body_en} {tags_en}")
    if groups:
        doc["synonyms"] = ",".join(f"g{n}" for n, count in sorted(groups.items()) for _ in range(count))
    return doc


def _tag_names(facets: dict[str, list[str]], fw: Framework) -> tuple[str, str]:
    """The names of a record's sectors, target groups, actor types and success factors, per language."""
    terms = []
    for facet, vocab in (("sector", "sectors"), ("target_group", "target_groups"), ("actor_type", "actor_types")):
        names = fw.facet(vocab)
        terms += [names[v].name for v in facets[facet]]
    terms += [fw.success_factors[sf][1].name for sf in facets["success_factor"]]
    return " ; ".join(t.fr for t in terms), " ; ".join(t.en for t in terms)


def fingerprint(records_dir: Path) -> str:
    """A hash of everything the index is built from: records, framework, analysis and schema versions."""
    h = hashlib.sha256(f"analysis={ANALYSIS_VERSION};schema={INDEX_SCHEMA_VERSION}".encode())
    for base in (records_dir, FRAMEWORK_DIR):  # the thesaurus is in framework/: it shapes the index too
        for path in sorted(base.rglob("*.yaml")):
            h.update(str(path.relative_to(base)).encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass
class Generation:
    """A complete index generation on disk."""

    path: Path
    meta: dict


def current(directory: Path | None = None) -> Generation | None:
    """The generation readers should open, or None when there is no index yet."""
    directory = directory or index_dir()
    try:
        name = (directory / "CURRENT").read_text(encoding="utf-8").strip()
        path = directory / name
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Generation(path, meta)


def is_fresh(records_dir: Path | None = None, directory: Path | None = None) -> bool:
    """Whether the current index was built from exactly these records and this code."""
    gen = current(directory)
    return gen is not None and gen.meta.get("fingerprint") == fingerprint(records_dir or practices_dir())


def read_columns(path: Path, searcher) -> Table:
    """Each document's id, year and facet values, in document-number order: the columns the build wrote
    beside the index (memory-mapped; checked against the index), else read from the stored fields."""
    n = searcher.reader().doc_count_all()
    try:
        table = Table.read(path, FACETS)
        if len(table.ids) == n and all(searcher.stored_fields(d)["id"] == table.ids[d] for d in {0, n // 2, n - 1} if n):
            return table
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    ids, years, facets = [""] * n, [0] * n, [{} for _ in range(n)]
    for docnum, stored in searcher.reader().iter_docs():
        ids[docnum], years[docnum], facets[docnum] = stored["id"], stored.get("year") or 0, stored["facets"]
    return Table.of(ids, years, facets, FACETS)


@contextmanager
def _lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


WRITER_LIMIT_MB = 128  # postings buffered before the writer spills a sorted run to disk


def build(
    records_dir: Path | None = None,
    directory: Path | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> Generation:
    """Validate the records and build a new generation; RecordsError (old index untouched) if invalid.

    Each record is indexed as soon as it validates and only a brief of it is kept, so memory is
    bounded by the writer's buffer, not by the size of the collection; when any record is invalid
    the half-built generation is thrown away and the current one keeps serving. Large collections
    are read, validated and turned into documents by worker processes (``processes``, default one
    per core) while this process indexes, in the files' order."""
    records_dir = records_dir or practices_dir()
    directory = directory or index_dir()
    stamp = fingerprint(records_dir)
    total = len(collect([records_dir]))
    with _lock(directory):
        for stale in directory.glob(".build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        tmp = directory / f".build-{name}"
        tmp.mkdir()
        try:
            ix = whoosh_index.create_in(str(tmp), schema())
            # segment files kept apart: Whoosh copies a compound segment file into each reader's memory,
            # while separate files are read through the page cache that every worker shares
            writer = ix.writer(limitmb=WRITER_LIMIT_MB, compound=False)
            vocab: set[str] = set()
            kinds: Counter = Counter()
            get_framework(), get_thesaurus()  # loaded before any worker process forks
            ids: list[str] = []
            years: list[int] = []
            facets: list[dict[str, list[str]]] = []
            briefs: list[Brief] = []
            try:
                def add(prepared: tuple[dict, Brief, set[str]]) -> None:
                    doc, brief, words = prepared
                    writer.add_document(**doc)
                    ids.append(doc["id"])
                    years.append(doc["year"])
                    facets.append(doc["facets"])
                    briefs.append(brief)
                    vocab.update(words)
                    kinds[doc["kind"]] += 1
                    if progress:
                        progress(sum(kinds.values()), total)

                report = check_paths([records_dir], collection=records_dir, each=add, prepare=_prepare,
                                     processes=(os.cpu_count() or 1) if processes is None else processes)
                if not report.ok:
                    raise RecordsError(report)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            Table.of(ids, years, facets, FACETS).write(tmp)
            catalogue.write(tmp, briefs)
            meta = {
                "fingerprint": stamp,
                "analysis_version": ANALYSIS_VERSION,
                "schema_version": INDEX_SCHEMA_VERSION,
                "records": sum(kinds.values()),
                "practices": kinds["practice"],
                "references": kinds["reference"],
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            (tmp / "vocab.json").write_text(json.dumps(sorted(vocab), ensure_ascii=False), encoding="utf-8")
            (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
            final = directory / f"gen-{name}"
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        pointer = directory / ".CURRENT.tmp"
        pointer.write_text(final.name + "\n", encoding="utf-8")
        os.replace(pointer, directory / "CURRENT")
        _prune(directory, keep={final.name})
        return Generation(final, meta)


def _prepare(record: Practice | Reference) -> tuple[dict, Brief, set[str]]:
    """What indexing a record needs, made where it was validated: the document, its brief for the
    catalogue, its words for the typo vocabulary."""
    doc = document(record)
    words: set[str] = set()
    for key in ("title_fr", "title_en", "body_fr", "body_en", "names", "tags_fr", "tags_en"):
        words |= surface_words(doc[key])
    return doc, Brief.of(record), words


PRUNE_AFTER_S = 600  # a superseded generation stays this long, for worker processes yet to refresh


def _prune(directory: Path, keep: set[str]) -> None:
    """Remove old generations: all but the newest two, once superseded for PRUNE_AFTER_S seconds."""
    gens = sorted((p for p in directory.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    now = time.time()
    for old in gens[:-2]:
        if old.name not in keep and now - old.stat().st_mtime > PRUNE_AFTER_S:
            shutil.rmtree(old, ignore_errors=True)


def ensure(records_dir: Path | None = None, directory: Path | None = None) -> tuple[Generation, RecordsError | None]:
    """An index built from the current records: rebuilt when stale. When a rebuild fails but an older
    index exists, that one keeps serving and the error is returned beside it."""
    records_dir = records_dir or practices_dir()
    directory = directory or index_dir()
    gen = current(directory)
    if gen is not None and gen.meta.get("fingerprint") == fingerprint(records_dir):
        return gen, None
    try:
        return build(records_dir, directory), None
    except RecordsError as exc:
        if gen is None:
            raise
        return gen, exc
