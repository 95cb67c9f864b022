"""Writing Whoosh segments fast: postings gathered per term in memory, blocks encoded in bulk.

Whoosh's own writer spends most of an indexing run in pure-Python per-posting
work: every posting of every document goes through a generic sorting pool
(sized, sorted, maybe spilled to disk), then, one by one, through a postings
writer that also reads each document's field length back from disk. For 3,000
news articles that was about 80% of the time, the project's analysis 17%.

:class:`SegmentBuilder` writes the same kind of segment (Whoosh's ``W3``
codec, read by Whoosh's own readers) another way:

* postings are appended to a list per term as documents arrive, already in
  document order, so nothing is sorted but each field's term list, once;
* field lengths are kept in memory;
* each term's posting list is cut into Whoosh's 128-posting blocks with list
  slicing and written in one call;
* for the fields analysed by ``searcher.analysis.search_analyzer`` (title and
  body), words are analysed without Whoosh's token objects: the same pattern
  and the same ``search_form`` function, positions counted the same way.

Blocks are pickled with protocol 3 and no memo, term frequencies as integers:
Whoosh's protocol 2 writes every posting's value as a call to
``_codecs.encode`` (about 15 bytes each, and a function call to read it back);
Whoosh's reader takes either. Segments are not compound: ``searcher.storage``
maps each file whole. Past ``SPILL_POSTINGS`` postings held, a builder writes
them to a sorted run file and merges the runs term by term when it finishes.

A segment holds whatever one builder received; a run commits one builder per
batch (see ``searcher.indexer``), possibly built in another process
(``searcher.parallel``): only the finished segment's description, a small
picklable object, goes back to the process that commits it.
"""

from __future__ import annotations

import heapq
import io
import os
import pickle
import re
import zlib
from array import array
from collections.abc import Iterable, Mapping
from itertools import groupby
from operator import sub
from struct import Struct

from whoosh import formats
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3TermInfo,
)
from whoosh.index import TOC
from whoosh.system import pack_ushort
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte

from .analysis import ArabicTokenizer, SearchFormFilter
from .durable import remove_files, toc_generations, write_toc
from .postings import CompactPositions, encode_positions
from .storage import as_written
from .terms import search_form
from .tokenize import WORD_PATTERN

#: Postings per block: Whoosh's W3 codec default (its readers skip block by block).
BLOCK_SIZE = 128
#: Postings a builder holds in memory before it writes them to a run file
#: (about 45 bytes each: ~22 MB), whatever the number of documents.
SPILL_POSTINGS = 500_000
#: Terms per pickled chunk of a run file: what the merge holds of each run.
RUN_CHUNK_TERMS = 2000
#: zlib level of posting blocks (Whoosh's default).
COMPRESSION = 3
#: Pickle protocol of posting blocks: the first with a bytes opcode and without
#: framing (Whoosh's protocol 2 writes each bytes value as a call to
#: ``_codecs.encode``; 4 and up add a 9-byte frame header to every block).
BLOCK_PROTOCOL = 3

_INT = Struct("!i")
_UINT = Struct("!I")
_WORD_RE = re.compile(WORD_PATTERN)


def fast_positions_encoder(field):
    """The value encoder of ``field``'s postings when it is indexed by exactly
    ``search_analyzer`` with positions, which :func:`position_lists` reproduces
    without Whoosh's token objects; None for any other field."""
    analyzer = getattr(field, "analyzer", None)
    if not (
        isinstance(analyzer, CompositeAnalyzer)
        and [type(item) for item in analyzer.items] == [ArabicTokenizer, SearchFormFilter]
    ):
        return None
    if type(field.format) is CompactPositions:
        return encode_compact
    if type(field.format) is formats.Positions:
        return encode_whoosh_positions
    return None


def position_lists(text: str) -> dict[str, list[int]]:
    """The search forms of ``text`` with the positions of their words, in order of first use.

    The same terms and positions as ``search_analyzer`` gives Whoosh: every word
    counts a position, also one whose form is empty.

    >>> position_lists("وصل إلى البَاغُوزِ ثم الباغـوز")
    {'وصل': [0], 'الي': [1], 'باغوز': [2, 4], 'ثم': [3]}
    """
    found: dict[str, list[int]] = {}
    get = found.get
    for position, form in enumerate(map(search_form, _WORD_RE.findall(text))):
        if form:
            positions = get(form)
            if positions is None:
                found[form] = [position]
            else:
                positions.append(position)
    return found


def _single_value_cache(encode):
    """``encode`` with the values of one-position postings (most of them) made once and shared."""
    singles: dict[int, bytes] = {}

    def encode_cached(positions: list[int]) -> bytes:
        if len(positions) == 1:
            value = singles.get(positions[0])
            if value is None:
                value = encode(positions)
                if positions[0] < 0x10000:
                    singles[positions[0]] = value
            return value
        return encode(positions)

    return encode_cached


def _whoosh_positions_value(positions: list[int]) -> bytes:
    """Whoosh's ``Positions`` value: the count, then the pickled position deltas."""
    deltas = [positions[0], *map(sub, positions[1:], positions)]
    return _UINT.pack(len(deltas)) + pickle.dumps(deltas, 2)


encode_compact = _single_value_cache(encode_positions)
encode_whoosh_positions = _single_value_cache(_whoosh_positions_value)


class SegmentBuilder:
    """Collects documents for one new segment of the index in ``storage``.

    ``add`` takes the same field dicts as Whoosh's ``add_document``; ``finish``
    writes the segment's files and returns the segment, ready to be listed in
    a commit (:func:`commit_segments`). Nothing is visible before that commit.

    Memory stays bounded whatever the number of documents: past
    ``spill_postings`` postings held, they are written to a sorted run file
    beside the index, and ``finish`` merges the runs term by term. Stored
    fields go to disk as documents arrive (Whoosh's column writer).
    """

    def __init__(self, storage, schema, indexname: str = "MAIN", codec=None, spill_postings: int = SPILL_POSTINGS):
        for name, field in schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: term vectors and spelling fields are not supported")
        self.storage = storage
        self.schema = schema
        self.codec = codec or W3Codec()
        self.segment = self.codec.new_segment(storage, indexname)
        self._perdoc = self.codec.per_document_writer(storage, self.segment)
        self._fast = {
            name: encoder
            for name, field in schema.items()
            if field.indexed and (encoder := fast_positions_encoder(field)) is not None
        }
        # field -> term -> flat list [docnum, frequency, value, docnum, ...]
        self._postings: dict[str, dict[str, list]] = {}
        self._held = 0  # postings in self._postings
        self._spill_at = spill_postings
        self._runs: list[str] = []  # paths of spilled runs, oldest first
        self._temp_folder = os.path.join(storage.folder, f"{indexname}.tmp")
        # field -> length byte of every document so far (scorable fields)
        self._lengths: dict[str, array] = {}
        self.doc_count = 0
        self._finished = False

    def add(self, fields: Mapping[str, object]) -> None:
        """Add one document (a dict of field values, as for Whoosh's ``add_document``).

        All or nothing: every field is analysed before anything is recorded, so a
        document whose analysis raises leaves the builder as it was, and the
        caller may skip it and go on.
        """
        schema = self.schema
        analysed = []
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            terms = None
            counted = field.scorable  # the fast path counts every field's length, as Whoosh's analyzer does
            if field.indexed:
                encode = self._fast.get(name)
                if encode is not None:
                    counted = True
                    terms = [(term, len(positions), encode(positions)) for term, positions in position_lists(value).items()]
                else:
                    terms = []
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if weight != freq:
                            raise ValueError(f"field {name!r}: only unboosted terms are supported")
                        terms.append((tbytes.decode("utf-8"), freq, vbytes))
            column = field.column_type
            column_value = field.to_column_value(value) if column is not None else None
            analysed.append((name, field, value, terms, counted, column, column_value))

        docnum = self.doc_count
        perdoc = self._perdoc
        perdoc.start_doc(docnum)
        for name, field, value, terms, counted, column, column_value in analysed:
            length = 0
            if terms is not None:
                postings_of = self._postings.get(name)
                if postings_of is None:
                    postings_of = self._postings[name] = {}
                self._held += len(terms)
                for term, freq, encoded in terms:
                    if counted:
                        length += freq
                    postings = postings_of.get(term)
                    if postings is None:
                        postings_of[term] = [docnum, freq, encoded]
                    else:
                        postings += (docnum, freq, encoded)
                if field.scorable:
                    lengths = self._lengths.get(name)
                    if lengths is None:
                        lengths = self._lengths[name] = array("B")
                    lengths.extend(bytes(docnum - len(lengths)))  # documents without this field
                    lengths.append(length_to_byte(length))
            perdoc.add_field(name, field, value if field.stored else None, length)
            if column is not None:
                perdoc.add_column_value(name, column, column_value)
        perdoc.finish_doc()
        self.doc_count += 1
        if self._held >= self._spill_at:
            self._spill()

    def _sorted_postings(self):
        """(field, term, flat postings) of what is held, in index order."""
        for name in sorted(self._postings):
            terms = self._postings[name]
            for term in sorted(terms):
                yield name, term, terms[term]

    def _spill(self) -> None:
        """Write the postings held to a run file, sorted, and let them go."""
        os.makedirs(self._temp_folder, exist_ok=True)
        path = os.path.join(self._temp_folder, f"{random_name()}.run")
        self._runs.append(path)
        with open(path, "wb") as run:
            chunk = []
            for item in self._sorted_postings():
                chunk.append(item)
                if len(chunk) == RUN_CHUNK_TERMS:
                    pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
        self._postings = {}
        self._held = 0

    def _merged_postings(self):
        """(field, term, flat postings) of every run, merged: a term's postings
        from successive runs are successive documents."""
        self._spill()
        runs = [_read_run(path) for path in self._runs]
        merged = heapq.merge(*runs, key=lambda item: (item[0], item[1]))
        for (name, term), group in groupby(merged, key=lambda item: (item[0], item[1])):
            parts = [flat for _, _, flat in group]
            yield name, term, parts[0] if len(parts) == 1 else [x for part in parts for x in part]

    def finish(self):
        """Write the segment's files; returns the Whoosh segment (None when empty)."""
        if self._finished:
            raise RuntimeError("segment already finished")
        self._finished = True
        self._perdoc.close()
        if not self.doc_count:
            self._delete_files()
            return None
        fieldwriter = self.codec.field_writer(self.storage, self.segment)
        postfile = fieldwriter._postfile
        add_term = fieldwriter._tindex.add
        current = None
        postings = self._merged_postings() if self._runs else self._sorted_postings()
        for name, term, flat in postings:
            if name != current:
                if current is not None:
                    fieldwriter.finish_field()
                current = name
                field = self.schema[name]
                fieldwriter.start_field(name, field)
                prefix = pack_ushort(fieldwriter._fieldid)
                lengths = self._lengths.get(name)
                if lengths is not None:
                    lengths.extend(bytes(self.doc_count - len(lengths)))
                fixed_size = field.format.fixed_value_size()
            offset = postfile.tell()
            data, terminfo = encode_postings(flat[0::3], flat[1::3], flat[2::3], lengths, fixed_size)
            postfile.write(data)
            terminfo.set_extent(offset, len(data))
            add_term(prefix + term.encode("utf-8"), terminfo.to_bytes())
        if current is not None:
            fieldwriter.finish_field()
        fieldwriter.close()
        self._postings = {}
        self._delete_runs()
        self.segment.set_doc_count(self.doc_count)
        folder = getattr(self.storage, "folder", None)
        if folder is not None:  # sizes and digests, to tell a damaged file later (searcher.integrity)
            from .integrity import write_sums

            write_sums(folder, self.segment)
        return self.segment

    def cancel(self) -> None:
        """Drop the segment: delete whatever files it has written."""
        if not self._finished:
            self._finished = True
            self._perdoc.close()
        self._postings = {}
        self._delete_runs()
        self._delete_files()

    def _delete_runs(self) -> None:
        for path in self._runs:
            try:
                os.remove(path)
            except OSError:
                pass
        self._runs = []

    def _delete_files(self) -> None:
        for name in self.segment.list_files(self.storage):
            try:
                self.storage.delete_file(name)
            except OSError:
                pass


def _read_run(path: str):
    """The (field, term, flat postings) items of a run file, in order."""
    with open(path, "rb") as run:
        while True:
            try:
                chunk = pickle.load(run)
            except EOFError:
                return
            yield from chunk


def _dump_block(data) -> bytes:
    """Pickle a block without a memo: no ``BINPUT`` after every value (2 bytes each)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, BLOCK_PROTOCOL)
    pickler.fast = True  # the blocks are flat tuples: nothing to share or recurse into
    pickler.dump(data)
    return buffer.getvalue()


def encode_postings(ids: list[int], freqs: list[int], values: list[bytes], lengths, fixed_size) -> tuple[bytes, W3TermInfo]:
    """One term's posting list as Whoosh W3 blocks, and its term info.

    ``lengths`` holds each document's field length byte (None for a field
    without lengths). The blocks carry what Whoosh's ``W3PostingsWriter``
    writes: count, last id, top weight and length range for skipping, then the
    delta-coded ids, the weights (None when all are 1) and the values.
    """
    parts = [WHOOSH3_HEADER_MAGIC]
    total = len(ids)
    min_byte = 0
    max_byte = 0
    for start in range(0, total, BLOCK_SIZE):
        end = min(total, start + BLOCK_SIZE)
        block_ids = ids[start:end]
        block_freqs = freqs[start:end]
        top = max(block_freqs)
        if top == 1:
            weights = None
        elif min(block_freqs) == top:
            weights = float(top)  # Whoosh's reader takes a float as "all the same"
        else:
            weights = tuple(block_freqs)
        if fixed_size is None:
            block_values = tuple(values[start:end])
        elif fixed_size == 0:
            block_values = None
        else:
            block_values = b"".join(values[start:end])
        deltas = (block_ids[0], *map(sub, block_ids[1:], block_ids))
        data = _dump_block((deltas, weights, block_values))
        compression = COMPRESSION if len(data) >= COMPRESSION_MIN_SIZE else 0
        if compression:
            data = zlib.compress(data, compression)
        if lengths is None:
            low = high = 0
        else:
            block_lengths = bytes(lengths[d] for d in block_ids)
            high = max(block_lengths)
            low = min(block_lengths) or min((b for b in block_lengths if b), default=0)
            max_byte = max(max_byte, high)
            if low and (not min_byte or low < min_byte):
                min_byte = low
        info = pickle.dumps((end - start, block_ids[-1], top, compression, low, high), 2)
        size = len(info) + len(data)
        parts.append(_INT.pack(-size if end == total else size))
        parts.append(info)
        parts.append(data)
    terminfo = W3TermInfo()
    terminfo._weight = float(sum(freqs))
    terminfo._df = total
    terminfo._minlength = byte_to_length(min_byte) if min_byte else None
    terminfo._maxlength = byte_to_length(max_byte)
    terminfo._maxweight = float(max(freqs))
    terminfo._minid = ids[0]
    terminfo._maxid = ids[-1]
    return b"".join(parts), terminfo


def commit_segments(
    storage, schema, segments: Iterable, generation: int, indexname: str = "MAIN", remove: Iterable[str] = (),
    keep: Iterable[int] = (),
) -> None:
    """Make ``segments`` the index's contents, atomically and durably: a new table of contents.

    The folder is flushed to disk before and after the table of contents is
    renamed into place (``searcher.durable.write_toc``; the segment files were
    flushed when written). Then deletes the older tables of contents, except
    the generations in ``keep`` (the previous commit, for readers and for a
    fall back), and the files named in ``remove``. Unlike Whoosh's own
    clean-up, it never deletes the files of segments that are not listed:
    another process of the same run may be writing one (``searcher.parallel``).
    """
    kept = {generation, *keep}
    write_toc(storage, TOC(schema, [as_written(segment) for segment in segments], generation), indexname)
    obsolete = [TOC._filename(indexname, g) for g in toc_generations(storage, indexname) if g not in kept]
    remove_files(storage, [*obsolete, *remove])


def stale_files(storage, segments: Iterable, indexname: str = "MAIN") -> list[str]:
    """Segment files in ``storage`` that belong to none of ``segments``: left by a
    killed run, or by the index a rebuild replaces."""
    pattern = TOC._segment_pattern(indexname)
    live = {segment.segment_id() for segment in segments}
    return [name for name in storage.list() if (m := pattern.match(name)) and m.group(1) not in live]
