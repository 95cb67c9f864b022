"""Whoosh analyzers built from ``searcher.terms``: the same forms, token by token.

Whoosh pickles analyzers into the index schema, so every class here must stay
importable at this module path, keep plain attributes, and read its behaviour
from module-level code (not from pickled state): an index built by another
analysis is caught by ``ANALYZER_VERSION`` instead.
"""

from __future__ import annotations

import re

from whoosh.analysis import Filter, Token, Tokenizer

from .terms import ANALYZER_VERSION, exact_form, pattern_form, search_form
from .tokenize import WORD_PATTERN

__all__ = [
    "ANALYZER_VERSION",
    "ArabicTokenizer",
    "ExactFilter",
    "SearchFormFilter",
    "exact_analyzer",
    "search_analyzer",
]

_WORD_RE = re.compile(WORD_PATTERN)


class ArabicTokenizer(Tokenizer):
    """Splits text into words that keep their harakat, tatweel and in-word marks.

    Whoosh's default ``\\w+`` splits vocalised words apart (``مِن`` -> ``م``, ``ن``).
    With ``tokenize=False`` (prefix and wildcard queries) the whole value is one
    token, flagged ``untokenized`` so that the stemmer leaves it alone.
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.untokenized = not tokenize
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for pos, match in enumerate(_WORD_RE.finditer(value), start_pos):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class ExactFilter(Filter):
    """Replaces each token by its exact form (normalised, unstemmed); drops empty ones."""

    def __call__(self, tokens):
        for token in tokens:
            text = exact_form(token.text)
            if text:
                token.text = text
                yield token


class SearchFormFilter(Filter):
    """Replaces each token by its search form (normalised and light-stemmed).

    Prefix and wildcard patterns get their pattern form instead (see
    ``searcher.terms.pattern_form``).
    """

    is_morph = True

    def __call__(self, tokens):
        for token in tokens:
            text = pattern_form(token.text) if token.untokenized else search_form(token.text)
            if text:
                token.text = text
                yield token


def search_analyzer():
    """Analyzer of the searchable fields: words -> stemmed, normalised terms."""
    return ArabicTokenizer() | SearchFormFilter()


def exact_analyzer():
    """Analyzer of metadata fields and of exact-form queries: words -> normalised terms."""
    return ArabicTokenizer() | ExactFilter()
