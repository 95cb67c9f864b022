"""Web captures in WARC files (``.warc``, ``.warc.gz``): one article per captured HTML page.

Web archiving tools (Heritrix, wget --warc-file, Browsertrix, the Internet
Archive) store every request and response of a crawl as WARC records. Each
response or resource record holding an HTML page with HTTP status 200 is read as
a saved page (see ``htmlpage``): its id is the record's WARC-Target-URI, its
date the page's own, else the capture date (WARC-Date). Everything else is the
crawl's own bookkeeping (warcinfo, request, metadata records: ignored) or is not
an article (images, scripts, redirects, errors, revisits, pages without a story
such as section fronts: counted, and reported once per file as a warning, because
every real crawl holds them).

Records are read one at a time with warcio, so a file of any size streams; a
page is read whole only up to the size of one article. A broken record is
reported at ``file@offset`` (its byte offset in the file, as CDX indexes and
``warcio extract`` use) and, when the file can be reopened, reading resumes at
the next record found after it.
"""

from __future__ import annotations

import collections
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass
from functools import cache
from typing import Any, BinaryIO

from searcher.ingest.dates import parse_date
from searcher.ingest.decode import MAX_ARTICLE_BYTES
from searcher.ingest.htmlpage import NO_STORY, read_html_page
from searcher.models import Article, Problem

#: Media types read as pages.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Media types that may hide a page (servers that do not say): the content decides.
UNLABELLED_TYPES = frozenset({"", "application/octet-stream", "unknown/unknown"})
#: Records that describe the crawl rather than capture anything: never counted.
BOOKKEEPING_TYPES = frozenset({"warcinfo", "request", "metadata", "conversion", "continuation"})

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = re.compile(rb"(?:^|\n)WARC/1\.[01]\r?\n")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
_SCAN_BYTES = 1024 * 1024
_WHOLE_FILE_GZIP = "non-chunked gzip"
_TRUNCATED = "truncated record (the file ends inside it)"
# Raised by warcio and the decompressors under it when a record is damaged; warcio
# also fails with AttributeError, TypeError and friends on records missing headers.
_RECORD_ERRORS = (zlib.error, EOFError, OSError, ValueError, UnicodeDecodeError)
_MALFORMED_ERRORS = (*_RECORD_ERRORS, AttributeError, TypeError, KeyError, IndexError)
#: Brotli input is fed in slices this small, so one call cannot inflate it without bound.
_BROTLI_SLICE = 4096

#: The most a record's block of header lines (WARC or HTTP) may hold: real ones hold a few KB.
MAX_HEADER_BYTES = 1024 * 1024
_READ_BLOCK = 16384  # warcio's own block size

#: Opens the WARC file again, positioned at the given byte offset (None for standard input).
Reopen = Callable[[int], BinaryIO]


def iter_warc(stream: BinaryIO, *, origin: str, reopen: Reopen | None = None) -> Iterator[Article | Problem]:
    """Yield an Article per HTML page captured in a WARC stream, and Problems for what is wrong.

    ``stream`` is the file as stored (gzip-compressed record by record, or not at
    all); ``reopen`` lets reading resume after a damaged record, and read a WARC
    that was gzipped as a whole.
    """
    not_pages: collections.Counter[str] = collections.Counter()
    segment = _Segment(stream, skip=0)
    while segment is not None:
        try:
            failure = yield from _read_segment(segment, origin, not_pages)
        finally:
            for opened in segment.opened:
                opened.close()
        segment = yield from _next_segment(failure, origin, reopen)
    if not_pages:
        total = sum(not_pages.values())
        kinds = ", ".join(f"{label} {count:,}" for label, count in not_pages.most_common())
        yield Problem(origin, f"{total:,} captures are not articles, not indexed ({kinds})", skipped=False)


@dataclass(slots=True)
class _Segment:
    """A stretch of the file read by one warcio iterator."""

    stream: BinaryIO
    skip: int  # records already read (after reopening a whole-file gzip)
    opened: tuple[BinaryIO, ...] = ()  # files opened for this segment, closed after it
    resyncing: bool = False  # started at a guessed record boundary after damage
    uncompressed: bool = False


@dataclass(frozen=True, slots=True)
class _Failure:
    offset: int
    message: str
    records_read: int
    resyncing: bool
    uncompressed: bool


def _read_segment(
    segment: _Segment, origin: str, not_pages: collections.Counter[str]
) -> Iterator[Article | Problem]:
    """Read records until the end (returns None) or a record warcio cannot parse (returns a _Failure)."""
    warcio = _warcio()
    records = warcio.ArchiveIterator(segment.stream)
    # warcio reads header lines whole, however long: one line of a gzip bomb fills the memory.
    records.reader = warcio.BoundedReader(records.fh, block_size=_READ_BLOCK)
    iterator = iter(records)
    read = 0
    while True:
        warnings = io.StringIO()
        try:
            with redirect_stderr(warnings):  # warcio prints some warnings itself
                record = next(iterator)
        except StopIteration:
            if _position(records.fh) > records.offset:
                # warcio ends quietly at a record cut short by the end of the file.
                return _Failure(records.offset, _TRUNCATED, read, segment.resyncing, segment.uncompressed)
            return None
        except (warcio.ArchiveLoadFailed, warcio.StatusAndHeadersParserException, *_MALFORMED_ERRORS) as exc:
            message = _TRUNCATED if _at_end(records) else _describe(exc)
            return _Failure(records.offset, message, read, segment.resyncing, segment.uncompressed)
        offset = records.offset
        read += 1
        if read <= segment.skip:
            continue
        segment.resyncing = False
        location = f"{origin}@{offset}"
        if warnings.getvalue().strip():
            yield Problem(location, "the record before ends early (its Content-Length is wrong)", skipped=False)
        yield from _read_record(record, location, not_pages)


def _next_segment(failure: _Failure | None, origin: str, reopen: Reopen | None) -> Iterator[Problem]:
    """Where reading goes on after a failure: a whole-file gzip is reopened decompressed, damage is skipped."""
    if failure is None:
        return None
    if _WHOLE_FILE_GZIP in failure.message and not failure.uncompressed:
        if reopen is None:
            yield Problem(
                origin, "a WARC gzipped as one file cannot be read from standard input; give its name, or pipe it through zcat"
            )
            return None
        # Offsets then count uncompressed bytes: such a file has no per-record ones.
        file = reopen(0)
        whole = gzip.GzipFile(fileobj=file, mode="rb")
        return _Segment(whole, skip=failure.records_read, opened=(whole, file), uncompressed=True)
    if not failure.resyncing:
        yield Problem(f"{origin}@{max(failure.offset, 0)}", failure.message)
    if reopen is None and failure.message == _TRUNCATED:
        return None
    if reopen is None or failure.uncompressed:
        if not failure.resyncing:
            yield Problem(origin, "the rest is not read: only a named, record-by-record file can be searched for the next record")
        return None
    position = _find_record_start(reopen, max(failure.offset, 0) + 1)
    if position is None:
        return None
    file = reopen(position)
    return _Segment(file, skip=0, opened=(file,), resyncing=True)


def _find_record_start(reopen: Reopen, start: int) -> int | None:
    """The offset of the next gzip member or "WARC/1.x" line at or after ``start``, scanning in chunks."""
    with reopen(0) as probe:
        gzipped = probe.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC
    with reopen(start) as stream:
        position = start
        carry = b""
        while True:
            chunk = stream.read(_SCAN_BYTES)
            if not chunk:
                return None
            data = carry + chunk
            base = position - len(carry)
            if gzipped:
                found = data.find(_GZIP_MAGIC)
                if found >= 0:
                    return base + found
            else:
                match = _WARC_LINE.search(data)
                if match is not None:
                    return base + match.start() + (1 if data[match.start() : match.start() + 1] == b"\n" else 0)
            carry = data[-16:]
            position += len(chunk)


def _read_record(record: Any, location: str, not_pages: collections.Counter[str]) -> Iterator[Article | Problem]:
    kind = record.rec_type
    if kind in BOOKKEEPING_TYPES:
        return
    if kind not in ("response", "resource"):
        not_pages[kind or "unknown record type"] += 1
        return
    http = record.http_headers if kind == "response" else None
    if kind == "response" and http is None:
        not_pages[_media_type(record.rec_headers.get_header("Content-Type"))[0] or "no HTTP headers"] += 1
        return
    if http is not None:
        status = http.get_statuscode() or ""
        if status != "200":
            not_pages[f"HTTP {status}" if status.isdigit() else "unreadable HTTP status"] += 1
            return
        media_type, charset = _media_type(http.get_header("Content-Type"))
    else:
        media_type, charset = _media_type(record.rec_headers.get_header("Content-Type"))
    if media_type not in HTML_TYPES and media_type not in UNLABELLED_TYPES:
        not_pages[media_type] += 1
        return

    try:
        data = _read_payload(record, http)
    except _PayloadProblem as problem:
        yield Problem(location, str(problem))
        return
    except _MALFORMED_ERRORS as exc:
        yield Problem(location, f"unreadable page ({_describe(exc)})")
        return
    if media_type in UNLABELLED_TYPES and not _HTML_START.match(data[:4096]):
        not_pages[media_type or "no media type"] += 1
        return

    target = record.rec_headers.get_header("WARC-Target-URI")
    captured = record.rec_headers.get_header("WARC-Date")
    article, problems = read_html_page(
        data,
        id=target or location,
        origin=location,
        url=target,
        http_charset=charset,
        fallback_date=capture_date(captured),
    )
    if article is None and problems and problems[-1].message == NO_STORY:
        # A crawl holds section fronts and link pages besides articles: counted, not an error.
        not_pages["HTML without a story"] += 1
        return
    yield from problems
    if article is not None:
        yield article


class _PayloadProblem(Exception):
    """The page cannot be read from its record; the message says why."""


def _read_payload(record: Any, http: Any) -> bytes:
    """The page's bytes with transfer and content encodings undone, at most one article's worth."""
    too_large = _PayloadProblem(f"too large for one article (over {MAX_ARTICLE_BYTES // 2**20} MiB)")
    encoding = (http.get_header("Content-Encoding") or "").strip().lower() if http is not None else ""
    if encoding == "br":
        # warcio's own brotli support expects the long-gone brotlipy and fails with Google's brotli.
        chunked = (http.get_header("Transfer-Encoding") or "").lower() == "chunked"
        stream = _warcio().ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream
        data = _unbrotli(stream.read(MAX_ARTICLE_BYTES + 1), too_large)
    else:
        data = record.content_stream().read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        raise too_large
    while record.raw_stream.read(_SCAN_BYTES):
        pass  # a record cut short leaves part of its declared length unread
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise _PayloadProblem(_TRUNCATED)
    return data


def _unbrotli(data: bytes, too_large: Exception) -> bytes:
    try:
        import brotli
    except ImportError:
        raise _PayloadProblem("compressed with brotli: install the brotli package to read it") from None
    decompressor = brotli.Decompressor()
    parts, size = [], 0
    try:
        for start in range(0, len(data), _BROTLI_SLICE):
            part = decompressor.process(data[start : start + _BROTLI_SLICE])
            size += len(part)
            if size > MAX_ARTICLE_BYTES:
                raise too_large
            parts.append(part)
    except brotli.error as exc:
        raise _PayloadProblem(f"corrupt brotli data ({exc})") from None
    return b"".join(parts)


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """("text/html", "windows-1256") from "text/html; charset=windows-1256".

    >>> _media_type('Text/HTML; Charset="UTF-8"')
    ('text/html', 'UTF-8')
    """
    if not content_type:
        return "", None
    media_type, _, parameters = content_type.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _describe(exc: BaseException) -> str:
    """A one-line reason; warcio's own messages quote raw bytes, which are left out."""
    text = " ".join(str(exc).split())
    if "non-chunked gzip" in text:
        return _WHOLE_FILE_GZIP
    if isinstance(exc, EOFError):
        return _TRUNCATED
    if isinstance(exc, zlib.error):
        return f"damaged WARC record (corrupt gzip data: {text})"
    if "Invalid WARC record" in text or "Unknown archive format" in text:
        return "damaged WARC record (no WARC header where one should start)"
    return f"damaged WARC record ({text.split(':')[0][:80] or type(exc).__name__})"


def _at_end(records: Any) -> bool:
    """Whether warcio failed with nothing left to read: the record was cut short, not damaged."""
    try:
        return records.reader is not None and records.reader.empty() and not records.fh.read(1)
    except (OSError, ValueError, AttributeError):
        return False


def _position(stream: Any) -> int:
    """How far warcio has read into its input (its read-ahead included); 0 if unknown."""
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


@dataclass(frozen=True)
class _Warcio:
    ArchiveIterator: Any
    ArchiveLoadFailed: type[Exception]
    StatusAndHeadersParserException: type[Exception]
    ChunkedDataReader: Any
    BoundedReader: Any


@cache
def _warcio() -> _Warcio:
    """warcio, imported on first use (only WARC input needs it)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import ChunkedDataReader
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    from warcio.bufferedreaders import DecompressingBufferedReader

    class BoundedReader(DecompressingBufferedReader):  # type: ignore[misc,valid-type]
        """warcio's reader, with header lines read up to MAX_HEADER_BYTES per block (up to a blank line)."""

        _header_bytes = 0

        def readline(self, length: int | None = None) -> bytes:
            budget = MAX_HEADER_BYTES - self._header_bytes
            line = super().readline(budget + 1 if length is None else min(length, budget + 1))
            if not line.strip():
                self._header_bytes = 0
            else:
                self._header_bytes += len(line)
                if self._header_bytes > MAX_HEADER_BYTES:
                    self._header_bytes = 0
                    raise ValueError(f"header lines over {MAX_HEADER_BYTES // 2**20} MiB")
            return line

        def read(self, length: int | None = None) -> bytes:
            self._header_bytes = 0
            return super().read(length)

        def read_next_member(self) -> bool:
            self._header_bytes = 0
            return super().read_next_member()

    return _Warcio(ArchiveIterator, ArchiveLoadFailed, StatusAndHeadersParserException, ChunkedDataReader, BoundedReader)


def capture_date(warc_date: str | None) -> dt.date | None:
    """The day a record was captured, from its WARC-Date.

    >>> capture_date("2019-02-27T14:02:00Z")
    datetime.date(2019, 2, 27)
    """
    return parse_date(warc_date) if warc_date else None
