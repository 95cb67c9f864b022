""""Did you mean": ranking (pure, with a made-up lexicon) and suggestions from a real index."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.query import Archive, SearchRequest
from searcher.suggest import QueryWord, choose_spelling, edit_distance, rank_candidates, suggest, weighted_distance
from searcher.terms import search_form

from .conftest import ARTICLES, make_index, require_corpora
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
    # The cheapest slip (a common confusion) costs a quarter of an edit.
    assert edit_distance(a, b) / 4 <= weighted_distance(a, b) <= max(len(a), len(b))
    assert weighted_distance(a, b) == weighted_distance(b, a)
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


def test_a_word_of_the_articles_is_never_rewritten_asked_or_not():
    # باغوت is in 3 articles: a real word, though باغوز is far more common.
    assert suggest("باغوت", words_of("باغوت"), LEXICON) == []
    assert suggest("باغوت", words_of("باغوت"), LEXICON, forced=True) == []
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


# The common Arabic confusions, the rule for real words, degenerate queries.


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("حذم", "حزم"), ("ضهران", "ظهران"), ("ثعود", "سعود"), ("صلمان", "سلمان"), ("تهران", "طهران"), ("دمشك", "دمشق")],
)
def test_a_common_confusion_costs_less_than_a_dot_variant_or_another_letter(typed, meant):
    assert weighted_distance(typed, meant) == 0.25
    assert weighted_distance("حذم", "حكم") == 1.0 and weighted_distance("عسيز", "عسير") == 0.5


def test_a_confusion_outranks_a_more_frequent_word_one_letter_away():
    ranked = rank_candidates("حذم", 0, {"حكم": 1400, "حجم": 770, "حذر": 600, "حزم": 450})
    assert ranked[0][0] == "حزم"


def test_a_rare_word_is_corrected_only_by_a_likely_slip():
    # In one article: a typo of عسير (dot variant), not of عزيز (another letter).
    assert [c for c, _, _ in rank_candidates("عسيز", 1, {"عسير": 40, "عزيز": 90})] == ["عسير"]
    # Unasked the slip must be ten times more frequent; asked, more frequent is enough.
    assert rank_candidates("عسيز", 1, {"عسير": 5}) == []
    assert [c for c, _, _ in rank_candidates("عسيز", 1, {"عسير": 5}, forced=True)] == ["عسير"]


def test_a_first_letter_slip_is_found_though_candidates_share_the_first_letter():
    class PrefixLexicon(FakeLexicon):
        def neighbours(self, term, max_distance):  # like the index: the first letter fixed
            return [t for t in super().neighbours(term, max_distance) if t[:1] == term[:1]]

    lexicon = PrefixLexicon({"ظهران": Counter({"الظهران": 40}), "ضهر": Counter({"ضهر": 2})})
    found = suggest("الضهران", words_of("الضهران"), lexicon)
    assert found[0].text == "الظهران"


def test_a_very_long_word_gets_no_suggestion_quickly():
    import time

    class CountingLexicon(FakeLexicon):
        asked = 0

        def neighbours(self, term, max_distance):
            CountingLexicon.asked += 1
            return super().neighbours(term, max_distance)

    lexicon = CountingLexicon({"باغوز": Counter({"الباغوز": 30})})
    word = "الباغوز" * 150
    started = time.perf_counter()
    assert suggest(word, words_of(word), lexicon, forced=True) == []
    assert time.perf_counter() - started < 0.5 and CountingLexicon.asked == 0


@pytest.fixture(scope="module")
def storm_index(tmp_path_factory):
    """الحزم in 3 articles, الحكم (one letter from الحذم too) in 6, عاصفة in 1, العاصمة in 12."""
    from .conftest import article

    articles = [article(f"h{i}", "عاصفة الحزم" if i == 0 else "الحزم في اليمن", "قرار الحزم ضد الحوثيين في صنعاء.") for i in range(3)]
    articles += [article(f"k{i}", "الحكم في القضية", "صدر الحكم على المتهم في المحكمة (Time).") for i in range(6)]
    articles += [article(f"c{i}", "أمطار في العاصمة", "هطلت أمطار على العاصمة الرياض.") for i in range(12)]
    return make_index(tmp_path_factory.mktemp("storm") / "index", articles)


def test_al_hadhm_is_al_hazm(storm_index):
    with Archive(storm_index) as archive:
        found = archive.suggest(SearchRequest("الحذم"))
        forced = archive.suggest(SearchRequest("الحذم"), forced=True)
    assert found[0].text == forced[0].text == "الحزم"
    assert found[0].hits == 3


@pytest.mark.parametrize("word", ["عاصفه", "عاصفة", "عاصفـة", "العاصفة"])
def test_a_word_in_the_index_is_not_corrected_to_another(storm_index, word):
    # عاصفة is in one article, العاصمة (one letter away) in twelve: still no typo.
    with Archive(storm_index) as archive:
        assert archive.count(SearchRequest(word)) == 1
        assert archive.suggest(SearchRequest(word)) == []
        assert archive.suggest(SearchRequest(word), forced=True) == []


@pytest.mark.parametrize("text", ["title:", "title:  ", "title:الحذم", "source:", "date:", "=", '""', "-", "()", "title:*"])
def test_field_names_and_empty_queries_suggest_nothing_odd(storm_index, text):
    from searcher.errors import QuerySyntaxError

    with Archive(storm_index) as archive:
        try:
            found = archive.suggest(SearchRequest(text), forced=True)
        except QuerySyntaxError:
            return  # the search itself reports it
    if "الحذم" in text:
        assert found[0].text == "title:الحزم"
    else:
        assert found == []


def test_a_suggestion_that_finds_nothing_is_not_offered(storm_index):
    with Archive(storm_index) as archive:
        # The closest spelling, الحزم, is never in an article with المحكمة: الحكم is.
        request = SearchRequest("الحذم المحكمة", match_all=True, fill_with_any=False)
        assert archive.count(SearchRequest("الحزم المحكمة", match_all=True, fill_with_any=False)) == 0
        assert [s.text for s in archive.suggest(request, forced=True)] == ["الحكم المحكمة"]
        assert archive.suggest(SearchRequest("title:الحذم"), forced=True)[0].hits == 3


QUERY_TEXT = st.lists(
    st.sampled_from(["الحذم", "الحزم", "الحكم", "عاصفه", "العاصمه", "صنعاء", "title:", "title:الحذم", "-", "OR", '"', "*", "المحكمه", "x"]),
    min_size=1, max_size=4,
).map(" ".join)


@given(text=QUERY_TEXT, forced=st.booleans(), match_all=st.booleans())
def test_every_suggestion_offered_finds_something(storm_index, text, forced, match_all):
    from searcher.errors import QuerySyntaxError

    with Archive(storm_index) as archive:
        request = SearchRequest(text, match_all=match_all)
        try:
            found = archive.suggest(request, forced=forced)
        except QuerySyntaxError:
            return
        for suggestion in found:
            assert suggestion.hits is not None and suggestion.hits >= 1
            assert archive.count(SearchRequest(suggestion.text, match_all=match_all)) == suggestion.hits


TYPOS = [("الحذم", "الحزم"), ("الضهران", "الظهران"), ("عثير", "عسير"), ("بيروط", "بيروت"), ("دمشك", "دمشق"), ("الحوثئ", "الحوثي")]


@pytest.mark.slow
def test_labelled_typos_on_real_news(tmp_path_factory):
    import gzip
    from itertools import islice

    from searcher.indexer import Indexer
    from searcher.ingest import CorpusReader

    corpora = require_corpora("saudinewsnet")
    sample = tmp_path_factory.mktemp("typos") / "sample.jsonl"
    with gzip.open(corpora / "saudinewsnet" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        sample.write_text("".join(islice(lines, 4000)), encoding="utf-8")
    index_dir = sample.parent / "index"
    with Indexer(index_dir) as indexer:
        for item in CorpusReader([str(sample)], on_problem=indexer.report):
            indexer.add(item)
    with Archive(index_dir) as archive:
        for typo, meant in TYPOS:
            found = archive.suggest(SearchRequest(typo))
            assert found and search_form(found[0].text) == search_form(meant), (typo, [s.text for s in found])
        for word in ("عاصفه", "مستشفي", "مسئول", "اسعار"):
            assert archive.count(SearchRequest(word)) >= 3
            assert archive.suggest(SearchRequest(word), forced=True) == [], word
