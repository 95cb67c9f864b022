"""The Whoosh schema: which article fields are searchable, stored, sortable."""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from .analysis import exact_analyzer, search_analyzer
from .postings import compact_positions

#: Ordinary words are looked up in these fields, with these weights (tuned:
#: docs/relevance.md; ``searcher.query.Ranking`` can change them).
DEFAULT_FIELD_BOOSTS = {"title": 1.5, "body": 1.0}

#: The pseudo-field of exact-form queries (``=word``, ``exact:word``). It is not
#: indexed: indexing exact forms beside search forms made indexing 3.1x slower
#: and the index 2x larger (5,000 ant-news articles); the query instead checks
#: the stored text of the articles that match the word's search form.
EXACT_FIELD = "exact"


#: Index fields a query cannot name: stored only (url, time, related, origin) or
#: internal (source_key, fingerprint). ``url:x`` is searched as plain words.
UNSEARCHABLE_FIELDS = ("time", "url", "related", "origin", "source_key", "fingerprint")


def build_query_schema() -> Schema:
    """The searchable fields of the index plus the exact-form pseudo-field, for parsing queries."""
    schema = build_schema()
    for name in UNSEARCHABLE_FIELDS:
        schema.remove(name)
    schema.add(EXACT_FIELD, TEXT(analyzer=exact_analyzer()))
    return schema


def build_schema() -> Schema:
    """The schema of every index this version writes."""
    return Schema(
        id=ID(stored=True, unique=True),
        # Positions (for phrases) as 2-byte integers: see searcher.postings.
        title=compact_positions(TEXT(analyzer=search_analyzer(), stored=True)),
        body=compact_positions(TEXT(analyzer=search_analyzer(), stored=True)),
        source=compact_positions(TEXT(analyzer=exact_analyzer(), stored=True)),
        category=compact_positions(TEXT(analyzer=exact_analyzer(), stored=True)),
        place=compact_positions(TEXT(analyzer=exact_analyzer(), stored=True)),
        # The source name as written, for counts per source.
        source_key=ID(sortable=True),
        # ISO dates as text sort and range-compare correctly; "" when unknown.
        date=ID(stored=True, sortable=True),
        time=STORED(),
        url=STORED(),
        related=STORED(),
        origin=STORED(),
        # Hash of the article's content: a re-run skips articles whose
        # fingerprint is already live in the index.
        fingerprint=ID(),
    )
