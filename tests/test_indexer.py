"""Indexing: added / updated / unchanged, no duplicates, rebuild, batches, interruption."""

from __future__ import annotations

import dataclasses

import pytest

from searcher.indexer import Indexer, fingerprint
from searcher.query import Archive, SearchRequest

from .conftest import ARTICLES, make_index


def count(index_dir) -> int:
    with Archive(index_dir) as archive:
        return archive.stats().articles


def run(index_dir, articles, **options):
    problems = []
    with Indexer(index_dir, on_problem=problems.append, **options) as indexer:
        indexer.add_all(articles)
    return indexer.stats, problems


def test_first_run_adds_everything(tmp_path):
    stats, problems = run(tmp_path / "ix", ARTICLES)
    assert (stats.added, stats.updated, stats.unchanged, stats.skipped) == (len(ARTICLES), 0, 0, 0)
    assert problems == []
    assert count(tmp_path / "ix") == len(ARTICLES)


def test_rerun_on_same_input_changes_nothing(tmp_path):
    make_index(tmp_path / "ix")
    stats, _ = run(tmp_path / "ix", ARTICLES)
    assert (stats.added, stats.updated, stats.unchanged) == (0, 0, len(ARTICLES))
    assert count(tmp_path / "ix") == len(ARTICLES)


def test_changed_article_is_replaced_not_duplicated(tmp_path):
    make_index(tmp_path / "ix")
    edited = dataclasses.replace(ARTICLES[2], body="انخفضت أسعار الذهب في الأسواق.")
    stats, _ = run(tmp_path / "ix", [edited, *ARTICLES[3:]])
    assert (stats.added, stats.updated, stats.unchanged) == (0, 1, len(ARTICLES) - 3)
    assert count(tmp_path / "ix") == len(ARTICLES)
    with Archive(tmp_path / "ix") as archive:
        assert [h.id for h in archive.search(SearchRequest("الذهب"))] == ["a3"]
        assert archive.search(SearchRequest("أوبك")) == []


def test_reverting_an_edit_is_an_update_again(tmp_path):
    # The old version's fingerprint stays in deleted postings; it must not count as live.
    make_index(tmp_path / "ix")
    edited = dataclasses.replace(ARTICLES[0], title="عنوان آخر")
    run(tmp_path / "ix", [edited])
    stats, _ = run(tmp_path / "ix", [ARTICLES[0]])
    assert (stats.updated, stats.unchanged) == (1, 0)
    assert count(tmp_path / "ix") == len(ARTICLES)


def test_new_article_is_added_beside_the_old_ones(tmp_path):
    make_index(tmp_path / "ix", ARTICLES[:3])
    stats, _ = run(tmp_path / "ix", ARTICLES)
    assert (stats.added, stats.unchanged) == (len(ARTICLES) - 3, 3)


def test_rebuild_starts_from_empty(tmp_path):
    make_index(tmp_path / "ix")
    stats, _ = run(tmp_path / "ix", ARTICLES[:2], rebuild=True)
    assert stats.added == 2
    assert count(tmp_path / "ix") == 2


def test_repeated_id_in_one_run_is_skipped_and_reported(tmp_path):
    twin = dataclasses.replace(ARTICLES[1], id=ARTICLES[0].id, origin="b.jsonl:7")
    stats, problems = run(tmp_path / "ix", [ARTICLES[0], twin])
    assert (stats.added, stats.skipped) == (1, 1)
    assert stats.skip_reasons == {"duplicate id": 1}
    assert [str(p) for p in problems] == ["b.jsonl:7: duplicate id (a1 first read at a1)"]


def test_small_batches_give_the_same_index(tmp_path):
    stats, _ = run(tmp_path / "ix", ARTICLES, batch_size=2)
    assert stats.added == len(ARTICLES)
    assert count(tmp_path / "ix") == len(ARTICLES)


def test_interrupted_run_keeps_what_it_read(tmp_path):
    def articles_then_ctrl_c():
        yield from ARTICLES[:4]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with Indexer(tmp_path / "ix", batch_size=3) as indexer:
            indexer.add_all(articles_then_ctrl_c())
    assert count(tmp_path / "ix") == 4
    stats, _ = run(tmp_path / "ix", ARTICLES)
    assert (stats.added, stats.unchanged) == (len(ARTICLES) - 4, 4)


def test_a_failing_batch_is_cancelled_but_earlier_batches_stay(tmp_path):
    def articles_then_bug():
        yield from ARTICLES[:4]
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        with Indexer(tmp_path / "ix", batch_size=3) as indexer:
            indexer.add_all(articles_then_bug())
    assert count(tmp_path / "ix") == 3


def test_fingerprint_sees_every_stored_field():
    base = ARTICLES[0]
    changes = dict(title="x", body="x", source="x", category="x", url="x", place="x", time="x", related=("x",))
    for name, value in changes.items():
        assert fingerprint(dataclasses.replace(base, **{name: value})) != fingerprint(base), name
    assert fingerprint(dataclasses.replace(base, origin="elsewhere.txt")) == fingerprint(base)


def test_an_index_in_the_previous_format_asks_for_a_rebuild(tmp_path):
    import json

    from searcher.errors import IndexVersionMismatch
    from searcher.meta import META_FILE

    index_dir = make_index(tmp_path / "ix")
    meta_path = index_dir / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["format_version"]  # what versions before the format number wrote
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch, match="format v1"):
        Archive(index_dir)
    with pytest.raises(IndexVersionMismatch):
        Indexer(index_dir)
    stats, _ = run(index_dir, ARTICLES, rebuild=True)
    assert stats.added == len(ARTICLES) and count(index_dir) == len(ARTICLES)
