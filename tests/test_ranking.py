"""Exact ranking: a page is exactly its ranks of the full ranking, and filters never score.

The full ranking orders hits by score (or date), ties by article id; every
limit, offset, mode, filter and sort must agree with it (docs: README,
"Ranking"). The real-corpus part indexes 20,000 news articles from
../shared/corpora (skipped where they are absent) and checks the property on
random multi-word queries, and the examples where Whoosh's pruned top-k was
wrong.
"""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.cli import cli
from searcher.function_words import FUNCTION_WORD_FORMS
from searcher.query import Archive, SearchRequest, ranking_order
from searcher.terms import search_form
from searcher.tokenize import iter_words

from .conftest import require_corpora


def key(hits):
    return [(h.rank, h.id, h.score, h.partial) for h in hits]


# The ordering function itself.

entries_strategy = st.lists(
    st.tuples(st.sampled_from([-3.5, -2.0, -1.25, -1.0, 0.0]), st.integers(0, 10_000)),
    unique_by=lambda e: e[1],
    max_size=40,
)


@given(entries_strategy, st.integers(1, 45), st.randoms(use_true_random=False))
def test_ranking_order_is_a_prefix_of_the_full_order(entries, wanted, rng):
    def article_id(docnum):
        return f"id-{docnum * 7919 % 10007:05d}"  # ids in another order than docnums

    full = ranking_order(list(entries), None, article_id)
    assert full == sorted(entries, key=lambda e: (e[0], article_id(e[1])))
    shuffled = list(entries)
    rng.shuffle(shuffled)
    assert ranking_order(shuffled, wanted, article_id) == full[:wanted]


# The small test archive (tests/conftest.py).


def scores(archive, text, **options):
    return {h.id: h.score for h in archive.search(SearchRequest(text, snippets=False, limit=None, **options))}


@pytest.mark.parametrize(
    "text, options",
    [
        ("مئات", {"since": "2019-01-01"}),
        ("مئات", {"until": "2018-12"}),
        ("مئات OR الكتاب", {"sources": ("skynews",)}),
        ("مئات OR الكتاب", {"sources": ("Jawhara FM", "skynews"), "since": "2018"}),
        ("مئات date:2019", {}),
        ("مئات OR الكتاب source:skynews", {}),
        ('مئات OR الكتاب source:"jawhara fm"', {}),
        ("مئات date:[2018-09 TO 2019-02-20]", {}),
    ],
)
def test_filters_select_without_scoring(archive, text, options):
    plain = scores(archive, text.split(" date:")[0].split(" source:")[0])
    filtered = scores(archive, text, **options)
    assert filtered, "the filter should leave some hits"
    assert set(filtered) < set(plain)
    assert filtered == {i: plain[i] for i in filtered}


def test_a_filter_alone_scores_nothing_and_orders_by_id(archive):
    hits = archive.search(SearchRequest("source:skynews OR source:BBC", snippets=False))
    assert [(h.id, h.score) for h in hits] == [("a3", 0.0), ("a4", 0.0), ("a7", 0.0)]


def test_the_library_returns_at_most_limit_hits_when_filling_with_some_words(archive):
    # One article has both words; partial hits fill up to the limit and no further.
    full = archive.search(SearchRequest("الباغوز النفط", limit=None, snippets=False))
    assert len(full) == 3
    for limit in (1, 2, 3):
        hits = archive.search(SearchRequest("الباغوز النفط", limit=limit, snippets=False))
        assert key(hits) == key(full[:limit])
        for offset in range(4):
            page = archive.search(SearchRequest("الباغوز النفط", limit=limit, offset=offset, snippets=False))
            assert key(page) == key(full[offset : offset + limit])


def test_limit_none_is_refused_nowhere_and_zero_is_refused(archive):
    from searcher.errors import QuerySyntaxError

    assert len(archive.search(SearchRequest("مئات", limit=None))) == 3
    with pytest.raises(QuerySyntaxError):
        archive.search(SearchRequest("مئات", limit=0))


# Real news: 20,000 articles.


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    """The first 10,050 articles of each news collection (20,000 after repeated ids), indexed through the CLI."""
    corpora = require_corpora("ant-news", "saudinewsnet")
    tmp = tmp_path_factory.mktemp("news20k")
    corpus = tmp / "news.jsonl"
    titles = []
    with corpus.open("w", encoding="utf-8") as out:
        for name in ("saudinewsnet", "ant-news"):
            with gzip.open(corpora / name / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
                for line in itertools.islice(lines, 10_050):
                    out.write(line)
                    titles.append(json.loads(line).get("title") or "")
    index_dir = tmp / "index"
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), "index", "-q", str(corpus)])
    assert result.exit_code in (0, 1), result.output
    words = sorted(
        {w for t in titles for _, _, w in iter_words(t) if len(w) >= 3 and search_form(w) not in FUNCTION_WORD_FORMS}
    )
    with Archive(index_dir) as archive:
        assert archive.stats().articles >= 20_000
        yield archive, index_dir, words


def check_pages(search, request, page_size):
    """``search`` at every limit and offset agrees with the full ranking."""
    from dataclasses import replace

    full = search(replace(request, limit=None, offset=0))
    assert [h.rank for h in full] == list(range(1, len(full) + 1))
    for limit in (1, 2, 3, 10):
        assert key(search(replace(request, limit=limit, offset=0))) == key(full[:limit])
    pages = []
    for offset in range(0, min(len(full), 5 * page_size) + 1, page_size):
        pages += search(replace(request, limit=page_size, offset=offset))
    head = full[: len(pages)]
    assert key(pages) == key(head)
    assert len({h.id for h in pages}) == len(pages)
    return full


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_page_is_its_ranks_of_the_full_ranking(news, data):
    archive, _, words = news
    size = data.draw(st.integers(2, 4), label="words")
    text = " ".join(data.draw(st.lists(st.sampled_from(words), min_size=size, max_size=size), label="query"))
    mode = data.draw(st.sampled_from(["default", "all", "any"]), label="mode")
    sort = data.draw(st.sampled_from(["relevance", "relevance", "date", "-date"]), label="sort")
    filters = data.draw(
        st.sampled_from([{}, {"since": "2015-06"}, {"until": "2014"}, {"sources": ("alarabia", "BBC")}]),
        label="filters",
    )
    request = SearchRequest(
        text, snippets=False, sort=sort, match_all=mode != "any", fill_with_any=mode == "default", **filters
    )
    page_size = data.draw(st.integers(1, 12), label="page size")
    full = check_pages(archive.search, request, page_size)
    if sort == "relevance":
        # Best first, all-words hits before partial ones (ties by id: see the ranking_order test;
        # scores shown are rounded, so equal shown scores need not be equal scores).
        order = [(h.partial, -h.score) for h in full]
        assert order == sorted(order)
    # Folding re-published copies inherits the order.
    check_pages(archive.search_grouped, request, page_size)


@pytest.mark.slow
@pytest.mark.parametrize("text", ["عاصفة الحزم", "مجلس الأمن", "ولي العهد السعودي"])
@pytest.mark.parametrize("mode", [{"match_all": True, "fill_with_any": False}, {}])
def test_trial_queries_page_exactly(news, text, mode):
    archive, _, _ = news
    full = check_pages(archive.search, SearchRequest(text, snippets=False, **mode), 5)
    assert len(full) >= 20


@pytest.mark.slow
def test_the_best_article_comes_first_at_limit_one(news):
    archive, _, _ = news
    # Whoosh's pruned top 1 was snn-2015-07-21-01377 (32.56); the full ranking's first is:
    first = archive.search(SearchRequest("عاصفة الحزم", limit=1, match_all=True, fill_with_any=False))
    assert [(h.id, h.score) for h in first] == [("snn-2015-07-22-01671", 38.7805)]


@pytest.mark.slow
def test_similar_pages_exactly(news):
    archive, _, _ = news
    seed = archive.search(SearchRequest("عاصفة الحزم", limit=1))[0].id
    full = archive.similar(seed, limit=None, snippets=False, collapse=False)
    assert len(full) >= 30
    for limit in (1, 5, 10):
        assert key(archive.similar(seed, limit=limit, snippets=False, collapse=False)) == key(full[:limit])
    pages = [h for o in range(0, 30, 6) for h in archive.similar(seed, limit=6, offset=o, snippets=False, collapse=False)]
    assert key(pages) == key(full[:30])


@pytest.mark.slow
@pytest.mark.parametrize("text", ["عاصفة الحزم", "مجلس الأمن"])
def test_filters_do_not_change_scores_on_real_news(news, text):
    archive, _, _ = news
    plain = {h.id: h.score for h in archive.search(SearchRequest(text, limit=None, snippets=False))}
    for options in ({"since": "2015-05"}, {"sources": ("alarabia",)}, {"until": "2015-12-31"}):
        filtered = {h.id: h.score for h in archive.search(SearchRequest(text, limit=None, snippets=False, **options))}
        assert filtered and filtered == {i: plain[i] for i in filtered}


@pytest.mark.slow
def test_cli_pages_repeat_and_skip_nothing(news):
    _, index_dir, _ = news
    runner = CliRunner()

    def ids(*options):
        result = runner.invoke(
            cli, ["--index-dir", str(index_dir), "query", "ولي العهد السعودي", "-f", "ids", "--no-collapse", *options]
        )
        assert result.exit_code == 0, result.output
        return result.output.split()

    first, second = ids("--limit", "5"), ids("--limit", "5", "--offset", "5")
    assert not set(first) & set(second)
    assert first + second == ids("--limit", "10") == ids("--limit", "50")[:10]
    for limit in range(1, 6):
        assert ids("--limit", str(limit)) == first[:limit]
