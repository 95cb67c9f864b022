"""Searching the fixture index: spelling tolerance, syntax, filters, order, snippets."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.errors import ArticleNotFound, IndexNotFound, IndexVersionMismatch, QuerySyntaxError
from searcher.meta import META_FILE
from searcher.query import Archive, SearchRequest, highlight_terms, parse_query

from .conftest import ARTICLES, article, ids, make_index


@pytest.mark.parametrize(
    "spelling",
    ["الباغوز", "البَاغُوز", "البَاغُوزِ", "باغوز", "والباغوز", "الباغـوز", "بالباغوز", "للباغوز", "ٱلباغوز"],
)
def test_every_spelling_of_a_place_finds_both_reports(archive, spelling):
    # a1 writes البَاغُوزِ with harakat, a2 writes الباغـوز with tatweel.
    assert sorted(ids(archive, spelling)) == ["a1", "a2"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("انباء", ["a1"]),  # أنباء: hamza on alef
        ("مسؤول", ["a2", "a5"]),  # مسئول / المسؤول
        ("مسئول", ["a2", "a5"]),
        ("وزارة الصحة", ["a6"]),  # written وزاره الصحه
        ("مستشفى", ["a6"]),  # title مستشفى, body مستشفي
        ("المدينة", ["a6"]),
        ("REUTERS", ["a7"]),  # Latin case
        ("123", ["a7"]),  # written ١٢٣
        ("١٢٣", ["a7"]),
    ],
)
def test_letter_variants_digits_and_case_fold(archive, query, expected):
    assert sorted(ids(archive, query)) == expected


def test_all_words_must_match_with_all_only_and_any_widens(archive):
    assert ids(archive, "الباغوز النفط", fill_with_any=False) == []
    assert sorted(ids(archive, "الباغوز النفط", match_all=False)) == ["a1", "a2", "a3"]


def test_default_puts_articles_with_every_word_first_then_fills_with_the_rest(archive):
    hits = archive.search(SearchRequest("الباغوز مسئول"))
    assert [(h.id, h.partial) for h in hits][:2] == [("a2", False), ("a1", True)]
    assert all(h.partial for h in hits[1:])
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    # Nothing has both words: every hit is partial, and the any-word hits are all there.
    hits = archive.search(SearchRequest("الباغوز النفط"))
    assert sorted(h.id for h in hits) == ["a1", "a2", "a3"] and all(h.partial for h in hits)


def test_filling_stops_once_the_page_is_full(archive):
    hits = archive.search(SearchRequest("الباغوز مسئول", limit=1))
    assert [(h.id, h.partial) for h in hits] == [("a2", False)]
    hits = archive.search(SearchRequest("الباغوز مسئول", limit=1, offset=1))
    assert [(h.rank, h.id, h.partial) for h in hits] == [(2, "a1", True)]


def test_filling_keeps_phrases_exact_forms_and_not_required(archive):
    # The phrase stays required; only the plain word becomes optional.
    assert ids(archive, '"دير الزور" النفط') == ["a1"]
    assert ids(archive, "=الرياض النفط") == ["a5"]
    # NOT still excludes: a2 (مسئول) never comes back as a partial hit.
    assert sorted(ids(archive, "الباغوز النفط -مسئول")) == ["a1", "a3"]


def test_function_words_weigh_little(archive):
    # a5 has معرض and الكتاب; a3 and a4 have only في and من, which barely count.
    hits = archive.search(SearchRequest("معرض الكتاب في من", match_all=False))
    assert hits[0].id == "a5"
    assert hits[0].score > 5 * hits[1].score
    # A query of function words only still searches them.
    assert "a3" in ids(archive, "في", limit=20)


def test_function_words_still_count_for_all_words(archive):
    assert ids(archive, "ما أسعار النفط", fill_with_any=False) == []
    assert [(h.id, h.partial) for h in archive.search(SearchRequest("ما أسعار النفط"))] == [("a3", True)]


def test_boolean_operators_and_grouping(archive):
    assert sorted(ids(archive, "الباغوز OR النفط")) == ["a1", "a2", "a3"]
    assert ids(archive, "الباغوز NOT مسئول") == ["a1"]
    assert ids(archive, "الباغوز -مسئول") == ["a1"]
    assert sorted(ids(archive, "(النفط OR الرياضة) مئات", fill_with_any=False)) == ["a4"]


def test_phrases_keep_word_order(archive):
    assert ids(archive, '"دير الزور"') == ["a1"]
    assert ids(archive, '"الزور دير"') == []


def test_field_queries(archive):
    assert ids(archive, "title:الباغوز") == ["a1"]
    assert sorted(ids(archive, "source:skynews")) == ["a3", "a4"]
    assert sorted(ids(archive, 'source:"jawhara fm"')) == ["a5", "a6"]
    assert ids(archive, "category:economy") == ["a3"]


def test_source_option_matches_names_with_spaces_and_any_case(archive):
    assert sorted(ids(archive, "مئات OR الكتاب", sources=("Jawhara FM",))) == ["a5"]
    assert sorted(ids(archive, "مئات OR الكتاب", sources=("SKYNEWS", "Jawhara FM"))) == ["a4", "a5"]


def test_dates_in_queries_and_options(archive):
    assert sorted(ids(archive, "الباغوز date:2019")) == ["a1", "a2"]
    assert ids(archive, "الباغوز date:2019-02") == ["a1"]
    assert sorted(ids(archive, "date:[2018-09 TO 2018-10]")) == ["a4", "a5"]
    assert sorted(ids(archive, "date:>=2019-02-21")) == ["a2"]
    assert sorted(ids(archive, "date:<=2018-09")) == ["a4", "a6"]
    assert sorted(ids(archive, "مئات", since="2019-01-01")) == ["a1", "a2"]
    assert ids(archive, "مئات", until="2018-12") == ["a4"]
    assert ids(archive, "مئات", since="2019-02-21", until="2019-03-01") == ["a2"]


@pytest.mark.parametrize("bad", ["date:2019-13", "date:yesterday", "date:[2019-02-30 TO 2019-03]"])
def test_invalid_dates_are_query_errors(archive, bad):
    with pytest.raises(QuerySyntaxError, match="invalid date"):
        archive.search(SearchRequest(bad))


def test_empty_query_is_an_error(archive):
    with pytest.raises(QuerySyntaxError, match="empty query"):
        archive.search(SearchRequest("   "))


def test_sort_by_date_both_ways(archive):
    assert ids(archive, "مئات", sort="date") == ["a4", "a1", "a2"]
    assert ids(archive, "مئات", sort="-date") == ["a2", "a1", "a4"]


def test_limit_and_offset_page_through_the_same_order(archive):
    everything = ids(archive, "مئات OR الكتاب OR النفط", sort="date")
    assert len(everything) == 5
    assert ids(archive, "مئات OR الكتاب OR النفط", sort="date", limit=2) == everything[:2]
    assert ids(archive, "مئات OR الكتاب OR النفط", sort="date", limit=2, offset=2) == everything[2:4]
    hits = archive.search(SearchRequest("مئات OR الكتاب OR النفط", sort="date", limit=2, offset=2))
    assert [h.rank for h in hits] == [3, 4]


def test_exact_form_search_skips_stemming(archive):
    # الرياضة (sport) and الرياض (Riyadh) may share a stem; =الرياض asks for the city only.
    assert ids(archive, "=الرياض") == ["a5"]
    assert ids(archive, "exact:الرياض") == ["a5"]
    # Exact still folds spelling (harakat, tatweel) but keeps clitics: nobody wrote والباغوز.
    assert sorted(ids(archive, "=الباغوز")) == ["a1", "a2"]
    assert ids(archive, "=والباغوز") == []
    assert ids(archive, "الرياض")[0] == "a5"


def test_exact_phrases_and_exact_clauses_inside_boolean_queries(archive):
    assert ids(archive, '="دير الزور"') == ["a1"]
    assert ids(archive, '="الزور دير"') == []
    assert sorted(ids(archive, "مئات NOT =المدارس")) == ["a1", "a2"]  # a4 writes المدارس
    assert sorted(ids(archive, "=الرياض OR =النفط")) == ["a3", "a5"]


def test_exact_forms_take_words_not_patterns(archive):
    with pytest.raises(QuerySyntaxError, match="whole words"):
        archive.search(SearchRequest("=الباغو*"))


def test_prefix_queries_match_stems_and_exact_forms(archive):
    assert sorted(ids(archive, "باغو*")) == ["a1", "a2"]
    assert sorted(ids(archive, "الباغو*")) == ["a1", "a2"]  # the article is cut from patterns
    assert sorted(ids(archive, "والباغو*")) == ["a1", "a2"]
    assert sorted(ids(archive, "باغو?")) == ["a1", "a2"]


def test_title_matches_rank_above_body_matches(archive):
    # a1 has الباغوز in its title and body; a2 only in its body.
    assert ids(archive, "الباغوز") == ["a1", "a2"]


def test_snippet_shows_original_spelling_with_matches_marked(archive):
    (hit,) = archive.search(SearchRequest("باغوز", limit=1))
    assert hit.id == "a1"
    marked = [hit.snippet.text[a:b] for a, b in hit.snippet.spans]
    assert marked == ["البَاغُوزِ"]
    assert "مِن بلدة البَاغُوزِ شرق" in hit.snippet.text


def test_snippets_can_be_left_out(archive):
    (hit, *_) = archive.search(SearchRequest("الباغوز", snippets=False))
    assert hit.snippet is None


def test_negated_words_are_not_highlighted():
    search_terms, exact_terms = highlight_terms(parse_query("الباغوز NOT مسئول"))
    assert "مسءول" not in search_terms | exact_terms
    assert search_terms  # the positive word is there


def test_hits_carry_stored_metadata(archive):
    (hit,) = archive.search(SearchRequest("معرض الكتاب"))
    assert (hit.id, hit.date, hit.source, hit.url) == ("a5", "2018-10-01", "Jawhara FM", "https://example.org/a5")
    assert hit.rank == 1 and hit.score > 0


def test_get_returns_the_stored_article(archive):
    stored = archive.get("a1")
    assert stored == ARTICLES[0]
    with pytest.raises(ArticleNotFound):
        archive.get("nope")


def test_stats_describe_the_index(archive):
    stats = archive.stats()
    assert stats.articles == len(ARTICLES)
    assert (stats.first_date, stats.last_date) == ("2017-05-14", "2019-03-01")
    assert dict(stats.sources) == {
        "skynews": 2,
        "Jawhara FM": 2,
        "تلفزيون سوريا": 1,
        "وكالة الأنباء": 1,
        "BBC": 1,
    }
    assert stats.size_bytes > 0


def test_missing_index_is_reported(tmp_path):
    with pytest.raises(IndexNotFound) as raised:
        Archive(tmp_path / "nowhere")
    assert "search index" in raised.value.hint


def test_index_of_another_analyzer_version_must_be_rebuilt(tmp_path):
    index_dir = make_index(tmp_path / "index", ARTICLES[:1])
    meta = index_dir / META_FILE
    meta.write_text(json.dumps({"analyzer_version": 0}), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch, match="analyzer v0") as raised:
        Archive(index_dir)
    assert "--rebuild" in raised.value.hint
    meta.unlink()
    with pytest.raises(IndexVersionMismatch):
        Archive(index_dir)


def test_exact_form_found_below_many_stem_only_matches(tmp_path):
    # 120 articles say بالكتاب (same stem, another exact form) and outrank the
    # three that say الكتاب once: the search must look past its first window.
    crowd = [article(f"c{n:03}", "بالكتاب", "بالكتاب بالكتاب بالكتاب") for n in range(120)]
    few = [article(f"x{n}", "خبر", f"نص طويل عن موضوع آخر تماما ثم ذكر الكتاب مرة {n}") for n in range(3)]
    index_dir = make_index(tmp_path / "ix", crowd + few)
    with Archive(index_dir) as archive:
        assert sorted(ids(archive, "=الكتاب")) == ["x0", "x1", "x2"]
        first_page = archive.search(SearchRequest("=الكتاب", limit=2))
        second_page = archive.search(SearchRequest("=الكتاب", limit=2, offset=2))
        assert [h.rank for h in first_page + second_page] == [1, 2, 3]
        assert sorted(h.id for h in first_page + second_page) == ["x0", "x1", "x2"]
        assert len(ids(archive, "كتاب", limit=200)) == 123


def test_stats_of_an_empty_index(tmp_path):
    with Archive(make_index(tmp_path / "ix", [])) as archive:
        stats = archive.stats()
    assert (stats.articles, stats.first_date, stats.sources) == (0, None, [])


def test_arabic_question_mark_is_punctuation_not_a_wildcard(archive):
    assert sorted(ids(archive, "الباغوز؟")) == ["a1", "a2"]
    # every word counts, none is a pattern
    assert ids(archive, "ارتفعت أسعار الذهب؟", fill_with_any=False) == []
    assert ids(archive, "ارتفعت أسعار النفط؟") == ["a3"]


_WORDS = ["الباغوز", "مئات", "النفط", "مسئول", "الرياض", "في", "من", "المدنيين", "معرض", "كلمةغيرموجودة", '"دير الزور"', "=الرياض", "-النفط"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4), limit=st.integers(1, 8))
def test_filling_never_changes_the_all_words_hits(archive, words, limit):
    text = " ".join(words)
    if all(w.startswith("-") for w in words):
        return  # nothing to search for but exclusions
    strict = archive.search(SearchRequest(text, limit=limit, fill_with_any=False, snippets=False))
    filled = archive.search(SearchRequest(text, limit=limit, snippets=False))
    loose = {h.id for h in archive.search(SearchRequest(text, limit=50, match_all=False, snippets=False))}
    assert [h.id for h in filled if not h.partial] == [h.id for h in strict]
    assert all(not h.partial for h in filled[: len(strict)])
    assert len(filled) == len({h.id for h in filled}) <= limit
    assert len(filled) >= len(strict)
    assert {h.id for h in filled if h.partial} <= loose
