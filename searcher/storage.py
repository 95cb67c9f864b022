"""Opening an index's files memory-mapped and read in place, never copied.

whoosh3 memory-maps a compound segment file and then wraps each part of it in a
``BytesIO``, which copies the part: a process that opens a 400 MB index for one
query spent 0.2-0.3 s and 700 MB of memory copying it. Opening the files
without ``mmap`` avoids the copy but makes every later read a system call
(warm queries ~25% slower). :class:`MappedStorage` serves each file from a
memory map, through the map's own C-level ``read``/``seek``, so a read copies
only the bytes asked for and the operating system pages in only what a query
touches.

Segments written by this version are not compound (``searcher.segments``), so
every file maps whole; a compound segment's parts are served by a slower
Python-level region reader, which is only there so that any Whoosh index still
opens correctly.
"""

from __future__ import annotations

import copy
import mmap
import os
from array import array
from bisect import bisect_left
from itertools import accumulate
from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PerDocReader
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex
from whoosh.matching import ReadTooFar
from whoosh.system import IS_LITTLE
from whoosh.util.numeric import byte_to_length

from .durable import read_toc, sync_on_close

#: Whoosh's name for the one index in a folder.
INDEX_NAME = "MAIN"

_TYPE_SIZES = {typecode: array(typecode).itemsize for typecode in "bBiIhHqQf"}


class MappedFile(StructFile):
    """A read-only index file served from a memory map.

    ``read``, ``seek`` and ``tell`` are the map's own methods (C, no copy of the
    file); random access (``get``) slices the map.
    """

    def __init__(self, source: mmap.mmap, name: str | None = None):
        self._map = source
        self.file = source
        self._name = name
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def get(self, position: int, length: int) -> bytes:
        return self._map[position : position + length]

    def get_array(self, position: int, typecode: str, length: int) -> array:
        values = array(typecode)
        values.frombytes(self.get(position, length * _TYPE_SIZES[typecode]))
        if IS_LITTLE:
            values.byteswap()
        return values

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        return StructFile(_Region(self._map, offset, length), name=name or self._name)

    def close(self) -> None:
        if self.is_closed:
            raise ValueError(f"{self._name} is already closed")
        self.is_closed = True
        self._map.close()


class _Region:
    """A file-like view of ``length`` bytes of a map from ``offset``: a compound segment's part."""

    def __init__(self, source: mmap.mmap, offset: int, length: int):
        self._map = source
        self._start = offset
        self._end = offset + length
        self._pos = offset

    def read(self, size: int | None = -1) -> bytes:
        end = self._end if size is None or size < 0 else min(self._end, self._pos + size)
        data = self._map[self._pos : end]
        self._pos = max(self._pos, end)
        return data

    def readline(self) -> bytes:
        newline = self._map.find(b"\n", self._pos, self._end)
        return self.read(-1 if newline < 0 else newline + 1 - self._pos)

    def seek(self, where: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: self._start, os.SEEK_CUR: self._pos, os.SEEK_END: self._end}[whence]
        self._pos = base + where
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def close(self) -> None:
        pass


class MappedStorage(FileStorage):
    """A folder of index files, each opened as a :class:`MappedFile`.

    ``supports_mmap`` is False so that Whoosh's compound-file reader does not
    map (and copy) a compound file itself: it asks the opened file for
    subsets instead, which :class:`MappedFile` serves from its own map.
    """

    supports_mmap = False
    #: Every file created here is flushed to disk when closed (``searcher.durable``).
    syncs_files = True

    def __init__(self, path: str | Path, readonly: bool = False):
        super().__init__(str(path), supports_mmap=False, readonly=readonly)

    def create_file(self, name: str, **kwargs) -> StructFile:
        created = super().create_file(name, **kwargs)
        before = created.onclose

        def onclose(structfile):
            if before is not None:
                before(structfile)
            sync_on_close(structfile)

        created.onclose = onclose
        return created

    def open_file(self, name: str, **kwargs) -> StructFile:
        path = self._fpath(name)
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                # mmap cannot map an empty file; there is nothing to read anyway.
                return StructFile(open(path, "rb"), name=name, **kwargs)
            source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(source, name=name)


class BlockMatcher(W3LeafMatcher):
    """Whoosh's W3 posting reader with the per-posting work moved into C.

    Whoosh's own reader decodes a block's ids with a Python generator and
    finds a document inside a block by stepping through it one posting at a
    time (``skip_to``: a fifth of query time on the news archive). Here ids
    are decoded by ``itertools.accumulate`` and found by ``bisect``; what is
    read and returned is the same.
    """

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = ids = list(accumulate(self._data[0]))
        return ids

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if weights is None:
            self._weights = [1.0] * self._blocklength
        elif isinstance(weights, float):
            self._weights = [weights] * self._blocklength
        else:
            self._weights = weights

    def id(self):
        ids = self._ids
        if ids is None:
            ids = self._read_ids()
        return ids[self._i]

    def skip_to(self, targetid):
        if self._atend or self._i >= self._blocklength:
            raise ReadTooFar
        ids = self._ids
        if ids is None:
            ids = self._read_ids()
        if targetid <= ids[self._i]:
            return
        start = self._i
        if targetid > self._maxid:
            # Whole blocks are passed on their headers alone, their postings unread.
            while True:
                self._next_block()
                if self._atend:
                    return
                if targetid <= self._maxid:
                    break
            ids = self._read_ids()
            start = 0
        self._i = bisect_left(ids, targetid, start)


class LengthsReader(W3PerDocReader):
    """Whoosh's per-document reader, with each field's length column read once, whole.

    BM25F asks for the field length of every document it scores; Whoosh reads
    it byte by byte through two layers of column objects.
    """

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._length_bytes: dict[str, bytes | None] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._length_bytes.get(fieldname, False)
        if lengths is False:
            lengths = self._length_bytes[fieldname] = self._load_lengths(fieldname)
        if lengths is None:
            return super().doc_field_length(docnum, fieldname, default)
        if lengths == b"":
            return default
        lbyte = lengths[docnum]
        # As Whoosh: no length byte (an empty field) reads as None.
        return byte_to_length(lbyte) if lbyte else None

    def _load_lengths(self, fieldname):
        """The length bytes of every document (b"" for a field without lengths), or
        None when the column is not the plain byte column this expects."""
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return b""
        if not isinstance(reader, NumericColumn.Reader) or reader._typecode != "B" or reader._default != 0:
            return None
        count = min(reader._count, self._doccount)
        return reader._dbfile.get(reader._basepos, count) + bytes(self._doccount - count)


class ReadingCodec(W3Codec):
    """Whoosh's W3 codec, reading with :class:`BlockMatcher` and :class:`LengthsReader`.

    Only for reading: segments are written, and listed in the table of
    contents, with Whoosh's own codec (see :func:`as_written`).
    """

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return BlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def per_document_reader(self, storage, segment):
        return LengthsReader(storage, segment)


def _reading_codec(codec):
    if type(codec) is W3Codec:
        return ReadingCodec(codec._blocklimit, codec._compression, codec._inlinelimit)
    return codec


def as_written(segment):
    """A copy of ``segment`` to list in a table of contents: with Whoosh's own codec."""
    codec = getattr(segment, "_codec", None)
    if type(codec) is not ReadingCodec:
        return segment
    written = copy.copy(segment)
    written._codec = W3Codec(codec._blocklimit, codec._compression, codec._inlinelimit)
    return written


class MappedIndex(FileIndex):
    """A Whoosh file index read through :class:`MappedStorage` and :class:`ReadingCodec`.

    Its table of contents is the newest readable one (``searcher.durable.read_toc``):
    a commit racing the opening is invisible, and when the newest commit cannot
    be read the previous one is used and :attr:`recovered` says why.
    """

    def __init__(self, storage, schema=None, indexname=INDEX_NAME):
        # Whoosh's own constructor reads the TOC without retrying.
        self.storage = storage
        self._schema = schema
        self.indexname = indexname
        #: Why the newest commit was skipped for the previous one (None: it was not).
        self.recovered: str | None = None
        self._read_toc()

    def _read_toc(self):
        toc, recovered = read_toc(self.storage, self.indexname, schema=self._schema)
        if recovered is not None:
            self.recovered = recovered
        for segment in toc.segments:
            if hasattr(segment, "_codec"):
                segment._codec = _reading_codec(segment._codec)
        return toc


def open_index(index_dir: str | Path) -> MappedIndex:
    """The index in ``index_dir``, its files memory-mapped (see the module docstring)."""
    return MappedIndex(MappedStorage(index_dir), indexname=INDEX_NAME)


def index_size(index_dir: str | Path) -> int:
    """Bytes of the files in ``index_dir`` (a file deleted by a commit meanwhile counts 0)."""
    total = 0
    for path in Path(index_dir).iterdir():
        try:
            if path.is_file():
                total += path.stat().st_size
        except FileNotFoundError:
            pass
    return total


def create_index(index_dir: str | Path, schema) -> MappedIndex:
    """A new, empty index in ``index_dir`` (created if missing), replacing any index there."""
    storage = MappedStorage(index_dir)
    storage.create()
    return MappedIndex.create(storage, schema, INDEX_NAME)
