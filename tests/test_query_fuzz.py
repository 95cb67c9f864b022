"""Random queries never raise a foreign exception and never run long.

Query strings are drawn from an alphabet of Arabic letters and diacritics,
ASCII and Arabic-Indic digits, every operator of the query language, field
names (real and stored-only) and whitespace. Each query runs as the CLI runs
it: the grouped search, "did you mean", and a count. Only the project's own
errors (``SearcherError``) may come out, and each query must finish within a
budget. ``benchmarks/query_fuzz.py`` runs the same queries on the full news
corpora.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.errors import QueryTimeout, SearcherError
from click.testing import CliRunner

from searcher.cli import cli
from searcher.query import Archive, SearchRequest

from .conftest import ARTICLES, make_index, require_corpora

LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة")
DIACRITICS = list("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640\u0670")
DIGITS = list("0123456789٠١٢٣٤٥٦٧٨٩")
OPERATORS = [
    " AND ", " OR ", " NOT ", "AND", "OR", "NOT", "-", "+", '"', "(", ")", "[", "]", "{", "}",
    ":", "^", "*", "?", "~", "=", "<", ">", " TO ", "TO", "^0", "^2", "^-1", "^1e9", "~2", ">=", "<=", "؟", "*?",
]
FIELDS = [
    f"{name}:" for name in (
        "title", "body", "source", "date", "url", "time", "origin", "related",
        "category", "place", "exact", "id", "fingerprint", "source_key",
    )
]
SPACES = [" ", "  ", "\t", "\n", "\u00a0"]
#: Real words of the fixture articles, so some queries find something.
WORDS = ["الباغوز", "الرياض", "النفط", "مئات", "دير", "الزور", "2019", "٢٠١٩", "2019-02", "في", "من", "Reuters"]
TOKENS = LETTERS + DIACRITICS + DIGITS + OPERATORS + FIELDS + SPACES + WORDS


def query_strategy(words=()):
    tokens = st.sampled_from(TOKENS + list(words))
    return st.lists(tokens, min_size=1, max_size=24).map("".join)


def run_like_cli(archive: Archive, text: str, budget: float) -> float:
    """Search, suggest and count as ``search query`` does; the seconds taken.

    Only SearcherError may be raised; anything else fails the test with the query.
    """
    start = time.perf_counter()
    try:
        request = SearchRequest(text, limit=10)
        hits = archive.search_grouped(request)
        archive.suggest(request, forced=len(hits) < 3)
        archive.count(replace(request, fill_with_any=False))
    except QueryTimeout:
        pytest.fail(f"over the time limit: {text!r}")
    except SearcherError:
        pass
    except Exception as error:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(error).__name__} for {text!r}: {error}")
    elapsed = time.perf_counter() - start
    assert elapsed < budget, f"{elapsed:.2f} s for {text!r} (budget {budget} s)"
    return elapsed


#: Seconds per query (searched, suggested and counted). Generous: the machine is shared.
BUDGET = float(os.environ.get("SEARCHER_FUZZ_BUDGET", "2.0"))


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    """The built-in fixture articles: fuzzing runs everywhere."""
    index_dir = make_index(tmp_path_factory.mktemp("fuzz-small") / "index", ARTICLES)
    with Archive(index_dir, time_limit=10 * BUDGET) as archive:
        yield archive


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=query_strategy())
def test_random_queries_raise_only_searcher_errors_on_the_fixture_index(small_archive, text):
    run_like_cli(small_archive, text, BUDGET)


# A few thousand real news articles.

NEWS_ARTICLES = 1500


@pytest.fixture(scope="module")
def news_archive(tmp_path_factory):
    """The first 1,500 articles of each news collection."""
    corpora = require_corpora("ant-news", "saudinewsnet")
    tmp = tmp_path_factory.mktemp("fuzz-news")
    words: set[str] = set()
    corpus = tmp / "news.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for name in ("saudinewsnet", "ant-news"):
            with gzip.open(corpora / name / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
                for line in itertools.islice(lines, NEWS_ARTICLES):
                    out.write(line)
                    words.update((json.loads(line).get("title") or "").split()[:3])
    result = CliRunner().invoke(cli, ["--index-dir", str(tmp / "index"), "index", "-q", str(corpus)])
    assert result.exit_code in (0, 1), result.output  # 1: some empty articles skipped
    with Archive(tmp / "index", time_limit=10 * BUDGET) as archive:
        yield archive, sorted(words)[:300]


@pytest.mark.slow
def test_random_queries_are_fast_and_raise_only_searcher_errors_on_real_news(news_archive):
    archive, words = news_archive

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=query_strategy(words))
    def fuzz(text):
        run_like_cli(archive, text, BUDGET)

    fuzz()


#: The queries of the audit: each was slow or raised a foreign exception.
HOSTILE = [
    "*", "**", "?????", "*:*", "الرياضdate:>2015", "الرياض date:>2015", "date:[2015 TO]", "[ا TO]",
    "ا" * 1000, "ا" * 10_000, "الرياض " * 300, "البغوز " * 300, "url:x", "time:", "origin:", "related:",
    "الرياض^0", "(" * 40 + "الرياض" + ")" * 40, "(" * 5000, "NOT " * 200 + "الرياض", "- " * 200 + "الرياض",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_audited_hostile_queries_on_the_fixture_index(small_archive, text):
    run_like_cli(small_archive, text, BUDGET)


@pytest.mark.slow
@pytest.mark.parametrize("text", HOSTILE)
def test_the_audited_hostile_queries_are_fast_on_real_news(news_archive, text):
    run_like_cli(news_archive[0], text, BUDGET)
