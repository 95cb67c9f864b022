"""Plain records passed between ingest, the engine and output. No engine types leak out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

#: A short, stable code for each kind of input problem, found from the message's start
#: (first match wins). Reports group and count problems by it; a message none of these
#: match is its own kind (its ``reason``).
PROBLEM_KINDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"empty (?:article|file)$", "empty"),
        (r"invalid JSON\b", "invalid JSON"),
        (r"not a JSON object\b", "not an object"),
        (r"missing field\b", "missing field"),
        (r"field '.*' must be\b", "wrong field type"),
        (r"too large for one article\b", "too long"),
        (r"(?:invalid date|impossible date|unrecognised date line)\b", "bad date"),
        (r"impossible time\b", "bad time"),
        (r"decoded as Windows-1256$", "legacy encoding"),
        (r"declares .* but is .*; read as\b", "mislabelled encoding"),
        (r"(?:not UTF-(?:8|16) text|undecodable|\d+ invalid UTF-8 byte)", "bad encoding"),
        (r"binary (?:file$|data\b)", "binary"),
        (r"unsupported file type\b", "unsupported type"),
        (r"(?:not a gzip file|truncated gzip file|corrupt gzip data)", "bad gzip"),
        (r"(?:cannot read|broken symbolic link|not a regular file)", "unreadable"),
        (r"duplicate id\b", "duplicate id"),
        (r"(?:\d+ fields where|unterminated quoted field|malformed row)", "bad row"),
        (r"no (?:body )?column\b", "no body column"),
        (r"no article text found$", "no story"),
        (r"[\d,]+ captures are not articles\b", "not articles"),
        (r"(?:damaged WARC record|truncated record|the record before ends early|the rest is not read)", "damaged WARC"),
        (r"(?:unreadable page|compressed with brotli|corrupt brotli data)", "unreadable page"),
    )
)
#: Kinds of problem where the input held nothing to index (a blank record, an empty
#: file): reported and counted apart from input that was lost.
NOTHING_TO_INDEX = frozenset({"empty"})


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from the corpus.

    ``id`` is stable across runs: the record's own id, else the file's path relative
    to the indexed root. ``related`` holds trailing boilerplate such as the
    "مقالات مقترحة" (suggested articles) headlines: kept, but never searched.
    ``origin`` says where the article was read ("corpus/a.txt", "news.jsonl:42").
    """

    id: str
    title: str
    body: str
    date: dt.date | None = None
    time: str | None = None  # "HH:MM" as printed by the source
    place: str | None = None  # dateline city, e.g. "دمشق"
    source: str | None = None
    category: str | None = None
    url: str | None = None
    related: tuple[str, ...] = ()
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input, found while reading it.

    ``location`` names the file and, where it applies, the line ("a.jsonl:17").
    ``skipped`` is True when a record or file was left out, False for a warning
    about something that was still indexed (e.g. a legacy encoding decoded).
    """

    location: str
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    @property
    def reason(self) -> str:
        """The message without its parenthesised details, to count like problems together.

        >>> Problem("a.jsonl:3", "invalid JSON (Expecting value: column 1)").reason
        'invalid JSON'
        """
        return self.message.split(" (", 1)[0]

    @property
    def kind(self) -> str:
        """A short, stable code of the problem's kind (see PROBLEM_KINDS), to group reports by.

        >>> Problem("a.jsonl:3", "invalid JSON (Expecting value: column 1)").kind
        'invalid JSON'
        >>> Problem("a.csv:9", "invalid date '31/02/2019'", skipped=False).kind
        'bad date'
        >>> Problem("a.jsonl:4", "empty article").kind
        'empty'
        """
        for pattern, kind in PROBLEM_KINDS:
            if pattern.match(self.message):
                return kind
        return self.reason

    @property
    def empty(self) -> bool:
        """True for a record or file left out because it held nothing to index.

        Such input is not lost: the summary counts it apart, and ``search index``
        does not exit 1 for it alone.
        """
        return self.skipped and self.kind in NOTHING_TO_INDEX


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of the original text with the matched words as (start, end) offsets into ``text``."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked search result."""

    rank: int
    id: str
    score: float | None  # None when sorted by date
    title: str
    date: str | None = None  # ISO "YYYY-MM-DD"
    source: str | None = None
    category: str | None = None
    url: str | None = None
    snippet: Snippet | None = None
    qid: str | None = None
    #: True for a hit with only some of the words, added after those with all of them.
    partial: bool = False
    #: Ids of the other articles of this hit's duplicate group (re-publications), folded into it.
    similar_ids: tuple[str, ...] = ()
    time: str | None = None  # "HH:MM" as printed by the source
    place: str | None = None  # dateline city


@dataclass(slots=True)
class IndexStats:
    """What one indexing run did.

    ``skipped`` counts input that held something and was left out (unreadable,
    malformed, a repeated id); ``empty`` counts records and files left out because
    they held nothing to index; ``warnings`` counts problems with input that was
    still indexed.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: int = 0
    empty: int = 0
    #: Articles deleted by id (:meth:`searcher.indexer.Indexer.delete`).
    deleted: int = 0
    seconds: float = 0.0
    skip_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def rate(self) -> float:
        """Articles processed per second."""
        return self.processed / self.seconds if self.seconds > 0 else 0.0
