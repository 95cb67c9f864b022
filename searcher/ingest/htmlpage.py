"""Saved news pages (HTML): the story's text and metadata, without the page around it.

A news page is mostly chrome: menus, breaking-news tickers, share buttons,
"related articles" lists, comment sections, footers. The story is found with
trafilatura, a boilerplate remover made for news and blog pages. Measured on
Arabic pages (``benchmarks/extraction.py``) against readability-lxml, goose3 and
jusText, it was the only one that never lost story text (recall 1.0 on every
layout; readability-lxml drops a lead paragraph set apart), it did best on a real
page, and it reads the metadata too. Its misses are chrome it keeps, so two cheap
steps follow it: elements whose class or id names them as chrome (comments,
share bars, related lists …) are removed first, and lines that are whole links,
"read also" pointers or trailing disclaimers are dropped after.

Metadata comes from the page's own markup: title, canonical URL, site name; the
publication date from the page's metadata, else a date printed near the story
(Arabic month names included), else the fallback the caller gives (the capture
date of a WARC record, the saved file's modification time).

The extraction libraries are imported on first use, so commands that read no
HTML never pay for importing them.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from searcher.ingest.dates import find_date, parse_date
from searcher.ingest.decode import UTF8_BOM, clean_controls, decode_bytes, has_utf16_bom
from searcher.models import Article, Problem

#: Why a page yields no Article: it holds no story (a section front, a page of links).
NO_STORY = "no article text found"
#: How far into a page its <meta charset> is looked for (the HTML standard says 1024 bytes; pages exceed it).
CHARSET_SCAN_BYTES = 8192

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_:.+-]+)""", re.I)
# Browsers read pages labelled Latin-1 or ASCII as Windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1", "ascii", "us-ascii", "iso-ir-100", "cp819"}
# Elements that print a story's date, by class or id, on the sites seen so far.
_DATE_HINT = re.compile(r"date|time|publish|posted|tmstmp|byline|meta|تاريخ", re.I)
_DATE_XPATH = "//time | //*[@itemprop='datePublished'] | //body//*[@class or @id]"
_MAX_DATE_CANDIDATES = 300
_HEADINGS_XPATH = "//h1 | //h2 | //h3 | //b | //strong | //*[contains(@class, 'title') or contains(@class, 'headline')]"
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:»«]+\s+|\s*::\s*")
# Class or id words that name page chrome: comment threads, share bars, related and
# most-read lists, tags, newsletter and cookie boxes. A word counts when it is a whole
# part of a class token ("related-posts", "post_tags"), or followed only by layout words
# ("comments-area", "share-buttons"); WordPress's taxonomy classes ("tag-syria") do not.
_CHROME_WORDS = frozenset(
    "share sharing sharedaddy addthis social related relatedposts readalso read-also more-news mostread "
    "most-read popular trending newsletter subscribe subscription breadcrumb breadcrumbs ticker breaking "
    "tags tagcloud cookie cookies respond disqus".split()
)
_LAYOUT_WORDS = frozenset(
    "area list box section wrapper wrap container block widget bar buttons links icons title items holder "
    "posts articles news stories content module panel slider carousel grid".split()
)
_CLASS_PARTS = re.compile(r"[-_]+")
#: Lines that introduce a link to another story inside the body («اقرأ أيضاً: …»).
_READ_ALSO = re.compile(
    r"^\W*(?:(?:ا|إ)قرأ|شاهد|طالع)\s+(?:ايضا|أيضا|أيضاً|أيضًا|ايضاً)|^\W*read (?:also|more)\b", re.I
)
#: Disclaimers and legal lines that follow a story: comment policies, copyright, "opinions are the writer's".
_TRAILING_BOILERPLATE = re.compile(
    r"لا\s+تعب[ّ]?ر\s+(?:بالضرورة\s+)?عن\s+(?:رأي|راي|وجهة)|جميع\s+الحقوق\s+محفوظة|سياسة\s+الخصوصية|شروط\s+(?:الاستخدام|استخدام)"
    r"|تعب[ّ]?ر\s+عن\s+(?:رأي|آراء)\s+(?:كاتب|أصحاب)|all rights reserved",
    re.I,
)
_MAX_TRAILING_LINE = 400
_CELL_SEPARATORS = re.compile(r"\s+[|•·]\s+|\s*\|\s*")


@dataclass(frozen=True, slots=True)
class PageText:
    """What a page says about its story; every field may be missing."""

    title: str | None
    body: str
    date: dt.date | None
    source: str | None
    url: str | None
    category: str | None


def read_html_page(
    data: bytes,
    *,
    id: str,
    origin: str,
    url: str | None = None,
    http_charset: str | None = None,
    fallback_date: dt.date | None = None,
) -> tuple[Article | None, list[Problem]]:
    """One saved page as an Article (None, with a skipped Problem, when it holds no story).

    ``url`` is where the page was fetched from (a WARC record's target URI) and
    is used when the page names no canonical URL; ``http_charset`` is the charset
    of the HTTP response, which outranks the page's own declaration as in browsers.
    """
    text, problems = decode_html(data, http_charset=http_charset, location=origin)
    if text is None:
        return None, problems
    page = extract_page(text, url=url)
    if page is None or not page.body.strip():
        return None, [*problems, Problem(origin, NO_STORY)]
    article = Article(
        id=id,
        title=" ".join((page.title or "").split()),
        body=page.body,
        date=page.date or fallback_date,
        source=page.source,
        category=page.category,
        url=page.url or url,
        origin=origin,
    )
    return article, problems


def decode_html(
    data: bytes, *, http_charset: str | None = None, location: str = ""
) -> tuple[str | None, list[Problem]]:
    """The page as text: a BOM, then the HTTP charset, then the page's declaration, then a guess.

    A page declared (or guessed) as UTF-8 with a few broken bytes is read as a
    browser would, with U+FFFD in their place and a warning.
    """
    if data.startswith(UTF8_BOM) or has_utf16_bom(data):
        decoded = decode_bytes(data, detect_binary=False)
        if decoded.text is None:
            return None, [Problem(location, decoded.error or "undecodable page")]
        return decoded.text, []

    declared = None  # the label that decides, when it names a known encoding
    for label in (http_charset, _declared_charset(data)):
        encoding = _encoding_for_label(label)
        if encoding is None:
            continue
        declared = label.strip()  # type: ignore[union-attr]
        if encoding == "utf-8":
            break
        if _is_valid_utf8_beyond_ascii(data):
            # Non-ASCII text that is valid UTF-8 is UTF-8: legacy Arabic (or Latin) text is
            # never valid UTF-8 by chance. Pages re-saved as UTF-8 keep their old label, and
            # servers label pages Latin-1 by default.
            return clean_controls(data.decode("utf-8")), [Problem(location, mislabelled(declared, "UTF-8"), skipped=False)]
        return clean_controls(data.decode(encoding, "replace")), []

    try:
        return clean_controls(data.decode("utf-8")), []
    except UnicodeDecodeError:
        pass
    decoded = decode_bytes(data, detect_binary=False)
    if decoded.text is not None:  # Windows-1256, recognised by its Arabic letters
        if declared is not None and decoded.warning:
            return decoded.text, [Problem(location, mislabelled(declared, "Windows-1256"), skipped=False)]
        return decoded.text, [Problem(location, decoded.warning or "", skipped=False)] if decoded.warning else []
    text = data.decode("utf-8", "replace")
    invalid = text.count("\ufffd")
    return clean_controls(text), [Problem(location, f"{invalid} invalid UTF-8 byte(s) replaced", skipped=False)]


def mislabelled(declared: str, actual: str) -> str:
    """The warning for text whose declared encoding is not the one it is in.

    >>> mislabelled("windows-1256", "UTF-8")
    'declares windows-1256 but is UTF-8; read as UTF-8'
    """
    return f"declares {declared} but is {actual}; read as {actual}"


def _declared_charset(data: bytes) -> str | None:
    head = data[:CHARSET_SCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _encoding_for_label(label: str | None) -> str | None:
    """The Python codec for a charset label, with the browsers' substitutions; None if unknown."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    if label.startswith("utf-16") or label.startswith("utf16"):
        return "utf-8"  # a page that is bytes here cannot be UTF-16 without a BOM; browsers read UTF-8
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "utf-8" if name == "utf-8" else name


def _is_valid_utf8_beyond_ascii(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def extract_page(html: str, *, url: str | None = None) -> PageText | None:
    """The story and metadata of a page's HTML; None when it cannot be parsed at all."""
    trafilatura = _trafilatura()
    tree = trafilatura.load_html(html)
    if tree is None:
        return None
    _prune_chrome(tree)
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            # Only dates the page states (metadata, <time>, the URL): the "extensive"
            # search guesses from any number in the text, e.g. the copyright year.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (ValueError, TypeError):
        return None
    if document is None:
        return None
    title = _choose_title(tree, document.title, document.sitename)
    links = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    body = _tidy_body(document.text or "", title, links)
    canonical = document.url if _is_web_url(document.url) else None
    date = _iso_date(document.date) or _printed_date(tree)
    source = document.sitename or document.author or _host(canonical or url)
    categories = [c for c in (document.categories or []) if c and c.strip()]
    return PageText(
        title=title,
        body=body,
        date=date,
        source=" ".join(source.split()) if source else None,
        url=canonical,
        category=categories[0].strip() if categories else None,
    )


def _printed_date(tree: Any) -> dt.date | None:
    """A date printed in an element named like a date (class or id), e.g. «الأربعاء، 28 آب/اغسطس 2013»."""
    candidates = 0
    for element in tree.xpath(_DATE_XPATH):
        names = f"{element.get('class', '')} {element.get('id', '')} {element.get('itemprop', '')}"
        if element.tag != "time" and not _DATE_HINT.search(names):
            continue
        candidates += 1
        if candidates > _MAX_DATE_CANDIDATES:
            break
        for attribute in ("datetime", "content"):
            value = element.get(attribute)
            if value:
                date = parse_date(value)
                if date is not None:
                    return date
        text = " ".join(element.text_content().split())
        if 0 < len(text) <= 120:
            date = find_date(text)
            if date is not None:
                return date
    return None


def _prune_chrome(tree: Any) -> None:
    """Drop the elements whose class or id names them as chrome, unless they hold the story (an <h1>)."""
    doomed = []
    for element in tree.xpath("//body//*[@class or @id]"):
        if element.tag in ("body", "html", "main", "article"):
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}".lower().split()
        if any(_names_chrome(name) for name in names) and not element.xpath(".//h1"):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _names_chrome(token: str) -> bool:
    """
    >>> [_names_chrome(t) for t in ("comments-area", "fbcomment", "most-read", "post_tags", "tag-syria", "entry-content")]
    [True, True, True, True, False, False]
    """
    if "comment" in token or "disqus" in token:
        return True
    parts = [part for part in _CLASS_PARTS.split(token) if part]
    for position, part in enumerate(parts):
        for size, word in ((1, part), (2, "-".join(parts[position : position + 2]))):
            if word in _CHROME_WORDS and all(rest in _LAYOUT_WORDS for rest in parts[position + size :]):
                return True
    return False


def _choose_title(tree: Any, extracted: str | None, sitename: str | None) -> str | None:
    """The headline: og:title, else the part of <title> that the page prints as a heading.

    ``<title>`` usually adds the site's name ("headline - site" or "site | headline"),
    which a headline search should not see.
    """
    for xpath in ("//meta[@property='og:title']/@content", "//meta[@name='twitter:title']/@content"):
        values = [" ".join(v.split()) for v in tree.xpath(xpath) if v.strip()]
        if values:
            return values[0]
    titles = [" ".join(t.text_content().split()) for t in tree.xpath("//head/title | //title")]
    page_title = next((t for t in titles if t), None)
    if not page_title:
        return extracted
    headings = {
        " ".join(h.text_content().split())
        for h in tree.xpath(_HEADINGS_XPATH)
    }
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(page_title) if part.strip()]
    if page_title in headings or len(parts) < 2:
        return page_title
    for part in parts:
        if part in headings:
            return part
    if sitename:
        rest = [part for part in parts if part != sitename]
        if len(rest) == 1:
            return rest[0]
    return max(parts, key=len)


def _tidy_body(text: str, title: str | None, links: set[str]) -> str:
    """One line per paragraph, without what a story never is.

    Dropped: the title repeated on top, "read also" lines, lines that are a whole
    link (leftovers of menus and headline lists) and trailing disclaimers.
    """
    lines = [" ".join(line.split()) for line in clean_controls(text).splitlines()]
    lines = [line for line in lines if line and not _READ_ALSO.match(line) and not _only_links(line, links)]
    title = " ".join((title or "").split())
    # A layout table's first row often repeats the headline with the date: «| العنوان | 2 أغسطس 2015 |».
    if lines and title and all(part == title or _is_date_line(part) for part in _cells(lines[0])):
        lines.pop(0)
    while lines and len(lines[-1]) <= _MAX_TRAILING_LINE and _TRAILING_BOILERPLATE.search(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _cells(line: str) -> list[str]:
    """The parts of a line that trafilatura rendered from a table row or a bar of links."""
    return [part for part in _CELL_SEPARATORS.split(line.strip("|•· -")) if part]


def _only_links(line: str, links: set[str]) -> bool:
    """Whether a line is nothing but links: a leftover menu, headline list or «طباعة | أرسل لصديق» bar."""
    return all(part in links for part in _cells(line))


def _is_date_line(text: str) -> bool:
    return len(text) <= 60 and find_date(text) is not None


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _is_web_url(value: str | None) -> bool:
    return bool(value) and urlsplit(value).scheme in ("http", "https")  # type: ignore[arg-type]


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


@cache
def _trafilatura() -> Any:
    """trafilatura, imported on first use; its loggers get a NullHandler so nothing reaches stderr unasked."""
    import trafilatura

    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).addHandler(logging.NullHandler())
    return trafilatura
