"""SegmentBuilder writes what Whoosh's own writer writes, only faster; commits never
delete a segment another process is still writing."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.indexer import fingerprint, to_document
from searcher.postings import decode_positions
from searcher.schema import build_schema
from searcher.segments import (
    SPILL_POSTINGS,
    SegmentBuilder,
    commit_segments,
    position_lists,
    stale_files,
)
from searcher.storage import create_index, open_index

from .conftest import ARTICLES, article
from .index_dump import index_contents

WORDS = "الحكومة وزير النفط الباغوز دير الزور قسد مسؤول مسئول المعارك الرياض الرياضة سوريا في من".split()


def synthetic_articles(n: int, seed: int = 3):
    """Enough documents for multi-block posting lists, repeated words, missing fields."""
    rng = random.Random(seed)
    for i in range(n):
        yield article(
            f"s{i:04}",
            " ".join(rng.choices(WORDS, k=rng.randint(0, 6))),
            " ".join(rng.choices(WORDS, k=rng.randint(1, 80))),
            f"2019-{1 + i % 12:02}-{1 + i % 28:02}" if i % 5 else None,
            source=rng.choice([None, "skynews", "وكالة الأنباء"]),
            category=rng.choice([None, "sport"]),
        )


def corpus():
    long_body = " ".join(WORDS[i % len(WORDS)] for i in range(70_000))  # positions past 65,535
    return [*ARTICLES, *synthetic_articles(400), article("long", "مقال طويل", long_body)]


def whoosh_index(path, articles, batch):
    ix = create_index(path, build_schema())
    for start in range(0, len(articles), batch):
        with ix.writer() as writer:
            writer.merge = False
            for a in articles[start : start + batch]:
                writer.add_document(**to_document(a, fingerprint(a)))
    return path


def builder_index(path, articles, batch, spill_postings=SPILL_POSTINGS):
    ix = create_index(path, build_schema())
    segments = []
    for generation, start in enumerate(range(0, len(articles), batch), 1):
        builder = SegmentBuilder(ix.storage, ix.schema, spill_postings=spill_postings)
        for a in articles[start : start + batch]:
            builder.add(to_document(a, fingerprint(a)))
        segments.append(builder.finish())
        commit_segments(ix.storage, ix.schema, segments, generation)
    return path


@pytest.mark.parametrize(("batch", "spill"), [(1000, SPILL_POSTINGS), (150, SPILL_POSTINGS), (1000, 700)])
def test_builder_writes_exactly_what_whoosh_writes(tmp_path, batch, spill):
    """Also when the postings go through run files (a low ``spill_postings``)."""
    articles = corpus()
    ours = index_contents(builder_index(tmp_path / "ours", articles, batch, spill))
    theirs = index_contents(whoosh_index(tmp_path / "whoosh", articles, batch))
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == theirs[key], key
    # The data really has what the comparison is meant to cover.
    postings = dict(ours["terms"])
    assert max(len(p) for _, p in postings.values()) > 128  # several blocks
    assert any(w > 1 for _, p in postings.values() for _, w, _ in p)  # repeated words
    long_doc = len(articles) - 1
    (value,) = [v for d, _, v in postings["body", WORDS[1].encode()][1] if d == long_doc]
    assert max(decode_positions(value)) > 65535


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs", "Cf")), max_size=300))
def test_fast_analysis_gives_the_analyzers_terms_and_positions(text):
    field = build_schema()["body"]
    expected = {term: positions for term, positions in _whoosh_positions(field, text)}
    assert position_lists(text) == expected


def _whoosh_positions(field, text):
    for term, _freq, _weight, value in field.format.word_values(text, field.analyzer, mode="index"):
        yield term, decode_positions(value)


def test_an_unlisted_segment_survives_a_commit_and_stale_files_go(tmp_path):
    ix = create_index(tmp_path / "ix", build_schema())
    first = SegmentBuilder(ix.storage, ix.schema)
    first.add(to_document(ARTICLES[0], fingerprint(ARTICLES[0])))
    committed = first.finish()
    # A second segment, finished but not (yet) committed: what a worker is writing.
    second = SegmentBuilder(ix.storage, ix.schema)
    second.add(to_document(ARTICLES[1], fingerprint(ARTICLES[1])))
    pending = second.finish()
    commit_segments(ix.storage, ix.schema, [committed], 1)
    assert pending.list_files(ix.storage)  # still there
    assert set(stale_files(ix.storage, [committed])) == set(pending.list_files(ix.storage))
    commit_segments(ix.storage, ix.schema, [committed], 2, remove=stale_files(ix.storage, [committed]))
    assert pending.list_files(ix.storage) == []
    assert [n for n in ix.storage.list() if n.endswith(".toc")] == ["_MAIN_2.toc"]
    assert open_index(tmp_path / "ix").doc_count() == 1


def test_an_empty_builder_leaves_no_segment(tmp_path):
    ix = create_index(tmp_path / "ix", build_schema())
    assert SegmentBuilder(ix.storage, ix.schema).finish() is None
    assert [n for n in ix.storage.list() if n.startswith("MAIN_")] == []


def test_cancel_deletes_the_files(tmp_path):
    ix = create_index(tmp_path / "ix", build_schema())
    builder = SegmentBuilder(ix.storage, ix.schema)
    builder.add(to_document(ARTICLES[0], fingerprint(ARTICLES[0])))
    builder.cancel()
    assert [n for n in ix.storage.list() if n.startswith("MAIN_")] == []


def test_spilled_runs_are_deleted(tmp_path):
    ix = create_index(tmp_path / "ix", build_schema())
    builder = SegmentBuilder(ix.storage, ix.schema, spill_postings=50)
    for a in synthetic_articles(30):
        builder.add(to_document(a, fingerprint(a)))
    assert len(builder._runs) > 3
    builder.finish()
    assert not list((tmp_path / "ix" / "MAIN.tmp").glob("*.run"))
