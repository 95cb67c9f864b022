"""The users' plain-text article format, as saved from news sites.

::

    <title>
    تاريخ النشر: 27.02.2019 | 14:02 دمشق      (optional date line)
    <source>                                  (only when the date line is there)
    <body paragraphs>
    مقالات مقترحة                              (optional; the lines after it are related headlines)

Parsing is pure: text in, an Article and the Problems found out.
"""

from __future__ import annotations

import datetime as dt
import re

from searcher.models import Article, Problem

#: Lines that end the article body; what follows is the site's list of other headlines.
RELATED_MARKERS = frozenset(
    {
        "مقالات مقترحة",
        "مقالات ذات صلة",
        "اقرأ أيضا",
        "اقرأ أيضاً",
        "اقرأ أيضًا",  # the tanween may be typed before or after the alif
    }
)

_DATE_LABEL = re.compile(r"^تاريخ\s+النشر\s*[:：]?\s*")
# \d also matches Arabic-Indic (٠-٩) and Persian (۰-۹) digits; int() reads them all.
_DATE = re.compile(r"(\d{1,4})\s*[./\-٫]\s*(\d{1,2})\s*[./\-٫]\s*(\d{1,4})")
_TIME = re.compile(r"(\d{1,2})\s*:\s*(\d{1,2})")
_LEADING_SEPARATORS = re.compile(r"^[\s|\-–،]+")
_TRAILING_SEPARATORS = re.compile(r"[\s|\-–،]+$")


def parse_article_text(text: str, *, id: str, origin: str) -> tuple[Article | None, list[Problem]]:
    """Parse one plain-text article; None (with a skipped Problem) when there is nothing to index."""
    if not text.strip():
        return None, [Problem(origin, "empty file")]

    lines = text.splitlines()
    position = _next_content_line(lines, 0)
    title = _one_line(lines[position])
    position += 1

    problems: list[Problem] = []
    date = time = place = source = None
    date_position = _next_content_line(lines, position)
    if date_position < len(lines) and _DATE_LABEL.match(lines[date_position].lstrip()):
        date_line = lines[date_position].strip()
        date, time, place, problems = _parse_date_line(date_line, f"{origin}:{date_position + 1}")
        position = date_position + 1
        source_position = _next_content_line(lines, position)
        if source_position < len(lines) and not _is_related_marker(lines[source_position]):
            source = _one_line(lines[source_position])
            position = source_position + 1

    body_lines, related = _split_related(lines[position:])
    article = Article(
        id=id,
        title=title,
        body=_tidy_body(body_lines),
        date=date,
        time=time,
        place=place,
        source=source,
        related=related,
        origin=origin,
    )
    return article, problems


def _parse_date_line(
    line: str, location: str
) -> tuple[dt.date | None, str | None, str | None, list[Problem]]:
    """Read ``تاريخ النشر: DD.MM.YYYY | HH:MM place``; every part after the label is optional."""
    rest = _DATE_LABEL.sub("", line, count=1)
    date_match = _DATE.match(rest)
    if date_match is None:
        return None, None, None, [Problem(location, f"unrecognised date line: {line}", skipped=False)]

    problems: list[Problem] = []
    date = _to_date(*date_match.groups())
    if date is None:
        problems.append(Problem(location, f"impossible date {date_match.group(0)}", skipped=False))

    rest = _LEADING_SEPARATORS.sub("", rest[date_match.end() :])
    time = None
    time_match = _TIME.match(rest)
    if time_match is not None:
        hours, minutes = int(time_match.group(1)), int(time_match.group(2))
        if hours < 24 and minutes < 60:
            time = f"{hours:02d}:{minutes:02d}"
        else:
            problems.append(Problem(location, f"impossible time {time_match.group(0)}", skipped=False))
        rest = rest[time_match.end() :]
    place = _one_line(_TRAILING_SEPARATORS.sub("", _LEADING_SEPARATORS.sub("", rest))) or None
    return date, time, place, problems


def _to_date(first: str, middle: str, last: str) -> dt.date | None:
    """Day-first as the sites print it, or year-first (ISO order); None if impossible."""
    if len(last) == 4:
        day, month, year = int(first), int(middle), int(last)
    elif len(first) == 4:
        year, month, day = int(first), int(middle), int(last)
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _split_related(lines: list[str]) -> tuple[list[str], tuple[str, ...]]:
    for index, line in enumerate(lines):
        if _is_related_marker(line):
            related = tuple(
                stripped
                for stripped in (other.strip() for other in lines[index + 1 :])
                if stripped and not _is_related_marker(stripped)
            )
            return lines[:index], related
    return lines, ()


def _is_related_marker(line: str) -> bool:
    return line.strip().rstrip(":").strip() in RELATED_MARKERS


def _tidy_body(lines: list[str]) -> str:
    """Keep paragraphs; collapse blank runs (including lines of only NBSPs) to one blank line."""
    tidy: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    while tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy)


def _next_content_line(lines: list[str], start: int) -> int:
    """Index of the first non-blank line at or after ``start``; ``len(lines)`` if none."""
    position = start
    while position < len(lines) and not lines[position].strip():
        position += 1
    return position


def _one_line(text: str) -> str:
    return " ".join(text.split())
