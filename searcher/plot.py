"""Drawing a timeline as a PNG or SVG bar chart, with matplotlib (imported on first use).

Arabic labels (the query in the title) must come out joined and right to
left. matplotlib 3.11 and later lay text out with libraqm, which shapes and
reorders by itself; older versions draw glyph by glyph, left to right,
unjoined, so for them the label is first shaped and put in visual order
(arabic-reshaper and python-bidi, ``searcher.display.visual_line``). A test
checks that both ways draw the same pixels. The font is DejaVu Sans, which has
Arabic glyphs and ships with matplotlib itself, so no system font is needed.
The figure is drawn off-screen (Agg), never through pyplot's global state.
"""

from __future__ import annotations

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
        raise PlotError(
            "--plot needs matplotlib", hint="Install it: pip install 'searcher-arabic[plot]'"
        ) from None

    from .display import visual_line

    path = Path(path)
    fmt = plot_format(path)
    if not timeline.periods:
        raise PlotError("no dated hits to plot")
    labels = [period for period, _ in timeline.periods]
    counts = [count for _, count in timeline.periods]

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.bar(range(len(counts)), counts, width=0.8, color=BAR_COLOUR)
    step = max(1, -(-len(labels) // MAX_LABELS))
    ticks = list(range(0, len(labels), step))
    axes.set_xticks(ticks)
    axes.set_xticklabels([labels[i] for i in ticks], rotation=45, ha="right", fontfamily=FONT, fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("articles", fontfamily=FONT)
    axes.set_xlabel(timeline.by, fontfamily=FONT)
    axes.spines[["top", "right"]].set_visible(False)
    # "$" would start matplotlib's math mode.
    drawn_title = (title if lays_out_arabic() else visual_line(title)).replace("$", r"\$")
    axes.set_title(drawn_title, fontfamily=FONT, fontsize=14)
    figure.tight_layout()
    try:
        figure.savefig(path, format=fmt, dpi=DPI)
    except OSError as error:
        raise PlotError(f"{path}: cannot write the chart ({error.strerror or error})") from None
    heights = tuple(float(patch.get_height()) for patch in bars.patches)
    return PlotResult(path, fmt, tuple(labels), heights, drawn_title)
