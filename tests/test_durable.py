"""Durable commits, the previous commit kept, rebuilds beside the live index, readers
that never fail during writes, and the clean-up after a killed run."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.index import TOC

from searcher import durable
from searcher.cli import cli
from searcher.dupstore import STORE_FILE
from searcher.indexer import Indexer
from searcher.meta import META_FILE
from searcher.models import Article
from searcher.query import Archive, SearchRequest
from searcher.storage import MappedStorage

from .test_robustness import count, start_index, synthetic_corpus


def articles(start: int, stop: int, word: str = "الباغوز") -> list[Article]:
    return [
        Article(
            id=f"a{i:04}",
            title=f"خبر رقم {i} عن {word}",
            body=f"قالت الحكومة إن {word} شهدت معارك قرب دير الزور في اليوم {i} وإن الوزير زار المدينة",
        )
        for i in range(start, stop)
    ]


def tocs(index_dir: Path) -> list[int]:
    return durable.toc_generations(MappedStorage(index_dir))


def ids(index_dir: Path) -> set[str]:
    with Archive(index_dir) as archive:
        return {stored["id"] for stored in archive._searcher.all_stored_fields()}


def live_files(index_dir: Path) -> set[str]:
    """The segment files listed by the kept tables of contents (current and previous)."""
    storage = MappedStorage(index_dir)
    listed = set()
    for generation in tocs(index_dir):
        listed |= durable.segment_files(storage, TOC.read(storage, "MAIN", generation).segments)
    return listed


def check_no_orphans(index_dir: Path) -> None:
    storage = MappedStorage(index_dir)
    assert len(tocs(index_dir)) <= 2
    assert durable.all_segment_files(storage) == live_files(index_dir)
    leftovers = [n for n in os.listdir(index_dir) if n.startswith(durable.REBUILD_PREFIX) or ".tmp" in n or ".toc." in n]
    assert not leftovers


# Commits: flushed, previous kept, fallen back to


def test_a_commit_flushes_segments_and_folder_before_its_table_of_contents_is_published(tmp_path, monkeypatch):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 5))
    events = []
    real_fsync, real_rename = os.fsync, os.rename
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("sync", os.readlink(f"/proc/self/fd/{fd}"))), real_fsync(fd))[1])
    monkeypatch.setattr(os, "rename", lambda a, b: (events.append(("rename", os.fspath(b))), real_rename(a, b))[1])
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(5, 10))
    toc_path = str((index_dir / f"_MAIN_{tocs(index_dir)[0]}.toc").resolve())
    published = events.index(("rename", toc_path))
    synced_before = {path for kind, path in events[:published] if kind == "sync"}
    new_segment = TOC.read(MappedStorage(index_dir), "MAIN").segments[-1]
    for name in durable.segment_files(MappedStorage(index_dir), [new_segment]):
        path = str((index_dir / name).resolve())
        # Written in place, or (the checksums) under a temporary name then renamed.
        assert path in synced_before or any(p.startswith(path + ".") for p in synced_before), name
    assert str(index_dir.resolve()) in synced_before  # the segment files' names
    assert any(path.startswith(toc_path + ".") for path in synced_before)  # the TOC's content, under its temporary name
    assert ("sync", str(index_dir.resolve())) in events[published:]  # the rename itself


def test_each_commit_keeps_the_previous_one_and_no_other(tmp_path):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=4) as indexer:
        indexer.add_all(articles(0, 20))
    generations = tocs(index_dir)
    assert len(generations) == 2 and generations[0] == generations[1] + 1
    assert len(TOC.read(MappedStorage(index_dir), "MAIN", generations[1]).segments) == 4


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage"])
def test_an_unreadable_newest_commit_falls_back_to_the_previous_one_with_a_warning(tmp_path, damage):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 10))
    newest = index_dir / f"_MAIN_{tocs(index_dir)[0]}.toc"
    data = newest.read_bytes()
    newest.write_bytes({"empty": b"", "truncated": data[: len(data) // 2], "garbage": b"\x00" * len(data)}[damage])

    # The library records it and says nothing.
    with Archive(index_dir) as archive:
        assert archive.stats().articles == 5
        assert "unreadable" in archive.recovered and newest.name in archive.recovered
        assert archive.search(SearchRequest("الباغوز", limit=None))
    # The command line warns on stderr, and still answers.
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), "stats"])
    assert result.exit_code == 0, result.output
    assert "articles: 5" in result.stdout
    assert re.search(rf"warning: the newest commit of .* is unreadable \({newest.name}", result.stderr)
    assert "warning" not in result.stdout

    # The next run writes past it, and the damaged table of contents goes.
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), "stats"])
    with Indexer(index_dir, batch_size=5) as indexer:
        assert any("unreadable" in line for line in indexer.recovered)
        indexer.add_all(articles(0, 12))
    assert newest.name not in os.listdir(index_dir)
    assert count(index_dir) == 12
    with Archive(index_dir) as archive:
        assert archive.recovered is None
    check_no_orphans(index_dir)


def test_no_readable_commit_is_a_one_line_error(tmp_path):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 5))
    for generation in tocs(index_dir):
        (index_dir / f"_MAIN_{generation}.toc").write_bytes(b"")
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), "stats"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no table of contents of") and result.stderr.count("\n") == 1


def test_a_commit_racing_the_opening_is_invisible_to_readers(tmp_path, monkeypatch):
    """The newest table of contents is deleted between listing and opening: the reader lists again."""
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 10))
    real_read = TOC.read.__func__
    raced = []

    def read(cls, storage, indexname, gen=None, schema=None):
        if not raced:
            raced.append(gen)
            raise FileNotFoundError(2, "No such file", f"_MAIN_{gen}.toc")
        return real_read(cls, storage, indexname, gen, schema)

    monkeypatch.setattr(TOC, "read", classmethod(read))
    with Archive(index_dir) as archive:
        assert archive.stats().articles == 10
        assert archive.recovered is None
    assert raced


# Rebuilds


def test_a_rebuild_swaps_index_store_and_version_file_together(tmp_path):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 10))
    old_files = durable.all_segment_files(MappedStorage(index_dir))
    with Indexer(index_dir, rebuild=True, batch_size=4) as indexer:
        build_dir = indexer.build_dir
        assert build_dir.parent == index_dir and build_dir.name.startswith(durable.REBUILD_PREFIX)
        for article in articles(100, 106, word="الرياض"):
            indexer.add(article)
        indexer.commit()
        # Committed in the build folder: readers still see the old archive, whole.
        assert ids(index_dir) == {f"a{i:04}" for i in range(10)}
    assert not build_dir.exists()
    assert ids(index_dir) == {f"a{i:04}" for i in range(100, 106)}
    with sqlite3.connect(index_dir / STORE_FILE) as store:
        assert {row[0] for row in store.execute("SELECT id FROM docs")} == {f"a{i:04}" for i in range(100, 106)}
    assert json.loads((index_dir / META_FILE).read_text())["engine"] == "whoosh"
    # The old archive is the previous commit until the next commit, then goes.
    assert old_files <= set(os.listdir(index_dir))
    with Indexer(index_dir) as indexer:
        indexer.add_all(articles(200, 201))
    assert not old_files & set(os.listdir(index_dir))
    assert count(index_dir) == 7
    check_no_orphans(index_dir)


@pytest.mark.parametrize("how", ["exception", "interrupt"])
def test_a_rebuild_that_fails_or_is_interrupted_leaves_the_index_as_it_was(tmp_path, how):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 10))
    before = sorted(os.listdir(index_dir))
    with pytest.raises(KeyboardInterrupt if how == "interrupt" else RuntimeError):
        with Indexer(index_dir, rebuild=True, batch_size=2) as indexer:
            for article in articles(50, 55):
                indexer.add(article)
            raise KeyboardInterrupt if how == "interrupt" else RuntimeError("disk on fire")
    assert sorted(os.listdir(index_dir)) == before
    assert ids(index_dir) == {f"a{i:04}" for i in range(10)}


@pytest.mark.parametrize("stage", ["before_marker", "after_marker", "after_toc"])
def test_a_swap_killed_midway_is_rolled_back_or_forward_by_the_next_run(tmp_path, monkeypatch, stage):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 10))

    class Killed(BaseException):
        pass

    def die(*args, **kwargs):
        raise Killed

    if stage == "before_marker":
        monkeypatch.setattr(durable, "write_atomic", die)
    elif stage == "after_marker":
        monkeypatch.setattr(durable, "_roll_forward", die)
    else:
        monkeypatch.setattr(durable, "_copy_store", die)
    indexer = Indexer(index_dir, rebuild=True, batch_size=3)
    with pytest.raises(Killed):
        indexer.add_all(articles(100, 107))
    indexer._lock.release()  # as a killed process's lock goes with it; nothing else is closed
    monkeypatch.undo()
    [build] = [p for p in index_dir.iterdir() if p.name.startswith(durable.REBUILD_PREFIX)]
    expected = set(range(10)) if stage == "before_marker" else set(range(100, 107))
    if stage != "after_toc":  # the old archive until the swap's one rename
        assert ids(index_dir) == {f"a{i:04}" for i in range(10)}

    with Indexer(index_dir) as indexer:
        assert any(build.name in line for line in indexer.recovered)
    assert not build.exists()
    assert ids(index_dir) == {f"a{i:04}" for i in expected}
    with sqlite3.connect(index_dir / STORE_FILE) as store:
        assert {row[0] for row in store.execute("SELECT id FROM docs")} == {f"a{i:04}" for i in expected}
    check_no_orphans(index_dir)


@pytest.mark.slow
def test_a_rebuild_killed_at_any_moment_leaves_the_old_archive_whole(tmp_path):
    corpus = synthetic_corpus(tmp_path / "c.jsonl", 1500)
    index_dir = tmp_path / "ix"
    first = start_index(index_dir, "--batch-size", "500", str(corpus))
    assert first.wait(timeout=120) == 0
    before = ids(index_dir)
    for delay in (0.5, 1.5, 3.0):
        process = start_index(index_dir, "--rebuild", "--batch-size", "50", str(corpus))
        time.sleep(delay)
        process.kill()
        process.communicate(timeout=30)
        assert ids(index_dir) == before, f"killed after {delay} s"
    # SIGTERM (or Ctrl-C): the rebuild is dropped, exit 130.
    process = start_index(index_dir, "--rebuild", "--batch-size", "50", str(corpus))
    time.sleep(1.5)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 130:
        # Stopped while building ("the rebuild was dropped; the index is as it was"), or
        # before the run had started ("Interrupted."): the index is as it was either way.
        assert b"the rebuild was dropped; the index is as it was" in stderr or stderr.startswith(b"Interrupted"), stderr
    assert ids(index_dir) == before
    again = start_index(index_dir, "--rebuild", "--batch-size", "500", "--lock-timeout", "0", str(corpus))
    _, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr.decode()
    assert ids(index_dir) == before
    check_no_orphans(index_dir)


# A killed run's leftovers


@pytest.mark.slow
def test_the_run_after_a_kill_removes_its_leftovers_and_completes(tmp_path):
    corpus = synthetic_corpus(tmp_path / "c.jsonl", 3000)
    index_dir = tmp_path / "ix"
    process = start_index(index_dir, "--batch-size", "100", "--jobs", "2", str(corpus))
    deadline = time.monotonic() + 120
    while count(index_dir) < 300:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.kill()
    process.communicate(timeout=30)
    kept = count(index_dir)
    again = start_index(index_dir, "--batch-size", "100", "--lock-timeout", "0", str(corpus))
    _, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr.decode()
    assert f"{3000 - kept:,} added, 0 updated, {kept:,} unchanged" in stderr.decode()
    assert count(index_dir) == 3000
    check_no_orphans(index_dir)


def test_orphan_segment_files_and_temporary_files_are_removed_by_the_next_run(tmp_path):
    index_dir = tmp_path / "ix"
    with Indexer(index_dir, batch_size=5) as indexer:
        indexer.add_all(articles(0, 10))
    planted = ["MAIN_zzzzorphan1234.trm", "MAIN_zzzzorphan1234._stored.col", "_MAIN_99.toc.1712.5", "searcher.json.tmp"]
    for name in planted:
        (index_dir / name).write_bytes(b"left by a killed run")
    (index_dir / "MAIN.tmp").mkdir()
    (index_dir / ".rebuild-abcdefgh").mkdir()
    (index_dir / ".rebuild-abcdefgh" / "_MAIN_3.toc").write_bytes(b"half a rebuild")
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), "index", "-"], input="")
    assert result.exit_code == 0, result.output
    assert "note: removed the interrupted rebuild .rebuild-abcdefgh" in result.stderr
    assert "note: removed 2 files of segments no commit lists" in result.stderr
    for name in [*planted, "MAIN.tmp", ".rebuild-abcdefgh"]:
        assert not (index_dir / name).exists(), name
    assert count(index_dir) == 10
    check_no_orphans(index_dir)


# Readers during writes


class ReaderLoop(threading.Thread):
    """Opens the archive, searches and counts, again and again, until stopped."""

    def __init__(self, index_dir: Path):
        super().__init__(daemon=True)
        self.index_dir = index_dir
        self.counts: list[int] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                with Archive(self.index_dir) as archive:
                    articles = archive.stats().articles
                    hits = archive.search(SearchRequest("الحكومة", limit=3))
                    assert articles == 0 or hits, "no hits in a non-empty archive"
                    self.counts.append(articles)
            except Exception as exc:  # noqa: BLE001 - every failure is what is measured
                self.errors.append(f"{type(exc).__name__}: {exc}")


def cli_readers(index_dir: Path, stop: threading.Event, results: list):
    """`search stats` and `search query` subprocesses, one after the other, until stopped."""
    command = [sys.executable, "-m", "searcher", "--index-dir", str(index_dir)]
    while not stop.is_set():
        for args in (["stats", "--format", "json"], ["query", "--format", "ids", "الحكومة"]):
            done = subprocess.run([*command, *args], capture_output=True, timeout=60)
            results.append((args[0], done.returncode, done.stdout.decode(), done.stderr.decode()))


def _check_readers(loop: ReaderLoop, cli_results: list, monotone: bool) -> None:
    assert not loop.errors, loop.errors[:3]
    assert len(loop.counts) > 10
    if monotone:
        assert loop.counts == sorted(loop.counts)
    failures = [r for r in cli_results if r[1] != 0 or r[3]]
    assert not failures, failures[:3]
    stats = [json.loads(r[2])["articles"] for r in cli_results if r[0] == "stats"]
    assert stats and (not monotone or stats == sorted(stats))
    return stats


@pytest.mark.slow
def test_readers_never_fail_during_hundreds_of_small_commits(tmp_path):
    corpus = synthetic_corpus(tmp_path / "c.jsonl", 1500)
    index_dir = tmp_path / "ix"
    with Indexer(index_dir) as indexer:
        indexer.add_all(articles(0, 5))
    loop = ReaderLoop(index_dir)
    stop, cli_results = threading.Event(), []
    clis = threading.Thread(target=cli_readers, args=(index_dir, stop, cli_results), daemon=True)
    loop.start()
    clis.start()
    writer = start_index(index_dir, "--batch-size", "5", "--jobs", "1", str(corpus))
    _, stderr = writer.communicate(timeout=300)
    loop.stop.set()
    stop.set()
    loop.join(60)
    clis.join(120)
    assert writer.returncode == 0, stderr.decode()
    _check_readers(loop, cli_results, monotone=True)
    assert loop.counts[-1] == 1505 or count(index_dir) == 1505


@pytest.mark.slow
def test_readers_see_the_old_archive_until_the_swap_of_a_rebuild(tmp_path):
    corpus = synthetic_corpus(tmp_path / "c.jsonl", 2000)
    index_dir = tmp_path / "ix"
    first = start_index(index_dir, "--batch-size", "1000", str(corpus))
    assert first.wait(timeout=120) == 0
    loop = ReaderLoop(index_dir)
    stop, cli_results = threading.Event(), []
    clis = threading.Thread(target=cli_readers, args=(index_dir, stop, cli_results), daemon=True)
    loop.start()
    clis.start()
    writer = start_index(index_dir, "--rebuild", "--batch-size", "20", str(corpus))
    _, stderr = writer.communicate(timeout=300)
    time.sleep(1)
    loop.stop.set()
    stop.set()
    loop.join(60)
    clis.join(120)
    assert writer.returncode == 0, stderr.decode()
    stats = _check_readers(loop, cli_results, monotone=True)
    # The same corpus: never fewer articles, at any moment of the rebuild.
    assert set(loop.counts) == {2000} and set(stats) == {2000}
    check_no_orphans(index_dir)
