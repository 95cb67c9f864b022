"""Plain records passed between ingest, the engine and output. No engine types leak out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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
    """What one indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: int = 0
    seconds: float = 0.0
    skip_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def rate(self) -> float:
        """Articles processed per second."""
        return self.processed / self.seconds if self.seconds > 0 else 0.0
