"""Timelines that show their peaks: long daily series in the terminal and in charts, --by auto,
and --plot without matplotlib."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import output
from searcher.cli import cli
from searcher.explore import Timeline, auto_timeline, build_timeline, regroup
from searcher.output import BAR_EIGHTHS, BAR_FULL, render_timeline, timeline_peaks
from searcher.plot import BAR_COLOUR, MAX_BARS, group_periods, plot_timeline

from .conftest import REPO, article, index_through_cli

NO_MATPLOTLIB_LINE = "Error: --plot needs matplotlib: pip install 'searcher-arabic[plot]'\n"

# The pure parts


def _cells(bar_text: str) -> float:
    """A bar's length in character cells (eighths count as fractions)."""
    return sum(1 if c == BAR_FULL else BAR_EIGHTHS.index(c) / 8 for c in bar_text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=150), st.integers(20, 200))
def test_terminal_bars_scale_to_the_highest_and_never_hide_a_count(counts, width):
    start = dt.date(2015, 3, 1)
    timeline = Timeline("day", tuple(((start + dt.timedelta(i)).isoformat(), n) for i, n in enumerate(counts)))
    lines = render_timeline(timeline, width=width).splitlines()
    assert len(lines) == len(counts)
    top = max(counts)
    lengths = []
    for line, count in zip(lines, counts):
        label, rest = line.split("│")
        assert label.split() == [timeline.periods[len(lengths)][0], f"{count:,}"]
        lengths.append(_cells(rest.split(" ◀")[0]))
        assert (lengths[-1] > 0) == (count > 0)
    full = max(lengths)
    if top:
        assert full == int(full) and all(length == full for length, n in zip(lengths, counts) if n == top)
        assert full == min(output.MAX_BAR_WIDTH, max(10, width - 10 - len(f"{top:,}") - 4))
    ranked = sorted(range(len(counts)), key=lambda i: counts[i])
    assert [lengths[i] for i in ranked] == sorted(lengths)  # a higher count never gets a shorter bar
    marked = [line for line in lines if "◀" in line]
    if len(counts) > output.TIMELINE_MARK_ABOVE:
        assert [line.split()[0] for line in marked] == [p for p, _ in timeline_peaks(timeline)]
        assert all(line.endswith(f"◀ #{rank}") for rank, line in enumerate(
            sorted(marked, key=lambda line: int(line.rsplit("#", 1)[1])), 1))
    else:
        assert marked == []


def test_peaks_are_the_highest_non_empty_periods():
    timeline = Timeline("day", (("2015-03-25", 0), ("2015-03-26", 9), ("2015-03-27", 4), ("2015-03-28", 9)))
    assert timeline_peaks(timeline) == [("2015-03-26", 9), ("2015-03-28", 9), ("2015-03-27", 4)]
    assert timeline_peaks(Timeline("day", (("2015-03-25", 0), ("2015-03-26", 2)))) == [("2015-03-26", 2)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dates(dt.date(2010, 1, 1), dt.date(2020, 12, 31)), min_size=1, max_size=40), st.integers(0, 3))
def test_auto_picks_the_finest_period_with_few_rows_and_keeps_every_count(dates, undated):
    isodates = [d.isoformat() for d in dates] + [None] * undated
    days = build_timeline(isodates, "day")
    chosen = auto_timeline(days)
    assert chosen == build_timeline(isodates, chosen.by)
    assert chosen.total == len(isodates) and chosen.undated == undated
    finer = {"day": [], "month": ["day"], "year": ["day", "month"]}[chosen.by]
    assert all(len(build_timeline(isodates, by).periods) > 60 for by in finer)
    if chosen.by != "year":
        assert len(chosen.periods) <= 60


def test_regroup_fills_empty_periods_and_refuses_finer_ones():
    days = build_timeline(["2014-12-31", "2015-03-26"], "day")
    assert regroup(days, "month").periods == (("2014-12", 1), ("2015-01", 0), ("2015-02", 0), ("2015-03", 1))
    with pytest.raises(ValueError):
        regroup(Timeline("year", (("2015", 1),)), "day")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=2000), st.integers(1, 400))
def test_grouped_bars_keep_every_peak(counts, max_bars):
    periods = [(f"p{i:05d}", n) for i, n in enumerate(counts)]
    labels, heights, per_bar = group_periods(periods, max_bars)
    assert len(heights) <= max_bars and len(labels) == len(heights)
    assert per_bar == 1 or -(-len(counts) // (per_bar - 1)) > max_bars  # the fewest periods per bar
    assert max(heights) == max(counts)
    for i, n in enumerate(counts):
        assert heights[i // per_bar] >= n and labels[i // per_bar] == periods[i // per_bar * per_bar][0]


# Charts


def _bar_tops(path):
    """For each pixel column of a PNG, the top row of bar-coloured pixels (None without any)."""
    import numpy as np
    from matplotlib.image import imread

    rgb = imread(path)[..., :3] * 255
    colour = np.array([int(BAR_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
    is_bar = np.abs(rgb - colour).sum(axis=2) < 40
    return [int(np.argmax(column)) if column.any() else None for column in is_bar.T]


def _long_daily_series(days=1118, peaks=((301, 400), (803, 380)), seed=7):
    """Counts per day from 2015-01-01, 0 to 20 but for a few isolated peaks. Drawn as 1,118
    bars of 0.8 days each (as the chart once was), these two peaks come out 0 pixels wide."""
    rng = random.Random(seed)
    counts = [rng.randint(0, 20) for _ in range(days)]
    for day, count in peaks:
        counts[day] = count
    start = dt.date(2015, 1, 1)
    return Timeline("day", tuple(((start + dt.timedelta(i)).isoformat(), n) for i, n in enumerate(counts)))


def test_a_daily_chart_of_1118_days_shows_both_isolated_peaks_at_full_height(tmp_path):
    timeline = _long_daily_series()
    result = plot_timeline(timeline, tmp_path / "days.png", "Articles with «عاصفة الحزم» by day")
    assert result.per_bar > 1 and len(result.heights) <= MAX_BARS
    assert max(result.heights) == 400
    assert result.subtitle == (
        f"Each bar: the busiest day of {result.per_bar} in a row (1,118 days in {len(result.heights)} bars)"
    )
    tops = _bar_tops(tmp_path / "days.png")
    drawn = [(x, top) for x, top in enumerate(tops) if top is not None]
    highest = min(top for _, top in drawn)
    assert abs(highest - result.row_of(400)) <= 1.5  # the tallest column reaches the maximum
    # Both peaks stand out, each where its day is along the axis, and nothing else does.
    x0, _, x1, _ = result.axes_px
    tall = [x for x, top in drawn if top <= result.row_of(380) + 1.5]
    assert tall and all(top > result.row_of(20) - 1.5 for x, top in drawn if x not in tall)
    groups = [[tall[0]]]
    for x in tall[1:]:
        (groups[-1].append(x) if x - groups[-1][-1] <= 1 else groups.append([x]))
    assert len(groups) == 2
    for group, day in zip(groups, (301, 803)):
        assert abs(sum(group) / len(group) - (x0 + (day + 0.5) / 1118 * (x1 - x0))) < 8


def test_a_short_chart_keeps_a_bar_per_period_without_subtitle(tmp_path):
    timeline = _long_daily_series(days=MAX_BARS, peaks=((10, 90),))
    result = plot_timeline(timeline, tmp_path / "days.svg", "Articles by day")
    assert (result.per_bar, result.subtitle) == (1, None)
    assert result.heights == tuple(float(n) for _, n in timeline.periods)


# The command line


@pytest.fixture(scope="module")
def storm_index(tmp_path_factory):
    """Reports of عاصفة الحزم every third day for 121 days, 6 more on 2015-03-26 and 4 more on 2015-04-21."""
    start = dt.date(2015, 3, 1)
    articles = [
        article(
            f"s{i:03d}", f"عاصفة الحزم: اليوم {i}", f"تواصل عاصفة الحزم عملياتها، والتقرير رقم {i} عن الجبهة {i * 7}.",
            (start + dt.timedelta(i)).isoformat(), source="spa",
        )
        for i in range(0, 122, 3)
    ]
    for day, extra in (("2015-03-26", 6), ("2015-04-21", 4)):
        articles += [
            article(f"p{day}-{k}", f"عاصفة الحزم تضرب {k}", f"غارات عاصفة الحزم في الموجة {k} من يوم {day}.", day)
            for k in range(extra)
        ]
    folder = tmp_path_factory.mktemp("storm")
    return index_through_cli(folder, articles)


@pytest.fixture()
def storm(storm_index, monkeypatch):
    monkeypatch.delenv("SEARCH_BIDI", raising=False)
    return lambda *args: CliRunner().invoke(cli, ["--index-dir", str(storm_index), *args])


def test_a_long_daily_list_marks_its_highest_days(storm):
    result = storm("timeline", "عاصفة الحزم", "--by", "day")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == 121
    marked = {line.split()[0]: line.rsplit("◀ ", 1)[1] for line in rows if "◀" in line}
    # 2015-03-26 has 6 reports, 2015-04-21 has 5 (one of them from the every-third-day list).
    assert marked == {"2015-03-26": "#1", "2015-04-21": "#2", "2015-03-01": "#3"}
    top = next(line for line in rows if line.startswith("2015-03-26"))
    assert top.split("│")[1] == "█" * output.MAX_BAR_WIDTH + " ◀ #1"
    assert all(line.split("│")[1] for line in rows if line.split()[1] != "0")  # no count drawn empty
    assert result.stderr == "121 rows; highest: 2015-03-26 (6), 2015-04-21 (5), 2015-03-01 (1). Fewer rows: --by auto.\n"
    assert storm("timeline", "عاصفة الحزم", "--by", "day", "-f", "tsv").stderr == ""


def test_by_auto_chooses_months_for_a_long_range_and_days_for_a_short_one(storm):
    result = storm("timeline", "عاصفة الحزم", "--by", "auto")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Articles with «عاصفة الحزم» by month: 51, 2015-03 .. 2015-06"
    assert [line.split("│")[0].split() for line in lines[1:]] == [
        ["2015-03", "17"], ["2015-04", "14"], ["2015-05", "10"], ["2015-06", "10"]
    ]
    short = storm("timeline", "عاصفة الحزم", "--by", "auto", "--until", "2015-04-15", "-f", "tsv")
    assert short.stdout.splitlines()[0] == "2015-03-01\t1" and len(short.stdout.splitlines()) == 46
    assert "auto" in CliRunner().invoke(cli, ["timeline", "--help"]).stdout


def test_plot_without_matplotlib_fails_before_the_search_with_one_line(storm, monkeypatch, tmp_path):
    import searcher.plot
    import searcher.query

    monkeypatch.setattr(searcher.plot, "has_matplotlib", lambda: False)

    def no_search(*args, **kwargs):
        raise AssertionError("the index was opened")

    monkeypatch.setattr(searcher.query.Archive, "__init__", no_search)
    result = storm("timeline", "عاصفة الحزم", "--plot", str(tmp_path / "chart.png"))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", NO_MATPLOTLIB_LINE)
    assert not (tmp_path / "chart.png").exists()


def test_plot_in_a_process_where_matplotlib_cannot_be_imported(storm_index, tmp_path):
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['matplotlib'] = None\n", encoding="utf-8")
    script = REPO / ".venv" / "bin" / "search"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "searcher"]
    path = os.pathsep.join(filter(None, [str(blocker), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": path}
    args = ["--index-dir", str(storm_index), "timeline", "عاصفة الحزم"]
    done = subprocess.run([*command, *args, "--plot", str(tmp_path / "c.png")], capture_output=True, text=True,
                          encoding="utf-8", env=env)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", NO_MATPLOTLIB_LINE)
    # The same process without --plot works: only the chart needs matplotlib.
    plain = subprocess.run([*command, *args], capture_output=True, text=True, encoding="utf-8", env=env)
    assert plain.returncode == 0 and plain.stdout.startswith("Articles with «عاصفة الحزم» by month: 51")


def test_a_grouped_chart_says_so_on_stderr(storm, tmp_path, monkeypatch):
    import searcher.plot

    monkeypatch.setattr(searcher.plot, "MAX_BARS", 50)
    result = storm("timeline", "عاصفة الحزم", "--by", "day", "--plot", str(tmp_path / "c.png"))
    assert result.exit_code == 0, result.output
    assert f"Wrote {tmp_path / 'c.png'} (41 bars, each the busiest day of 3)." in result.stderr
