import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from searcher.ingest import CorpusReader
from searcher.ingest.jsonl import iter_jsonl, parse_record
from searcher.models import Article, Problem

NEWS = Path(__file__).parents[1] / "data" / "ingest" / "news.jsonl"

GOOD = {
    "id": "ant-1",
    "title": "ارتفاع أسعار الخضار في الأسواق",
    "date": "2019-06-03",
    "source": "alarabia",
    "category": "economy",
    "url": "https://example.org/1",
    "body": "سجلت أسعار الخضار ارتفاعاً ملحوظاً.",
}


def line(**changes) -> bytes:
    record = {**GOOD, **changes}
    return (json.dumps({k: v for k, v in record.items() if v is not ...}, ensure_ascii=False) + "\n").encode()


def read(lines: list[bytes]) -> tuple[list[Article], list[Problem]]:
    articles, problems = [], []
    for item in iter_jsonl(lines, origin="news.jsonl", id_prefix="news.jsonl"):
        (problems if isinstance(item, Problem) else articles).append(item)
    return articles, problems


def test_fixture_records():
    articles, problems = read(NEWS.read_bytes().splitlines(keepends=True))
    assert problems == []
    assert [a.id for a in articles] == ["news-001", "news-002", "3", "news-004", "news.jsonl:5", "news-006"]
    first = articles[0]
    assert first.title == "أمطار غزيرة تغلق طرقاً جبلية في شمال البلاد"
    assert first.date == dt.date(2019, 1, 14)
    assert (first.source, first.category, first.url) == ("نشرة الطقس", "weather", "https://example.org/weather/1")
    assert first.body.startswith("أغلقت السلطات المحلية") and "\n" in first.body
    assert first.origin == "news.jsonl:1"
    assert articles[2].date == dt.date(2019, 6, 3)  # taken from a full ISO datetime
    assert articles[2].url is None
    assert articles[3].title == "" and articles[3].category is None  # saudinewsnet-style record
    assert articles[4].date is None


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        (b'{"id": "x", "body": "\xd9\x86\xd8\xb5\n', "invalid JSON (Unterminated string"),
        (b"not json at all\n", "invalid JSON (Expecting value at column 1)"),
        (b'["\xd9\x86\xd8\xb5"]\n', "not a JSON object but an array"),
        (b'"\xd9\x86\xd8\xb5"\n', "not a JSON object but a string"),
        (line(body=...), "missing field 'body'"),
        (line(body=42), "field 'body' must be a string, not a number"),
        (line(title=["عنوان"]), "field 'title' must be a string, not an array"),
        (line(source={"name": "bbc"}), "field 'source' must be a string, not an object"),
        (line(category=True), "field 'category' must be a string, not a boolean"),
        (line(url=7), "field 'url' must be a string, not a number"),
        (line(id=1.5), "field 'id' must be a string or an integer, not a number"),
        (line(title=None, body=""), "empty article"),
        (line(title="  ", body=" \n "), "empty article"),
        (b"[" * 100_000 + b"\n", "invalid JSON (nested too deeply)"),
        ("الخبر".encode() + b"\xff\xfe" + b"\n", "not UTF-8 text (invalid byte at offset 10)"),
    ],
)
def test_bad_line_is_skipped_with_its_line_number(bad_line, reason):
    articles, problems = read([line(id="before"), b"\n", bad_line, line(id="after")])
    assert [a.id for a in articles] == ["before", "after"]
    assert len(problems) == 1
    assert problems[0].location == "news.jsonl:3"
    assert problems[0].message.startswith(reason)
    assert problems[0].skipped


@pytest.mark.parametrize("date", ["27/02/2019", "2019-02-31", 20190227, ""])
def test_invalid_date_warns_and_indexes(date):
    articles, problems = read([line(date=date)])
    assert articles[0].date is None
    if date == "":
        assert problems == []
    else:
        assert [(p.location, p.skipped) for p in problems] == [("news.jsonl:1", False)]
        assert problems[0].message.startswith("invalid date")


@pytest.mark.parametrize("body", [None, ""])
def test_title_with_empty_body_is_indexed(body):
    articles, problems = read([line(body=body)])
    assert problems == []
    assert (articles[0].title, articles[0].body) == (GOOD["title"], "")


def test_missing_id_and_optional_fields():
    articles, _ = read([b"\n", b'{"body": "\xd9\x86\xd8\xb5"}\n'])
    article = articles[0]
    assert (article.id, article.origin, article.title) == ("news.jsonl:2", "news.jsonl:2", "")
    assert (article.date, article.source, article.category, article.url) == (None, None, None, None)


def test_extra_keys_are_ignored_and_int_ids_stringified():
    articles, _ = read([line(id=17, views=1200, tags=["اقتصاد"])])
    assert articles[0].id == "17"


def test_blank_lines_are_ignored_silently():
    articles, problems = read([b"\n", b"   \r\n", line(), b"\t\n"])
    assert len(articles) == 1 and problems == []
    assert articles[0].origin == "news.jsonl:3"


def test_windows_1256_line_is_read_with_a_warning():
    legacy = json.dumps({"title": "عنوان الخبر", "body": "نص الخبر"}, ensure_ascii=False).encode("cp1256")
    articles, problems = read([line(), legacy + b"\n"])
    assert articles[1].title == "عنوان الخبر"
    assert [(p.location, p.message, p.skipped) for p in problems] == [
        ("news.jsonl:2", "decoded as Windows-1256", False)
    ]


def test_bom_on_the_first_line_and_crlf_endings():
    articles, problems = read([b"\xef\xbb\xbf" + line().rstrip(b"\n") + b"\r\n", line(id="two")])
    assert problems == [] and [a.id for a in articles] == ["ant-1", "two"]


def test_control_characters_in_values_become_spaces():
    article, _ = parse_record(
        '{"title": "عنوان\\u0007الخبر", "body": "نص\x0bالخبر\\u0000"}', location="x:1", fallback_id="x:1"
    )
    assert (article.title, article.body) == ("عنوان الخبر", "نص الخبر ")


def test_gzip_file_with_bad_lines_among_good_ones(tmp_path):
    path = tmp_path / "news.jsonl.gz"
    with gzip.open(path, "wb") as out:
        out.writelines([line(id="1"), b"{broken\n", line(id="2"), b"[]\n", b"\n", line(id="3")])
    problems = []
    articles = list(CorpusReader([path], on_problem=problems.append))
    assert [a.id for a in articles] == ["1", "2", "3"]
    assert [p.location for p in problems] == [f"{path}:2", f"{path}:4"]
    assert articles[2].origin == f"{path}:6"
