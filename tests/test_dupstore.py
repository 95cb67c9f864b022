"""The duplicate store beside the index: grouping, regrouping, rebuilds, re-runs, interruptions."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from searcher import dupstore
from searcher.dupstore import STORE_FILE, DuplicateStore
from searcher.indexer import Indexer
from searcher.query import Archive

from .conftest import ARTICLES, require_corpora
from .syndicated import edited_copy, sample_articles, syndicated_articles


def groups(store: DuplicateStore) -> list[set[str]]:
    """The store's groups as sets of ids (groups of two or more)."""
    rows = store._db.execute("SELECT grp, id FROM docs WHERE grp IS NOT NULL").fetchall()
    found: dict[int, set[str]] = {}
    for group, article_id in rows:
        found.setdefault(group, set()).add(article_id)
    return sorted(found.values(), key=sorted)


@pytest.fixture()
def store(tmp_path):
    with DuplicateStore.for_writing(tmp_path) as opened:
        yield opened


def test_copies_are_grouped_and_other_articles_are_not(store):
    for article in syndicated_articles():
        store.add(article)
    assert groups(store) == [
        {"sample-001", "wire-001-exact", "wire-001-edited"},
        {"sample-003", "wire-003-exact"},
    ]


def test_grouping_does_not_depend_on_the_order(tmp_path):
    articles = syndicated_articles()
    found = []
    for name, order in (("forward", articles), ("backward", list(reversed(articles)))):
        (tmp_path / name).mkdir()
        with DuplicateStore.for_writing(tmp_path / name) as store:
            for article in order:
                store.add(article)
            found.append(groups(store))
    assert found[0] == found[1]


def test_duplicates_of_gives_similarity_and_exactness(store):
    for article in syndicated_articles():
        store.add(article)
    found = {dup.id: dup for dup in store.duplicates_of("sample-001")}
    assert set(found) == {"wire-001-exact", "wire-001-edited"}
    assert found["wire-001-exact"].exact and found["wire-001-exact"].similarity == 1.0
    assert not found["wire-001-edited"].exact and 0.7 <= found["wire-001-edited"].similarity < 1.0
    assert store.duplicates_of("sample-004") == []
    assert store.duplicates_of("no-such-id") == []


def test_unchanged_articles_are_not_processed_again(store, monkeypatch):
    articles = syndicated_articles()
    for article in articles:
        assert store.add(article) == "added"
    calls = []
    monkeypatch.setattr(dupstore.duplicates, "sketch_body", lambda text: calls.append(text))
    assert {store.add(article) for article in articles} == {"unchanged"}
    assert calls == []


def test_a_changed_article_leaves_its_group_and_the_group_splits(store):
    articles = {a.id: a for a in syndicated_articles()}
    for article in articles.values():
        store.add(article)
    # The original now carries another story: its copies stay together only
    # because they are alike (the edited copy is near the exact one).
    replaced = dataclasses.replace(articles["sample-001"], body=articles["sample-004"].body + " تحديث")
    assert store.add(replaced) == "updated"
    assert groups(store) == [
        {"sample-001", "sample-004"},
        {"sample-003", "wire-003-exact"},
        {"wire-001-edited", "wire-001-exact"},
    ]


def test_removing_a_member_regroups_the_rest(store):
    from searcher import duplicates

    a = sample_articles()[0]
    b = edited_copy(a, "b", "x")
    c = edited_copy(b, "c", "y")
    for article in (a, b, c):
        store.add(article)
    assert groups(store) == [{a.id, "b", "c"}]
    assert store.remove("b")
    a_c = duplicates.similarity(
        duplicates.sketch_body(a.body).signature, duplicates.sketch_body(c.body).signature
    )
    assert groups(store) == ([{a.id, "c"}] if duplicates.is_near_duplicate(a_c) else [])
    assert store.remove(a.id)
    assert groups(store) == []
    assert not store.remove("b")


def test_a_fresh_store_is_empty_and_settings_change_resets_it(tmp_path):
    with DuplicateStore.for_writing(tmp_path) as store:
        for article in syndicated_articles():
            store.add(article)
    with DuplicateStore.for_writing(tmp_path, fresh=True) as store:
        assert store.count() == (0, 0, 0)
        for article in syndicated_articles():
            store.add(article)
    with sqlite3.connect(tmp_path / STORE_FILE) as db:
        db.execute("UPDATE meta SET value = '0.5' WHERE key = 'threshold'")
    with DuplicateStore.for_writing(tmp_path) as store:
        assert store.count() == (0, 0, 0)


def test_reading_an_index_without_a_store(tmp_path):
    assert DuplicateStore.for_reading(tmp_path) is None
    (tmp_path / STORE_FILE).write_bytes(b"not a database")
    # A damaged store is named, not read as "no duplicates" (tests/test_failures.py).
    from searcher.errors import IndexDamaged

    with pytest.raises(IndexDamaged, match="duplicates.sqlite is damaged"):
        DuplicateStore.for_reading(tmp_path)


def test_the_indexer_feeds_the_store_and_rebuild_clears_it(tmp_path):
    index_dir = tmp_path / "index"
    with Indexer(index_dir) as indexer:
        indexer.add_all(syndicated_articles())
    with Archive(index_dir) as archive:
        assert [a.id for a, _, _ in archive.duplicates_of("sample-003")] == ["wire-003-exact"]
    with Indexer(index_dir, rebuild=True) as indexer:
        indexer.add_all(ARTICLES)
    with DuplicateStore.for_reading(index_dir) as store:
        assert store.count()[0] == len(ARTICLES)
        assert store.groups_of(["sample-003", "wire-003-exact"]) == {}


def test_an_interrupted_run_is_made_good_by_the_next(tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    articles = syndicated_articles()
    # A run killed before anything was committed: neither side keeps the articles.
    indexer = Indexer(index_dir)
    for article in articles[:4]:
        indexer.add(article)
    indexer.cancel()
    indexer.duplicates._db.rollback()
    indexer.close()
    # The store may also be ahead of the index (its batch committed, the index's not).
    with DuplicateStore.for_writing(index_dir) as store:
        store.add(articles[-1])
    with Indexer(index_dir) as indexer:
        stats = indexer.add_all(articles)
    assert stats.added == len(articles)
    with Archive(index_dir) as archive:
        assert {a.id for a, _, _ in archive.duplicates_of("sample-001")} == {"wire-001-exact", "wire-001-edited"}


def test_ctrl_c_commits_the_store_with_the_index(tmp_path):
    index_dir = tmp_path / "index"
    articles = syndicated_articles()
    with pytest.raises(KeyboardInterrupt):
        with Indexer(index_dir) as indexer:
            for article in articles:
                indexer.add(article)
            raise KeyboardInterrupt
    with DuplicateStore.for_reading(index_dir) as store:
        assert store.count()[0] == len(articles)
    with Archive(index_dir) as archive:
        assert len(archive.duplicates_of("sample-001")) == 2


def test_members_the_index_lost_are_not_shown(tmp_path):
    index_dir = tmp_path / "index"
    articles = syndicated_articles()
    with Indexer(index_dir) as indexer:
        indexer.add_all([a for a in articles if a.id != "wire-003-exact"])
    with DuplicateStore.for_writing(index_dir) as store:
        store.add(next(a for a in articles if a.id == "wire-003-exact"))
    with Archive(index_dir) as archive:
        assert archive.duplicates_of("sample-003") == []


def test_labelled_pairs_from_the_real_corpora_are_grouped_as_labelled(tmp_path):
    corpora = require_corpora("saudinewsnet")
    import gzip
    import json

    from searcher.models import Article

    from .conftest import REPO

    # A few pairs far from the threshold, each way: the benchmark measures the rest.
    rows = [
        line.split("\t")
        for line in (REPO / "benchmarks" / "duplicate_pairs.tsv").read_text(encoding="utf-8").splitlines()
        if line.startswith("saudinewsnet\t")
    ]
    same = [(a, b) for _, a, b, label in rows if label == "same"][-6:]
    wanted = {i for pair in same for i in pair}
    articles = []
    with gzip.open(corpora / "saudinewsnet" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in wanted:
                articles.append(Article(id=record["id"], title=record["title"] or "", body=record["body"] or ""))
    with DuplicateStore.for_writing(tmp_path) as store:
        for article in articles:
            store.add(article)
        found = store.groups_of(sorted(wanted))
    for a, b in same:
        assert found.get(a) is not None and found.get(a) == found.get(b), (a, b)


def test_search_grouped_pages_over_folded_hits(tmp_path):
    from searcher.query import SearchRequest

    index_dir = tmp_path / "index"
    with Indexer(index_dir) as indexer:
        indexer.add_all(syndicated_articles())
    with Archive(index_dir) as archive:
        # في is in every sample and copy: 8 hits, 5 once the copies are folded.
        every = archive.search_grouped(SearchRequest("في", limit=20))
        plain = archive.search(SearchRequest("في", limit=20))
        pages = [archive.search_grouped(SearchRequest("في", limit=2, offset=o)) for o in (0, 2, 4)]
    assert (len(plain), len(every)) == (8, 5)
    assert [h.id for page in pages for h in page] == [h.id for h in every]
    assert [h.rank for page in pages for h in page] == [1, 2, 3, 4, 5]
    assert all(h.snippet is not None for page in pages for h in page)
    folded = {i for h in every for i in h.similar_ids}
    assert not folded & {h.id for h in every}
    assert {h.id for h in every} | folded == {h.id for h in plain}
