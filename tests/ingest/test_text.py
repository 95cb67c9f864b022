import datetime as dt
from pathlib import Path

import pytest

from searcher.ingest.text import parse_article_text

SEED = Path(__file__).parents[2] / "corpus" / "syria-tv-2019-02-27-baghouz.txt"
RELATED = (
    "سفير النظام في روسيا: لقاح سبوتنيك سيصل إلى سوريا هذا الشهر",
    "كورونا.. 8 إصابات جديدة في مناطق شمال غربي سوريا",
    "كورونا.. 8 وفيات و110 إصابات جديدة معظمها في اللاذقية",
)


def parse(text: str):
    return parse_article_text(text, id="a.txt", origin="corpus/a.txt")


def test_seed_article():
    article, problems = parse_article_text(
        SEED.read_text(encoding="utf-8"), id="syria-tv-2019-02-27-baghouz.txt", origin=str(SEED)
    )
    assert problems == []
    assert article.title == 'بالفيديو.. عناصر أجانب لـ"داعش" يسلّمون أنفسهم لـ"قسد"'
    assert article.date == dt.date(2019, 2, 27)
    assert article.time == "14:02"
    assert article.place == "دمشق"
    assert article.source == "تلفزيون سوريا - متابعات"
    assert article.body.startswith("نشرت شبكة إخبارية محلية")
    assert article.body.endswith('أوقفتهم "قسد".')
    assert article.related == RELATED
    for headline in RELATED:
        assert headline not in article.body
    assert "مقالات مقترحة" not in article.body
    assert "\n\n\n" not in article.body
    assert article.id == "syria-tv-2019-02-27-baghouz.txt"


@pytest.mark.parametrize(
    ("date_line", "date", "time", "place"),
    [
        ("تاريخ النشر: 27.02.2019 | 14:02 دمشق", dt.date(2019, 2, 27), "14:02", "دمشق"),
        ("تاريخ النشر: 27/02/2019 | 14:02 دمشق", dt.date(2019, 2, 27), "14:02", "دمشق"),
        ("تاريخ النشر:27-2-2019|9:05 حلب", dt.date(2019, 2, 27), "09:05", "حلب"),
        ("  تاريخ  النشر :  27 . 02 . 2019  |  14:02   دير الزور  ", dt.date(2019, 2, 27), "14:02", "دير الزور"),
        ("تاريخ النشر: ٢٧.٠٢.٢٠١٩ | ١٤:٠٢ دمشق", dt.date(2019, 2, 27), "14:02", "دمشق"),
        ("تاريخ النشر: ٢٧/٠٢/٢٠١٩", dt.date(2019, 2, 27), None, None),
        ("تاريخ النشر: 27.02.2019 | 14:02", dt.date(2019, 2, 27), "14:02", None),
        ("تاريخ النشر: 27.02.2019 بيروت", dt.date(2019, 2, 27), None, "بيروت"),
        ("تاريخ النشر: 2019-02-27 | 14:02 عمّان", dt.date(2019, 2, 27), "14:02", "عمّان"),
        ("تاريخ النشر:\u00a027.02.2019\t|\u00a014:02 -\u00a0دمشق ", dt.date(2019, 2, 27), "14:02", "دمشق"),
    ],
)
def test_date_line_variants(date_line, date, time, place):
    article, problems = parse(f"عنوان الخبر\n{date_line}\nوكالة الأنباء\nنص الخبر.")
    assert problems == []
    assert (article.date, article.time, article.place) == (date, time, place)
    assert article.source == "وكالة الأنباء"
    assert article.body == "نص الخبر."


def test_without_date_line_the_rest_is_body():
    article, problems = parse("افتتاح معرض للكتاب في عمّان\n\nوكالة الأنباء\nيستمر المعرض عشرة أيام.\n")
    assert problems == []
    assert article.title == "افتتاح معرض للكتاب في عمّان"
    assert article.date is None and article.source is None
    assert article.body == "وكالة الأنباء\nيستمر المعرض عشرة أيام."


def test_impossible_date_warns_and_keeps_the_article():
    article, problems = parse("عنوان الخبر\n\nتاريخ النشر: 31.02.2019 | 14:02 دمشق\nتلفزيون سوريا\nنص الخبر.")
    assert article is not None
    assert article.date is None
    assert (article.time, article.place, article.source) == ("14:02", "دمشق", "تلفزيون سوريا")
    assert [(p.location, p.skipped) for p in problems] == [("corpus/a.txt:3", False)]
    assert "31.02.2019" in problems[0].message


def test_impossible_time_warns():
    article, problems = parse("عنوان\nتاريخ النشر: 27.02.2019 | 25:70 دمشق\nمصدر\nنص")
    assert article.date == dt.date(2019, 2, 27) and article.time is None and article.place == "دمشق"
    assert len(problems) == 1 and not problems[0].skipped


def test_unrecognised_date_line_warns():
    article, problems = parse("عنوان\nتاريخ النشر: أمس\nمصدر\nنص")
    assert article.date is None and article.source == "مصدر" and article.body == "نص"
    assert len(problems) == 1 and not problems[0].skipped


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\u00a0\n \n"])
def test_empty_text_is_skipped(text):
    article, problems = parse(text)
    assert article is None
    assert [(p.location, p.message, p.skipped) for p in problems] == [("corpus/a.txt", "empty file", True)]


def test_body_paragraphs_are_tidied():
    text = "العنوان\n\n\nالفقرة الأولى   \n  سطر ثانٍ\n\u00a0\n \n\n\nالفقرة الثانية\t\n\n\n"
    article, _ = parse(text)
    assert article.body == "الفقرة الأولى\n  سطر ثانٍ\n\nالفقرة الثانية"


@pytest.mark.parametrize("marker", ["مقالات مقترحة", "مقالات ذات صلة", "اقرأ أيضا", "  اقرأ أيضاً  "])
def test_related_markers(marker):
    article, _ = parse(f"العنوان\nنص الخبر.\n\n{marker}\n\nعنوان مقترح أول\n  عنوان مقترح ثانٍ  \n")
    assert article.body == "نص الخبر."
    assert article.related == ("عنوان مقترح أول", "عنوان مقترح ثانٍ")


def test_marker_text_inside_a_paragraph_is_body():
    article, _ = parse("العنوان\nاقرأ أيضا ما كتبه المراسل عن الموضوع.")
    assert article.body == "اقرأ أيضا ما كتبه المراسل عن الموضوع."
    assert article.related == ()


def test_title_only_gives_an_empty_body():
    article, problems = parse("\n\n  عنوان وحيد  \n\n")
    assert problems == []
    assert (article.title, article.body) == ("عنوان وحيد", "")


def test_date_line_then_marker_has_no_source():
    article, _ = parse("العنوان\nتاريخ النشر: 01.03.2019\nمقالات مقترحة\nعنوان آخر")
    assert article.source is None
    assert article.body == ""
    assert article.related == ("عنوان آخر",)


def test_origin_and_id_are_kept():
    article, _ = parse("العنوان\nالنص")
    assert (article.id, article.origin) == ("a.txt", "corpus/a.txt")
