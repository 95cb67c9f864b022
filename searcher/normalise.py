"""Normalise one Arabic word so that spelling variants meet in the index.

Pure functions on one token (a word), used both at index and at query time.
``normalise`` is the fast path: one ``str.translate`` with a table built once at
import, then ``lower()``. The other public functions each apply one family of
rules, for documentation and tests; ``normalise`` does all of them at once.

pyarabic supplies the code point constants. Its per-string functions are not
used: they halve indexing speed, and its ``normalize_hamza`` turns إخبارية into
ءخبارية.
"""

from __future__ import annotations

import unicodedata

from pyarabic import araby

__all__ = [
    "DELETED_CHARS",
    "fold_digits",
    "fold_letters",
    "normalise",
    "strip_diacritics",
    "strip_tatweel",
]

# Code points pyarabic has no name for.
ALEF_WAVY_HAMZA_ABOVE = "\u0672"
ALEF_WAVY_HAMZA_BELOW = "\u0673"
HIGH_HAMZA_ALEF = "\u0675"
KEHEH = "\u06a9"  # Persian/Urdu kaf
SWASH_KAF = "\u06aa"
FARSI_YEH = "\u06cc"
YEH_BARREE = "\u06d2"
YEH_BARREE_HAMZA_ABOVE = "\u06d3"
HEH_DOACHASHMEE = "\u06be"  # ھ, Urdu aspiration heh
HEH_GOAL = "\u06c1"
HEH_GOAL_HAMZA_ABOVE = "\u06c2"
HEH_YEH_ABOVE = "\u06c0"  # ۀ, Persian ezafe heh
AE = "\u06d5"
ARABIC_LETTER_MARK = "\u061c"
SOFT_HYPHEN = "\u00ad"
WORD_JOINER = "\u2060"
LATIN_CAPITAL_I_DOT_ABOVE = "\u0130"


def _chars(first: int, last: int) -> frozenset[str]:
    return frozenset(map(chr, range(first, last + 1)))


# U+0653-U+0655 are the only combining marks that compose with an Arabic letter
# under NFC (ا و ي ہ ے ە + mark -> آ أ إ ؤ ئ ۂ ۓ ۀ). Module-level names, not
# araby.X, because normalise() tests them on every token.
_MADDA_ABOVE = araby.MADDA_ABOVE
_HAMZA_ABOVE = araby.HAMZA_ABOVE
_HAMZA_BELOW = araby.HAMZA_BELOW

# Harakat, tanween, shadda, sukun, the other U+064B-U+065F marks, superscript
# alef and the Qur'anic annotation marks. pyarabic's DIACRITICS skips the
# non-Mn code points of U+06D6-U+06ED (end of ayah, rub el hizb, sajdah, small
# waw/yeh), which are deleted here too.
_DIACRITICS = (
    frozenset(araby.TASHKEEL)
    | frozenset(araby.DIACRITICS)
    | {araby.SMALL_ALEF}
    | _chars(0x0610, 0x061A)
    | _chars(0x064B, 0x065F)
    | _chars(0x06D6, 0x06ED)
)

# Invisible characters that editors and web pages leave inside words: zero-width
# space/joiners, bidi marks, embeddings, overrides, isolates, BOM, soft hyphen.
_INVISIBLES = (
    _chars(0x200B, 0x200F)
    | _chars(0x202A, 0x202E)
    | _chars(0x2066, 0x2069)
    | {WORD_JOINER, ARABIC_LETTER_MARK, araby.BYTE_ORDER_MARK, SOFT_HYPHEN}
)

_LETTER_FOLDS = {
    araby.ALEF_MADDA: araby.ALEF,
    araby.ALEF_HAMZA_ABOVE: araby.ALEF,
    araby.ALEF_HAMZA_BELOW: araby.ALEF,
    araby.ALEF_WASLA: araby.ALEF,
    ALEF_WAVY_HAMZA_ABOVE: araby.ALEF,
    ALEF_WAVY_HAMZA_BELOW: araby.ALEF,
    HIGH_HAMZA_ALEF: araby.ALEF,
    araby.ALEF_MAKSURA: araby.YEH,
    araby.TEH_MARBUTA: araby.HEH,
    # No library conflates مسؤول/مسئول or شؤون/شئون; folding the seats to bare
    # hamza does. See benchmarks/hamza_folding.py for what else it merges.
    araby.WAW_HAMZA: araby.HAMZA,
    araby.YEH_HAMZA: araby.HAMZA,
    YEH_BARREE_HAMZA_ABOVE: araby.HAMZA,
    KEHEH: araby.KAF,
    SWASH_KAF: araby.KAF,
    FARSI_YEH: araby.YEH,
    YEH_BARREE: araby.YEH,
    # Urdu keyboards type ھ for Arabic ه: ant-news and saudinewsnet hold ھذه,
    # الھیئة, لجھود (188 times). In Arabic text it stands for plain ه.
    HEH_DOACHASHMEE: araby.HEH,
    HEH_GOAL: araby.HEH,
    HEH_GOAL_HAMZA_ABOVE: araby.HEH,
    HEH_YEH_ABOVE: araby.HEH,
    AE: araby.HEH,
}
_HAMZA_SEATS = (araby.WAW_HAMZA, araby.YEH_HAMZA, YEH_BARREE_HAMZA_ABOVE)

_DIGIT_FOLDS = {
    digit: str(value)
    for digits in (araby.NUMBERS_EAST, araby.NUMBERS_PERS)
    for value, digit in enumerate(digits)
}

# Arabic Presentation Forms-A and -B (FB50-FDFF, FE70-FEFC).
_PRESENTATION_FORMS = tuple(
    map(chr, [*range(0xFB50, 0xFDFF + 1), *range(0xFE70, 0xFEFC + 1)])
)


def _table(mapping: dict[str, str]) -> dict[int, str]:
    return {ord(char): replacement for char, replacement in mapping.items()}


def _compose_hamza(s: str) -> str:
    # A decomposed و + U+0654 must end like precomposed ؤ, i.e. as ء; deleting
    # the mark instead would leave و. Only NFC composes it.
    if _HAMZA_ABOVE in s or _MADDA_ABOVE in s or _HAMZA_BELOW in s:
        return unicodedata.normalize("NFC", s)
    return s


def _build_table(*, fold_hamza_seats: bool = True) -> dict[int, str]:
    """Build the one translate table of ``normalise``.

    ``fold_hamza_seats=False`` keeps ؤ and ئ apart from ء; it exists only so that
    benchmarks/hamza_folding.py can measure that fold.
    """
    letter_folds = dict(_LETTER_FOLDS)
    if not fold_hamza_seats:
        for seat in _HAMZA_SEATS:
            del letter_folds[seat]
    base = _table(
        {
            **dict.fromkeys(_DIACRITICS | _INVISIBLES | {araby.TATWEEL}, ""),
            **letter_folds,
            **_DIGIT_FOLDS,
            # str.lower() turns İ into i + U+0307; map it to plain i, as Lucene's
            # per-code-point LowerCaseFilter does, so lower() never lengthens.
            LATIN_CAPITAL_I_DOT_ABOVE: "i",
        }
    )
    table = dict(base)
    for form in _PRESENTATION_FORMS:
        # NFKC is the letter (or letters) the glyph stands for; isolated harakat
        # decompose to space + mark and word ligatures such as ﷺ to several words,
        # so spaces go: a token must stay one token.
        expansion = unicodedata.normalize("NFKC", form)
        if expansion != form:
            table[ord(form)] = expansion.translate(base).replace(" ", "")
    return table


_NORMALISE_TABLE = _build_table()

#: Every character that ``normalise`` maps to nothing: diacritics, Qur'anic
#: marks, tatweel, invisible format characters, and the presentation forms of
#: isolated harakat.
DELETED_CHARS: frozenset[str] = frozenset(
    chr(code) for code, replacement in _NORMALISE_TABLE.items() if replacement == ""
)

_STRIP_DIACRITICS_TABLE = _table(dict.fromkeys(_DIACRITICS, ""))
_STRIP_TATWEEL_TABLE = _table({araby.TATWEEL: ""})
_FOLD_LETTERS_TABLE = _table(_LETTER_FOLDS)
_FOLD_DIGITS_TABLE = _table(_DIGIT_FOLDS)


def strip_diacritics(s: str) -> str:
    """Delete harakat, tanween, shadda, sukun and Qur'anic marks.

    Vocalised and bare spellings of a word must meet, and most news text is
    bare. A combining hamza or madda is first composed with its letter (NFC),
    so a decomposed أ stays a hamza letter instead of losing its hamza. The
    superscript alef goes too: الرحمٰن meets الرحمن, but Qur'anic العٰلمين gives
    العلمين, not the modern العالمين.

    >>> strip_diacritics("الْبَاغُوزِ")
    'الباغوز'
    >>> strip_diacritics("الْقُرْآنُ")
    'القرآن'
    """
    return _compose_hamza(s).translate(_STRIP_DIACRITICS_TABLE)


def strip_tatweel(s: str) -> str:
    """Delete tatweel (kashida), the stretching stroke in لـ or جـديـد.

    Tatweel only lengthens a letter's joining stroke on screen; it never
    changes the word.

    >>> strip_tatweel("جـديـد")
    'جديد'
    """
    return s.translate(_STRIP_TATWEEL_TABLE)


def fold_letters(s: str) -> str:
    """Fold letters that writers interchange to one letter each.

    أ إ آ ٱ (and the wavy and high hamza alefs) become ا; ى becomes ي; ة becomes
    ه; ؤ and ئ become ء, so مسؤول and مسئول meet; Persian and Urdu ک ڪ ی ے ہ ۀ ە
    ھ become ك ي ه. Letters with no Arabic twin (پ چ ژ گ) are kept. A combining
    hamza is composed first, so decomposed و + hamza folds like ؤ.

    >>> fold_letters("إخبارية")
    'اخباريه'
    >>> fold_letters("مسؤول") == fold_letters("مسئول") == "مسءول"
    True
    >>> fold_letters("مستشفى")
    'مستشفي'
    """
    return _compose_hamza(s).translate(_FOLD_LETTERS_TABLE)


def fold_digits(s: str) -> str:
    """Turn Arabic-Indic (٠-٩) and Persian (۰-۹) digits into ASCII 0-9.

    Outlets write dates and numbers in either script; a query in one must find
    the others.

    >>> fold_digits("٢٧.٠٢.٢٠١٩")
    '27.02.2019'
    >>> fold_digits("۱۴۰۲")
    '1402'
    """
    return s.translate(_FOLD_DIGITS_TABLE)


def normalise(s: str) -> str:
    """Normalise one token for indexing and querying: all the rules at once.

    Deletes diacritics, tatweel and invisible format characters; folds letters
    and digits as ``fold_letters`` and ``fold_digits`` do; expands Arabic
    presentation forms (ﻷ, ﺍﻟﻘﺮﺁﻥ) to the letters they show; lowercases Latin
    (İ to plain i). It is idempotent and never raises. The output is never longer
    than the input except where a presentation-form ligature expands (ﻷ -> لا,
    ﷺ -> 15 letters)
    or, in a token that also holds a combining hamza or madda, where NFC
    decomposes a composition-excluded character from another script (e.g.
    Devanagari क़). One ``str.translate`` does the work because per-string
    helper calls halve indexing speed.

    >>> normalise("الْقُرْآنُ")
    'القران'
    >>> normalise("ﻷ")
    'لا'
    >>> normalise("المسئولين") == normalise("المسؤولين")
    True
    >>> normalise("٢٠١٩ISIS")
    '2019isis'
    """
    # _compose_hamza() inlined: a function call per token costs ~5%.
    if _HAMZA_ABOVE in s or _MADDA_ABOVE in s or _HAMZA_BELOW in s:
        s = unicodedata.normalize("NFC", s)
    return s.translate(_NORMALISE_TABLE).lower()
