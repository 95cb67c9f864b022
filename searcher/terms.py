"""The analysis pipeline as plain Python: words of a text -> index terms, with offsets.

This is the one definition of what a term is. The Whoosh analyzers in
``searcher.analysis`` apply the same two functions token by token, the snippet
builder uses them to find matches in the original text, and any other engine
(a database backend) indexes the strings :func:`analyse` returns. A test keeps
the Whoosh analyzers and this module in agreement.

Two forms exist for every word:

* the *exact* form: normalised (diacritics, tatweel, letter variants and digits
  folded), otherwise as written, clitics included;
* the *search* form: the exact form, light-stemmed (clitics and common
  suffixes removed). Ordinary queries match search forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .normalise import normalise
from .stem import stem
from .tokenize import iter_words

#: Bump whenever the terms produced for some text would change (tokenizer,
#: normaliser, stemmer). Indexes record it; a mismatch asks for a rebuild.
ANALYZER_VERSION = 1


@lru_cache(maxsize=1 << 18)
def exact_form(word: str) -> str:
    """The normalised, unstemmed form of one word ("" if nothing is left).

    >>> exact_form("والبَاغُوزِ")
    'والباغوز'
    """
    return normalise(word)


@lru_cache(maxsize=1 << 18)
def search_form(word: str) -> str:
    """The normalised, light-stemmed form of one word: what ordinary queries match.

    >>> search_form("والبَاغُوزِ") == search_form("الباغـوز") == search_form("باغوز")
    True
    """
    exact = exact_form(word)
    return stem(exact) if exact else ""


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a text: where it is in the original and what it indexes as."""

    position: int
    start: int
    end: int
    exact: str
    search: str


def analyse(text: str) -> Iterator[Term]:
    """Every word of ``text`` with its offsets into ``text`` and both of its forms.

    Words that normalise to nothing (a lone diacritic, a bidi mark) are dropped,
    but positions still count them, as the Whoosh analyzers do.

    >>> [(t.start, t.end, t.search) for t in analyse("وأظهر الفيديو")]
    [(0, 5, 'اظهر'), (6, 13, 'فيديو')]
    """
    for position, (start, end, surface) in enumerate(iter_words(text)):
        exact = exact_form(surface)
        if exact:
            yield Term(position, start, end, exact, search_form(surface))
