"""Writing articles into the index: create, update in place, commit in batches.

Each batch becomes one segment (``searcher.segments``), built in this process
or in worker processes (``searcher.parallel``), and batches are committed in
input order, so the index is the same whatever the number of jobs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from . import durable
from .dupstore import DuplicateStore
from .errors import IndexLocked, SegmentBuildFailed
from .meta import check_version, index_exists, write_meta
from .models import Article, IndexStats, Problem
from .parallel import Batch, LocalBuilds, WorkerBuilds
from .schema import build_schema
from .segments import commit_segments
from .storage import INDEX_NAME, MappedStorage, create_index, open_index

#: Articles per commit and per segment: what a crash can lose, what one
#: process holds in memory at once, and how few segments a query visits
#: (fewer, larger segments answer faster; see docs/performance.md).
DEFAULT_BATCH_SIZE = 20000
#: Seconds to wait for another process's write lock before giving up.
DEFAULT_LOCK_TIMEOUT = 10.0
#: Whoosh's own name for an index's write lock (an flock: it dies with its process).
WRITE_LOCK = "MAIN_WRITELOCK"
#: Failures of the system rather than of one article: they stop the run (and
#: what was committed stands) instead of skipping every article that follows.
SYSTEM_ERRORS = (OSError, MemoryError, sqlite3.OperationalError, sqlite3.DatabaseError)


def describe_failure(exc: BaseException) -> str:
    """The one-line reason an article could not be indexed, for a skipped Problem."""
    if isinstance(exc, UnicodeEncodeError) and "surrogates" in str(exc.reason):
        bad = exc.object[exc.start : exc.end] if isinstance(exc.object, str) else ""
        shown = "".join(f"\\u{ord(char):04x}" for char in bad)
        return f"text is not valid Unicode (lone surrogate {shown})"
    detail = " ".join(str(exc).split())[:200]
    return f"cannot index ({type(exc).__name__}: {detail})" if detail else f"cannot index ({type(exc).__name__})"


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
    An article that cannot be indexed (text that cannot be encoded, any
    exception of fingerprinting, grouping or analysis) is skipped with a
    Problem, and the run goes on; only failures of the system
    (``SYSTEM_ERRORS``: a full disk, a broken database) stop it.

    With ``jobs`` > 1, worker processes build the batches' segments while this
    process reads on; what is committed, and when, does not change. The workers
    are started with ``multiprocessing``'s "spawn" method, so a script that
    indexes with several jobs must guard its entry point with
    ``if __name__ == "__main__":``.
    """

    def __init__(
        self,
        index_dir: str | Path,
        *,
        rebuild: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        on_problem: Callable[[Problem], None] | None = None,
        jobs: int = 1,
    ):
        self.index_dir = Path(index_dir)
        self.batch_size = batch_size
        self.lock_timeout = lock_timeout
        self.on_problem = on_problem
        self.jobs = max(1, jobs)
        self.stats = IndexStats()
        self._seen: dict[str, str] = {}
        #: Ids of the index before the run that this run deletes: an add of one is new again.
        self._deleted: set[str] = set()
        self._started = time.perf_counter()
        self._before = None
        self._builds = None
        self._open: Batch | None = None
        self._sealed: deque[Batch] = deque()
        self._batches = 0
        #: A rebuild's folder inside the index folder (None: the run writes the live index).
        self.build_dir: Path | None = None
        #: What the run found and dealt with before starting: a killed run's
        #: leftovers removed, an unreadable newest commit skipped (one line each).
        self.recovered: list[str] = []
        self._dropped = False
        self._published = False
        self.duplicates = None
        self._complete = False  # everything added so far is committed (then the store matches the index)
        self._lock = self._acquire_lock()
        try:
            self.recovered += durable.clean_leftovers(self.index_dir, INDEX_NAME)
            self._ix = self._open_index(rebuild)
            work_dir = self.build_dir or self.index_dir
            self.duplicates = DuplicateStore.for_writing(work_dir, fresh=self._fresh)
            storage = self._ix.storage
            toc = self._ix._read_toc()
            warning = self._ix.recovered
            self._schema = toc.schema
            self._segments = list(toc.segments)
            # Past any newer, unreadable table of contents: its name is never reused.
            self._generation = max(durable.toc_generations(storage, INDEX_NAME), default=toc.generation)
            # The commit before this run's first stays until that first commit is durable.
            self._kept_generation = toc.generation
            # Global document numbers of the segments before the run: updates delete there.
            self._offsets = []
            total = 0
            for segment in self._segments:
                self._offsets.append(total)
                total += segment.doc_count_all()
            self._stale = self._clean_orphans(storage, toc)
            # What the index held before this run: decides added/updated/unchanged.
            self._before = None if self._fresh else self._ix.searcher()
            # The duplicate store never ahead of the index, nor behind: after a run that
            # did not end normally, it is made to hold the index's articles again.
            if self._before is not None and not self.duplicates.matches(self._commit_name()):
                self.duplicates.reconcile(_live_articles(self._before))
            self.duplicates.begin_writing()
            self._builds = WorkerBuilds(work_dir, self.jobs) if self.jobs > 1 else LocalBuilds(work_dir)
        except BaseException:
            if self._before is not None:
                self._before.close()
            if self.duplicates is not None:
                self.duplicates.close()
            if self.build_dir is not None:
                shutil.rmtree(self.build_dir, ignore_errors=True)
            self._lock.release()
            raise
        for line in self.recovered:
            durable.logger.info(line)
        if warning:
            self.recovered.append(warning)
            durable.logger.warning(warning)

    def _clean_orphans(self, storage, toc) -> list[str]:
        """Delete the segment files that no kept commit lists (a killed run's);
        return those only the previous commit lists, to delete once the first
        commit of this run makes that one obsolete."""
        if self._fresh and self.build_dir is not None:
            return []
        previous = durable.previous_toc(storage, toc.generation, INDEX_NAME)
        current = durable.segment_files(storage, toc.segments, INDEX_NAME)
        kept_before = durable.segment_files(storage, previous.segments, INDEX_NAME) if previous else set()
        orphans = sorted(durable.all_segment_files(storage, INDEX_NAME) - current - kept_before)
        if orphans:
            durable.remove_files(storage, orphans)
            self.recovered.append(f"removed {len(orphans)} files of segments no commit lists (left by a killed run)")
        return sorted(kept_before - current)

    def _commit_name(self, generation: int | None = None) -> str:
        """Names the index's current commit (or the one of ``generation`` with the same segments)."""
        generation = self._generation if generation is None else generation
        return f"{generation}:" + ",".join(sorted(segment.segment_id() for segment in self._segments))

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

    def _open_index(self, rebuild: bool):
        path = self.index_dir
        if rebuild and index_exists(path):
            # Built beside the live index, which readers go on using until the swap.
            self.build_dir = durable.new_build_dir(path)
            write_meta(self.build_dir)
            self._fresh = True
            return create_index(self.build_dir, build_schema())
        if rebuild or not index_exists(path):
            # The version file first: a crash right after it leaves no index at
            # all, never an index without its version.
            write_meta(path)
            self._fresh = True
            return create_index(path, build_schema())
        check_version(path)
        self._fresh = False
        return open_index(path)

    def report(self, problem: Problem) -> None:
        """Count a problem with the input and pass it on."""
        if problem.empty:
            self.stats.empty += 1
        elif problem.skipped:
            self.stats.skipped += 1
            reasons = self.stats.skip_reasons
            reasons[problem.reason] = reasons.get(problem.reason, 0) + 1
        else:
            self.stats.warnings += 1
        if self.on_problem is not None:
            self.on_problem(problem)

    def add(self, article: Article) -> str:
        """Index one article; returns "added", "updated", "unchanged" or "skipped"."""
        location = article.origin or article.id
        self._complete = False
        first_seen = self._seen.get(article.id)
        if first_seen is not None:
            self.report(Problem(location, f"duplicate id ({article.id} first read at {first_seen})"))
            return "skipped"
        try:
            # The fingerprint encodes every field: text that cannot be stored fails here, before the store.
            fp = fingerprint(article)
            doc = to_document(article, fp)
            self.duplicates.add(article)
        except SYSTEM_ERRORS:
            raise
        except Exception as exc:
            self.report(Problem(location, describe_failure(exc)))
            return "skipped"
        self._seen[article.id] = location
        replaced = None
        if self._before is not None and article.id not in self._deleted:
            if self._before.document_number(fingerprint=fp) is not None:
                self.stats.unchanged += 1
                return "unchanged"
            replaced = self._before.document_number(id=article.id)

        batch = self._open or self._start_batch()
        try:
            self._builds.add(batch, doc)  # analysed here, or later by a worker (see _reject)
        except SYSTEM_ERRORS:
            raise
        except Exception as exc:
            self._forget(article.id)
            self.report(Problem(location, describe_failure(exc)))
            return "skipped"
        batch.size += 1
        if replaced is not None:
            batch.deletions.append(replaced)
            batch.replacing[article.id] = replaced
            self.stats.updated += 1
            outcome = "updated"
        else:
            self.stats.added += 1
            outcome = "added"
        if batch.size >= self.batch_size:
            self._seal()
        self._commit_finished(wait=False)
        return outcome

    def add_all(self, articles: Iterable[Article]) -> IndexStats:
        """Index every article of an iterable, then commit (a rebuild: and swap it in)."""
        for article in articles:
            self.add(article)
        self.commit()
        self.publish()
        return self.stats

    def delete(self, ids: Iterable[str]) -> tuple[list[str], list[str]]:
        """Delete the articles with these ids; returns (deleted, not found), each in input order.

        The deletions are committed with the batch being filled (at the latest
        when the run commits): one commit, durable and atomic like an update.
        Only articles of the index as it was before the run can be deleted; an
        article added earlier in the same run raises ValueError. An id deleted
        and then added in the same run is added again as new. In a rebuild,
        which starts from nothing, every id is not found. Repeated ids count once.
        """
        deleted: list[str] = []
        not_found: list[str] = []
        for article_id in ids:
            if article_id in self._seen:
                raise ValueError(f"cannot delete {article_id!r}: it was added in this run")
            if article_id in self._deleted:
                continue
            docnum = None
            if self._before is not None and not self._dropped:
                docnum = self._before.document_number(id=article_id)
            if docnum is None:
                not_found.append(article_id)
                continue
            self._complete = False
            self.duplicates.remove(article_id)
            batch = self._open or self._start_batch()
            batch.deletions.append(docnum)
            batch.removing[article_id] = docnum
            self._deleted.add(article_id)
            self.stats.deleted += 1
            deleted.append(article_id)
        return deleted, not_found

    @property
    def rebuilding(self) -> bool:
        """True when the run builds a new index beside the live one (``rebuild`` of an existing index)."""
        return self.build_dir is not None

    def interrupt(self) -> None:
        """The run is stopped early (Ctrl-C, SIGTERM). An update still commits
        what was read when the indexer closes; a rebuild is dropped, and the
        index stays as it was."""
        if self.rebuilding:
            self._drop()

    def _drop(self) -> None:
        if not self._dropped:
            self._dropped = True
            batch, self._open = self._open, None
            if batch is not None:
                self._builds.discard(batch)

    def publish(self) -> None:
        """A rebuild: commit what is pending, then swap the new index in for the
        live one (``searcher.durable.publish_rebuild``). Nothing to do otherwise."""
        if not self.rebuilding or self._published or self._dropped:
            return
        self.commit()
        self._builds.close()
        # The store goes live with the index: it matches the commit the swap makes.
        live = durable.toc_generations(MappedStorage(self.index_dir), INDEX_NAME)
        self.duplicates.mark_matching(self._commit_name((live[0] + 1) if live else 1))
        self.duplicates.close()
        self.duplicates = None
        self._ix = None
        durable.publish_rebuild(self.index_dir, self.build_dir, INDEX_NAME)
        self._published = True

    def _start_batch(self) -> Batch:
        self._batches += 1
        self._open = Batch(self._batches)
        return self._open

    def _seal(self) -> None:
        """Close the open batch: its segment gets built (now, or by a worker)."""
        batch, self._open = self._open, None
        if batch is not None:
            self._builds.seal(batch)
            self._sealed.append(batch)

    def _commit_finished(self, wait: bool) -> None:
        """Commit the sealed batches whose segments are built, oldest first;
        with ``wait``, all of them. A batch that failed raises."""
        self._builds.poll()
        ready = []
        while self._sealed:
            batch = self._sealed[0]
            if not batch.done:
                if not wait:
                    break
                self._builds.wait(batch)
            if batch.error is not None:
                if ready:
                    self._commit(ready)
                self._sealed.popleft()
                raise SegmentBuildFailed(batch.number, batch.error)
            ready.append(self._sealed.popleft())
        if ready:
            self._commit(ready)

    def _forget(self, article_id: str) -> None:
        """Take a skipped article out of the duplicate store and of the ids seen, as if never read."""
        self._seen.pop(article_id, None)
        try:
            self.duplicates.remove(article_id)
        except SYSTEM_ERRORS:
            raise
        except Exception:
            pass  # readers ignore group members the index does not hold

    def _keep(self, removing: dict[str, int]) -> None:
        """Deletions dropped with their batch: the articles go back into the duplicate store, as before."""
        for article_id, docnum in removing.items():
            fields = self._before.stored_fields(docnum)
            self.duplicates.add(Article(id=article_id, title="", body=fields.get("body") or ""))
            self._deleted.discard(article_id)
        self.stats.deleted -= len(removing)

    def _reject(self, batch: Batch) -> None:
        """Skip the articles a worker could not analyse: counted, reported, and their old versions kept."""
        for location, article_id, reason in batch.rejected:
            replaced = batch.replacing.pop(article_id, None)
            if replaced is not None:
                batch.deletions.remove(replaced)
                self.stats.updated -= 1
            else:
                self.stats.added -= 1
            batch.size -= 1
            self._forget(article_id)
            self.report(Problem(location, reason))
        batch.rejected = []

    def _commit(self, batches: list[Batch]) -> None:
        """One new table of contents: the batches' segments added, the documents they replace deleted."""
        for batch in batches:
            self._reject(batch)
        for batch in batches:
            for docnum in batch.deletions:
                number = bisect_right(self._offsets, docnum) - 1
                self._segments[number].delete_document(docnum - self._offsets[number])
            if batch.segment is not None:
                self._segments.append(batch.segment)
        self._generation += 1
        commit_segments(
            self._ix.storage, self._schema, self._segments, self._generation, INDEX_NAME,
            remove=self._stale, keep=(self._kept_generation,),
        )
        self._kept_generation = self._generation
        self._stale = ()

    def commit(self) -> None:
        """Make everything added so far durable and visible to searches (a
        rebuild: durable in its folder, visible once :meth:`publish` swaps it in)."""
        if self._dropped or self._published:
            return
        self._seal()
        self._commit_finished(wait=True)
        self._complete = True
        self.stats.seconds = time.perf_counter() - self._started

    def cancel(self) -> None:
        """Drop the batch being filled; batches already complete are still committed
        (a rebuild: dropped whole, the index stays as it was)."""
        if self.rebuilding:
            self._drop()
            return
        batch, self._open = self._open, None
        if batch is not None:
            self._builds.discard(batch)
            self.stats.added -= batch.size - len(batch.replacing)
            self.stats.updated -= len(batch.replacing)
            self._keep(batch.removing)
        self._commit_finished(wait=True)

    def close(self, abort: bool = False) -> None:
        """Stop the workers (with ``abort``, at once); release the searcher of the
        previous state and the write lock. A rebuild is swapped in first, unless
        ``abort``, :meth:`interrupt` or :meth:`cancel` dropped it."""
        try:
            if abort and self.rebuilding:
                self._drop()
            elif self.rebuilding:
                self.publish()
            if self._builds is not None:
                self._builds.close(abort=abort)
            if self._ix is not None:
                for batch in self._sealed:  # never committed: built for nothing
                    _delete_segment(self._ix.storage, batch.segment)
            self._sealed.clear()
            if self._before is not None:
                self._before.close()
                self._before = None
            if self.duplicates is not None:
                if self._complete and not abort:
                    self.duplicates.mark_matching(self._commit_name())
                self.duplicates.close()
                self.duplicates = None
            if self.rebuilding and not self._published and not (self.build_dir / durable.PUBLISH_MARKER).exists():
                # Past the marker, a swap cut short is finished by the next writing run.
                shutil.rmtree(self.build_dir, ignore_errors=True)
            shutil.rmtree(self.index_dir / f"{INDEX_NAME}.tmp", ignore_errors=True)
        finally:
            self._lock.release()

    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        finished = False
        try:
            if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
                self.interrupt()
            if exc_type is None or issubclass(exc_type, KeyboardInterrupt):
                self.commit()
            else:
                self.cancel()
            finished = True
        finally:
            # A commit cut short (a second Ctrl-C, a failed worker) stops the workers at once.
            self.close(abort=not finished)


def _live_articles(searcher) -> Iterable[tuple[str, str]]:
    """(id, body) of every article the index holds: what the duplicate store should hold."""
    for _, fields in searcher.reader().iter_docs():
        yield fields.get("id"), fields.get("body") or ""


def _delete_segment(storage, segment) -> None:
    if segment is None:
        return
    for name in segment.list_files(storage):
        try:
            storage.delete_file(name)
        except OSError:
            pass
