"""normalise: one table-driven case per rule, on real Arabic, plus properties."""

from __future__ import annotations

import gzip
import json
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.normalise import (
    DELETED_CHARS,
    fold_digits,
    fold_letters,
    normalise,
    strip_diacritics,
    strip_tatweel,
)
from searcher.tokenize import iter_words

from .conftest import CORPORA, REPO

# The seed article ships in corpus/; the hadith collection is beside the repository.
SEED_ARTICLE = REPO / "corpus" / "syria-tv-2019-02-27-baghouz.txt"
BUKHARI = CORPORA / "bukhari-hadith" / "docs.jsonl.gz"

# Words from the seed article, ant-news, saudinewsnet and Sahih al-Bukhari, each
# showing one rule. Where the source spelled a letter with an escape-worthy code
# point (decomposed hamza, wavy alef, Persian letters), the escape is written out.
CASES = [
    # harakat, tanween, shadda, sukun
    ("الْبَاغُوزِ", "الباغوز", "kasra, damma, sukun, fatha"),
    ("يُظهر", "يظهر", "damma"),
    ("مِن", "من", "kasra"),
    ("يسلّمون", "يسلمون", "shadda"),
    ("ليلاً", "ليلا", "fathatan"),
    ("امْرِئٍ", "امرء", "kasratan, sukun, yeh-seated hamza"),
    ("رَجُلٌ", "رجل", "dammatan"),
    ("الْخَطَّابِ", "الخطاب", "shadda + fatha"),
    ("طٓلِب", "طلب", "stray combining madda on a non-alef letter"),
    ("الرَّحْمَٰنِ", "الرحمن", "superscript alef: Qur'anic spelling meets the modern one"),
    ("ٱلْعَٰلَمِينَ", "العلمين", "superscript alef is deleted, not folded: modern العالمين differs"),
    ("ٱلصَّلَوٰةَ", "الصلوه", "superscript alef on waw: modern الصلاة differs"),
    ("لَا رَيْبَۛ", "لا ريب", "Qur'anic small high three dots U+06DB"),
    ("صلى\u0610", "صلي", "Qur'anic sign sallallahou U+0610"),
    ("ذَٰلِكَ\u06e5", "ذلك", "small waw U+06E5"),
    # tatweel
    ("لـ", "ل", "tatweel after a proclitic"),
    ("الـ24", "ال24", "tatweel before digits"),
    ("الباغـوز", "الباغوز", "tatweel inside a word"),
    # alef variants
    ("أجانب", "اجانب", "alef hamza above"),
    ("إخبارية", "اخباريه", "alef hamza below (pyarabic's normalize_hamza gives ءخبارية)"),
    ("آخر", "اخر", "alef madda"),
    ("ٱتخذت", "اتخذت", "alef wasla"),
    ("\u0672ن", "ان", "alef wavy hamza above U+0672"),
    ("\u0673دارة", "اداره", "alef wavy hamza below U+0673"),
    ("\u0675مين", "امين", "high hamza alef U+0675"),
    # yeh, teh marbuta, seated hamza
    ("مصطفى", "مصطفي", "alef maksura"),
    ("الدولة", "الدوله", "teh marbuta"),
    ("المسؤول", "المسءول", "waw-seated hamza"),
    ("مسئول", "مسءول", "yeh-seated hamza"),
    ("حائل", "حاءل", "yeh-seated hamza"),
    ("مؤكداً", "مءكدا", "waw-seated hamza + fathatan"),
    ("شيء", "شيء", "bare hamza is kept"),
    ("القرآن", "القران", "pyarabic's normalize_hamza gives القرءءن"),
    # Persian and Urdu letters in Arabic text
    ("مرکز", "مركز", "keheh U+06A9"),
    ("\u06aaتاب", "كتاب", "swash kaf U+06AA"),
    ("علی", "علي", "Farsi yeh U+06CC"),
    ("السعودیة", "السعوديه", "Farsi yeh + teh marbuta"),
    ("الھیئة", "الهيءه", "heh doachashmee U+06BE, Farsi yeh, seated hamza"),
    ("\u0644\u06d2", "لي", "yeh barree U+06D2"),
    ("\u0627\u0644\u0644\u06c1", "الله", "heh goal U+06C1"),
    ("\u062e\u0627\u0646\u06c0", "خانه", "heh with yeh above U+06C0"),
    ("\u062e\u0627\u0646\u06d5", "خانه", "ae U+06D5"),
    ("پاکستان", "پاكستان", "peh kept, keheh folded"),
    ("چاي", "چاي", "tcheh kept"),
    ("ژوليت", "ژوليت", "jeh kept"),
    ("گوگل", "گوگل", "gaf kept"),
    # digits
    ("٢٠١٩", "2019", "Arabic-Indic digits"),
    ("۱۴۰۲", "1402", "Persian digits"),
    ("\u06f4\u06f5\u06f6", "456", "Persian 4 5 6, shaped unlike Arabic-Indic"),
    ("٣٨٠٠", "3800", "Arabic-Indic digits"),
    # invisible characters inside a word (all found in ant-news)
    ("العراق\u200bية", "العراقيه", "zero-width space"),
    ("ا\u200cلاكتروني", "الاكتروني", "ZWNJ"),
    ("ب\u200dعقوبة", "بعقوبه", "ZWJ"),
    ("و\u200fنظرا", "ونظرا", "RLM"),
    ("إ\u200eلون", "الون", "LRM"),
    ("ا\u202bلجفينة\u202c", "الجفينه", "RLE and PDF"),
    ("\u2067الدولة\u2069", "الدوله", "RLI and PDI"),
    ("وجو\u00adههم", "وجوههم", "soft hyphen"),
    ("\ufeffالباغوز", "الباغوز", "BOM"),
    ("\u061cقسد", "قسد", "Arabic letter mark"),
    ("قس\u2060د", "قسد", "word joiner"),
    # decomposed hamza and madda (real ant-news spellings) end like precomposed ones
    ("\u0627\u0654\u0633\u062a\u0627\u0630", "استاذ", "alef + combining hamza above"),
    ("\u0627\u0655\u0645\u0631\u0627\u0654\u0629", "امراه", "alef + combining hamza below"),
    ("\u0627\u0653\u062e\u0631", "اخر", "alef + combining madda"),
    ("\u0645\u0633\u0648\u0654\u0648\u0644", "مسءول", "waw + combining hamza = ؤ"),
    ("\u062d\u0627\u064a\u0654\u0644", "حاءل", "yeh + combining hamza = ئ"),
    ("\u0633\u0648\u064e\u0654\u0627\u0644", "سءال", "haraka between waw and hamza: NFC reorders"),
    # presentation forms and ligatures (ant-news has whole articles in them)
    ("ﻷ", "لا", "lam-alef with hamza above ligature"),
    ("ﻻ", "لا", "lam-alef ligature"),
    ("ﻹﺻﻼﺡ", "لاصلاح", "lam-alef with hamza below ligature"),
    ("ﺍﻟﻘﺮﺁﻥ", "القران", "contextual forms with madda"),
    ("ﻭﺍﻻ\u200cﻳﺎﻡ", "والايام", "presentation forms + ZWNJ (ant-news)"),
    ("ﺅ", "ء", "waw-seated hamza form"),
    ("ﺉ", "ء", "yeh-seated hamza form"),
    ("ﺓ", "ه", "teh marbuta form"),
    ("ﻯ", "ي", "alef maksura form"),
    ("ﮎ", "ك", "keheh form folds through NFKC then keheh -> kaf"),
    ("ﷲ", "الله", "Allah ligature"),
    ("ﷺ", "صلياللهعليهوسلم", "word ligature: NFKC has spaces, removed"),
    ("ﷻ", "جلجلاله", "word ligature: NFKC has spaces, removed"),
    ("\ufe70", "", "isolated fathatan form: NFKC is space + mark"),
    ("\ufc60", "", "isolated shadda-fatha ligature"),
    # Latin case
    ("ISIS", "isis", "uppercase Latin"),
    ("YouTube", "youtube", "mixed case Latin"),
    ("skynews", "skynews", "lowercase ASCII untouched"),
    ("İstanbul", "istanbul", "dotted capital I: plain i, not i + U+0307"),
    ("Covid١٩", "covid19", "mixed Latin and Arabic-Indic digits"),
    ("BBCعربي", "bbcعربي", "mixed Latin and Arabic"),
    ("بينهم3800", "بينهم3800", "Arabic and ASCII digits run together (seed article)"),
    ("", "", "empty"),
]


@pytest.mark.parametrize(
    "surface, expected", [case[:2] for case in CASES], ids=[case[2] for case in CASES]
)
def test_normalise(surface, expected):
    assert normalise(surface) == expected


LETTER_FOLDS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "\u0672": "ا",
    "\u0673": "ا",
    "\u0675": "ا",
    "ى": "ي",
    "ة": "ه",
    "ؤ": "ء",
    "ئ": "ء",
    "\u06d3": "ء",  # yeh barree with hamza: the yeh barree twin of ئ
    "ک": "ك",
    "ڪ": "ك",
    "ی": "ي",
    "ے": "ي",
    "ہ": "ه",
    "\u06c2": "ه",  # heh goal with hamza
    "ۀ": "ه",
    "ە": "ه",
    "ھ": "ه",
}
UNFOLDED_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءپچژگ"


@pytest.mark.parametrize("letter, folded", LETTER_FOLDS.items())
def test_each_letter_fold(letter, folded):
    assert normalise(letter) == folded
    assert fold_letters(letter) == folded


@pytest.mark.parametrize("letter", UNFOLDED_LETTERS)
def test_letters_without_a_fold_are_kept(letter):
    assert normalise(letter) == letter


@pytest.mark.parametrize("value", range(10))
def test_each_digit_of_both_sets(value):
    assert normalise(chr(0x0660 + value)) == str(value)
    assert normalise(chr(0x06F0 + value)) == str(value)
    assert fold_digits(chr(0x0660 + value) + chr(0x06F0 + value)) == str(value) * 2


DELETED_RANGES = {
    "harakat and other U+064B-U+065F marks": range(0x064B, 0x065F + 1),
    "superscript alef": [0x0670],
    "Qur'anic annotation signs": range(0x0610, 0x061A + 1),
    "Qur'anic marks": range(0x06D6, 0x06ED + 1),
    "tatweel": [0x0640],
    "zero-width and directional marks": range(0x200B, 0x200F + 1),
    "bidi embeddings and overrides": range(0x202A, 0x202E + 1),
    "word joiner": [0x2060],
    "bidi isolates": range(0x2066, 0x2069 + 1),
    "Arabic letter mark, BOM, soft hyphen": [0x061C, 0xFEFF, 0x00AD],
}


@pytest.mark.parametrize("code_points", DELETED_RANGES.values(), ids=DELETED_RANGES.keys())
def test_deleted_characters_vanish_inside_a_word(code_points):
    for code_point in code_points:
        mark = chr(code_point)
        assert mark in DELETED_CHARS, f"U+{code_point:04X}"
        assert normalise("قس" + mark + "د") == "قسد", f"U+{code_point:04X}"


def test_deleted_chars_are_exactly_what_normalise_deletes():
    assert all(normalise(char) == "" for char in DELETED_CHARS)
    assert {"ا", "ء", " ", "a"}.isdisjoint(DELETED_CHARS)


def test_helpers_do_one_thing_each():
    word = "الـمُسْـئُولِينَ ٢٠١٩"
    assert strip_diacritics(word) == "الـمسـئولين ٢٠١٩"
    assert strip_tatweel(word) == "المُسْئُولِينَ ٢٠١٩"
    assert fold_letters(word) == "الـمُسْـءُولِينَ ٢٠١٩"
    assert fold_digits(word) == "الـمُسْـئُولِينَ 2019"


def test_strip_diacritics_keeps_a_decomposed_hamza_as_a_letter():
    assert strip_diacritics("\u0627\u0654\u0645\u064a\u0646") == "أمين"
    assert strip_diacritics("\u0645\u0633\u0648\u0654\u0648\u0644") == "مسؤول"


def test_spelling_variants_meet():
    variants = [
        ("مسؤول", "مسئول", "مَسْؤُولٌ"),
        ("شؤون", "شئون"),
        ("القرآن", "القران", "الْقُرْآنُ", "ﺍﻟﻘﺮﺁﻥ"),
        ("إسرائيل", "اسرائيل", "إسرائیل"),
        ("مستشفى", "مستشفي", "مستشفـى"),
        ("الجمعة", "الجمعه", "الجُمُعَةِ"),
        ("٢٠١٩", "۲۰۱۹", "2019"),
    ]
    for group in variants:
        assert len({normalise(word) for word in group}) == 1, group


@pytest.fixture(scope="module")
def seed_words() -> list[str]:
    return [surface for _, _, surface in iter_words(SEED_ARTICLE.read_text(encoding="utf-8"))]


def test_fast_path_equals_the_helpers_on_the_seed_article(seed_words):
    assert len(seed_words) > 400
    for word in seed_words:
        by_helpers = fold_digits(fold_letters(strip_tatweel(strip_diacritics(word)))).lower()
        assert normalise(word) == by_helpers, word


@pytest.fixture(scope="module")
def hadiths() -> list[str]:
    if not BUKHARI.exists():
        pytest.skip(f"Bukhari corpus not found at {BUKHARI} (shared/ is not beside the repo)")
    with gzip.open(BUKHARI, "rt", encoding="utf-8") as lines:
        return [json.loads(line)["body"] for line in lines]


def test_vocalised_hadith_normalises_like_its_bare_text(hadiths):
    for text in hadiths:
        vocalised = [normalise(w) for _, _, w in iter_words(text)]
        bare = [normalise(w) for _, _, w in iter_words(strip_diacritics(text))]
        assert vocalised == bare


# Properties. Arabic-heavy text finds more than st.text() alone: harakat,
# combining hamza, seats, presentation forms, invisibles, digits, Latin.
ARABIC_CHARS = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
INTERESTING_CHARS = st.sampled_from(
    sorted(DELETED_CHARS) + list(LETTER_FOLDS) + list("ﻷﻻﷺﷲﺍﻟﻘﺮﺁﻥ AİZaz09٠٩")
)
ARABIC_TEXT = st.text(st.one_of(ARABIC_CHARS, INTERESTING_CHARS))
ANY_TEXT = st.text(st.characters(exclude_categories=()))  # surrogates included
TEXT = st.one_of(ANY_TEXT, ARABIC_TEXT)


def _is_presentation_form(char: str) -> bool:
    return 0xFB50 <= ord(char) <= 0xFDFF or 0xFE70 <= ord(char) <= 0xFEFC


def _never_expands(char: str) -> bool:
    # Composition-excluded characters (Devanagari क़, Hebrew ﬔ) come out of NFC as
    # two or three code points; normalise runs NFC in tokens with a combining hamza.
    return not _is_presentation_form(char) and len(unicodedata.normalize("NFC", char)) == 1


@given(TEXT)
def test_idempotent(s):
    once = normalise(s)
    assert normalise(once) == once


@given(TEXT)
def test_never_raises_and_leaves_nothing_deleted(s):
    assert DELETED_CHARS.isdisjoint(normalise(s))


@given(st.text(st.characters(codec="ascii")))
def test_lowercase_ascii_unchanged(s):
    assert normalise(s.lower()) == s.lower()


@given(st.text(st.one_of(ARABIC_CHARS, INTERESTING_CHARS, st.characters()).filter(_never_expands)))
def test_never_longer_without_presentation_forms(s):
    assert len(normalise(s)) <= len(s)


# The helpers cover every rule except invisibles and presentation forms, so
# on the Arabic block (minus the Arabic letter mark) they must agree with the
# one-table fast path.
ARABIC_BLOCK_VISIBLE = ARABIC_CHARS.filter(lambda char: char != "\u061c")


@given(st.text(st.one_of(ARABIC_BLOCK_VISIBLE, st.sampled_from(string.ascii_letters + " "))))
def test_fast_path_equals_the_helpers(s):
    by_helpers = fold_digits(fold_letters(strip_tatweel(strip_diacritics(s)))).lower()
    assert normalise(s) == by_helpers
