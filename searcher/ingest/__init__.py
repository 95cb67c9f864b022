"""Reading articles from files, directories and standard input.

The formats are parsed in their own modules (``text``, ``jsonl``, ``csvfile``,
``htmlpage``, ``warc``, with ``decode`` and ``dates`` shared); this module does
the file I/O around them: walking directories, streaming gzip, recognising
formats by name and content (or taking the one forced with ``fmt``), counting
bytes for progress bars, and turning every read failure into a Problem so that
one bad file never stops a run.
"""

from __future__ import annotations

import datetime as dt
import errno
import gzip
import io
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO

from searcher.errors import CorpusError, CorpusFormatError
from searcher.ingest.decode import (
    BINARY_SNIFF_BYTES,
    MAX_ARTICLE_BYTES,
    UTF8_BOM,
    bounded_lines,
    decode_bytes,
    fs_text,
    has_surrogates,
    has_utf16_bom,
    looks_binary,
)
from searcher.ingest.csvfile import iter_delimited, looks_delimited
from searcher.ingest.htmlpage import read_html_page
from searcher.ingest.jsonl import iter_jsonl
from searcher.ingest.text import parse_article_text
from searcher.ingest.warc import iter_warc
from searcher.models import Article, Problem

__all__ = ["CorpusReader", "read_corpus", "FORMATS", "MAX_ARTICLE_BYTES", "STDIN"]

#: The input formats, as ``fmt`` (``search index --format``) names them.
FORMATS = ("text", "jsonl", "csv", "tsv", "html", "warc")

#: The path that means "read standard input".
STDIN = "-"

#: A plain-text file holds one article; anything bigger is not one and is skipped unread.

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK_BYTES = 64 * 1024
#: Enough of a gzip stream to decompress its first bytes and see whether it is a WARC file.
_RAW_PEEK_BYTES = 1024
_SUFFIX_KINDS = {
    ".txt": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".warc": "warc",
}
#: A JSON array (of articles) rather than JSON Lines: "[" then an object, array, string or "]".
_JSON_ARRAY_START = re.compile(r"^\s*\[\s*(?:[{\[\]\"]|$)")
_HTML_START = re.compile(r"^(?:\s*<!--.*?-->|\s*<\?xml[^>]*>)*\s*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)

# Raised while reading a stream that has gone bad; each ends that one source with a Problem.
_READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError)


@dataclass(frozen=True, slots=True)
class _Source:
    """One input to read. ``kind`` is one of FORMATS or "sniff" (decide from the content)."""

    display: str  # the path as given or walked, used in locations and Article.origin
    id_base: str  # id of a plain-text or HTML article; prefix of "<id_base>:<line>" record ids
    kind: str
    gzipped: bool | None  # None: decide from the gzip magic bytes
    size: int | None  # None for standard input, pipes and devices
    path: str | None = None  # None for standard input
    modified: dt.date | None = None  # the file's date: a saved page's date when the page gives none


def _raise_problem(problem: Problem) -> None:
    raise CorpusFormatError(problem.location, problem.message)


class CorpusReader:
    """Iterates the Articles under some paths; bad input becomes a Problem report, never an exception mid-run.

    Missing paths raise CorpusError at construction, before any work. Without
    ``on_problem`` every Problem (warnings too) raises CorpusFormatError, so library
    users who pass nothing never lose input silently. ``fmt`` (one of FORMATS) reads
    every input in that format, walked files of any name included; ``column_map``
    names the CSV/TSV columns of fields (see ``csvfile.parse_column_map``).
    """

    total_bytes: int | None
    bytes_read: int

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        on_problem: Callable[[Problem], None] | None = None,
        stdin: BinaryIO | None = None,
        fmt: str | None = None,
        column_map: Mapping[str, str | int] | None = None,
    ):
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if fmt is not None and fmt not in FORMATS:
            raise CorpusError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
        self._on_problem = on_problem or _raise_problem
        self._stdin = stdin
        self._fmt = fmt
        self._column_map = dict(column_map or {})
        self._plan: list[_Source | Problem] = []
        for given in paths:
            self._plan_path(os.fsdecode(given))
        sizes = [entry.size for entry in self._plan if isinstance(entry, _Source)]
        self.total_bytes = None if None in sizes else sum(sizes)  # type: ignore[arg-type]
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Article]:
        self.bytes_read = 0
        for entry in self._plan:
            if isinstance(entry, Problem):
                self._on_problem(entry)
                continue
            read_before = self.bytes_read
            items = self._read_source(entry)
            try:
                while True:
                    try:
                        item = next(items)
                    except StopIteration:
                        break
                    except _READ_ERRORS as exc:
                        self._on_problem(Problem(entry.display, _describe_read_error(exc)))
                        break
                    except Exception as exc:  # a parser's failure costs its file, never the run
                        self._on_problem(Problem(entry.display, f"cannot read ({type(exc).__name__}: {exc})"))
                        break
                    if isinstance(item, Problem):
                        self._on_problem(item)
                    else:
                        yield item
            finally:
                items.close()
            if entry.size is not None:
                # Sources skipped early or grown since construction still add exactly their size.
                self.bytes_read = read_before + entry.size

    # -- planning (construction time) ------------------------------------------------------

    def _plan_path(self, path: str) -> None:
        if path == STDIN:
            if any(isinstance(entry, _Source) and entry.path is None for entry in self._plan):
                raise CorpusError("standard input (-) is given more than once")
            stdin = _Source(display="stdin", id_base="stdin", kind=self._fmt or "sniff", gzipped=None, size=None)
            self._plan.append(stdin)
        elif os.path.isdir(path):
            self._plan_directory(path, path, "")
        elif os.path.exists(path):
            self._plan_named_file(path)
        elif os.path.islink(path):
            # Named but unreadable: reported like a walked file, and the run goes on.
            self._plan.append(Problem(fs_text(path), _describe_bad_link(path)))
        else:
            raise CorpusError(f"{fs_text(path)}: no such file or directory")

    def _plan_named_file(self, path: str) -> None:
        """A file named explicitly is always read; an unknown extension means its format is sniffed.

        One that cannot be read is a Problem, as in a walked folder: the other inputs are still read.
        """
        display = fs_text(path)
        self._note_file_name(path, display)
        if not os.access(path, os.R_OK):
            self._plan.append(Problem(display, "cannot read (permission denied)"))
            return
        try:
            info = os.stat(path)
        except OSError as exc:
            self._plan.append(Problem(display, f"cannot read ({exc.strerror or exc})"))
            return
        kind, gzipped = _kind_from_name(os.path.basename(path))
        if self._fmt is not None:
            kind, gzipped = self._fmt, gzipped or None
        self._plan.append(
            _Source(
                display=display,
                id_base=fs_text(os.path.basename(path)),
                kind=kind or "sniff",
                gzipped=gzipped if kind else None,
                size=info.st_size if stat.S_ISREG(info.st_mode) else None,
                path=path,
                modified=_file_date(info),
            )
        )

    def _plan_directory(self, root: str, directory: str, relative_prefix: str) -> None:
        """Depth-first in name order, so ids and problem reports come out the same on every run."""
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            if directory == root:
                raise CorpusError(f"{fs_text(root)}: cannot read directory ({exc.strerror or exc})") from exc
            self._plan.append(Problem(fs_text(directory), f"cannot read directory ({exc.strerror or exc})"))
            return

        for entry in entries:
            if entry.name.startswith("."):
                continue
            display = os.path.join(directory, entry.name)
            relative = relative_prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    self._plan_directory(root, display, relative + "/")
                elif entry.is_symlink() and entry.is_dir():
                    continue  # symlinked directories are not followed: they loop and duplicate
                elif entry.is_file():
                    self._plan_walked_file(entry, display, relative)
                elif entry.is_symlink():
                    self._plan.append(Problem(fs_text(display), _describe_bad_link(display)))
                else:
                    self._plan.append(Problem(fs_text(display), "not a regular file"))
            except OSError as exc:  # a symbolic link loop, a file gone while walking
                message = "symbolic link loop" if exc.errno == errno.ELOOP else f"cannot read ({exc.strerror or exc})"
                self._plan.append(Problem(fs_text(display), message))

    def _plan_walked_file(self, entry: os.DirEntry[str], path: str, relative: str) -> None:
        display, relative = fs_text(path), fs_text(relative)
        self._note_file_name(entry.name, fs_text(entry.name), display)
        kind, gzipped = _kind_from_name(entry.name)
        if self._fmt is not None:
            # Mirrors of web sites name pages "article.php?id=7" or nothing at all.
            kind, gzipped = self._fmt, gzipped or None
        if kind is None:
            self._plan.append(Problem(display, f"unsupported file type ({_describe_suffix(fs_text(entry.name))})"))
            return
        try:
            info = entry.stat()
        except OSError as exc:
            self._plan.append(Problem(display, f"cannot read ({exc.strerror or exc})"))
            return
        self._plan.append(
            _Source(
                display=display,
                id_base=relative,
                kind=kind,
                gzipped=gzipped,
                size=info.st_size,
                path=entry.path,
                modified=_file_date(info),
            )
        )

    def _note_file_name(self, name: str, shown: str, location: str | None = None) -> None:
        """A warning for a file name that is not UTF-8: its articles' ids and origins use ``shown``."""
        if has_surrogates(name):
            how = "decoded as Windows-1256" if "\\x" not in shown else "bytes written as \\xNN"
            self._plan.append(Problem(location or shown, f"file name is not UTF-8 ({how})", skipped=False))

    # -- reading (iteration time) -----------------------------------------------------------

    def _read_source(self, source: _Source) -> Iterator[Article | Problem]:
        with self._open_counted(source) as raw:
            stream: BinaryIO = io.BufferedReader(raw, _CHUNK_BYTES)  # type: ignore[arg-type]
            raw_head, stream = _peek(stream, _RAW_PEEK_BYTES)
            gzipped = source.gzipped
            if gzipped is None:
                gzipped = raw_head.startswith(_GZIP_MAGIC)
            if source.kind == "warc" or (source.kind == "sniff" and _starts_warc(raw_head, gzipped)):
                if not raw_head:
                    yield Problem(source.display, "empty file")
                    return
                # warcio reads the file as stored, so offsets point into it (gzip members included).
                yield from iter_warc(stream, origin=source.display, reopen=_reopener(source.path))
                return
            if gzipped:
                stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
            head, stream = _peek(stream, BINARY_SNIFF_BYTES)
            if looks_binary(head) and not _has_json_lines(head, source.kind) and not _has_rows(head, source.kind):
                yield Problem(source.display, "binary file")
                return
            kind = _kind_from_content(head, self._column_map) if source.kind == "sniff" else source.kind
            if kind == "json-array" or (kind == "jsonl" and _JSON_ARRAY_START.match(_head_text(head))):
                yield Problem(source.display, "a JSON array, not JSON Lines (one object per line; convert with: jq -c '.[]')")
                return
            if kind == "text":
                yield from _read_text(source, stream)
            elif kind == "html":
                yield from _read_html(source, stream)
            elif kind in ("csv", "tsv"):
                delimiter = "\t" if kind == "tsv" else None
                yield from iter_delimited(
                    stream, origin=source.display, id_prefix=source.id_base, delimiter=delimiter, column_map=self._column_map
                )
            else:
                # Splitting UTF-16 on b"\n" would cut characters in half, so it is decoded first.
                # Lines are read in chunks: one over the limit is dropped as it is read, never held.
                lines = bounded_lines(stream, encoding="utf-16" if has_utf16_bom(head) else None)
                yield from iter_jsonl(lines, origin=source.display, id_prefix=source.id_base)

    def _open_counted(self, source: _Source) -> _CountingReader:
        if source.path is None:
            stdin = self._stdin if self._stdin is not None else sys.stdin.buffer
            if isinstance(stdin, io.TextIOBase):
                stdin = stdin.buffer  # type: ignore[attr-defined]
            return _CountingReader(stdin, self._count, owns_stream=False)
        return _CountingReader(open(source.path, "rb", buffering=0), self._count, owns_stream=True)

    def _count(self, size: int) -> None:
        self.bytes_read += size


def read_corpus(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], **kwargs: Any) -> Iterator[Article]:
    """The Articles under ``paths``; see CorpusReader for the keyword arguments."""
    return iter(CorpusReader(paths, **kwargs))


def _read_text(source: _Source, stream: BinaryIO) -> Iterator[Article | Problem]:
    data = stream.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        yield Problem(source.display, f"too large for one article (over {MAX_ARTICLE_BYTES // 2**20} MiB)")
        return
    decoded = decode_bytes(data)
    if decoded.text is None:
        yield Problem(source.display, decoded.error or "undecodable file")
        return
    if decoded.warning:
        yield Problem(source.display, decoded.warning, skipped=False)
    article, problems = parse_article_text(decoded.text, id=source.id_base, origin=source.display)
    yield from problems
    if article is not None:
        yield article


def _read_html(source: _Source, stream: BinaryIO) -> Iterator[Article | Problem]:
    data = stream.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        yield Problem(source.display, f"too large for one article (over {MAX_ARTICLE_BYTES // 2**20} MiB)")
        return
    if not data.strip():
        yield Problem(source.display, "empty file")
        return
    article, problems = read_html_page(data, id=source.id_base, origin=source.display, fallback_date=source.modified)
    yield from problems
    if article is not None:
        yield article


def _kind_from_name(name: str) -> tuple[str | None, bool]:
    lowered = name.lower()
    gzipped = lowered.endswith(".gz")
    if gzipped:
        lowered = lowered[: -len(".gz")]
    return _SUFFIX_KINDS.get(os.path.splitext(lowered)[1]), gzipped


def _kind_from_content(head: bytes, column_map: Mapping[str, str | int] | None = None) -> str:
    """HTML by its first tag, JSON Lines by a leading "{", "json-array" by a leading "[{", CSV by a header
    naming a body column, else plain text."""
    text = _head_text(head)
    if _HTML_START.match(text):
        return "html"
    if text.lstrip().startswith("{"):
        return "jsonl"
    if _JSON_ARRAY_START.match(text):
        return "json-array"
    if looks_delimited(text.lstrip("\ufeff"), column_map):
        return "csv"
    return "text"


def _has_json_lines(head: bytes, kind: str) -> bool:
    """Whether a head with NUL bytes is JSON Lines all the same: then only its lines with NUL
    bytes are lost (see iter_jsonl), not the whole file. A file named as JSON Lines needs one
    line of its head to start as an object; any other, to start as one itself."""
    head = head.removeprefix(UTF8_BOM)
    if kind == "jsonl":
        return any(line.lstrip().startswith(b"{") for line in head.split(b"\n"))
    return kind == "sniff" and head.lstrip().startswith(b"{")


def _has_rows(head: bytes, kind: str) -> bool:
    """Whether a head with NUL bytes is CSV/TSV all the same: a header line that is text with a
    delimiter in it. Then only the rows with NUL bytes are lost (see csvfile), not the whole file."""
    if kind not in ("csv", "tsv"):
        return False
    first = head.removeprefix(UTF8_BOM).split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\0" not in text and any(delimiter in text for delimiter in ",;\t|")


def _head_text(head: bytes) -> str:
    if has_utf16_bom(head):
        return head.decode("utf-16", "ignore")
    return head.removeprefix(UTF8_BOM).decode("utf-8", "ignore")


def _describe_bad_link(path: str) -> str:
    """Why a symbolic link cannot be followed: it loops, or points at nothing."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"


def _starts_warc(raw_head: bytes, gzipped: bool) -> bool:
    """Whether a stream (gzip-compressed or not) begins with a WARC record."""
    if not gzipped:
        return raw_head.startswith(b"WARC/")
    try:
        return zlib.decompressobj(wbits=31).decompress(raw_head, 16).startswith(b"WARC/")
    except zlib.error:
        return False


def _reopener(path: str | None) -> Callable[[int], BinaryIO] | None:
    """Opens ``path`` again at a byte offset, for readers that resume after damage; None for stdin."""
    if path is None:
        return None

    def reopen(position: int) -> BinaryIO:
        stream = open(path, "rb")
        stream.seek(position)
        return stream

    return reopen


def _file_date(info: os.stat_result) -> dt.date | None:
    try:
        return dt.date.fromtimestamp(info.st_mtime)
    except (OverflowError, OSError, ValueError):
        return None


def _describe_suffix(name: str) -> str:
    suffixes = PurePath(name).suffixes
    if not suffixes:
        return "no extension"
    if suffixes[-1].lower() == ".gz" and len(suffixes) > 1:
        return "".join(suffixes[-2:])
    return suffixes[-1]


def _describe_read_error(exc: BaseException) -> str:
    if isinstance(exc, gzip.BadGzipFile):
        return "not a gzip file"
    if isinstance(exc, EOFError):
        return "truncated gzip file"
    if isinstance(exc, zlib.error):
        return f"corrupt gzip data ({exc})"
    if isinstance(exc, UnicodeDecodeError):
        return f"not {exc.encoding.upper()} text ({exc.reason})"
    if isinstance(exc, OSError):
        return f"cannot read ({exc.strerror or exc})"
    return str(exc)


def _peek(stream: BinaryIO, size: int) -> tuple[bytes, BinaryIO]:
    """The first ``size`` bytes and a stream that still yields them: sniffing must work on pipes too."""
    head = stream.read(size)
    return head, io.BufferedReader(_ReplayReader(head, stream), _CHUNK_BYTES)  # type: ignore[return-value]


class _ReplayReader(io.RawIOBase):
    def __init__(self, head: bytes, stream: BinaryIO):
        self._head = memoryview(head)
        self._stream = stream
        self._read = getattr(stream, "read1", stream.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _CountingReader(io.RawIOBase):
    """Reports each chunk taken from the underlying file, so progress follows the bytes on disk."""

    def __init__(self, stream: BinaryIO, on_read: Callable[[int], None], *, owns_stream: bool):
        self._stream = stream
        self._read = getattr(stream, "read1", stream.read)
        self._on_read = on_read
        self._owns_stream = owns_stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        self._on_read(len(data))
        return len(data)

    def close(self) -> None:
        if self._owns_stream and not self.closed:
            self._stream.close()
        super().close()
