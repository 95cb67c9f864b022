"""Reading the index: parse a query, rank with BM25F, build hits with snippets."""

from __future__ import annotations

import datetime as dt
import heapq
from array import array
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import qparser
from whoosh import matching
from whoosh import query as wq
from whoosh.qparser import syntax
from whoosh.collectors import ScoredCollector
from whoosh.qparser.common import QueryParserError
from whoosh.scoring import BM25F

from .errors import ArticleNotFound, QuerySyntaxError
from .limits import CHECK_EVERY, BoostPlugin, bound_query, check_text, check_time, checked, out_of_time, time_limit
from .function_words import FUNCTION_WORD_FORMS
from .meta import check_version
from .models import Article, Hit
from .schema import DEFAULT_FIELD_BOOSTS, EXACT_FIELD, build_query_schema
from .snippets import make_snippet
from .durable import logger
from .storage import index_size, open_index
from .terms import has_exact_sequence, search_form
from .userdates import check_order, date_bounds, normalise_user_date

SORT_ORDERS = ("relevance", "date", "-date")
#: Sorts after every character of an ISO date: makes "2019-02" an inclusive upper bound.
_DATE_END = "~"


@dataclass(frozen=True)
class SearchRequest:
    """What to search for and how to page, filter and order the results."""

    text: str
    #: Hits to return; None: every hit (the full ranking).
    limit: int | None = 10
    offset: int = 0
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    match_all: bool = True
    #: With ``match_all``: when fewer articles have every word than were asked
    #: for, add the best of those with some of the words after them (``Hit.partial``).
    fill_with_any: bool = True
    snippets: bool = True
    qid: str | None = None


@dataclass(frozen=True)
class Ranking:
    """How hits are scored. The defaults are tuned on judged queries (docs/relevance.md).

    ``function_word_weight`` scales the words of ``searcher.function_words``
    (في, من, الذي ...) when the query has other words; ``robertson_idf`` gives a
    word found in every article a weight near 0, as Lucene and Terrier do,
    instead of Whoosh's ``log(N/(df+1)) + 1``, which never goes below 1.
    """

    k1: float = 0.9
    b: float = 0.75
    title_boost: float = DEFAULT_FIELD_BOOSTS["title"]
    function_word_weight: float = 0.1
    robertson_idf: bool = True

    @property
    def field_boosts(self) -> dict[str, float]:
        return {**DEFAULT_FIELD_BOOSTS, "title": self.title_boost}

    def weighting(self) -> BM25F:
        scorer = RobertsonBM25F if self.robertson_idf else BM25F
        return scorer(B=self.b, K1=self.k1)


class RobertsonBM25F(BM25F):
    """BM25F with the idf of Lucene and Terrier, ``log(1 + (N - df + 0.5) / (df + 0.5))``."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class ArchiveStats:
    """What an index holds."""

    articles: int
    size_bytes: int
    first_date: str | None
    last_date: str | None
    sources: list[tuple[str, int]] = field(default_factory=list)


class ExactMarkerPlugin(qparser.TaggingPlugin):
    """``=word`` and ``="a phrase"``, short for ``exact:``: the exact (unstemmed) forms."""

    expr = r"(?<![^\s(])=(?=[^\s=()])"
    priority = 0

    def create(self, parser, match):
        return syntax.FieldnameNode(EXACT_FIELD, match.group(0))


class WildcardPlugin(qparser.WildcardPlugin):
    """Wildcards ``*`` and ``?`` only: Whoosh also takes the Arabic question mark ؟,
    which ends every pasted question (أين تقع الباغوز؟) and is punctuation here."""

    qmarks = "?"
    expr = r"(?P<text>[*?])"


def build_parser(
    schema=None, *, match_all: bool = True, field_boosts: dict[str, float] | None = None
) -> qparser.QueryParser:
    """The query parser: unfielded words search the title and the body."""
    schema = schema or build_query_schema()
    field_boosts = field_boosts or DEFAULT_FIELD_BOOSTS
    group = syntax.AndGroup if match_all else syntax.OrGroup
    parser = qparser.QueryParser(None, schema, group=group)
    # NOT also as a leading minus (-word), as in web search; "COVID-19" keeps its hyphen.
    parser.replace_plugin(qparser.OperatorsPlugin(Not=r"(^|(?<=(\s|[()])))(NOT(?=\s)|-(?=[^\s-]))"))
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(WildcardPlugin())
    parser.add_plugin(ExactMarkerPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.add_plugin(BoostPlugin())
    parser.add_plugin(qparser.MultifieldPlugin(list(field_boosts), fieldboosts=field_boosts))
    return parser


def parse_query(text: str, *, match_all: bool = True, parser=None) -> wq.Query:
    """Parse the query language into an engine query (see the README for the syntax).

    Raises QuerySyntaxError for an empty query, one with no searchable words, an
    invalid date, or one over the limits of ``searcher.limits`` (length, nesting,
    words, boosts, patterns).
    """
    if not text or not text.strip():
        raise QuerySyntaxError("empty query")
    check_text(text)
    if parser is None:
        return _parse(text, build_parser(match_all=match_all))
    # An open archive parses one request's text several times (hits, snippets,
    # suggestions, counts): parsing is linear in the text but not cheap.
    cache = parser.__dict__.setdefault("_parsed", {})
    parsed = cache.get(text)
    if parsed is None:
        parsed = _parse(text, parser)
        if len(cache) >= 64:
            cache.clear()
        cache[text] = parsed
    return parsed


def _parse(text: str, parser) -> wq.Query:
    try:
        parsed = parser.parse(text)
    except RecursionError:
        raise QuerySyntaxError("the query is nested too deeply") from None
    except (QueryParserError, IndexError):
        # Whoosh's parser fails on some stray operators, e.g. a leading "<" with
        # no field before it (IndexError inside its GtLt plugin).
        raise QuerySyntaxError(f"cannot parse the query {text.strip()!r}: check its operators, brackets and quotes") from None
    if parsed is wq.NullQuery:
        # Everything analysed away: only diacritics, punctuation or operators.
        raise QuerySyntaxError(f"the query {text.strip()!r} has no words to search for")
    parsed = bound_query(parsed)
    if parsed is wq.NullQuery:
        raise QuerySyntaxError(f"the query {text.strip()!r} has no words to search for")
    parsed = _rewrite_dates(parsed)
    _check_exact_clauses(parsed)
    return parsed


@dataclass(frozen=True)
class QueryPlan:
    """What a request runs: the query, the relaxed query that fills up, the words to mark."""

    query: wq.Query
    relaxed: wq.Query | None
    search_terms: frozenset[str]
    exact_terms: frozenset[str]


def plan_query(request: SearchRequest, ranking: Ranking | None = None, parser=None) -> QueryPlan:
    """Parse a request's text and apply the ranking's treatment of function words and AND."""
    ranking = ranking or Ranking()
    parser = parser or build_parser(match_all=request.match_all, field_boosts=ranking.field_boosts)
    parsed = parse_query(request.text, parser=parser)
    search_terms, exact_terms = highlight_terms(parsed)
    q = unscored_filters(weigh_function_words(parsed, ranking.function_word_weight))
    relaxed = relax_all_words(q) if request.match_all and request.fill_with_any else None
    return QueryPlan(q, relaxed, frozenset(search_terms), frozenset(exact_terms))


def _check_exact_clauses(q: wq.Query) -> None:
    """Exact forms are checked word by word in the text: patterns and ranges can't be."""
    if isinstance(q, (wq.Term, wq.Phrase)):
        return
    if q.is_leaf():
        if getattr(q, "fieldname", None) == EXACT_FIELD:
            raise QuerySyntaxError("=word and exact: take whole words or a quoted phrase, not patterns or ranges")
        return
    for child in q.children():
        _check_exact_clauses(child)


def _rewrite_dates(q: wq.Query) -> wq.Query:
    """Make partial ISO dates mean periods: ``date:2019`` is the year, ranges are inclusive.

    Dates are read by ``userdates.normalise_user_date`` (any digits, day first too).
    """
    if isinstance(q, wq.Term) and q.fieldname == "date":
        value = normalise_user_date(str(q.text))
        if len(value) < 10:
            return wq.Prefix("date", value, boost=q.boost)
        return wq.Term("date", value, boost=q.boost)
    if isinstance(q, wq.TermRange) and q.fieldname == "date":
        start, end = (None if bound is None else normalise_user_date(str(bound)) for bound in (q.start, q.end))
        check_order(start, end, "date:[{} TO {}] starts after it ends")
        if end is not None and not q.endexcl:
            end = str(end) + _DATE_END
        return wq.TermRange("date", start, end, q.startexcl, q.endexcl, boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_rewrite_dates)


def highlight_terms(q: wq.Query) -> tuple[set[str], set[str]]:
    """The search-form and exact-form words a query asks for, leaving out negated parts.

    Function words (في, الذي ...) are left out too when the query has other
    words: marking every في would pick passages for them.
    """
    search_terms: set[str] = set()
    exact_terms: set[str] = set()
    function_words: set[str] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, (wq.Term, wq.Phrase)):
            words = [node.text] if isinstance(node, wq.Term) else list(node.words)
            if _is_function_clause(node):
                function_words.add(str(node.text))
            elif node.fieldname in DEFAULT_FIELD_BOOSTS:
                search_terms.update(str(w) for w in words)
            elif node.fieldname == EXACT_FIELD:
                exact_terms.update(str(w) for w in words)
            return
        if not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(q)
    if not search_terms and not exact_terms:
        search_terms = function_words
    return search_terms, exact_terms


def weigh_function_words(q: wq.Query, weight: float) -> wq.Query:
    """Scale the weight of the function-word clauses of a query (في, الذي ...).

    They still have to match under AND: on the judged question sets, making
    them optional let more wrong articles into the all-words hits, which come
    first (docs/relevance.md). A query made only of function words is left as
    it is. Phrases and exact forms are not touched: the user spelled them out.
    """
    if weight == 1.0 or not _has_content_word(q):
        return q
    return _weigh(q, weight)


def _weigh(node: wq.Query, weight: float) -> wq.Query:
    if _is_function_clause(node):
        return _scaled(node, weight)
    if node.is_leaf():
        return node
    return node.apply(lambda child: _weigh(child, weight))


def _is_function_clause(node: wq.Query) -> bool:
    """One function word: its Term, or the Or of its Terms over the title and body."""
    if isinstance(node, wq.Term):
        return node.fieldname in DEFAULT_FIELD_BOOSTS and node.text in FUNCTION_WORD_FORMS
    if isinstance(node, wq.Or) and node.subqueries:
        return all(isinstance(c, wq.Term) and _is_function_clause(c) for c in node.subqueries)
    return False


class _ZeroScores(matching.ListMatcher):
    def weight(self) -> float:
        return 0.0

    def score(self) -> float:
        return 0.0


class Unscored(wq.ConstantScoreQuery):
    """A clause that selects articles and adds 0 to their score.

    Whoosh's own ``ConstantScoreQuery(q, 0.0)`` scores 1.0: its list matcher
    takes a weight of 0 for "no weight given".
    """

    def __init__(self, child: wq.Query, score: float = 0.0):
        super().__init__(child, 0.0)

    def __repr__(self) -> str:
        return f"Unscored({self.child!r})"

    def __str__(self) -> str:
        return f"{self.child} (filter: not scored)"

    def matcher(self, searcher, context=None):
        from whoosh.searching import SearchContext

        if isinstance(self.child, wq.MultiTerm):
            return self._each_word(searcher)
        context = context or SearchContext()
        m = self.child.matcher(searcher, context)
        if isinstance(m, matching.NullMatcherClass):
            return m
        return _ZeroScores(array("I", m.all_ids()), all_weights=0.0, term=m.term())

    def _each_word(self, searcher):
        """A range or pattern (``date:>2015``, ``date:2019``): the articles of each of its words.

        Whoosh would join thousands of date words in a tree of unions, each
        article climbing it; reading each word's list is many times faster.
        """
        reader = searcher.reader()
        fieldname = self.child.fieldname
        found: set[int] = set()
        for btext in checked(self.child._btexts(reader), 256):
            # The empty date ("") is an undated article's: in no range.
            if btext and (fieldname, btext) in reader:
                found.update(reader.postings(fieldname, btext).all_ids())
        if not found:
            return matching.NullMatcher()
        return _ZeroScores(array("I", sorted(found)), all_weights=0.0)


#: Fields that only select articles: a ``date:`` or ``source:`` clause never changes a score.
FILTER_FIELDS = frozenset({"date", "source"})


def unscored_filters(q: wq.Query) -> wq.Query:
    """Make the ``date:`` and ``source:`` clauses of a query select without scoring.

    Each becomes a constant score of 0, so an article scores the same with or
    without them (``--since``, ``--until`` and ``--source`` are applied the same
    way; see ``Archive._executable``).

    >>> q = unscored_filters(parse_query("الرياض source:skynews"))
    >>> [(type(c).__name__, getattr(c, "score", None)) for c in q.subqueries]
    [('Or', None), ('Unscored', 0.0)]
    """
    if _is_filter(q):
        return q if isinstance(q, Unscored) else Unscored(q)
    if q.is_leaf():
        return q
    return q.apply(unscored_filters)


def _has_content_word(q: wq.Query) -> bool:
    """True when some positive clause is not a function word."""
    if _is_function_clause(q) or isinstance(q, wq.Not) or _is_filter(q):
        return False
    if isinstance(q, wq.AndNot):
        return _has_content_word(q.a)
    if q.is_leaf():
        return True
    return any(_has_content_word(child) for child in q.children())


def _scaled(node: wq.Query, weight: float) -> wq.Query:
    if isinstance(node, wq.Term):
        return node.with_boost(node.boost * weight)
    return node.apply(lambda child: _scaled(child, weight))


def relax_all_words(q: wq.Query) -> wq.Query | None:
    """The query with "all words" loosened to "any word", or None if nothing loosens.

    Only the plain words joined by the implicit AND become alternatives;
    phrases, exact forms, ``field:`` words and NOT stay as they are. The default
    search adds these hits after the articles that have every word.

    >>> relax_all_words(parse_query("دير الزور"))
    Or([Or([Term('title', 'دير', boost=1.5), Term('body', 'دير')]), Or([Term('title', 'زور', boost=1.5), Term('body', 'زور')])])
    >>> relax_all_words(parse_query("الباغوز")) is None
    True
    """
    if isinstance(q, wq.AndNot):
        relaxed = relax_all_words(q.a)
        return None if relaxed is None else wq.AndNot(relaxed, q.b)
    if isinstance(q, wq.AndMaybe):
        relaxed = relax_all_words(q.a)
        return None if relaxed is None else wq.AndMaybe(relaxed, q.b)
    if not isinstance(q, wq.And):
        return None
    words = [c for c in q.subqueries if _is_plain_word(c)]
    kept = [c for c in q.subqueries if not _is_plain_word(c)]
    # Besides NOT and filters (date:, source:), do other clauses match?
    others_match = any(not isinstance(c, wq.Not) and not _is_filter(c) for c in kept)
    if not words or (len(words) == 1 and not others_match):
        return None
    any_word = words[0] if len(words) == 1 else wq.Or(words)
    if not others_match:  # only NOT clauses and filters besides: some of the words must be there
        return wq.And([*kept, any_word]) if kept else any_word
    return wq.AndMaybe(kept[0] if len(kept) == 1 else wq.And(kept), any_word)


def _is_filter(node: wq.Query) -> bool:
    """A ``date:`` or ``source:`` clause (see :func:`unscored_filters`)."""
    return isinstance(node, Unscored) or (node.is_leaf() and getattr(node, "fieldname", None) in FILTER_FIELDS)


def _is_plain_word(node: wq.Query) -> bool:
    """One unfielded word or pattern: the Or of its title and body clauses."""
    return (
        isinstance(node, wq.Or)
        and len(node.subqueries) == len(DEFAULT_FIELD_BOOSTS)
        and all(
            c.is_leaf() and not isinstance(c, wq.Phrase) and getattr(c, "fieldname", None) in DEFAULT_FIELD_BOOSTS
            for c in node.subqueries
        )
    )


def _filter_query(schema, request: SearchRequest) -> wq.Query | None:
    """Restrictions from options (--source, --since, --until), as one query."""
    parts: list[wq.Query] = []
    if request.sources:
        alternatives = []
        for name in request.sources:
            words = list(schema["source"].process_text(name, mode="query"))
            if len(words) == 1:
                alternatives.append(wq.Term("source", words[0]))
            elif words:
                alternatives.append(wq.Phrase("source", words))
        if alternatives:
            parts.append(wq.Or(alternatives))
    if request.since or request.until:
        since, until = date_bounds(request.since, request.until)
        end = until + _DATE_END if until else None
        parts.append(wq.TermRange("date", since, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _search_form_query(forms: list[str], boost: float, field_boosts: dict[str, float]) -> wq.Query:
    """The title/body query for the search forms of some exact forms (a word or a phrase)."""
    stems = [search_form(form) for form in forms]
    if len(stems) == 1:
        return wq.Or([wq.Term(f, stems[0], boost=b * boost) for f, b in field_boosts.items()])
    return wq.Or([wq.Phrase(f, stems, boost=b * boost) for f, b in field_boosts.items()])


def _has_all_exact(stored: dict, required: list[list[str]]) -> bool:
    """True when a stored article has every one of the ``required`` exact forms."""
    return all(_has_exact(stored, forms) for forms in required)


def _has_exact(stored: dict, forms: list[str]) -> bool:
    """True when a stored article's title or body has ``forms`` as written."""
    return any(has_exact_sequence(stored.get(field) or "", forms) for field in DEFAULT_FIELD_BOOSTS)


def _check_page(limit: int | None, offset: int) -> None:
    if (limit is not None and limit < 1) or offset < 0:
        raise QuerySyntaxError("--limit must be at least 1 and --offset at least 0")


def _hit(rank: int, stored: dict, score: float | None, snippet=None, qid=None, partial=False) -> Hit:
    """A hit from an article's stored fields."""
    return Hit(
        rank=rank,
        id=stored["id"],
        score=score,
        title=stored.get("title", ""),
        date=stored.get("date") or None,
        source=stored.get("source"),
        category=stored.get("category"),
        url=stored.get("url"),
        snippet=snippet,
        qid=qid,
        partial=partial,
        time=stored.get("time"),
        place=stored.get("place"),
    )


def ranking_order(entries: list[tuple[object, int]], wanted: int | None, article_id) -> list[tuple[object, int]]:
    """The first ``wanted`` (all: None) of ``(key, docnum)`` entries in ranking order.

    The order is ascending ``key`` (the negated score, or a date key), and for
    equal keys ascending article id (``article_id(docnum)``): a total order that
    does not depend on ``wanted``, on segments or on the engine, so pages
    concatenate to the full ranking. Ids are read only where keys tie.

    >>> ids = {1: "b", 2: "a", 3: "c", 4: "d"}
    >>> ranking_order([(-2.0, 1), (-1.0, 3), (-2.0, 2), (-0.5, 4)], 1, ids.get)
    [(-2.0, 2)]
    >>> ranking_order([(-2.0, 1), (-1.0, 3), (-2.0, 2), (-0.5, 4)], None, ids.get)
    [(-2.0, 2), (-2.0, 1), (-1.0, 3), (-0.5, 4)]
    """
    if wanted is None or wanted >= len(entries):
        head = sorted(entries)
    else:
        head = heapq.nsmallest(wanted, entries)
        if not head:
            return []
        # Entries tied with the last one may outrank it by id: take them all.
        boundary = head[-1][0]
        head = [e for e in head if e[0] != boundary]
        head.extend(sorted(e for e in entries if e[0] == boundary))
    ordered: list[tuple[object, int]] = []
    i = 0
    while i < len(head):
        j = i + 1
        while j < len(head) and head[j][0] == head[i][0]:
            j += 1
        run = head[i:j]
        if len(run) > 1:
            run.sort(key=lambda e: article_id(e[1]))
        ordered.extend(run)
        i = j
    return ordered if wanted is None else ordered[:wanted]


class _EveryScore(ScoredCollector):
    """Collects (score, docnum) of every match.

    Whoosh's top-N collector skips blocks and replaces matchers by quality
    bounds that do not hold for this ranking (BM25F over two fields with
    function-word weights): its top 10 can miss articles and under-score
    others. Scoring every match is exact; ``ranking_order`` picks the page.
    """

    def __init__(self):
        super().__init__(replace=0)

    def _use_block_quality(self) -> bool:
        return False

    def _collect(self, global_docnum: int, score: float):
        self.items.append((score, global_docnum))
        if not len(self.items) % CHECK_EVERY:
            check_time()
        return 0 - score

    def results(self):  # pragma: no cover - the archive reads ``items``
        raise NotImplementedError


def _limited(method):
    """Run an Archive method under the archive's ``time_limit`` (QueryTimeout past it)."""
    import functools

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with time_limit(self.time_limit):
            return method(self, *args, **kwargs)

    return run


class Archive:
    """An open index for reading: search, fetch articles, describe the contents.

    One ``Archive`` keeps one searcher open, so a batch of queries pays the
    opening cost once. Use as a context manager.

    ``time_limit`` (seconds, None: none) bounds each search, count, timeline,
    suggestion and similar-articles call: past it, ``QueryTimeout`` is raised.
    """

    def __init__(self, index_dir: str | Path, ranking: Ranking | None = None, *, time_limit: float | None = None):
        if time_limit is not None and not (0 < time_limit < float("inf")):
            raise ValueError(f"time_limit must be a positive number of seconds, not {time_limit!r}")
        self.time_limit = time_limit
        self.index_dir = Path(index_dir)
        self.ranking = ranking or Ranking()
        check_version(self.index_dir)
        self._ix = open_index(self.index_dir)
        #: Why the newest commit was unreadable and the previous one is used (None: it was not).
        self.recovered = getattr(self._ix, "recovered", None)
        if self.recovered:
            logger.warning(self.recovered)
        self._schema = build_query_schema()
        self._searcher = self._ix.searcher(weighting=self.ranking.weighting())
        self._parsers = {
            all_words: build_parser(self._schema, match_all=all_words, field_boosts=self.ranking.field_boosts)
            for all_words in (True, False)
        }

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()
        if getattr(self, "_duplicates", None) is not None:
            self._duplicates.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @_limited
    def search(self, request: SearchRequest) -> list[Hit]:
        """The hits of one request, best first (or by date), with snippets if asked.

        The hits are exactly ranks ``offset + 1 .. offset + limit`` of the full
        ranking (see :func:`ranking_order`), whatever the limit: every matching
        article is scored, so a page never depends on how many were asked for.
        """
        plan, ranked = self._ranking(request)
        wanted = None if request.limit is None else request.offset + request.limit
        hits = []
        for rank, (score, docnum, partial) in enumerate(islice(ranked, wanted), 1):
            if rank > request.offset:
                hits.append(self._hit_at(docnum, rank, score, partial, request, plan if request.snippets else None))
        return hits

    def _ranking(self, request: SearchRequest):
        """Check a request; its plan, and its ranking: (score, docnum, partial), lazily, best first.

        The caller takes as many as it needs: a page, or more when folding copies.
        """
        _check_page(request.limit, request.offset)
        if request.sort not in SORT_ORDERS:
            raise QuerySyntaxError(f"unknown sort {request.sort!r}: use one of {', '.join(SORT_ORDERS)}")
        plan = plan_query(request, self.ranking, self._parsers[request.match_all])
        restrict = _filter_query(self._schema, request)
        wanted = None if request.limit is None else request.offset + request.limit
        return plan, self._ranked_with_fallback(plan.query, plan.relaxed, restrict, wanted, request.sort)

    def _hit_at(self, docnum: int, rank: int, score, partial: bool, request: SearchRequest, plan=None) -> Hit:
        """The hit of one ranked article (a snippet with ``plan``; sorted by date, no score)."""
        stored = self._searcher.stored_fields(docnum)
        snippet = make_snippet(stored.get("body", ""), plan.search_terms, plan.exact_terms) if plan else None
        score = round(float(score), 4) if request.sort == "relevance" else None
        return _hit(rank, stored, score, snippet, request.qid, partial)

    def _ranked_with_fallback(self, q: wq.Query, relaxed: wq.Query | None, restrict, wanted: int | None, sort: str):
        """(score, docnum, partial) of the query's hits, then of the relaxed query's other hits.

        The hits with every word come first, in their own order; the relaxed
        query's other hits follow in theirs (only when there are fewer than
        ``wanted`` of the first: the caller's first guess of how many it takes).
        """
        seen: set[int] = set()
        for score, docnum in self._ranked(q, restrict, wanted, sort):
            seen.add(docnum)
            yield score, docnum, False
        if relaxed is None or (wanted is not None and len(seen) >= wanted):
            return
        # Every article with all the words was yielded: the rest comes from the
        # relaxed query's ranking without them.
        rest = None if wanted is None else wanted - len(seen)
        for score, docnum in self._ranked(relaxed, restrict, rest, sort, exclude=seen):
            yield score, docnum, True

    def _ranked(self, q: wq.Query, restrict, wanted: int | None, sort: str = "relevance", exclude=frozenset()):
        """(score, docnum) of one query's full ranking, lazily; ``wanted``: how many the caller
        expects to take (None: all), the size of the first head cut from the ranking.

        Every match is scored once; a caller that takes more only widens the
        head. Exact forms are resolved; articles whose docnums are in
        ``exclude`` are left out. With required exact forms, the head is
        checked hit by hit: a page of ``=في`` checks a handful of articles, not
        every one.
        """
        q, required = self._executable(q, restrict)
        entries = self._sort_keys(self._scores(q, exclude), sort)
        window = None if wanted is None else max(2 * wanted, 50) if required else max(wanted, 1)
        done = 0
        while True:
            ordered = ranking_order(entries, window, self._article_id)
            # A longer head of the ranking starts with the shorter one.
            for key, docnum in checked(ordered[done:], 256):
                if not required or _has_all_exact(self._searcher.stored_fields(docnum), required):
                    yield (-key if sort == "relevance" else None), docnum
            done = len(ordered)
            if window is None or done < window:
                return
            window *= 4

    def _scores(self, q: wq.Query, exclude=frozenset()) -> list[tuple[float, int]]:
        """(score, docnum) of every article the query matches: no pruning, so every score is exact."""
        collector = _EveryScore()
        self._searcher.search_with_collector(q, collector)
        if exclude:
            return [item for item in collector.items if item[1] not in exclude]
        return collector.items

    def _sort_keys(self, scored: list[tuple[float, int]], sort: str) -> list[tuple[object, int]]:
        """(key, docnum) pairs whose ascending order is the requested order (ties: see ranking_order)."""
        if sort == "relevance":
            return [(-score, docnum) for score, docnum in scored]
        if not scored:
            return []
        dates = self._searcher.reader().column_reader("date")
        sign = 1 if sort == "date" else -1
        # Undated articles come last in both orders.
        return [
            ((0, sign * int(date.replace("-", ""))) if (date := dates[docnum]) else (1, 0), docnum)
            for _, docnum in scored
        ]

    #: Stored-field reads for ids after which every id is read at once from the id field's terms.
    ID_MAP_AFTER = 2048

    def _article_id(self, docnum: int) -> str:
        # Ties are broken by id. A filter-only or NOT-only query (date:2016,
        # -word) ties every hit: one stored-field read each is seconds on
        # 70,000 articles, so past ID_MAP_AFTER reads the ids come from a map
        # read once from the id field's term dictionary (a quarter second).
        ids = getattr(self, "_ids", None)
        if ids is not None and docnum in ids:
            return ids[docnum]
        self._id_reads = getattr(self, "_id_reads", 0) + 1
        if not self._id_reads % CHECK_EVERY:
            check_time()
        if ids is None and self._id_reads > self.ID_MAP_AFTER:
            self._ids = ids = self._id_map()
            if docnum in ids:
                return ids[docnum]
        return self._searcher.stored_fields(docnum)["id"]

    def _id_map(self) -> dict[int, str]:
        """docnum -> article id for every article, from the id field's terms (no stored fields read)."""
        ids: dict[int, str] = {}
        for leaf, offset in self._searcher.reader().leaf_readers():
            for n, (btext, info) in enumerate(leaf.iter_field("id"), 1):
                if not n % CHECK_EVERY:
                    check_time()
                text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                # An id twice in one segment (replaced in one run): the stored field decides.
                if info.doc_frequency() == 1:
                    ids[info.min_id() + offset] = text
        return ids

    def _executable(self, q: wq.Query, restrict: wq.Query | None) -> tuple[wq.Query, list[list[str]]]:
        """The engine query for a planned query and the filters, and the exact forms each hit must have.

        The one place that decides which articles a query matches: ranked
        pages and whole-result counts both start here. The filters select
        without scoring (a constant 0), so they never change a hit's score.
        """
        required: list[list[str]] = []
        q = self._resolve_exact(q, required)
        if restrict is not None:
            q = wq.And([q, Unscored(restrict)])
        return q, required

    def _resolve_exact(self, q: wq.Query, required: list[list[str]], is_required: bool = True) -> wq.Query:
        """Replace each exact-form clause (``=word``) by something the index can answer.

        A clause every hit must satisfy (the whole query, or under AND) becomes
        its search forms and is appended to ``required``, for the hits to be
        checked one by one. Under OR or NOT, the clause is resolved in full
        first, checking every article that has the search forms.
        """
        if isinstance(q, (wq.Term, wq.Phrase)) and q.fieldname == EXACT_FIELD:
            forms = [str(q.text)] if isinstance(q, wq.Term) else [str(w) for w in q.words]
            if is_required:
                required.append(forms)
                return _search_form_query(forms, q.boost, self.ranking.field_boosts)
            return self._exact_match(forms, q.boost)
        if q.is_leaf():
            return q
        if isinstance(q, wq.AndNot):
            return wq.AndNot(
                self._resolve_exact(q.a, required, is_required), self._resolve_exact(q.b, required, False)
            )
        keeps_required = is_required and isinstance(q, wq.And)
        return q.apply(lambda child: self._resolve_exact(child, required, keeps_required))

    def _exact_match(self, forms: list[str], boost: float) -> wq.Query:
        """The articles with ``forms`` as written, as a query scored on their search forms."""
        candidates = _search_form_query(forms, boost, self.ranking.field_boosts)
        confirmed = []
        for docnum in checked(candidates.docs(self._searcher), 256):
            stored = self._searcher.stored_fields(docnum)
            if _has_exact(stored, forms):
                confirmed.append(wq.Term("id", stored["id"]))
        if not confirmed:
            return wq.NullQuery
        # The id clause only selects; the candidates' own terms give the score.
        return wq.And([candidates, Unscored(wq.Or(confirmed))])

    def search_many(self, requests: Iterable[SearchRequest]) -> Iterator[list[Hit]]:
        """Run requests one after another on the same open searcher."""
        for request in requests:
            yield self.search(request)

    def get(self, article_id: str) -> Article:
        """The stored article with this id."""
        stored = self._searcher.document(id=article_id)
        if stored is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        date = stored.get("date")
        return Article(
            id=stored["id"],
            title=stored.get("title", ""),
            body=stored.get("body", ""),
            date=dt.date.fromisoformat(date) if date else None,
            time=stored.get("time"),
            place=stored.get("place"),
            source=stored.get("source"),
            category=stored.get("category"),
            url=stored.get("url"),
            related=tuple(stored.get("related") or ()),
            origin=stored.get("origin") or None,
        )

    def stats(self) -> ArchiveStats:
        """Article count, size on disk, date range and articles per source."""
        reader = self._searcher.reader()
        live = list(reader.all_doc_ids())
        sources: Counter[str] = Counter()
        dates = []
        size = index_size(self.index_dir)
        if not live:  # an empty index has no columns to read
            return ArchiveStats(articles=0, size_bytes=size, first_date=None, last_date=None)
        source_column = reader.column_reader("source_key")
        date_column = reader.column_reader("date")
        for docnum in live:
            source = source_column[docnum]
            if source:
                sources[source] += 1
            date = date_column[docnum]
            if date:
                dates.append(date)
        return ArchiveStats(
            articles=len(live),
            size_bytes=size,
            first_date=min(dates) if dates else None,
            last_date=max(dates) if dates else None,
            sources=sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])),
        )

    # Exploring: duplicate groups, counts over all hits, spelling suggestions,
    # similar articles. The logic lives in engine-free modules (duplicates,
    # explore, suggest, similar); these methods fetch what they need.

    def _duplicate_store(self):
        """The index's duplicate groups, opened once (None: an index built without them)."""
        if not hasattr(self, "_duplicates"):
            from .dupstore import DuplicateStore

            self._duplicates = DuplicateStore.for_reading(self.index_dir)
        return self._duplicates

    def _in_index(self, ids: Iterable[str]) -> list[str]:
        """The ids the index holds: the duplicate store may know articles a crash lost."""
        return [i for i in ids if self._searcher.document_number(id=i) is not None]

    @_limited
    def search_grouped(self, request: SearchRequest) -> list[Hit]:
        """Like :meth:`search`, with each group of re-published articles folded into its best hit.

        ``Hit.similar_ids`` lists the group's other articles (all those in the
        index, matching or not); ranks and ``offset`` count folded hits. The
        search is widened until a full page survives folding.
        """

        from .duplicates import collapse

        store = self._duplicate_store()
        if store is None:
            return self.search(request)
        plan, ranked = self._ranking(request)
        wanted = None if request.limit is None else request.offset + request.limit
        # Most pages fold nothing: the first window is the page; it is widened
        # (on the same ranking, scored once) until a full page survives folding.
        hits: list[Hit] = []
        groups: dict[str, int] = {}
        window = wanted
        while True:
            more = [
                self._hit_at(docnum, 0, score, partial, request)
                for score, docnum, partial in islice(ranked, None if window is None else window - len(hits))
            ]
            hits += more
            groups.update(store.groups_of([hit.id for hit in more]))
            folded = collapse(hits, lambda hit: groups.get(hit.id))
            if window is None or len(folded) >= wanted or len(hits) < window:
                break
            window = 2 * window + 10
        page = [hit for hit, _ in folded[request.offset : wanted]]
        snippet_terms = (plan.search_terms, plan.exact_terms) if request.snippets else None
        return self._with_groups(page, groups, request.offset + 1, snippet_terms)

    def _with_groups(self, page: list[Hit], groups: dict[str, int], first_rank: int, snippet_terms) -> list[Hit]:
        """The page's hits renumbered, with their groups' other members and, if asked, snippets."""
        from dataclasses import replace

        store = self._duplicate_store()
        members = store.members(groups[hit.id] for hit in page if hit.id in groups) if store else {}
        result = []
        for rank, hit in enumerate(page, first_rank):
            others = [m for m in members.get(groups.get(hit.id), ()) if m != hit.id]
            snippet = hit.snippet
            if snippet_terms is not None and snippet is None:
                stored = self._searcher.document(id=hit.id) or {}
                snippet = make_snippet(stored.get("body", ""), *snippet_terms)
            result.append(replace(hit, rank=rank, snippet=snippet, similar_ids=tuple(self._in_index(others))))
        return result

    def duplicates_of(self, article_id: str) -> list[tuple[Article, float, bool]]:
        """The other articles of ``article_id``'s duplicate group: (article, similarity, exact copy)."""
        self.get(article_id)  # raises ArticleNotFound
        store = self._duplicate_store()
        if store is None:
            return []
        found = []
        for duplicate in store.duplicates_of(article_id):
            if self._in_index([duplicate.id]):
                found.append((self.get(duplicate.id), duplicate.similarity, duplicate.exact))
        return found

    def _matching_docnums(self, request: SearchRequest) -> list[int]:
        """Every article the request's query matches (all of them, not a page), filters applied.

        Counts are over articles with every word (with ``match_all``), never
        over the partial matches that fill up a page.
        """
        from dataclasses import replace

        plan = plan_query(replace(request, fill_with_any=False), self.ranking, self._parsers[request.match_all])
        q, required = self._executable(plan.query, _filter_query(self._schema, request))
        docnums = checked(self._searcher.docs_for_query(q))
        if required:
            docnums = (d for d in docnums if _has_all_exact(self._searcher.stored_fields(d), required))
        return sorted(docnums)

    @_limited
    def count(self, request: SearchRequest) -> int:
        """How many articles the request's query matches (see :meth:`_matching_docnums`)."""
        return len(self._matching_docnums(request))

    @_limited
    def facet_counts(self, request: SearchRequest, facet: str) -> list[tuple[str | None, int]]:
        """Matching articles per source, category, year or month (None: no value), over all hits."""
        from .explore import FACETS, count_values, facet_value

        if facet not in FACETS:
            raise QuerySyntaxError(f"unknown facet {facet!r}: use one of {', '.join(FACETS)}")
        docnums = self._matching_docnums(request)
        if not docnums:  # an empty index has no columns to read
            return []
        reader = self._searcher.reader()
        if facet == "category":
            # Not a column: read from the stored fields (slower, one read per hit).
            values = (self._searcher.stored_fields(d).get("category") for d in docnums)
            values = (facet_value(facet, None, None, v) for v in values)
        elif facet == "source":
            column = reader.column_reader("source_key")
            values = (facet_value(facet, None, column[d], None) for d in docnums)
        else:
            column = reader.column_reader("date")
            values = (facet_value(facet, column[d], None, None) for d in docnums)
        return count_values(values, chronological=facet in ("year", "month"))

    @_limited
    def timeline(self, request: SearchRequest, by: str = "month"):
        """Matching articles per day, month or year (an ``explore.Timeline``), over all hits."""
        from .explore import PERIODS, Timeline, build_timeline

        if by not in PERIODS:
            raise QuerySyntaxError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
        docnums = self._matching_docnums(request)
        if not docnums:
            return Timeline(by, ())
        column = self._searcher.reader().column_reader("date")
        return build_timeline((column[d] for d in docnums), by)

    def suggest(self, request: SearchRequest, *, forced: bool = False, limit: int = 3):
        """Other spellings of the query's words, from the index's own vocabulary (``suggest.Suggestion``)."""
        from dataclasses import replace

        from .suggest import QueryWord, suggest
        from .tokenize import iter_words

        plan = plan_query(request, self.ranking, self._parsers[request.match_all])
        words = []
        for start, end, surface in iter_words(request.text):
            form = search_form(surface)
            # A word right before ":" is a field name (title:), not a word to search.
            if form in plan.search_terms and not request.text.startswith(":", end):
                words.append(QueryWord(start, end, surface, form))
        if not words:
            return []
        # Some suggestions find nothing (their words never meet, or not in the
        # field or period asked): ask for spares and offer only those with hits.
        # Suggestions are extras: past SUGGEST_TIME (or the archive's time
        # limit), those found so far are offered, and no error is raised.
        from .errors import QueryTimeout
        from .limits import SUGGEST_TIME

        counted = []
        budget = SUGGEST_TIME if self.time_limit is None else min(SUGGEST_TIME, self.time_limit)
        with time_limit(budget):
            try:
                lexicon = _IndexLexicon(self._searcher)
                found = suggest(request.text, words, lexicon, forced=forced, limit=limit + 3, stop=out_of_time)
                for suggestion in found:
                    check_time()
                    try:
                        hits = self.count(replace(request, text=suggestion.text))
                    except QuerySyntaxError:
                        continue
                    if hits:
                        counted.append(replace(suggestion, hits=hits))
                    if len(counted) == limit:
                        break
            except QueryTimeout:
                pass
        return counted

    @_limited
    def similar(
        self, article_id: str, *, limit: int | None = 10, offset: int = 0, collapse: bool = True, snippets: bool = True
    ) -> list[Hit]:
        """The articles most like ``article_id``, best first, leaving out it and its duplicates.

        One weighted OR query of the article's key terms (``similar.key_terms``)
        over titles and bodies; hits show the passage with the most key terms.
        """
        from .duplicates import collapse as fold
        from .similar import key_terms
        from .terms import analyse

        stored = self._searcher.document(id=article_id)
        if stored is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        _check_page(limit, offset)
        store = self._duplicate_store()
        excluded = {article_id}
        if store is not None:
            excluded.update(d.id for d in store.duplicates_of(article_id))
        text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
        counts = Counter(term.search for term in analyse(text))
        reader = self._searcher.reader()
        terms = key_terms(
            counts, lambda t: reader.doc_frequency("body", t), reader.doc_count(),
            skip=FUNCTION_WORD_FORMS, copies=len(excluded) - 1,
        )
        if not terms:
            return []
        q = wq.Or([wq.Term(f, t, boost=w * b) for t, w in terms for f, b in self.ranking.field_boosts.items()])
        exclude = {n for i in excluded if (n := self._searcher.document_number(id=i)) is not None}
        wanted = None if limit is None else offset + limit
        grouping = collapse and store is not None
        window = max(2 * wanted, wanted + 20) if grouping and wanted is not None else wanted
        ranked = self._ranked(q, None, window, exclude=exclude)  # scored once, however far it is read
        hits: list[Hit] = []
        groups: dict[str, int] = {}
        while True:
            more = [
                _hit(0, self._searcher.stored_fields(docnum), round(float(score), 4))
                for score, docnum in islice(ranked, None if window is None else window - len(hits))
            ]
            hits += more
            if grouping:
                groups.update(store.groups_of([h.id for h in more]))
            folded = fold(hits, lambda h: groups.get(h.id))
            if window is None or len(folded) >= wanted or len(hits) < window:
                break
            window *= 4
        page = [hit for hit, _ in folded[offset:wanted]]
        return self._with_groups(page, groups, offset + 1, ({t for t, _ in terms}, set()) if snippets else None)


class _IndexLexicon:
    """The index's title and body vocabulary as a ``suggest.Lexicon``."""

    #: Articles read to learn how a suggested word is spelled.
    SPELLING_SAMPLE = 20

    def __init__(self, searcher):
        self._searcher = searcher
        self._reader = searcher.reader()
        self._frequencies: dict[str, int] = {}

    def frequency(self, term: str) -> int:
        if term not in self._frequencies:
            self._frequencies[term] = max(self._reader.doc_frequency(f, term) for f in DEFAULT_FIELD_BOOSTS)
        return self._frequencies[term]

    def neighbours(self, term: str, max_distance: int) -> set[str]:
        if max_distance < 1:
            return set()
        found: set[str] = set()
        # Each segment walks its term dictionary with a Levenshtein automaton;
        # a shared first letter keeps the walk short (few typos are there).
        for leaf, _ in self._reader.leaf_readers():
            for f in DEFAULT_FIELD_BOOSTS:
                found.update(leaf.terms_within(f, term, max_distance, prefix=1))
        return found

    def surfaces(self, term: str) -> Counter[str]:
        from .terms import analyse

        spellings: Counter[str] = Counter()
        docnums = self._searcher.docs_for_query(wq.Or([wq.Term(f, term) for f in DEFAULT_FIELD_BOOSTS]))
        for n, docnum in enumerate(docnums):
            if n >= self.SPELLING_SAMPLE or (n and out_of_time()):
                break
            stored = self._searcher.stored_fields(docnum)
            for f in DEFAULT_FIELD_BOOSTS:
                text = stored.get(f) or ""
                spellings.update(text[t.start : t.end] for t in analyse(text) if t.search == term)
        return spellings
