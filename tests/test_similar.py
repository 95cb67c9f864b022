"""Similar articles: key terms (pure) and neighbours from an index, without the article's copies."""

from __future__ import annotations

from collections import Counter

import pytest

from searcher.errors import ArticleNotFound
from searcher.query import Archive
from searcher.similar import key_terms

from .conftest import ARTICLES, make_index
from .syndicated import syndicated_articles


def test_key_terms_skip_function_words_unique_and_common_words():
    counts = Counter({"باغوز": 3, "في": 9, "قسد": 1, "زور": 2, "هجين": 1, "2019": 4})
    df = {"باغوز": 12, "في": 990, "قسد": 40, "زور": 80, "هجين": 1, "2019": 50}
    terms = key_terms(counts, df.get, 1000, skip={"في"})
    assert [t for t, _ in terms] == ["باغوز", "زور", "قسد"]
    assert terms[0][1] == 1.0 and all(0 < w <= 1 for _, w in terms)
    assert key_terms(Counter(), df.get, 1000) == []


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return make_index(tmp_path_factory.mktemp("similar") / "index", ARTICLES + syndicated_articles())


def test_similar_leaves_out_the_article_and_its_copies(index):
    with Archive(index) as archive:
        hits = archive.similar("sample-001")
    ids = [h.id for h in hits]
    assert "sample-001" not in ids
    assert not {"wire-001-exact", "wire-001-edited"} & set(ids)
    # Other reports from rural Deir ez-Zor come first.
    assert ids[0] in {"sample-004", "sample-002"}
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_similar_folds_copies_among_the_neighbours(index):
    group = {"sample-001", "wire-001-exact", "wire-001-edited"}
    with Archive(index) as archive:
        # Every article that finds the copies of sample-001 shows them as one hit.
        seeds = [a.id for a in ARTICLES + syndicated_articles() if a.id not in group]
        finding = [s for s in seeds if group <= {h.id for h in archive.similar(s, limit=20, collapse=False)}]
        assert finding
        for seed in finding:
            folded = archive.similar(seed, limit=20)
            (grouped,) = [h for h in folded if h.id in group]
            assert set(grouped.similar_ids) == group - {grouped.id}


def test_similar_marks_key_terms_in_the_passage(index):
    with Archive(index) as archive:
        (first,) = archive.similar("sample-001", limit=1)
        (bare,) = archive.similar("sample-001", limit=1, snippets=False)
    assert first.snippet.spans
    assert bare.snippet is None


def test_similar_pages_and_unknown_ids(index):
    with Archive(index) as archive:
        everything = archive.similar("sample-001", limit=20)
        second = archive.similar("sample-001", limit=2, offset=2)
        with pytest.raises(ArticleNotFound):
            archive.similar("no-such-article")
    assert [h.id for h in second] == [h.id for h in everything[2:4]]
