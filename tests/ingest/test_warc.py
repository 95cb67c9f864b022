import datetime as dt
import gzip
import io
import re

import brotli
import pytest

from searcher.ingest import CorpusReader, warc
from searcher.models import Article, Problem

from .pages import STORY, TITLE, assert_story_only, html_response, news_page, write_warc

PAGE = news_page().encode("utf-8")
UNDATED = news_page(published=None, canonical=None).encode("utf-8")
LEGACY = news_page(charset=None).encode("cp1256", "xmlcharrefreplace")  # its charset only in the HTTP header
NO_STORY = "<html><head><title>القسم</title></head><body><nav><a href='/'>الرئيسية</a></nav></body></html>".encode()
NEWS = "https://furat.example/news/"


def chunked(data: bytes) -> bytes:
    middle = len(data) // 2
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (data[:middle], data[middle:])) + b"0\r\n\r\n"


CRAWL = [
    ("request", NEWS + "1", b"", [("Host", "furat.example")], "GET /news/1 HTTP/1.1", None),
    html_response(NEWS + "1", PAGE, date="2024-05-01T10:00:00Z"),
    html_response(NEWS + "2", UNDATED, date="2024-05-02T11:00:00Z"),
    html_response(NEWS + "3", LEGACY, content_type="text/html; charset=windows-1256"),
    ("response", NEWS + "4", gzip.compress(PAGE), [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], "200 OK", None),
    ("response", NEWS + "5", brotli.compress(PAGE), [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "br")], "200 OK", None),
    ("response", NEWS + "6", chunked(PAGE), [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")], "200 OK", None),
    ("response", NEWS + "logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300), [("Content-Type", "image/png")], "200 OK", None),
    ("response", NEWS + "gone", b"<html><body><p>404</p></body></html>", [("Content-Type", "text/html")], "404 Not Found", None),
    ("response", NEWS + "old", b"", [("Location", NEWS + "1")], "301 Moved Permanently", None),
    ("response", NEWS + "style.css", b"body{direction:rtl}", [("Content-Type", "text/css")], "200 OK", None),
    ("revisit", NEWS + "1", b"", None, None, None),
    ("metadata", NEWS + "1", b"outlink: " + NEWS.encode() + b"2\n", None, None, {"Content-Type": "application/warc-fields"}),
    ("resource", "file:///saved/bridge.html", PAGE, None, None, {"Content-Type": "text/html"}),
    ("response", NEWS + "section", NO_STORY, [("Content-Type", "text/html; charset=utf-8")], "200 OK", None),
    ("response", NEWS + "7", PAGE, [], "200 OK", None),  # no Content-Type: the content says HTML
]


def build(*, gzipped: bool = True, records=CRAWL) -> tuple[bytes, list[int]]:
    stream = io.BytesIO()
    offsets = write_warc(stream, records, gzip=gzipped)
    return stream.getvalue(), offsets


def collect(paths, **kwargs) -> tuple[list[Article], list[Problem]]:
    problems: list[Problem] = []
    articles = list(CorpusReader(paths, on_problem=problems.append, **kwargs))
    return articles, problems


@pytest.mark.parametrize("gzipped", [True, False])
def test_every_html_page_of_a_crawl_becomes_an_article(tmp_path, gzipped, capsys):
    data, offsets = build(gzipped=gzipped)
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    path.write_bytes(data)
    articles, problems = collect([path])

    assert [a.id for a in articles] == [NEWS + n for n in "123456"] + ["file:///saved/bridge.html", NEWS + "7"]
    for article in articles:
        assert article.title == TITLE
        assert_story_only(article.body)
    by_id = {a.id: a for a in articles}
    assert by_id[NEWS + "1"].date == dt.date(2019, 3, 17)  # the page's own date over the capture date
    assert by_id[NEWS + "2"].date == dt.date(2024, 5, 2)  # no date in the page: the capture date
    assert by_id[NEWS + "2"].url == NEWS + "2"  # no canonical URL: the captured one
    assert by_id[NEWS + "1"].url == "https://furat.example/news/bridge-1234"
    assert by_id[NEWS + "1"].origin == f"{path}@{offsets[1]}"

    # Nothing is skipped: a section front (a page without a story) is counted with the images.
    [summary] = problems
    assert (summary.location, summary.skipped) == (str(path), False)
    assert summary.message.startswith("6 captures are not articles, not indexed (")
    for kind in ["image/png 1", "HTTP 404 1", "HTTP 301 1", "text/css 1", "revisit 1", "HTML without a story 1"]:
        assert kind in summary.message
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("gzipped", [True, False])
def test_warc_on_standard_input_is_recognised_by_its_content(gzipped):
    data, offsets = build(gzipped=gzipped, records=[html_response(NEWS + "1", PAGE)])
    articles, problems = collect(["-"], stdin=io.BytesIO(data))
    assert [(a.id, a.origin) for a in articles] == [(NEWS + "1", f"stdin@{offsets[0]}")]
    assert problems == []


def test_format_warc_reads_a_file_of_any_name(tmp_path):
    data, _ = build(records=[html_response(NEWS + "1", PAGE)])
    (tmp_path / "capture.dat").write_bytes(data)
    assert [a.id for a in collect([tmp_path / "capture.dat"], fmt="warc")[0]] == [NEWS + "1"]
    assert [a.id for a in collect([tmp_path / "capture.dat"])[0]] == [NEWS + "1"]  # sniffed as well


def pages(count: int) -> list:
    return [html_response(f"{NEWS}{n}", PAGE) for n in range(count)]


@pytest.mark.parametrize("gzipped", [True, False])
def test_a_damaged_record_is_reported_at_its_offset_and_reading_resumes(tmp_path, gzipped):
    data, offsets = build(gzipped=gzipped, records=pages(4))
    damaged = data[: offsets[1] + 3] + b"\x00GARBAGE\x00" + data[offsets[1] + 13 :]
    path = tmp_path / "damaged.warc"
    path.write_bytes(damaged)
    articles, problems = collect([path])
    assert [a.id for a in articles] == [f"{NEWS}0", f"{NEWS}2", f"{NEWS}3"]
    assert [(p.location, p.message) for p in problems] == [
        (f"{path}@{offsets[1]}", "damaged WARC record (no WARC header where one should start)")
    ]


def test_on_standard_input_a_damaged_record_ends_the_input_with_a_reason():
    data, offsets = build(gzipped=False, records=pages(3))
    damaged = data[: offsets[1]] + b"GARBAGE" + data[offsets[1] + 7 :]
    articles, problems = collect(["-"], stdin=io.BytesIO(damaged))
    assert [a.id for a in articles] == [f"{NEWS}0"]
    assert [p.location for p in problems] == [f"stdin@{offsets[1]}", "stdin"]
    assert problems[1].message.startswith("the rest is not read")


@pytest.mark.parametrize("gzipped", [True, False])
def test_a_truncated_file_keeps_the_complete_records(tmp_path, gzipped):
    data, offsets = build(gzipped=gzipped, records=pages(3))
    for cut in (offsets[2] + 40, len(data) - 30):
        path = tmp_path / f"cut-{cut}.warc"
        path.write_bytes(data[:cut])
        articles, problems = collect([path])
        assert [a.id for a in articles] == [f"{NEWS}0", f"{NEWS}1"]
        assert [(p.location, p.message) for p in problems] == [(f"{path}@{offsets[2]}", "truncated record (the file ends inside it)")]


def test_a_warc_gzipped_as_one_file_is_read_from_its_name_not_from_stdin(tmp_path):
    plain, offsets = build(gzipped=False, records=pages(3))
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain))
    articles, problems = collect([path])
    assert problems == []
    assert [(a.id, a.origin) for a in articles] == [(f"{NEWS}{n}", f"{path}@{offsets[n]}") for n in range(3)]
    _, problems = collect(["-"], stdin=io.BytesIO(path.read_bytes()))
    assert problems[-1].message.startswith("a WARC gzipped as one file cannot be read from standard input")


def test_a_wrong_content_length_is_reported_not_printed(tmp_path, capsys):
    data, offsets = build(gzipped=False, records=pages(3))
    first_length = re.search(rb"Content-Length: (\d+)", data[offsets[0] :])
    start = offsets[0] + first_length.start(1)
    damaged = data[:start] + str(int(first_length.group(1)) - 25).encode() + data[first_length.end(1) + offsets[0] :]
    path = tmp_path / "bad-length.warc"
    path.write_bytes(damaged)
    articles, problems = collect([path])
    assert f"{NEWS}2" in [a.id for a in articles]
    assert problems and all(p.location.startswith(f"{path}@") for p in problems)
    assert capsys.readouterr().err == ""


def test_a_page_over_the_article_limit_is_skipped_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(warc, "MAX_ARTICLE_BYTES", 2000)
    data, offsets = build(records=[html_response(NEWS + "big", PAGE), html_response(NEWS + "small", b"<html><body><p>" + STORY[0].encode() + b"</p></body></html>")])
    articles, problems = collect(["-"], stdin=io.BytesIO(data))
    assert [a.id for a in articles] == [NEWS + "small"]
    assert [(p.location, p.message) for p in problems] == [(f"stdin@{offsets[0]}", "too large for one article (over 0 MiB)")]


def test_a_large_warc_streams_record_by_record(tmp_path):
    data, _ = build(records=pages(60))
    path = tmp_path / "many.warc.gz"
    path.write_bytes(data)
    reader = CorpusReader([path], on_problem=lambda problem: None)
    progress = [reader.bytes_read for _ in reader]
    assert len(progress) == 60
    assert 0 < progress[0] < reader.total_bytes / 2  # the first article comes before most of the file is read
    assert reader.bytes_read == reader.total_bytes


def test_media_type_parsing():
    assert warc._media_type("text/html") == ("text/html", None)
    assert warc._media_type("TEXT/HTML;charset=windows-1256") == ("text/html", "windows-1256")
    assert warc._media_type(None) == ("", None)
