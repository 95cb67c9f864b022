import datetime as dt
import os

import pytest

from searcher.ingest import CorpusReader
from searcher.ingest.htmlpage import _names_chrome, decode_html, read_html_page
from searcher.models import Article, Problem

from .pages import SITE, STORY, TITLE, assert_story_only, news_page


def read(html: str | bytes, **kwargs) -> tuple[Article | None, list[Problem]]:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return read_html_page(data, id="page.html", origin="saved/page.html", **kwargs)


def test_the_body_is_the_story_and_only_the_story():
    article, problems = read(news_page())
    assert problems == []
    assert_story_only(article.body)


def test_metadata_from_the_page():
    article, _ = read(news_page())
    assert article.title == TITLE  # not "<title> - site name"
    assert article.date == dt.date(2019, 3, 17)
    assert article.source == SITE
    assert article.url == "https://furat.example/news/bridge-1234"
    assert (article.id, article.origin) == ("page.html", "saved/page.html")


def test_title_without_og_title_drops_the_site_name_from_the_title_element():
    html = news_page(site=None).replace('<meta property="og:title"', '<meta property="x"')
    article, _ = read(html)
    assert article.title == TITLE


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("الأحد، 17 آذار 2019 - 10:45", dt.date(2019, 3, 17)),  # Levantine month name
        ("17 مارس 2019", dt.date(2019, 3, 17)),  # Egyptian/Gulf month name
        ("١٧ مارس ٢٠١٩", dt.date(2019, 3, 17)),  # Arabic-Indic digits
        ("نشر بتاريخ 17/03/2019", dt.date(2019, 3, 17)),  # day first
    ],
)
def test_a_date_printed_by_the_story_is_read_when_the_metadata_has_none(printed, expected):
    article, _ = read(news_page(published=None, printed_date=printed))
    assert article.date == expected


def test_the_pages_own_date_wins_over_the_fallback():
    article, _ = read(news_page(), fallback_date=dt.date(2024, 1, 1))
    assert article.date == dt.date(2019, 3, 17)
    undated, _ = read(news_page(published=None), fallback_date=dt.date(2024, 1, 1))
    assert undated.date == dt.date(2024, 1, 1)


def test_no_date_is_guessed_from_the_copyright_year():
    article, _ = read(news_page(published=None).replace("٢٠١٩", "2019"))
    assert article.date is None


@pytest.mark.parametrize("label", ["windows-1256", "cp1256", "iso-8859-6"])
def test_legacy_arabic_encodings_declared_in_the_page(label):
    codec = "iso8859_6" if label == "iso-8859-6" else "cp1256"
    data = news_page(charset=label).encode(codec, "xmlcharrefreplace")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    article, problems = read(data)
    assert problems == []
    assert article.title == TITLE
    assert_story_only(article.body)


def test_html5_meta_charset_and_xml_declaration():
    html = news_page(charset=None).replace("<head>", '<head><meta charset="windows-1256">')
    article, _ = read(html.encode("cp1256", "xmlcharrefreplace"))
    assert article.title == TITLE
    xhtml = news_page(charset="windows-1256", xml_declaration=True).encode("cp1256", "xmlcharrefreplace")
    article, _ = read(xhtml)
    assert_story_only(article.body)


def test_the_http_charset_outranks_the_page():
    data = news_page(charset="utf-8").encode("cp1256", "xmlcharrefreplace")
    article, problems = read(data, http_charset="windows-1256")
    assert problems == [] and article.title == TITLE


def test_utf8_mislabelled_as_latin1_is_read_as_utf8():
    article, _ = read(news_page(charset="iso-8859-1"))
    assert article.title == TITLE


def test_undeclared_windows_1256_is_recognised_with_a_warning():
    article, problems = read(news_page(charset=None).encode("cp1256", "xmlcharrefreplace"))
    assert article.title == TITLE
    assert [(p.message, p.skipped) for p in problems] == [("decoded as Windows-1256", False)]


def test_a_few_broken_utf8_bytes_are_replaced_with_a_warning():
    data = news_page(charset=None).encode("utf-8").replace("من نحن".encode(), b"\xff\xfe")
    article, problems = read(data)
    assert_story_only(article.body)
    assert [(p.message, p.skipped) for p in problems] == [("2 invalid UTF-8 byte(s) replaced", False)]


def test_utf16_page_with_bom():
    article, _ = read(news_page(charset=None).encode("utf-16"))
    assert article.title == TITLE


def test_a_page_without_a_story_is_skipped():
    article, problems = read("<html><head><title>فارغ</title></head><body><nav><a href='/'>الرئيسية</a></nav></body></html>")
    assert article is None
    assert [(p.location, p.message, p.skipped) for p in problems] == [("saved/page.html", "no article text found", True)]


def test_not_html_at_all_is_skipped_without_raising():
    article, problems = read(b"\x00\x01binary\xff" * 10)
    assert article is None and problems[-1].skipped


def test_decode_html_prefers_bom_then_http_then_meta():
    cp1256 = "<meta charset='utf-8'><p>نص عربي</p>".encode("cp1256")
    assert decode_html(cp1256, http_charset="windows-1256")[0] == "<meta charset='utf-8'><p>نص عربي</p>"
    assert decode_html(b"\xef\xbb\xbf<p>\xd9\x86\xd8\xb5</p>")[0] == "<p>نص</p>"
    text, problems = decode_html("<meta charset='nonsense-42'><p>نص</p>".encode())
    assert text.endswith("<p>نص</p>") and problems == []


@pytest.mark.parametrize(
    ("token", "is_chrome"),
    [
        ("comments-area", True),
        ("fb-comments", True),
        ("share-buttons", True),
        ("related-posts", True),
        ("most-read", True),
        ("post_tags", True),
        ("newsletter", True),
        ("breaking-news-ticker", True),
        ("tag-syria", False),  # WordPress puts taxonomy classes on the article itself
        ("entry-content", False),
        ("related-video-player", False),
    ],
)
def test_chrome_class_names(token, is_chrome):
    assert _names_chrome(token) is is_chrome


def test_saved_pages_in_a_folder(tmp_path):
    (tmp_path / "2019").mkdir()
    page = tmp_path / "2019" / "bridge.html"
    page.write_text(news_page(), encoding="utf-8")
    undated = tmp_path / "undated.htm"
    undated.write_text(news_page(published=None, canonical=None), encoding="utf-8")
    saved_on = dt.datetime(2021, 5, 4, 12, 0).timestamp()
    os.utime(undated, (saved_on, saved_on))
    os.utime(page, (saved_on, saved_on))
    problems: list[Problem] = []
    articles = list(CorpusReader([tmp_path], on_problem=problems.append))
    assert problems == []
    assert [(a.id, a.date) for a in articles] == [
        ("2019/bridge.html", dt.date(2019, 3, 17)),  # the page's date, not the file's
        ("undated.htm", dt.date(2021, 5, 4)),  # no date in the page: the file's
    ]
    assert articles[1].url is None
    for article in articles:
        assert_story_only(article.body)


def test_gzipped_page_and_page_on_stdin(tmp_path):
    import gzip
    import io

    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(news_page().encode("utf-8")))
    [article] = CorpusReader([path])
    assert_story_only(article.body)
    [from_stdin] = CorpusReader(["-"], stdin=io.BytesIO(news_page().encode("utf-8")))
    assert (from_stdin.id, from_stdin.date) == ("stdin", dt.date(2019, 3, 17))


def test_story_with_a_single_paragraph_in_divs():
    story = [STORY[0] + " " + STORY[1]]
    html = news_page(story=story).replace("<p>" + story[0], "<div>" + story[0])
    article, _ = read(html)
    assert story[0] in article.body


def test_tidy_body_drops_what_a_story_never_is():
    from searcher.ingest.htmlpage import _tidy_body

    links = {"طباعة الخبر", "أرسل لصديق", "مهرجان للتراث الشعبي في الرقة", "الوزارة"}
    text = "\n".join(
        [
            f"| {TITLE} | الأحد، 17 آذار 2019 - 10:45 |",  # a layout table's header row
            STORY[0],
            "اقرأ أيضاً: مهرجان للتراث الشعبي في الرقة",
            "- مهرجان للتراث الشعبي في الرقة",  # a leftover related list
            "وقالت الوزارة في بيان إن العمل مستمر.",  # a link inside a sentence stays
            "طباعة الخبر | أرسل لصديق |",
            STORY[1],
            "الآراء الواردة أدناه لا تعبر عن رأي الموقع",
            "جميع الحقوق محفوظة © 2019",
        ]
    )
    assert _tidy_body(text, TITLE, links).split("\n") == [STORY[0], "وقالت الوزارة في بيان إن العمل مستمر.", STORY[1]]


def test_a_disclaimer_inside_the_story_is_kept():
    from searcher.ingest.htmlpage import _tidy_body

    quoted = "وقال المتحدث إن هذه التصريحات لا تعبر عن رأي الحكومة."
    assert _tidy_body(f"{quoted}\n{STORY[0]}", TITLE, set()) == f"{quoted}\n{STORY[0]}"
