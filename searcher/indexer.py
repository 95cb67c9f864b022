"""Writing articles into a Whoosh index: create, update in place, commit in batches."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .errors import IndexLocked
from .meta import check_version, index_exists, write_meta
from .models import Article, IndexStats, Problem
from .schema import build_schema

#: Articles per commit: what a crash can lose, and what memory holds at once.
DEFAULT_BATCH_SIZE = 5000
#: Seconds to wait for another process's write lock before giving up.
DEFAULT_LOCK_TIMEOUT = 10.0
#: Whoosh's own name for an index's write lock (an flock: it dies with its process).
WRITE_LOCK = "MAIN_WRITELOCK"


def fingerprint(article: Article) -> str:
    """A digest of everything an article stores: equal fingerprints mean nothing to update."""
    record = [
        article.id,
        article.title,
        article.body,
        article.date.isoformat() if article.date else None,
        article.time,
        article.place,
        article.source,
        article.category,
        article.url,
        list(article.related),
    ]
    encoded = json.dumps(record, ensure_ascii=False).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def to_document(article: Article, fp: str) -> dict:
    """The Whoosh document for one article."""
    doc = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "fingerprint": fp,
        "related": list(article.related),
        "origin": article.origin or "",
    }
    if article.source:
        doc["source"] = article.source
    for name in ("category", "place", "time", "url"):
        value = getattr(article, name)
        if value:
            doc[name] = value
    # Column fields get a value in every document, empty when unknown: Whoosh
    # (3.54) writes a segment's column short when its last documents lack the
    # field, and reading it then fails.
    doc["source_key"] = article.source or ""
    doc["date"] = article.date.isoformat() if article.date else ""
    return doc


class Indexer:
    """Adds articles to the index at ``index_dir``, committing every ``batch_size``.

    Use as a context manager; leaving the block commits what is pending, also on
    Ctrl-C, so an interrupted run keeps everything it read. The index's write
    lock is held from construction to :meth:`close`, so another process cannot
    slip in between batches; a killed process's lock goes with it. Articles whose
    fingerprint is already in the index are counted as unchanged and cost one
    term lookup. Problems (from the reader, or a repeated id) go through
    :meth:`report`, which counts them and forwards them to ``on_problem``.
    """

    def __init__(
        self,
        index_dir: str | Path,
        *,
        rebuild: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        on_problem: Callable[[Problem], None] | None = None,
    ):
        self.index_dir = Path(index_dir)
        self.batch_size = batch_size
        self.lock_timeout = lock_timeout
        self.on_problem = on_problem
        self.stats = IndexStats()
        self._seen: dict[str, str] = {}
        self._pending = 0
        self._started = time.perf_counter()
        self._writer = None
        self._before = None
        self._lock = self._acquire_lock()
        try:
            self._ix = self._open(rebuild)
            # What the index held before this run: decides added/updated/unchanged.
            self._before = None if self._fresh else self._ix.searcher()
        except BaseException:
            self._lock.release()
            raise

    def _acquire_lock(self):
        self.index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.index_dir)).lock(WRITE_LOCK)
        deadline = time.monotonic() + self.lock_timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise IndexLocked(
                    f"{self.index_dir}/ is being written by another process "
                    f"(waited {self.lock_timeout:g} s; see --lock-timeout)"
                )
            time.sleep(0.1)
        return lock

    def _open(self, rebuild: bool):
        path = self.index_dir
        if rebuild or not index_exists(path):
            # The version file first: a crash right after it leaves no index at
            # all, never an index without its version.
            write_meta(path)
            self._fresh = True
            return whoosh_index.create_in(str(path), build_schema())
        check_version(path)
        self._fresh = False
        return whoosh_index.open_dir(str(path))

    def report(self, problem: Problem) -> None:
        """Count a problem with the input and pass it on."""
        if problem.skipped:
            self.stats.skipped += 1
            reasons = self.stats.skip_reasons
            reasons[problem.reason] = reasons.get(problem.reason, 0) + 1
        else:
            self.stats.warnings += 1
        if self.on_problem is not None:
            self.on_problem(problem)

    def add(self, article: Article) -> str:
        """Index one article; returns "added", "updated", "unchanged" or "skipped"."""
        first_seen = self._seen.get(article.id)
        if first_seen is not None:
            location = article.origin or article.id
            self.report(Problem(location, f"duplicate id ({article.id} first read at {first_seen})"))
            return "skipped"
        self._seen[article.id] = article.origin or article.id

        fp = fingerprint(article)
        if self._before is not None:
            if self._before.document_number(fingerprint=fp) is not None:
                self.stats.unchanged += 1
                return "unchanged"
            existed = self._before.document_number(id=article.id) is not None
        else:
            existed = False

        writer = self._writer or self._start_batch()
        doc = to_document(article, fp)
        if existed:
            writer.update_document(**doc)
            self.stats.updated += 1
            outcome = "updated"
        else:
            writer.add_document(**doc)
            self.stats.added += 1
            outcome = "added"
        self._pending += 1
        if self._pending >= self.batch_size:
            self.commit()
        return outcome

    def add_all(self, articles: Iterable[Article]) -> IndexStats:
        """Index every article of an iterable, then commit."""
        for article in articles:
            self.add(article)
        self.commit()
        return self.stats

    def _start_batch(self):
        # _lk=False: this Indexer already holds the lock for the whole run.
        self._writer = self._ix.writer(_lk=False, limitmb=256)
        return self._writer

    def commit(self) -> None:
        """Make everything added so far durable and visible to searches."""
        if self._writer is not None:
            self._writer.commit()
            self._writer = None
            self._pending = 0
        self.stats.seconds = time.perf_counter() - self._started

    def cancel(self) -> None:
        """Drop the uncommitted batch."""
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
            self._pending = 0

    def close(self) -> None:
        """Release the searcher of the previous state and the write lock."""
        if self._before is not None:
            self._before.close()
            self._before = None
        self._ix.close()
        self._lock.release()

    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None or issubclass(exc_type, KeyboardInterrupt):
                self.commit()
            else:
                self.cancel()
        finally:
            self.close()
