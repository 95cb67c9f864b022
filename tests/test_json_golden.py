"""The JSON records of the command line, whole, against golden values; and docs/json.md lists their keys.

The records are the stable schema of ``--format jsonl`` (and of the HTTP API to come):
keys may be added, never renamed. A change here is a change of that schema: update
docs/json.md with it. Scores are BM25F on the fixture corpus of tests/conftest.py,
rounded to 4 decimals by the library; a ranking change moves them, on purpose.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from searcher.cli import cli

from .conftest import ARTICLES, REPO, make_index
from .syndicated import syndicated_articles

JSON_MD = REPO / "docs" / "json.md"

A1 = {
    "id": "a1",
    "title": "خروج المدنيين من الباغوز",
    "date": "2019-02-20",
    "time": "14:02",
    "place": "دمشق",
    "source": "تلفزيون سوريا",
    "category": "سياسة",
    "url": None,
}
A1_BODY = "خرج مئات المدنيين مِن بلدة البَاغُوزِ شرق دير الزور، وسط أنباء عن اتفاق مع التحالف الدولي."
A2 = {
    "id": "a2",
    "title": "معارك عنيفة شرقي سوريا",
    "date": "2019-03-01",
    "time": None,
    "place": None,
    "source": "وكالة الأنباء",
    "category": None,
    "url": None,
}
A2_BODY = "تواصلت المعارك في محيط الباغـوز، وقال مسئول محلي إن القوات تقدمت. وعاد مئات النازحين إلى مناطقهم."
UNGROUPED = {"partial": False, "similar": 0, "similar_ids": []}


def hit(rank, fields, score, snippet, matches, qid=None, **rest):
    """A golden hit record, keys in the order the CLI writes them."""
    record = {"rank": rank, "id": fields["id"], "score": score, **{k: v for k, v in fields.items() if k != "id"}}
    record.update(snippet=snippet, matches=matches, **{**UNGROUPED, **rest})
    return {"qid": qid, **record} if qid is not None else record


@pytest.fixture(scope="module")
def dupes_index(tmp_path_factory):
    """The fixture corpus with re-published copies of the sample articles (duplicate groups)."""
    return make_index(tmp_path_factory.mktemp("golden") / "index", ARTICLES + syndicated_articles())


@pytest.fixture(scope="module")
def topics(tmp_path_factory):
    path = tmp_path_factory.mktemp("topics") / "topics.tsv"
    path.write_text("q1\tالباغوز\nq2\tالنفط\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def typo_topic(tmp_path_factory):
    """A topic that finds nothing as typed."""
    path = tmp_path_factory.mktemp("topics") / "typo.tsv"
    path.write_text("q3\tالبغوز\n", encoding="utf-8")
    return path


def records(index_dir, *args, code=0) -> list[dict]:
    """The JSON objects a command prints on stdout, one per line, after checking its exit code."""
    result = CliRunner().invoke(cli, ["--index-dir", str(index_dir), *args])
    assert result.exit_code == code, result.output
    lines = result.stdout.splitlines()
    assert result.stdout == "".join(line + "\n" for line in lines)
    return [json.loads(line) for line in lines]


def with_scores_rounded(found: list[dict]) -> list[dict]:
    """Scores to 4 decimals (the library's own rounding), so a float printed one digit longer still compares."""
    return [{**r, "score": round(r["score"], 4)} if isinstance(r.get("score"), float) else r for r in found]


# Hits


def test_hits_with_all_then_some_of_the_words(shared_index):
    assert with_scores_rounded(records(shared_index, "query", "مئات الباغوز", "--format", "jsonl")) == [
        hit(1, A1, 4.3492, A1_BODY, [[4, 8], [27, 37]]),
        hit(2, A2, 1.8709, A2_BODY, [[23, 31], [71, 75]]),
        hit(
            3,
            {"id": "a4", "title": "مهرجان الرياضة المدرسية", "date": "2018-09-10", "time": None, "place": None,
             "source": "skynews", "category": "sport", "url": None},
            0.9119,
            "انطلق مهرجان الرياضة المدرسية بمشاركة مئات الطلاب من المدارس الحكومية.",
            [[38, 42]],
            partial=True,
        ),
    ]


A3 = {
    "id": "a3",
    "title": "أسعار النفط ترتفع",
    "date": "2018-11-05",
    "time": None,
    "place": None,
    "source": "skynews",
    "category": "economy",
    "url": None,
}
A3_BODY = "ارتفعت أسعار النفط في الأسواق العالمية يوم الاثنين بنسبة ٢٪ بعد قرار أوبك خفض الإنتاج."


def test_hits_of_topics_start_with_qid(shared_index, topics):
    found = records(shared_index, "query", "--topics", str(topics), "--format", "jsonl")
    assert with_scores_rounded(found) == [
        hit(1, A1, 3.572, A1_BODY, [[27, 37]], qid="q1"),
        hit(2, A2, 1.0936, A2_BODY, [[23, 31]], qid="q1"),
        hit(1, A3, 4.3001, A3_BODY, [[13, 18]], qid="q2"),
    ]
    assert all(next(iter(record)) == "qid" for record in found)


def test_hits_sorted_by_date_have_no_score_and_no_snippet(shared_index):
    found = records(shared_index, "query", "الباغوز", "--sort", "date", "--no-snippets", "--format", "jsonl")
    assert found == [hit(1, A1, None, None, []), hit(2, A2, None, None, [])]


SUGGESTION = {
    "query": "الباغوز",
    "hits": 2,
    "corrections": [{"word": "البغوز", "replacement": "الباغوز", "frequency": 2}],
}


def test_no_hits_record_carries_the_suggestions(shared_index):
    assert records(shared_index, "query", "البغوز", "--suggest", "--format", "jsonl", code=1) == [
        {"query": "البغوز", "suggestions": [SUGGESTION]}
    ]


def test_no_hits_record_of_a_topic_starts_with_qid(shared_index, typo_topic):
    assert records(shared_index, "query", "--topics", str(typo_topic), "--suggest", "--format", "jsonl", code=1) == [
        {"qid": "q3", "query": "البغوز", "suggestions": [SUGGESTION]}
    ]


def test_every_hit_carries_the_suggestions(shared_index):
    found = records(shared_index, "query", "النفط البغوز", "--any", "--suggest", "--format", "jsonl")
    suggestion = {**SUGGESTION, "query": "النفط الباغوز", "hits": 3}
    assert with_scores_rounded(found) == [hit(1, A3, 4.3001, A3_BODY, [[13, 18]], suggestions=[suggestion])]


SAMPLE_001 = {
    "id": "sample-001",
    "title": "عودة أولى العائلات النازحة إلى قرى ريف دير الزور الشرقي",
    "date": "2019-03-28",
    "time": None,
    "place": None,
    "source": "نشرة الفرات",
    "category": "society",
    "url": "https://example.org/news/sample-001",
}


def test_a_folded_hit_names_its_copies(dupes_index):
    found = records(dupes_index, "query", "العائلات النازحة", "-n", "1", "--format", "jsonl")
    snippet = (
        "بدأت أولى العائلات النازحة بالعودة إلى قراها في ريف دير الزور الشرقي، بعد أيام من إعلان انتهاء "
        "العمليات العسكرية في بلدة البَاغُوزِ على الحدود السورية العراقية. وقال سكان عائدون إن …"
    )
    assert with_scores_rounded(found) == [
        hit(1, SAMPLE_001, 5.9089, snippet, [[10, 18], [19, 26]], similar=2, similar_ids=["wire-001-edited", "wire-001-exact"])
    ]


def test_similar_writes_hit_records(dupes_index):
    found = records(dupes_index, "similar", "sample-001", "-n", "2", "--format", "jsonl")
    assert [(r["rank"], r["id"]) for r in found] == [(1, "sample-004"), (2, "a1")]
    assert all(list(r) == list(hit(1, A1, 0.0, "", [])) for r in found)


# One article, the index, duplicate groups


def test_article_record(shared_index):
    assert records(shared_index, "show", "a1", "--format", "json") == [{**A1, "body": A1_BODY, "related": []}]


def test_stats_record(shared_index):
    [record] = records(shared_index, "stats", "--format", "json")
    size = record.pop("size_bytes")
    assert isinstance(size, int) and size > 0
    assert record == {
        "articles": 7,
        "first_date": "2017-05-14",
        "last_date": "2019-03-01",
        "sources": {"Jawhara FM": 2, "skynews": 2, "BBC": 1, "تلفزيون سوريا": 1, "وكالة الأنباء": 1},
    }
    assert list(record["sources"]) == ["Jawhara FM", "skynews", "BBC", "تلفزيون سوريا", "وكالة الأنباء"]


def test_duplicates_record(dupes_index):
    assert records(dupes_index, "show", "sample-001", "--dupes", "--format", "json") == [
        {
            "id": "sample-001",
            "duplicates": [
                {
                    "id": "wire-001-exact",
                    "title": "عاجل: عودة أولى العائلات النازحة إلى قرى ريف دير الزور الشرقي",
                    "date": "2019-03-28",
                    "source": "وكالة سانا",
                    "similarity": 1.0,
                    "exact": True,
                },
                {
                    "id": "wire-001-edited",
                    "title": "عودة أولى العائلات النازحة إلى قرى ريف دير الزور الشرقي",
                    "date": "2019-03-29",
                    "source": "شبكة فرات بوست",
                    "similarity": 0.867,
                    "exact": False,
                },
            ],
        }
    ]
    assert records(dupes_index, "show", "sample-004", "--dupes", "--format", "json", code=1) == [
        {"id": "sample-004", "duplicates": []}
    ]


# Counts


def test_facet_records(shared_index, topics):
    assert records(shared_index, "query", "مئات", "--facet", "source", "--facet", "year", "--format", "jsonl") == [
        {"facet": "source", "value": "skynews", "count": 1},
        {"facet": "source", "value": "تلفزيون سوريا", "count": 1},
        {"facet": "source", "value": "وكالة الأنباء", "count": 1},
        {"facet": "year", "value": "2018", "count": 1},
        {"facet": "year", "value": "2019", "count": 2},
    ]
    assert records(shared_index, "query", "--topics", str(topics), "--facet", "source", "--format", "jsonl") == [
        {"qid": "q1", "facet": "source", "value": "تلفزيون سوريا", "count": 1},
        {"qid": "q1", "facet": "source", "value": "وكالة الأنباء", "count": 1},
        {"qid": "q2", "facet": "source", "value": "skynews", "count": 1},
    ]
    # Articles without a value count under null, last.
    assert records(shared_index, "query", "مئات OR تقرير", "--facet", "year", "--format", "jsonl")[-1] == {
        "facet": "year", "value": None, "count": 1
    }


def test_period_records(shared_index):
    assert records(shared_index, "timeline", "مئات OR تقرير", "--format", "jsonl") == [
        {"period": "2018-09", "count": 1},
        {"period": "2018-10", "count": 0},
        {"period": "2018-11", "count": 0},
        {"period": "2018-12", "count": 0},
        {"period": "2019-01", "count": 0},
        {"period": "2019-02", "count": 1},
        {"period": "2019-03", "count": 1},
        {"period": None, "count": 1},
    ]


# docs/json.md and the real records name the same keys


def documented_keys() -> dict[str, set[str]]:
    """Each ``## `name` `` section of docs/json.md: the keys its table lists."""
    sections: dict[str, set[str]] = {}
    name = None
    for line in JSON_MD.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## `([\w-]+)`$", line)
        if heading:
            name = heading.group(1)
            sections[name] = set()
        elif line.startswith("## "):
            name = None
        elif name is not None and (row := re.match(r"\| `(\w+)` \|", line)):
            sections[name].add(row.group(1))
    return sections


def real_keys(shared_index, dupes_index, topics, typo_topic) -> dict[str, set[str]]:
    """The keys of real records of every kind, gathered over commands that show every optional key."""
    hits = (
        records(shared_index, "query", "مئات الباغوز", "--format", "jsonl")
        + records(shared_index, "query", "--topics", str(topics), "--format", "jsonl")
        + records(shared_index, "query", "النفط البغوز", "--any", "--suggest", "--format", "jsonl")
        + records(dupes_index, "query", "العائلات النازحة", "--format", "jsonl")
        + records(dupes_index, "similar", "sample-001", "--format", "jsonl")
    )
    no_hits = records(shared_index, "query", "--topics", str(typo_topic), "--suggest", "--format", "jsonl", code=1)
    suggestions = [s for record in hits + no_hits for s in record.get("suggestions", [])]
    facets = records(shared_index, "query", "--topics", str(topics), "--facet", "source", "--format", "jsonl")
    dupes = records(dupes_index, "show", "sample-001", "--dupes", "--format", "json")

    def keys(objects):
        assert objects
        return {key for record in objects for key in record}

    return {
        "hit": keys(hits),
        "no-hits": keys(no_hits),
        "suggestion": keys(suggestions),
        "correction": keys([c for s in suggestions for c in s["corrections"]]),
        "article": keys(records(shared_index, "show", "a1", "--format", "json")),
        "facet": keys(facets),
        "period": keys(records(shared_index, "timeline", "مئات", "--format", "jsonl")),
        "stats": keys(records(shared_index, "stats", "--format", "json")),
        "duplicates": keys(dupes),
        "duplicate": keys(dupes[0]["duplicates"]),
    }


def test_docs_list_exactly_the_keys_of_real_records(shared_index, dupes_index, topics, typo_topic):
    documented = documented_keys()
    real = real_keys(shared_index, dupes_index, topics, typo_topic)
    assert set(documented) == set(real), "docs/json.md sections differ from the record kinds"
    for kind, keys in real.items():
        assert keys - documented[kind] == set(), f"docs/json.md `{kind}` lacks keys that records have"
        assert documented[kind] - keys == set(), f"docs/json.md `{kind}` lists keys no record has"
