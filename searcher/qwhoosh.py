"""Compile a query tree (``searcher.qtree``) into a Whoosh query.

Part of the Whoosh engine: nothing outside it should need ``whoosh.query``.
Unfielded leaves (``field=None``) become an Or over the text fields, each
with its weight (``Ranking.field_boosts``); dates become ranges over ISO
text (``DATE_END`` makes an inclusive end take its whole period).
"""

from __future__ import annotations

from whoosh import query as wq

from . import qtree as t
from .schema import DEFAULT_FIELD_BOOSTS, EXACT_FIELD
from .userdates import DATE_END

__all__ = ["to_whoosh"]


def to_whoosh(tree: t.Node, field_boosts: dict[str, float] | None = None, *, normalize: bool = True) -> wq.Query:
    """The Whoosh query of a tree; ``normalize``: flattened and simplified by Whoosh.

    >>> from searcher.qparse import parse
    >>> to_whoosh(parse("title:الباغوز date:2019"))
    And([Term('title', 'باغوز'), Prefix('date', '2019')])
    """
    q = _compile(tree, field_boosts or DEFAULT_FIELD_BOOSTS)
    return q.normalize() if normalize else q


def _over_fields(make, field_boosts: dict[str, float], boost: float) -> wq.Query:
    return wq.Or([make(name, weight) for name, weight in field_boosts.items()], boost=boost)


def _compile(node: t.Node, fb: dict[str, float]) -> wq.Query:
    c = lambda child: _compile(child, fb)  # noqa: E731
    if isinstance(node, t.And):
        return wq.And([c(x) for x in node.items], boost=node.boost)
    if isinstance(node, t.Or):
        return wq.Or([c(x) for x in node.items], boost=node.boost)
    if isinstance(node, t.Not):
        return wq.Not(c(node.item))
    if isinstance(node, t.AndNot):
        return wq.AndNot(c(node.a), c(node.b))
    if isinstance(node, t.AndMaybe):
        return wq.AndMaybe(c(node.a), c(node.b))
    if isinstance(node, t.Require):
        return wq.Require(c(node.a), c(node.b))
    if isinstance(node, t.Word):
        if node.field is None:
            return _over_fields(lambda f, w: wq.Term(f, node.text, boost=w), fb, node.boost)
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, t.Split):
        joint = wq.And if node.every else wq.Or
        if node.field is None:
            return _over_fields(lambda f, w: joint([wq.Term(f, x, boost=w) for x in node.words]), fb, node.boost)
        return joint([wq.Term(node.field, x, boost=node.boost) for x in node.words])
    if isinstance(node, t.FieldWord):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, t.Exact):
        if len(node.forms) == 1:
            return wq.Term(EXACT_FIELD, node.forms[0], boost=node.boost)
        return wq.Phrase(EXACT_FIELD, list(node.forms), slop=node.slop, boost=node.boost)
    if isinstance(node, t.Phrase):
        words = list(node.words)
        if len(words) == 1:
            # Whoosh's Phrase.normalize turns a one-word phrase into a Term without
            # its weights; kept so that results do not change with the parser.
            if node.field is None:
                return wq.Or([wq.Term(f, words[0]) for f in fb], boost=node.boost)
            return wq.Term(node.field, words[0])
        if node.field is None:
            return _over_fields(lambda f, w: wq.Phrase(f, words, slop=node.slop, boost=w), fb, node.boost)
        return wq.Phrase(node.field, words, slop=node.slop, boost=node.boost)
    if isinstance(node, t.Prefix):
        if node.field is None:
            return _over_fields(lambda f, w: wq.Prefix(f, node.text, boost=w), fb, node.boost)
        return wq.Prefix(node.field, node.text, boost=node.boost)
    if isinstance(node, t.Wildcard):
        if node.field is None:
            return _over_fields(lambda f, w: wq.Wildcard(f, node.pattern, boost=w), fb, node.boost)
        return wq.Wildcard(node.field, node.pattern, boost=node.boost)
    if isinstance(node, t.Range):
        args = (node.start, node.end, node.start_excl, node.end_excl)
        if node.field is None:
            return _over_fields(lambda f, w: wq.TermRange(f, *args, boost=w), fb, node.boost)
        return wq.TermRange(node.field, *args, boost=node.boost)
    if isinstance(node, t.DateIs):
        if len(node.value) < 10:
            return wq.Prefix("date", node.value, boost=node.boost)
        return wq.Term("date", node.value, boost=node.boost)
    if isinstance(node, t.DateRange):
        end = node.end
        if end is not None and not node.end_excl:
            end += DATE_END
        return wq.TermRange("date", node.start, end, node.start_excl, node.end_excl, boost=node.boost)
    if isinstance(node, t.Every):
        return wq.Every() if node.field is None else wq.Every(node.field, boost=node.boost)
    raise TypeError(f"not a query tree node: {node!r}")
