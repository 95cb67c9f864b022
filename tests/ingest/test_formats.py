"""Which reader a file goes to: by extension, by content, or as forced with ``fmt``."""

import gzip
import io
import json
import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.errors import CorpusError
from searcher.ingest import FORMATS, CorpusReader
from searcher.models import Article, Problem

from .pages import TITLE, html_response, news_page, write_warc

CSV = "العنوان,النص\nحصاد القمح,بدأ موسم الحصاد في الحسكة\n"
JSONL = json.dumps({"id": "j1", "title": "خبر", "body": "نص"}, ensure_ascii=False) + "\n"
TEXT = "عنوان الخبر\nنص الخبر، وفيه فاصلة\n"


def warc_bytes(gzipped: bool = True) -> bytes:
    stream = io.BytesIO()
    write_warc(stream, [html_response("https://furat.example/1", news_page().encode())], gzip=gzipped)
    return stream.getvalue()


def collect(paths, **kwargs) -> tuple[list[Article], list[Problem]]:
    problems: list[Problem] = []
    return list(CorpusReader(paths, on_problem=problems.append, **kwargs)), problems


def test_extensions_pick_the_reader(tmp_path):
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "b.htm").write_text(news_page(), encoding="utf-8")
    (tmp_path / "c.html.gz").write_bytes(gzip.compress(news_page().encode()))
    (tmp_path / "d.jsonl").write_text(JSONL, encoding="utf-8")
    (tmp_path / "e.tab").write_text(CSV.replace(",", "\t"), encoding="utf-8")
    (tmp_path / "f.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "g.warc.gz").write_bytes(warc_bytes())
    (tmp_path / "h.WARC").write_bytes(warc_bytes(gzipped=False))
    (tmp_path / "i.xhtml").write_text(news_page(), encoding="utf-8")
    articles, problems = collect([tmp_path])
    assert problems == []
    assert [a.id for a in articles] == [
        "a.csv:2", "b.htm", "c.html.gz", "j1", "e.tab:2", "f.txt",
        "https://furat.example/1", "https://furat.example/1", "i.xhtml",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "expected_id"),
    [
        (news_page().encode(), "stdin"),
        (b"\n  <!-- saved -->\n" + news_page().encode(), "stdin"),
        (CSV.encode(), "stdin:2"),
        (CSV.replace(",", ";").encode("utf-16"), "stdin:2"),
        (JSONL.encode(), "j1"),
        (TEXT.encode(), "stdin"),
        (warc_bytes(), "https://furat.example/1"),
        (warc_bytes(gzipped=False), "https://furat.example/1"),
        (gzip.compress(news_page().encode()), "stdin"),
        (gzip.compress(CSV.encode()), "stdin:2"),
    ],
)
def test_content_decides_on_standard_input(data, expected_id):
    articles, problems = collect(["-"], stdin=io.BytesIO(data))
    assert [a.id for a in articles] == [expected_id]
    assert [p for p in problems if p.skipped] == []


def test_a_text_article_with_commas_is_not_taken_for_csv():
    [article] = collect(["-"], stdin=io.BytesIO("خبر, عاجل\nالنص هنا, وفيه فاصلة\n".encode()))[0]
    assert (article.title, article.body) == ("خبر, عاجل", "النص هنا, وفيه فاصلة")


def test_format_forces_every_input_even_in_folders(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "news").mkdir(parents=True)
    (mirror / "news" / "article.php?id=7").write_text(news_page(), encoding="utf-8")
    (mirror / "index").write_text(news_page(), encoding="utf-8")
    articles, problems = collect([mirror], fmt="html")
    assert problems == []
    assert [(a.id, a.title) for a in articles] == [("index", TITLE), ("news/article.php?id=7", TITLE)]
    # Without --format the same folder has no file of a known type.
    articles, problems = collect([mirror])
    assert articles == [] and {p.message for p in problems} == {"unsupported file type (no extension)", "unsupported file type (.php?id=7)"}


def test_format_text_reads_html_as_plain_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>عنوان</p>\nنص", encoding="utf-8")
    [article] = collect([page], fmt="text")[0]
    assert article.title == "<p>عنوان</p>"


def test_format_tsv_means_tabs(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("title\tbody\nعنوان, بفاصلة\tنص\n", encoding="utf-8")
    [article] = collect([path], fmt="tsv")[0]
    assert article.title == "عنوان, بفاصلة"


def test_unknown_format_is_refused_before_reading():
    with pytest.raises(CorpusError, match="unknown format 'pdf'"):
        CorpusReader(["-"], fmt="pdf")


def test_the_cli_offers_every_format():
    from searcher.cli import INPUT_FORMATS

    assert INPUT_FORMATS == FORMATS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=2000)
    | st.lists(st.sampled_from([b"WARC/1.0\r\n", b"Content-Length: 5\r\n", b"\r\n", b"<html>", b"<p>", "نص".encode(), b",", b'"', b"\n", b"\xff"])).map(b"".join),
    name=st.sampled_from(["x.csv", "x.tsv", "x.html", "x.warc", "x.warc.gz", "x.dat"]),
    fmt=st.sampled_from([None, *FORMATS]),
    compress=st.booleans(),
)
def test_random_bytes_never_raise_in_any_format(data, name, fmt, compress):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "wb") as out:
            out.write(gzip.compress(data) if compress else data)
        problems: list[Problem] = []
        reader = CorpusReader([path], on_problem=problems.append, fmt=fmt)
        articles = list(reader)
        assert all(isinstance(article, Article) for article in articles)
        assert reader.bytes_read == reader.total_bytes
    articles = list(CorpusReader(["-"], on_problem=lambda problem: None, stdin=io.BytesIO(data), fmt=fmt))
    assert all(isinstance(article, Article) for article in articles)
