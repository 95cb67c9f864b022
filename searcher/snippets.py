"""Choosing and marking the passage of an article that best shows why it matched.

Pure Python over ``searcher.terms``: the original text is re-analysed, so the
passage keeps its diacritics and spelling while matches are found on folded
forms (a search for الباغوز marks البَاغُوزِ).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection
from typing import NamedTuple

from .models import Snippet
from .terms import exact_form, search_form
from .tokenize import WORD_PATTERN

ELLIPSIS = "…"
FRAGMENT_SEPARATOR = f" {ELLIPSIS} "
_WHITESPACE = re.compile(r"\s+")
_WORD_RE = re.compile(WORD_PATTERN)
#: Joins exact forms for searching them all at once; no form contains it.
_SEPARATOR = "\x00"


class _Match(NamedTuple):
    """A word of the text that the query asked for."""

    start: int
    end: int
    search: str  # its search form: distinct forms make a passage better


class _Words:
    """Where the words of a text start and end, for cutting passages on word boundaries.

    Holds the regex matches of all words; offsets are looked up by bisection,
    so only the few words at passage edges are ever asked where they are.
    """

    def __init__(self, matches: list[re.Match], length: int):
        self.matches = matches
        self.length = length

    def first_start_from(self, offset: int) -> int | None:
        """The start of the first word that begins at or after ``offset``."""
        i = bisect_left(self.matches, offset, key=re.Match.start)
        return self.matches[i].start() if i < len(self.matches) else None

    def cut_end(self, start: int, width: int) -> int:
        """The end of the last word that fits in ``width`` characters from ``start``."""
        limit = start + width
        if limit >= self.length:
            return self.length
        i = bisect_right(self.matches, limit, key=re.Match.end)
        if i and self.matches[i - 1].end() > start:
            return self.matches[i - 1].end()
        return min(self.length, limit)


def make_snippet(
    text: str,
    search_terms: Collection[str],
    exact_terms: Collection[str] = (),
    *,
    width: int = 180,
    fragments: int = 2,
) -> Snippet:
    """The passage(s) of ``text`` with the most distinct query words, matches marked.

    A word matches when its search form is in ``search_terms`` or its exact form
    is in ``exact_terms``. Up to ``fragments`` passages of about ``width``
    characters are joined with an ellipsis; a second passage is only added when
    it shows query words the first lacks. With no match, the text's opening.

    >>> s = make_snippet("خرج المئات مِن بلدة البَاغُوزِ شرق دير الزور.", {"باغوز"})
    >>> s.text
    'خرج المئات مِن بلدة البَاغُوزِ شرق دير الزور.'
    >>> [s.text[a:b] for a, b in s.spans]
    ['البَاغُوزِ']
    """
    # Every word is found and folded in C (regex, cached forms); Python only
    # looks at the words that match and at the words at the passages' edges.
    located = list(_WORD_RE.finditer(text))
    words = list(map(re.Match.group, located))
    exact = list(map(exact_form, words))
    found = _search_matches(words, exact, search_terms)
    if exact_terms:
        found.update(i for i, form in enumerate(exact) if form in exact_terms)
    bounds = _Words(located, len(text))
    matches = [_Match(*located[i].span(), search_form(words[i])) for i in sorted(found)]
    if not matches:
        return _render(text, [(0, bounds.cut_end(0, width), [])])

    windows = []
    covered: set[str] = set()
    remaining = matches
    for _ in range(max(1, fragments)):
        group = _best_window(remaining, width)
        if group is None:
            break
        new_words = {m.search for m in group} - covered
        if windows and not new_words:
            break
        covered |= {m.search for m in group}
        start, end = _expand(bounds, group, width)
        windows.append((start, end, group))
        remaining = [m for m in remaining if m.search not in covered and (m.start >= end or m.end <= start)]
        if not remaining:
            break
    windows.sort(key=lambda w: w[0])
    return _render(text, _merge_overlaps(windows))


def _search_matches(words: list[str], exact: list[str], search_terms: Collection[str]) -> set[int]:
    """The indexes of the words whose search form is one of ``search_terms``.

    A search form is a substring of the word's exact form (``stem`` returns a
    substring of its input), so only the words whose exact form contains a
    term are stemmed: they are found with ``str.find`` on all the exact forms
    joined, which spares stemming (the costly step) for nearly every word.
    """
    if not search_terms:
        return set()
    joined = _SEPARATOR.join(exact)
    candidates = set()
    for term in search_terms:
        if not term:
            continue
        counted_to, index = 0, 0  # words before ``counted_to`` in ``joined``
        position = joined.find(term)
        while position >= 0:
            index += joined.count(_SEPARATOR, counted_to, position)
            counted_to = position
            candidates.add(index)
            next_word = joined.find(_SEPARATOR, position)
            if next_word < 0:
                break
            position = joined.find(term, next_word + 1)
    return {i for i in candidates if search_form(words[i]) in search_terms}


def _best_window(matches: list[_Match], width: int) -> list[_Match] | None:
    """The run of consecutive matches within ``width`` chars with most distinct words."""
    if not matches:
        return None
    best: list[_Match] = []
    best_key = (-1, -1, 0)
    j = 0
    for i, first in enumerate(matches):
        j = max(j, i)
        while j + 1 < len(matches) and matches[j + 1].end - first.start <= width:
            j += 1
        group = matches[i : j + 1]
        key = (len({m.search for m in group}), len(group), -first.start)
        if key > best_key:
            best, best_key = group, key
    return best


def _expand(bounds: _Words, group: list[_Match], width: int) -> tuple[int, int]:
    """Grow a group of matches to about ``width`` characters, ending on word boundaries."""
    start, end = group[0].start, group[-1].end
    slack = max(0, width - (end - start))
    start = max(0, start - slack // 3)
    if start > 0:
        # Start on a word: the first word that begins at or after start.
        first = bounds.first_start_from(start)
        if first is not None:
            start = min(first, group[0].start)
    end = bounds.cut_end(start, width if end - start < width else end - start)
    end = max(end, group[-1].end)
    return start, end


def _merge_overlaps(windows):
    merged = []
    for start, end, group in windows:
        if merged and start <= merged[-1][1]:
            prev_start, prev_end, prev_group = merged[-1]
            merged[-1] = (prev_start, max(prev_end, end), prev_group + group)
        else:
            merged.append((start, end, group))
    return merged


def _render(text: str, windows) -> Snippet:
    """Join the windows into one line of text, folding whitespace and mapping spans."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    for n, (start, end, group) in enumerate(windows):
        prefix = (ELLIPSIS + " ") if n == 0 and start > 0 else (FRAGMENT_SEPARATOR if n else "")
        parts.append(prefix)
        length += len(prefix)
        piece, folded = _fold_whitespace(text, start, end)
        for match in sorted(group, key=lambda m: m.start):
            spans.append((length + folded(match.start - start), length + folded(match.end - start)))
        parts.append(piece)
        length += len(piece)
    if windows and windows[-1][1] < len(text.rstrip()):
        parts.append(" " + ELLIPSIS)
    spans = sorted(set(spans))
    return Snippet("".join(parts), tuple(spans))


def _fold_whitespace(text: str, start: int, end: int) -> tuple[str, Callable[[int], int]]:
    """``text[start:end]`` with runs of whitespace as one space and stripped ends.

    Returns the folded string and a function from an offset into the slice (at
    a word's edge or the slice's end: never inside whitespace) to the same
    place in the folded string.
    """
    piece = text[start:end]
    runs = [m.span() for m in _WHITESPACE.finditer(piece)]
    ends = [b for _, b in runs]
    dropped = []  # characters gone up to the end of each run
    total = 0
    for a, b in runs:
        # A run at either end goes; one inside the passage becomes one space.
        total += b - a if a == 0 or b == len(piece) else b - a - 1
        dropped.append(total)

    def folded_offset(offset: int) -> int:
        i = bisect_right(ends, offset)
        return offset - dropped[i - 1] if i else offset

    return _WHITESPACE.sub(" ", piece).strip(" "), folded_offset
