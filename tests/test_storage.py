"""Index files are read from memory maps, in place; the faster readers read what Whoosh's read."""

from __future__ import annotations

import mmap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Existence
from whoosh.matching import ReadTooFar

from searcher.indexer import fingerprint, to_document
from searcher.schema import build_schema
from searcher.segments import BLOCK_SIZE, encode_postings
from searcher.storage import (
    BlockMatcher,
    MappedFile,
    MappedStorage,
    create_index,
    open_index,
)

from .conftest import ARTICLES, make_index
from .index_dump import index_contents


def test_files_are_served_from_a_map_not_copied(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"\x00\x00\x00\x07hello\n" + bytes(range(256)))
    (tmp_path / "empty.bin").write_bytes(b"")
    storage = MappedStorage(tmp_path)
    f = storage.open_file("a.bin")
    assert isinstance(f, MappedFile) and isinstance(f.file, mmap.mmap)
    assert f.read_int() == 7 and f.read(5) == b"hello" and f.tell() == 9
    assert f.get(10, 3) == bytes([0, 1, 2])
    assert list(f.get_array(10, "B", 4)) == [0, 1, 2, 3]
    part = f.subset(4, 6)
    assert part.read() == b"hello\n" and part.tell() == 6
    part.seek(0)
    assert part.file.readline() == b"hello\n"
    f.close()
    assert storage.open_file("empty.bin").read() == b""


def test_a_compound_index_written_by_whoosh_reads_the_same(tmp_path):
    """Whoosh's default (compound) segments go through the region reader."""
    ours = make_index(tmp_path / "ours")
    ix = create_index(tmp_path / "whoosh", build_schema())
    with ix.writer() as writer:
        for a in ARTICLES:
            writer.add_document(**to_document(a, fingerprint(a)))
    assert any(name.endswith(".seg") for name in FileStorage(str(tmp_path / "whoosh")).list())
    assert index_contents(tmp_path / "whoosh") == index_contents(ours)


def _postings_file(tmp_path, ids, freqs):
    values = [b""] * len(ids)
    data, _ = encode_postings(ids, freqs, values, None, 0)
    (tmp_path / "p.pst").write_bytes(data)
    return MappedStorage(tmp_path).open_file("p.pst"), len(data)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 5000), min_size=1, max_size=3 * BLOCK_SIZE + 7, unique=True).map(sorted),
    st.lists(st.integers(0, 5100), max_size=20),
)
def test_block_matcher_skips_like_whoosh(tmp_path_factory, ids, targets):
    postfile, length = _postings_file(tmp_path_factory.mktemp("p"), ids, [1 + i % 3 for i in range(len(ids))])
    fast = BlockMatcher(postfile, 0, length, Existence())
    slow = W3LeafMatcher(postfile, 0, length, Existence())
    for target in sorted(targets):
        results = []
        for matcher in (fast, slow):
            try:
                matcher.skip_to(target)
                results.append((matcher.is_active(), matcher.is_active() and matcher.id()))
            except ReadTooFar:
                results.append("too far")
        assert results[0] == results[1]
        if fast.is_active():
            assert fast.weight() == slow.weight()
            fast.next()
            slow.next()
    for matcher in (fast, slow):
        while matcher.is_active():
            matcher.next()


def test_index_opens_with_the_reading_codec_and_commits_whoosh_s(tmp_path):
    index_dir = make_index(tmp_path / "ix")
    ix = open_index(index_dir)
    (segment,) = ix._read_toc().segments
    assert type(segment.codec()).__name__ == "ReadingCodec"
    # The table of contents on disk names only Whoosh's classes.
    toc = (index_dir / "_MAIN_1.toc").read_bytes()
    assert b"searcher.storage" not in toc and b"W3Codec" in toc


@pytest.mark.parametrize("query", ["الباغوز", '"دير الزور"', "=الرياض", "title:النفط"])
def test_queries_find_the_same_through_the_fast_readers(shared_index, query, monkeypatch):
    from whoosh import index as whoosh_index

    from searcher import query as query_module
    from searcher.query import Archive, SearchRequest

    with Archive(shared_index) as archive:
        fast = [(h.id, h.score) for h in archive.search(SearchRequest(query))]
    monkeypatch.setattr(query_module, "open_index", lambda path: whoosh_index.open_dir(str(path)))
    with Archive(shared_index) as archive:
        plain = [(h.id, h.score) for h in archive.search(SearchRequest(query))]
    assert fast == plain and fast
