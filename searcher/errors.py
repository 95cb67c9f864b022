"""Errors the library raises; the CLI turns each into a one-line message and exit code 2."""

from __future__ import annotations


class SearcherError(Exception):
    """Base class of every error this package raises on purpose."""

    #: A next step shown after the message, when there is an obvious one.
    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class IndexNotFound(SearcherError):
    """No index exists at the given location."""

    hint = "Build one first (search index corpus/), or name the folder with --index-dir DIR or SEARCH_INDEX_DIR"


class IndexVersionMismatch(SearcherError):
    """The index was built by another version of the analysis and must be rebuilt."""

    hint = "Rebuild it: search index --rebuild PATHS"


class IndexLocked(SearcherError):
    """Another process is writing to the index."""


class CorpusError(SearcherError):
    """An input path cannot be read at all (missing, unreadable)."""


class CorpusFormatError(SearcherError):
    """One record of the input is malformed; carries where it was found."""

    def __init__(self, location: str, reason: str):
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


class QuerySyntaxError(SearcherError):
    """The query text cannot be parsed or uses an unknown option value."""


class ArticleNotFound(SearcherError):
    """No article with the given id is in the index."""


class IndexDamaged(SearcherError):
    """A file of the index is damaged, missing or tampered with: the index must be rebuilt."""

    hint = "Rebuild it: search index --rebuild PATHS"


class IndexUnsafe(SearcherError):
    """The index folder or its files can be changed by other users: opening it could run their code."""


class SegmentBuildFailed(RuntimeError):
    """A worker process could not build a batch's segment (it failed, or died).

    ``str()`` is one line; ``details`` holds the worker's traceback, if any.
    """

    def __init__(self, batch: int, details: str):
        lines = [line for line in details.strip().splitlines() if line.strip()]
        self.reason = lines[-1].strip() if lines else "unknown failure"
        self.details = details
        self.batch = batch
        super().__init__(f"building the segment of batch {batch} failed: {self.reason}")


class QueryTimeout(SearcherError):
    """A query ran longer than its time limit (``Archive(..., time_limit=...)``, ``--time-limit``)."""

    hint = "Narrow the query (more words, a phrase, --since/--until), or allow more time with --time-limit SECONDS"
