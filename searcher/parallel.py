"""Building a run's batches into segments: in this process, or in worker processes.

Each batch of a run becomes exactly one segment, whoever builds it, and
batches are committed in input order: the index an indexing run leaves is the
same, document for document, whatever the number of jobs. With several jobs,
the indexing process reads and checks articles and streams each batch's
documents to a worker process; while one worker writes its segment, the next
batch already goes to another. Workers ignore Ctrl-C and SIGTERM (the
indexing process decides what to commit) and exit on their own when the
indexing process is gone, even killed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from dataclasses import dataclass, field

from .segments import SegmentBuilder
from .storage import open_index
from .stem import stem
from .terms import exact_form, search_form

#: Documents sent to a worker in one message: fewer, larger pipe writes.
CHUNK_DOCS = 64
#: Inputs known to be smaller than this are indexed in one process by default:
#: starting a worker (~0.15 s) would cost more than it saves.
SMALL_INPUT_BYTES = 16 * 2**20
#: Words whose search form a worker keeps cached (see _bound_caches).
WORKER_FORM_CACHE = 100_000
#: How long closing waits for a worker to finish what it is doing before killing it.
STOP_TIMEOUT_SECONDS = 30.0
#: How often an idle worker checks that the indexing process is still there.
ORPHAN_CHECK_SECONDS = 0.5

__all__ = ["Batch", "LocalBuilds", "WorkerBuilds", "choose_jobs", "default_jobs"]


def default_jobs() -> int:
    """The number of CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def choose_jobs(requested: int | None, input_bytes: int | None) -> int:
    """How many processes should build segments: ``requested``, else one per core,
    except for an input known to be small.

    >>> choose_jobs(3, None)
    3
    >>> choose_jobs(None, 1000)
    1
    """
    if requested:
        return requested
    if input_bytes is not None and input_bytes < SMALL_INPUT_BYTES:
        return 1
    return default_jobs()


@dataclass(eq=False)
class Batch:
    """One commit's worth of documents, built into one segment."""

    number: int
    size: int = 0
    #: Documents of the index before the run that this batch replaces (global numbers).
    deletions: list[int] = field(default_factory=list)
    #: Id -> global number of the document it replaces, for the deletions above.
    replacing: dict[str, int] = field(default_factory=dict)
    #: Id -> global number of a document of the index before the run that this batch deletes (not replaced).
    removing: dict[str, int] = field(default_factory=dict)
    segment: object = None
    done: bool = False
    error: str | None = None
    #: (location, id, reason) of the documents a worker could not analyse: left out of the segment.
    rejected: list[tuple[str, str, str]] = field(default_factory=list)


class LocalBuilds:
    """Builds each batch in this process, when it is sealed."""

    def __init__(self, index_dir):
        ix = open_index(index_dir)
        self._storage = ix.storage
        self._schema = ix.schema
        self._builders: dict[int, SegmentBuilder] = {}

    def add(self, batch: Batch, doc: dict) -> None:
        builder = self._builders.get(batch.number)
        if builder is None:
            builder = self._builders[batch.number] = SegmentBuilder(self._storage, self._schema)
        builder.add(doc)

    def seal(self, batch: Batch) -> None:
        builder = self._builders.pop(batch.number, None)
        batch.segment = builder.finish() if builder is not None else None
        batch.done = True

    def discard(self, batch: Batch) -> None:
        builder = self._builders.pop(batch.number, None)
        if builder is not None:
            builder.cancel()
        batch.done = True

    def poll(self) -> None:
        pass

    def wait(self, batch: Batch) -> None:
        if not batch.done:
            raise RuntimeError(f"batch {batch.number} was never sealed")

    def close(self, abort: bool = False) -> None:
        for number in list(self._builders):
            self._builders.pop(number).cancel()


class WorkerBuilds:
    """Builds batches in ``jobs`` worker processes, started on first use.

    A batch's documents go to one worker, in chunks; sealing it asks that
    worker for the segment, which arrives later (:meth:`poll`, :meth:`wait`).
    The next batch goes to the worker with the fewest unfinished batches.
    """

    def __init__(self, index_dir, jobs: int):
        if jobs < 2:
            raise ValueError("WorkerBuilds needs at least 2 jobs; use LocalBuilds")
        self._index_dir = str(index_dir)
        self._jobs = jobs
        self._workers: list[_Worker] = []
        self._owner: dict[int, _Worker] = {}
        self._turn = 0

    def _worker_for(self, batch: Batch) -> _Worker:
        worker = self._owner.get(batch.number)
        if worker is not None:
            return worker
        if len(self._workers) < self._jobs:
            worker = _Worker(self._index_dir)
            self._workers.append(worker)
        else:
            self.poll()
            self._turn += 1
            order = self._workers[self._turn % len(self._workers) :] + self._workers[: self._turn % len(self._workers)]
            worker = min(order, key=lambda w: len(w.batches))
        worker.batches[batch.number] = batch
        self._owner[batch.number] = worker
        return worker

    def add(self, batch: Batch, doc: dict) -> None:
        self._worker_for(batch).add(batch.number, doc)

    def seal(self, batch: Batch) -> None:
        worker = self._owner.get(batch.number)
        if worker is None:  # nothing was added
            batch.done = True
            return
        worker.send(("finish", batch.number, None))

    def discard(self, batch: Batch) -> None:
        worker = self._owner.get(batch.number)
        if worker is None:
            batch.done = True
            return
        worker.send(("cancel", batch.number, None))
        self.wait(batch)

    def poll(self) -> None:
        """Take in every segment the workers have finished, without waiting."""
        for worker in self._workers:
            worker.receive(block=False)

    def wait(self, batch: Batch) -> None:
        """Wait until ``batch`` is built (or failed)."""
        worker = self._owner.get(batch.number)
        while not batch.done:
            worker.receive(block=True)

    def close(self, abort: bool = False) -> None:
        """Stop the workers; a batch they had not finished is dropped with its files.
        With ``abort``, at once (a second Ctrl-C)."""
        for worker in self._workers:
            worker.stop(wait=0 if abort else STOP_TIMEOUT_SECONDS)
        self._workers.clear()


class _Worker:
    """The indexing process's end of one worker process."""

    def __init__(self, index_dir: str):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=run_worker, args=(child, index_dir, os.getpid()), name="search-index-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.batches: dict[int, Batch] = {}
        self._chunk: list[dict] = []
        self._chunk_batch: int | None = None

    def add(self, number: int, doc: dict) -> None:
        if self._chunk_batch != number:
            self._flush()
            self._chunk_batch = number
        self._chunk.append(doc)
        if len(self._chunk) >= CHUNK_DOCS:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            chunk, self._chunk = self._chunk, []
            self._send(("add", self._chunk_batch, chunk))

    def send(self, message) -> None:
        self._flush()
        self._send(message)

    def _send(self, message) -> None:
        try:
            self._conn.send(message)
        except (BrokenPipeError, ConnectionResetError):
            # The worker died: its batches fail (and raise when committed).
            self._fail_all(self._exit_reason())

    def receive(self, block: bool) -> None:
        while self.batches and (block or self._conn.poll()):
            try:
                kind, number, payload = self._conn.recv()
            except (EOFError, ConnectionResetError):
                self._fail_all(self._exit_reason())
                return
            batch = self.batches.pop(number, None)
            if batch is not None:
                if kind == "error":
                    batch.error = payload
                else:
                    batch.segment, batch.rejected = payload
                batch.done = True
            block = False  # one reply is what a blocking caller waits for

    def _exit_reason(self) -> str:
        self.process.join(timeout=1)
        return f"indexing worker (pid {self.process.pid}) exited unexpectedly, exit code {self.process.exitcode}"

    def _fail_all(self, reason: str) -> None:
        for batch in self.batches.values():
            batch.error = reason
            batch.done = True
        self.batches.clear()

    def stop(self, wait: float = STOP_TIMEOUT_SECONDS) -> None:
        """Ask the worker to exit after what it is doing, waiting up to ``wait``
        seconds; then kill it (it ignores SIGTERM)."""
        try:
            self._conn.send(("stop", None, None))
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.process.join(timeout=wait)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self._conn.close()


def _bound_caches() -> None:
    """Keep the analysis caches of a worker from growing with the corpus.

    ``search_form`` caches the form of every word seen, and ``exact_form`` and
    ``stem`` those of the words it computes: a few hundred bytes a word, up to
    2**18 words each, which on a large archive would be most of a worker's
    memory. A worker only asks ``search_form``, so the other two go after every
    chunk, and ``search_form``'s too once it holds ``WORKER_FORM_CACHE`` words:
    the common words are back in it within a few documents.
    """
    _clear_cache(exact_form)
    _clear_cache(stem)
    info = getattr(search_form, "cache_info", None)
    if info is not None and info().currsize > WORKER_FORM_CACHE:
        _clear_cache(search_form)


def _clear_cache(function) -> None:
    clear = getattr(function, "cache_clear", None)
    if clear is not None:
        clear()


def run_worker(conn, index_dir: str, parent_pid: int) -> None:
    """A worker process: build the segments of the batches it is sent, one at a time.

    Messages in: ("add", batch, [docs]), ("finish", batch, None), ("cancel",
    batch, None), ("stop", None, None). Out: ("segment", batch, (segment or
    None, rejected)) or ("error", batch, traceback text), one per finish or
    cancel. A document whose analysis raises is left out of its segment and
    listed in ``rejected`` as (location, id, reason); the others go on.
    """
    from .indexer import SYSTEM_ERRORS, describe_failure

    # Ctrl-C reaches every process of the terminal's foreground group: the
    # indexing process alone decides what happens (commit what was read).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ix = open_index(index_dir)
    storage, schema = ix.storage, ix.schema
    builders: dict[int, SegmentBuilder] = {}
    failed: dict[int, str] = {}
    rejected: dict[int, list[tuple[str, str, str]]] = {}
    while True:
        if not conn.poll(ORPHAN_CHECK_SECONDS):
            if os.getppid() != parent_pid:
                break  # the indexing process is gone: nobody will commit this work
            continue
        try:
            kind, number, payload = conn.recv()
        except (EOFError, ConnectionResetError):
            break
        if kind == "stop":
            break
        try:
            if number in failed:
                if kind in ("finish", "cancel"):
                    conn.send(("error", number, failed.pop(number)))
                continue
            if kind == "add":
                builder = builders.get(number)
                if builder is None:
                    builder = builders[number] = SegmentBuilder(storage, schema)
                for doc in payload:
                    try:
                        builder.add(doc)
                    except SYSTEM_ERRORS:
                        raise
                    except Exception as exc:  # costs this document only (SegmentBuilder.add is all or nothing)
                        location = doc.get("origin") or doc.get("id", "")
                        rejected.setdefault(number, []).append((location, doc.get("id", ""), describe_failure(exc)))
                _bound_caches()
            elif kind == "finish":
                builder = builders.pop(number, None)
                segment = builder.finish() if builder is not None else None
                conn.send(("segment", number, (segment, rejected.pop(number, []))))
            elif kind == "cancel":
                builder = builders.pop(number, None)
                if builder is not None:
                    builder.cancel()
                conn.send(("segment", number, (None, rejected.pop(number, []))))
        except Exception:  # reported to the indexing process, which raises it there
            _cancel_quietly(builders.pop(number, None))
            failed[number] = traceback.format_exc()
            rejected.pop(number, None)
            if kind in ("finish", "cancel"):
                conn.send(("error", number, failed.pop(number)))
    for builder in builders.values():
        _cancel_quietly(builder)
    conn.close()


def _cancel_quietly(builder) -> None:
    """Drop a builder's files; a failure to (a full disk) is not the one to report."""
    if builder is None:
        return
    try:
        builder.cancel()
    except Exception:
        pass
