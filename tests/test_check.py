"""`search check`: a real small index damaged in each way, and found out; the duplicate store reconciled."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from searcher.check import check_index
from searcher.cli import cli
from searcher.dupstore import STORE_FILE, DuplicateStore
from searcher.indexer import WRITE_LOCK, Indexer, fingerprint, to_document
from searcher.meta import META_FILE
from searcher.segments import SegmentBuilder, commit_segments
from searcher.storage import INDEX_NAME

from .conftest import ARTICLES, article
from .syndicated import syndicated_articles

#: The test corpus: seven short articles and the syndicated samples (two duplicate groups).
CORPUS = [*ARTICLES, *syndicated_articles()]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A real index of CORPUS in three segments, with its duplicate store."""
    folder = tmp_path_factory.mktemp("check") / "index"
    with Indexer(folder, batch_size=5, jobs=1) as indexer:
        indexer.add_all(CORPUS)
    return folder


@pytest.fixture()
def index(built, tmp_path) -> Path:
    """A copy of the built index, to damage."""
    return Path(shutil.copytree(built, tmp_path / "index"))


def run_check(index: Path, *args: str):
    return CliRunner().invoke(cli, ["--index-dir", str(index), "check", *args])


def kinds(index: Path, quick: bool = False) -> set[str]:
    return {finding.kind for finding in check_index(index, quick=quick).findings}


def latest_toc(index: Path):
    return TOC.read(FileStorage(str(index)), INDEX_NAME)


def segment_file(index: Path, ext: str) -> Path:
    segment = latest_toc(index).segments[0]
    return index / f"{segment.segment_id()}{ext}"


def test_a_healthy_index_exits_0_and_prints_nothing(index):
    result = run_check(index)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"{len(CORPUS)} articles in 3 segments" in result.stderr
    assert "no problems found (full check" in result.stderr


def test_quick_and_json_on_a_healthy_index(index):
    result = run_check(index, "--quick", "--format", "json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["healthy"] is True and record["quick"] is True
    assert record["articles"] == len(CORPUS) == record["stored"]
    assert record["findings"] == []


def test_no_index_is_an_error(tmp_path):
    result = run_check(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no index at")
    (tmp_path / "empty").mkdir()
    assert run_check(tmp_path / "empty").exit_code == 2


def test_a_missing_version_file_is_found(index):
    (index / META_FILE).unlink()
    result = run_check(index)
    assert result.exit_code == 1
    assert f"{index}/{META_FILE}: version: " in result.stdout


def test_another_version_is_found(index):
    meta = json.loads((index / META_FILE).read_text())
    meta["format_version"] = 1
    (index / META_FILE).write_text(json.dumps(meta))
    assert kinds(index) == {"version"}


def test_a_damaged_table_of_contents_is_found(index):
    toc = next(index.glob("_MAIN_*.toc"))
    toc.write_bytes(b"\x00garbage" * 10)
    result = run_check(index)
    assert result.exit_code == 1
    assert f"{toc.name}: toc: cannot be read" in result.stdout


def test_a_missing_table_of_contents_is_found(index):
    for toc in index.glob("_MAIN_*.toc"):  # the current commit's and the one kept before it
        toc.unlink()
    found = kinds(index)
    assert "toc" in found


def test_a_missing_segment_file_is_found(index):
    postings = segment_file(index, ".pst")
    postings.unlink()
    result = run_check(index, "--quick")
    assert result.exit_code == 1
    assert f"{postings.name}: missing: segment" in result.stdout


def test_damaged_postings_are_found(index):
    postings = segment_file(index, ".pst")
    postings.write_bytes(b"\xff" * postings.stat().st_size)
    result = run_check(index)
    assert result.exit_code == 1
    assert f"{postings.name}: unreadable: " in result.stdout


def test_damaged_stored_text_is_found_by_the_full_read_only(index, monkeypatch):
    from searcher import integrity

    # Files under DIGEST_AT_OPEN have their checksums compared even by --quick: not here.
    monkeypatch.setattr(integrity, "DIGEST_AT_OPEN", 0)
    stored = segment_file(index, "._stored.col")
    data = bytearray(stored.read_bytes())
    data[10 : len(data) // 2] = b"\x00" * (len(data) // 2 - 10)  # the texts; the offsets at the end intact
    stored.write_bytes(bytes(data))
    assert kinds(index, quick=True) == set()
    result = run_check(index)
    assert result.exit_code == 1
    assert f"{stored.name}: unreadable: stored fields cannot be read" in result.stdout


def test_truncated_stored_fields_are_found(index):
    stored = segment_file(index, "._stored.col")
    stored.write_bytes(stored.read_bytes()[: stored.stat().st_size // 3])
    assert kinds(index, quick=True) & {"unreadable", "doc-count"}


def test_document_counts_that_disagree_are_found(index):
    storage = FileStorage(str(index))
    toc = latest_toc(index)
    segment = toc.segments[0]
    segment.set_doc_count(segment.doc_count_all() + 2)
    commit_segments(storage, toc.schema, toc.segments, toc.generation + 1, INDEX_NAME)
    result = run_check(index, "--quick")
    assert result.exit_code == 1
    assert "doc-count: field lengths of 5 documents; the segment has 7" in result.stdout


def test_an_article_stored_twice_is_found(index):
    storage = FileStorage(str(index))
    toc = latest_toc(index)
    builder = SegmentBuilder(storage, toc.schema, INDEX_NAME)
    builder.add(to_document(ARTICLES[0], fingerprint(ARTICLES[0])))
    commit_segments(storage, toc.schema, [*toc.segments, builder.finish()], toc.generation + 1, INDEX_NAME)
    shutil.rmtree(index / "MAIN.tmp", ignore_errors=True)  # the builder's scratch folder (the indexer removes it)
    result = run_check(index, "--quick")
    assert result.exit_code == 1
    assert "doubled: article 'a1' is in the index 2 times" in result.stdout
    assert kinds(index) == {"doubled"}, check_index(index).findings


def test_store_entries_ahead_of_the_index_are_found(index):
    with DuplicateStore.for_writing(index) as store:
        store.add(article("ghost-1", "خبر لم يكتمل", "نص خبر كتب في المخزن ولم يصل إلى الفهرس قبل انقطاع التيار"))
    result = run_check(index, "--quick")
    assert result.exit_code == 1
    assert f"{index}/{STORE_FILE}: store-ahead: 'ghost-1' is in the duplicate store but not in the index" in result.stdout


def test_articles_missing_from_the_store_are_found(index):
    with DuplicateStore.for_writing(index) as store:
        store.remove("a3")
    assert "store-missing: 'a3' is in the index" in run_check(index, "--quick").stdout


def test_a_store_holding_another_version_is_found_by_the_full_check(index):
    with DuplicateStore.for_writing(index) as store:
        store.add(dataclasses.replace(ARTICLES[2], body="ارتفعت أسعار الذهب بعد قرار البنك المركزي رفع الفائدة."))
    assert "store-stale" not in kinds(index, quick=True)
    assert kinds(index) == {"store-stale"}


def test_no_store_and_a_damaged_store_are_found(index):
    (index / STORE_FILE).unlink()
    assert "store: no duplicate store" in run_check(index).stdout
    (index / STORE_FILE).write_bytes(b"SQLite format 3\x00" + b"\x13" * 4000)
    assert kinds(index) == {"store"}


def _group_rows(index: Path) -> dict[int, list[str]]:
    db = sqlite3.connect(index / STORE_FILE)
    groups: dict[int, list[str]] = {}
    for group, article_id in db.execute("SELECT grp, id FROM docs WHERE grp IS NOT NULL ORDER BY id"):
        groups.setdefault(group, []).append(article_id)
    db.close()
    return groups


def test_a_group_of_one_and_copies_apart_are_found(index):
    groups = _group_rows(index)
    pair = next(ids for ids in groups.values() if len(ids) == 2)
    db = sqlite3.connect(index / STORE_FILE)
    db.execute("UPDATE docs SET grp = NULL WHERE id = ?", (pair[0],))
    db.commit()
    db.close()
    out = run_check(index).stdout
    assert "groups: group" in out and "has one article" in out
    assert "are exact copies but not in one group" in out


def test_groups_merged_wrongly_are_found(index):
    groups = _group_rows(index)
    assert len(groups) == 2
    first, second = sorted(groups)
    db = sqlite3.connect(index / STORE_FILE)
    db.execute("UPDATE docs SET grp = ? WHERE grp = ?", (first, second))
    db.commit()
    db.close()
    assert f"group {first} falls apart into 2 groups" in run_check(index).stdout


def test_leftover_files_are_found(index):
    (index / "MAIN_zzzzzzzzzzzzzzzz.pst").write_bytes(b"half a segment")
    (index / "_MAIN_9.toc.1712345678.5").write_bytes(b"half a table")
    (index / "MAIN.tmp").mkdir()
    result = run_check(index, "--quick")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(": orphan: " in line for line in lines)
    assert f"{index}/MAIN.tmp: orphan: a folder" in result.stdout


def test_world_writable_files_are_found(index):
    target = segment_file(index, ".trm")
    os.chmod(target, 0o666)
    result = run_check(index, "--quick")
    assert result.exit_code == 1
    assert f"{target.name}: permissions: the file is writable by every user (mode 0666)" in result.stdout
    os.chmod(index, 0o777)
    assert f"{index}/: permissions: the folder is writable by every user" in run_check(index, "--quick").stdout


def test_an_index_being_written_is_checked_without_the_comparisons_a_commit_changes(index):
    (index / "MAIN_zzzzzzzzzzzzzzzz.pst").write_bytes(b"a segment being written")
    lock = FileStorage(str(index)).lock(WRITE_LOCK)
    assert lock.acquire(blocking=False)
    try:
        result = run_check(index)
    finally:
        lock.release()
    assert result.exit_code == 0
    assert "note: being written by another process" in result.stderr


def test_every_finding_is_one_line_and_json_lists_them(index):
    (index / META_FILE).unlink()
    (index / "MAIN_zzzzzzzzzzzzzzzz.pst").write_bytes(b"x")
    with DuplicateStore.for_writing(index) as store:
        store.remove("a3")
    text = run_check(index)
    assert text.exit_code == 1
    assert len(text.stdout.splitlines()) == 3
    record = json.loads(run_check(index, "--format", "json").stdout)
    assert record["healthy"] is False
    assert [f["kind"] for f in record["findings"]] == ["version", "store-missing", "orphan"]


# The store never ahead of the index: reconciled at the start of the next run.


def test_the_next_run_removes_store_entries_the_index_does_not_hold(index):
    with DuplicateStore.for_writing(index) as store:
        # A copy of a grouped article, in the store only: it links what it copies.
        store.add(dataclasses.replace(syndicated_articles()[0], id="ghost-copy"))
    assert kinds(index, quick=True) == {"store-ahead"}
    with Indexer(index) as indexer:  # another input: nothing of the ghost's
        indexer.add_all([article("new-1", "خبر جديد", "وصل وفد رسمي إلى العاصمة لبحث التعاون الاقتصادي بين البلدين.")])
    assert check_index(index).findings == []


def test_the_next_run_adds_and_resketches_what_the_store_lacks(index):
    with DuplicateStore.for_writing(index) as store:
        store.remove("a3")
        store.add(dataclasses.replace(ARTICLES[3], body="نص آخر تماما لم يعد في الفهرس منذ التحديث الأخير للخبر."))
    assert kinds(index) == {"store-missing", "store-stale"}
    with Indexer(index):
        pass
    assert check_index(index).findings == []


def test_a_run_that_ends_normally_leaves_nothing_to_reconcile(index, monkeypatch):
    calls = []
    original = DuplicateStore.reconcile
    monkeypatch.setattr(DuplicateStore, "reconcile", lambda self, articles: calls.append(1) or original(self, articles))
    with Indexer(index) as indexer:
        indexer.add_all(CORPUS[:3])
    with Indexer(index):
        pass
    assert calls == []


def test_a_run_that_fails_midway_is_reconciled_by_the_next(index, monkeypatch):
    fresh = [article(f"late-{n}", f"خبر {n}", f"تفاصيل الخبر رقم {n} عن افتتاح مشروع جديد للطاقة الشمسية في المنطقة الشرقية.") for n in range(6)]
    with pytest.raises(RuntimeError):
        with Indexer(index, batch_size=100) as indexer:
            for item in fresh:
                indexer.add(item)
            raise RuntimeError("the disk went away")  # the open batch is dropped; the store had its articles
    assert "store-ahead" in kinds(index)
    calls = []
    original = DuplicateStore.reconcile
    monkeypatch.setattr(DuplicateStore, "reconcile", lambda self, articles: calls.append(1) or original(self, articles))
    with Indexer(index):
        pass
    assert calls == [1]
    assert check_index(index).findings == []


def test_a_small_file_whose_checksum_differs_is_found_by_the_quick_check(index):
    stored = segment_file(index, "._stored.col")
    data = bytearray(stored.read_bytes())
    data[10:20] = b"\x00" * 10
    stored.write_bytes(bytes(data))
    result = run_check(index, "--quick")
    assert result.exit_code == 1
    assert f"{stored.name}: unreadable: " in result.stdout and "checksum" in result.stdout
