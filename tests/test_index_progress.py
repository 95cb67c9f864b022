"""What `search index` prints while it reads: problems summarised by kind, exit codes that
tell lost input from empty records, and a progress line that never leaves fragments."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.cli import PROBLEMS_PER_KIND, ProblemPrinter, ReadProgress, cli
from searcher.ingest import CorpusReader
from searcher.models import PROBLEM_KINDS, Problem
from searcher.query import Archive

from .conftest import require_corpora

GOOD_TITLES = ["خروج المدنيين من الباغوز", "أسعار النفط ترتفع", "افتتاح معرض الكتاب في الرياض"]
KNOWN_KINDS = {kind for _, kind in PROBLEM_KINDS}


def good_record(number: int, prefix: str = "n") -> str:
    title = GOOD_TITLES[number % len(GOOD_TITLES)]
    body = f"تقرير رقم {number} عن {title} في دير الزور والرياض."
    return json.dumps({"id": f"{prefix}{number}", "title": title, "date": "2019-02-20", "body": body}, ensure_ascii=False)


def write_news(path: Path, layout: str) -> dict[str, list[int]]:
    """One record per character of ``layout``: g good, e empty, j invalid JSON, d bad date.
    Returns the line numbers of each kind of bad record."""
    lines, where = [], {"e": [], "j": [], "d": []}
    for number, code in enumerate(layout, 1):
        if code == "g":
            lines.append(good_record(number, path.stem))
        elif code == "e":
            lines.append(json.dumps({"id": f"{path.stem}-e{number}", "title": None, "body": " "}))
        elif code == "j":
            lines.append('{"id": "j%d", "title": "مقطوع", "bo' % number)
        elif code == "d":
            record = json.loads(good_record(number, path.stem))
            record["date"] = "27 شباط"
            lines.append(json.dumps(record, ensure_ascii=False))
        if code in where:
            where[code].append(number)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


def index(runner, tmp_path, *args, **kwargs):
    return runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "index", *args], **kwargs)


@pytest.fixture()
def noisy(tmp_path):
    """A folder whose files repeat two kinds of bad record many times."""
    folder = tmp_path / "corpus"
    first = write_news(folder / "a.jsonl", "gejgejgejgejgejgejge" + "g" * 10)  # 7 e, 6 j
    second = write_news(folder / "b.jsonl", "eejjeejjeejjgg")  # 6 e, 6 j
    return folder, first, second


def test_repeated_problems_show_the_first_few_of_each_kind_then_a_count(runner, tmp_path, noisy):
    folder, first, second = noisy
    result = index(runner, tmp_path, str(folder))
    assert result.exit_code == 1, result.output  # invalid JSON is lost input
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    empty = [line for line in lines if line.endswith("empty article (nothing to index)")]
    invalid = [line for line in lines if line.startswith("skipped: ") and "invalid JSON (" in line]
    # The first five of each kind, in reading order, with file:line.
    expected_empty = [f"{folder / 'a.jsonl'}:{n}" for n in first["e"]][:PROBLEMS_PER_KIND]
    expected_invalid = [f"{folder / 'a.jsonl'}:{n}" for n in first["j"]][:PROBLEMS_PER_KIND]
    assert [line.split(": ")[1] for line in empty] == expected_empty
    assert all(line.startswith("warning: ") for line in empty)
    assert [line.split(": ")[1] for line in invalid] == expected_invalid
    total_empty = len(first["e"]) + len(second["e"])
    total_invalid = len(first["j"]) + len(second["j"])
    assert f'warning: … and {total_empty - 5} more "empty" ({total_empty} in all; --all-problems lists them)' in lines
    assert f'skipped: … and {total_invalid - 5} more "invalid JSON" ({total_invalid} in all; --all-problems lists them)' in lines
    assert len(lines) == 5 + 5 + 2 + 1  # the summary last
    assert f"{total_invalid} skipped (invalid JSON {total_invalid}), {total_empty} empty (nothing to index)" in lines[-1]


def test_all_problems_lists_every_one(runner, tmp_path, noisy):
    folder, first, second = noisy
    result = index(runner, tmp_path, "--all-problems", str(folder))
    assert result.exit_code == 1, result.output
    located = [line.split(": ")[1] for line in result.stderr.splitlines()[:-1]]
    expected = sorted(
        [f"{folder / 'a.jsonl'}:{n}" for n in first["e"] + first["j"]]
        + [f"{folder / 'b.jsonl'}:{n}" for n in second["e"] + second["j"]]
    )
    assert sorted(located) == expected
    assert "more" not in result.stderr


def test_problems_file_gets_every_problem_as_tab_separated_lines(runner, tmp_path, noisy):
    folder, first, second = noisy
    log = tmp_path / "problems.tsv"
    result = index(runner, tmp_path, "-q", "--problems", str(log), str(folder))
    assert result.exit_code == 1
    rows = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    assert all(len(row) == 4 for row in rows)
    assert sorted((row[0], row[1], row[2]) for row in rows) == sorted(
        [("warning", "empty", f"{folder / 'a.jsonl'}:{n}") for n in first["e"]]
        + [("skipped", "invalid JSON", f"{folder / 'a.jsonl'}:{n}") for n in first["j"]]
        + [("warning", "empty", f"{folder / 'b.jsonl'}:{n}") for n in second["e"]]
        + [("skipped", "invalid JSON", f"{folder / 'b.jsonl'}:{n}") for n in second["j"]]
    )
    # Without problems, the file is still written (empty), so a script can always read it.
    clean = tmp_path / "clean.jsonl"
    write_news(clean, "ggg")
    result = index(runner, tmp_path, "-q", "--problems", str(tmp_path / "none.tsv"), str(clean))
    assert (result.exit_code, (tmp_path / "none.tsv").read_text()) == (0, "")


def test_only_empty_records_finish_with_exit_0_and_strict_makes_them_count(runner, tmp_path):
    news = tmp_path / "news.jsonl"
    where = write_news(news, "gegeeeeeeeg")
    result = index(runner, tmp_path, str(news))
    assert result.exit_code == 0, result.output
    summary = result.stderr.splitlines()[-1]
    assert "3 added, 0 updated, 0 unchanged, 0 skipped, 8 empty (nothing to index)" in summary
    assert f"warning: {news}:{where['e'][0]}: empty article (nothing to index)" in result.stderr
    with Archive(tmp_path / "ix") as archive:
        assert archive.stats().articles == 3
    result = index(runner, tmp_path, "--strict", "-q", str(news))
    assert result.exit_code == 1
    assert result.stderr.count("empty article") == 5  # -q keeps the problems, drops the summary
    assert "more \"empty\"" in result.stderr


def test_warnings_alone_exit_0_and_strict_exits_1(runner, tmp_path):
    news = tmp_path / "news.jsonl"
    where = write_news(news, "gdgd")
    result = index(runner, tmp_path, str(news))
    assert result.exit_code == 0, result.output
    assert f"warning: {news}:{where['d'][0]}: invalid date" in result.stderr
    assert index(runner, tmp_path, "--strict", str(news)).exit_code == 1
    clean = tmp_path / "clean.jsonl"
    write_news(clean, "ggg")
    assert index(runner, tmp_path, "--strict", str(clean)).exit_code == 0


def test_help_documents_the_exit_codes_and_options(runner):
    result = runner.invoke(cli, ["index", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for words in ("--all-problems", "--problems FILE", "--strict", "0 everything with text in it was indexed", "1 finished, but some input was lost"):
        assert words in text


def test_every_problem_of_a_folder_of_bad_input_has_a_known_kind(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.txt").write_bytes("خبر\nنص".encode() + b"\xff\xfe\xfa")
    (folder / "legacy.txt").write_bytes("خبر قديم\nنص بترميز ويندوز عن النفط".encode("cp1256"))
    (folder / "photo.png").write_bytes(b"\x89PNG")
    (folder / "bad.jsonl.gz").write_bytes(b"\x1f\x8bnot gzip at all")
    (folder / "rows.csv").write_text("title,body,date\nعنوان,نص الخبر,31/02/2019\nعنوان فقط\n,,\n", encoding="utf-8")
    (folder / "page.html").write_text("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", encoding="utf-8")
    lines = [
        '{"id": "x", "bo',
        "[1, 2]",
        json.dumps({"id": "t", "title": "بلا نص"}, ensure_ascii=False),
        json.dumps({"id": "w", "title": ["قائمة"], "body": "نص"}, ensure_ascii=False),
        json.dumps({"id": "y", "title": "خبر", "body": "نص", "date": "غدا"}, ensure_ascii=False),
        json.dumps({"id": "y", "title": "مكرر", "body": "نص"}, ensure_ascii=False),
        json.dumps({"id": "z", "title": "", "body": " "}),
    ]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from searcher.indexer import Indexer

    problems: list[Problem] = []
    with Indexer(tmp_path / "ix", on_problem=problems.append) as indexer:
        indexer.add_all(CorpusReader(folder, on_problem=indexer.report))
    kinds = {problem.kind for problem in problems}
    assert kinds <= KNOWN_KINDS, [p for p in problems if p.kind not in KNOWN_KINDS]
    assert {"empty", "invalid JSON", "not an object", "missing field", "wrong field type", "bad date",
            "duplicate id", "bad encoding", "legacy encoding", "unsupported type", "bad gzip", "bad row",
            "no story"} <= kinds


problem_kinds = st.sampled_from([
    Problem("a.jsonl:1", "empty article"),
    Problem("a.jsonl:1", "invalid JSON (Expecting value at column 1)"),
    Problem("a.csv:1", "invalid date '31/02/2019'", skipped=False),
    Problem("a.jsonl:1", "duplicate id (x first read at a.jsonl:1)"),
])


@settings(max_examples=60, deadline=None)
@given(st.lists(problem_kinds, max_size=40), st.integers(min_value=1, max_value=6))
def test_printed_and_counted_problems_add_up_for_every_kind(problems, limit):
    out = io.StringIO()
    printer = ProblemPrinter(limit=limit, stream=out)
    for problem in problems:
        printer(problem)
    printer.finish()
    lines = out.getvalue().splitlines()
    for problem in set(problems):  # one message per kind
        kind = problem.kind
        total = problems.count(problem)
        shown = sum(1 for line in lines if str(problem) in line)
        hidden = [int(m.group(1)) for line in lines if (m := re.search(rf'… and (\d+) more "{kind}" \({total} in all', line))]
        assert shown == min(total, limit)
        assert sum(hidden) == total - shown and len(hidden) == (1 if total > limit else 0)
    assert len(lines) == sum(min(n, limit) + (n > limit) for n in (
        sum(1 for p in problems if p.kind == k) for k in {p.kind for p in problems}))


# -- progress on a terminal -----------------------------------------------------------------


class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal, keeping every character written to it."""

    def isatty(self) -> bool:
        return True


def screen(raw: str) -> list[str]:
    """The lines a terminal shows after ``raw``: \\r returns to column 0, ESC[K erases to the
    end of the line, \\n starts a new line (a minimal emulator of what ReadProgress uses)."""
    raw = raw.replace("\r\n", "\n")
    lines, line, column = [], [], 0
    position = 0
    while position < len(raw):
        if raw.startswith("\x1b[K", position):
            del line[column:]
            position += 3
            continue
        char = raw[position]
        position += 1
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("".join(line))
            line, column = [], 0
        else:
            assert char != "\x1b", f"unexpected escape sequence at {position}: {raw[position - 5:position + 5]!r}"
            if column < len(line):
                line[column] = char
            else:
                line.append(char)
            column += 1
    if line:
        lines.append("".join(line))
    return lines


def assert_no_stale_fragments(raw: str) -> None:
    # Every problem line starts at a line's beginning or right after the erase sequence...
    for match in re.finditer(r"(skipped|warning): ", raw):
        before = raw[: match.start()]
        assert before == "" or before.endswith(("\n", "\r\x1b[K")), repr(raw[match.start() - 40 : match.end()])
    # ...so that no line on screen holds a piece of the progress line and a message.
    for line in screen(raw):
        if "skipped: " in line or "warning: " in line:
            assert line.startswith(("skipped: ", "warning: ")) and "Indexing" not in line, line


def read_all(progress: ReadProgress) -> int:
    with progress:
        return sum(1 for _ in progress)


def test_problem_lines_clear_the_bar_first_on_a_terminal(tmp_path, noisy, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.delenv("TERM", raising=False)
    folder, _, _ = noisy
    out = FakeTerminal()
    printer = ProblemPrinter(stream=out)
    reader = CorpusReader(folder, on_problem=printer)
    progress = ReadProgress(reader, quiet=False, stream=out)
    printer.progress = progress
    assert read_all(progress) == 19
    printer.finish()
    raw = out.getvalue()
    assert "\r\x1b[KIndexing [" in raw and "100%" in raw
    assert_no_stale_fragments(raw)
    shown = screen(raw)
    assert sum(1 for line in shown if line.startswith("warning: ")) == 5 + 1  # five, then the count
    assert sum(1 for line in shown if line.startswith("skipped: ")) == 5 + 1
    assert shown[-3].startswith("Indexing [") and "19 articles" in shown[-3]  # the final state stays
    assert max(len(line) for line in raw.replace("\r\x1b[K", "\n").split("\n") if "Indexing" in line) < 60


def test_standard_input_shows_a_counter_of_articles_and_bytes_on_a_terminal(tmp_path):
    data = "".join(good_record(n) + "\n" for n in range(3000)).encode()
    out = FakeTerminal()
    reader = CorpusReader(["-"], stdin=io.BytesIO(gzip.compress(data)), on_problem=lambda p: None)
    progress = ReadProgress(reader, quiet=False, stream=out)
    progress.INTERVAL = 0  # draw after every article
    assert read_all(progress) == 3000
    shown = screen(out.getvalue())
    assert re.fullmatch(r"Indexing: 3,000 articles, \d+\.\d KiB read", shown[-1]), shown
    drawn = re.findall(r"Indexing: ([\d,]+) articles?, ", out.getvalue())
    assert drawn[:3] == ["0", "1", "2"] and drawn[-1] == "3,000"
    assert "%" not in out.getvalue()


def test_no_progress_off_a_terminal_with_quiet_or_a_dumb_terminal(tmp_path, noisy, monkeypatch):
    folder, _, _ = noisy
    for stream, quiet in ((io.StringIO(), False), (FakeTerminal(), True)):
        progress = ReadProgress(CorpusReader(folder, on_problem=lambda p: None), quiet=quiet, stream=stream)
        assert read_all(progress) == 19 and stream.getvalue() == ""
    monkeypatch.setenv("TERM", "dumb")
    stream = FakeTerminal()
    assert read_all(ReadProgress(CorpusReader(folder, on_problem=lambda p: None), quiet=False, stream=stream)) == 19
    assert stream.getvalue() == ""


def test_an_error_while_reading_leaves_a_clean_line_for_the_message(tmp_path, noisy):
    folder, _, _ = noisy
    out = FakeTerminal()
    progress = ReadProgress(CorpusReader(folder, on_problem=lambda p: None), quiet=False, stream=out)
    with pytest.raises(RuntimeError):
        with progress:
            for _ in progress:
                raise RuntimeError("disk full")
    assert out.getvalue().endswith("\r\x1b[K") and screen(out.getvalue()) == []


# -- the real command, its stderr a terminal or a pipe ------------------------------------


def run_search(args, *, stdin: bytes, terminal: bool, tmp_path: Path) -> tuple[int, str]:
    env = dict(os.environ, COLUMNS="70", TERM="xterm")
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "searcher", "--index-dir", str(tmp_path / "ix"), "index", "--jobs", "1", *args]
    if not terminal:
        done = subprocess.run(command, input=stdin, capture_output=True, env=env, timeout=120)
        assert done.stdout == b""
        return done.returncode, done.stderr.decode()
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    process.stdin.write(stdin)
    process.stdin.close()
    received = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed: the process has exited
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    assert process.stdout.read() == b""
    return process.wait(timeout=120), received.decode()


def test_real_run_from_stdin_draws_a_counter_on_a_terminal_and_nothing_in_a_pipe(tmp_path, noisy):
    folder, _, _ = noisy
    data = (folder / "a.jsonl").read_bytes() + (folder / "b.jsonl").read_bytes()
    code, raw = run_search(["-"], stdin=data, terminal=True, tmp_path=tmp_path)
    assert code == 1
    assert "Indexing: " in raw and " articles, " in raw and "read" in raw
    assert_no_stale_fragments(raw)
    shown = screen(raw)
    assert 'warning: … and 8 more "empty" (13 in all; --all-problems lists them)' in shown
    assert shown[-1].startswith("19 articles in")

    code, piped = run_search(["--rebuild", "-"], stdin=data, terminal=False, tmp_path=tmp_path)
    assert code == 1
    assert "Indexing" not in piped and "\x1b" not in piped and "\r" not in piped
    assert len(piped.splitlines()) == 5 + 5 + 2 + 1


def test_a_slice_of_saudinewsnet_with_its_empty_records_exits_0(tmp_path, runner):
    corpora = require_corpora("saudinewsnet")
    with gzip.open(corpora / "saudinewsnet" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [line for number, line in enumerate(lines, 1) if 1260 <= number < 1420]
    news = tmp_path / "snn.jsonl"
    news.write_text("".join(records), encoding="utf-8")
    empty = sum(1 for r in map(json.loads, records) if not (r["title"] or "").strip() and not r["body"].strip())
    assert empty > PROBLEMS_PER_KIND
    result = index(runner, tmp_path, str(news))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == PROBLEMS_PER_KIND + 2
    assert lines[-2] == f'warning: … and {empty - 5} more "empty" ({empty} in all; --all-problems lists them)'
    assert f"0 skipped, {empty} empty (nothing to index)" in lines[-1]
    assert index(runner, tmp_path, "--strict", "-q", str(news)).exit_code == 1
