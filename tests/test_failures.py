"""Every failure is one line and exit 2: damaged or tampered index files, a full disk,
a dead worker, permissions, bugs; SIGTERM/SIGINT stop promptly, also while blocked;
index files are never writable by others; ``search show -`` reads ids."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import integrity
from searcher.cli import cli
from searcher.indexer import Indexer

from .conftest import ARTICLES, article, write_jsonl


def search(index_dir, *args, **kwargs):
    return CliRunner().invoke(cli, ["--index-dir", str(index_dir), *args], **kwargs)


def many_articles(n: int, start: int = 0):
    words = ["الباغوز", "دير", "الزور", "النفط", "الرياض", "المدنيين", "سوريا", "الأسواق", "معرض", "الكتاب"]
    rng = random.Random(start)
    return [
        article(
            f"m{i:05}", " ".join(rng.choices(words, k=3)), " ".join(rng.choices(words, k=60)),
            f"2019-{1 + i % 12:02}-{1 + i % 28:02}", source=rng.choice(["skynews", "وكالة الأنباء"]),
        )
        for i in range(start, start + n)
    ]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """An index of two segments (two commits) with a duplicate store."""
    index_dir = tmp_path_factory.mktemp("failures") / "index"
    with Indexer(index_dir, batch_size=len(ARTICLES)) as indexer:
        indexer.add_all([*ARTICLES, *many_articles(len(ARTICLES))])
    return index_dir


@pytest.fixture()
def copy(pristine, tmp_path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(pristine, target)
    return target


#: Commands that read the index, as a user types them.
READ_COMMANDS = [
    ["query", "الباغوز"],
    ["query", "النفط", "-f", "ids"],
    ["query", "الباغوز", "--facet", "source"],
    ["show", "a1"],
    ["show", "a1", "--dupes"],
    ["stats"],
    ["timeline", "النفط"],
    ["similar", "a1"],
]

#: Kinds of index files: a glob of their names.
KINDS = {
    "toc": "_MAIN_*.toc",
    "terms": "MAIN_*.trm",
    "postings": "MAIN_*.pst",
    "stored": "MAIN_*._stored.col",
    "dates": "MAIN_*.date.col",
    "lengths": "MAIN_*._body_len.col",
    "checksums": "MAIN_*.sums",
    "version": "searcher.json",
    "duplicates": "duplicates.sqlite",
}


def damage(path: Path, how: str) -> None:
    size = path.stat().st_size
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        with path.open("r+b") as handle:
            handle.truncate(size // 2)
    elif how == "zeroed":
        path.write_bytes(bytes(size))
    else:
        path.write_bytes(random.Random(size).randbytes(size))


def assert_one_line_error(result, *expected: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def toc_files(index_dir: Path) -> list[Path]:
    """The tables of contents, newest first (an index keeps the current one and the one before)."""
    return sorted(index_dir.glob(KINDS["toc"]), key=lambda p: int(p.stem.rsplit("_", 1)[1]), reverse=True)


@pytest.mark.parametrize("how", ["empty", "truncated", "zeroed", "garbage"])
def test_a_damaged_table_of_contents_falls_back_to_the_previous_commit_then_fails_in_one_line(copy, how):
    newest, previous = toc_files(copy)
    damage(newest, how)
    for command in READ_COMMANDS:
        result = search(copy, *command)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        assert "warning: the newest commit" in result.stderr, result.stderr
    damage(previous, how)
    for command in READ_COMMANDS:
        assert_one_line_error(search(copy, *command), newest.name, previous.name, "search index --rebuild")


@pytest.mark.parametrize("how", ["empty", "truncated", "zeroed", "garbage"])
@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "toc"])
def test_every_read_command_names_the_damaged_file_and_what_to_do(copy, kind, how):
    target = sorted(copy.glob(KINDS[kind]))[0]
    damage(target, how)
    failed = 0
    for command in READ_COMMANDS:
        result = search(copy, *command)
        uses_store = command[0] == "similar" or "--dupes" in command or command[0] == "query" and "--facet" not in command
        if kind == "duplicates" and not uses_store:
            # These never open the duplicate store: they answer from the index.
            assert result.exit_code in (0, 1), result.output
            assert "Traceback" not in result.output
            continue
        assert_one_line_error(result, target.name, "is damaged", "search index --rebuild")
        failed += 1
    assert failed


@pytest.mark.parametrize("how", ["zeroed", "garbage"])
@pytest.mark.parametrize("kind", ["terms", "postings"])
def test_damage_inside_a_large_file_is_named_when_read(copy, kind, how, monkeypatch):
    # Large files only have their size checked at opening; a search reading them names them.
    monkeypatch.setattr(integrity, "DIGEST_AT_OPEN", 0)
    for target in copy.glob(KINDS[kind]):
        damage(target, how)
    result = search(copy, "query", "الباغوز")
    assert_one_line_error(result, f".{target.name.rsplit('.', 1)[1]} is damaged", "search index --rebuild")


def test_a_damaged_index_is_rebuilt_by_index_rebuild(copy, tmp_path):
    for name in ("MAIN_*.pst", "duplicates.sqlite", "_MAIN_*.toc"):
        damage(sorted(copy.glob(name))[0], "garbage")
    assert_one_line_error(search(copy, "index", str(write_jsonl(tmp_path / "a.jsonl"))), "is damaged", "--rebuild")
    result = search(copy, "index", "--rebuild", str(tmp_path / "a.jsonl"))
    assert result.exit_code == 0, result.output
    result = search(copy, "query", "الباغوز", "-f", "ids")
    assert result.exit_code == 0 and "a1" in result.stdout.split()


@pytest.mark.parametrize(
    "content",
    [
        b'{"analyzer_version": 1e999, "format_version": 2}',
        b'{"analyzer_version": NaN, "format_version": 2}',
        b'{"analyzer_version": 2, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"analyzer_version": 2, "format_version": 2, "pad": "' + b"x" * (2 << 20) + b'"}',
        "\u0627".encode("utf-16"),
    ],
    ids=["1e999", "NaN", "deep", "huge", "utf16"],
)
def test_a_tampered_version_file_is_refused_in_one_line(copy, content):
    (copy / "searcher.json").write_bytes(content)
    for command in (["stats"], ["query", "الباغوز"], ["index", os.devnull]):
        assert_one_line_error(search(copy, *command), "searcher.json", "search index --rebuild")


def test_a_version_file_that_is_not_a_regular_file_is_refused(copy):
    meta = copy / "searcher.json"
    meta.unlink()
    meta.symlink_to("/dev/zero")
    started = time.monotonic()
    assert_one_line_error(search(copy, "stats"), "searcher.json", "symbolic link")
    assert time.monotonic() - started < 5
    meta.unlink()
    os.mkfifo(meta)  # a FIFO without a writer must not block the reader
    assert_one_line_error(search(copy, "stats"), "searcher.json", "not a regular file")


def test_read_small_json_limits():
    with pytest.raises(ValueError, match="deeper"):
        integrity._check_depth("[" * 9 + "]" * 9)
    integrity._check_depth('{"a": "[[[[[[[[[[[[["}')  # brackets inside strings do not count


def test_an_unexpected_exception_is_one_line_with_its_type(copy, monkeypatch):
    from searcher.query import Archive

    def broken(self):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(Archive, "stats", broken)
    result = search(copy, "stats")
    assert_one_line_error(result, "internal error (ZeroDivisionError: division by zero)", "--traceback")
    result = search(copy, "--traceback", "stats")
    assert isinstance(result.exception, ZeroDivisionError)


def test_permission_denied_is_one_line(copy):
    if os.geteuid() == 0:
        pytest.skip("root reads every file: permissions cannot be denied")
    (copy / "searcher.json").chmod(0)
    assert_one_line_error(search(copy, "stats"), "searcher.json")


def test_an_os_error_is_one_line_naming_the_file(copy, monkeypatch):
    from searcher.query import Archive

    def denied(self):
        raise PermissionError(13, "Permission denied", str(copy / "_MAIN_2.toc"))

    monkeypatch.setattr(Archive, "stats", denied)
    assert_one_line_error(search(copy, "stats"), "permission denied", "_MAIN_2.toc")

    def io_error(self):
        raise OSError(5, "Input/output error", str(copy / "x.pst"))

    monkeypatch.setattr(Archive, "stats", io_error)
    assert_one_line_error(search(copy, "stats"), "input/output error", "x.pst")


def test_a_dead_worker_is_one_line_and_the_index_keeps_its_commits(tmp_path):
    from searcher.errors import SegmentBuildFailed
    from searcher.failures import describe

    error = SegmentBuildFailed(3, "indexing worker (pid 7) exited unexpectedly, exit code -9")
    message = describe(error, tmp_path / "ix", "index")
    assert "\n" not in str(message)
    assert "batch 3" in str(message) and "exited unexpectedly" in str(message)
    assert "committed before" in str(message)
    full = SegmentBuildFailed(1, "Traceback (most recent call last):\n  File x\nOSError: [Errno 28] No space left on device\n")
    assert str(full) == "building the segment of batch 1 failed: OSError: [Errno 28] No space left on device"
    assert "no space left" in str(describe(full, tmp_path / "ix", "index"))


# Signals: real processes.


def start(*args, **kwargs):
    command = [sys.executable, "-m", "searcher", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def stop(process, *signals, wait=1.5):
    time.sleep(wait)
    assert process.poll() is None, process.communicate()
    started = time.monotonic()
    for signum in signals:
        process.send_signal(signum)
        time.sleep(0.05)
    out, err = process.communicate(timeout=20)
    return time.monotonic() - started, out, err.decode()


def assert_interrupted(process, seconds, err):
    assert process.returncode == 130, err
    assert seconds < 5
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Interrupted")


@pytest.mark.slow
@pytest.mark.parametrize("signals", [[signal.SIGTERM], [signal.SIGINT], [signal.SIGTERM, signal.SIGTERM]], ids=["TERM", "INT", "TERM-TERM"])
def test_index_stops_while_waiting_on_an_idle_pipe_and_commits_what_it_read(tmp_path, signals):
    index_dir = tmp_path / "ix"
    process = start("--index-dir", str(index_dir), "index", "-", stdin=subprocess.PIPE)
    for a in ARTICLES[:3]:
        process.stdin.write((json.dumps({"id": a.id, "title": a.title, "body": a.body}, ensure_ascii=False) + "\n").encode())
    process.stdin.flush()  # then the pipe stays open and idle
    seconds, _, err = stop(process, *signals, wait=3)
    assert_interrupted(process, seconds, err)
    assert "everything read so far is committed" in err
    result = search(index_dir, "stats", "-f", "json")
    assert result.exit_code == 0, result.output
    # What the reader had taken in before the signal (it may hold back a partial read-ahead).
    assert json.loads(result.stdout)["articles"] in (0, 1, 2, 3)


@pytest.mark.slow
def test_index_stops_on_a_fifo_without_a_writer(tmp_path):
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    process = start("--index-dir", str(tmp_path / "ix"), "index", str(fifo))
    seconds, _, err = stop(process, signal.SIGTERM)
    assert_interrupted(process, seconds, err)


@pytest.mark.slow
@pytest.mark.parametrize("signals", [[signal.SIGTERM], [signal.SIGTERM, signal.SIGTERM]], ids=["TERM", "TERM-TERM"])
def test_index_stops_while_waiting_for_the_lock(tmp_path, signals):
    index_dir = tmp_path / "ix"
    holder = start("--index-dir", str(index_dir), "index", "-", stdin=subprocess.PIPE)
    try:
        time.sleep(2)
        corpus = write_jsonl(tmp_path / "a.jsonl")
        waiting = start("--index-dir", str(index_dir), "index", "--lock-timeout", "60", str(corpus))
        seconds, _, err = stop(waiting, *signals)
        assert_interrupted(waiting, seconds, err)
        assert len(err.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.communicate()


@pytest.mark.slow
@pytest.mark.parametrize("command", [["show", "-"], ["query", "--topics", "-"]], ids=["show", "topics"])
def test_reading_commands_stop_on_an_idle_stdin(pristine, command):
    process = start("--index-dir", str(pristine), *command, stdin=subprocess.PIPE)
    seconds, out, err = stop(process, signal.SIGTERM)
    assert_interrupted(process, seconds, err)
    assert err.strip() == "Interrupted."


# A full disk: a small tmpfs.


@pytest.fixture()
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip() or done.returncode}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_is_one_line_and_the_index_keeps_its_commits(small_disk, tmp_path, jobs):
    index_dir = small_disk / "ix"
    first = search(index_dir, "index", "-q", str(write_jsonl(tmp_path / "a.jsonl")))
    assert first.exit_code == 0, first.output
    big = write_jsonl(tmp_path / "big.jsonl", many_articles(3000, start=100))
    process = subprocess.run(
        [sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "index", "-q", "--batch-size", "100", "--jobs", jobs, str(big)],
        capture_output=True, timeout=300,
    )
    err = process.stderr.decode()
    assert process.returncode == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("Error: no space left on the device of"), err
    assert "committed before" in err and "Traceback" not in err
    stats = search(index_dir, "stats", "-f", "json")
    assert stats.exit_code == 0, stats.output
    kept = json.loads(stats.stdout)["articles"]
    assert len(ARTICLES) <= kept < len(ARTICLES) + 3000 and (kept - len(ARTICLES)) % 100 == 0
    result = search(index_dir, "query", "أوبك", "-f", "ids")
    assert result.exit_code == 0 and "a3" in result.stdout.split()


# File modes.


def test_index_files_are_not_writable_by_others_whatever_the_umask(tmp_path):
    corpus = write_jsonl(tmp_path / "a.jsonl")
    index_dir = tmp_path / "deep" / "ix"
    code = (
        "import os, sys; os.umask(0); from searcher.cli import cli; "
        f"cli(['--index-dir', {str(index_dir)!r}, 'index', '-q', {str(corpus)!r}])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    for path in [tmp_path / "deep", index_dir, *index_dir.iterdir()]:
        mode = path.stat().st_mode & 0o777
        assert not mode & 0o022, f"{path} is {mode:04o}"
    assert (index_dir / "searcher.json").stat().st_mode & 0o777 == 0o644
    assert index_dir.stat().st_mode & 0o777 == 0o755


def test_an_index_writable_by_others_is_refused(copy):
    copy.chmod(0o777)
    result = search(copy, "query", "الباغوز")
    assert_one_line_error(result, "writable by every user", "0777", "chmod -R o-w")
    copy.chmod(0o755)
    toc = sorted(copy.glob("_MAIN_*.toc"))[0]
    toc.chmod(0o666)
    assert_one_line_error(search(copy, "stats"), toc.name, "writable by every user")
    toc.chmod(0o644)
    assert search(copy, "stats").exit_code == 0


# search show -


def test_show_reads_ids_from_stdin(pristine):
    result = search(pristine, "show", "-", input="a1\n\na3\n")
    assert result.exit_code == 0, result.output
    assert "الباغوز" in result.stdout and "النفط" in result.stdout
    assert result.stdout.count("=" * 72) == 1


def test_show_reads_nul_separated_ids_with_spaces_and_dashes(tmp_path):
    odd = [article("with space's \"id\"", "عنوان أول", "نص عن الرياض"), article("--help", "عنوان ثان", "نص عن النفط")]
    index_dir = tmp_path / "ix"
    with Indexer(index_dir) as indexer:
        indexer.add_all(odd)
    ids = search(index_dir, "query", "نص", "-f", "ids", "-0")
    assert ids.exit_code == 0
    result = search(index_dir, "show", "-0", "-", "-f", "json", input=ids.stdout)
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(line)["id"] for line in result.stdout.splitlines()) == sorted(a.id for a in odd)
    result = search(index_dir, "show", "--", "--help")
    assert result.exit_code == 0 and "عنوان ثان" in result.stdout
    result = search(index_dir, "show", "-", input="--help\n")
    assert result.exit_code == 0 and "عنوان ثان" in result.stdout


def test_show_stdin_reports_an_unknown_id_and_prints_the_others(pristine):
    result = search(pristine, "show", "-", "-f", "json", input="a1\nnope\na2\n")
    assert result.exit_code == 2
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a1", "a2"]
    assert result.stderr.count("Error:") == 1 and "nope" in result.stderr


def test_show_stdin_from_a_query_pipe(pristine):
    query = subprocess.run(
        [sys.executable, "-m", "searcher", "--index-dir", str(pristine), "query", "الباغوز", "-f", "ids"],
        capture_output=True, check=True,
    )
    shown = subprocess.run(
        [sys.executable, "-m", "searcher", "--index-dir", str(pristine), "show", "-", "-f", "json"],
        input=query.stdout, capture_output=True,
    )
    assert shown.returncode == 0, shown.stderr.decode()
    ids = [json.loads(line)["id"] for line in shown.stdout.decode().splitlines()]
    assert ids == query.stdout.decode().split()


def test_null_without_dash_is_a_usage_error(pristine):
    result = search(pristine, "show", "-0", "a1")
    assert result.exit_code == 2 and "-0/--null" in result.output
