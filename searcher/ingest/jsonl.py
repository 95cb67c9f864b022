"""JSON Lines corpora: one article object per line, ``id, title, date, source, category, url, body``.

Lines are taken one at a time from any iterable (a binary file, a gzip stream, a
text wrapper), so a multi-gigabyte file is never held in memory. Each bad line
becomes a Problem at ``path:line`` and reading goes on with the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from searcher.ingest.decode import (
    MAX_ARTICLE_BYTES,
    TOO_LARGE,
    UTF8_BOM,
    TooLong,
    clean_controls,
    decode_bytes,
    has_surrogates,
    replace_surrogates,
)
from searcher.models import Article, Problem

_OPTIONAL_TEXT_FIELDS = ("source", "category", "url")
# A full ISO datetime ("2019-02-27T14:02:00Z") counts for its date.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)", re.ASCII)


class _Skip(Exception):
    """The record cannot be indexed; the message is the reason shown to the user."""


def iter_jsonl(lines: Iterable[bytes | str | TooLong], *, origin: str, id_prefix: str) -> Iterator[Article | Problem]:
    """Yield the Articles of a JSON Lines stream, and a Problem for each bad line.

    ``origin`` names the file in locations ("news.jsonl:7"); ``id_prefix`` builds the
    id of records without one ("<id_prefix>:<line>"). A line holding a NUL byte
    is skipped on its own (JSON text never has one); a stream without a single
    record is reported as empty.
    """
    records = 0
    for number, line in enumerate(lines, start=1):
        location = f"{origin}:{number}"
        if isinstance(line, TooLong) or len(line) > MAX_ARTICLE_BYTES:
            records += 1
            yield Problem(location, TOO_LARGE)
            continue
        if isinstance(line, bytes):
            if number == 1 and line.startswith(UTF8_BOM):
                line = line[len(UTF8_BOM) :]
            if not line.strip():
                continue
            records += 1
            if b"\0" in line:
                yield Problem(location, "binary data (NUL byte) in line")
                continue
            decoded = decode_bytes(line, detect_binary=False, clean=False)
            if decoded.text is None:
                yield Problem(location, decoded.error or "undecodable line")
                continue
            if decoded.warning:
                yield Problem(location, decoded.warning, skipped=False)
            text = decoded.text
        else:
            text = line.lstrip("\ufeff") if number == 1 else line
            if not text.strip():
                continue
            records += 1
            if "\0" in text:
                yield Problem(location, "binary data (NUL byte) in line")
                continue
        article, problems = parse_record(text, location=location, fallback_id=f"{id_prefix}:{number}")
        yield from problems
        if article is not None:
            yield article
    if records == 0:
        yield Problem(origin, "empty file")


def parse_record(line: str, *, location: str, fallback_id: str) -> tuple[Article | None, list[Problem]]:
    """Parse one JSON line into an Article, or None with a skipped Problem saying why."""
    try:
        record = json.loads(line, strict=False)  # raw control characters are cleaned below, not refused
    except json.JSONDecodeError as exc:
        # Some of json's messages end in "at" ("Unterminated string starting at"): no "at at".
        return None, [Problem(location, f"invalid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})")]
    except RecursionError:
        return None, [Problem(location, "invalid JSON (nested too deeply)")]
    except ValueError as exc:  # e.g. an integer literal with thousands of digits
        return None, [Problem(location, f"invalid JSON ({exc})")]

    if not isinstance(record, dict):
        return None, [Problem(location, f"not a JSON object but {_json_type(record)}")]
    warnings = []
    if "\\u" in line:
        record, replaced = _replace_surrogates(record)
        if replaced:
            fields = ", ".join(repr(name) for name in replaced)
            warnings.append(Problem(location, f"lone surrogate escapes replaced with U+FFFD (in {fields})", skipped=False))
    try:
        article, problems = _to_article(record, location=location, fallback_id=fallback_id)
    except _Skip as exc:
        return None, [*warnings, Problem(location, str(exc))]
    return article, warnings + problems


def _replace_surrogates(record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The record with lone surrogates (``"\\ud800"`` escapes: half of a UTF-16 pair) in its
    keys and string values replaced by U+FFFD, and the fields where that happened.

    Such text cannot be encoded, stored or printed; the rest of the article is
    good, so it is indexed with the replacement character, and a warning.
    """
    replaced: list[str] = []
    clean: dict[str, Any] = {}
    for key, value in record.items():
        name = key
        if has_surrogates(key):
            name = replace_surrogates(key)
            replaced.append(name)
        if isinstance(value, str) and has_surrogates(value):
            value = replace_surrogates(value)
            if name not in replaced:
                replaced.append(name)
        clean[name] = value
    return clean, replaced


def _to_article(record: dict[str, Any], *, location: str, fallback_id: str) -> tuple[Article, list[Problem]]:
    if "body" not in record:
        raise _Skip("missing field 'body'")
    body = clean_controls(_optional_text(record, "body") or "")
    title = " ".join(clean_controls(_optional_text(record, "title") or "").split())
    if not title and not body.strip():
        raise _Skip("empty article")
    extras = {}
    for name in _OPTIONAL_TEXT_FIELDS:
        value = clean_controls(_optional_text(record, name) or "").strip()
        extras[name] = value or None

    problems: list[Problem] = []
    date = _parse_date(record.get("date"))
    if date is _INVALID:
        shown = json.dumps(record["date"], ensure_ascii=False)
        problems.append(Problem(location, f"invalid date {shown}", skipped=False))
        date = None

    article = Article(
        id=_record_id(record.get("id"), fallback_id),
        title=title,
        body=body,
        date=date,
        origin=location,
        **extras,
    )
    return article, problems


def _optional_text(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise _Skip(f"field '{name}' must be a string, not {_json_type(value)}")
    return value


def _record_id(value: Any, fallback_id: str) -> str:
    """The record's own id (an integer id is stringified); blank or missing ids fall back to path:line."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return fallback_id
    if isinstance(value, str):
        return clean_controls(value)
    raise _Skip(f"field 'id' must be a string or an integer, not {_json_type(value)}")


_INVALID = object()


def _parse_date(value: Any) -> dt.date | None | object:
    """A date, None when absent, or ``_INVALID`` (the caller warns and indexes without a date)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return _INVALID
    match = _ISO_DATE.match(value.strip())
    if match is None:
        return _INVALID
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return _INVALID


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
