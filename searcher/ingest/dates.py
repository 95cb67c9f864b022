"""Publication dates as news archives write them: ISO, day-first numbers, Arabic month names.

Spreadsheet exports and web pages print dates in many ways: ``2019-02-27``,
``27/02/2019``, ``27.02.2019 14:02``, ``٢٧ فبراير ٢٠١٩``, ``الأربعاء، 28 آب/اغسطس 2013``.
Arabic uses three sets of month names (Egyptian/Gulf from the European names,
Levantine/Iraqi from the Syriac ones, Maghrebi from the French ones); all are
recognised. Numbers are read day first, as Arabic sites print them, unless only
month-first makes a valid date. Hijri dates are not converted and never matched.
"""

from __future__ import annotations

import datetime as dt
import re

#: Month names after light folding (see ``_fold``): alef forms → ا, ة → ه, ى → ي.
_MONTHS = {
    # Egyptian and Gulf (from the European names)
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "ابرايل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "اغسطس": 8, "اغسطوس": 8,
    "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Levantine and Iraqi
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6,
    "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
    # Maghrebi (from the French names)
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويليه": 7, "جويلبه": 7,
    "اوت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12, "يوليوز": 7, "غشت": 8,
    # English, for pages and exports in English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
# Longest names first, so that "كانون الثاني" wins over a shorter match inside it.
_MONTH_PATTERN = "|".join(sorted((re.escape(name).replace(r"\ ", r"\s+") for name in _MONTHS), key=len, reverse=True))
_MONTH = rf"(?:{_MONTH_PATTERN})"
# A month may be written twice, "آب/اغسطس" or "آب (أغسطس)": the first name counts.
_MONTHS_GROUP = rf"(?P<month>{_MONTH})(?:\s*[/(-]\s*{_MONTH}\s*\)?)?"
_YEAR = r"(?P<year>\d{4})"
_DAY = r"(?P<day>\d{1,2})"

_ISO = re.compile(r"(?<!\d)(?P<year>\d{4})\s*[-/.٫]\s*(?P<month>\d{1,2})\s*[-/.٫]\s*(?P<day>\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(?P<first>\d{1,2})\s*[-/.٫]\s*(?P<second>\d{1,2})\s*[-/.٫]\s*(?P<year>\d{4})(?!\d)")
_DAY_MONTH_YEAR = re.compile(rf"(?<![\w]){_DAY}(?:st|nd|rd|th)?\s*[ ,،.-]?\s*{_MONTHS_GROUP}\s*[ ,،.-]?\s*{_YEAR}(?!\d)", re.I)
_MONTH_DAY_YEAR = re.compile(rf"(?<![\w]){_MONTHS_GROUP}\.?\s+{_DAY}(?:st|nd|rd|th)?\s*[,،]?\s*{_YEAR}(?!\d)", re.I)


def parse_date(text: str) -> dt.date | None:
    """The date a field holds, or None if it holds no recognisable date.

    The field is expected to be a date: the whole text is tried, leading and
    trailing words (weekday, time, place) are allowed.

    >>> parse_date("2019-02-27T14:02:00Z")
    datetime.date(2019, 2, 27)
    >>> parse_date("٢٧/٠٢/٢٠١٩ ١٤:٠٢")
    datetime.date(2019, 2, 27)
    >>> parse_date("الأربعاء، 28 آب/اغسطس 2013")
    datetime.date(2013, 8, 28)
    >>> parse_date("قريباً") is None
    True
    """
    return find_date(text)


def find_date(text: str) -> dt.date | None:
    """The first valid date written anywhere in ``text``, ISO forms first.

    >>> find_date("نشر في: 3 كانون الثاني 2019 - آخر تحديث 4 كانون الثاني 2019")
    datetime.date(2019, 1, 3)
    >>> find_date("Posted March 5, 2018 at 10:00")
    datetime.date(2018, 3, 5)
    """
    folded = _fold(text)
    for pattern in (_ISO, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC):
        for match in pattern.finditer(folded):
            date = _to_date(pattern, match)
            if date is not None:
                return date
    return None


def _to_date(pattern: re.Pattern[str], match: re.Match[str]) -> dt.date | None:
    year = int(match.group("year"))
    if pattern is _NUMERIC:
        first, second = int(match.group("first")), int(match.group("second"))
        # Day first as Arabic sites print it; month first only when nothing else is valid.
        return _valid(year, second, first) or _valid(year, first, second)
    if pattern is _ISO:
        return _valid(year, int(match.group("month")), int(match.group("day")))
    month = _MONTHS[" ".join(match.group("month").lower().split())]
    return _valid(year, month, int(match.group("day")))


def _valid(year: int, month: int, day: int) -> dt.date | None:
    if not 1800 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _fold(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII (``int`` reads them, regexes need ASCII), alef forms folded."""
    return text.translate(_FOLD).translate(_DIGITS)


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
