"""Scoring in bulk: one index generation's posting lists and per-document columns as NumPy arrays.

Whoosh stores the index; walking its matchers one document at a time in Python is what made
searches slow on large collections. ``Columns`` reads a generation's per-document data once (ids,
years, facet values, field lengths) and each term's posting list on first use (kept in a
size-bounded cache), so that a search is a few array operations whatever the number of matches:
BM25F scores added per word, masks combined for "all words" or "any word", facet counts by
``bincount``, the best results by ``argpartition``.

Scores follow Whoosh's BM25F (B=0.75, K1=1.2, idf = log(N / (df + 1)) + 1, field boosts stored in
the weights), so ranking is the same as Whoosh's own searcher for term queries. The statistics count
live documents only: an index updated in place (kb.search.indexer) keeps deleted documents in its segments
until they are merged, and they must not weigh. N is the number of live documents, df the number of
live documents holding the word, and the average field length the mean of the live documents' lengths
as the index stores them (one byte each, so a document's length reads the same before and after a
merge): an updated index and one built afresh from the same records score alike, to the last bit.
"""

from __future__ import annotations

import math
import pickle
import threading
from collections import OrderedDict, defaultdict
from contextlib import contextmanager

import numpy as np
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from kb.search.columns import Table

B, K1 = 0.75, 1.2
CACHE_POSTINGS = 2_000_000  # postings kept decoded and scored (8 bytes each: 16 MB at most per worker)
CACHE_POSITIONS = 2_000_000  # word positions kept decoded for phrases (8 bytes each: 16 MB at most per worker)
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class Columns:
    """Per-document arrays and cached, scored posting lists of one open Whoosh searcher."""

    def __init__(self, searcher, table: Table, text_fields: tuple[str, ...]):
        self.reader = searcher.reader()
        self.n = self.reader.doc_count_all()
        self.ids = table.ids
        self.year = table.year
        # each document's place in id order: ties are broken by id, so that results do not depend on
        # the order documents were added in (a record updated in place moves to the end of the index)
        self.rank = np.empty(self.n, dtype=np.int64)
        self.rank[sorted(range(self.n), key=self.ids.__getitem__)] = np.arange(self.n)
        self.live = np.ones(self.n, dtype=bool)
        self.live[deleted_docs(self.reader)] = False
        self.live_count = int(np.count_nonzero(self.live))
        self.deletions = self.live_count < self.n
        self.facets = table.facets
        self._scorable = {f for f in text_fields if searcher.schema[f].scorable}
        self._lengths: dict[str, np.ndarray] = {}
        self._avg: dict[str, float] = {}
        for f in self._scorable:
            stored = self._field_lengths(f)  # 0 where the document has nothing in the field
            # the mean over live documents, summed exactly (whole numbers in float64) whatever their order
            total = float(np.sum(stored[self.live], dtype=np.float64))
            self._avg[f] = (total / self.live_count if self.live_count else 0.0) or 1.0
            self._lengths[f] = np.maximum(stored, np.float32(1))
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        self._position_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._cached_positions = 0
        self._lock = threading.Lock()

    # -- per-document data ---------------------------------------------------------------------
    def _field_lengths(self, field: str) -> np.ndarray:
        """Every document's length in ``field`` (Whoosh keeps them as one byte each), 0 when empty."""
        out = np.zeros(self.n, dtype=np.float32)
        for reader, offset in self.reader.leaf_readers():
            count = reader.doc_count_all()
            raw = _length_bytes(reader, field, count)
            if raw is not None:
                out[offset:offset + count] = _LENGTH_OF_BYTE[raw]
            else:  # another codec: ask document by document
                out[offset:offset + count] = [reader.doc_field_length(d, field, 0) or 0 for d in range(count)]
        return out

    def mask(self, facet: str, values: list[str]) -> np.ndarray:
        """Documents having any of ``values`` in ``facet``."""
        out = np.zeros(self.n, dtype=bool)
        for value in values:
            key = (facet, value)
            if key not in self._masks:
                f = self.facets[facet]
                m = np.zeros(self.n, dtype=bool)
                code = f.codes.get(value)
                if code is not None:
                    m[f.docs[f.vals == code]] = True
                self._masks[key] = m
            out |= self._masks[key]
        return out

    def count(self, mask: np.ndarray) -> dict[str, dict[str, int]]:
        """Facet counts over the documents in ``mask``, most frequent first."""
        out = {}
        for name, f in self.facets.items():
            counts = np.bincount(f.vals[mask[f.docs]], minlength=len(f.values))
            nonzero = np.flatnonzero(counts)
            pairs = sorted(((f.values[i], int(counts[i])) for i in nonzero), key=lambda kv: (-kv[1], kv[0]))
            out[name] = dict(pairs)
        return out

    # -- postings ------------------------------------------------------------------------------
    @contextmanager
    def passing(self):
        """Posting lists read inside this block are dropped from the cache at its end (those already
        cached stay): for one-off work, such as linking checklist items to records, that should not
        crowd out what searches use. The caller holds the index's lock, so no search runs meanwhile."""
        before = set(self._postings)
        try:
            yield
        finally:
            with self._lock:
                for key in [k for k in self._postings if k not in before]:
                    self._cached -= len(self._postings.pop(key)[0])

    def term(self, field: str, token: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding ``token`` in ``field`` and their BM25F scores (unboosted by the query)."""
        key = (field, token)
        with self._lock:
            hit = self._postings.get(key)
            if hit is not None:
                self._postings.move_to_end(key)
                return hit
        ids, weights = self._read(field, token)
        if field in self._scorable and len(ids):
            df = len(ids)
            idf = math.log(self.live_count / (df + 1)) + 1
            lengths = self._lengths[field][ids]
            scores = idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / self._avg[field]))
        else:
            scores = weights
        entry = (ids, scores.astype(np.float32, copy=False))
        with self._lock:
            self._postings[key] = entry
            self._cached += len(ids)
            while self._cached > CACHE_POSTINGS and len(self._postings) > 1:
                _, (old, _) = self._postings.popitem(last=False)
                self._cached -= len(old)
        return entry

    def doc_frequency(self, field: str, token: str) -> int:
        """How many live documents hold ``token`` in ``field``."""
        if not self.deletions:
            return self.reader.doc_frequency(field, token)  # the term's own count: no posting list read
        return len(self.term(field, token)[0])

    def frequency(self, field: str, token: str) -> float:
        """The total weight of ``token`` in ``field`` over live documents: Whoosh's collection
        frequency, or, when documents were deleted, the live postings added up (weights are whole
        multiples of the field boost: the sums are exact)."""
        total = self.reader.frequency(field, token)
        if self.deletions and total:
            total = float(np.sum(self._read(field, token)[1], dtype=np.float64))
        return total

    def key_terms(self, field: str, text: str, count: int) -> list[tuple[str, float]]:
        """The ``count`` most distinctive words of ``text`` in ``field``, with their weight (best 1.0):
        Whoosh's "more like this" key terms (Bo1 model, not normalised), over the live documents."""
        fieldobj = self.reader.schema[field]
        weights: dict[str, float] = defaultdict(float)
        top_total = 0.0
        for tbytes, _, weight, _ in fieldobj.index(text or ""):
            weights[fieldobj.from_bytes(tbytes)] += weight
            top_total += weight
        scored = []
        for word, weight in weights.items():
            cf = self.frequency(field, word)
            if cf > 0:
                f = cf / self.live_count
                scored.append((weight * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2), word))
        best = max((s for s, _ in scored), default=0.0)
        if best <= 0:
            return []
        scored = sorted(((s / best, w) for s, w in scored), key=lambda sw: (-sw[0], sw[1]))
        return [(w, s) for s, w in scored[:count]]

    def holds(self, field: str, tokens: set[str], docnum: int) -> bool:
        """Whether document ``docnum`` has any of ``tokens`` in ``field``."""
        for token in tokens:
            ids, _ = self.term(field, token)
            i = int(np.searchsorted(ids, docnum))
            if i < len(ids) and ids[i] == docnum:
                return True
        return False

    def _read(self, field: str, token: str) -> tuple[np.ndarray, np.ndarray]:
        ids: list = []
        weights: list = []
        for reader, offset in self.reader.leaf_readers():
            if (field, token) not in reader:
                continue
            seg_ids, seg_weights = _drain(reader.postings(field, token))
            ids.append(np.asarray(seg_ids, dtype=np.int32) + np.int32(offset))
            weights.append(np.asarray(seg_weights, dtype=np.float32))
        if not ids:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        ids, weights = np.concatenate(ids), np.concatenate(weights)
        if self.deletions:
            keep = self.live[ids]
            ids, weights = ids[keep], weights[keep]
        return ids, weights

    def all_of(self, field: str, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding every one of ``tokens`` in ``field``, in any order; the score is the sum
        of the words' scores."""
        terms = [self.term(field, t) for t in tokens]
        docs = terms[0][0]
        for ids, _ in terms[1:]:
            docs = np.intersect1d(docs, ids, assume_unique=True)
        return docs, self._sum(terms, docs)

    def phrase(self, field: str, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding ``tokens`` in sequence in ``field`` (stop words left out, as the index
        leaves them out); the score is the sum of the words' scores. Positions are compared in bulk:
        each word's positions are ``doc << 32 | position`` keys, shifted back by the word's place in
        the phrase, and the phrase is where the keys of every word meet."""
        docs, _ = self.all_of(field, tokens)
        if len(docs):
            keys: np.ndarray | None = None
            for k, token in enumerate(sorted(set(tokens), key=lambda t: len(self.term(field, t)[0]))):
                for place in [i for i, t in enumerate(tokens) if t == token]:
                    shifted = self.position_keys(field, token) - place
                    keys = shifted if keys is None else np.intersect1d(keys, shifted, assume_unique=True)
                if keys is not None and not len(keys):
                    break
            docs = np.unique(keys >> 32) if keys is not None and len(keys) else np.empty(0, dtype=np.int64)
        return docs, self._sum([self.term(field, t) for t in tokens], docs)

    @staticmethod
    def _sum(terms: list[tuple[np.ndarray, np.ndarray]], docs: np.ndarray) -> np.ndarray:
        """The sum of the terms' scores at ``docs`` (each term holds every one of ``docs``)."""
        scores = np.zeros(len(docs), dtype=np.float32)
        for ids, s in terms:
            scores += s[np.searchsorted(ids, docs)]
        return scores

    def position_keys(self, field: str, token: str) -> np.ndarray:
        """``doc << 32 | position`` for every position of ``token`` in ``field``, sorted; read once
        and kept (at most CACHE_POSITIONS positions in all, the least recently used dropped)."""
        key = (field, token)
        with self._lock:
            hit = self._position_cache.get(key)
            if hit is not None:
                self._position_cache.move_to_end(key)
                return hit
        parts = []
        for reader, offset in self.reader.leaf_readers():
            if (field, token) in reader:
                ids, positions = _positions_of(reader.postings(field, token), reader.schema[field].format)
                parts.append(((ids + offset) << 32) | positions)
        keys = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        if self.deletions and len(keys):
            keys = keys[self.live[keys >> 32]]
        with self._lock:
            self._position_cache[key] = keys
            self._cached_positions += len(keys)
            while self._cached_positions > CACHE_POSITIONS and len(self._position_cache) > 1:
                _, old = self._position_cache.popitem(last=False)
                self._cached_positions -= len(old)
        return keys


def deleted_docs(reader) -> list[int]:
    """The numbers of the deleted documents of an index reader, in all its segments."""
    out: list[int] = []
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            found = getattr(leaf, "deleted_docs_set", None)  # a Whoosh segment's set, else one by one
            if found is None:
                found = [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)]
            out += sorted(offset + d for d in found)
    return out


def _positions_of(matcher, fmt) -> tuple[np.ndarray, np.ndarray]:
    """(doc of each position, position) arrays of every posting of a leaf matcher. Whoosh 3 postings
    of the ``Positions`` format (a pickled list of gaps after a 4-byte count) are read block by block
    and decoded in bulk; other formats posting by posting."""
    bulk = isinstance(fmt, Positions) and type(fmt).decode_positions is Positions.decode_positions and all(
        hasattr(matcher, a) for a in ("_read_ids", "_read_values", "_goto", "_lastblock", "_nextoffset"))
    ids: list[int] = []
    gaps: list[list[int]] = []
    if bulk:
        while True:
            matcher._read_ids()
            matcher._read_values()
            ids.extend(matcher._ids)
            gaps.extend(pickle.loads(v[_INT_SIZE:] if v.endswith(b".") else v[_INT_SIZE:] + b".") for v in matcher._values)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            positions = matcher.value_as("positions")
            gaps.append([b - a for a, b in zip([0, *positions], positions)])
            matcher.next()
    lengths = np.fromiter((len(g) for g in gaps), dtype=np.int64, count=len(gaps))
    flat = np.fromiter((x for g in gaps for x in g), dtype=np.int64, count=int(lengths.sum()))
    docs = np.repeat(np.asarray(ids, dtype=np.int64), lengths)
    total = np.cumsum(flat)
    starts = np.cumsum(lengths) - lengths  # where each posting's gaps begin
    before = np.repeat(total[starts] - flat[starts], lengths) if len(flat) else total
    return docs, total - before


def _length_bytes(reader, field: str, count: int) -> np.ndarray | None:
    """The raw length bytes of a Whoosh 3 segment (one read), or None if the layout is not that one."""
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:
            return np.zeros(count, dtype=np.uint8)
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    except (AttributeError, ImportError, TypeError):
        return None
    out = np.zeros(count, dtype=np.uint8)
    out[:len(raw)] = raw[:count]
    return out


def _drain(matcher) -> tuple[list[int], list[float]]:
    """All (ids, weights) of a leaf matcher: block by block for Whoosh 3 postings, else one by one."""
    ids: list[int] = []
    weights: list[float] = []
    if all(hasattr(matcher, a) for a in ("_read_ids", "_read_weights", "_goto", "_lastblock", "_nextoffset")):
        while True:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if matcher._lastblock:
                return ids, weights
            matcher._goto(matcher._nextoffset)
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights
