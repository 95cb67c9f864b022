"""``search query --explain``: what a request runs, for people to read.

The engine's own rendering of a query shows weights as computed
(``^0.15000000000000002``) and the internal end marker of date ranges; here
weights are rounded and the option filters (``--source``, ``--since``,
``--until``) get a line each.
"""

from __future__ import annotations

import re

from whoosh import query as wq

from .userdates import DATE_END, date_bounds

_WEIGHT = re.compile(r"\^(\d+(?:\.\d+)?(?:e-?\d+)?)")
_DATE_RANGE_END = re.compile(rf"(date:\[[^\]]*?){re.escape(DATE_END)}\]")


def describe_query(q: wq.Query, decimals: int = 2) -> str:
    """A query as ``field:word^weight`` text, weights rounded (a weight of 1 is not shown).

    >>> describe_query(wq.Or([wq.Term("title", "في", boost=0.15000000000000002), wq.Term("body", "في", boost=0.1)]))
    '(title:في^0.15 OR body:في^0.1)'
    >>> describe_query(wq.TermRange("date", "2019", "2020~"))
    'date:[2019 TO 2020]'
    """

    def rounded(match: re.Match[str]) -> str:
        weight = round(float(match.group(1)), decimals)
        text = f"{weight:.{decimals}f}".rstrip("0").rstrip(".")
        return "" if text == "1" else f"^{text}"

    return _DATE_RANGE_END.sub(r"\1]", _WEIGHT.sub(rounded, str(q)))


def describe_filters(request) -> list[str]:
    """One line per option filter of a ``SearchRequest``; raises QuerySyntaxError for bad dates.

    >>> from searcher.query import SearchRequest
    >>> describe_filters(SearchRequest(text="x", sources=("BBC", "skynews"), since="١٥/٠٣/٢٠١٧"))
    ['source: BBC OR skynews', 'date: from 2017-03-15 on (included)']
    """
    lines = []
    if request.sources:
        lines.append("source: " + " OR ".join(request.sources))
    since, until = date_bounds(request.since, request.until)
    if since and until:
        lines.append(f"date: {since} to {until} (both included)")
    elif since:
        lines.append(f"date: from {since} on (included)")
    elif until:
        lines.append(f"date: up to {until} (included)")
    return lines


def render_explain(plan, request) -> str:
    """The text of ``--explain`` for one planned request (``query.QueryPlan``)."""
    lines = [f"query: {request.text}", f"parsed: {describe_query(plan.query)}"]
    if plan.relaxed is not None:
        lines.append(f"then: {describe_query(plan.relaxed)}")
    lines.extend(f"filter: {line}" for line in describe_filters(request))
    lines.append("search forms: " + " ".join(sorted(plan.search_terms)))
    if plan.exact_terms:
        lines.append("exact forms: " + " ".join(sorted(plan.exact_terms)))
    if request.qid is not None:
        lines.insert(0, f"qid: {request.qid}")
    return "\n".join(lines)
