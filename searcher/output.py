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
        "source": hit.source,
        "category": hit.category,
        "url": hit.url,
        "snippet": hit.snippet.text if hit.snippet else None,
        "matches": [list(span) for span in hit.snippet.spans] if hit.snippet else [],
    }
    if hit.qid is not None:
        record = {"qid": hit.qid, **record}
    return record


def iter_jsonl(hits: Iterable[Hit]) -> Iterator[str]:
    """One JSON object per hit, Arabic unescaped."""
    for hit in hits:
        yield json.dumps(hit_record(hit), ensure_ascii=False)


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


def render_table(hits: list[Hit], mark: Callable[[str], str] = plain_mark, width: int = DEFAULT_TABLE_WIDTH) -> str:
    """A table for people: rank, date, source, id, and the title over the snippet.

    The passage column takes what ``width`` leaves after the others.
    """
    from tabulate import tabulate

    id_width = min(32, max(len(h.id) for h in hits)) if hits else 2
    # Borders and padding of five columns, "#", the date, the source column.
    passage_width = max(30, width - id_width - 46)
    rows = []
    for hit in hits:
        text = _shorten(hit.title, TITLE_WIDTH) or "(untitled)"
        if hit.snippet and hit.snippet.text:
            text += "\n" + mark_snippet(hit.snippet, mark)
        rows.append([hit.rank, hit.date or "", hit.source or "", hit.id, text])
    return tabulate(
        rows,
        headers=["#", "date", "source", "id", "title / passage"],
        tablefmt="simple_grid",
        maxcolwidths=[None, None, 16, id_width, passage_width],
        disable_numparse=True,
    )


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
