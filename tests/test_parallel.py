"""Indexing with worker processes: the same index and the same answers as one process,
and the same promises when interrupted, killed or fed bad data."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import time

import pytest

from searcher.indexer import Indexer
from searcher.models import Article
from searcher.parallel import choose_jobs, default_jobs
from searcher.query import Archive, SearchRequest

from .conftest import ARTICLES
from .index_dump import index_contents
from .test_robustness import (
    BATCH,
    check_interrupted,
    check_next_run_completes,
    count,
    start_index,
    synthetic_corpus,
    wait_for_count,
)
from .test_segments import synthetic_articles

QUERIES = ["الباغوز", "دير الزور", '"دير الزور"', "=الرياض", "قسد OR النفط", "وزير -سوريا", "مسؤول", "source:skynews"]


def build(index_dir, articles, jobs, **options):
    with Indexer(index_dir, batch_size=70, jobs=jobs, **options) as indexer:
        indexer.add_all(articles)
    return indexer.stats


def answers(index_dir):
    with Archive(index_dir) as archive:
        return {
            q: [(h.id, h.score, h.snippet) for h in archive.search(SearchRequest(q, limit=50))] for q in QUERIES
        }


def test_two_jobs_build_the_same_index_and_answer_the_same(tmp_path):
    articles = [*ARTICLES, *synthetic_articles(300)]
    stats = {jobs: build(tmp_path / f"j{jobs}", articles, jobs) for jobs in (1, 2)}
    assert stats[1].added == stats[2].added == len(articles)
    assert index_contents(tmp_path / "j1") == index_contents(tmp_path / "j2")
    assert answers(tmp_path / "j1") == answers(tmp_path / "j2")

    # A second run: some articles edited (replaced), some new, the rest unchanged.
    edited = [dataclasses.replace(a, body=a.body + " خبر عاجل عن الباغوز") for a in articles[5:60]]
    again = [*edited, *synthetic_articles(40, seed=9), *articles[100:200]]
    again = [dataclasses.replace(a, id=f"n{i}") if a.id.startswith("s") and i >= 55 and i < 95 else a
             for i, a in enumerate(again)]
    rerun = {jobs: build(tmp_path / f"j{jobs}", again, jobs) for jobs in (1, 2)}
    assert (rerun[1].added, rerun[1].updated, rerun[1].unchanged) == (40, 55, 100)
    assert (rerun[2].added, rerun[2].updated, rerun[2].unchanged) == (40, 55, 100)
    contents = index_contents(tmp_path / "j1")
    assert contents == index_contents(tmp_path / "j2")
    assert len(contents["deleted"]) == 55
    assert answers(tmp_path / "j1") == answers(tmp_path / "j2")


def test_an_article_a_worker_cannot_analyse_costs_only_itself(tmp_path):
    broken = Article(id="broken", title=12345, body="نص", origin="feed.jsonl:5")  # not text: analysis fails
    problems = []
    with Indexer(tmp_path / "ix", batch_size=3, jobs=2, on_problem=problems.append) as indexer:
        stats = indexer.add_all([*ARTICLES[:3], ARTICLES[3], broken, ARTICLES[4]])
    assert count(tmp_path / "ix") == 5
    assert (stats.added, stats.skipped) == (5, 1)
    assert [p.location for p in problems] == ["feed.jsonl:5"]
    assert problems[0].message.startswith("cannot index (")
    assert not (tmp_path / "ix" / "MAIN.tmp").exists()


def test_default_jobs_is_the_cores_except_for_small_inputs():
    assert default_jobs() >= 1
    assert choose_jobs(None, None) == default_jobs()
    assert choose_jobs(None, 10) == 1
    assert choose_jobs(2, 10) == 2


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc to find the workers")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT], ids=["KILL", "INT"])
def test_interrupted_parallel_run_keeps_whole_batches_and_the_next_run_completes(tmp_path, signum):
    total = 3000
    corpus = synthetic_corpus(tmp_path / "c.jsonl", total)
    index_dir = tmp_path / "ix"
    # Its own session: Ctrl-C on a terminal signals the whole process group, workers too.
    process = start_index(index_dir, "--jobs", "2", "--batch-size", str(BATCH), str(corpus), start_new_session=True)
    wait_for_count(index_dir, 2 * BATCH, process)
    workers = _children(process.pid)
    assert workers, "no worker processes"
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)

    kept = check_interrupted(process, stderr, index_dir, signum, total)
    if signum != signal.SIGKILL:
        # Everything read is committed, the last batch too, however far its worker had got.
        added = re.search(r"([\d,]+) added", stderr.decode()).group(1)
        assert kept == int(added.replace(",", ""))
    # Workers never outlive the indexing process, even a killed one.
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)

    check_next_run_completes(index_dir, corpus, total, kept, "--jobs", "2")
    # The current table of contents and the previous one (kept for readers and as a fall back), no other.
    tocs = sorted(int(n.split("_")[2][:-4]) for n in os.listdir(index_dir) if n.endswith(".toc"))
    assert len(tocs) == 2 and f"_MAIN_{tocs[-1]}.toc" == _current_toc(index_dir)


def _current_toc(index_dir) -> str:
    return max((n for n in os.listdir(index_dir) if n.endswith(".toc")), key=lambda n: int(n.split("_")[2][:-4]))


def test_a_worker_that_dies_fails_its_batch_not_silently(tmp_path):
    articles = list(synthetic_articles(30))
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        with Indexer(tmp_path / "ix", batch_size=10, jobs=2) as indexer:
            indexer.add_all(articles[:10])  # committed
            indexer.add(articles[10])
            worker = indexer._builds._workers[0].process
            os.kill(worker.pid, signal.SIGKILL)
            worker.join(timeout=10)
            indexer.add_all(articles[11:])
    assert count(tmp_path / "ix") in (10, 20)  # whole batches: the dead worker's is lost
