"""A bad record costs only itself: every odd input is one problem line, the rest is indexed.

Each case of the audit is here as a regression test: lone surrogates, file names
that are not UTF-8, undecodable arguments, symbolic link loops, unreadable named
files, empty JSON Lines, a JSON array on stdin, NUL bytes in a JSON Lines file,
file names with newlines, escape sequences in names and titles; then a property
test over arbitrary text in every field and arbitrary byte file names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.cli import cli
from searcher.indexer import Indexer
from searcher.ingest import CorpusReader
from searcher.ingest.decode import clean_controls, fs_text, replace_surrogates
from searcher.models import Article
from searcher.query import Archive, SearchRequest
from searcher.terminal import printable

from .conftest import ARTICLES, article, search, write_jsonl

GOOD = '{"id": "good", "title": "عودة النازحين", "body": "عاد مئات النازحين إلى الباغوز"}\n'


def lines(stream: str, label: str) -> list[str]:
    return [line for line in stream.splitlines() if line.startswith(f"{label}: ")]


def stored_ids(index_dir) -> set[str]:
    with Archive(index_dir) as archive:
        hits = archive.search(SearchRequest("الباغوز", limit=10_000, fill_with_any=False, snippets=False))
    return {hit.id for hit in hits}


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# -- lone surrogates ---------------------------------------------------------------------


def test_a_lone_surrogate_is_replaced_and_the_article_indexed_with_a_warning(tmp_path, runner):
    corpus = tmp_path / "news.jsonl"
    corpus.write_text('{"id": "x", "title": "خبر \\ud800", "body": "الباغوز \\udfff دير الزور"}\n' + GOOD, encoding="utf-8")
    result = search(runner, tmp_path / "ix", "index", str(corpus))
    no_traceback(result)
    assert result.exit_code == 0, result.output  # a warning, nothing skipped
    assert lines(result.stderr, "warning") == [
        f"warning: {corpus}:1: lone surrogate escapes replaced with U+FFFD (in 'title', 'body')"
    ]
    assert stored_ids(tmp_path / "ix") == {"x", "good"}
    shown = search(runner, tmp_path / "ix", "show", "x")
    assert shown.exit_code == 0
    assert "خبر \ufffd" in shown.stdout and "الباغوز \ufffd دير الزور" in shown.stdout
    stats = search(runner, tmp_path / "ix", "stats")
    assert "articles: 2" in stats.stdout


def test_an_article_with_surrogates_from_the_library_is_skipped_and_the_batch_kept(tmp_path):
    problems = []
    bad = article("bad", "عنوان", "نص \ud800 الباغوز")
    with Indexer(tmp_path / "ix", on_problem=problems.append) as indexer:
        stats = indexer.add_all([ARTICLES[0], bad, ARTICLES[1]])
    assert (stats.added, stats.skipped) == (2, 1)
    assert [str(p) for p in problems] == ["bad: text is not valid Unicode (lone surrogate \\ud800)"]
    assert stored_ids(tmp_path / "ix") == {"a1", "a2"}


def test_an_article_that_cannot_be_analysed_costs_only_itself_in_one_process(tmp_path):
    problems = []
    broken = Article(id="broken", title=["not", "text"], body="الباغوز", origin="feed.jsonl:2")
    with Indexer(tmp_path / "ix", batch_size=2, on_problem=problems.append) as indexer:
        stats = indexer.add_all([ARTICLES[0], broken, *ARTICLES[1:4]])
    assert (stats.added, stats.skipped) == (4, 1)
    assert [p.location for p in problems] == ["feed.jsonl:2"]
    assert problems[0].message.startswith("cannot index (")
    with Archive(tmp_path / "ix") as archive:
        assert archive.stats().articles == 4


# -- file names ----------------------------------------------------------------------------


def test_file_names_that_are_not_utf8_are_indexed_under_readable_ids(tmp_path, runner):
    folder = tmp_path / "zip"
    folder.mkdir()
    latin1 = os.fsencode(folder) + b"/caf\xe9.txt"
    arabic = os.fsencode(folder) + b"/" + "خبر الباغوز.txt".encode("cp1256")
    for name in (latin1, arabic):
        with open(name, "wb") as out:
            out.write("عنوان الخبر\n\nعاد النازحون إلى الباغوز".encode("utf-8"))
    result = search(runner, tmp_path / "ix", "index", str(folder))
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert stored_ids(tmp_path / "ix") == {"caf\\xe9.txt", "خبر الباغوز.txt"}
    assert sorted(lines(result.stderr, "warning")) == [
        f"warning: {folder}/caf\\xe9.txt: file name is not UTF-8 (bytes written as \\xNN)",
        f"warning: {folder}/خبر الباغوز.txt: file name is not UTF-8 (decoded as Windows-1256)",
    ]
    # The same file named on the command line, as the shell passes it.
    named = search(runner, tmp_path / "ix2", "index", os.fsdecode(latin1))
    assert named.exit_code == 0, named.output
    assert stored_ids(tmp_path / "ix2") == {"caf\\xe9.txt"}


def test_a_file_name_with_a_newline_or_escape_stays_on_one_line(tmp_path, runner):
    (tmp_path / "ok.jsonl").write_text(GOOD, encoding="utf-8")
    (tmp_path / "evil\nskipped: fake.jsonl").write_text("{broken\n", encoding="utf-8")
    (tmp_path / "red\x1b[31m.pdf").write_bytes(b"%PDF")
    result = search(runner, tmp_path / "ix", "index", str(tmp_path))
    no_traceback(result)
    assert result.exit_code == 1
    assert lines(result.stderr, "skipped") == [
        f"skipped: {tmp_path}/evil\\nskipped: fake.jsonl:1: invalid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"skipped: {tmp_path}/red\\x1b[31m.pdf: unsupported file type (.pdf)",
    ]
    assert "\x1b" not in result.stderr
    assert stored_ids(tmp_path / "ix") == {"good"}


# -- arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["show", "\udcff"], ["similar", "a\udcff"], ["query", "\udcff"], ["timeline", "\udcff"], ["query", "x", "--source", "\udcff"]],
)
def test_arguments_that_are_not_utf8_are_one_error_line(tmp_path, runner, args):
    write_jsonl(tmp_path / "a.jsonl")
    search(runner, tmp_path / "ix", "index", str(tmp_path / "a.jsonl"))
    result = search(runner, tmp_path / "ix", *args)
    no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ") and "is not valid UTF-8 text: " in result.stderr
    assert "\\xff" in result.stderr


def test_show_with_an_undecodable_byte_as_typed_in_a_shell(tmp_path, corpus_file):
    index_dir = tmp_path / "ix"
    subprocess.run([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "index", "-q", str(corpus_file)], check=True)
    command = [os.fsencode(sys.executable), b"-m", b"searcher", b"--index-dir", os.fsencode(index_dir), b"show", b"\xff"]
    done = subprocess.run(command, capture_output=True)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr == b"Error: ARTICLE_ID is not valid UTF-8 text: \\xff\n"


# -- unreadable inputs ---------------------------------------------------------------------


def test_a_symbolic_link_loop_in_a_folder_is_one_line(tmp_path, runner):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.jsonl").write_text(GOOD, encoding="utf-8")
    os.symlink("loop-b.jsonl", folder / "loop-a.jsonl")
    os.symlink("loop-a.jsonl", folder / "loop-b.jsonl")
    result = search(runner, tmp_path / "ix", "index", str(folder))
    no_traceback(result)
    assert result.exit_code == 1
    assert lines(result.stderr, "skipped") == [
        f"skipped: {folder}/loop-a.jsonl: symbolic link loop",
        f"skipped: {folder}/loop-b.jsonl: symbolic link loop",
    ]
    assert stored_ids(tmp_path / "ix") == {"good"}


def test_unreadable_named_inputs_are_reported_and_the_others_indexed(tmp_path, runner):
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    os.symlink("nowhere.jsonl", tmp_path / "dangling.jsonl")
    os.symlink("loop.jsonl", tmp_path / "loop.jsonl")
    result = search(
        runner, tmp_path / "ix", "index", str(tmp_path / "dangling.jsonl"), str(tmp_path / "loop.jsonl"), str(tmp_path / "good.jsonl")
    )
    no_traceback(result)
    assert result.exit_code == 1
    assert lines(result.stderr, "skipped") == [
        f"skipped: {tmp_path}/dangling.jsonl: broken symbolic link",
        f"skipped: {tmp_path}/loop.jsonl: symbolic link loop",
    ]
    assert stored_ids(tmp_path / "ix") == {"good"}


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_named_file_without_read_permission_is_reported(tmp_path, runner):
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    locked = tmp_path / "locked.jsonl"
    locked.write_text(GOOD.replace("good", "locked"), encoding="utf-8")
    locked.chmod(0)
    result = search(runner, tmp_path / "ix", "index", str(locked), str(tmp_path / "good.jsonl"))
    assert result.exit_code == 1
    assert lines(result.stderr, "skipped") == [f"skipped: {locked}: cannot read (permission denied)"]
    assert stored_ids(tmp_path / "ix") == {"good"}


def test_an_empty_jsonl_file_is_reported(tmp_path, runner):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_text("\n  \n", encoding="utf-8")
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    result = search(runner, tmp_path / "ix", "index", str(tmp_path))
    # Nothing was lost: reported as warnings, and the run exits 0 (1 with --strict).
    assert result.exit_code == 0
    assert lines(result.stderr, "warning") == [
        f"warning: {tmp_path}/blank.jsonl: empty file (nothing to index)",
        f"warning: {tmp_path}/empty.jsonl: empty file (nothing to index)",
    ]
    strict = search(runner, tmp_path / "ix2", "index", "--strict", str(tmp_path))
    assert strict.exit_code == 1
    assert stored_ids(tmp_path / "ix") == {"good"}


@pytest.mark.parametrize("data", ['[{"id": "a", "body": "الباغوز"}]', '[\n  {"id": "a", "body": "الباغوز"},\n  {"id": "b"}\n]\n'])
def test_a_json_array_on_stdin_is_a_problem_not_an_article(tmp_path, runner, data):
    result = search(runner, tmp_path / "ix", "index", "-", input=data.encode("utf-8"))
    no_traceback(result)
    assert result.exit_code == 1
    assert lines(result.stderr, "skipped") == [
        "skipped: stdin: a JSON array, not JSON Lines (one object per line; convert with: jq -c '.[]')"
    ]
    with Archive(tmp_path / "ix") as archive:
        assert archive.stats().articles == 0


def test_a_text_article_starting_with_a_bracket_is_still_text(tmp_path):
    (tmp_path / "note").write_text("[عاجل] عودة النازحين\n\nعاد مئات النازحين إلى الباغوز", encoding="utf-8")
    articles = list(CorpusReader([tmp_path / "note"]))
    assert [(a.id, a.title) for a in articles] == [("note", "[عاجل] عودة النازحين")]


def test_nul_bytes_in_jsonl_cost_only_their_lines(tmp_path, runner):
    corpus = tmp_path / "feed.jsonl"
    records = [GOOD.replace("good", f"g{i}") for i in range(3)]
    corpus.write_bytes(
        records[0].encode() + b'{"id": "n1", "body": "a\x00b"}\n' + records[1].encode() + b"\x00\x00\x00\n" + records[2].encode()
    )
    result = search(runner, tmp_path / "ix", "index", str(corpus))
    assert result.exit_code == 1
    assert lines(result.stderr, "skipped") == [
        f"skipped: {corpus}:2: binary data (NUL byte) in line",
        f"skipped: {corpus}:4: binary data (NUL byte) in line",
    ]
    assert stored_ids(tmp_path / "ix") == {"g0", "g1", "g2"}
    # A binary file that does not start as JSON Lines is still one problem, whatever its name.
    (tmp_path / "blob.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = search(runner, tmp_path / "ix2", "index", str(tmp_path / "blob.jsonl"))
    assert lines(result.stderr, "skipped") == [f"skipped: {tmp_path}/blob.jsonl: binary file"]


# -- terminal safety -----------------------------------------------------------------------


def test_control_characters_in_json_titles_are_cleaned_at_ingest(tmp_path):
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(json.dumps({"id": "c", "title": "خبر\x1b[2J\x9b31m عاجل", "body": "الباغوز"}) + "\n", encoding="utf-8")
    (found,) = CorpusReader([corpus])
    assert found.title == "خبر [2J 31m عاجل"


def test_titles_with_escape_sequences_are_shown_escaped(tmp_path, runner):
    # Written through the library, which stores text as given: the terminal must still be safe.
    hostile = article("evil\x1b]0;owned\x07", "عنوان\x1b[2J\x9b31m الباغوز", "خبر عن الباغوز\x1b[5m", source="وكالة\x9b")
    with Indexer(tmp_path / "ix") as indexer:
        indexer.add_all([hostile, ARTICLES[0]])
    for args in (["query", "الباغوز", "--color"], ["query", "الباغوز"], ["show", hostile.id]):
        result = search(runner, tmp_path / "ix", *args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert "\x9b" not in result.stdout and "\x07" not in result.stdout
        assert "\x1b[2J" not in result.stdout and "\x1b]0" not in result.stdout
        assert "\\x1b[2J\\x9b31m" in result.stdout
    colored = search(runner, tmp_path / "ix", "query", "الباغوز", "--color")
    assert "\x1b[31m" in colored.stdout  # the highlighting itself still works


def test_printable_escapes_controls_and_keeps_arabic():
    assert printable("الباغوز\tدير\nالزور") == "الباغوز\tدير\nالزور"
    assert printable("a\rb\x00c\x7f\x85\x9b", one_line=True) == "a\\rb\\x00c\\x7f\\x85\\x9b"
    assert printable("x\ny\t\u2029", one_line=True) == "x\\ny\\t\\u2029"
    assert printable("\ud800") == "\\ud800"


# -- the property --------------------------------------------------------------------------

# Any code point, lone surrogates included (JSON can carry them as \ud800 escapes).
ANY_TEXT = st.text(st.integers(0, 0x10FFFF).map(chr), max_size=12)
# os.fsencode-able names of regular, non-hidden files: any bytes but "/" and NUL, invalid UTF-8 included.
FILE_NAMES = st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b and not b.startswith(b"."))
BAD_LINES = st.sampled_from([b"{not json", b'{"id": "x", "body": "a\x00b"}', b"[1, 2]", b'{"title": "no body"}', b'{"body": 7}'])
RECORD = st.fixed_dictionaries(
    {"title": ANY_TEXT, "date": ANY_TEXT, "source": ANY_TEXT, "category": ANY_TEXT, "url": ANY_TEXT},
    optional={"extra": ANY_TEXT},
).flatmap(lambda fields: st.tuples(st.just(fields), ANY_TEXT, ANY_TEXT, ANY_TEXT))
LINE = st.one_of(RECORD, BAD_LINES)
FILES = st.lists(st.tuples(FILE_NAMES, st.lists(LINE, min_size=1, max_size=4)), min_size=1, max_size=3, unique_by=lambda f: f[0])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=FILES)
def test_any_text_and_any_file_name_cost_only_the_bad_lines(tmp_path_factory, files):
    """The run finishes; every good record is searchable; each bad line is one problem line."""
    root = tmp_path_factory.mktemp("prop")
    corpus = os.fsencode(root / "corpus")
    os.mkdir(corpus)
    good: dict[str, str] = {}  # stored id -> expected location
    bad: list[str] = []
    for f, (name, records) in enumerate(files):
        path = corpus + b"/" + name + b".jsonl"
        shown = fs_text(os.fsdecode(path))
        out = []
        for n, line in enumerate(records, start=1):
            if isinstance(line, bytes):
                out.append(line)
                bad.append(f"{shown}:{n}")
                continue
            fields, id_text, before, after = line
            record_id = f"f{f}r{n}-{id_text}"
            # Every field arbitrary; the marker word on lines of its own makes each article findable.
            record = {"id": record_id, **fields, "body": f"{before}\nالباغوز\n{after}"}
            out.append(json.dumps(record).encode("ascii"))  # lone surrogates travel as \udXXX escapes
            good[clean_controls(replace_surrogates(record_id))] = f"{shown}:{n}"
        with open(path, "wb") as stream:
            stream.write(b"\n".join(out) + b"\n")

    result = CliRunner().invoke(cli, ["--index-dir", str(root / "ix"), "index", os.fsdecode(corpus)])
    no_traceback(result)
    assert result.exit_code == (1 if bad else 0), result.output

    skipped = lines(result.stderr, "skipped")
    assert len(skipped) == len(bad), result.stderr
    for location in bad:
        assert sum(line.startswith(f"skipped: {printable(location, one_line=True)}: ") for line in skipped) == 1
    for line in result.stderr.splitlines():
        assert line.startswith(("skipped: ", "warning: ")) or " articles in " in line, line
    assert stored_ids(root / "ix") == set(good)
    with Archive(root / "ix") as archive:
        for stored_id in good:
            assert archive.get(stored_id).origin == good[stored_id]
