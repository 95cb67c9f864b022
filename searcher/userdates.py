"""Dates as users type them in ``--since``, ``--until`` and ``date:``: one place that reads them.

Whatever the digits (ASCII, Arabic-Indic ٠-٩, Persian ۰-۹ or any other
decimal digits) and whatever the order, the result is the ISO prefix the
index compares: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. Accepted:

* year first: ``2017``, ``2017-03``, ``2017-03-15`` (also with ``/`` or ``.``);
* day first, as Arabic sites and the CSV reader write them: ``15/03/2017``,
  ``15-03-2017``, ``15.03.2017``, and month-year ``03/2017``. Month first
  (``03/15/2017``) is read only when day first is not a valid date, as in
  ``searcher.ingest.dates``.

Anything else raises ``QuerySyntaxError`` naming the value and the forms.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .errors import QuerySyntaxError

#: Sorts after every character of an ISO date: makes "2019-02" an inclusive upper bound.
DATE_END = "~"
#: The accepted forms, for messages and help.
DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY"

_SEP = r"\s*[-/.٫]\s*"
_YEAR_FIRST = re.compile(rf"^(?P<year>\d{{4}})(?:{_SEP}(?P<month>\d{{1,2}})(?:{_SEP}(?P<day>\d{{1,2}}))?)?$")
_DAY_FIRST = re.compile(rf"^(?:(?P<first>\d{{1,2}}){_SEP})?(?P<second>\d{{1,2}}){_SEP}(?P<year>\d{{4}})$")


def fold_decimal_digits(text: str) -> str:
    """Every decimal digit (Arabic-Indic, Persian, Devanagari, full-width ...) as ASCII.

    >>> fold_decimal_digits("٢٠١٧-٠٣")
    '2017-03'
    >>> fold_decimal_digits("۱۴۰۲/۰۱")
    '1402/01'
    """
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in text)


def normalise_user_date(value: str) -> str:
    """The ISO prefix a typed date means, or QuerySyntaxError.

    >>> normalise_user_date("٢٠١٧-٠٣")
    '2017-03'
    >>> normalise_user_date("15/03/2017")
    '2017-03-15'
    >>> normalise_user_date("3-2017")
    '2017-03'
    >>> normalise_user_date("2017/3/5")
    '2017-03-05'
    """
    text = fold_decimal_digits(str(value)).strip()
    year_first = _YEAR_FIRST.match(text)
    if year_first:
        year, month, day = year_first.group("year", "month", "day")
        return _checked(value, int(year), month and int(month), day and int(day))
    day_first = _DAY_FIRST.match(text)
    if day_first:
        year, second = int(day_first.group("year")), int(day_first.group("second"))
        first = day_first.group("first")
        if first is None:  # MM/YYYY
            return _checked(value, year, second, None)
        first = int(first)
        if _valid(year, second, first):
            return _checked(value, year, second, first)
        return _checked(value, year, first, second)  # month first, or the error
    raise QuerySyntaxError(f"invalid date {value!r}: use {DATE_FORMS}")


def date_bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """``--since`` and ``--until`` as ISO prefixes, checked to be in order.

    >>> date_bounds("٢٠١٩", "2019-03")
    ('2019', '2019-03')
    >>> date_bounds("2019-03", "2019-02")
    Traceback (most recent call last):
    ...
    searcher.errors.QuerySyntaxError: --since 2019-03 is after --until 2019-02: no date is in between
    """
    start = normalise_user_date(since) if since else None
    end = normalise_user_date(until) if until else None
    check_order(start, end, "--since {} is after --until {}: no date is in between")
    return start, end


def check_order(start: str | None, end: str | None, message: str) -> None:
    """Raise QuerySyntaxError (``message`` formatted with both) when ISO prefix ``start`` is after ``end``.

    Both are inclusive periods: 2019-03 .. 2019 is in order, 2019-03 .. 2019-02 is not.
    """
    if start is not None and end is not None and start > end + DATE_END:
        raise QuerySyntaxError(message.format(start, end))


def _checked(value: str, year: int, month: int | None, day: int | None) -> str:
    if not _valid(year, 1 if month is None else month, 1 if day is None else day):
        raise QuerySyntaxError(f"invalid date {value!r}: no such date (use {DATE_FORMS})")
    iso = f"{year:04d}"
    if month is not None:
        iso += f"-{month:02d}"
    if day is not None:
        iso += f"-{day:02d}"
    return iso


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
