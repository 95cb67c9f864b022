"""Choosing the words that say what an article is about, to find others like it.

Pure logic: an article's search forms are weighed by how often it uses them and
how rare they are in the archive (``1 + log tf`` times BM25's idf), and the
best become one weighted OR query (``Archive.similar``). Words the archive has
in one article only (this one: names mistyped, numbers) and words in more than
``MAX_DOCUMENT_SHARE`` of the articles (function words, the outlet's own
boilerplate) say nothing about likeness and are skipped, and so are the
function words of ``searcher.function_words``. No Whoosh here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection

#: Key terms per article: enough for a story's names and topic words.
KEY_TERMS = 25
#: Words in more than this share of articles are not key terms.
MAX_DOCUMENT_SHARE = 0.2
#: ...unless they are in this few articles at most (a small archive has few of each word).
MIN_COMMON = 3
#: Search forms shorter than this (letters) are not key terms: particles, digits.
MIN_TERM_LENGTH = 3


def idf(document_frequency: int, total: int) -> float:
    """BM25's inverse document frequency, never negative.

    >>> round(idf(1, 1000), 2), round(idf(500, 1000), 2)
    (6.5, 0.69)
    """
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def key_terms(
    term_counts: Counter[str],
    document_frequency: Callable[[str], int],
    total: int,
    limit: int = KEY_TERMS,
    skip: Collection[str] = (),
    copies: int = 0,
) -> list[tuple[str, float]]:
    """The ``limit`` best (term, weight) pairs of one article, heaviest first, weights up to 1.

    ``skip`` holds search forms never to use (function words: in a small
    archive they are not frequent enough to be left out by their counts).
    ``copies`` is the number of re-published copies of the article: a word
    found in no more articles than the article and its copies finds nothing else.

    >>> counts = Counter({"باغوز": 3, "في": 9, "قسد": 1, "زور": 2, "x7": 1})
    >>> df = {"باغوز": 12, "في": 990, "قسد": 40, "زور": 80, "x7": 1}.get
    >>> [term for term, _ in key_terms(counts, df, 1000)]
    ['باغوز', 'زور', 'قسد']
    """
    weighted = []
    for term, count in term_counts.items():
        if len(term) < MIN_TERM_LENGTH or term.isdigit() or term in skip:
            continue
        frequency = document_frequency(term)
        if frequency <= 1 + copies or frequency > max(MAX_DOCUMENT_SHARE * total, MIN_COMMON + copies):
            continue
        weighted.append((term, (1 + math.log(count)) * idf(frequency, total)))
    weighted.sort(key=lambda tw: (-tw[1], tw[0]))
    best = weighted[:limit]
    if not best:
        return []
    top = best[0][1]
    return [(term, round(weight / top, 4)) for term, weight in best]
