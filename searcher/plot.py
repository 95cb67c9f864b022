"""Drawing a timeline as a PNG or SVG bar chart, with matplotlib (imported on first use).

Arabic labels (the query in the title) must come out joined and right to
left. matplotlib 3.11 and later lay text out with libraqm, which shapes and
reorders by itself; older versions draw glyph by glyph, left to right,
unjoined, so for them the label is first shaped and put in visual order
(arabic-reshaper and python-bidi, ``searcher.display.visual_line``). A test
checks that both ways draw the same pixels. The font is DejaVu Sans, which has
Arabic glyphs and ships with matplotlib itself, so no system font is needed.
The figure is drawn off-screen (Agg), never through pyplot's global state.

A bar narrower than a pixel can vanish when the figure is rasterised, and the
highest day with it. So a timeline with more than ``MAX_BARS`` periods is drawn
with one bar per few consecutive periods, as high as the busiest of them
(peaks keep their height), and a subtitle in the chart says so.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .errors import SearcherError

#: Output size: PNGs are exactly this many pixels; SVGs the same size at 100 dpi.
WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100
#: File suffixes and the formats they select.
PLOT_FORMATS = {".png": "png", ".svg": "svg"}
#: A font with Arabic glyphs that matplotlib always has.
FONT = "DejaVu Sans"
#: At most this many date labels under the bars; the others are skipped evenly.
MAX_LABELS = 24
BAR_COLOUR = "#2f6f8f"
#: At most this many bars (about 3 pixels each in a 1000-pixel chart); more periods are grouped.
MAX_BARS = 300
#: Up to this many bars, bars have gaps between them; more touch.
GAPPED_BARS = 150
#: The one-line error of ``--plot`` when matplotlib is not installed.
NO_MATPLOTLIB = "--plot needs matplotlib: pip install 'searcher-arabic[plot]'"


class PlotError(SearcherError):
    """The chart cannot be drawn or written."""


@dataclass(frozen=True, slots=True)
class PlotResult:
    """What was drawn: the file, the bars' labels and heights read back from the figure."""

    path: Path
    format: str
    labels: tuple[str, ...]
    heights: tuple[float, ...]
    title: str
    width_px: int = WIDTH_PX
    height_px: int = HEIGHT_PX
    #: Consecutive periods per bar (1: a bar per period); the bar is the busiest's height.
    per_bar: int = 1
    #: The line under the title saying what one bar means (None with a bar per period).
    subtitle: str | None = None
    #: The plot area in pixels, from the bottom left (x0, y0, x1, y1), and the count at its top.
    axes_px: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    y_top: float = 0.0

    def row_of(self, count: float) -> float:
        """The pixel row (0 at the top of the image) that a bar of ``count`` reaches."""
        x0, y0, x1, y1 = self.axes_px
        return self.height_px - (y0 + count / self.y_top * (y1 - y0))


class MissingMatplotlib(PlotError):
    """``--plot`` was asked for but matplotlib is not installed."""


def has_matplotlib() -> bool:
    """True when matplotlib can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):
        return False


def require_matplotlib() -> None:
    """Raise ``MissingMatplotlib`` (one line, with the install command) unless matplotlib is there."""
    if not has_matplotlib():
        raise MissingMatplotlib(NO_MATPLOTLIB)


def group_periods(
    periods: tuple[tuple[str, int], ...] | list[tuple[str, int]], max_bars: int = MAX_BARS
) -> tuple[list[str], list[int], int]:
    """Bars for a chart: labels, heights and periods per bar.

    Up to ``max_bars`` periods, a bar each. More are taken ``k`` consecutive at a
    time (the fewest that give at most ``max_bars`` bars); a bar is labelled by
    its first period and is as high as its busiest period, so no peak is lost.

    >>> group_periods([("2015-03-25", 1), ("2015-03-26", 9), ("2015-03-27", 0), ("2015-03-28", 2), ("2015-03-29", 5)], 2)
    (['2015-03-25', '2015-03-28'], [9, 5], 3)
    >>> group_periods([("2019", 3), ("2020", 4)], 2)
    (['2019', '2020'], [3, 4], 1)
    """
    per_bar = max(1, -(-len(periods) // max_bars))
    labels, heights = [], []
    for start in range(0, len(periods), per_bar):
        chunk = periods[start : start + per_bar]
        labels.append(chunk[0][0])
        heights.append(max(count for _, count in chunk))
    return labels, heights, per_bar


def bar_meaning(by: str, per_bar: int, periods: int, bars: int) -> str:
    """The subtitle of a chart whose bars each stand for several periods.

    >>> bar_meaning("day", 4, 1118, 280)
    'Each bar: the busiest day of 4 in a row (1,118 days in 280 bars)'
    """
    return f"Each bar: the busiest {by} of {per_bar} in a row ({periods:,} {by}s in {bars:,} bars)"


def plot_format(path: str | Path) -> str:
    """The image format a file name asks for.

    >>> plot_format("baghouz.PNG"), plot_format("out/chart.svg")
    ('png', 'svg')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise PlotError(f"{path}: the chart is written as .png or .svg, not {suffix or 'a file without suffix'}")
    return PLOT_FORMATS[suffix]


def lays_out_arabic() -> bool:
    """True when matplotlib shapes and reorders right-to-left text itself (libraqm)."""
    from matplotlib.ft2font import FT2Font

    return hasattr(FT2Font, "_layout")


def plot_timeline(timeline, path: str | Path, title: str) -> PlotResult:
    """Draw hits per period as vertical bars and write the chart to ``path`` (.png or .svg)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise MissingMatplotlib(NO_MATPLOTLIB) from None

    from .display import visual_line

    path = Path(path)
    fmt = plot_format(path)
    if not timeline.periods:
        raise PlotError("no dated hits to plot")
    labels, counts, per_bar = group_periods(timeline.periods, MAX_BARS)

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Touching bars (no edge, no gap) when there are many: a gap or a bar
    # thinner than a pixel would come and go with the rasterisation.
    width = 0.8 if len(counts) <= GAPPED_BARS else 1.0
    bars = axes.bar(range(len(counts)), counts, width=width, color=BAR_COLOUR, linewidth=0)
    if len(counts) > GAPPED_BARS:
        axes.set_xlim(-0.5, len(counts) - 0.5)
    step = max(1, -(-len(labels) // MAX_LABELS))
    ticks = list(range(0, len(labels), step))
    axes.set_xticks(ticks)
    axes.set_xticklabels([labels[i] for i in ticks], rotation=45, ha="right", fontfamily=FONT, fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(f"articles per {timeline.by}", fontfamily=FONT)
    axes.set_xlabel(timeline.by, fontfamily=FONT)
    axes.spines[["top", "right"]].set_visible(False)
    # "$" would start matplotlib's math mode.
    drawn_title = (title if lays_out_arabic() else visual_line(title)).replace("$", r"\$")
    subtitle = None
    if per_bar > 1:
        subtitle = bar_meaning(timeline.by, per_bar, len(timeline.periods), len(counts))
        axes.set_title(drawn_title, fontfamily=FONT, fontsize=14, pad=22)
        axes.text(0.5, 1.0, subtitle, transform=axes.transAxes, ha="center", va="bottom", fontfamily=FONT,
                  fontsize=9, color="#444444").set_in_layout(True)
    else:
        axes.set_title(drawn_title, fontfamily=FONT, fontsize=14)
    figure.tight_layout()
    try:
        figure.savefig(path, format=fmt, dpi=DPI)
    except OSError as error:
        raise PlotError(f"{path}: cannot write the chart ({error.strerror or error})") from None
    heights = tuple(float(patch.get_height()) for patch in bars.patches)
    x0, y0, box_width, box_height = axes.get_position().bounds
    axes_px = (x0 * WIDTH_PX, y0 * HEIGHT_PX, (x0 + box_width) * WIDTH_PX, (y0 + box_height) * HEIGHT_PX)
    return PlotResult(
        path, fmt, tuple(labels), heights, drawn_title, per_bar=per_bar, subtitle=subtitle,
        axes_px=axes_px, y_top=float(axes.get_ylim()[1]),
    )
