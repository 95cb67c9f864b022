"""The Whoosh schema: which article fields are searchable, stored, sortable."""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from .analysis import exact_analyzer, search_analyzer

#: Ordinary words are looked up in these fields, with these weights. ``exact``
#: repeats title and body in exact (unstemmed) form, so an article that has the
#: word as typed ranks above one that only shares its stem.
DEFAULT_FIELD_BOOSTS = {"title": 2.0, "body": 1.0, "exact": 0.5}

#: Field names a user may write in a query (``title:الباغوز``).
QUERY_FIELDS = ("title", "body", "exact", "source", "category", "place", "date", "id")


def build_schema() -> Schema:
    """The schema of every index this version writes."""
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=search_analyzer(), stored=True),
        body=TEXT(analyzer=search_analyzer(), stored=True),
        exact=TEXT(analyzer=exact_analyzer()),
        source=TEXT(analyzer=exact_analyzer(), stored=True),
        category=TEXT(analyzer=exact_analyzer(), stored=True),
        place=TEXT(analyzer=exact_analyzer(), stored=True),
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
