"""The command line as a user types it: CliRunner for detail, real processes for pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from searcher.cli import cli

from .conftest import ARTICLES, search, write_jsonl


@pytest.fixture()
def indexed(tmp_path, runner, corpus_file):
    """An index built through the CLI; returns the --index-dir value."""
    index_dir = tmp_path / "index"
    result = runner.invoke(cli, ["--index-dir", str(index_dir), "index", str(corpus_file)])
    assert result.exit_code == 0, result.output
    return index_dir


def test_index_prints_a_summary_on_stderr_only(tmp_path, runner, corpus_file):
    result = search(runner, tmp_path / "ix", "index", str(corpus_file))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"{len(ARTICLES)} articles in" in result.stderr
    assert f"{len(ARTICLES)} added, 0 updated, 0 unchanged, 0 skipped" in result.stderr


def test_reindex_reports_unchanged_and_quiet_prints_nothing(indexed, runner, corpus_file):
    result = search(runner, indexed, "index", str(corpus_file))
    assert f"0 added, 0 updated, {len(ARTICLES)} unchanged" in result.stderr
    result = search(runner, indexed, "index", "-q", str(corpus_file))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_index_with_bad_lines_reports_them_and_exits_1(tmp_path, runner, corpus_file):
    with corpus_file.open("a", encoding="utf-8") as out:
        out.write("{not json\n")
    result = search(runner, tmp_path / "ix", "index", str(corpus_file))
    assert result.exit_code == 1, result.output
    assert f"{corpus_file}:{len(ARTICLES) + 1}" in result.stderr
    assert "1 skipped" in result.stderr
    assert "Traceback" not in result.output


def test_index_reads_stdin(tmp_path, runner, corpus_file):
    result = search(runner, tmp_path / "ix", "index", "-", input=corpus_file.read_bytes())
    assert result.exit_code == 0, result.output
    assert f"{len(ARTICLES)} added" in result.stderr


def test_index_missing_path_is_an_error(tmp_path, runner):
    result = search(runner, tmp_path / "ix", "index", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert str(tmp_path / "missing") in result.stderr


@pytest.mark.parametrize("query", ["الباغوز", "البَاغُوز", "باغوز", "والباغوز", "الباغـوز"])
def test_query_table_finds_every_spelling(indexed, runner, query):
    result = search(runner, indexed, "query", query)
    assert result.exit_code == 0, result.output
    assert "a1" in result.stdout and "a2" in result.stdout
    assert "[البَاغُوزِ]" in result.stdout  # the original spelling, marked


def test_query_jsonl_parses_line_by_line(indexed, runner):
    result = search(runner, indexed, "query", "الباغوز", "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a1", "a2"]
    assert [r["rank"] for r in records] == [1, 2]
    first = records[0]
    assert {"rank", "id", "score", "title", "date", "source", "url", "snippet", "matches"} <= set(first)
    assert [first["snippet"][a:b] for a, b in first["matches"]] == ["البَاغُوزِ"]


def test_query_other_formats(indexed, runner):
    assert search(runner, indexed, "query", "الباغوز", "-f", "ids").stdout == "a1\na2\n"
    trec = search(runner, indexed, "query", "الباغوز", "-f", "trec", "--run-tag", "t1").stdout.splitlines()
    assert [line.split()[:4] + line.split()[5:] for line in trec] == [["1", "Q0", "a1", "1", "t1"], ["1", "Q0", "a2", "2", "t1"]]
    tsv = search(runner, indexed, "query", "الباغوز", "-f", "tsv").stdout.splitlines()
    assert [row.split("\t")[1] for row in tsv] == ["a1", "a2"]


def test_query_options_reach_the_search(indexed, runner):
    def run(*args):
        return search(runner, indexed, "query", *args, "-f", "ids").stdout.split()

    assert run("مئات", "--sort", "-date") == ["a2", "a1", "a4"]
    assert run("مئات", "--since", "2019") == ["a1", "a2"]
    assert run("مئات", "--until", "2018") == ["a4"]
    assert run("مئات OR الكتاب", "--source", "Jawhara FM") == ["a5"]
    ranked = run("الباغوز النفط", "--any")
    assert sorted(ranked) == ["a1", "a2", "a3"]
    assert run("الباغوز النفط", "--any", "--limit", "1", "--offset", "2") == ranked[2:]


def test_all_words_first_then_partial_hits_with_a_note(indexed, runner):
    result = search(runner, indexed, "query", "الباغوز مسئول", "--no-color")
    assert result.exit_code == 0, result.output
    assert result.stdout.index("a2") < result.stdout.index("a1")
    assert result.stderr.strip() == "Hits from #2 have only some of the words."
    records = [json.loads(line) for line in search(runner, indexed, "query", "الباغوز مسئول", "-f", "jsonl").stdout.splitlines()]
    assert [(r["id"], r["partial"]) for r in records][:2] == [("a2", False), ("a1", True)]
    assert all(r["partial"] for r in records[1:])


def test_all_option_is_strict_and_excludes_any(indexed, runner):
    result = search(runner, indexed, "query", "الباغوز النفط", "--all", "-f", "ids")
    assert (result.exit_code, result.stdout) == (1, "")
    result = search(runner, indexed, "query", "الباغوز النفط", "-f", "ids")
    assert (result.exit_code, sorted(result.stdout.split())) == (0, ["a1", "a2", "a3"])
    result = search(runner, indexed, "query", "الباغوز", "--all", "--any")
    assert result.exit_code == 2 and "--any and --all" in result.stderr


def test_no_hits_exits_1_with_empty_stdout(indexed, runner):
    for fmt in ("table", "jsonl", "ids"):
        result = search(runner, indexed, "query", "كلمةغيرموجودة", "-f", fmt)
        assert (result.exit_code, result.stdout) == (1, ""), fmt


def test_missing_index_exits_2_with_one_line_saying_how_to_build_one(tmp_path, runner):
    result = search(runner, tmp_path / "none", "query", "الباغوز")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: no index at") and "search index" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query"], "give a QUERY or --topics"),
        (["query", "date:2019-13"], "invalid date"),
        (["query", "x", "--sort", "size"], "Invalid value for '--sort'"),
        (["query", "الباغوز", "--since", "tomorrow"], "invalid date"),
    ],
)
def test_usage_and_query_errors_exit_2(indexed, runner, args, message):
    result = search(runner, indexed, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_topics_run_in_one_process_with_qids(indexed, runner, tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_text("q1\tالباغوز\n\n# a comment\nq2\tكلمةغيرموجودة\nq3\tالنفط\n", encoding="utf-8")
    result = search(runner, indexed, "query", "--topics", str(topics), "-f", "trec")
    assert result.exit_code == 0, result.output
    assert [line.split()[:3] for line in result.stdout.splitlines()] == [
        ["q1", "Q0", "a1"],
        ["q1", "Q0", "a2"],
        ["q3", "Q0", "a3"],
    ]
    result = search(runner, indexed, "query", "--topics", "-", "-f", "jsonl", input="q9\tالباغوز\n")
    assert {json.loads(line)["qid"] for line in result.stdout.splitlines()} == {"q9"}


def test_a_bad_topic_is_reported_and_the_batch_goes_on(indexed, runner):
    topics = "q1\tdate:2019-13\nq2\tالنفط\n"
    result = search(runner, indexed, "query", "--topics", "-", "-f", "ids", input=topics)
    assert result.exit_code == 2
    assert result.stdout == "q2\ta3\n"
    assert result.stderr.startswith("Error: topic q1: invalid date")


def test_explain_shows_the_normalised_query(runner, tmp_path):
    result = search(runner, tmp_path / "unused", "query", "البَاغُوز =الرياض", "--explain")
    assert result.exit_code == 0, result.output
    assert "search forms: باغوز" in result.stdout
    assert "exact forms: الرياض" in result.stdout
    assert "title:باغوز" in result.stdout and "exact:الرياض" in result.stdout
    # The relaxed query that fills up the page, with the phrase still required.
    assert "then: (exact:الرياض ANDMAYBE" in result.stdout


def test_show_prints_one_article(indexed, runner):
    result = search(runner, indexed, "show", "a1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "خروج المدنيين من الباغوز"
    assert "مِن بلدة البَاغُوزِ" in result.stdout
    record = json.loads(search(runner, indexed, "show", "a5", "-f", "json").stdout)
    assert record["url"] == "https://example.org/a5"
    missing = search(runner, indexed, "show", "nope")
    assert missing.exit_code == 2 and "no article with id 'nope'" in missing.stderr


def test_stats(indexed, runner):
    result = search(runner, indexed, "stats", "-f", "json")
    record = json.loads(result.stdout)
    assert record["articles"] == len(ARTICLES)
    assert record["first_date"] == "2017-05-14" and record["last_date"] == "2019-03-01"
    assert record["sources"]["skynews"] == 2
    table = search(runner, indexed, "stats").stdout
    assert f"articles: {len(ARTICLES)}" in table


def test_colour_only_when_asked_or_on_a_terminal(indexed, runner):
    plain = search(runner, indexed, "query", "الباغوز").stdout
    assert "\x1b[" not in plain
    coloured = search(runner, indexed, "query", "الباغوز", "--color").stdout
    assert "\x1b[" in coloured and "[البَاغُوزِ]" not in coloured


def test_help_lists_commands_and_exit_codes(runner):
    result = runner.invoke(cli, ["--help"])
    for word in ("index", "query", "show", "stats", "Exit codes"):
        assert word in result.stdout
    assert "Exit codes: 0 at least one hit, 1 no hits, 2 error" in runner.invoke(cli, ["query", "--help"]).stdout


# Real processes: what a shell script sees.


def run_search(*args, index_dir, **kwargs):
    env = {**os.environ, "SEARCH_INDEX_DIR": str(index_dir), "PYTHONUTF8": "1"}
    return subprocess.run([sys.executable, "-m", "searcher", *args], capture_output=True, env=env, **kwargs)


def test_subprocess_index_then_query_jsonl(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl")
    index_dir = tmp_path / "ix"
    built = run_search("index", str(corpus), index_dir=index_dir)
    assert built.returncode == 0, built.stderr.decode()
    assert built.stdout == b""
    found = run_search("query", "والباغوز", "--format", "jsonl", index_dir=index_dir)
    assert found.returncode == 0, found.stderr.decode()
    assert [json.loads(line)["id"] for line in found.stdout.decode().splitlines()] == ["a1", "a2"]
    assert b"\x1b[" not in found.stdout
    none = run_search("query", "كلمةغيرموجودة", index_dir=index_dir)
    assert (none.returncode, none.stdout) == (1, b"")
    missing = run_search("query", "x", index_dir=tmp_path / "nothing")
    assert missing.returncode == 2 and missing.stderr.decode().count("\n") == 1


def test_subprocess_closed_pipe_is_not_an_error(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl")
    index_dir = tmp_path / "ix"
    run_search("index", str(corpus), index_dir=index_dir, check=True)
    # Far more output than a pipe buffers, so `head` really closes the pipe on us.
    topics = tmp_path / "topics.tsv"
    topics.write_text("".join(f"q{n}\tمئات OR الكتاب OR النفط\n" for n in range(2000)), encoding="utf-8")
    env = {**os.environ, "SEARCH_INDEX_DIR": str(index_dir)}
    pipeline = f"{sys.executable} -m searcher query --topics {topics} -f jsonl | head -n 1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == b""


def test_progress_bar_on_a_terminal_only(tmp_path):
    import pty

    corpus = write_jsonl(tmp_path / "c.jsonl")
    master, slave = pty.openpty()
    env = {**os.environ, "SEARCH_INDEX_DIR": str(tmp_path / "ix")}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "searcher", "index", str(corpus)], stdout=subprocess.PIPE, stderr=slave, env=env
    )
    os.close(slave)
    process.wait(timeout=60)
    terminal = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal is closed once the process has gone
            break
        if not chunk:
            break
        terminal += chunk
    os.close(master)
    assert process.returncode == 0
    assert b"Indexing" in terminal and b"100%" in terminal
    assert f"{len(ARTICLES)} added".encode() in terminal
    # The same run in a pipe: the summary only.
    piped = run_search("index", "--rebuild", str(corpus), index_dir=tmp_path / "ix")
    assert b"Indexing" not in piped.stderr
    assert piped.stderr.decode().count("\n") == 1
