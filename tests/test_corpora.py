"""Real Arabic data nobody on this project wrote (../shared/corpora, beside the repository).

Each test reads a slice of a collection in place, indexes it through the CLI and
checks what a user would: spelling variants meet, highlights land on the
original words. Skipped where the corpora are absent (a fresh clone).
"""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from click.testing import CliRunner

from searcher.cli import cli
from searcher.normalise import normalise, strip_diacritics
from searcher.query import Archive, SearchRequest
from searcher.terms import search_form

from .conftest import require_corpora


def first_records(path, n):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in itertools.islice(lines, n)]


def write_slice(records, path):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def news_index(tmp_path_factory):
    """The first 1,000 articles of each news collection, indexed through the CLI."""
    corpora = require_corpora("ant-news", "saudinewsnet")
    tmp = tmp_path_factory.mktemp("news")
    records = first_records(corpora / "ant-news" / "articles.jsonl.gz", 1000)
    records += first_records(corpora / "saudinewsnet" / "articles.jsonl.gz", 1000)
    corpus = write_slice(records, tmp / "news.jsonl")
    index_dir = tmp / "index"
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), "index", "-q", str(corpus)])
    # Articles with neither title nor body are left out as empty, which is no loss (exit 0).
    empty = sum(1 for r in records if not (r["title"] or "").strip() and not r["body"].strip())
    assert result.exit_code == 0, result.output
    assert result.stderr.count("empty article (nothing to index)") == min(empty, 5)
    return index_dir, records, empty


def test_every_article_is_indexed_once(news_index):
    index_dir, records, empty = news_index
    with Archive(index_dir) as archive:
        stats = archive.stats()
    assert stats.articles == len(records) - empty
    assert dict(stats.sources).keys() == {r["source"] for r in records if r["source"]}


def test_rerun_over_real_news_changes_nothing(news_index, tmp_path):
    index_dir, records, empty = news_index
    corpus = write_slice(records, tmp_path / "again.jsonl")
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), "index", str(corpus)])
    assert f"0 added, 0 updated, {len(records) - empty:,} unchanged" in result.stderr


def test_vocalised_words_in_real_articles_are_found_without_diacritics(news_index):
    index_dir, records, _ = news_index
    # Vocalised words as journalists wrote them, e.g. "تُعدّ"; search each bare.
    vocalised = []
    for record in records:
        for word in record["body"].split():
            word = word.strip('.,،:؛"«»()')
            if len(word) >= 5 and strip_diacritics(word) != word and word.isalpha() is False:
                vocalised.append((record["id"], word))
    assert len(vocalised) > 50
    with Archive(index_dir) as archive:
        for doc_id, word in vocalised[:: max(1, len(vocalised) // 40)]:
            bare = strip_diacritics(word)
            hits = archive.search(SearchRequest(f'="{bare}"', limit=1000, snippets=False))
            assert doc_id in {h.id for h in hits}, (word, bare)


def test_hamza_and_ta_marbuta_variants_find_the_same_articles(news_index):
    index_dir, _, _ = news_index
    with Archive(index_dir) as archive:
        def found(q):
            return {h.id for h in archive.search(SearchRequest(q, limit=1000, snippets=False))}

        assert found("الأمم المتحدة") == found("الامم المتحده") != set()
        assert found("مسؤول") == found("مسئول") != set()
        assert found("السعودية") == found("السعوديه") == found("بالسعودية") != set()


def test_snippets_highlight_the_original_words(news_index):
    index_dir, _, _ = news_index
    with Archive(index_dir) as archive:
        hits = archive.search(SearchRequest("الحكومة", limit=20))
    assert len(hits) == 20
    target = search_form("الحكومة")
    for hit in hits:
        marked = [hit.snippet.text[a:b] for a, b in hit.snippet.spans]
        assert marked, hit.id
        assert all(search_form(word) == target for word in marked), (hit.id, marked)


def test_fully_diacritised_hadith(tmp_path):
    corpora = require_corpora("bukhari-hadith")
    records = first_records(corpora / "bukhari-hadith" / "docs.jsonl.gz", 300)
    corpus = write_slice(records, tmp_path / "hadith.jsonl")
    index_dir = tmp_path / "index"
    runner = CliRunner()
    result = runner.invoke(cli, ["--index-dir", str(index_dir), "index", str(corpus)])
    assert result.exit_code == 0, result.output

    # بِالنِّيَّاتِ is written vocalised in the first hadith; search it bare.
    result = runner.invoke(cli, ["--index-dir", str(index_dir), "query", "بالنيات", "-f", "jsonl", "-n", "50"])
    records_out = [json.loads(line) for line in result.stdout.splitlines()]
    assert "bukhari-1" in {r["id"] for r in records_out}
    first = next(r for r in records_out if r["id"] == "bukhari-1")
    marked = [first["snippet"][a:b] for a, b in first["matches"]]
    assert "بِالنِّيَّاتِ" in marked

    # Every vocalised word of a hadith is one token: the bare text yields the same words.
    body = records[0]["body"]
    from searcher.terms import analyse

    assert [t.exact for t in analyse(body)] == [t.exact for t in analyse(strip_diacritics(body))]
    assert normalise("رَسُولَ") == "رسول"
