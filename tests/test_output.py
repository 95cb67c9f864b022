"""Rendering: stable JSON keys, TSV/ids/TREC lines, tables, summaries."""

from __future__ import annotations

import datetime as dt
import json

from searcher.models import Article, Hit, IndexStats, Snippet
from searcher.output import (
    iter_ids,
    iter_jsonl,
    iter_trec,
    iter_tsv,
    mark_snippet,
    render_article,
    render_summary,
    render_table,
)

HIT = Hit(
    rank=1,
    id="a1",
    score=3.25,
    title="خروج المدنيين من الباغوز",
    date="2019-02-20",
    source="تلفزيون سوريا",
    url="https://example.org/a1",
    snippet=Snippet("مِن بلدة البَاغُوزِ شرق", ((9, 19),)),
)


def test_jsonl_keys_are_stable_and_arabic_unescaped():
    (line,) = iter_jsonl([HIT])
    assert "البَاغُوزِ" in line
    assert json.loads(line) == {
        "rank": 1,
        "id": "a1",
        "score": 3.25,
        "title": "خروج المدنيين من الباغوز",
        "date": "2019-02-20",
        "time": None,
        "place": None,
        "source": "تلفزيون سوريا",
        "category": None,
        "url": "https://example.org/a1",
        "snippet": "مِن بلدة البَاغُوزِ شرق",
        "matches": [[9, 19]],
        "partial": False,
        "similar": 0,
        "similar_ids": [],
    }


def test_batch_records_lead_with_the_qid():
    hit = Hit(rank=2, id="d", score=1.0, title="t", qid="q7")
    assert list(json.loads(next(iter_jsonl([hit]))))[0] == "qid"
    assert next(iter_tsv([hit])).split("\t")[:3] == ["q7", "2", "d"]
    assert list(iter_ids([hit])) == ["q7\td"]
    assert list(iter_trec([hit], "run1")) == ["q7 Q0 d 2 1.0000 run1"]


def test_tsv_fields_never_contain_tabs_or_newlines():
    hit = Hit(rank=1, id="x", score=1.5, title="سطر\tأول\nثان", snippet=Snippet("نص\nمقطع"))
    assert list(iter_tsv([hit])) == ["1\tx\t1.5\t\t\tسطر أول ثان\tنص مقطع"]


def test_trec_line_for_a_single_query():
    assert list(iter_trec([HIT])) == ["1 Q0 a1 1 3.2500 searcher"]


def test_marking_spans():
    assert mark_snippet(HIT.snippet, lambda w: f"<{w}>") == "مِن بلدة <البَاغُوزِ> شرق"


def test_table_shows_rank_id_title_and_marked_passage():
    table = render_table([HIT])
    assert "[البَاغُوزِ]" in table
    for cell in ("a1", "2019-02-20", "خروج المدنيين من الباغوز", "title / passage"):
        assert cell in table


def test_summary_line_counts_everything():
    stats = IndexStats(added=5, updated=1, unchanged=2, skipped=3, seconds=2.0, skip_reasons={"invalid JSON": 2, "empty file": 1})
    assert render_summary(stats) == (
        "8 articles in 2.0 s (4/s): 5 added, 1 updated, 2 unchanged, 3 skipped (empty file 1, invalid JSON 2)"
    )


def test_article_text_has_metadata_then_body_then_related():
    article = Article(
        id="x.txt", title="عنوان", body="نص الخبر", date=dt.date(2019, 2, 27), time="14:02", place="دمشق",
        source="تلفزيون سوريا", related=("خبر مقترح",),
    )
    assert render_article(article) == (
        "عنوان\nid: x.txt\ndate: 2019-02-27 14:02\nplace: دمشق\nsource: تلفزيون سوريا\n\nنص الخبر\n\nrelated:\n- خبر مقترح\n"
    )
