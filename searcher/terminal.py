"""Untrusted text made safe to print on a terminal: one helper for every place that does.

File names, titles, sources and ids come from the input. A control character in
them can rewrite the screen (ESC and U+009B start escape sequences), a carriage
return or newline can forge or split a line, and a lone surrogate (a file name
that is not UTF-8) cannot even be encoded. :func:`printable` shows each of them
as a visible escape instead; everything else, Arabic included, is left alone.
"""

from __future__ import annotations

import dataclasses
import re

from .models import Hit, Snippet

__all__ = ["printable", "printable_hit", "has_surrogates"]

# C0 controls but tab and newline, DEL, C1 controls (U+0080-U+009F, U+009B among them), lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, and tab, newline and the Unicode line and paragraph separators too: one problem, one line.
_UNSAFE_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\x1b"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with control characters and lone surrogates written as visible escapes.

    Tabs and newlines are kept, unless ``one_line`` (problem and error lines,
    where a file name with a newline must not start a second line).

    >>> printable("a\\x1b[31mb\\x9bc")
    'a\\\\x1b[31mb\\\\x9bc'
    >>> printable("bad\\nname\\udce9.txt", one_line=True)
    'bad\\\\nname\\\\xe9.txt'
    """
    pattern = _UNSAFE_IN_LINE if one_line else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds lone surrogates: an argument or file name that is not UTF-8."""
    return _SURROGATES.search(text) is not None


def printable_hit(hit: Hit) -> Hit:
    """A hit whose shown fields are :func:`printable`; the snippet's marked spans still fit its text."""
    changes: dict[str, object] = {}
    for name in ("id", "title", "source", "category", "date"):
        value = getattr(hit, name)
        if isinstance(value, str):
            shown = printable(value)
            if shown != value:
                changes[name] = shown
    snippet = hit.snippet
    if snippet is not None and _UNSAFE.search(snippet.text) is not None:
        changes["snippet"] = _printable_snippet(snippet)
    return dataclasses.replace(hit, **changes) if changes else hit


def _printable_snippet(snippet: Snippet) -> Snippet:
    """Escape the text piece by piece between span edges, moving the spans with it."""
    edges = sorted({0, len(snippet.text), *(edge for span in snippet.spans for edge in span)})
    moved: dict[int, int] = {}
    pieces: list[str] = []
    length = 0
    for start, end in zip(edges, edges[1:]):
        moved[start] = length
        piece = printable(snippet.text[start:end])
        pieces.append(piece)
        length += len(piece)
    moved[edges[-1]] = length
    spans = tuple((moved[start], moved[end]) for start, end in snippet.spans)
    return Snippet("".join(pieces), spans)
