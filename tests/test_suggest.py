""""Did you mean": ranking (pure, with a made-up lexicon) and suggestions from a real index."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.query import Archive, SearchRequest
from searcher.suggest import QueryWord, choose_spelling, edit_distance, rank_candidates, suggest, weighted_distance
from searcher.terms import search_form

from .conftest import ARTICLES, make_index
from .syndicated import syndicated_articles


class FakeLexicon:
    def __init__(self, spellings: dict[str, Counter]):
        self.spellings = spellings  # search form -> spellings seen

    def frequency(self, term):
        return sum(self.spellings.get(term, Counter()).values())

    def neighbours(self, term, max_distance):
        return [t for t in self.spellings if edit_distance(term, t, max_distance) <= max_distance]

    def surfaces(self, term):
        return self.spellings.get(term, Counter())


LEXICON = FakeLexicon(
    {
        "باغوز": Counter({"الباغوز": 30, "والباغوز": 4, "البَاغُوزِ": 2}),
        "باغوت": Counter({"باغوت": 3}),
        "سلمان": Counter({"سلمان": 50}),
        "سلم": Counter({"السلم": 20}),
    }
)


def words_of(text):
    from searcher.tokenize import iter_words

    return [QueryWord(s, e, w, search_form(w)) for s, e, w in iter_words(text)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("باغوز", "باغوز", 0), ("باغوص", "باغوز", 1), ("بغاوز", "باغوز", 1), ("باغز", "باغوز", 1), ("", "نفط", 3)],
)
def test_edit_distance(a, b, expected):
    assert edit_distance(a, b) == expected


@given(st.text("ابتثجحخ", max_size=8), st.text("ابتثجحخ", max_size=8))
def test_edit_distance_is_symmetric_and_bounded(a, b):
    assert edit_distance(a, b) == edit_distance(b, a) <= max(len(a), len(b))
    assert edit_distance(a, b) / 2 <= weighted_distance(a, b) <= max(len(a), len(b))
    for limit in (0, 1, 2):
        assert edit_distance(a, b, limit=limit) == min(edit_distance(a, b), limit + 1)


def test_a_typo_is_corrected_with_the_corpus_spelling_that_keeps_the_clitic():
    found = suggest("والباغوص", words_of("والباغوص"), LEXICON)
    assert [s.text for s in found] == ["والباغوز", "باغوت"]
    assert found[0].corrections[0].replacement == "والباغوز"
    assert found[0].corrections[0].frequency == 36


def test_the_rest_of_the_query_is_kept_as_typed():
    found = suggest('"دير الباغوص" -سلمن', words_of('"دير الباغوص" -سلمن'), LEXICON)
    assert found[0].text == '"دير الباغوز" -سلمان'


def test_a_frequent_word_is_left_alone_unless_asked():
    assert suggest("باغوت", words_of("باغوت"), LEXICON) == []
    forced = suggest("باغوت", words_of("باغوت"), LEXICON, forced=True)
    assert [s.text for s in forced] == ["الباغوز"]
    # Never a rarer word, asked or not.
    assert suggest("باغوز", words_of("باغوز"), LEXICON, forced=True) == []


def test_rank_prefers_dot_variants_then_frequency():
    ranked = rank_candidates("عسيز", 0, {"عسير": 10, "عزيز": 90})
    assert [c for c, _, _ in ranked] == ["عسير", "عزيز"]


def test_choose_spelling_prefers_bare_frequent_spellings():
    assert choose_spelling("باغوص", Counter({"البَاغُوزِ": 9, "الباغوز": 2})) == "الباغوز"
    assert choose_spelling("x", Counter()) is None


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return make_index(tmp_path_factory.mktemp("suggest") / "index", ARTICLES + syndicated_articles())


def test_suggestions_from_the_index_vocabulary(index):
    with Archive(index) as archive:
        found = archive.suggest(SearchRequest("الباغوص"))
        (forced,) = archive.suggest(SearchRequest("البغوز"), forced=True)[:1]
    assert found[0].text == "الباغوز"
    assert found[0].hits == archive_count(index, "الباغوز")
    assert forced.text == "الباغوز"


def archive_count(index, text):
    with Archive(index) as archive:
        return archive.count(SearchRequest(text))


@pytest.mark.parametrize("spelling", ["البَاغُوزِ", "الباغـوز", "والباغوز", "بالباغوز", "مسئول", "مسؤول", "أسعار", "اسعار"])
def test_spelling_variants_are_never_typos(index, spelling):
    with Archive(index) as archive:
        assert archive.suggest(SearchRequest(spelling)) == []
        for suggestion in archive.suggest(SearchRequest(spelling), forced=True):
            # Even asked for, a suggestion is another word, never the same word spelled otherwise.
            assert all(search_form(c.replacement) != search_form(spelling) for c in suggestion.corrections)
