"""Turning hits, articles and stats into text. Returns strings; never prints.

Formats for people (``table``) and for pipes (``jsonl``, ``tsv``, ``ids``,
``trec``). JSON keys are stable: new keys may be added, none renamed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from .models import Article, Hit, IndexStats, Snippet

FORMATS = ("table", "jsonl", "tsv", "ids", "trec")
#: Markers around matched words where colour is not available.
PLAIN_MARKERS = ("[", "]")
TITLE_WIDTH = 60
#: Table width when the terminal's is unknown (pipes).
DEFAULT_TABLE_WIDTH = 120


def mark_snippet(snippet: Snippet, mark: Callable[[str], str]) -> str:
    """The snippet text with every matched span passed through ``mark``.

    >>> mark_snippet(Snippet("في بلدة الباغوز شرق", ((8, 15),)), lambda w: f"[{w}]")
    'في بلدة [الباغوز] شرق'
    """
    out = []
    last = 0
    for start, end in snippet.spans:
        out.append(snippet.text[last:start])
        out.append(mark(snippet.text[start:end]))
        last = end
    out.append(snippet.text[last:])
    return "".join(out)


def plain_mark(word: str) -> str:
    return f"{PLAIN_MARKERS[0]}{word}{PLAIN_MARKERS[1]}"


def hit_record(hit: Hit) -> dict:
    """The JSON object of one hit (keys: rank, id, score, title, date, source, url, snippet, ...)."""
    record = {
        "rank": hit.rank,
        "id": hit.id,
        "score": hit.score,
        "title": hit.title,
        "date": hit.date,
        "time": hit.time,
        "place": hit.place,
        "source": hit.source,
        "category": hit.category,
        "url": hit.url,
        "snippet": hit.snippet.text if hit.snippet else None,
        "matches": [list(span) for span in hit.snippet.spans] if hit.snippet else [],
    }
    record["partial"] = hit.partial
    record["similar"] = len(hit.similar_ids)
    record["similar_ids"] = list(hit.similar_ids)
    if hit.qid is not None:
        record = {"qid": hit.qid, **record}
    return record


def partial_note(hits: list[Hit]) -> str | None:
    """A line saying which hits have only some of the words, if any do.

    >>> partial_note([Hit(1, "a", 1.0, "t"), Hit(2, "b", 0.5, "t", partial=True)])
    'Hits from #2 have only some of the words.'
    """
    first = next((hit.rank for hit in hits if hit.partial), None)
    if first is None:
        return None
    if first == hits[0].rank:
        return "These hits have only some of the words."
    return f"Hits from #{first} have only some of the words."


def iter_jsonl(hits: Iterable[Hit], suggestions: list | None = None) -> Iterator[str]:
    """One JSON object per hit, Arabic unescaped; with ``suggestions``, each carries them."""
    for hit in hits:
        record = hit_record(hit)
        if suggestions is not None:
            record["suggestions"] = suggestion_records(suggestions)
        yield json.dumps(record, ensure_ascii=False)


def _tsv_field(value) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def iter_tsv(hits: Iterable[Hit]) -> Iterator[str]:
    """Tab-separated: [qid] rank id score date source title snippet (no header)."""
    for hit in hits:
        fields = [hit.rank, hit.id, hit.score, hit.date, hit.source, hit.title]
        fields.append(hit.snippet.text if hit.snippet else None)
        if hit.qid is not None:
            fields.insert(0, hit.qid)
        yield "\t".join(_tsv_field(f) for f in fields)


def iter_ids(hits: Iterable[Hit]) -> Iterator[str]:
    """One id per line ([qid TAB] id)."""
    for hit in hits:
        yield hit.id if hit.qid is None else f"{hit.qid}\t{hit.id}"


def iter_trec(hits: Iterable[Hit], tag: str = "searcher") -> Iterator[str]:
    """TREC run lines: ``qid Q0 docid rank score tag`` (qid 1 for a single query).

    Evaluation tools order by score, so hits sorted by date score ``-rank``.
    """
    for hit in hits:
        qid = hit.qid if hit.qid is not None else "1"
        score = hit.score if hit.score is not None else -hit.rank
        yield f"{qid} Q0 {hit.id} {hit.rank} {score:.4f} {tag}"


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def render_table(
    hits: list[Hit],
    mark: Callable[[str], str] = plain_mark,
    width: int = DEFAULT_TABLE_WIDTH,
    visual: Callable[[str], str] | None = None,
) -> str:
    """A table for people: rank, date, source, id, and the title over the snippet.

    The passage column takes what ``width`` leaves after the others. ``visual``
    (``--bidi``) turns each wrapped line of a cell into its visual order; cells
    are then wrapped here, before reordering, and Arabic columns right-aligned.
    """
    from tabulate import tabulate

    id_width = min(32, max(len(h.id) for h in hits)) if hits else 2
    # Borders and padding of five columns, "#", the date, the source column.
    passage_width = max(30, width - id_width - 46)
    rows = []
    for hit in hits:
        text = _shorten(hit.title, TITLE_WIDTH) or "(untitled)"
        if hit.similar_ids:
            text += f"\n(+{len(hit.similar_ids)} similar)"
        if hit.snippet and hit.snippet.text:
            text += "\n" + mark_snippet(hit.snippet, mark)
        rows.append([hit.rank, hit.date or "", hit.source or "", hit.id, text])
    widths = [None, None, 16, id_width, passage_width]
    align = None
    if visual is not None:
        rows, widths, align = _visual_rows(rows, widths, visual)
    return tabulate(
        rows,
        headers=["#", "date", "source", "id", "title / passage"],
        tablefmt="simple_grid",
        maxcolwidths=widths,
        colalign=align,
        disable_numparse=True,
    )


def _visual_rows(rows: list[list], widths: list[int | None], visual: Callable[[str], str]):
    """Cells wrapped to their widths, each line in visual order; columns with Arabic right-aligned.

    Wrapping must come first: a right-to-left paragraph is cut into lines in
    reading order, and only then is each line reordered.
    """
    import textwrap

    from .display import has_rtl

    out = []
    for row in rows:
        cells = []
        for value, cell_width in zip(row, widths):
            text = str(value)
            lines = []
            for paragraph in text.split("\n"):
                lines += textwrap.wrap(paragraph, cell_width) if cell_width else [paragraph]
            cells.append("\n".join(visual(line) for line in lines))
        out.append(cells)
    rtl_columns = {i for row in rows for i, value in enumerate(row) if has_rtl(str(value))}
    align = ["right" if i in rtl_columns else "left" for i in range(len(widths))]
    return out, [None] * len(widths), align


def render_article(article: Article) -> str:
    """One stored article as readable text: title, metadata lines, body."""
    lines = [article.title]
    meta = [
        ("id", article.id),
        ("date", " ".join(x for x in (article.date.isoformat() if article.date else None, article.time) if x)),
        ("place", article.place),
        ("source", article.source),
        ("category", article.category),
        ("url", article.url),
    ]
    lines += [f"{name}: {value}" for name, value in meta if value]
    lines += ["", article.body]
    if article.related:
        lines += ["", "related:"] + [f"- {headline}" for headline in article.related]
    return "\n".join(lines).rstrip() + "\n"


def article_record(article: Article) -> dict:
    """The JSON object of one stored article (the corpus JSON Lines keys, plus extras)."""
    return {
        "id": article.id,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "time": article.time,
        "place": article.place,
        "source": article.source,
        "category": article.category,
        "url": article.url,
        "body": article.body,
        "related": list(article.related),
    }


def render_summary(stats: IndexStats) -> str:
    """The one-line end-of-run summary of ``search index``."""
    line = (
        f"{stats.processed:,} articles in {stats.seconds:.1f} s ({stats.rate:,.0f}/s): "
        f"{stats.added:,} added, {stats.updated:,} updated, {stats.unchanged:,} unchanged, "
        f"{stats.skipped:,} skipped"
    )
    if stats.skip_reasons:
        reasons = ", ".join(f"{reason} {n:,}" for reason, n in sorted(stats.skip_reasons.items()))
        line += f" ({reasons})"
    if stats.empty:
        line += f", {stats.empty:,} empty (nothing to index)"
    if stats.warnings:
        line += f", {stats.warnings:,} warnings"
    return line


def human_size(size: int) -> str:
    """
    >>> human_size(123456789)
    '117.7 MiB'
    """
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# Exploring: facet counts, timelines, suggestions, duplicate groups.

#: Left-to-right eighths of a character cell, for bars finer than one cell.
BAR_EIGHTHS = " ▏▎▍▌▋▊▉"
BAR_FULL = "█"
#: The longest bar, in character cells: wider charts are harder to read, not clearer.
MAX_BAR_WIDTH = 60
#: Shown for a missing value in counts (no source, no date, no category).
NO_VALUE = "(none)"


def bar(value: int, maximum: int, width: int) -> str:
    """A horizontal bar of ``value`` on a scale where ``maximum`` fills ``width`` cells.

    Any value above zero shows at least a sliver.

    >>> bar(10, 10, 4), bar(5, 10, 4), bar(1, 100, 4), bar(0, 10, 4)
    ('████', '██', '▏', '')
    """
    if value <= 0 or maximum <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, rest = divmod(eighths, 8)
    return BAR_FULL * full + (BAR_EIGHTHS[rest] if rest else "")


#: A timeline longer than this many rows gets its highest rows marked.
TIMELINE_MARK_ABOVE = 60
#: How many of the highest rows are marked.
TIMELINE_PEAKS = 3
PEAK_MARK = "◀"


def timeline_peaks(timeline, n: int = TIMELINE_PEAKS) -> list[tuple[str, int]]:
    """The ``n`` periods with the most hits, highest first (ties: earlier first); empty ones never.

    >>> from searcher.explore import Timeline
    >>> timeline_peaks(Timeline("day", (("2015-03-25", 0), ("2015-03-26", 9), ("2015-03-27", 4), ("2015-03-28", 9))))
    [('2015-03-26', 9), ('2015-03-28', 9), ('2015-03-27', 4)]
    """
    ranked = sorted((pc for pc in timeline.periods if pc[1] > 0), key=lambda pc: (-pc[1], pc[0]))
    return ranked[:n]


def render_timeline(timeline, width: int = DEFAULT_TABLE_WIDTH, title: str | None = None) -> str:
    """A bar chart of hits per period: one line per period, its count, then its bar.

    The highest count fills the bar width; any other count above zero shows at
    least a sliver. With more than ``TIMELINE_MARK_ABOVE`` rows the highest
    ``TIMELINE_PEAKS`` rows end in ``◀ #1``, ``◀ #2``, ... so they can be found
    (and grepped) in a long list.

    >>> from searcher.explore import Timeline
    >>> print(render_timeline(Timeline("month", (("2019-01", 4), ("2019-02", 0), ("2019-03", 2))), width=22))
    2019-01 4 │██████████
    2019-02 0 │
    2019-03 2 │█████
    """
    if not timeline.periods:
        return title or ""
    label_width = max(len(period) for period, _ in timeline.periods)
    top = max(count for _, count in timeline.periods)
    count_width = len(f"{top:,}")
    bar_width = min(MAX_BAR_WIDTH, max(10, width - label_width - count_width - 4))
    marks = {}
    if len(timeline.periods) > TIMELINE_MARK_ABOVE:
        marks = {period: f" {PEAK_MARK} #{rank}" for rank, (period, _) in enumerate(timeline_peaks(timeline), 1)}
    lines = [title] if title else []
    for period, count in timeline.periods:
        row = f"{period:<{label_width}} {count:>{count_width},} │{bar(count, top, bar_width)}"
        lines.append((row + marks.get(period, "")).rstrip())
    return "\n".join(lines)


def timeline_title(query: str, timeline) -> str:
    """The line over a timeline: the total, the query and the span.

    It starts with a Latin letter, so that the line runs left to right and the
    query is a right-to-left run inside it, in a terminal and in a chart alike.

    >>> from searcher.explore import Timeline
    >>> timeline_title("الباغوز", Timeline("month", (("2019-02", 1), ("2019-03", 2)), undated=1))
    'Articles with «الباغوز» by month: 4, 2019-02 .. 2019-03 (1 undated)'
    """
    line = f"Articles with «{query}» by {timeline.by}: {timeline.total:,}"
    if timeline.periods:
        line += f", {timeline.periods[0][0]} .. {timeline.periods[-1][0]}"
    if timeline.undated:
        line += f" ({timeline.undated:,} undated)"
    return line


def iter_timeline_jsonl(timeline, qid: str | None = None) -> Iterator[str]:
    """One object per period (``period``, ``count``); undated hits as ``period: null``."""
    rows = list(timeline.periods) + ([(None, timeline.undated)] if timeline.undated else [])
    for period, count in rows:
        record = {"period": period, "count": count}
        if qid is not None:
            record = {"qid": qid, **record}
        yield json.dumps(record, ensure_ascii=False)


def iter_timeline_tsv(timeline) -> Iterator[str]:
    """``period<TAB>count`` lines; undated hits under an empty period."""
    for period, count in timeline.periods:
        yield f"{period}\t{count}"
    if timeline.undated:
        yield f"\t{timeline.undated}"


def render_facets(facet: str, counts: list[tuple[str | None, int]]) -> str:
    """A two-column table of hit counts per value of one facet.

    >>> print(render_facets("source", [("skynews", 2), (None, 1)]))
    source      articles
    --------  ----------
    skynews            2
    (none)             1
    """
    from tabulate import tabulate

    rows = [[NO_VALUE if value is None else value, count] for value, count in counts]
    return tabulate(rows, headers=[facet, "articles"], tablefmt="simple", disable_numparse=True, colalign=("left", "right"))


def iter_facet_jsonl(facet: str, counts: list[tuple[str | None, int]], qid: str | None = None) -> Iterator[str]:
    """One object per value: ``facet``, ``value`` (null for none), ``count``."""
    for value, count in counts:
        record = {"facet": facet, "value": value, "count": count}
        if qid is not None:
            record = {"qid": qid, **record}
        yield json.dumps(record, ensure_ascii=False)


def iter_facet_tsv(facet: str, counts: list[tuple[str | None, int]], qid: str | None = None) -> Iterator[str]:
    """``[qid<TAB>]facet<TAB>value<TAB>count`` lines (an empty value for none)."""
    for value, count in counts:
        fields = [facet, _tsv_field(value), str(count)]
        if qid is not None:
            fields.insert(0, qid)
        yield "\t".join(fields)


def suggestion_records(suggestions) -> list[dict]:
    """The JSON form of "did you mean" suggestions: query, hits, and each corrected word."""
    return [
        {
            "query": s.text,
            "hits": s.hits,
            "corrections": [
                {"word": c.word, "replacement": c.replacement, "frequency": c.frequency} for c in s.corrections
            ],
        }
        for s in suggestions
    ]


def render_suggestions(suggestions) -> str:
    """The "did you mean" lines for people (stderr).

    >>> from searcher.suggest import Suggestion
    >>> print(render_suggestions([Suggestion("الملك سلمان", (), 398)]))
    Did you mean: الملك سلمان (398 hits)
    >>> print(render_suggestions([Suggestion("عسير", (), 196), Suggestion("العزيز", (), None)]))
    Did you mean:
      عسير (196 hits)
      العزيز
    """

    def line(s) -> str:
        if s.hits is None:
            return s.text
        return f"{s.text} ({s.hits:,} hit{'s' if s.hits != 1 else ''})"

    if len(suggestions) == 1:
        return f"Did you mean: {line(suggestions[0])}"
    return "\n".join(["Did you mean:"] + [f"  {line(s)}" for s in suggestions])


def render_duplicates(article: Article, duplicates) -> str:
    """The duplicate group of one article: similarity, date, source, id, title; the article first."""
    from tabulate import tabulate

    rows = [["this", article.date.isoformat() if article.date else "", article.source or "", article.id, _shorten(article.title, TITLE_WIDTH)]]
    for other, score, exact in duplicates:
        label = "exact" if exact else f"{score:.0%}"
        rows.append([label, other.date.isoformat() if other.date else "", other.source or "", other.id, _shorten(other.title, TITLE_WIDTH)])
    return tabulate(
        rows, headers=["similarity", "date", "source", "id", "title"], tablefmt="simple", disable_numparse=True
    )


def duplicates_record(article: Article, duplicates) -> dict:
    """The JSON form of a duplicate group: the article's id and each other member."""
    return {
        "id": article.id,
        "duplicates": [
            {
                "id": other.id,
                "title": other.title,
                "date": other.date.isoformat() if other.date else None,
                "source": other.source,
                "similarity": score,
                "exact": exact,
            }
            for other, score, exact in duplicates
        ],
    }
