"""Reading the index: parse a query, rank with BM25F, build hits with snippets."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh import query as wq
from whoosh.qparser import syntax
from whoosh.qparser.common import QueryParserError
from whoosh.scoring import BM25F

from .errors import ArticleNotFound, QuerySyntaxError
from .meta import check_version
from .models import Article, Hit
from .schema import DEFAULT_FIELD_BOOSTS, EXACT_FIELD, build_query_schema
from .snippets import make_snippet
from .terms import has_exact_sequence, search_form

SORT_ORDERS = ("relevance", "date", "-date")
_ISO_PREFIX = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: Sorts after every character of an ISO date: makes "2019-02" an inclusive upper bound.
_DATE_END = "~"


@dataclass(frozen=True)
class SearchRequest:
    """What to search for and how to page, filter and order the results."""

    text: str
    limit: int = 10
    offset: int = 0
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    match_all: bool = True
    snippets: bool = True
    qid: str | None = None


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


def build_parser(schema=None, *, match_all: bool = True) -> qparser.QueryParser:
    """The query parser: unfielded words search the title and the body."""
    schema = schema or build_query_schema()
    group = syntax.AndGroup if match_all else syntax.OrGroup
    parser = qparser.QueryParser(None, schema, group=group)
    # NOT also as a leading minus (-word), as in web search; "COVID-19" keeps its hyphen.
    parser.replace_plugin(qparser.OperatorsPlugin(Not=r"(^|(?<=(\s|[()])))(NOT(?=\s)|-(?=[^\s-]))"))
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(WildcardPlugin())
    parser.add_plugin(ExactMarkerPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(
        qparser.MultifieldPlugin(list(DEFAULT_FIELD_BOOSTS), fieldboosts=DEFAULT_FIELD_BOOSTS)
    )
    return parser


def parse_query(text: str, *, match_all: bool = True, parser=None) -> wq.Query:
    """Parse the query language into an engine query (see the README for the syntax).

    Raises QuerySyntaxError for an empty query, one with no searchable words, or
    an invalid date.
    """
    if not text or not text.strip():
        raise QuerySyntaxError("empty query")
    parser = parser or build_parser(match_all=match_all)
    try:
        parsed = parser.parse(text)
    except (QueryParserError, IndexError) as error:
        # Whoosh's parser fails on some stray operators, e.g. a leading "<" with
        # no field before it (IndexError inside its GtLt plugin).
        raise QuerySyntaxError(f"cannot parse the query {text.strip()!r} ({type(error).__name__})") from None
    if parsed is wq.NullQuery:
        # Everything analysed away: only diacritics, punctuation or operators.
        raise QuerySyntaxError(f"the query {text.strip()!r} has no words to search for")
    parsed = _rewrite_dates(parsed)
    _check_exact_clauses(parsed)
    return parsed


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
    """Make partial ISO dates mean periods: ``date:2019`` is the year, ranges are inclusive."""
    if isinstance(q, wq.Term) and q.fieldname == "date":
        value = str(q.text)
        _check_date(value)
        if len(value) < 10:
            return wq.Prefix("date", value, boost=q.boost)
        return q
    if isinstance(q, wq.TermRange) and q.fieldname == "date":
        start, end = q.start, q.end
        for bound in (start, end):
            if bound is not None:
                _check_date(str(bound))
        if end is not None and not q.endexcl:
            end = str(end) + _DATE_END
        return wq.TermRange("date", start, end, q.startexcl, q.endexcl, boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_rewrite_dates)


def _check_date(value: str) -> None:
    if not _ISO_PREFIX.match(value):
        raise QuerySyntaxError(f"invalid date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise QuerySyntaxError(f"invalid date {value!r}") from None


def highlight_terms(q: wq.Query) -> tuple[set[str], set[str]]:
    """The search-form and exact-form words a query asks for, leaving out negated parts."""
    search_terms: set[str] = set()
    exact_terms: set[str] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, (wq.Term, wq.Phrase)):
            words = [node.text] if isinstance(node, wq.Term) else list(node.words)
            if node.fieldname in DEFAULT_FIELD_BOOSTS:
                search_terms.update(str(w) for w in words)
            elif node.fieldname == EXACT_FIELD:
                exact_terms.update(str(w) for w in words)
            return
        if not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(q)
    return search_terms, exact_terms


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
        for bound in (request.since, request.until):
            if bound:
                _check_date(bound)
        end = request.until + _DATE_END if request.until else None
        parts.append(wq.TermRange("date", request.since, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _search_form_query(forms: list[str], boost: float = 1.0) -> wq.Query:
    """The title/body query for the search forms of some exact forms (a word or a phrase)."""
    stems = [search_form(form) for form in forms]
    if len(stems) == 1:
        return wq.Or([wq.Term(f, stems[0], boost=b * boost) for f, b in DEFAULT_FIELD_BOOSTS.items()])
    return wq.Or([wq.Phrase(f, stems, boost=b * boost) for f, b in DEFAULT_FIELD_BOOSTS.items()])


def _has_exact(stored: dict, forms: list[str]) -> bool:
    """True when a stored article's title or body has ``forms`` as written."""
    return any(has_exact_sequence(stored.get(field) or "", forms) for field in DEFAULT_FIELD_BOOSTS)


class Archive:
    """An open index for reading: search, fetch articles, describe the contents.

    One ``Archive`` keeps one searcher open, so a batch of queries pays the
    opening cost once. Use as a context manager.
    """

    def __init__(self, index_dir: str | Path):
        self.index_dir = Path(index_dir)
        check_version(self.index_dir)
        self._ix = whoosh_index.open_dir(str(self.index_dir))
        self._schema = build_query_schema()
        self._searcher = self._ix.searcher(weighting=BM25F())
        self._parsers = {all_words: build_parser(self._schema, match_all=all_words) for all_words in (True, False)}

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def search(self, request: SearchRequest) -> list[Hit]:
        """The hits of one request, best first (or by date), with snippets if asked."""
        if request.sort not in SORT_ORDERS:
            raise QuerySyntaxError(f"unknown sort {request.sort!r}: use one of {', '.join(SORT_ORDERS)}")
        if request.limit < 1 or request.offset < 0:
            raise QuerySyntaxError("--limit must be at least 1 and --offset at least 0")
        q = parse_query(request.text, parser=self._parsers[request.match_all])
        search_terms, exact_terms = highlight_terms(q) if request.snippets else (set(), set())
        required: list[list[str]] = []
        q = self._resolve_exact(q, required)
        restrict = _filter_query(self._schema, request)
        if restrict is not None:
            q = wq.And([q, restrict])
        wanted = request.offset + request.limit
        kwargs = {}
        if request.sort != "relevance":
            kwargs = {"sortedby": "date", "reverse": request.sort == "-date"}
        # Sorted by date, a hit's "score" is its sort key, not a relevance score.
        scored = request.sort == "relevance"
        hits = []
        for rank, (score, stored) in enumerate(self._ranked(q, required, wanted, kwargs), 1):
            if rank <= request.offset:
                continue
            snippet = None
            if request.snippets:
                snippet = make_snippet(stored.get("body", ""), search_terms, exact_terms)
            hits.append(
                Hit(
                    rank=rank,
                    id=stored["id"],
                    score=round(float(score), 4) if scored else None,
                    title=stored.get("title", ""),
                    date=stored.get("date") or None,
                    source=stored.get("source"),
                    category=stored.get("category"),
                    url=stored.get("url"),
                    snippet=snippet,
                    qid=request.qid,
                )
            )
        return hits

    def _ranked(self, q: wq.Query, required: list[list[str]], wanted: int, kwargs: dict):
        """Up to ``wanted`` (score, stored fields) pairs in order.

        With required exact forms, the query matched their search forms, so
        each hit is checked in turn and the search widened until enough pass:
        a page of ``=في`` checks a handful of articles, not every one.
        """
        if not required:
            for result in self._searcher.search(q, limit=wanted, **kwargs):
                yield result.score, result.fields()
            return
        limit = max(2 * wanted, 50)
        while True:
            results = self._searcher.search(q, limit=limit, **kwargs)
            passed = 0
            for result in results:
                stored = result.fields()
                if all(_has_exact(stored, forms) for forms in required):
                    yield result.score, stored
                    passed += 1
                    if passed == wanted:
                        return
            if len(results) < limit:
                return
            limit *= 4

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
                return _search_form_query(forms, q.boost)
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
        candidates = _search_form_query(forms, boost)
        confirmed = []
        for docnum in candidates.docs(self._searcher):
            stored = self._searcher.stored_fields(docnum)
            if _has_exact(stored, forms):
                confirmed.append(wq.Term("id", stored["id"]))
        if not confirmed:
            return wq.NullQuery
        # The id clause only selects; the candidates' own terms give the score.
        return wq.And([candidates, wq.ConstantScoreQuery(wq.Or(confirmed), 0.0)])

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
        size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
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
