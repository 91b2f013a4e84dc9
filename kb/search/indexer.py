"""Building the Whoosh index from validated records, into a new generation swapped in atomically.

Layout of the index folder::

    index/CURRENT            name of the generation readers must open
    index/gen-<stamp>/       a complete index, with meta.json (fingerprint, counts, how it was built),
                             manifest.json (size, mtime and SHA-256 of each record file), vocab.json
                             (typo vocabulary) and vocab-counts.json (how many records hold each word),
                             columns/ (kb.search.columns) and catalogue.jsonl (kb.search.catalogue)
    index/.build-<stamp>/    a build in progress (ignored by readers, removed by the next build)

A build validates each record and indexes it into the new generation; if anything is invalid it
throws that generation away, raises RecordsError, and the current one keeps serving. Only a finished generation is renamed into place and named in
CURRENT (written to a temporary file, then ``os.replace``d), so readers never see half an index.

When a current generation exists and was built by this schema and analysis from the same framework
files, a build updates it instead of starting over: the new generation hard-links the current one's
Whoosh files (Whoosh never rewrites a segment file: a commit writes new segments and a new table of
contents, which records the deletions), deletes the documents of changed and removed record files,
adds those of changed and added ones, and derives its columns, catalogue and vocabulary from the
current generation's. Which files changed is read from the manifest: files are listed and stat'ed,
and only those whose size or mtime differs are read and hashed - the freshness check
(``is_fresh``, ``ensure``) costs a directory listing, not a read of every record.
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
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.search import catalogue

from kb.records import countries
from kb.search.analysis import ANALYSIS_VERSION, english_analyzer, french_analyzer, name_analyzer, surface_words
from kb.search.catalogue import Brief
from kb.search.columns import Table
from kb.records.framework import Framework, get_framework
from kb.paths import FRAMEWORK_DIR, index_dir, practices_dir
from kb.search.postings import deleted_docs
from kb.search.thesaurus import get_thesaurus

if TYPE_CHECKING:  # the models and the validator are imported by a build, not by every search
    from kb.records.models import Practice, Reference
    from kb.records.validate import Problem, RecordsError, Report

INDEX_SCHEMA_VERSION = 8  # 7: the id field is sortable (its column gives each document's id in bulk); 8: titles and bodies stored once, in the record
FACETS = ("theme", "country", "success_factor", "dimension", "target_group", "sector", "actor_type", "kind")
TEXT_FIELDS = ("title_fr", "title_en", "body_fr", "body_en", "names", "tags_fr", "tags_en", "synonyms")


def schema() -> Schema:
    """The index schema: bilingual text fields, a names field, facet keywords, a sortable year."""
    fr, en, names = french_analyzer(), english_analyzer(), name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        kind=ID(stored=True),
        # titles and bodies are not stored apart: the stored record holds them (``field_text``)
        title_fr=TEXT(analyzer=fr, field_boost=3.0),
        title_en=TEXT(analyzer=en, field_boost=3.0),
        body_fr=TEXT(analyzer=fr),
        body_en=TEXT(analyzer=en),
        names=TEXT(analyzer=names, field_boost=2.0),
        tags_fr=TEXT(analyzer=fr, field_boost=0.5),
        tags_en=TEXT(analyzer=en, field_boost=0.5),
        # thesaurus groups present in the record, each as often as it occurs (title twice): kb/search/thesaurus.py
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


def field_text(rec: dict, field: str) -> str:
    """The text of field ``title_fr``, ``title_en``, ``body_fr`` or ``body_en`` of a record given as its
    stored JSON: a practice's body is its summary and evidence lines, a reference's its description."""
    lang = field[-2:]
    if field.startswith("title_"):
        return rec["title"][lang] if isinstance(rec["title"], dict) else rec["title"]
    if rec["kind"] == "practice":
        return " ".join([rec["summary"][lang], *(e["evidence"][lang] for e in rec.get("indicators", []))])
    return rec["description"][lang]


def document(record: Practice | Reference, framework: Framework | None = None) -> dict:
    """The Whoosh document for a record (a pure function of the record)."""
    fw = framework or get_framework()
    facets = facet_values(record)
    stored = record.model_dump(mode="json", exclude_none=True)
    title_fr, title_en, body_fr, body_en = (field_text(stored, f) for f in ("title_fr", "title_en", "body_fr", "body_en"))
    if record.kind == "practice":
        names = [*record.organisations, record.place or "", countries.name(record.country, "fr"),
                 countries.name(record.country, "en"), record.country]
        year = record.year_started
    else:
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
        "record": stored,
    }
    for name in FACETS:
        if name != "kind" and facets[name]:
            doc[name] = ",".join(facets[name])
    from kb.search.thesaurus import get_thesaurus

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


MANIFEST = "manifest.json"
VOCAB_COUNTS = "vocab-counts.json"
# a file modified this close to the scan that recorded it may have changed again within the same mtime
# tick: it is hashed at every check (as git treats "racily clean" files)
RACY_NS = 2_000_000_000


def framework_hash() -> str:
    """A hash of the framework files: the vocabularies, tag names and thesaurus the documents are made
    with (a change means a full rebuild)."""
    h = hashlib.sha256()
    for path in sorted(FRAMEWORK_DIR.rglob("*.yaml")):
        h.update(str(path.relative_to(FRAMEWORK_DIR)).encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def listing(records_dir: Path) -> list[tuple[str, int, int]]:
    """(path relative to ``records_dir``, size, mtime in ns) of each record file, the files and their
    order being those of ``kb.records.validate.collect`` (one ``scandir`` per folder, one ``stat`` per file)."""
    found: list[tuple[tuple[str, ...], int, int]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_dir() and not entry.is_symlink():  # as Path.rglob: symlinked folders not entered
                        walk(entry.path, (*parts, entry.name))
                    elif os.path.splitext(entry.name)[1] in (".yaml", ".yml") and not entry.name.startswith(".") \
                            and entry.is_file():
                        st = entry.stat()
                        found.append(((*parts, entry.name), st.st_size, st.st_mtime_ns))
                except OSError:
                    continue

    if records_dir.is_dir():
        walk(str(records_dir), ())
    found.sort(key=lambda f: f[0])  # Path order: part by part
    return [("/".join(parts), size, mtime) for parts, size, mtime in found]


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class Changes:
    """The record files now (``files``: relative path -> [size, mtime_ns, sha256], in the build's
    order) and how they differ from a generation's manifest."""

    files: dict[str, list]
    scanned_ns: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def none(self) -> bool:
        return not (self.added or self.changed or self.removed)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def scan(records_dir: Path, manifest: dict | None = None) -> Changes:
    """The record files and their changes since ``manifest``: a file whose size and mtime are those the
    manifest recorded is taken as unchanged without being read; any other is hashed."""
    now = time.time_ns()
    old: dict[str, list] = (manifest or {}).get("files", {})
    racy = (manifest or {}).get("scanned_ns", 0) - RACY_NS
    files: dict[str, list] = {}
    for rel, size, mtime in listing(records_dir):
        prev = old.get(rel)
        if prev is not None and prev[0] == size and prev[1] == mtime and mtime < racy:
            files[rel] = prev
        else:
            files[rel] = [size, mtime, _sha256(records_dir / rel)]
    changes = Changes(files, now)
    changes.added = [rel for rel in files if rel not in old]
    changes.changed = [rel for rel, entry in files.items() if rel in old and (entry[2] is None or entry[2] != old[rel][2])]
    changes.removed = [rel for rel in old if rel not in files]
    return changes


def _fingerprint(files: dict[str, list], framework: str) -> str:
    h = hashlib.sha256(f"analysis={ANALYSIS_VERSION};schema={INDEX_SCHEMA_VERSION};framework={framework}".encode())
    for rel, entry in files.items():
        h.update(f"{rel}\0{entry[2]}\0".encode())
    return h.hexdigest()


def fingerprint(records_dir: Path) -> str:
    """A hash of everything the index is built from: records, framework, analysis and schema versions."""
    return _fingerprint(scan(records_dir).files, framework_hash())


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


@dataclass
class Plan:
    """What a build of ``records_dir`` into an index folder has to do: update ``generation`` with
    ``changes``, or rebuild everything (``changes`` None) for ``reason``."""

    generation: Generation | None
    changes: Changes | None
    reason: str | None = None
    framework: str = ""
    manifest: dict[str, list] | None = None  # the generation's manifest: relative path -> size, mtime, sha256

    @property
    def fresh(self) -> bool:
        return self.changes is not None and self.changes.none


def plan(records_dir: Path | None = None, directory: Path | None = None, *, full: bool = False) -> Plan:
    """Whether the current generation can be updated, and with which changes; a full rebuild (and why)
    when there is none, when it was built by another schema or analysis or from other framework files,
    or when its manifest cannot be read."""
    records_dir = records_dir or practices_dir()
    gen = current(directory or index_dir())
    framework = framework_hash()
    if gen is None:
        return Plan(None, None, "no index yet", framework)
    meta = gen.meta
    if full:
        reason = "asked for"
    elif meta.get("schema_version") != INDEX_SCHEMA_VERSION:
        reason = "index schema changed"
    elif meta.get("analysis_version") != ANALYSIS_VERSION:
        reason = "analysis changed"
    elif meta.get("framework") != framework:
        reason = "framework changed"
    else:
        try:
            manifest = json.loads((gen.path / MANIFEST).read_text(encoding="utf-8"))
            files = manifest["files"]
            if not isinstance(manifest["scanned_ns"], int) or not all(
                    isinstance(v, list) and len(v) == 3 for v in files.values()):
                raise ValueError("malformed manifest")
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            return Plan(gen, None, "the index has no readable manifest", framework)
        return Plan(gen, scan(records_dir, manifest), None, framework, manifest["files"])
    return Plan(gen, None, reason, framework)


def is_fresh(records_dir: Path | None = None, directory: Path | None = None) -> bool:
    """Whether the current index was built from exactly these records and this code (record files are
    stat'ed; only those whose size or mtime changed since the build are read)."""
    return plan(records_dir, directory).fresh


def read_columns(path: Path, searcher) -> Table:
    """Each document's id, year and facet values, in document-number order: the columns the build wrote
    beside the index (memory-mapped; checked against the index), else read from the stored fields.
    A deleted document (an index updated in place keeps them until a merge) has no id, year or values."""
    reader = searcher.reader()
    n = reader.doc_count_all()

    def stored_id(d: int) -> str:
        return "" if reader.is_deleted(d) else searcher.stored_fields(d)["id"]

    try:
        table = Table.read(path, FACETS)
        if len(table.ids) == n and all(stored_id(d) == table.ids[d] for d in {0, n // 2, n - 1} if n):
            return table
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    ids, years, facets = [""] * n, [0] * n, [{} for _ in range(n)]
    for docnum, stored in reader.iter_docs():
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


WRITER_LIMIT_MB = 128  # postings buffered before the writer spills a sorted run to disk (shared by its processes)
WRITER_PROCS_FROM = 2000  # records from which a full build indexes in two processes (Whoosh's MpWriter)
WRITER_BATCH = 100  # documents handed to a writer process at a time
MANY_CHANGES = 200  # more changed files than this and than half the records: a full rebuild
MAX_DELETED_SHARE = 0.2  # deleted documents kept in the segments, at most, as a share of all documents
FEW_DELETED = 50  # ... or this many, whatever the share
SMALL_SEGMENTS = 8  # small segments (under an eighth of the documents) left unmerged, at most


def build(
    records_dir: Path | None = None,
    directory: Path | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
    full: bool = False,
    stale_only: bool = False,
) -> Generation:
    """Validate the records and build a new generation; RecordsError (old index untouched) if invalid.

    The current generation is updated with the record files added, changed and removed since it was
    built when it can be (see ``plan``; not with ``full``), else everything is rebuilt. Either way the
    result is the same index: the same searches give the same results, scores and counts. The
    generation's meta.json says which it was ("built": "incremental" or "full", with the reason) and
    how many files were added, changed and removed. With ``stale_only``, an index found up to date
    once the build holds the lock (another process built it meanwhile) is returned as it is."""
    from kb.records.validate import RecordsError

    records_dir = records_dir or practices_dir()
    directory = directory or index_dir()
    processes = (os.cpu_count() or 1) if processes is None else processes
    with _lock(directory):
        for stale in directory.glob(".build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        todo = plan(records_dir, directory, full=full)
        if stale_only and todo.fresh:
            return todo.generation
        reason = todo.reason
        if todo.changes is not None:
            reason = _too_much(todo)
            if reason is None:
                try:
                    return _update(records_dir, directory, todo, progress, processes)
                except RecordsError:
                    raise
                except Exception as exc:  # anything unreadable in the current generation: start over
                    reason = f"the current index could not be updated ({type(exc).__name__}: {exc})"
        return _full(records_dir, directory, reason or "asked for", todo, progress, processes)


def _too_much(todo: Plan) -> str | None:
    """Why updating the current generation would cost more than rebuilding it, if it would."""
    changes, meta = todo.changes, todo.generation.meta
    if changes.count > max(MANY_CHANGES, len(changes.files) / 2):
        return "most records changed"
    documents = meta.get("documents", meta.get("records", 0)) + len(changes.added) + len(changes.changed)
    deleted = meta.get("documents", 0) - meta.get("records", 0) + len(changes.changed) + len(changes.removed)
    if deleted > max(FEW_DELETED, MAX_DELETED_SHARE * documents):
        return "too many deleted documents"
    return None


def _new_name() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"


def _full(records_dir: Path, directory: Path, reason: str, todo: Plan, progress, processes: int) -> Generation:
    """A full build: every record validated and indexed into an empty generation.

    Each record is indexed as soon as it validates and only a brief of it is kept, so memory is
    bounded by the writer's buffer, not by the size of the collection. Large collections are read,
    validated and turned into documents by worker processes (``processes``) while this process
    indexes, in the files' order."""
    from kb.records.validate import RecordsError, check_paths

    changes = scan(records_dir)  # every file read and hashed: the manifest of the new generation
    total = len(changes.files)
    name = _new_name()
    tmp = directory / f".build-{name}"
    tmp.mkdir()
    try:
        ix = whoosh_index.create_in(str(tmp), schema())
        # segment files kept apart: Whoosh copies a compound segment file into each reader's memory,
        # while separate files are read through the page cache that every worker shares. A large
        # collection is indexed by two processes, each writing its own segment (kept, not merged)
        procs = 2 if processes > 1 and total >= WRITER_PROCS_FROM else 1
        options = {"procs": procs, "multisegment": True, "batchsize": WRITER_BATCH} if procs > 1 else {}
        writer = ix.writer(limitmb=WRITER_LIMIT_MB // procs, compound=False, **options)
        vocab: Counter = Counter()
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
                                 processes=processes)
            if not report.ok:
                raise RecordsError(report)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        with whoosh_index.open_dir(str(tmp)).reader() as reader:  # documents in index order
            row = {rid: i for i, rid in enumerate(ids)}
            order = [row[rid] for rid in reader.column_reader("id")]
        Table.of([ids[i] for i in order], [years[i] for i in order], [facets[i] for i in order], FACETS).write(tmp)
        catalogue.write(tmp, briefs)
        if todo.changes is not None:  # the changes were known, but too many or the index not updatable
            counts = (len(todo.changes.added), len(todo.changes.changed), len(todo.changes.removed))
        else:
            counts = (len(ids), 0, 0) if todo.generation is None else None
        meta = _meta(changes, todo.framework, kinds, len(ids), "full", reason=reason, counts=counts)
        final = _complete(tmp, directory / f"gen-{name}", changes, vocab, meta)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _publish(directory, final, meta)


def _meta(changes: Changes, framework: str, kinds: Counter, documents: int, built: str, *,
          reason: str | None = None, counts: tuple[int, int, int] | None = None) -> dict:
    meta = {
        "fingerprint": _fingerprint(changes.files, framework),
        "analysis_version": ANALYSIS_VERSION,
        "schema_version": INDEX_SCHEMA_VERSION,
        "framework": framework,
        "records": kinds["practice"] + kinds["reference"],
        "practices": kinds["practice"],
        "references": kinds["reference"],
        "documents": documents,  # with the deleted ones the segments still hold
        "built": built,
    }
    if reason:
        meta["reason"] = reason
    if counts is not None:
        meta["added"], meta["changed"], meta["removed"] = counts
    meta["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return meta


def _complete(tmp: Path, final: Path, changes: Changes, vocab: Counter, meta: dict) -> Path:
    """The derived files written, the build folder renamed to ``final`` (readers see it once
    ``_publish`` names it in CURRENT)."""
    _write_derived(tmp, changes, vocab, meta)
    os.rename(tmp, final)
    return final


def _write_derived(tmp: Path, changes: Changes, vocab: Counter, meta: dict) -> None:
    """The typo vocabulary (and how many records hold each word), the manifest and meta.json."""
    words = sorted(w for w, n in vocab.items() if n > 0)
    (tmp / "vocab.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    (tmp / VOCAB_COUNTS).write_text(json.dumps({w: vocab[w] for w in words}, ensure_ascii=False), encoding="utf-8")
    (tmp / MANIFEST).write_text(json.dumps({"scanned_ns": changes.scanned_ns, "files": changes.files}), encoding="utf-8")
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def _publish(directory: Path, final: Path, meta: dict) -> Generation:
    """Name ``final`` in CURRENT (atomically) and prune old generations."""
    pointer = directory / ".CURRENT.tmp"
    pointer.write_text(final.name + "\n", encoding="utf-8")
    os.replace(pointer, directory / "CURRENT")
    _prune(directory, keep={final.name})
    return Generation(final, meta)


def _prepare(record: Practice | Reference) -> tuple[dict, Brief, set[str]]:
    """What indexing a record needs, made where it was validated: the document, its brief for the
    catalogue, its words for the typo vocabulary."""
    doc = document(record)
    return doc, Brief.of(record), _words(doc)


def _words(doc: dict) -> set[str]:
    """A document's words for the typo vocabulary."""
    words: set[str] = set()
    for key in ("title_fr", "title_en", "body_fr", "body_en", "names", "tags_fr", "tags_en"):
        words |= surface_words(doc[key])
    return words


# -- updating a generation in place ---------------------------------------------------------------

_WHOOSH_FILE = ("MAIN_", "_MAIN_")  # segment files and tables of contents of the index named MAIN
_COLLECTION_RULES = {"duplicate-id", "related"}  # checked here over the whole collection


def _link_index(source: Path, target: Path) -> None:
    """Hard-link (else copy) the Whoosh files of generation ``source`` into ``target``: segment files and
    tables of contents, never the lock, the book or the other files derived from the index."""
    for path in source.iterdir():
        if path.name.startswith(_WHOOSH_FILE) and path.name != "MAIN_WRITELOCK" and path.is_file():
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)


def _merge_small(writer, segments):
    """Whoosh merge policy: segments with no live document dropped; the small ones (under an eighth of
    the documents) merged into the new segment once there are more than SMALL_SEGMENTS of them."""
    from whoosh.reading import SegmentReader

    segments = [s for s in segments if s.doc_count() > 0]
    total = sum(s.doc_count_all() for s in segments)
    small = [s for s in segments if s.doc_count_all() * 8 < total]
    if len(small) <= SMALL_SEGMENTS:
        return segments
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


class _Unusable(Exception):
    """The current generation cannot be updated (its files do not agree): rebuild it."""


def _update(records_dir: Path, directory: Path, todo: Plan, progress, processes: int) -> Generation:
    """A new generation: the current one with the documents of changed and removed files deleted and
    those of changed and added files added (validated as a full build validates them)."""
    from kb.records.models import KINDS
    from kb.records.validate import RecordsError, Report, check_paths

    gen, changes = todo.generation, todo.changes
    old_rels = list(todo.manifest)
    lines = catalogue.read_lines(gen.path)
    if len(lines) != len(old_rels):
        raise _Unusable("the catalogue does not match the manifest")
    line_of: dict[str, str] = {}
    for rel, line in zip(old_rels, lines):
        if not line.startswith(catalogue.prefix(PurePosixPath(rel).stem)):
            raise _Unusable(f"the catalogue does not match the manifest at {rel}")
        line_of[rel] = line
    vocab = Counter(json.loads((gen.path / VOCAB_COUNTS).read_text(encoding="utf-8")))
    old_table = Table.read(gen.path, FACETS)
    gone = [PurePosixPath(rel).stem for rel in changes.changed + changes.removed]
    kinds = Counter(practice=gen.meta["practices"], reference=gen.meta["references"])
    get_framework(), get_thesaurus()  # loaded before any worker process forks

    name = _new_name()
    tmp = directory / f".build-{name}"
    tmp.mkdir()
    try:
        _link_index(gen.path, tmp)
        ix = whoosh_index.open_dir(str(tmp))
        with ix.reader() as reader:
            if reader.doc_count_all() != len(old_table.ids):
                raise _Unusable("the columns do not match the index")
            old_doc = {rid: d for d, rid in enumerate(old_table.ids) if rid}
            for rid in gone:  # the words and kind of each record going away, from its stored copy
                stored = reader.stored_fields(old_doc[rid])["record"]
                record = KINDS[stored["kind"]].model_validate(stored)
                vocab.subtract(_words(document(record)))
                kinds[record.kind] -= 1
        writer = ix.writer(limitmb=WRITER_LIMIT_MB, compound=False)
        new: dict[str, tuple[dict, Brief]] = {}
        try:
            for rid in gone:
                writer.delete_by_term("id", rid)

            def add(prepared: tuple[dict, Brief, set[str]]) -> None:
                doc, brief, words = prepared
                writer.add_document(**doc)
                new[doc["id"]] = (doc, brief)
                vocab.update(words)
                kinds[doc["kind"]] += 1
                if progress:
                    progress(len(new), len(changes.added) + len(changes.changed))

            checked = set(changes.added) | set(changes.changed)
            paths = [records_dir / rel for rel in changes.files if rel in checked]
            # the collection given is no folder: the checks over the whole collection are made below,
            # from the manifest and the catalogue, instead of reading every record file again
            report = check_paths(paths, collection=tmp / "no-collection", each=add, prepare=_prepare,
                                 processes=processes)
            problems = [p for p in report.problems if p.rule not in _COLLECTION_RULES]
            problems += _collection_problems(report, records_dir, changes, line_of)
            if any(p.severity == "error" for p in problems):
                problems += _near_duplicates_of_unchanged(report, records_dir, changes, line_of)
                problems.sort(key=lambda p: (p.path, p.line, p.column, p.rule))
                raise RecordsError(Report(report.files, problems))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=_merge_small)

        ix = whoosh_index.open_dir(str(tmp))
        with ix.reader() as reader:
            n = reader.doc_count_all()
            deleted = set(deleted_docs(reader))
            ids = ["" if d in deleted else rid for d, rid in enumerate(reader.column_reader("id"))]
        source = np.full(n, -1, dtype=np.int64)
        added: dict[int, tuple[int, dict[str, list[str]]]] = {}
        for d, rid in enumerate(ids):
            if not rid:
                continue
            if rid in new:
                doc = new[rid][0]
                added[d] = (doc["year"], doc["facets"])
            else:
                source[d] = old_doc[rid]
        live_ids = [rid for rid in ids if rid]
        if len(live_ids) != len(changes.files) or len(set(live_ids)) != len(live_ids):
            raise _Unusable("the updated index does not hold one document per record file")
        Table.updated(old_table, ids, source, added, FACETS).write(tmp)
        catalogue.write_lines(tmp, (catalogue.line(new[stem][1]) if (stem := PurePosixPath(rel).stem) in new
                                    else line_of[rel] for rel in changes.files))
        meta = _meta(changes, todo.framework, kinds, n, "incremental",
                     counts=(len(changes.added), len(changes.changed), len(changes.removed)))
        final = _complete(tmp, directory / f"gen-{name}", changes, vocab, meta)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _publish(directory, final, meta)


def _collection_problems(report: Report, records_dir: Path, changes: Changes, line_of: dict[str, str]) -> list[Problem]:
    """The checks ``kb.records.validate`` makes over the whole collection (duplicate ids, related ids that must
    exist), for the files just checked against the whole collection, and for the unchanged files that
    name a removed record: the problems a full build would report."""
    from kb.records.validate import Problem, _closest, _display, check_file

    checked = {f.path: f for f in report.files}
    problems: list[Problem] = []
    by_id: dict[str, str] = {}  # id -> display of its first file, in the build's order
    for rel in changes.files:
        path = records_dir / rel
        f = checked.get(path)
        rid = (f.data or {}).get("id") if f is not None else PurePosixPath(rel).stem
        if not isinstance(rid, str):
            continue
        if rid not in by_id:
            by_id[rid] = f.display if f is not None else _display(path)
            continue
        if f is None:  # an unchanged file now second with its id: where its id is, read again
            f, _ = check_file(path)
        line, col = f.parsed.position(("id",))
        problems.append(Problem(f.display, line, col, "error", "id",
                                f"{rid!r} is already the id of {by_id[rid]}; ids must be unique", "duplicate-id"))
    known = set(by_id) | {PurePosixPath(rel).stem for rel in changes.files}
    removed = {PurePosixPath(rel).stem for rel in changes.removed} - known
    naming_removed = []  # unchanged files that name a removed record
    if removed:
        needles = [json.dumps(rid, ensure_ascii=False) for rid in removed]
        for rel, line in line_of.items():
            if rel in changes.files and rel not in changes.changed and any(n in line for n in needles):
                related = json.loads(line).get("related") or []
                if set(related) & removed:
                    naming_removed.append(check_file(records_dir / rel)[0])
    for f in [*report.files, *naming_removed]:
        related = (f.data or {}).get("related")
        if not isinstance(related, list):
            continue
        for i, rid in enumerate(related):
            if isinstance(rid, str) and rid not in known:
                line, col = f.parsed.position(("related", i))
                problems.append(Problem(f.display, line, col, "error", f"related[{i}]",
                                        f"{rid!r} is not the id of any record; {_closest(rid, known)}", "related"))
            elif rid == (f.data or {}).get("id"):
                line, col = f.parsed.position(("related", i))
                problems.append(Problem(f.display, line, col, "error", f"related[{i}]",
                                        "a record cannot be related to itself; remove it", "related"))
    return problems


def _near_duplicates_of_unchanged(report: Report, records_dir: Path, changes: Changes,
                                  line_of: dict[str, str]) -> list[Problem]:
    """Warnings for the checked practices that look like an unchanged one (from the catalogue's briefs),
    as ``kb validate FILE`` gives them: shown beside the errors of a build that fails."""
    from kb.records.validate import _display, near_duplicate_problems

    practices = [f for f in report.files if getattr(f.record, "kind", None) == "practice"]
    if not practices:
        return []
    countries = {f.record.country for f in practices}
    unchanged = []
    for rel, line in line_of.items():
        if rel in changes.files and rel not in changes.changed and '"kind": "practice"' in line:
            brief = Brief.from_json(json.loads(line))
            if brief.country in countries:
                unchanged.append((_display(records_dir / rel), brief))
    return near_duplicate_problems(practices, unchanged)


PRUNE_AFTER_S = 600  # a superseded generation stays this long, for worker processes yet to refresh


def _prune(directory: Path, keep: set[str]) -> None:
    """Remove old generations: all but the newest two, once superseded for PRUNE_AFTER_S seconds."""
    gens = sorted((p for p in directory.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    now = time.time()
    for old in gens[:-2]:
        if old.name not in keep and now - old.stat().st_mtime > PRUNE_AFTER_S:
            shutil.rmtree(old, ignore_errors=True)


def ensure(records_dir: Path | None = None, directory: Path | None = None) -> tuple[Generation, RecordsError | None]:
    """An index built from the current records: updated (or rebuilt) when stale. When that fails but an
    older index exists, that one keeps serving and the error is returned beside it."""
    records_dir = records_dir or practices_dir()
    directory = directory or index_dir()
    todo = plan(records_dir, directory)
    if todo.fresh:
        return todo.generation, None
    from kb.records.validate import RecordsError

    try:
        return build(records_dir, directory, stale_only=True), None
    except RecordsError as exc:
        gen = current(directory)
        if gen is None:
            raise
        return gen, exc
