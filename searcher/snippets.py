"""Choosing and marking the passage of an article that best shows why it matched.

Pure Python over ``searcher.terms``: the original text is re-analysed, so the
passage keeps its diacritics and spelling while matches are found on folded
forms (a search for الباغوز marks البَاغُوزِ).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .models import Snippet
from .terms import Term, analyse

ELLIPSIS = "…"
FRAGMENT_SEPARATOR = f" {ELLIPSIS} "
_WHITESPACE = re.compile(r"\s+")


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
    terms = list(analyse(text))
    matches = [t for t in terms if t.search in search_terms or t.exact in exact_terms]
    if not matches:
        end = _cut_end(text, terms, 0, width)
        return _render(text, [(0, end, [])])

    windows = []
    covered: set[str] = set()
    remaining = matches
    for _ in range(max(1, fragments)):
        best = _best_window(remaining, width)
        if best is None:
            break
        group = best
        new_words = {t.search for t in group} - covered
        if windows and not new_words:
            break
        covered |= {t.search for t in group}
        start, end = _expand(text, terms, group, width)
        windows.append((start, end, group))
        remaining = [t for t in remaining if t.search not in covered and (t.start >= end or t.end <= start)]
        if not remaining:
            break
    windows.sort(key=lambda w: w[0])
    return _render(text, _merge_overlaps(windows))


def _best_window(matches: list[Term], width: int) -> list[Term] | None:
    """The run of consecutive matches within ``width`` chars with most distinct words."""
    if not matches:
        return None
    best: list[Term] = []
    best_key = (-1, -1, 0)
    j = 0
    for i, first in enumerate(matches):
        j = max(j, i)
        while j + 1 < len(matches) and matches[j + 1].end - first.start <= width:
            j += 1
        group = matches[i : j + 1]
        key = (len({t.search for t in group}), len(group), -first.start)
        if key > best_key:
            best, best_key = group, key
    return best


def _expand(text: str, terms: list[Term], group: list[Term], width: int) -> tuple[int, int]:
    """Grow a group of matches to about ``width`` characters, ending on word boundaries."""
    start, end = group[0].start, group[-1].end
    slack = max(0, width - (end - start))
    start = max(0, start - slack // 3)
    # Start on a word: move forward to the first word that begins at or after start.
    if start > 0:
        for term in terms:
            if term.start >= start:
                start = min(term.start, group[0].start)
                break
    end = _cut_end(text, terms, start, width if end - start < width else end - start)
    end = max(end, group[-1].end)
    return start, end


def _cut_end(text: str, terms: list[Term], start: int, width: int) -> int:
    """The end of the last word that fits in ``width`` characters from ``start``."""
    limit = start + width
    if limit >= len(text):
        return len(text)
    end = start
    for term in terms:
        if term.end > limit:
            break
        if term.end > start:
            end = term.end
    return end if end > start else min(len(text), limit)


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
        piece, mapping = _fold_whitespace(text, start, end)
        for term in sorted(group, key=lambda t: t.start):
            spans.append((length + mapping[term.start - start], length + mapping[term.end - start]))
        parts.append(piece)
        length += len(piece)
    if windows and windows[-1][1] < len(text.rstrip()):
        parts.append(" " + ELLIPSIS)
    spans = sorted(set(spans))
    return Snippet("".join(parts), tuple(spans))


def _fold_whitespace(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """``text[start:end]`` with runs of whitespace as one space and stripped ends.

    Returns the folded string and, for every offset 0..end-start of the slice,
    its offset in the folded string.
    """
    piece = text[start:end]
    out: list[str] = []
    mapping = [0] * (len(piece) + 1)
    pos = 0
    i = 0
    # Leading whitespace is dropped; inner runs become one space.
    for match in _WHITESPACE.finditer(piece):
        chunk = piece[i : match.start()]
        for k in range(len(chunk)):
            mapping[i + k] = pos + k
        out.append(chunk)
        pos += len(chunk)
        keep = 1 if (pos > 0 and match.end() < len(piece)) else 0
        for k in range(match.start(), match.end()):
            mapping[k] = pos
        if keep:
            out.append(" ")
            pos += 1
        i = match.end()
    chunk = piece[i:]
    for k in range(len(chunk)):
        mapping[i + k] = pos + k
    out.append(chunk)
    pos += len(chunk)
    mapping[len(piece)] = pos
    return "".join(out), mapping
