"""Split Arabic (and any other) text into words, keeping vocalised words whole.

Python's ``\\w`` matches letters and digits but not the combining marks written
inside Arabic words: harakat, shadda, sukun, superscript alef, Qur'anic marks.
A ``\\w+`` tokenizer, Whoosh's default, therefore splits مِن into م + ن and
shatters every vocalised word. Invisible format characters (zero-width space,
ZWNJ, ZWJ, bidi marks, soft hyphen, BOM) turn up inside words in web text, as in
العراق<U+200B>ية ("Iraqi") in ant-news, and must not split them either.
Everything else splits: spaces, Latin and Arabic punctuation (، ؛ ؟ « » ٪ ٫ ٬),
quotes, symbols.

``WORD_PATTERN`` is a plain pattern string, so Whoosh's ``RegexTokenizer`` can
take it as is; ``iter_words`` is the same pattern for code without Whoosh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["WORD_PATTERN", "iter_words"]

#: One word: a letter or digit, then any run of letters, digits and the marks
#: that belong inside words. The first character must be one that survives
#: ``normalise`` (not tatweel, small waw/yeh, or an isolated-haraka presentation
#: form, which Python counts as ``\w``), so a word never normalises to "" and a
#: stray mark or a line of tatweels is not a word. Starting with a single
#: character and ending with an unbounded run also keeps matching linear:
#: nothing can backtrack.
WORD_PATTERN = (
    r"[^\W\u0640\u06E5\u06E6\uFC5E-\uFC63\uFCF2-\uFCF4\uFE70-\uFE72\uFE74\uFE76-\uFE7F]"
    r"[\w"
    r"\u0610-\u061A"  # Qur'anic annotation signs (sallallahou, alayhe, ...)
    r"\u064B-\u065F"  # harakat, tanween, shadda, sukun, combining hamza/madda
    r"\u0670"  # superscript (dagger) alef
    r"\u06D6-\u06ED"  # Qur'anic pause and recitation marks
    r"\u0640"  # tatweel (already \w, listed for the record)
    r"\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF"  # invisibles
    r"]*"
)

_WORD_RE = re.compile(WORD_PATTERN)


def iter_words(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, surface)`` for each word, as offsets into ``text``.

    The surface is the word exactly as written, marks included, so a highlighter
    can map a match back to the original text; ``text[start:end] == surface``.

    >>> [surface for _, _, surface in iter_words('عناصر مِن "داعش" سلّموا أنفسهم لـ"قسد"')]
    ['عناصر', 'مِن', 'داعش', 'سلّموا', 'أنفسهم', 'لـ', 'قسد']
    >>> list(iter_words("الْبَاغُوزِ، 2019"))
    [(0, 11, 'الْبَاغُوزِ'), (13, 17, '2019')]
    """
    for match in _WORD_RE.finditer(text):
        start, end = match.span()
        yield start, end, match.group()
