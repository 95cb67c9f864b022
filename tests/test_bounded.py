"""Queries are bounded: nesting, boosts, unknown fields, patterns, ranges, words, time."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import limits
from searcher import query as query_module
from searcher.cli import cli
from searcher.errors import QuerySyntaxError, QueryTimeout, SearcherError
from searcher.query import Archive, SearchRequest, parse_query
from searcher.suggest import QueryWord, suggest
from searcher.terms import search_form

from .conftest import ids, make_index


def run(index_dir, *args):
    return CliRunner().invoke(cli, ["--index-dir", str(index_dir), *args])


# Nesting


def test_brackets_nested_within_the_limit_are_searched(archive):
    depth = limits.MAX_DEPTH
    assert ids(archive, "(" * depth + "الرياض" + ")" * depth) == ["a5"]


@pytest.mark.parametrize("text", ["(" * 17 + "الرياض" + ")" * 17, "(" * 3000 + "الرياض", "(" * 900 + "x" + ")" * 900])
def test_deep_brackets_are_a_syntax_error_not_a_recursion_error(text):
    with pytest.raises(QuerySyntaxError, match="nested"):
        parse_query(text)


def test_a_long_query_is_refused_before_parsing():
    start = time.perf_counter()
    with pytest.raises(QuerySyntaxError, match="characters long"):
        parse_query("ا" * 10_000)
    assert time.perf_counter() - start < 0.5


# Boosts


@pytest.mark.parametrize("boost", ["0", "0.0", "-1", "+0", "nan", "inf", "1e308", "101", "100.5"])
def test_a_boost_outside_0_to_100_is_an_error(boost):
    with pytest.raises(QuerySyntaxError, match=r"boost must be above 0 and at most 100"):
        parse_query(f"الرياض^{boost}")


def test_a_boost_in_range_weighs_its_word(archive):
    plain = archive.search(SearchRequest("الرياض"))[0].score
    boosted = archive.search(SearchRequest("الرياض^2"))[0].score
    assert boosted == pytest.approx(2 * plain, rel=1e-3)
    assert ids(archive, "(الرياض معرض)^100") == ["a5"]


def test_a_caret_with_nothing_before_it_is_punctuation(archive):
    assert ids(archive, "^0 الرياض") == ["a5"]


# Fields a query cannot name


@pytest.mark.parametrize("field", ["url", "time", "origin", "related", "fingerprint", "source_key"])
def test_stored_and_internal_fields_are_plain_words(archive, field):
    q = parse_query(f"{field}:الرياض")
    assert {t.fieldname for t in q.leaves()} == {"title", "body"}
    assert field in {str(t.text) for t in q.leaves()}
    # Nothing has the word "url", "time" ...: no hit with every word, no error.
    assert archive.search(SearchRequest(f"{field}:الرياض", fill_with_any=False)) == []
    assert archive.search(SearchRequest(f"{field}:")) == []


def test_searchable_fields_still_work(archive):
    assert ids(archive, "place:دمشق") == ["a1"]
    assert ids(archive, "source:skynews category:economy") == ["a3"]
    assert ids(archive, "id:a3") == ["a3"]


# Patterns


@pytest.mark.parametrize("text", ["*", "**", "?????", "*:*", "ب*", "ب?غوز", "*غوز", "date:*", "title:?*"])
def test_a_pattern_needs_two_letters_before_its_wildcard(text):
    with pytest.raises(QuerySyntaxError, match="at least 2 letters before"):
        parse_query(text)


def test_a_pattern_with_a_prefix_still_finds(archive):
    assert set(ids(archive, "الباغو*")) == {"a1", "a2"}
    assert set(ids(archive, "مءا?")) == {"a1", "a2", "a4"}  # مئات


def test_a_pattern_standing_for_too_many_words_is_an_error(archive, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXPANSION", 1)
    with pytest.raises(QuerySyntaxError, match=r"'مء\*' stands for too many words \(over 1\)"):
        archive.search(SearchRequest("مء*"))  # مئات, مئتي
    monkeypatch.setattr(limits, "MAX_EXPANSION", 2)
    assert set(ids(archive, "مء*")) == {"a1", "a2", "a4", "a6"}


# Ranges


def test_a_range_outside_date_is_its_words(archive):
    # A word glued to an open range: الرياضdate and 2015, not every word after 2015.
    q = parse_query("الرياضdate:>2015")
    assert not any(type(leaf).__name__ == "TermRange" for leaf in q.leaves())
    assert ids(archive, "title:>الرياض") == ["a5"]
    assert ids(archive, "[الرياض TO]") == ["a5"]


def test_date_ranges_are_still_ranges(archive):
    assert set(ids(archive, "date:[2019-01 TO 2019-03]")) == {"a1", "a2"}
    assert set(ids(archive, "مئات date:>2019")) == {"a1", "a2"}


# Words


def test_too_many_different_words_is_an_error():
    letters = "بتثجحخدذرزسشصضطظعغفقكلمن"
    words = [f"كلمة{a}{b}" for a in letters for b in letters][: limits.MAX_WORDS + 1]
    assert len({search_form(w) for w in words}) == limits.MAX_WORDS + 1
    parse_query(" ".join(words[:-1]))
    with pytest.raises(QuerySyntaxError, match=f"{limits.MAX_WORDS + 1} different words: at most {limits.MAX_WORDS}"):
        parse_query(" ".join(words))


def test_a_repeated_word_counts_once(archive):
    text = " ".join(["الرياض"] * 300)
    assert ids(archive, text) == ids(archive, "الرياض")
    assert archive.search(SearchRequest(text))[0].score == archive.search(SearchRequest("الرياض"))[0].score


def test_a_repeated_typo_is_looked_up_once():
    class Lexicon:
        lookups = 0

        def frequency(self, term):
            return {"باغوز": 40}.get(term, 0)

        def neighbours(self, term, max_distance):
            Lexicon.lookups += 1
            return {"باغوز"}

        def surfaces(self, term):
            return {"الباغوز": 3}

    text = " ".join(["البغوز"] * 300)
    words = [QueryWord(n * 7, n * 7 + 6, "البغوز", search_form("البغوز")) for n in range(300)]
    found = suggest(text, words, Lexicon())
    assert found[0].text == " ".join(["الباغوز"] * 300)
    assert Lexicon.lookups <= 5  # the word and its first-letter slips, once


def test_suggestions_stop_when_told():
    calls = []

    class Lexicon:
        def frequency(self, term):
            calls.append(term)
            return 0

        def neighbours(self, term, max_distance):
            return set()

        def surfaces(self, term):
            return {}

    words = [QueryWord(0, 6, "البغوز", "بغوز"), QueryWord(7, 13, "الحذم", "حذم")]
    assert suggest("البغوز الحذم", words, Lexicon(), stop=lambda: True) == []
    assert calls == []


# Ties broken by ids read from the id field


def test_ids_from_the_term_dictionary_give_the_same_ranking(tmp_path, monkeypatch):
    from dataclasses import replace as changed

    from .conftest import ARTICLES

    index_dir = make_index(tmp_path / "ix")
    # Replaced articles leave deleted copies in older segments.
    make_index(index_dir, [changed(a, body=a.body + " تحديث") for a in ARTICLES[:3]])
    queries = ["-الرياض", "date:>2000", "مئات", "date:2018 OR date:2019", "تحديث OR النفط"]
    with Archive(index_dir) as archive:
        expected = [[(h.id, h.score) for h in archive.search(SearchRequest(q, limit=None))] for q in queries]
    monkeypatch.setattr(Archive, "ID_MAP_AFTER", 0)
    with Archive(index_dir) as archive:
        assert [[(h.id, h.score) for h in archive.search(SearchRequest(q, limit=None))] for q in queries] == expected
        assert archive._ids and set(archive._ids.values()) == {a.id for a in ARTICLES}
    assert sorted(h[0] for h in expected[1]) == ["a1", "a2", "a3", "a4", "a5", "a6"]  # undated a7 is in no range


# Time


def test_a_query_over_its_time_limit_raises_query_timeout(shared_index, monkeypatch):
    monkeypatch.setattr(query_module, "CHECK_EVERY", 1)
    with Archive(shared_index, time_limit=1e-9) as limited:
        with pytest.raises(QueryTimeout, match="time limit of 1e-09 s") as raised:
            limited.search(SearchRequest("مئات"))
    assert isinstance(raised.value, SearcherError)


def test_counts_and_timelines_have_the_time_limit_too(shared_index, monkeypatch):
    monkeypatch.setattr(limits, "CHECK_EVERY", 1)
    with Archive(shared_index, time_limit=1e-9) as limited:
        with pytest.raises(QueryTimeout):
            limited.count(SearchRequest("مئات"))
        with pytest.raises(QueryTimeout):
            limited.timeline(SearchRequest("مئات"))


def test_suggestions_past_the_time_limit_are_dropped_not_raised(shared_index):
    with Archive(shared_index, time_limit=1e-9) as limited:
        assert limited.suggest(SearchRequest("البغوز"), forced=True) == []
    with Archive(shared_index, time_limit=30) as unhurried:
        assert [s.text for s in unhurried.suggest(SearchRequest("البغوز"), forced=True)] == ["الباغوز"]


def test_without_a_limit_nothing_times_out(archive):
    assert archive.time_limit is None
    assert set(ids(archive, "مئات")) == {"a1", "a2", "a4"}


@pytest.mark.parametrize("bad", [0, -1, float("inf"), float("nan")])
def test_a_time_limit_must_be_positive(shared_index, bad):
    with pytest.raises(ValueError):
        Archive(shared_index, time_limit=bad)


def test_nested_time_limits_keep_the_earlier_deadline():
    with limits.time_limit(1e-9):
        with limits.time_limit(60):
            time.sleep(0.001)
            with pytest.raises(QueryTimeout, match="1e-09 s"):
                limits.check_time()
    limits.check_time()  # no limit outside


# The command line


def test_cli_reports_a_bad_pattern_in_one_line(shared_index):
    result = run(shared_index, "query", "*")
    assert result.exit_code == 2
    assert result.output == "Error: a pattern needs at least 2 letters before * or ?: '*' would stand for too many words\n"


def test_cli_time_limit_stops_a_slow_query(shared_index, monkeypatch):
    monkeypatch.setattr(query_module, "CHECK_EVERY", 1)
    result = run(shared_index, "query", "مئات", "--time-limit", "0.000000001")
    assert result.exit_code == 2
    assert result.output.startswith("Error: the query took longer than its time limit")
    assert "--time-limit" in result.output
    assert "Traceback" not in result.output
    assert run(shared_index, "query", "مئات", "--time-limit", "0", "-f", "ids").exit_code == 0


def test_cli_time_limit_default_and_bad_values(shared_index):
    help_text = run(shared_index, "query", "--help").output
    assert "--time-limit SECONDS" in help_text and "10.0" in help_text
    assert run(shared_index, "query", "مئات", "--time-limit", "-1").exit_code == 2
    assert run(shared_index, "timeline", "مئات", "--time-limit", "5", "-f", "tsv").exit_code == 0


def test_cli_topics_report_a_bad_topic_and_run_the_others(shared_index, tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_text("q1\t*\nq2\tالرياض\nq3\tالرياض^0\n", encoding="utf-8")
    result = run(shared_index, "query", "--topics", str(topics), "-f", "ids")
    assert result.exit_code == 2
    assert "q2\ta5" in result.stdout
    assert "Error: topic q1: a pattern needs at least 2 letters" in result.output
    assert "Error: topic q3: a boost must be above 0" in result.output


# Any text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab(-)*?^0:[]<>= TO\"", max_size=60))
def test_parse_query_raises_only_query_syntax_errors(text):
    try:
        parse_query(text)
    except QuerySyntaxError:
        pass

