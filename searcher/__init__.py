"""Spelling-tolerant full-text search over Arabic news archives.

The library behind the ``search`` command::

    from searcher import Indexer, read_corpus, Archive, SearchRequest

    with Indexer("index") as indexer:
        indexer.add_all(read_corpus(["corpus"]))
    with Archive("index") as archive:
        for hit in archive.search(SearchRequest("الباغوز")):
            print(hit.rank, hit.id, hit.title)

Names are imported on first use, so ``import searcher`` stays cheap for the CLI.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Archive": "query",
    "SearchRequest": "query",
    "Ranking": "query",
    "parse_query": "query",
    "Indexer": "indexer",
    "CorpusReader": "ingest",
    "read_corpus": "ingest",
    "Article": "models",
    "Hit": "models",
    "IndexStats": "models",
    "Problem": "models",
    "Snippet": "models",
    "SearcherError": "errors",
    "QuerySyntaxError": "errors",
    "QueryTimeout": "errors",
    "normalise": "normalise",
    "stem": "stem",
    "analyse": "terms",
    "exact_form": "terms",
    "search_form": "terms",
    "make_snippet": "snippets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'searcher' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
