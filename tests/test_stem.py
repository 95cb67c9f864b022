"""stem: a golden table per rule, the labelled news groups and pairs, and properties.

Every input is written ALREADY NORMALISED, as ``searcher.normalise`` hands words to
the stemmer: no diacritics, ة as ه, ى as ي, ؤ/ئ as ء (المدينه, not المدينة).

Idempotence is not a property of ``stem`` and is not tested: a stem can look
affixed again (مواجهه -> مواجه -> مواج, 0.5% of ant-news tokens), and search
never stems twice.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from searcher.stem import ARABIC_LETTERS, MIN_STEM, PROCLITICS, PROTECTED_STEMS, stem


def _load_labelled_words():
    # The labelled words live with the benchmark that scores other stemmers on
    # them; loaded by path so the test does not depend on sys.path.
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "stem_groups.py"
    spec = importlib.util.spec_from_file_location("stem_groups", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LABELLED = _load_labelled_words()

# (normalised word, expected stem), one rule or hazard per line.
GOLDEN = [
    # Article stacks.
    ("الحكومه", "حكوم"),  # ال
    ("والجيش", "جيش"),  # و + ال
    ("فالاحتلال", "احتلال"),  # ف + ال
    ("بالعراق", "عراق"),  # ب + ال
    ("كالعاده", "عاد"),  # ك + ال
    ("للجيش", "جيش"),  # ل + ال, written لل
    ("وبالباغوز", "باغوز"),  # و + ب + ال
    ("فبالرغم", "رغم"),  # ف + ب + ال
    ("وللمره", "مره"),  # و + ل + ال
    ("الحل", "حل"),  # two letters may stay after the article
    ("للحل", "حل"),
    # ل + ال + a word with its own ل: two lams, like لل.
    ("للجنه", "لجن"),  # for the committee, not للجنه as ل + ال + جنه (paradise)
    ("اللجنه", "لجن"),
    ("للندن", "لندن"),
    ("لليفربول", "ليفربول"),
    ("للاعبين", "لاعب"),
    # The verb plural وا, and the accusative alef after a final و.
    ("قالوا", "قال"),
    ("وقالوا", "قال"),
    ("يكونوا", "يكون"),
    ("امنوا", "امن"),
    ("عضوا", "عضو"),  # وا would leave two letters: the alef alone goes
    ("نموا", "نمو"),
    ("الالتزام", "تزام"),  # an ال of the word's own goes in both forms...
    ("التزام", "تزام"),  # ...so they meet
    # Bare conjunction و.
    ("وروسيا", "روس"),
    ("وزير", "وزير"),  # its و is its own: protected
    ("وزاره", "وزار"),
    ("والده", "والد"),  # not و + ال + ده
    # Bare ب and ل: cut before ت and م, else only towards a protected stem.
    ("لتحقيق", "تحقيق"),
    ("بمدينه", "مدين"),
    ("وبتهمه", "تهم"),
    ("ولمواجهه", "مواجه"),
    ("بريطانيا", "بريطان"),
    ("لجنه", "لجن"),
    ("لبنان", "لبنان"),
    ("بسوريا", "سوري"),
    ("للبنان", "لبنان"),  # ل + لبنان, not ل + ال + بنان
    ("لكره", "كره"),
    ("بترول", "بترول"),
    # Bare ف and ك are never cut.
    ("فرنسا", "فرنس"),
    ("فكره", "فكر"),
    ("كتاب", "كتاب"),
    # Suffixes, one slot each.
    ("جيشها", "جيش"),  # ها
    ("بلادهم", "بلاد"),  # هم
    ("بينهما", "بين"),  # هما
    ("اطفالهن", "اطفال"),  # هن
    ("كتابه", "كتاب"),  # ه "his"
    ("مدينه", "مدين"),  # ه = ة
    ("هجوما", "هجوم"),  # accusative ا
    ("حكومات", "حكوم"),  # ات
    ("مسلحون", "مسلح"),  # ون
    ("اللاجءين", "لاجء"),  # ين
    ("العراقي", "عراق"),  # ي
    ("الاقتصاديه", "اقتصاد"),  # ي + ه
    ("حكومتها", "حكوم"),  # ت left by a pronoun is the ة
    ("دولتين", "دول"),  # ...or by the dual
    ("قواتها", "قوات"),  # but not the ت of ات
    ("مباراه", "مبار"),  # ا before ة goes with it
    ("حياه", "حيا"),  # unless fewer than 4 letters stay
    ("ايران", "ايران"),  # ان is not cut...
    ("الايراني", "ايران"),  # ...so the name meets its adjective
    ("قانون", "قانون"),  # ون, ين need 4 letters left
    # Too short to change.
    ("له", "له"),
    ("سنه", "سنه"),
    # Protected stems.
    ("الله", "الله"),
    ("لله", "لله"),
    ("الرياضه", "رياضه"),
    ("الشرطه", "شرطه"),
    # Not Arabic letters: unchanged.
    ("covid19", "covid19"),
    ("2019", "2019"),
    ("داعش2", "داعش2"),
    ("", ""),
]


@pytest.mark.parametrize(("word", "expected"), GOLDEN, ids=[w or "empty" for w, _ in GOLDEN])
def test_golden(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize("name", sorted(LABELLED.CONFLATION_GROUPS))
def test_group_meets_on_one_stem(name):
    words = LABELLED.CONFLATION_GROUPS[name]
    stems = {word: stem(word) for word in words}
    assert len(set(stems.values())) == 1, stems


KEEP_APART = LABELLED.KEEP_APART + LABELLED.KEEP_APART_FOUND_IN_CORPUS


@pytest.mark.parametrize(("first", "second", "why"), KEEP_APART, ids=[f"{a}/{b}" for a, b, _ in KEEP_APART])
def test_pair_stays_apart(first, second, why):
    assert stem(first) != stem(second), why


ARTICLE_STACKS = [p.letters for p in PROCLITICS if p.has_article]


@pytest.mark.parametrize("stack", ARTICLE_STACKS)
def test_article_stack_before_protected_stem_leaves_it(stack):
    wrong = {stack + p: stem(stack + p) for p in PROTECTED_STEMS if stem(stack + p) != p}
    assert not wrong


def test_labelled_words_are_normalised():
    # The tables must be written as the stemmer receives them.
    words = [w for group in LABELLED.CONFLATION_GROUPS.values() for w in group]
    words += [w for a, b, _ in KEEP_APART for w in (a, b)]
    words += [w for w, _ in GOLDEN]
    unnormalised = {w for w in words if set(w) & set("أإآٱىةؤئ")}
    assert not unnormalised


# Normalised Arabic letters, a few Latin letters and digits, so that words mix.
NORMALISED_LETTERS = "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي"
arabic_words = st.text(alphabet=NORMALISED_LETTERS, max_size=12)
affixed_words = st.builds(
    lambda prefix, core, suffix: prefix + core + suffix,
    st.sampled_from(["", "و", "ف", "ب", "ل", "ال", "وال", "بال", "لل", "وبال", "ولل", "لت", "بم"]),
    st.text(alphabet=NORMALISED_LETTERS, min_size=1, max_size=7),
    st.sampled_from(["", "ه", "ها", "هم", "هما", "ات", "ون", "ين", "ي", "يه", "ا", "تها", "تين"]),
)
any_words = st.one_of(arabic_words, affixed_words, st.text(max_size=12))


@given(any_words)
@example("ال")
@example("وال")
@example("للل")
def test_never_raises_never_lengthens_and_only_cuts(word):
    result = stem(word)
    assert isinstance(result, str)
    assert len(result) <= len(word)
    assert result in word


@given(st.text(max_size=MIN_STEM))
def test_short_words_unchanged(word):
    assert stem(word) == word


@given(st.text(min_size=1, max_size=12).filter(lambda w: not ARABIC_LETTERS.issuperset(w)))
def test_words_not_all_arabic_letters_unchanged(word):
    assert stem(word) == word


@given(affixed_words.filter(lambda w: len(w) > MIN_STEM))
def test_stems_keep_at_least_two_letters(word):
    # Three after any cut but the article's, which may leave two (الحل -> حل).
    assert len(stem(word)) >= 2
