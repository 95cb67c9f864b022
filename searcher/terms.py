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
  suffixes removed). The index holds search forms; exact forms are checked
  against the stored text when a query asks for them (``=word``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .normalise import normalise
from .stem import stem, strip_article
from .tokenize import iter_words

#: Bump whenever the terms produced for some text would change (tokenizer,
#: normaliser, stemmer). Indexes record it; a mismatch asks for a rebuild.
ANALYZER_VERSION = 2


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


def pattern_form(pattern: str) -> str:
    """How a prefix or wildcard pattern meets search forms: folded, article cut, not stemmed.

    Stemming a fragment would cut the wrong letters; the article is safe to cut.

    >>> pattern_form("البَاغو*")
    'باغو*'
    """
    return strip_article(exact_form(pattern))


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a text: where it is in the original and what it indexes as."""

    position: int
    start: int
    end: int
    exact: str
    search: str


def has_exact_sequence(text: str, forms: list[str]) -> bool:
    """True when ``text`` has words whose exact forms are ``forms``, one after another.

    >>> has_exact_sequence("افتُتِح في الرّياض معرض", ["الرياض"])
    True
    >>> has_exact_sequence("مهرجان الرياضة", ["الرياض"])
    False
    """
    # Folding the whole text keeps every word's exact form as a substring: a
    # cheap test that rules out most candidates before the text is analysed.
    folded = normalise(text)
    if any(form not in folded for form in forms):
        return False
    exact = [term.exact for term in analyse(text)]
    n = len(forms)
    return any(exact[i : i + n] == forms for i in range(len(exact) - n + 1))


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
