"""Counts over all hits: facets and timelines, pure and on an index."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.errors import QuerySyntaxError
from searcher.explore import Timeline, build_timeline, count_values, next_period, period_of
from searcher.query import Archive, SearchRequest

from .conftest import ARTICLES, make_index


@pytest.fixture(scope="module")
def many_reports(tmp_path_factory):
    """ARTICLES plus 15 more reports of الباغوز (more than a page of hits), in four months."""
    base = ARTICLES[1]  # "المعارك في محيط الباغـوز", 2019-03-01
    extra = [
        dataclasses.replace(
            base,
            id=f"r{i:02d}",
            date=dt.date(2019, 1 + i % 3, 1 + i),
            source=["skynews", "BBC"][i % 2],
            category=None if i % 4 else "politics",
            body=base.body + f" التقرير رقم {i}.",
        )
        for i in range(14)
    ]
    with_clitic = dataclasses.replace(
        base, id="r-clitic", date=dt.date(2019, 4, 2), source="skynews", title="قوافل المساعدات",
        body="وصلت قوافل المساعدات إلى الضفة الشرقية والباغوز صباح اليوم.",
    )
    return make_index(tmp_path_factory.mktemp("many") / "index", ARTICLES + extra + [with_clitic])


def test_count_values_puts_missing_last():
    assert count_values(["b", None, "a", "b", None]) == [("b", 2), ("a", 1), (None, 2)]
    assert count_values([]) == []


@given(st.lists(st.one_of(st.none(), st.dates(dt.date(2018, 11, 1), dt.date(2020, 3, 31)).map(dt.date.isoformat))),
       st.sampled_from(["day", "month", "year"]))
def test_timeline_counts_every_dated_hit_once_in_order_without_gaps(dates, by):
    timeline = build_timeline(dates, by)
    assert timeline.total == len(dates)
    assert timeline.undated == dates.count(None)
    periods = [p for p, _ in timeline.periods]
    assert periods == sorted(periods)
    assert all(next_period(a, by) == b for a, b in zip(periods, periods[1:]))
    for date in dates:
        if date:
            assert period_of(date, by) in periods


def test_period_rolls_over_years_and_leap_days():
    assert next_period("2019-12", "month") == "2020-01"
    assert next_period("2020-02-28", "day") == "2020-02-29"
    assert next_period("2019-02-28", "day") == "2019-03-01"
    with pytest.raises(ValueError):
        period_of("2019-01-01", "week")


def test_facets_count_all_hits_not_a_page(many_reports):
    with Archive(many_reports) as archive:
        request = SearchRequest("الباغوز", limit=3)
        assert len(archive.search(request)) == 3
        sources = archive.facet_counts(request, "source")
        months = archive.facet_counts(request, "month")
        years = archive.facet_counts(request, "year")
        categories = archive.facet_counts(request, "category")
    # a1, a2 and the 14 reports spell الباغوز in their own ways; all are counted.
    assert sum(n for _, n in sources) == 17
    assert dict(sources) == {"skynews": 8, "BBC": 7, "تلفزيون سوريا": 1, "وكالة الأنباء": 1}
    assert months == [("2019-01", 5), ("2019-02", 6), ("2019-03", 5), ("2019-04", 1)]
    assert years == [("2019", 17)]
    assert dict(categories) == {None: 12, "politics": 4, "سياسة": 1}


def test_facets_respect_the_filters_and_exact_forms(many_reports):
    with Archive(many_reports) as archive:
        assert archive.facet_counts(SearchRequest("الباغوز", sources=("BBC",)), "source") == [("BBC", 7)]
        assert archive.facet_counts(SearchRequest("الباغوز", since="2019-03"), "month") == [("2019-03", 5), ("2019-04", 1)]
        # =الباغوز (the exact form) leaves out والباغوز, which has a clitic.
        exact = archive.facet_counts(SearchRequest("=الباغوز"), "source")
        assert dict(exact) == {"skynews": 7, "BBC": 7, "تلفزيون سوريا": 1, "وكالة الأنباء": 1}
        assert archive.facet_counts(SearchRequest("نيزك"), "source") == []
        with pytest.raises(QuerySyntaxError):
            archive.facet_counts(SearchRequest("الباغوز"), "colour")


def test_timeline_on_an_index(many_reports):
    with Archive(many_reports) as archive:
        by_month = archive.timeline(SearchRequest("الباغوز"), "month")
        by_year = archive.timeline(SearchRequest("Reuters"), "year")
        nothing = archive.timeline(SearchRequest("نيزك"))
    assert by_month == Timeline("month", (("2019-01", 5), ("2019-02", 6), ("2019-03", 5), ("2019-04", 1)))
    assert by_year == Timeline("year", (), undated=1)  # a7 has no date
    assert nothing.total == 0


def test_counts_see_updates_not_old_versions(tmp_path):
    index_dir = make_index(tmp_path / "index")
    changed = dataclasses.replace(ARTICLES[0], date=dt.date(2020, 5, 1))
    make_index(index_dir, [changed])
    with Archive(index_dir) as archive:
        assert archive.facet_counts(SearchRequest("الباغوز"), "year") == [("2019", 1), ("2020", 1)]
