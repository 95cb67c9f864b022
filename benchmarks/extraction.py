"""Which library finds the story on an Arabic news page, and how fast saved pages and WARC files read.

Part 1 measures body precision and recall of article extractors: trafilatura (three
settings), readability-lxml, goose3, jusText and, as a floor, all the page's text.
Pages are built from real articles of the shared corpora (read in place, never
copied into the repository) wrapped in seven kinds of Arabic news-site layout and
chrome: menus, breaking-news tickers, share buttons, inline "read also" boxes,
related and most-read lists, tags, comment threads (one longer than the story),
author boxes, newsletter boxes, cookie banners, footers; one kind is a legacy
Windows-1256 table layout. With ``--real-pages DIR``, saved
real pages (``NAME.html`` with the story's text in ``NAME.txt``) are measured too.

Precision is the share of the extracted words that belong to the story, recall
the share of the story's words extracted (multisets of words, per page, averaged
over pages). "Leaks" counts pages whose extracted body contains any chrome text.
The same run measures this project's own reader (``searcher.ingest``): body
precision/recall and how often it gets the title and the date right.

Part 2 measures throughput: the same articles read by ``CorpusReader`` as JSON
Lines, as one HTML file each, and as one WARC.gz file (with request records and
non-HTML responses around the pages, as crawlers write them); the figures are
ratios to JSON Lines measured in the same run, so a busy machine does not skew them.

Usage (needs the ``bench`` extra for the libraries compared)::

    .venv/bin/python benchmarks/extraction.py [--articles 150] [--real-pages DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import html as html_escape
import io
import itertools
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPORA = REPO.parent / "shared" / "corpora"

from searcher.ingest import CorpusReader  # noqa: E402
from searcher.ingest.htmlpage import read_html_page  # noqa: E402
from searcher.normalise import normalise  # noqa: E402

SECTIONS = ["الرئيسية", "أخبار", "سياسة", "اقتصاد", "رياضة", "ثقافة وفنون", "تكنولوجيا", "صحة", "منوعات", "رأي", "فيديو", "صور"]
SHARE = ["شارك", "فيسبوك", "تويتر", "واتساب", "تيليغرام", "لينكدإن", "نسخ الرابط", "طباعة"]
FOOTER_LINKS = ["من نحن", "اتصل بنا", "سياسة الخصوصية", "شروط الاستخدام", "أعلن معنا", "خريطة الموقع", "الأرشيف"]
COMMENTERS = ["أبو محمد", "سارة العلي", "خالد من حلب", "متابع", "أحمد الشمري", "نور الهدى", "زائر", "عمر"]
SITES = [
    ("شبكة الأخبار العربية", "akhbar.example"),
    ("صحيفة الوطن اليوم", "alwatan.example"),
    ("بوابة الشرق", "alsharq.example"),
    ("الموقع الإخباري", "news.example"),
    ("جريدة الصباح", "assabah.example"),
]
LEVANTINE_MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
EGYPTIAN_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]


@dataclass
class Story:
    id: str
    title: str
    date: str | None
    url: str
    paragraphs: list[str]

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Chrome:
    """Real Arabic text from other articles, used as the page's non-story parts."""

    headlines: list[str]
    comments: list[str]
    tags: list[str]


@dataclass
class Page:
    name: str
    template: str
    html: str  # the page as text (what the libraries get)
    raw: bytes  # the page as bytes in its declared encoding (what searcher gets)
    story: Story
    chrome_texts: list[str] = field(default_factory=list)


# -- building pages ---------------------------------------------------------------------------


def load_stories(count: int, seed: int) -> tuple[list[Story], list[Story]]:
    """``count`` stories (half per corpus) and a pool of others whose text makes the chrome."""
    rng = random.Random(seed)
    per_corpus = []
    for name in ("ant-news", "saudinewsnet"):
        path = CORPORA / name / "articles.jsonl.gz"
        if not path.exists():
            sys.exit(f"{path} not found: the benchmark reads the shared corpora beside the repository")
        records = []
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in itertools.islice(lines, 20000):
                record = json.loads(line)
                if record["title"] and 500 <= len(record["body"]) <= 6000:
                    records.append(record)
        rng.shuffle(records)
        per_corpus.append([_story(record) for record in records[: count + 200]])
    picked = [story for pair in zip(*(stories[:count] for stories in per_corpus)) for story in pair][:count]
    others = [story for stories in per_corpus for story in stories[count:]]
    return picked, others


def _story(record: dict) -> Story:
    paragraphs = [" ".join(p.split()) for p in record["body"].split("\n") if p.strip()]
    if len(paragraphs) == 1:
        # One-paragraph bodies (half of saudinewsnet) get paragraphs of about three sentences.
        sentences = re.split(r"(?<=[.!؟])\s+", paragraphs[0])
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return Story(record["id"], " ".join(record["title"].split()), record["date"], record["url"] or "", paragraphs)


def make_chrome(others: list[Story], rng: random.Random) -> Chrome:
    picks = rng.sample(others, 16)
    comments = []
    for story in picks[10:14]:
        words = story.paragraphs[-1].split()
        start = rng.randrange(max(1, len(words) - 25))
        comments.append(" ".join(words[start : start + rng.randint(12, 25)]))
    tags = [word for story in picks[14:] for word in story.title.split() if len(word) > 3][:5]
    return Chrome(headlines=[story.title for story in picks[:10]], comments=comments, tags=tags)


def esc(text: str) -> str:
    return html_escape.escape(text, quote=True)


def arabic_date(iso: str | None, months: list[str], rng: random.Random) -> str:
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.split("-"))
    import datetime as dt

    weekday = WEEKDAYS[dt.date(year, month, day).weekday()]
    return f"{weekday}، {day} {months[month - 1]} {year} - {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def _menu(rng: random.Random) -> str:
    items = "".join(f'<li><a href="/section/{i}">{esc(name)}</a></li>' for i, name in enumerate(SECTIONS))
    return f'<nav class="main-menu"><ul>{items}</ul></nav>'


def _share(css: str = "share-buttons") -> str:
    items = "".join(f'<li><a href="#" class="share-{i}">{esc(label)}</a></li>' for i, label in enumerate(SHARE))
    return f'<div class="{css}"><ul>{items}</ul></div>'


def _related(headlines: list[str], label: str = "أخبار ذات صلة", css: str = "related-posts") -> str:
    items = "".join(f'<li><a href="/news/{i}">{esc(h)}</a></li>' for i, h in enumerate(headlines))
    return f'<div class="{css}"><h3>{esc(label)}</h3><ul>{items}</ul></div>'


def _comments_wp(comments: list[str], rng: random.Random) -> str:
    items = "".join(
        f'<li class="comment"><div class="comment-author"><b>{esc(rng.choice(COMMENTERS))}</b> يقول:</div>'
        f'<div class="comment-content"><p>{esc(text)}</p></div><a class="reply" href="#">رد</a></li>'
        for text in comments
    )
    return (
        f'<div id="comments" class="comments-area"><h3 class="comments-title">{len(comments)} تعليقات</h3>'
        f'<ol class="comment-list">{items}</ol><div id="respond"><h3>أضف تعليقاً</h3>'
        '<p>لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</p>'
        '<form><textarea name="comment"></textarea><input type="submit" value="إرسال التعليق"></form></div></div>'
    )


def _footer(site: str) -> str:
    links = " | ".join(f'<a href="/p/{i}">{esc(label)}</a>' for i, label in enumerate(FOOTER_LINKS))
    return f'<footer class="site-footer"><div class="links">{links}</div><p>جميع الحقوق محفوظة © {esc(site)} 2019</p></footer>'


def _head(story: Story, site: str, host: str, charset: str = "utf-8", metadata: bool = True) -> str:
    meta = ""
    if metadata:
        meta = (
            f'<meta property="og:title" content="{esc(story.title)}"><meta property="og:site_name" content="{esc(site)}">'
            f'<link rel="canonical" href="https://{host}/news/{esc(story.id)}">'
        )
        if story.date:
            meta += f'<meta property="article:published_time" content="{story.date}T10:30:00+03:00">'
    return (
        f'<head><meta charset="{charset}"><title>{esc(story.title)} | {esc(site)}</title>{meta}'
        '<link rel="stylesheet" href="/css/main.css"><script>var ads = window.ads || [];</script></head>'
    )


def template_wordpress(story: Story, chrome: Chrome, rng: random.Random) -> tuple[str, str]:
    site, host = SITES[0]
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in story.paragraphs)
    tags = "".join(f'<a rel="tag" href="/tag/{i}">{esc(t)}</a>' for i, t in enumerate(chrome.tags))
    date = f'<time class="entry-date" datetime="{story.date}T10:30:00+03:00">{arabic_date(story.date, EGYPTIAN_MONTHS, rng)}</time>' if story.date else ""
    page = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl">{_head(story, site, host)}<body class="single-post">'
        f'<header id="masthead"><div class="logo"><a href="/">{esc(site)}</a></div>{_menu(rng)}</header>'
        f'<div class="breadcrumbs"><a href="/">الرئيسية</a> » <a href="/section/1">أخبار</a></div>'
        f'<main id="main"><article class="post"><header class="entry-header"><h1 class="entry-title">{esc(story.title)}</h1>'
        f'<div class="entry-meta">بواسطة <span class="author">فريق التحرير</span> {date}</div></header>'
        f'{_share()}<div class="entry-content">{paragraphs}</div>'
        f'<div class="tags-links">الوسوم: {tags}</div>{_share("share-bottom")}</article>'
        f'{_related(chrome.headlines[:4])}{_comments_wp(chrome.comments, rng)}</main>'
        f'<aside id="secondary"><section class="widget">{_related(chrome.headlines[4:9], "الأكثر قراءة", "most-read")}</section>'
        '<section class="widget newsletter"><h3>النشرة البريدية</h3><p>اشترك في النشرة البريدية ليصلك أهم الأخبار يومياً</p>'
        '<form><input type="email"><button>اشترك</button></form></section></aside>'
        f'{_footer(site)}</body></html>'
    )
    return page, "utf-8"


def template_legacy_tables(story: Story, chrome: Chrome, rng: random.Random) -> tuple[str, str]:
    """A 2000s layout: tables, <font>, <br><br> between paragraphs, Windows-1256, no metadata."""
    site, host = SITES[1]
    body = "<br><br>\n".join(esc(p) for p in story.paragraphs)
    menu = " | ".join(f'<a href="/sec{i}.asp"><font color="white">{esc(s)}</font></a>' for i, s in enumerate(SECTIONS))
    side = "".join(f'<tr><td class="side"><a href="/news{i}.asp">{esc(h)}</a></td></tr>' for i, h in enumerate(chrome.headlines[:8]))
    page = (
        '<html dir="rtl"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        f"<title>{esc(site)} - {esc(story.title)}</title></head><body bgcolor=\"#ffffff\">"
        f'<table width="100%"><tr><td bgcolor="#003366">{menu}</td></tr></table>'
        '<table width="100%"><tr><td width="75%" valign="top">'
        f'<font size="5"><b>{esc(story.title)}</b></font><br>'
        f'<td class="date"><font size="2" color="gray">{arabic_date(story.date, EGYPTIAN_MONTHS, rng)}</font></td><br><br>'
        f'<font size="3" face="Tahoma">{body}</font><br><br>'
        f'<a href="/print.asp">طباعة الخبر</a> | <a href="/send.asp">أرسل الخبر لصديق</a> | <a href="#">أضف تعليق</a>'
        f'</td><td width="25%" valign="top"><table><tr><td><b>آخر الأخبار</b></td></tr>{side}</table></td></tr></table>'
        f'<center><font size="1">جميع الحقوق محفوظة لـ {esc(site)} 2005 - 2019 | {" | ".join(FOOTER_LINKS[:3])}</font></center>'
        "</body></html>"
    )
    return page, "cp1256"


def template_div_soup(story: Story, chrome: Chrome, rng: random.Random) -> tuple[str, str]:
    """Paragraphs in divs, JSON-LD metadata, an inline "read also" box inside the story."""
    site, host = SITES[2]
    blocks = [f'<div class="text-block">{esc(p)}</div>' for p in story.paragraphs]
    read_also = (
        '<div class="inline-related"><span>اقرأ أيضاً:</span>'
        + "".join(f'<a href="/n/{i}">{esc(h)}</a>' for i, h in enumerate(chrome.headlines[:2]))
        + "</div>"
    )
    blocks.insert(min(2, len(blocks)), read_also)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title, "publisher": {"@type": "Organization", "name": site}}
    if story.date:
        ld["datePublished"] = f"{story.date}T08:00:00Z"
    comments = "".join(
        f'<div class="comment-box"><div class="c-name">{esc(rng.choice(COMMENTERS))}</div><div class="c-text">{esc(c)}</div></div>'
        for c in chrome.comments
    )
    page = (
        f'<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>{esc(story.title)} - {esc(site)}</title>'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>'
        '<div class="cookie-banner">يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك. <button>موافق</button></div>'
        f'<div class="top-bar">{_menu(rng)}</div>'
        f'<div class="ticker"><b>عاجل</b> ' + " ••• ".join(esc(h) for h in chrome.headlines[2:5]) + "</div>"
        f'<div class="container"><div class="col-main"><div class="article-title"><h1>{esc(story.title)}</h1></div>'
        f'{_share("social")}<div class="article-body">{"".join(blocks)}</div>'
        f'<div class="article-tags">' + "".join(f"<span>{esc(t)}</span>" for t in chrome.tags) + "</div>"
        f'<div class="comments"><div class="c-head">التعليقات ({len(chrome.comments)})</div>{comments}</div></div>'
        f'<div class="col-side">{_related(chrome.headlines[5:10], "الأكثر قراءة", "most-read")}'
        '<div class="newsletter">اشترك في نشرتنا الإخبارية ليصلك كل جديد</div></div></div>'
        f"{_footer(site)}</body></html>"
    )
    return page, "utf-8"


def template_semantic(story: Story, chrome: Chrome, rng: random.Random) -> tuple[str, str]:
    """HTML5 article/aside/nav/footer, <time>, a figure with a caption, related cards with summaries."""
    site, host = SITES[3]
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in story.paragraphs)
    cards = "".join(
        f'<article class="card"><h3><a href="/a/{i}">{esc(h)}</a></h3><p class="summary">{esc(c)}</p></article>'
        for i, (h, c) in enumerate(zip(chrome.headlines[6:9], chrome.comments))
    )
    date = f'<time datetime="{story.date}">{arabic_date(story.date, EGYPTIAN_MONTHS, rng)}</time>' if story.date else ""
    page = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl">{_head(story, site, host, metadata=True)}<body>'
        f'<header><a class="brand" href="/">{esc(site)}</a>{_menu(rng)}</header>'
        f'<main><article><header><h1>{esc(story.title)}</h1><div class="byline">{date}</div></header>'
        f'<figure><img src="/img/1.jpg" alt=""><figcaption>صورة أرشيفية</figcaption></figure>'
        f"<section class=\"story\">{paragraphs}</section>"
        f'<footer class="article-footer">{_share("share")}</footer></article>'
        f'<aside class="related"><h2>قد يهمك أيضاً</h2>{cards}</aside></main>'
        f"{_footer(site)}</body></html>"
    )
    return page, "utf-8"


def template_portal(story: Story, chrome: Chrome, rng: random.Random) -> tuple[str, str]:
    """A busy portal: long menus and headline lists, Levantine month names, Facebook comments intro."""
    site, host = SITES[4]
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in story.paragraphs)
    blocks = "".join(
        f'<div class="block"><h4>{esc(section)}</h4>'
        + "".join(f'<a href="/s/{i}/{j}">{esc(h)}</a><br>' for j, h in enumerate(chrome.headlines[i % 3 : i % 3 + 4]))
        + "</div>"
        for i, section in enumerate(SECTIONS[1:6])
    )
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><title>{esc(story.title)}</title></head><body>'
        f'<div id="header"><div id="logo">{esc(site)}</div>{_menu(rng)}{_menu(rng)}</div>'
        f'<div id="breaking">' + "".join(f"<span>{esc(h)}</span>" for h in chrome.headlines[:6]) + "</div>"
        f'<div id="content"><div id="NewsTitle"><h2>{esc(story.title)}</h2></div>'
        f'<span class="news-date">{arabic_date(story.date, LEVANTINE_MONTHS, rng)}</span>'
        f'<div id="NewsStory">{paragraphs}</div>'
        f'<div class="fb-comments-intro"><p>التعليقات المنشورة لا تعبر عن رأي الموقع وإنما تعبر عن رأي أصحابها</p></div>'
        + "".join(f'<div class="fbcomment"><p>{esc(c)}</p></div>' for c in chrome.comments[:2])
        + f'</div><div id="sidebar">{blocks}</div>'
        f'<div id="footer">{" - ".join(esc(link) for link in FOOTER_LINKS)}<br>© {esc(site)}</div></body></html>'
    )
    return page, "utf-8"


def template_lead_and_comments(story: Story, chrome: Chrome, rng: random.Random) -> tuple[str, str]:
    """The lead paragraph apart from the rest, and a comment thread longer than the story."""
    site, host = SITES[0]
    lead, rest = story.paragraphs[0], story.paragraphs[1:]
    thread = "".join(
        f'<div class="comment"><span class="who">{esc(rng.choice(COMMENTERS))}</span><p>{esc(c)}</p>'
        f'<p>{esc(h)}</p><span class="votes">أعجبني 12</span></div>'
        for c, h in zip(chrome.comments * 3, chrome.headlines)
    )
    page = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl">{_head(story, site, host)}<body>{_menu(rng)}'
        f'<div class="article"><h1 class="headline">{esc(story.title)}</h1>'
        f'<div class="meta"><span class="date">{story.date or ""}</span> | <span class="section">أخبار</span></div>'
        f'<div class="lead"><p><strong>{esc(lead)}</strong></p></div>'
        f'<div class="body">' + "".join(f"<p>{esc(p)}</p>" for p in rest) + "</div>"
        f'{_share()}</div><div class="discussion"><h3>آراء القراء</h3>{thread}</div>'
        f"{_related(chrome.headlines[:5])}{_footer(site)}</body></html>"
    )
    return page, "utf-8"


def template_gallery_blog(story: Story, chrome: Chrome, rng: random.Random) -> tuple[str, str]:
    """A blog-style page: list items and a quote in the story, image captions, author box, prev/next links."""
    site, host = SITES[3]
    parts = []
    for number, paragraph in enumerate(story.paragraphs):
        if number == 1:
            parts.append(f"<blockquote><p>{esc(paragraph)}</p></blockquote>")
        elif number == 2 and len(story.paragraphs) > 4:
            parts.append(f"<ul><li>{esc(paragraph)}</li></ul>")
        else:
            parts.append(f"<p>{esc(paragraph)}</p>")
        if number == 0:
            parts.append('<div class="wp-caption"><img src="/i.jpg"><p class="wp-caption-text">صورة من الأرشيف</p></div>')
    page = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl">{_head(story, site, host)}<body><div id="page">'
        f'<div id="header">{_menu(rng)}</div><div id="content"><div class="post">'
        f'<h2 class="post-title">{esc(story.title)}</h2><div class="postmeta">نشر في {story.date or ""}</div>'
        f'<div class="post-content">{"".join(parts)}</div>'
        '<div class="author-box"><h4>عن الكاتب</h4><p>صحفي يكتب في الشؤون السياسية والاقتصادية منذ عشرين عاماً.</p></div>'
        f'<div class="post-nav"><a href="/prev">&laquo; {esc(chrome.headlines[0])}</a> <a href="/next">{esc(chrome.headlines[1])} &raquo;</a></div>'
        f'</div></div>{_related(chrome.headlines[2:8], "مواضيع مشابهة", "similar")}{_footer(site)}</div></body></html>'
    )
    return page, "utf-8"


TEMPLATES = [
    template_wordpress,
    template_legacy_tables,
    template_div_soup,
    template_semantic,
    template_portal,
    template_lead_and_comments,
    template_gallery_blog,
]


def chrome_texts(chrome: Chrome) -> list[str]:
    labels = ["اشترك في النشرة", "جميع الحقوق محفوظة", "ملفات تعريف الارتباط", "نسخ الرابط", "أرسل الخبر لصديق",
              "التعليقات المنشورة لا تعبر", "صحفي يكتب في الشؤون", "لن يتم نشر عنوان بريدك"]
    return [*chrome.headlines, *chrome.comments, *labels]


def build_pages(stories: list[Story], others: list[Story], seed: int) -> list[Page]:
    rng = random.Random(seed)
    pages = []
    for number, story in enumerate(stories):
        template = TEMPLATES[number % len(TEMPLATES)]
        chrome = make_chrome(others, rng)
        text, encoding = template(story, chrome, rng)
        raw = text.encode(encoding, "xmlcharrefreplace")
        html = raw.decode(encoding)
        pages.append(Page(f"{number:04d}-{story.id}", template.__name__.removeprefix("template_"), html, raw, story, chrome_texts(chrome)))
    return pages


def load_real_pages(folder: Path) -> list[Page]:
    pages = []
    for path in sorted(folder.glob("*.html")):
        gold = path.with_suffix(".txt")
        if not gold.exists():
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-8", "replace")
        facts_path = path.with_suffix(".json")  # optional: {"title": …, "date": "YYYY-MM-DD"}
        facts = json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.exists() else {}
        paragraphs = [line for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        story = Story(path.stem, facts.get("title", ""), facts.get("date"), "", paragraphs)
        pages.append(Page(path.stem, "real", text, raw, story))
    return pages


# -- extractors -------------------------------------------------------------------------------


def extractor_functions() -> dict[str, Callable[[str], str]]:
    import lxml.html
    import trafilatura

    def block_text(root) -> str:
        """Text of an lxml element with a line break after each block element."""
        for element in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "td", "tr", "section", "article"):
            element.tail = "\n" + (element.tail or "")
        return root.text_content()

    def with_trafilatura(**options) -> Callable[[str], str]:
        def run(html: str) -> str:
            document = trafilatura.bare_extraction(html, include_comments=False, with_metadata=False, deduplicate=False, **options)
            return document.text if document is not None and document.text else ""

        return run

    functions: dict[str, Callable[[str], str]] = {
        "trafilatura": with_trafilatura(),
        "trafilatura (favor_precision)": with_trafilatura(favor_precision=True),
        "trafilatura (favor_recall)": with_trafilatura(favor_recall=True),
    }
    try:
        from readability import Document

        functions["readability-lxml"] = lambda html: block_text(lxml.html.fromstring(Document(html).summary(html_partial=True)))
    except ImportError:
        print("readability-lxml not installed (pip install -e '.[bench]'): left out", file=sys.stderr)
    try:
        from goose3 import Goose
        from goose3.text import StopWordsArabic

        goose = Goose({"stopwords_class": StopWordsArabic, "enable_image_fetching": False})
        functions["goose3 (Arabic stop words)"] = lambda html: goose.extract(raw_html=html).cleaned_text or ""
    except ImportError:
        print("goose3 not installed (pip install -e '.[bench]'): left out", file=sys.stderr)
    try:
        import justext

        stoplist = justext.get_stoplist("Arabic")
        functions["jusText (Arabic stop list)"] = lambda html: "\n".join(
            p.text for p in justext.justext(html, stoplist) if not p.is_boilerplate
        )
    except ImportError:
        print("jusText not installed: left out", file=sys.stderr)

    if "readability-lxml" in functions:
        readability = functions["readability-lxml"]
        plain = functions["trafilatura"]

        def agreed(html: str) -> str:
            """trafilatura's lines that readability also keeps (most of their words)."""
            kept = words(readability(html))
            if not kept:
                return plain(html)
            lines = []
            for line in plain(html).splitlines():
                line_words = words(line)
                if line_words and sum((line_words & kept).values()) >= 0.8 * sum(line_words.values()):
                    lines.append(line)
            return "\n".join(lines)

        functions["trafilatura ∩ readability (lines)"] = agreed

    def everything(html: str) -> str:
        root = lxml.html.fromstring(html)
        for bad in root.xpath("//script | //style | //head"):
            bad.drop_tree()
        return block_text(root)

    functions["all page text (floor)"] = everything
    return functions


# -- measuring --------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def words(text: str) -> collections.Counter[str]:
    return collections.Counter(_WORD.findall(normalise(text)))


def precision_recall(extracted: str, gold: str) -> tuple[float, float]:
    got, want = words(extracted), words(gold)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    return precision, recall


@dataclass
class Score:
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    leaks: int = 0
    empty: int = 0
    seconds: float = 0.0

    def row(self, name: str) -> str:
        p, r = statistics.mean(self.precision), statistics.mean(self.recall)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rate = len(self.precision) / self.seconds if self.seconds else 0.0
        return f"| {name} | {p:.3f} | {r:.3f} | {f1:.3f} | {self.leaks} | {self.empty} | {rate:,.0f} |"


def measure_extractors(pages: list[Page], functions: dict[str, Callable[[str], str]]) -> dict[str, dict[str, Score]]:
    """Scores per extractor, overall ("all") and per template."""
    scores: dict[str, dict[str, Score]] = {}
    for name, function in functions.items():
        per = scores.setdefault(name, collections.defaultdict(Score))
        for page in pages:
            started = time.perf_counter()
            try:
                extracted = function(page.html)
            except Exception as exc:  # a library failing on a page counts as an empty extraction
                print(f"{name} failed on {page.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                extracted = ""
            elapsed = time.perf_counter() - started
            precision, recall = precision_recall(extracted, page.story.body)
            for key in ("all", page.template):
                score = per[key]
                score.precision.append(precision)
                score.recall.append(recall)
                score.seconds += elapsed
                score.empty += not extracted.strip()
                score.leaks += _leaks(extracted, page)
    return scores


def _leaks(extracted: str, page: Page) -> bool:
    squeezed = " ".join(extracted.split())
    return any(text in squeezed for text in page.chrome_texts if len(text) > 8)


def measure_searcher(pages: list[Page]) -> dict[str, float]:
    """This project's reader: body P/R from the page's bytes, title and date accuracy."""
    precision, recall, titles, titled, dates, dated, leaks = [], [], 0, 0, 0, 0, 0
    for page in pages:
        article, _ = read_html_page(page.raw, id=page.name, origin=page.name)
        body = article.body if article else ""
        leaks += _leaks(body, page)
        p, r = precision_recall(body, page.story.body)
        precision.append(p)
        recall.append(r)
        if page.story.title:
            titled += 1
            titles += bool(article) and normalise(article.title) == normalise(page.story.title)
        if page.story.date:
            dated += 1
            dates += bool(article) and article.date is not None and article.date.isoformat() == page.story.date
    return {
        "pages": len(pages),
        "precision": statistics.mean(precision),
        "recall": statistics.mean(recall),
        "pages_with_chrome": leaks,
        "title_exact": titles / titled if titled else float("nan"),
        "date_exact": dates / dated if dated else float("nan"),
    }


# -- throughput -------------------------------------------------------------------------------


def write_inputs(pages: list[Page], folder: Path) -> dict[str, Path]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    jsonl = folder / "articles.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        for page in pages:
            story = page.story
            record = {"id": story.id, "title": story.title, "date": story.date, "source": None, "category": None, "url": story.url, "body": story.body}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    html_dir = folder / "pages"
    html_dir.mkdir()
    for page in pages:
        (html_dir / f"{page.name}.html").write_bytes(page.raw)
    warc = folder / "crawl.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(warc.name, {"software": "benchmarks/extraction.py"}))
        for number, page in enumerate(pages):
            uri = f"https://news.example/{page.name}"
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=request))
            charset = "windows-1256" if page.template == "legacy_tables" else "utf-8"
            headers = StatusAndHeaders("200 OK", [("Content-Type", f"text/html; charset={charset}")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(page.raw), http_headers=headers))
            if number % 2 == 0:
                image = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
                payload = io.BytesIO(b"\xff\xd8\xff" + bytes(range(256)) * 80)
                writer.write_record(writer.create_warc_record(uri + ".jpg", "response", payload=payload, http_headers=image))
    return {"jsonl": jsonl, "html": html_dir, "warc": warc}


def read_all(path: Path, min_seconds: float = 0.5) -> tuple[int, float]:
    """Articles read and seconds taken, repeating the read until ``min_seconds`` passed (JSON Lines is quick)."""
    count, started = 0, time.perf_counter()
    while True:
        count += sum(1 for _ in CorpusReader([path], on_problem=lambda problem: None))
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            return count, elapsed


def measure_throughput(pages: list[Page], rounds: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="extraction-bench-") as folder:
        inputs = write_inputs(pages, Path(folder))
        read_all(inputs["html"])  # imports trafilatura and warms caches before timing
        best: dict[str, float] = {}  # articles per second, the best round
        for _ in range(rounds):
            for kind, path in inputs.items():
                count, seconds = read_all(path)
                best[kind] = max(best.get(kind, 0.0), count / seconds)
    return {
        kind: {"articles": len(pages), "per_second": best[kind], "seconds_per_article": 1 / best[kind], "vs_jsonl": best[kind] / best["jsonl"]}
        for kind in inputs
    }


# -- report -----------------------------------------------------------------------------------


def print_scores(title: str, scores: dict[str, dict[str, Score]], pages: int) -> None:
    print(f"\n### {title} ({pages} pages)\n")
    print("| extractor | precision | recall | F1 | pages with chrome | empty | pages/s |")
    print("|---|---|---|---|---|---|---|")
    for name, per in scores.items():
        print(per["all"].row(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=150, help="synthetic pages to build (default 150)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--real-pages", type=Path, help="folder of real saved pages: NAME.html with the story in NAME.txt, optionally title and date in NAME.json")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds; the best is kept (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-throughput", action="store_true", help="measure extraction quality only")
    args = parser.parse_args()

    stories, others = load_stories(args.articles, args.seed)
    pages = build_pages(stories, others, args.seed)
    functions = extractor_functions()
    results: dict = {"synthetic": {}, "templates": {}, "real": {}}

    scores = measure_extractors(pages, functions)
    print_scores("Synthetic pages from ant-news and saudinewsnet articles", scores, len(pages))
    print("\nPer template, F1 (precision / recall):\n")
    templates = [t.__name__.removeprefix("template_") for t in TEMPLATES]
    print("| extractor | " + " | ".join(templates) + " |")
    print("|---|" + "---|" * len(templates))
    for name, per in scores.items():
        cells = []
        for template in templates:
            p, r = statistics.mean(per[template].precision), statistics.mean(per[template].recall)
            cells.append(f"{2 * p * r / (p + r) if p + r else 0:.2f} ({p:.2f}/{r:.2f})")
            results["templates"].setdefault(name, {})[template] = {"precision": p, "recall": r}
        print(f"| {name} | " + " | ".join(cells) + " |")
        results["synthetic"][name] = {
            "precision": statistics.mean(per["all"].precision),
            "recall": statistics.mean(per["all"].recall),
            "leaks": per["all"].leaks,
            "empty": per["all"].empty,
            "pages_per_second": len(per["all"].precision) / per["all"].seconds,
        }

    if args.real_pages:
        real = load_real_pages(args.real_pages)
        if real:
            real_scores = measure_extractors(real, functions)
            print_scores(f"Real pages from {args.real_pages}", real_scores, len(real))
            for name, per in real_scores.items():
                results["real"][name] = {"precision": statistics.mean(per["all"].precision), "recall": statistics.mean(per["all"].recall)}
            results["real"]["searcher"] = measure_searcher(real)
            print(f"\nsearcher on real pages: {results['real']['searcher']}")

    ours = measure_searcher(pages)
    results["searcher"] = ours
    print(
        f"\n### searcher.ingest on the synthetic pages (bytes in, decoding included)\n\n"
        f"body precision {ours['precision']:.3f}, recall {ours['recall']:.3f}, "
        f"pages with chrome {ours['pages_with_chrome']}; "
        f"title exact {ours['title_exact']:.1%}, date exact {ours['date_exact']:.1%}"
    )

    if args.no_throughput:
        return
    throughput = measure_throughput(pages, args.rounds)
    results["throughput"] = throughput
    print(f"\n### Throughput, {len(pages)} articles, best of {args.rounds} rounds (CorpusReader, one process)\n")
    print("| input | articles/s | ms per article | speed vs JSON Lines |")
    print("|---|---|---|---|")
    for kind, row in throughput.items():
        print(f"| {kind} | {row['per_second']:,.0f} | {1000 * row['seconds_per_article']:.2f} | {row['vs_jsonl']:.4f}× |")

    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
