"""Counting hits: per source, category, year or month, and per period on a timeline.

Pure functions over plain values (ISO dates as text, names), so they work the
same whatever engine found the hits; ``Archive.facet_counts`` and
``Archive.timeline`` feed them. No Whoosh here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: What ``--facet`` can count by.
FACETS = ("source", "year", "month", "category")
#: Timeline steps.
PERIODS = ("day", "month", "year")
#: ``--by auto`` picks the finest step that gives at most this many periods.
AUTO_MAX_PERIODS = 60
#: Characters of an ISO date that name a period.
_PERIOD_LENGTH = {"year": 4, "month": 7, "day": 10}


@dataclass(frozen=True, slots=True)
class Timeline:
    """Hits per period, oldest first, with empty periods filled in; undated hits counted apart."""

    by: str
    periods: tuple[tuple[str, int], ...]
    undated: int = 0

    @property
    def total(self) -> int:
        return sum(n for _, n in self.periods) + self.undated


def period_of(date: str | None, by: str) -> str | None:
    """The period (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) of an ISO date; None when undated.

    >>> period_of("2019-02-27", "month"), period_of("2019-02-27", "year"), period_of("", "day")
    ('2019-02', '2019', None)
    """
    if by not in _PERIOD_LENGTH:
        raise ValueError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
    if not date:
        return None
    return date[: _PERIOD_LENGTH[by]]


def count_values(values: Iterable[str | None], *, chronological: bool = False) -> list[tuple[str | None, int]]:
    """How often each value occurs: most frequent first (ties by value), or in time order.

    None (no value: no source, no date) is counted too, and always comes last.

    >>> count_values(["skynews", "BBC", None, "skynews"])
    [('skynews', 2), ('BBC', 1), (None, 1)]
    >>> count_values(["2019-03", "2018-11", "2019-03"], chronological=True)
    [('2018-11', 1), ('2019-03', 2)]
    """
    counts = Counter(values)
    missing = counts.pop(None, 0)
    if chronological:
        ordered = sorted(counts.items())
    else:
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if missing:
        ordered.append((None, missing))
    return ordered


def facet_value(facet: str, date: str | None, source: str | None, category: str | None) -> str | None:
    """The value an article counts under for one facet.

    >>> facet_value("year", "2019-02-27", "skynews", None), facet_value("source", None, "", None)
    ('2019', None)
    """
    if facet == "source":
        return source or None
    if facet == "category":
        return category or None
    if facet in ("year", "month"):
        return period_of(date, facet)
    raise ValueError(f"unknown facet {facet!r}: use one of {', '.join(FACETS)}")


def next_period(period: str, by: str) -> str:
    """The period after ``period``.

    >>> next_period("2019-12", "month"), next_period("2020-02-28", "day"), next_period("2019", "year")
    ('2020-01', '2020-02-29', '2020')
    """
    if by == "year":
        return f"{int(period) + 1:04d}"
    if by == "month":
        year, month = map(int, period.split("-"))
        return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
    return (dt.date.fromisoformat(period) + dt.timedelta(days=1)).isoformat()


def build_timeline(dates: Iterable[str | None], by: str = "month") -> Timeline:
    """Count dates per period from the first to the last, empty periods included.

    >>> build_timeline(["2019-01-05", "2019-03-02", "2019-03-30", None]).periods
    (('2019-01', 1), ('2019-02', 0), ('2019-03', 2))
    """
    counts = Counter(period_of(date, by) for date in dates)
    undated = counts.pop(None, 0)
    if not counts:
        return Timeline(by, (), undated)
    first, last = min(counts), max(counts)
    periods = []
    period = first
    while True:
        periods.append((period, counts.get(period, 0)))
        if period == last:
            break
        period = next_period(period, by)
    return Timeline(by, tuple(periods), undated)


def regroup(timeline: Timeline, by: str) -> Timeline:
    """The same counts per coarser period (a day timeline per month or year), empty periods filled in.

    >>> regroup(Timeline("day", (("2019-01-31", 2), ("2019-02-01", 0), ("2019-02-02", 1)), 4), "month")
    Timeline(by='month', periods=(('2019-01', 2), ('2019-02', 1)), undated=4)
    >>> regroup(Timeline("month", (("2018-12", 1), ("2019-01", 0), ("2019-02", 3))), "year").periods
    (('2018', 1), ('2019', 3))
    """
    if _PERIOD_LENGTH[by] > _PERIOD_LENGTH[timeline.by]:
        raise ValueError(f"cannot count by {by} from counts by {timeline.by}")
    counts: Counter[str] = Counter()
    for period, count in timeline.periods:
        counts[period_of(period, by)] += count
    if not counts:
        return Timeline(by, (), timeline.undated)
    periods = []
    period, last = min(counts), max(counts)
    while True:
        periods.append((period, counts.get(period, 0)))
        if period == last:
            break
        period = next_period(period, by)
    return Timeline(by, tuple(periods), timeline.undated)


def auto_timeline(days: Timeline, max_periods: int = AUTO_MAX_PERIODS) -> Timeline:
    """Counts per day, month or year: the finest step with at most ``max_periods`` periods.

    ``days`` counts per day; years are used however many there are.

    >>> days = build_timeline(["2015-03-26", "2015-04-02", "2015-05-30"], "day")
    >>> auto_timeline(days).by, len(days.periods), auto_timeline(days).periods
    ('month', 66, (('2015-03', 1), ('2015-04', 1), ('2015-05', 1)))
    >>> auto_timeline(build_timeline(["2015-03-26", "2015-04-02"], "day")).by
    'day'
    """
    if days.by != "day":
        raise ValueError("auto_timeline needs counts per day")
    for by in PERIODS[:-1]:
        timeline = regroup(days, by)
        if len(timeline.periods) <= max_periods:
            return timeline
    return regroup(days, PERIODS[-1])
