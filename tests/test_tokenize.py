"""iter_words / WORD_PATTERN: vocalised words stay whole, punctuation splits."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.normalise import DELETED_CHARS, normalise, strip_diacritics
from searcher.tokenize import WORD_PATTERN, iter_words

from .conftest import CORPORA, REPO

# The seed article ships in corpus/; the hadith collection is beside the repository.
SEED_ARTICLE = REPO / "corpus" / "syria-tv-2019-02-27-baghouz.txt"
BUKHARI = CORPORA / "bukhari-hadith" / "docs.jsonl.gz"

WHOOSH_DEFAULT_PATTERN = r"\w+(\.?\w+)*"


def surfaces(text: str) -> list[str]:
    return [surface for _, _, surface in iter_words(text)]


CASES = [
    # vocalised words stay whole (Whoosh's default splits them at every mark)
    ("الْبَاغُوزِ", ["الْبَاغُوزِ"], "fully vocalised word"),
    ("مِن", ["مِن"], "kasra: \\w+ gives م + ن"),
    ("يسلّمون", ["يسلّمون"], "shadda"),
    ("ليلاً سيراً", ["ليلاً", "سيراً"], "fathatan at word end"),
    ("عَنْ عُمَرَ بْنِ الْخَطَّابِ", ["عَنْ", "عُمَرَ", "بْنِ", "الْخَطَّابِ"], "Bukhari 1"),
    ("ٱلْحَمْدُ لِلَّهِ رَبِّ ٱلْعَٰلَمِينَ", ["ٱلْحَمْدُ", "لِلَّهِ", "رَبِّ", "ٱلْعَٰلَمِينَ"], "superscript alef"),
    ("لَا رَيْبَۛ فِيهِۛ", ["لَا", "رَيْبَۛ", "فِيهِۛ"], "Qur'anic pause mark U+06DB"),
    ("صلى\u0610 الله", ["صلى\u0610", "الله"], "Qur'anic sign U+0610"),
    ("\u0627\u0654\u0645\u064a\u0646", ["\u0627\u0654\u0645\u064a\u0646"], "decomposed hamza"),
    ("طٓلِب", ["طٓلِب"], "combining madda on a consonant"),
    # tatweel
    ('لـ"داعش"', ["لـ", "داعش"], "tatweel then quote"),
    ("لـ قوات التحالف", ["لـ", "قوات", "التحالف"], "tatweel then space"),
    ("الـ24", ["الـ24"], "tatweel joins the article to digits"),
    ("الباغـوز", ["الباغـوز"], "tatweel inside a word"),
    ("ـــــ", [], "a line of tatweels is not a word"),
    ("ـها", ["ها"], "a word does not start with tatweel"),
    # invisible characters inside words (ant-news spellings)
    ("العراق\u200bية", ["العراق\u200bية"], "zero-width space"),
    ("ا\u200cلاكتروني", ["ا\u200cلاكتروني"], "ZWNJ"),
    ("ب\u200dعقوبة", ["ب\u200dعقوبة"], "ZWJ"),
    ("و\u200fنظراً", ["و\u200fنظراً"], "RLM"),
    ("إ\u200eلون موسك", ["إ\u200eلون", "موسك"], "LRM"),
    ("ا\u202bلجفينة\u202c جنوبي", ["ا\u202bلجفينة\u202c", "جنوبي"], "RLE and PDF"),
    ("وجو\u00adههم", ["وجو\u00adههم"], "soft hyphen"),
    ("قس\u2060د", ["قس\u2060د"], "word joiner"),
    ("\u2067قسد\u2069", ["قسد\u2069"], "isolates: the leading one is outside the word"),
    (" \u200f ", [], "a lone RLM is not a word"),
    ("\u064e", [], "a lone haraka is not a word"),
    # Arabic punctuation splits
    ("محلية، أمس", ["محلية", "أمس"], "Arabic comma"),
    ("الإثنين؛الفائت", ["الإثنين", "الفائت"], "Arabic semicolon"),
    ("الوحي؟ فقال", ["الوحي", "فقال"], "Arabic question mark"),
    ("«إنما الأعمال»", ["إنما", "الأعمال"], "guillemets"),
    ("٢٪", ["٢"], "Arabic percent"),
    ("٢٫٥", ["٢", "٥"], "Arabic decimal separator"),
    ("٣٬٨٠٠", ["٣", "٨٠٠"], "Arabic thousands separator"),
    ("ٱلدِّينِ ۝٤", ["ٱلدِّينِ", "٤"], "end of ayah before the verse number"),
    # Latin punctuation, quotes, brackets, whitespace
    ('تنظيم "الدولة"', ["تنظيم", "الدولة"], "double quotes"),
    ("'قسد'", ["قسد"], "single quotes"),
    ("(سلطان الشمري)", ["سلطان", "الشمري"], "parentheses"),
    ("بالفيديو.. عناصر", ["بالفيديو", "عناصر"], "full stops"),
    ("معترفاً - بلغة", ["معترفاً", "بلغة"], "dash"),
    ("27.02.2019 | 14:02", ["27", "02", "2019", "14", "02"], "date and time"),
    ("Sky-News", ["Sky", "News"], "hyphen"),
    ("دير\u00a0الزور\tشرق\nسوريا", ["دير", "الزور", "شرق", "سوريا"], "NBSP, tab, newline"),
    # digits and mixed scripts
    ("٢٠١٩ ۱۴۰۲", ["٢٠١٩", "۱۴۰۲"], "Arabic-Indic and Persian digits"),
    ("بينهم3800 مشتبه", ["بينهم3800", "مشتبه"], "letters and digits run together (seed)"),
    ("قناة BBC عربي", ["قناة", "BBC", "عربي"], "Latin word between Arabic words"),
    ("BBCعربي", ["BBCعربي"], "Latin and Arabic without a space"),
    ("snake_case", ["snake_case"], "underscore is \\w"),
    # presentation forms and ligatures
    ("ﻭﺍﻻ\u200cﻳﺎﻡ ﺗﺎﺭﺍﺕ", ["ﻭﺍﻻ\u200cﻳﺎﻡ", "ﺗﺎﺭﺍﺕ"], "presentation forms (ant-news)"),
    ("ﻷ", ["ﻷ"], "lam-alef ligature"),
    ("النبي ﷺ قال", ["النبي", "ﷺ", "قال"], "word ligature"),
    ("", [], "empty"),
]


@pytest.mark.parametrize("text, expected", [case[:2] for case in CASES], ids=[case[2] for case in CASES])
def test_iter_words(text, expected):
    assert surfaces(text) == expected


def test_offsets_point_into_the_original_text():
    text = 'عناصر لـ"داعش" مِن الْبَاغُوزِ'
    assert list(iter_words(text)) == [
        (0, 5, "عناصر"),
        (6, 8, "لـ"),
        (9, 13, "داعش"),
        (15, 18, "مِن"),
        (19, 30, "الْبَاغُوزِ"),
    ]


def test_pattern_is_a_plain_string_for_whoosh():
    assert isinstance(WORD_PATTERN, str)
    text = "الْبَاغُوزِ مِن لـ\"قسد\" ISIS ٢٠١٩"
    assert re.compile(WORD_PATTERN).findall(text) == surfaces(text)


def test_every_deleted_character_stays_inside_a_word():
    for char in DELETED_CHARS:
        assert surfaces("قس" + char + "د") == ["قس" + char + "د"], f"U+{ord(char):04X}"


def test_a_lone_character_is_a_word_exactly_when_it_survives_normalise():
    # Exhaustive over the BMP: a word is \w that normalise keeps, so no word
    # ever normalises to "".
    word_char = re.compile(r"\w")
    for code_point in range(0x10000):
        char = chr(code_point)
        expected = [char] if word_char.match(char) and normalise(char) else []
        assert surfaces(char) == expected, f"U+{code_point:04X}"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_ARTICLE.read_text(encoding="utf-8")


def test_seed_article(seed_text):
    words = surfaces(seed_text)
    assert words[:8] == ["بالفيديو", "عناصر", "أجانب", "لـ", "داعش", "يسلّمون", "أنفسهم", "لـ"]
    assert words.count("مِن") == 19
    assert {"يُقاتل", "المُحاصر", "مَن", "المصوّر", "قدّم"} <= set(words)
    # Whoosh's default splits every مِن into م + ن.
    assert len(re.findall(WHOOSH_DEFAULT_PATTERN, seed_text)) > len(words)


@pytest.fixture(scope="module")
def hadiths() -> dict[str, str]:
    if not BUKHARI.exists():
        pytest.skip(f"Bukhari corpus not found at {BUKHARI} (shared/ is not beside the repo)")
    with gzip.open(BUKHARI, "rt", encoding="utf-8") as lines:
        return {doc["id"]: doc["body"] for doc in map(json.loads, lines)}


def test_golden_vocalised_hadith_keeps_every_word_whole(hadiths):
    vocalised = hadiths["bukhari-1"]
    bare = strip_diacritics(vocalised)
    assert vocalised != bare
    assert len(surfaces(vocalised)) == len(surfaces(bare)) == 39
    assert surfaces(vocalised)[:6] == ["عَنْ", "عُمَرَ", "بْنِ", "الْخَطَّابِ", "رضي", "الله"]
    # The test has teeth: Whoosh's default pattern shatters the same text.
    assert len(re.findall(r"\w+", vocalised)) > 2 * len(surfaces(bare))


def test_every_hadith_has_as_many_words_vocalised_as_bare(hadiths):
    for hadith_id, text in hadiths.items():
        assert len(surfaces(text)) == len(surfaces(strip_diacritics(text))), hadith_id


# Properties
ANY_TEXT = st.text(st.characters(exclude_categories=()))  # surrogates included
ARABIC_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.sampled_from(sorted(DELETED_CHARS) + list(' "«»،؛؟.-\n\u00a0ﻷﷺa1')),
    )
)


@given(st.one_of(ANY_TEXT, ARABIC_TEXT))
def test_spans_slice_back_increase_and_never_overlap(text):
    previous_end = 0
    for start, end, surface in iter_words(text):
        assert previous_end <= start < end
        assert text[start:end] == surface
        previous_end = end


@given(st.one_of(ANY_TEXT, ARABIC_TEXT))
def test_no_word_normalises_to_nothing(text):
    for _, _, surface in iter_words(text):
        assert normalise(surface)


# Letters only (no alef seats), so removing the marks cannot change a letter.
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
VOWEL_MARKS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670"]  # harakat, tanween, shadda, sukun
VOCALISED_LETTER = st.tuples(
    st.sampled_from(ARABIC_LETTERS), st.lists(st.sampled_from(VOWEL_MARKS), max_size=2)
).map(lambda letter_marks: letter_marks[0] + "".join(letter_marks[1]))
VOCALISED_WORD = st.lists(VOCALISED_LETTER, min_size=1, max_size=8).map("".join)
SEPARATOR = st.sampled_from([" ", "، ", " «", "» ", "؟ ", '"', "\n", " - "])


@given(st.lists(st.tuples(VOCALISED_WORD, SEPARATOR), min_size=1, max_size=12))
def test_vocalised_sentence_normalises_like_its_bare_text(words_and_separators):
    sentence = "".join(word + separator for word, separator in words_and_separators)
    bare = "".join(char for char in sentence if char not in VOWEL_MARKS)
    assert [normalise(s) for s in surfaces(sentence)] == [normalise(s) for s in surfaces(bare)]
    assert len(surfaces(sentence)) == len(words_and_separators)
