"""Timeline charts: the file, its size, the bars' heights, and Arabic drawn joined and right to left."""

from __future__ import annotations

import struct

import pytest

from searcher.display import visual_line
from searcher.explore import Timeline
from searcher.plot import DPI, HEIGHT_PX, WIDTH_PX, PlotError, lays_out_arabic, plot_timeline

TIMELINE = Timeline("month", (("2019-01", 3), ("2019-02", 0), ("2019-03", 7), ("2019-04", 1)), undated=2)
TITLE = "Articles with «الباغوز» by month: 13"


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_has_the_size_and_the_bars_of_the_counts(tmp_path):
    result = plot_timeline(TIMELINE, tmp_path / "chart.png", TITLE)
    assert png_size(tmp_path / "chart.png") == (WIDTH_PX, HEIGHT_PX) == (result.width_px, result.height_px)
    assert result.labels == ("2019-01", "2019-02", "2019-03", "2019-04")
    assert result.heights == (3.0, 0.0, 7.0, 1.0)


def test_svg_is_written_too(tmp_path):
    result = plot_timeline(TIMELINE, tmp_path / "chart.svg", TITLE)
    text = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert result.format == "svg" and "<svg" in text
    assert f'width="{WIDTH_PX * 72 / DPI:g}pt"' in text


def test_wrong_suffix_empty_timeline_and_unwritable_path_are_errors(tmp_path):
    with pytest.raises(PlotError, match="png or .svg"):
        plot_timeline(TIMELINE, tmp_path / "chart.jpg", TITLE)
    with pytest.raises(PlotError, match="no dated hits"):
        plot_timeline(Timeline("month", (), undated=3), tmp_path / "chart.png", TITLE)
    with pytest.raises(PlotError, match="cannot write"):
        plot_timeline(TIMELINE, tmp_path / "missing" / "chart.png", TITLE)


def _render(text: str):
    """The pixels of one line of text as matplotlib draws it (dark = True)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 1), dpi=100)
    canvas = FigureCanvasAgg(figure)
    figure.text(0.02, 0.3, text, fontsize=20, fontfamily="DejaVu Sans")
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0] < 128


def _overlap(a, b) -> float:
    return (a & b).sum() / (a | b).sum()


def test_the_arabic_title_is_drawn_joined_and_right_to_left(tmp_path):
    title = "الباغوز: تقارير شهرية"
    result = plot_timeline(TIMELINE, tmp_path / "chart.png", title)
    # The reference: the title shaped and reordered by arabic-reshaper and
    # python-bidi, then drawn glyph by glyph left to right (forced with LRO).
    reference = _render("\u202d" + visual_line(title) + "\u202c")
    drawn = _render(result.title)
    assert _overlap(drawn, reference) > 0.99
    # ... and it is not what a naive left-to-right drawing of the letters gives.
    naive = _render("\u202d" + title + "\u202c")
    assert _overlap(drawn, naive) < 0.5
    if not lays_out_arabic():
        assert result.title == visual_line(title)


def test_a_dollar_sign_in_the_query_is_not_math(tmp_path):
    result = plot_timeline(TIMELINE, tmp_path / "chart.png", "$5 النفط")
    assert result.title.count(r"\$") == 1
