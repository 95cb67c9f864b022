"""Habits users bring to the command line: other digits, day-first dates, options after the
command, unquoted words, a leading "-", NUL-separated ids, and the messages they then read."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.cli import cli
from searcher.errors import QuerySyntaxError
from searcher.userdates import date_bounds, normalise_user_date

from .conftest import ARTICLES, article, search, write_jsonl

#: Digits as Arabic (U+0660..) and Persian (U+06F0..) keyboards type them.
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture()
def index_dir(tmp_path, runner, corpus_file):
    index_dir = tmp_path / "index"
    result = runner.invoke(cli, ["--index-dir", str(index_dir), "index", str(corpus_file)])
    assert result.exit_code == 0, result.output
    return index_dir


def ids(result) -> list[str]:
    assert result.exit_code in (0, 1), result.output
    return result.stdout.split()


# 3. Digits everywhere, day-first dates, reversed ranges.


@pytest.mark.parametrize("digits", [ARABIC_INDIC, PERSIAN])
def test_since_and_until_in_arabic_digits_filter_like_ascii(index_dir, runner, digits):
    ascii_ids = ids(search(runner, index_dir, "query", "مئات", "-f", "ids", "--since", "2019-03"))
    assert ascii_ids == ["a2"]
    since = "2019-03".translate(digits)
    assert ids(search(runner, index_dir, "query", "مئات", "-f", "ids", "--since", since)) == ascii_ids
    until = "2018".translate(digits)
    assert sorted(ids(search(runner, index_dir, "query", "مئات", "-f", "ids", "--until", until))) == ["a4"]


def test_date_in_the_query_text_takes_arabic_digits(index_dir, runner):
    result = search(runner, index_dir, "query", "مئات date:٢٠١٩", "-f", "ids")
    assert sorted(ids(result)) == ["a1", "a2"]
    ranged = search(runner, index_dir, "query", "date:[٢٠١٨-١٠ TO ٢٠١٨-١١]", "-f", "ids")
    assert sorted(ids(ranged)) == ["a3", "a5"]


def test_topics_with_arabic_digit_dates(index_dir, runner):
    result = search(runner, index_dir, "query", "--topics", "-", "-f", "ids", input="q1\tمئات date:٢٠١٩-٠٢\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["q1", "a1"]


def test_day_first_dates_in_options_and_query(index_dir, runner):
    result = search(runner, index_dir, "query", "مئات", "-f", "ids", "--since", "15/02/2019", "--until", "25-02-2019")
    assert ids(result) == ["a1"]
    assert ids(search(runner, index_dir, "query", "مئات date:20/02/2019", "-f", "ids")) == ["a1"]
    assert ids(search(runner, index_dir, "query", "مئات", "-f", "ids", "--since", "٠٣/٢٠١٩")) == ["a2"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "31/02/2019"], "Error: invalid date '31/02/2019': no such date"),
        (["--until", "٢٠١٩-١٣"], "Error: invalid date '٢٠١٩-١٣': no such date"),
        (["--since", "yesterday"], "Error: invalid date 'yesterday': use YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY"),
        (["--since", "2019", "--until", "2018-06"], "Error: --since 2019 is after --until 2018-06"),
        (["--since", "٠١/٠٤/٢٠١٩", "--until", "2019-03"], "Error: --since 2019-04-01 is after --until 2019-03"),
    ],
)
def test_bad_or_reversed_dates_are_errors_before_the_index_is_opened(runner, tmp_path, args, message):
    # No index at all: the date is the first thing wrong, so it is what is reported.
    result = search(runner, tmp_path / "nothing", "query", "مئات", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    timeline = search(runner, tmp_path / "nothing", "timeline", "مئات", *args)
    assert (timeline.exit_code, timeline.stderr) == (2, result.stderr)


def test_since_and_until_in_one_period_are_in_order(index_dir, runner):
    result = search(runner, index_dir, "query", "مئات", "-f", "ids", "--since", "2019-02-01", "--until", "2019-02")
    assert ids(result) == ["a1"]


def test_a_reversed_date_range_in_the_query_is_an_error(index_dir, runner):
    result = search(runner, index_dir, "query", "مئات date:[2019-03 TO 2019-02]")
    assert result.exit_code == 2
    assert result.stderr == "Error: date:[2019-03 TO 2019-02] starts after it ends\n"


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_every_way_of_writing_a_day_means_that_day(day):
    iso = day.isoformat()
    written = [
        iso,
        iso.translate(ARABIC_INDIC),
        iso.translate(PERSIAN),
        iso.replace("-", "/"),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}-{day.month:02d}-{day.year}".translate(ARABIC_INDIC),
        f"{day.day}.{day.month}.{day.year}",
    ]
    for text in written:
        assert normalise_user_date(text) == iso, text
    assert normalise_user_date(f"{day.month}/{day.year}".translate(PERSIAN)) == iso[:7]


@given(st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩-/. x", max_size=14))
def test_any_typed_date_is_an_iso_prefix_or_a_clear_error(text):
    try:
        value = normalise_user_date(text)
    except QuerySyntaxError as error:
        assert str(error).startswith(f"invalid date {text!r}")
        return
    assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value)
    dt.date.fromisoformat((value + "-01-01")[:10])


@given(st.dates(), st.dates())
def test_date_bounds_are_in_order_exactly_when_the_days_are(first, second):
    if first <= second:
        assert date_bounds(first.isoformat(), second.isoformat()) == (first.isoformat(), second.isoformat())
    else:
        with pytest.raises(QuerySyntaxError):
            date_bounds(first.isoformat(), second.isoformat())


# 8. Habits: --index-dir after the command, unquoted words, "-word", --explain, topics, -0.


def test_index_dir_after_the_command_for_every_command(tmp_path, runner, corpus_file):
    where = str(tmp_path / "after")
    # The group's folder (default or named) does not exist: the command's own option wins.
    ignored = ["--index-dir", str(tmp_path / "ignored")]
    built = runner.invoke(cli, [*ignored, "index", str(corpus_file), "--index-dir", where])
    assert built.exit_code == 0, built.output
    assert not (tmp_path / "ignored").exists()
    assert ids(runner.invoke(cli, [*ignored, "query", "الباغوز", "-f", "ids", "--index-dir", where])) == ["a1", "a2"]
    shown = runner.invoke(cli, ["show", "a1", "--index-dir", where])
    assert shown.exit_code == 0 and shown.stdout.startswith("خروج المدنيين")
    stats = runner.invoke(cli, ["stats", "--index-dir", where, "-f", "json"])
    assert stats.exit_code == 0 and f'"articles": {len(ARTICLES)}' in stats.stdout
    timeline = runner.invoke(cli, ["timeline", "الباغوز", "--index-dir", where, "-f", "tsv"])
    assert timeline.exit_code == 0 and "2019-02\t1" in timeline.stdout
    similar = runner.invoke(cli, ["similar", "a4", "--index-dir", where, "-f", "ids"])
    assert similar.exit_code in (0, 1), similar.output


def test_index_dir_after_the_command_beats_the_environment(tmp_path, runner, index_dir):
    env = {"SEARCH_INDEX_DIR": str(tmp_path / "elsewhere")}
    assert search(runner, index_dir, "stats").exit_code == 0
    missing = runner.invoke(cli, ["stats"], env=env)
    assert missing.exit_code == 2
    found = runner.invoke(cli, ["stats", "--index-dir", str(index_dir)], env=env)
    assert found.exit_code == 0, found.output


def test_no_index_names_the_folder_and_the_ways_to_name_another(runner, tmp_path):
    result = runner.invoke(cli, ["query", "الباغوز"], env={"SEARCH_INDEX_DIR": "no-such-folder"})
    assert result.exit_code == 2
    line = result.stderr
    assert line.count("\n") == 1
    assert line.startswith("Error: no index at no-such-folder/ (")
    assert os.path.abspath("no-such-folder") + "/" in line
    assert "--index-dir" in line and "SEARCH_INDEX_DIR" in line and "search index" in line


def test_several_unquoted_words_are_one_query(index_dir, runner):
    quoted = ids(search(runner, index_dir, "query", "المدنيين الباغوز", "-f", "ids"))
    assert quoted == ["a1", "a2"]  # a1 has both words, a2 only الباغوز
    assert ids(search(runner, index_dir, "query", "المدنيين", "الباغوز", "-f", "ids")) == quoted
    # Options may come between the words.
    assert ids(search(runner, index_dir, "query", "المدنيين", "-f", "ids", "الباغوز")) == quoted
    timeline = search(runner, index_dir, "timeline", "المدنيين", "الباغوز", "-f", "tsv")
    assert timeline.exit_code == 0 and "2019-02\t1" in timeline.stdout


def test_words_and_topics_together_are_a_usage_error(index_dir, runner):
    result = search(runner, index_dir, "query", "الباغوز", "--topics", "-", input="q1\tالنفط\n")
    assert result.exit_code == 2
    assert "give a QUERY or --topics FILE" in result.stderr


def test_a_word_read_as_an_option_gets_a_hint_about_double_dash(index_dir, runner):
    result = search(runner, index_dir, "query", "مئات", "-المدنيين")
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    hint = [line for line in result.stderr.splitlines() if line.startswith("Hint:")]
    assert hint == ['Hint: to search with "-المدنيين" (a leading - means NOT), put -- before the query words: '
                    "search query [OPTIONS] -- [WORDS] -المدنيين"]
    # ... and the hint works.
    assert sorted(ids(search(runner, index_dir, "query", "-f", "ids", "--", "مئات", "-المدنيين"))) == ["a2", "a4"]
    # A mistyped long option gets Click's own message, no hint.
    typo = search(runner, index_dir, "query", "مئات", "--limmit", "3")
    assert typo.exit_code == 2 and "Hint:" not in typo.stderr


def test_explain_rounds_weights_and_shows_filters(runner, tmp_path):
    result = search(
        runner, tmp_path / "unused", "query", "في الباغوز date:[2019 TO 2020]", "--explain",
        "--source", "skynews", "--source", "BBC", "--since", "٢٠١٧", "--until", "15/03/2019",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    parsed = next(line for line in lines if line.startswith("parsed: "))
    assert "title:في^0.15 OR body:في^0.1" in parsed
    assert "title:باغوز^1.5 OR body:باغوز)" in parsed
    assert "date:[2019 TO 2020]" in parsed  # without the engine's end marker
    assert not re.search(r"\d\.\d{3}", result.stdout)
    assert "filter: source: skynews OR BBC" in lines
    assert "filter: date: 2017 to 2019-03-15 (both included)" in lines
    only_until = search(runner, tmp_path / "unused", "query", "الباغوز", "--explain", "--until", "٢٠١٨")
    assert "filter: date: up to 2018 (included)" in only_until.stdout.splitlines()
    plain = search(runner, tmp_path / "unused", "query", "الباغوز", "--explain")
    assert "filter:" not in plain.stdout


def test_a_topics_line_without_a_tab_is_an_error_naming_the_line(index_dir, runner, tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_text("q1\tالباغوز\n# comment\n\nالنفط\n", encoding="utf-8")
    result = search(runner, index_dir, "query", "--topics", str(topics), "-f", "ids")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {topics} line 4: expected 'qid<TAB>query'\n"
    assert result.stdout == ""  # nothing runs before the file is read whole
    piped = search(runner, index_dir, "query", "--topics", "-", input="\tالنفط\n")
    assert piped.stderr == "Error: standard input line 1: expected 'qid<TAB>query'\n"


def test_null_separated_ids_keep_ids_with_spaces_whole(tmp_path, runner):
    corpus = write_jsonl(
        tmp_path / "spaces.jsonl",
        [*ARTICLES, article("تقرير 8", "مئات النازحين", "عاد مئات النازحين إلى قراهم.", "2019-03-02")],
    )
    where = tmp_path / "ix"
    assert search(runner, where, "index", str(corpus)).exit_code == 0
    result = search(runner, where, "query", "مئات", "-f", "ids", "-0")
    assert result.exit_code == 0
    assert "\n" not in result.stdout
    assert result.stdout.endswith("\0")
    assert sorted(result.stdout.split("\0")[:-1]) == ["a1", "a2", "a4", "تقرير 8"]
    similar = search(runner, where, "similar", "a2", "-f", "ids", "--null")
    assert similar.exit_code == 0 and "\n" not in similar.stdout and "\0" in similar.stdout


@pytest.mark.parametrize("command", [["query", "مئات"], ["similar", "a1"]])
def test_null_with_another_format_is_a_usage_error(index_dir, runner, command):
    result = search(runner, index_dir, *command, "-0")
    assert result.exit_code == 2
    assert "Error: -0/--null only goes with --format ids" in result.stderr


# 9. Messages.


def test_invalid_json_message_has_no_doubled_word(tmp_path, runner):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"id": "x", "body": "نص لم يغلق\n', encoding="utf-8")
    result = search(runner, tmp_path / "ix", "index", str(corpus))
    assert result.exit_code == 1
    assert f"skipped: {corpus}:1: invalid JSON (Unterminated string starting at column 21)" in result.stderr
    assert not re.search(r"\b(\w+) \1\b", result.stderr)


def test_unparsable_query_message_names_no_python_exception(index_dir, runner):
    result = search(runner, index_dir, "query", "<x")
    assert result.exit_code == 2
    assert result.stderr == "Error: cannot parse the query '<x': check its operators, brackets and quotes\n"


# Real processes: what a shell passes.


def run_search(*args, index_dir=None, env=None):
    return subprocess.run([sys.executable, "-m", "searcher", *args], capture_output=True, env={**os.environ, **(env or {})})


def test_subprocess_unquoted_words_and_index_dir_after_the_command(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl")
    where = str(tmp_path / "ix")
    env = {"SEARCH_INDEX_DIR": str(tmp_path / "not-here")}
    built = run_search("index", str(corpus), "--index-dir", where, env=env)
    assert built.returncode == 0, built.stderr.decode()
    found = run_search("query", "المدنيين", "الباغوز", "--index-dir", where, "-f", "ids", env=env)
    assert found.returncode == 0, found.stderr.decode()
    assert found.stdout.decode().split() == ["a1", "a2"]
    nul = run_search("query", "مئات", "--index-dir", where, "-f", "ids", "-0", "--since", "٢٠١٩", env=env)
    assert nul.stdout == b"a1\0a2\0"
    missing = run_search("query", "المدنيين", "الباغوز", env=env)
    assert missing.returncode == 2
    assert str(tmp_path / "not-here") in missing.stderr.decode()
