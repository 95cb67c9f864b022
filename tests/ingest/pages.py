"""Arabic news pages and WARC captures built for the tests: a story wrapped in real-looking chrome.

Everything in CHROME must stay out of an extracted body; every paragraph of STORY
must be in it.
"""

from __future__ import annotations

import io
from html import escape

TITLE = "افتتاح جسر جديد على نهر الفرات في دير الزور"
SITE = "شبكة أخبار الفرات"
STORY = [
    "افتتحت السلطات المحلية في مدينة دير الزور، صباح الأحد، جسراً جديداً يربط ضفتي نهر الفرات، "
    "بعد أشهر من أعمال الإنشاء التي تأخرت بسبب نقص مواد البناء.",
    "وقال مدير الخدمات الفنية في المحافظة إن الجسر يبلغ طوله نحو ثلاثمئة متر، ويتسع لمرور الشاحنات "
    "الثقيلة، مما سيختصر الطريق بين الريف الشرقي ومركز المدينة بأكثر من ساعة.",
    "ويعتمد آلاف المزارعين على هذا المعبر لنقل محاصيلهم من القمح والقطن إلى الأسواق، إذ كانوا "
    "يضطرون خلال السنوات الماضية إلى استخدام العبّارات النهرية.",
    "وأشار سكان من بلدة الميادين إلى أن افتتاح الجسر سيخفف من كلفة النقل، مطالبين بإصلاح الطرق "
    "الفرعية المؤدية إليه قبل حلول فصل الشتاء.",
]
MENU = ["الرئيسية", "سياسة", "اقتصاد", "رياضة", "منوعات", "اتصل بنا"]
TICKER = "عاجل: انقطاع التيار الكهربائي عن أحياء في مدينة الحسكة"
SHARE = ["شارك على فيسبوك", "شارك على تويتر", "أرسل عبر واتساب"]
READ_ALSO = "وزارة النقل تعلن خطة لصيانة الطرق الدولية"
RELATED = ["ارتفاع منسوب مياه الفرات يهدد الأراضي الزراعية", "مهرجان للتراث الشعبي في مدينة الرقة"]
MOST_READ = ["أسعار الذهب تتراجع في الأسواق المحلية", "افتتاح معرض الكتاب في حلب بمشاركة واسعة"]
COMMENTS = [
    "مشروع ممتاز ننتظره منذ سنوات طويلة، شكراً لكل من عمل عليه بإخلاص",
    "نتمنى أن يتم الاهتمام بالطرق الريفية أيضاً لأنها في حالة سيئة جداً",
]
TAGS = ["جسور", "البنية التحتية"]
NEWSLETTER = "اشترك في نشرتنا البريدية اليومية ليصلك كل جديد"
FOOTER = "جميع الحقوق محفوظة لشبكة أخبار الفرات ٢٠١٩"
DISCLAIMER = "التعليقات المنشورة لا تعبر عن رأي الموقع وإنما تعبر عن رأي أصحابها"
CHROME = [*MENU[1:], TICKER, *SHARE, READ_ALSO, *RELATED, *MOST_READ, *COMMENTS, NEWSLETTER, FOOTER, DISCLAIMER]


def news_page(
    *,
    title: str = TITLE,
    story: list[str] = STORY,
    charset: str | None = "utf-8",
    published: str | None = "2019-03-17",
    printed_date: str | None = None,
    canonical: str | None = "https://furat.example/news/bridge-1234",
    site: str | None = SITE,
    xml_declaration: bool = False,
) -> str:
    """A full page: head metadata, menus, ticker, share bar, the story with an inline
    "read also" link, tags, related and most-read lists, comments, newsletter, footer."""
    head = []
    if charset:
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    head.append(f"<title>{escape(title)} - {escape(site or 'أخبار')}</title>")
    if site:
        head.append(f'<meta property="og:site_name" content="{escape(site)}">')
        head.append(f'<meta property="og:title" content="{escape(title)}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}T09:15:00+03:00">')
    paragraphs = [f"<p>{escape(p)}</p>" for p in story]
    paragraphs.insert(2, f'<p><strong>اقرأ أيضاً: <a href="/news/77">{escape(READ_ALSO)}</a></strong></p>')
    date_line = f'<span class="post-date">{escape(printed_date)}</span>' if printed_date else ""
    page = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>{''.join(head)}<link rel="stylesheet" href="/style.css"><script>window.dataLayer = [];</script></head>
<body>
<header class="site-header"><div class="logo"><a href="/">{escape(site or "")}</a></div>
<nav class="main-nav"><ul>{''.join(f'<li><a href="/s/{i}">{escape(m)}</a></li>' for i, m in enumerate(MENU))}</ul></nav>
<div class="breaking-news-ticker"><span>{escape(TICKER)}</span></div></header>
<main class="content">
<article class="post">
<h1 class="entry-title">{escape(title)}</h1>
<div class="entry-meta">{date_line} <span class="author">محرر الشؤون المحلية</span></div>
<div class="share-buttons">{''.join(f'<a href="#">{escape(s)}</a>' for s in SHARE)}</div>
<div class="entry-content">{''.join(paragraphs)}</div>
<div class="post-tags">الوسوم: {''.join(f'<a href="/tag/{i}">{escape(t)}</a>' for i, t in enumerate(TAGS))}</div>
</article>
<section class="related-posts"><h3>أخبار ذات صلة</h3><ul>{''.join(f'<li><a href="/r/{i}">{escape(r)}</a></li>' for i, r in enumerate(RELATED))}</ul></section>
<section id="comments" class="comments-area"><h3>التعليقات</h3>
<p class="comments-note">{escape(DISCLAIMER)}</p>
<ol class="comment-list">{''.join(f'<li class="comment"><b>زائر</b><p>{escape(c)}</p></li>' for c in COMMENTS)}</ol></section>
</main>
<aside class="sidebar"><div class="widget most-read"><h3>الأكثر قراءة</h3><ul>{''.join(f'<li><a href="/m/{i}">{escape(m)}</a></li>' for i, m in enumerate(MOST_READ))}</ul></div>
<div class="widget newsletter"><p>{escape(NEWSLETTER)}</p><form><input type="email"><button>اشترك</button></form></div></aside>
<footer class="site-footer"><p>{escape(FOOTER)}</p><a href="/about">من نحن</a> | <a href="/privacy">سياسة الخصوصية</a></footer>
</body>
</html>
"""
    if xml_declaration:
        page = f'<?xml version="1.0" encoding="{charset or "utf-8"}"?>\n' + page
    return page


def assert_story_only(body: str, story: list[str] = STORY) -> None:
    """The body holds every story paragraph, in order, and nothing of the chrome."""
    lines = body.split("\n")
    assert lines == story, body
    for text in CHROME:
        assert text not in body, f"chrome in body: {text}"


def write_warc(stream, records, *, gzip: bool = True) -> list[int]:
    """Write ``records`` with warcio after a warcinfo record; returns the byte offset of each of ``records``.

    A record is (kind, uri, payload bytes, HTTP headers list or None, HTTP status line, extra WARC headers).
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(stream, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "searcher tests"}))
    offsets = []
    for kind, uri, payload, headers, status, warc_headers in records:
        offsets.append(stream.tell())
        warc_headers = dict(warc_headers or {})
        if kind == "revisit":
            writer.write_record(writer.create_revisit_record(uri, "sha1:" + "A" * 32, uri, "2024-05-01T10:00:00Z"))
            continue
        http = None
        if headers is not None:
            if kind == "request":
                http = StatusAndHeaders(status, headers, is_http_request=True)
            else:
                http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        content_type = warc_headers.pop("Content-Type", None)
        record = writer.create_warc_record(
            uri, kind, payload=io.BytesIO(payload), http_headers=http, warc_headers_dict=warc_headers,
            warc_content_type=content_type or "",
        )
        writer.write_record(record)
    return offsets


def html_response(uri: str, html: bytes, content_type: str = "text/html; charset=utf-8", date: str | None = None, extra=()):
    warc_headers = {"WARC-Date": date} if date else None
    return ("response", uri, html, [("Content-Type", content_type), *extra], "200 OK", warc_headers)
