"""Bounds on what one query may cost: its size, its nesting, its patterns and its time.

A query is user input, and some inputs would otherwise run for minutes or crash
the parser: ``*`` (every article), ``?????`` (every five-letter word), a word
glued to an open range (``الرياضdate:>2015`` ranges over the whole vocabulary),
a paragraph of 300 words, brackets nested a thousand deep. The checks here run
on the query text and on the parsed query, before anything is searched; what a
check cannot know in advance (how many words a pattern expands to, how long the
scoring takes) is checked while the query runs. Every refusal is a
``QuerySyntaxError`` or a ``QueryTimeout``, both ``SearcherError``.
"""

from __future__ import annotations

import math
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar

from whoosh import query as wq
from whoosh.qparser import plugins, syntax

from .errors import QuerySyntaxError, QueryTimeout

#: Characters in a query (the parser's work grows with the text).
MAX_QUERY_CHARS = 4000
#: Brackets (and other nesting) deeper than this are refused.
MAX_DEPTH = 16
#: Different words in a query (a repeated word counts once: the parser keeps one of each).
MAX_WORDS = 64
#: Letters a pattern needs before its first ``*`` or ``?``.
MIN_PATTERN_PREFIX = 2
#: Words a pattern may stand for (in one segment of the index: Whoosh expands
#: patterns segment by segment). ``من*?`` stands for ~500 words in each 20,000
#: articles and took 2.4 s on 72,000; ``مست*`` (~200) 0.7 s.
MAX_EXPANSION = 300
#: A boost (``word^2``) is above 0 and at most this.
MAX_BOOST = 100.0
#: Fields that only select (never expanded into all their words): ranges stay ranges only here.
RANGE_FIELDS = frozenset({"date"})
#: Seconds "did you mean" may take (suggestions are extras: past it, those found so far are offered).
#: A typo takes about 0.3 s on the 72k news corpora; long runs of glued words hit the budget.
SUGGEST_TIME = 0.75
#: How often (in matching articles or expanded words) the clock is read.
CHECK_EVERY = 1024


# --- the clock -------------------------------------------------------------

#: (deadline on the monotonic clock, the limit in seconds) of the running query.
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("searcher_query_deadline", default=None)


@contextmanager
def time_limit(seconds: float | None):
    """Run the block under a time limit; nested limits keep the earlier deadline.

    >>> with time_limit(None):
    ...     check_time()
    """
    if seconds is None:
        yield
        return
    if not seconds > 0 or math.isinf(seconds):
        raise ValueError(f"a time limit must be a positive number of seconds, not {seconds!r}")
    outer = _deadline.get()
    mine = (time.monotonic() + seconds, seconds)
    token = _deadline.set(mine if outer is None or mine[0] < outer[0] else outer)
    try:
        yield
    finally:
        _deadline.reset(token)


def out_of_time() -> bool:
    """True when the running query is past its deadline."""
    current = _deadline.get()
    return current is not None and time.monotonic() > current[0]


def check_time() -> None:
    """Raise QueryTimeout when the running query is past its deadline."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current[0]:
        raise QueryTimeout(f"the query took longer than its time limit of {current[1]:g} s")


def checked(items, every: int | None = None):
    """``items``, reading the clock every ``every`` (default CHECK_EVERY) of them."""
    every = every or CHECK_EVERY
    for n, item in enumerate(items, 1):
        if not n % every:
            check_time()
        yield item


# --- the text, before parsing ----------------------------------------------


def check_text(text: str) -> None:
    """Refuse a query too long or nested too deep to parse quickly (QuerySyntaxError)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"the query is {len(text):,} characters long: at most {MAX_QUERY_CHARS:,} are searched; shorten it"
        )
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
    if deepest > MAX_DEPTH:
        raise QuerySyntaxError(f"brackets are nested {deepest} deep: at most {MAX_DEPTH}")


# --- parser plugins --------------------------------------------------------

_NUMBER = r"[-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|nan|inf(?:inity)?)"


class BoostPlugin(plugins.BoostPlugin):
    """``word^2``: a boost above 0 and at most MAX_BOOST; ``^0``, ``^-1``, ``^nan``, ``^1e9`` are errors.

    Whoosh's own plugin reads only unsigned numbers and takes ``^0`` (a weight
    of 0) and any huge number.
    """

    expr = rf"(?i)\^(?P<boost>{_NUMBER})(?=$|[\s)])"

    def create(self, parser, match):
        # Checked only where it applies to a word or group (see do_boost): a
        # stray "^0" with nothing before it is a plain word.
        return self.BoostNode(match.group(0), match.group("boost"))

    def do_boost(self, parser, group):
        newgroup = group.empty_copy()
        for node in group:
            if isinstance(node, syntax.GroupNode):
                node = self.do_boost(parser, node)
            elif isinstance(node, self.BoostNode):
                if newgroup and newgroup[-1].has_boost:
                    newgroup[-1].set_boost(_boost(node.boost))
                    continue
                node = syntax.to_word(node)
            newgroup.append(node)
        return newgroup


def _boost(text: str) -> float:
    boost = float(text)
    if not (0 < boost <= MAX_BOOST):
        raise QuerySyntaxError(f"a boost must be above 0 and at most {MAX_BOOST:g}, as in word^2: not ^{text}")
    return boost


# --- the parsed query ------------------------------------------------------


def bound_query(q: wq.Query) -> wq.Query:
    """Check and rewrite a parsed query so that it runs in bounded time.

    - nesting deeper than ``2 * MAX_DEPTH`` clauses: QuerySyntaxError;
    - a range (``>x``, ``[a TO b]``) outside ``date:``: its bounds, searched as words;
    - a pattern without MIN_PATTERN_PREFIX letters before ``*`` or ``?`` (``*``,
      ``?????``, ``ب*``): QuerySyntaxError; others expand to at most MAX_EXPANSION words;
    - more than MAX_WORDS different words: QuerySyntaxError.
    """
    _check_depth(q)
    q = _rewrite(q)
    words = _words(q)
    if len(words) > MAX_WORDS:
        raise QuerySyntaxError(f"the query has {len(words)} different words: at most {MAX_WORDS}; shorten it")
    return q


def _check_depth(q: wq.Query) -> None:
    stack = [(q, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > 2 * MAX_DEPTH:
            raise QuerySyntaxError(f"the query is nested more than {MAX_DEPTH} deep")
        if not node.is_leaf():
            stack.extend((child, depth + 1) for child in node.children())


def _rewrite(q: wq.Query) -> wq.Query:
    if isinstance(q, wq.TermRange):
        return q if q.fieldname in RANGE_FIELDS else _range_words(q)
    if isinstance(q, wq.Every):
        raise QuerySyntaxError(_pattern_message("*"))
    if isinstance(q, (wq.Prefix, wq.Wildcard)):
        return _capped(q)
    if q.is_leaf():
        return q
    return q.apply(_rewrite)


def _range_words(q: wq.TermRange) -> wq.Query:
    """A range outside ``date:`` as its bounds' words (``الرياضdate:>2015`` is الرياضdate and 2015)."""
    words = [w for bound in (q.start, q.end) if bound for w in str(bound).split()]
    if not words:
        return wq.NullQuery
    terms = [wq.Term(q.fieldname, w, boost=q.boost) for w in words]
    return terms[0] if len(terms) == 1 else wq.And(terms)


def _pattern_message(text: str) -> str:
    return (
        f"a pattern needs at least {MIN_PATTERN_PREFIX} letters before * or ?: "
        f"{text!r} would stand for too many words"
    )


def _capped(q: wq.Query) -> wq.Query:
    text = str(q.text)
    literal = re.split(r"[*?]", text, maxsplit=1)[0] if isinstance(q, wq.Wildcard) else text
    shown = text + "*" if isinstance(q, wq.Prefix) else text
    if len(literal) < MIN_PATTERN_PREFIX:
        raise QuerySyntaxError(_pattern_message(shown))
    cls = CappedPrefix if isinstance(q, wq.Prefix) else CappedWildcard
    return cls(q.fieldname, q.text, boost=q.boost, constantscore=q.constantscore)


class _CappedExpansion:
    """A pattern that stands for at most MAX_EXPANSION words, reading the clock as it expands."""

    def _btexts(self, ixreader):
        for n, btext in enumerate(super()._btexts(ixreader), 1):
            if n > MAX_EXPANSION:
                shown = f"{self.text}*" if isinstance(self, wq.Prefix) else self.text
                raise QuerySyntaxError(
                    f"the pattern {shown!r} stands for too many words (over {MAX_EXPANSION:,}) in this archive: "
                    "add letters before * or ?"
                )
            if not n % 256:
                check_time()
            yield btext

    def normalize(self):
        return self


class CappedPrefix(_CappedExpansion, wq.Prefix):
    pass


class CappedWildcard(_CappedExpansion, wq.Wildcard):
    pass


def _words(q: wq.Query) -> set[str]:
    """The different words (and patterns) of a query, in any field."""
    found: set[str] = set()
    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, wq.Phrase):
            found.update(str(w) for w in node.words)
        elif isinstance(node, (wq.Term, wq.PatternQuery)):
            found.add(str(node.text))
        elif not node.is_leaf():
            stack.extend(node.children())
    return found
