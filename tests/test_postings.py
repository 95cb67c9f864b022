"""Positions in two bytes (four past 65,535 words): round trips, phrases, and the pickled schema."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from searcher.postings import (
    CompactPositions,
    decode_positions,
    encode_positions,
    position_count,
)
from searcher.query import Archive, SearchRequest
from searcher.schema import build_schema

from .conftest import article, make_index


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=50, unique=True).map(sorted))
def test_positions_round_trip(positions):
    value = encode_positions(positions)
    assert decode_positions(value) == positions
    assert position_count(value) == len(positions)
    fmt = CompactPositions()
    assert fmt.decode_frequency(value) == len(positions)
    assert fmt.decode_as("positions", value) == positions


def test_a_one_word_posting_takes_two_bytes():
    assert len(encode_positions([1234])) == 2
    assert len(encode_positions([70_000])) == 5


def test_the_schema_records_the_format_and_survives_pickling():
    schema = pickle.loads(pickle.dumps(build_schema()))
    for name in ("title", "body", "source", "category", "place"):
        assert type(schema[name].format) is CompactPositions, name
        assert schema[name].format.supports("positions")


def test_phrases_match_across_the_16_bit_boundary(tmp_path):
    filler = " ".join(["كلام"] * 65_534)
    long_one = article("long", "مقال طويل", f"{filler} دير الزور نهاية")
    short = article("short", "خبر قصير", "عاد النازحون إلى دير الزور أمس")
    apart = article("apart", "خبر آخر", "الزور ثم دير")
    index_dir = make_index(tmp_path / "ix", [long_one, short, apart])
    with Archive(index_dir) as archive:
        hits = archive.search(SearchRequest('"دير الزور"', limit=10, snippets=False))
    assert sorted(h.id for h in hits if not getattr(h, "partial", False)) == ["long", "short"]
