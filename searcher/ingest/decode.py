"""Turning the bytes of an input file (or one JSON line) into text, without ever raising.

Archives of Arabic news come from many tools: UTF-8 with or without a BOM, UTF-16
exported from Windows editors, and old Windows-1256 (Arabic ANSI) files. Each is
accepted when it can be recognised with confidence; everything else is refused with
a reason the user can act on.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

#: The largest article read, as a text file or as one JSON line: anything
#: bigger is not a news article, and would stall the indexer for minutes.
MAX_ARTICLE_BYTES = 16 * 1024 * 1024

#: The message of a record (a line, a row, a page, a file) over MAX_ARTICLE_BYTES.
TOO_LARGE = f"too large for one article (over {MAX_ARTICLE_BYTES // 2**20} MiB)"

#: How much of a file is looked at to decide whether it is binary.
BINARY_SNIFF_BYTES = 8192

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ARABIC_RANGES = (
    ("\u0600", "\u06ff"),  # Arabic
    ("\u0750", "\u077f"),  # Arabic Supplement
    ("\u08a0", "\u08ff"),  # Arabic Extended-A
    ("\ufb50", "\ufdff"),  # Presentation Forms-A
    ("\ufe70", "\ufeff"),  # Presentation Forms-B
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """The outcome of decoding: ``text`` is None exactly when ``error`` says why it was refused."""

    text: str | None
    warning: str | None = None
    error: str | None = None


def has_utf16_bom(data: bytes) -> bool:
    return data.startswith(UTF16_BOMS)


def looks_binary(head: bytes) -> bool:
    """NUL bytes never occur in UTF-8 or Windows-1256 text, but do in UTF-16, hence the BOM exception."""
    return not has_utf16_bom(head) and b"\0" in head[:BINARY_SNIFF_BYTES]


def clean_controls(text: str) -> str:
    """Replace C0 control characters (except tab and line breaks), DEL and C1 controls with a space.

    They come from copy-pasted PDFs and broken exports and would otherwise end up in
    terminal output (ESC and U+009B start terminal escape sequences) and in index terms.
    """
    return _CONTROL_CHARS.sub(" ", text)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds lone surrogates (from JSON ``\\ud800`` escapes or undecodable file names)."""
    return _SURROGATES.search(text) is not None


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD: it can then be encoded, stored and searched.

    >>> replace_surrogates("a \\ud800 b")
    'a \\ufffd b'
    """
    return _SURROGATES.sub("\ufffd", text)


def fs_text(name: str) -> str:
    """A file name (as ``os.fsdecode`` gives it) as valid text, to use in ids, origins and messages.

    Names that are not UTF-8 (Latin-1 or Windows-1256 names from Windows zip
    files) reach Python with their bad bytes as lone surrogates, which no text
    field can store. A name that reads as mostly Arabic in Windows-1256 is
    decoded so; any other undecodable byte is written as ``\\xNN``, so that
    different names stay different. A path is decoded name by name.

    >>> fs_text("caf\\udce9.txt")
    'caf\\\\xe9.txt'
    """
    if not has_surrogates(name):
        return name
    if "/" in name:  # each folder and file name on its own: a path's ASCII folders must not outvote Arabic
        return "/".join(fs_text(part) for part in name.split("/"))
    try:
        data = os.fsencode(name)
    except UnicodeError:  # surrogates that are not escaped bytes
        return replace_surrogates(name)
    if not _mostly_utf8(data):
        legacy = _decode_windows_1256(data)
        if legacy is not None:
            return legacy
    return replace_surrogates(data.decode("utf-8", "backslashreplace"))


def decode_bytes(data: bytes, *, detect_binary: bool = True, clean: bool = True) -> Decoded:
    """Decode a whole file (or, with ``detect_binary=False``, one JSON line) to text.

    UTF-16 needs its BOM; a UTF-8 BOM is dropped; invalid UTF-8 that reads as mostly
    Arabic letters in Windows-1256 is accepted with a warning.
    """
    if has_utf16_bom(data):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            return Decoded(None, error=f"not UTF-16 text ({exc.reason} at offset {exc.start + 2})")
        return Decoded(clean_controls(text) if clean else text)

    bom_length = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    data = data[bom_length:]
    if detect_binary and looks_binary(data):
        return Decoded(None, error="binary file")
    warning = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        legacy = _decode_windows_1256(data)
        if legacy is None:
            return Decoded(None, error=f"not UTF-8 text (invalid byte at offset {exc.start + bom_length})")
        text, warning = legacy, "decoded as Windows-1256"
    return Decoded(clean_controls(text) if clean else text, warning=warning)


def _decode_windows_1256(data: bytes) -> str | None:
    """The Windows-1256 reading of ``data`` if it is plausibly Arabic text in that encoding, else None."""
    if _mostly_utf8(data):
        return None
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        return None
    letters = [char for char in text if char.isalpha()]
    arabic = sum(1 for char in letters if _is_arabic(char))
    return text if arabic * 2 > len(letters) else None


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few damaged bytes must not be misread as Windows-1256 mojibake.

    Genuine Windows-1256 Arabic almost never forms valid multi-byte UTF-8 sequences,
    so more valid non-ASCII characters than invalid bytes means damaged UTF-8.
    """
    lenient = data.decode("utf-8", "replace")
    invalid = lenient.count("\ufffd")
    valid_non_ascii = sum(1 for char in lenient if char > "\x7f") - invalid
    return valid_non_ascii > invalid


def _is_arabic(char: str) -> bool:
    return any(low <= char <= high for low, high in _ARABIC_RANGES)


@dataclass(frozen=True, slots=True)
class TooLong:
    """Stands for a line over the limit in ``bounded_lines``: its bytes were dropped while reading."""

    def __len__(self) -> int:
        return MAX_ARTICLE_BYTES + 1


def bounded_lines(stream: BinaryIO, *, encoding: str | None = None, chunk_bytes: int = 64 * 1024) -> Iterator[bytes | str | TooLong]:
    """The lines of a stream (bytes, or text decoded from ``encoding``), each at most one article long.

    Iterating a file object reads a whole line however long it is: one line of a
    gzip bomb fills the memory. Here a line is read in chunks and, once it passes
    MAX_ARTICLE_BYTES, dropped as it goes and stood for by a TooLong: memory stays
    bounded whatever the input.

    >>> import io
    >>> list(bounded_lines(io.BytesIO(b"a\\nbc")))
    [b'a\\n', b'bc']
    """
    chunks: Iterable[bytes | str] = iter(lambda: stream.read(chunk_bytes), b"")
    newline: bytes | str = b"\n"
    limit = MAX_ARTICLE_BYTES
    if encoding is not None:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        chunks = _decoded(chunks, decoder)  # type: ignore[arg-type]
        newline, limit = "\n", MAX_ARTICLE_BYTES // 2
    for line, oversized in split_lines(chunks, newline, limit):
        yield TooLong() if oversized else line


def _decoded(chunks: Iterable[bytes], decoder: codecs.IncrementalDecoder) -> Iterator[str]:
    for chunk in chunks:
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def split_lines(chunks: Iterable, newline, limit: int) -> Iterator[tuple]:
    """(line, oversized) for each line of a chunked bytes or str stream; an oversized line is dropped, not held."""
    empty = newline[:0]
    pending: list = []
    pending_size = 0
    oversized = False
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(newline, start)
            if end < 0:
                if not oversized:
                    pending.append(chunk[start:])
                    pending_size += len(chunk) - start
                    if pending_size > limit:
                        oversized, pending, pending_size = True, [], 0
                break
            if oversized:
                yield empty, True
            else:
                yield empty.join(pending) + chunk[start : end + 1], False
            pending, pending_size, oversized = [], 0, False
            start = end + 1
    if oversized:
        yield empty, True
    elif pending_size:
        yield empty.join(pending), False
