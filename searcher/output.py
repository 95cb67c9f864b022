"""Turning hits, articles and stats into text. Returns strings; never prints.

Formats for people (``table``) and for pipes (``jsonl``, ``tsv``, ``ids``,
``trec``). JSON keys are stable: new keys may be added, none renamed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from .models import Article, Hit, IndexStats, Snippet
from .textwidth import display_width, fit, pad, wrap

FORMATS = ("table", "jsonl", "tsv", "ids", "trec")
#: Markers around matched words where colour is not available.
PLAIN_MARKERS = ("[", "]")
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


#: The narrowest title / passage column of the grid table: below it, hits are listed as blocks.
MIN_TITLE_WIDTH = 30
#: Lines a title may take (in its column, or under a block's first line) before it is cut.
TITLE_LINES = 2
#: A source column's width before a source wraps (at spaces; a longer single word widens it).
SOURCE_WIDTH = 16
#: Between the fields of a block's first line.
BLOCK_GAP = "  "


def _grid_frame(columns: int) -> int:
    """Cells the ``simple_grid`` frame takes around ``columns`` columns: borders and a space either side."""
    return 3 * columns + 1


def _each_word(mark: Callable[[str], str]) -> Callable[[str], str]:
    """``mark`` applied to every word of a matched span apart, so that no mark spans a line break."""
    return lambda text: " ".join(mark(word) if word else word for word in text.split(" "))


def _source_width(sources: list[str]) -> int:
    """The width of the sources' column: their widest line once wrapped at SOURCE_WIDTH (never inside a word)."""
    longest_word = max((display_width(word) for s in sources for word in s.split()), default=0)
    limit = max(SOURCE_WIDTH, longest_word)
    return max((display_width(line) for s in sources for line in wrap(s, limit)), default=0)


def _passage_lines(hit: Hit, mark: Callable[[str], str], width: int) -> list[str]:
    """The title (at most TITLE_LINES, cut with an ellipsis), "(+N similar)", the marked snippet, all within ``width``."""
    lines = fit(hit.title, width, TITLE_LINES) or ["(untitled)"]
    if hit.similar_ids:
        lines += wrap(f"(+{len(hit.similar_ids)} similar)", width)
    if hit.snippet and hit.snippet.text:
        lines += wrap(mark_snippet(hit.snippet, _each_word(mark)), width)
    return lines


def render_table(
    hits: list[Hit],
    mark: Callable[[str], str] = plain_mark,
    width: int = DEFAULT_TABLE_WIDTH,
    visual: Callable[[str], str] | None = None,
) -> str:
    """The hits for people, never wider than ``width`` terminal cells, ids never broken.

    A grid of rank, date, source, id, and the title over the snippet: every
    column but the last takes its content's width (a source over SOURCE_WIDTH
    wraps at spaces); the title / passage column takes the rest, the title cut
    after TITLE_LINES lines with an ellipsis, the snippet wrapped. Widths are
    display widths (harakat take no cell, colour escapes none).

    When that leaves the title / passage column fewer than MIN_TITLE_WIDTH
    cells (a narrow terminal, long ids), each hit is a block instead: rank, id,
    date and source on its first line, then the title and the snippet indented
    under it. An id wider than the terminal is still printed whole: only its
    line is then wider than ``width``.

    ``visual`` (``--bidi``) turns each line of a cell into its visual order
    after wrapping (a right-to-left paragraph is cut into lines in reading
    order, and only then reordered), and right-aligns columns with Arabic.
    """
    from tabulate import tabulate

    headers = ["#", "date", "source", "id", "title / passage"]
    source_width = _source_width([hit.source for hit in hits if hit.source])
    fixed = [
        max([display_width(str(hit.rank)) for hit in hits], default=0),
        max([display_width(hit.date) for hit in hits if hit.date], default=0),
        source_width,
        max([display_width(hit.id) for hit in hits], default=0),
    ]
    # tabulate makes a column at least two cells wider than its header.
    fixed = [max(content, display_width(header) + 2) for content, header in zip(fixed, headers)]
    title_width = width - _grid_frame(5) - sum(fixed)
    if title_width < MIN_TITLE_WIDTH:
        return _hit_blocks(hits, mark, width, visual)
    rows = [
        [[str(hit.rank)], [hit.date or ""], wrap(hit.source or "", source_width), [hit.id], _passage_lines(hit, mark, title_width)]
        for hit in hits
    ]
    align = None
    if visual is not None:
        from .display import has_rtl

        rtl = {i for row in rows for i, cell in enumerate(row) if any(has_rtl(line) for line in cell)}
        align = ["right" if i in rtl else "left" for i in range(5)]
        rows = [[[visual(line) for line in cell] for cell in row] for row in rows]
    return tabulate(
        [["\n".join(cell) for cell in row] for row in rows],
        headers=headers,
        tablefmt="simple_grid",
        colalign=align,
        disable_numparse=True,
    )


def _block(
    lead: str,
    lead_width: int,
    fields: list[tuple[str, bool]],
    body: Callable[[int], list[str]],
    width: int,
    visual: Callable[[str], str] | None = None,
) -> list[str]:
    """One entry of a list for narrow terminals: ``lead`` (a rank), then the fields, then the body indented.

    ``fields`` are (text, breakable) pairs put on the first line while they
    fit, then on lines of their own; an unbreakable one (an id) is never cut,
    a breakable one (a source) wraps at spaces. ``body(room)`` gives the
    lines under them, each at most ``room`` cells. With ``visual``, lines are
    reordered, and body lines with Arabic right-aligned.
    """
    indent = lead_width + len(BLOCK_GAP)
    room = max(1, width - indent)
    head: list[str] = []
    for text, breakable in fields:
        for part in wrap(text, room) if breakable else [text]:
            if head and display_width(head[-1]) + len(BLOCK_GAP) + display_width(part) <= room:
                head[-1] += BLOCK_GAP + part
            else:
                head.append(part)
    lines = body(room)
    if visual is not None:
        from .display import has_rtl

        head = [visual(line) for line in head]
        lines = [pad(visual(line), room, "right") if has_rtl(line) else line for line in lines]
    lines = head + lines
    first = pad(lead, lead_width) + BLOCK_GAP + lines[0] if lines else lead
    return [first.rstrip()] + [(" " * indent + line).rstrip() for line in lines[1:]]


def _hit_blocks(hits: list[Hit], mark: Callable[[str], str], width: int, visual: Callable[[str], str] | None) -> str:
    """Hits as blocks separated by blank lines: rank, id, date, source; title; snippet."""
    lead_width = max((display_width(str(hit.rank)) for hit in hits), default=0)
    blocks = []
    for hit in hits:
        fields = [(hit.id, False), (hit.date or "", False), (hit.source or "", True)]
        fields = [(text, breakable) for text, breakable in fields if text]
        body = partial(_passage_lines, hit, mark)
        blocks.append("\n".join(_block(str(hit.rank).rjust(lead_width), lead_width, fields, body, width, visual)))
    return "\n\n".join(blocks)


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


def render_facets(facet: str, counts: list[tuple[str | None, int]], width: int = DEFAULT_TABLE_WIDTH) -> str:
    """A two-column table of hit counts per value of one facet; values wrap at spaces to fit ``width``.

    >>> print(render_facets("source", [("skynews", 2), (None, 1)]))
    source      articles
    --------  ----------
    skynews            2
    (none)             1
    """
    from tabulate import tabulate

    headers = [facet, "articles"]
    count_width = max([display_width(str(count)) for _, count in counts] + [display_width(headers[1]) + 2])
    value_width = max(display_width(facet) + 2, width - count_width - 2)
    rows = [["\n".join(wrap(NO_VALUE if value is None else value, value_width)), count] for value, count in counts]
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True, colalign=("left", "right"))


def render_source_counts(sources: list[tuple[str, int]], width: int = DEFAULT_TABLE_WIDTH) -> list[str]:
    """``search stats``' lines of articles per source: the count, then the name wrapped at spaces to fit ``width``.

    >>> render_source_counts([("وكالة أنباء الجزيرة السورية", 1200)], width=26)
    ['     1,200  وكالة أنباء', '            الجزيرة', '            السورية']
    """
    lines = []
    for name, count in sources:
        name_lines = wrap(name, width - 12) or [""]
        lines.append(f"  {count:>8,}  {name_lines[0]}".rstrip())
        lines += [" " * 12 + line for line in name_lines[1:]]
    return lines


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


def render_duplicates(article: Article, duplicates, width: int = DEFAULT_TABLE_WIDTH) -> str:
    """The duplicate group of one article: similarity, date, source, id, title; the article first.

    One line per article, the title cut to what ``width`` leaves; when that is
    under MIN_TITLE_WIDTH cells, one block per article (as for hits).
    """
    from tabulate import tabulate

    labels = ["this"] + ["exact" if exact else f"{score:.0%}" for _, score, exact in duplicates]
    members = [article] + [other for other, _, _ in duplicates]
    dates = [a.date.isoformat() if a.date else "" for a in members]
    headers = ["similarity", "date", "source", "id", "title"]
    source_width = _source_width([a.source for a in members if a.source])
    fixed = [
        max(display_width(label) for label in labels),
        max(display_width(date) for date in dates),
        source_width,
        max(display_width(a.id) for a in members),
    ]
    # tabulate makes a column at least two cells wider than its header; "simple" puts two spaces between columns.
    fixed = [max(content, display_width(header) + 2) for content, header in zip(fixed, headers)]
    title_width = width - 2 * 4 - sum(fixed)
    if title_width < MIN_TITLE_WIDTH:
        lead_width = max(display_width(label) for label in labels)
        lines = []
        for label, date, a in zip(labels, dates, members):
            fields = [(text, breakable) for text, breakable in ((a.id, False), (date, False), (a.source or "", True)) if text]
            body = partial(lambda title, room: fit(title, room, TITLE_LINES), a.title)
            lines += _block(label, lead_width, fields, body, width)
        return "\n".join(lines)
    rows = [
        [label, date, "\n".join(wrap(a.source or "", source_width)), a.id, "\n".join(fit(a.title, title_width))]
        for label, date, a in zip(labels, dates, members)
    ]
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


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
