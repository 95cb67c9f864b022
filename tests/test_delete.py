"""Deleting articles by id: the library (Indexer.delete) and `search delete`, with duplicate groups."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.check import check_index
from searcher.errors import ArticleNotFound
from searcher.indexer import Indexer, _live_articles
from searcher.query import Archive, SearchRequest
from searcher.storage import open_index

from .conftest import ARTICLES, REPO, make_index, search, write_jsonl
from .syndicated import syndicated_articles

ALL = ARTICLES + syndicated_articles()
#: Ids a shell or an option parser would trip over.
AWKWARD = [
    dataclasses.replace(ARTICLES[2], id="تقرير النفط ٢٠١٨"),
    dataclasses.replace(ARTICLES[3], id="--help"),
    dataclasses.replace(ARTICLES[4], id="it's \"quoted\""),
]


def ids_of(index_dir) -> set[str]:
    """The ids of every article the index holds."""
    with open_index(index_dir).searcher() as searcher:
        return {article_id for article_id, _ in _live_articles(searcher)}


def assert_healthy(index_dir) -> None:
    report = check_index(index_dir)
    assert report.healthy, [finding.line(index_dir) for finding in report.findings]


# The library


def test_delete_takes_articles_out_of_every_read(tmp_path):
    index_dir = make_index(tmp_path / "index")
    with Indexer(index_dir) as indexer:
        deleted, not_found = indexer.delete(["a1", "nope", "a3", "a1"])
    assert (deleted, not_found) == (["a1", "a3"], ["nope"])
    assert indexer.stats.deleted == 2
    assert ids_of(index_dir) == {a.id for a in ARTICLES} - {"a1", "a3"}
    with Archive(index_dir) as archive:
        assert [hit.id for hit in archive.search(SearchRequest("الباغوز"))] == ["a2"]
        assert archive.search(SearchRequest("النفط")) == []
        with pytest.raises(ArticleNotFound):
            archive.get("a1")
        assert archive.stats().articles == len(ARTICLES) - 2
    assert_healthy(index_dir)


def test_deletes_and_adds_in_one_run(tmp_path):
    index_dir = make_index(tmp_path / "index")
    a1 = ARTICLES[0]
    new = dataclasses.replace(ARTICLES[2], id="n1", title="مقال جديد عن النفط")
    with Indexer(index_dir) as indexer:
        assert indexer.delete(["a1", "a3"]) == (["a1", "a3"], [])
        indexer.add(new)
        assert indexer.add(a1) == "added"  # deleted, then added again: new
        with pytest.raises(ValueError, match="added in this run"):
            indexer.delete(["n1"])
    assert (indexer.stats.added, indexer.stats.deleted) == (2, 2)
    assert ids_of(index_dir) == {a.id for a in ARTICLES} - {"a3"} | {"n1"}
    with Archive(index_dir) as archive:
        assert archive.get("a1").title == a1.title
    assert_healthy(index_dir)


def test_a_run_that_fails_keeps_the_articles_and_the_store_consistent(tmp_path):
    index_dir = make_index(tmp_path / "index", syndicated_articles())
    with pytest.raises(RuntimeError):
        with Indexer(index_dir) as indexer:
            indexer.delete(["wire-003-exact"])
            raise RuntimeError("stop")
    with Archive(index_dir) as archive:
        assert archive.get("wire-003-exact")
        assert [a.id for a, _, _ in archive.duplicates_of("sample-003")] == ["wire-003-exact"]
    assert_healthy(index_dir)


def test_deleting_a_copy_splits_its_group_and_reindexing_brings_it_back(tmp_path):
    articles = syndicated_articles()
    index_dir = make_index(tmp_path / "index", articles)
    with Indexer(index_dir) as indexer:
        indexer.delete(["wire-003-exact", "wire-001-exact"])
    with Archive(index_dir) as archive:
        assert archive.duplicates_of("sample-003") == []
        assert [a.id for a, _, _ in archive.duplicates_of("sample-001")] == ["wire-001-edited"]
    assert_healthy(index_dir)
    with Indexer(index_dir) as indexer:
        stats = indexer.add_all(articles)
    assert (stats.added, stats.unchanged) == (2, len(articles) - 2)
    with Archive(index_dir) as archive:
        assert [a.id for a, _, _ in archive.duplicates_of("sample-003")] == ["wire-003-exact"]
    assert_healthy(index_dir)


def test_a_rebuild_has_nothing_to_delete(tmp_path):
    index_dir = make_index(tmp_path / "index")
    with Indexer(index_dir, rebuild=True) as indexer:
        assert indexer.delete(["a1"]) == ([], ["a1"])
        indexer.add_all(ARTICLES)
    assert "a1" in ids_of(index_dir)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    chosen=st.lists(st.sampled_from([a.id for a in ARTICLES]), max_size=len(ARTICLES)),
    unknown=st.lists(st.text(min_size=1, max_size=8).filter(lambda s: s not in {a.id for a in ARTICLES}), max_size=3),
)
def test_exactly_the_deleted_ids_are_gone(tmp_path_factory, chosen, unknown):
    index_dir = make_index(tmp_path_factory.mktemp("prop") / "index")
    with Indexer(index_dir) as indexer:
        deleted, not_found = indexer.delete(chosen + unknown)
    assert deleted == list(dict.fromkeys(chosen))
    assert not_found == unknown
    assert ids_of(index_dir) == {a.id for a in ARTICLES} - set(chosen)
    assert_healthy(index_dir)


# The command line


@pytest.fixture()
def indexed(tmp_path, runner):
    """The test articles, re-published copies and awkward ids, indexed through the CLI."""
    corpus = write_jsonl(tmp_path / "articles.jsonl", ALL + AWKWARD)
    index_dir = tmp_path / "index"
    result = search(runner, index_dir, "index", str(corpus))
    assert result.exit_code == 0, result.output
    return index_dir, corpus


def test_delete_by_id_on_the_command_line(indexed, runner):
    index_dir, _ = indexed
    before = json.loads(search(runner, index_dir, "stats", "-f", "json").stdout)["articles"]
    result = search(runner, index_dir, "delete", "a1", "a2")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "deleted 2 articles\n"
    assert json.loads(search(runner, index_dir, "stats", "-f", "json").stdout)["articles"] == before - 2
    hits = search(runner, index_dir, "query", "الباغوز", "-f", "ids", "--no-collapse").stdout.split()
    assert len(hits) == 6 - 2 and not {"a1", "a2"} & set(hits)
    shown = search(runner, index_dir, "show", "a1")
    assert shown.exit_code == 2 and "a1" in shown.stderr
    facets = search(runner, index_dir, "query", "الباغوز", "--facet", "year", "-f", "jsonl").stdout.splitlines()
    assert {"facet": "year", "value": "2019", "count": len(hits)} in [json.loads(line) for line in facets]
    timeline = search(runner, index_dir, "timeline", "الباغوز", "--by", "year", "-f", "jsonl").stdout
    assert json.loads(timeline) == {"period": "2019", "count": len(hits)}
    assert "a2" not in search(runner, index_dir, "similar", "sample-001", "-f", "ids").stdout.split()
    assert search(runner, index_dir, "check").exit_code == 0


def test_ids_not_found_exit_1_and_are_named(indexed, runner):
    index_dir, _ = indexed
    result = search(runner, index_dir, "delete", "a1", "لا يوجد", "nope")
    assert result.exit_code == 1
    assert result.stderr == "deleted 1 article; 2 ids not found: 'لا يوجد', nope\n"
    again = search(runner, index_dir, "delete", "-q", "a1")
    assert (again.exit_code, again.stderr) == (1, "deleted 0 articles; 1 id not found: a1\n")
    quiet = search(runner, index_dir, "delete", "-q", "a2")
    assert (quiet.exit_code, quiet.output) == (0, "")


def test_awkward_ids_from_stdin_and_after_double_dash(indexed, runner):
    index_dir, _ = indexed
    lines = search(runner, index_dir, "delete", "-", input="تقرير النفط ٢٠١٨\r\n\n--help\n")
    assert (lines.exit_code, lines.stderr) == (0, "deleted 2 articles\n")
    nul = search(runner, index_dir, "delete", "-0", "-", input="it's \"quoted\"\0a1\0")
    assert (nul.exit_code, nul.stderr) == (0, "deleted 2 articles\n")
    assert not {a.id for a in AWKWARD} & ids_of(index_dir)
    result = search(runner, index_dir, "delete", "--", "--help")
    assert result.exit_code == 1 and "1 id not found: --help" in result.stderr


def test_delete_refuses_bad_use(indexed, runner, tmp_path):
    index_dir, _ = indexed
    empty = search(runner, index_dir, "delete", "-", input="\n\n")
    assert (empty.exit_code, empty.stderr) == (1, "No ids on standard input.\n")
    for args in (["delete"], ["delete", "-0", "a1"], ["delete", "-", "a1"]):
        result = search(runner, index_dir, *args)
        assert result.exit_code == 2 and "Traceback" not in result.output, args
    bad = search(runner, index_dir, "delete", "-", input=b"a1\n\xff\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: standard input line 2")
    assert "a1" in ids_of(index_dir)  # nothing deleted on bad input
    missing = search(runner, tmp_path / "none", "delete", "a1")
    assert missing.exit_code == 2 and missing.stderr.startswith("Error: no index at")
    assert not (tmp_path / "none").exists()


def test_a_locked_index_is_an_error(indexed, runner):
    index_dir, _ = indexed
    with Indexer(index_dir):
        result = search(runner, index_dir, "delete", "--lock-timeout", "0", "a1")
    assert result.exit_code == 2 and "being written by another process" in result.stderr
    assert "a1" in ids_of(index_dir)


def test_a_deleted_copy_leaves_its_group_and_a_rerun_adds_it_again(indexed, runner):
    index_dir, corpus = indexed
    query = "حملة تلقيح ضد الحصبة"
    assert "(+1 similar)" in search(runner, index_dir, "query", query).stdout
    assert search(runner, index_dir, "delete", "wire-003-exact").exit_code == 0
    assert "similar)" not in search(runner, index_dir, "query", query).stdout
    assert search(runner, index_dir, "show", "sample-003", "--dupes").exit_code == 1
    assert search(runner, index_dir, "check").exit_code == 0
    rerun = search(runner, index_dir, "index", str(corpus))
    assert rerun.exit_code == 0 and "1 added, 0 updated" in rerun.stderr
    assert "(+1 similar)" in search(runner, index_dir, "query", query).stdout
    assert search(runner, index_dir, "check").exit_code == 0


def test_query_ids_piped_into_delete_in_real_processes(indexed):
    index_dir, _ = indexed
    script = REPO / ".venv" / "bin" / "search"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "searcher"]
    env = {**os.environ, "PYTHONUTF8": "1"}
    shell = shutil.which("sh")
    assert shell
    pipeline = (
        f"{' '.join(map(_quote, command))} --index-dir {_quote(str(index_dir))} query النفط -f ids -0 | "
        f"{' '.join(map(_quote, command))} --index-dir {_quote(str(index_dir))} delete - -0"
    )
    done = subprocess.run([shell, "-c", pipeline], capture_output=True, text=True, encoding="utf-8", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "deleted 2 articles\n"
    assert not {"a3", "تقرير النفط ٢٠١٨"} & ids_of(index_dir)
    again = subprocess.run(
        [*command, "--index-dir", str(index_dir), "query", "النفط", "-f", "ids"], capture_output=True, env=env
    )
    assert (again.returncode, again.stdout) == (1, b"")


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
