"""Nothing lost, nothing confusing: killed runs, concurrent runs, bad input, bad queries."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.cli import cli
from searcher.errors import IndexNotFound, SearcherError
from searcher.query import Archive, SearchRequest

from .conftest import ARTICLES, write_jsonl

WORDS = (
    "الحكومة وزير الاقتصاد النفط مدينة الباغوز دير الزور قسد التحالف الدولي مسؤول أجانب اللاجئين "
    "المعارك الأسواق الرياض المدرسة الطلاب المستشفى الصحة الانتخابات البرلمان الشرطة الأمن سوريا"
).split()
BATCH = 200


def synthetic_corpus(path, n):
    """n short articles of real words in random order: enough to index for a few seconds."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            record = {
                "id": f"s{i:05}",
                "title": " ".join(rng.choices(WORDS, k=5)),
                "body": " ".join(rng.choices(WORDS, k=120)),
                "date": f"2019-{1 + i % 12:02}-{1 + i % 28:02}",
                "source": rng.choice(["skynews", "BBC"]),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def count(index_dir) -> int:
    try:
        with Archive(index_dir) as archive:
            return archive.stats().articles
    except IndexNotFound:
        return 0


def start_index(index_dir, *args, **kwargs):
    command = [sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "index", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def wait_for_count(index_dir, at_least, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if count(index_dir) >= at_least:
            return
        assert process.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError(f"index never reached {at_least} articles")


def check_interrupted(process, stderr: bytes, index_dir, signum, total: int) -> int:
    """What an interrupted run must leave: whole batches after SIGKILL, a clean
    exit 130 after SIGINT/SIGTERM, and part of the corpus committed. Returns that part."""
    kept = count(index_dir)
    if signum == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
        assert kept % BATCH == 0  # whole batches only, never half of one
    else:
        assert process.returncode == 130, stderr.decode()
        assert b"Interrupted: everything read so far is committed" in stderr
        assert b"Traceback" not in stderr
    assert 2 * BATCH <= kept < total
    return kept


def check_next_run_completes(index_dir, corpus, total: int, kept: int, *options: str) -> None:
    """The lock died with the interrupted process: the next run starts at once and carries on."""
    again = start_index(index_dir, *options, "--batch-size", str(BATCH), "--lock-timeout", "0", str(corpus))
    _, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr.decode()
    assert f"{total - kept:,} added, 0 updated, {kept:,} unchanged, 0 skipped" in stderr.decode()
    assert count(index_dir) == total


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=["KILL", "INT", "TERM"])
def test_interrupted_run_keeps_its_commits_and_the_next_run_completes(tmp_path, signum):
    total = 3000
    corpus = synthetic_corpus(tmp_path / "c.jsonl", total)
    index_dir = tmp_path / "ix"
    process = start_index(index_dir, "--batch-size", str(BATCH), str(corpus))
    wait_for_count(index_dir, 2 * BATCH, process)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)

    kept = check_interrupted(process, stderr, index_dir, signum, total)
    with Archive(index_dir) as archive:  # intact and searchable
        assert archive.search(SearchRequest("الباغوز", limit=5))
    check_next_run_completes(index_dir, corpus, total, kept)


def test_second_writer_waits_then_exits_2_and_readers_keep_working(tmp_path):
    index_dir = tmp_path / "ix"
    corpus = write_jsonl(tmp_path / "c.jsonl")
    CliRunner().invoke(cli, ["--index-dir", str(index_dir), "index", str(corpus)])

    # The first writer holds the lock while it waits for more input on stdin.
    first = start_index(index_dir, "-", stdin=subprocess.PIPE)
    time.sleep(1.0)
    started = time.monotonic()
    second = start_index(index_dir, "--lock-timeout", "0.5", str(corpus))
    _, stderr = second.communicate(timeout=30)
    assert second.returncode == 2
    assert stderr.decode().startswith("Error: ") and "being written by another process" in stderr.decode()
    assert stderr.decode().count("\n") == 1
    assert time.monotonic() - started < 20

    # Readers see the last committed state while the writer works.
    with Archive(index_dir) as archive:
        assert sorted(h.id for h in archive.search(SearchRequest("الباغوز"))) == ["a1", "a2"]

    extra = {"id": "late", "title": "خبر متأخر عن الباغوز", "body": "نص", "date": None}
    first.communicate(json.dumps(extra, ensure_ascii=False).encode() + b"\n", timeout=60)
    assert first.returncode == 0
    assert count(index_dir) == len(ARTICLES) + 1


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_folder_of_bad_input_is_reported_line_by_line_and_the_good_is_indexed(tmp_path):
    folder = tmp_path / "corpus"
    good = "عنوان الخبر\nنص الخبر عن الباغوز في دير الزور."
    write(folder / "good.txt", good.encode())
    write(folder / "bom.txt", b"\xef\xbb\xbf" + "خبر بعلامة\nنص عن المعارك".encode())
    write(folder / "utf16.txt", "خبر بترميز آخر\nنص عن الأسواق".encode("utf-16"))
    write(folder / "legacy.txt", "خبر قديم\nنص بترميز ويندوز عن النفط".encode("cp1256"))
    write(folder / "broken.txt", "خبر مكسور\nنص".encode() + b"\xff\xfe\xfa" + "تكملة".encode())
    write(folder / "empty.txt", b"")
    write(folder / "blank.txt", b"  \n\t\n")
    write(folder / "photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    write(folder / "scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    write(folder / "huge.txt", b"x" * (17 * 1024 * 1024))
    lines = [
        json.dumps({"id": "j1", "title": "خبر أول", "body": "نص عن الحكومة"}, ensure_ascii=False),
        '{"id": "j2", "title": "مقطوع", "bo',
        json.dumps({"id": "j3", "title": "بلا نص"}, ensure_ascii=False),
        json.dumps({"id": "j4", "title": ["قائمة"], "body": "نص"}, ensure_ascii=False),
        json.dumps({"id": "j1", "title": "مكرر", "body": "نص آخر"}, ensure_ascii=False),
        json.dumps({"id": "j5", "title": "تحكم\x00\x07", "body": "نص\x01 مع رموز تحكم عن الاقتصاد"}, ensure_ascii=False),
        json.dumps({"id": "j6", "title": "علامات", "body": "خبر عن الباغ\u200cوز وال\u200fمسؤول"}, ensure_ascii=False),
    ]
    write(folder / "news.jsonl", ("\n".join(lines) + "\n").encode())
    giant = json.dumps({"id": "g", "title": "ضخم", "body": "كلمة " * 10_000_000}, ensure_ascii=False)
    write(folder / "giant.jsonl", (giant + "\n" + lines[0].replace('"j1"', '"g2"') + "\n").encode())

    result = CliRunner().invoke(cli, ["--index-dir", str(tmp_path / "ix"), "index", str(folder)])
    assert result.exit_code == 1, result.output  # finished, with skips
    assert "Traceback" not in result.output
    report = result.stderr.splitlines()
    expected = {
        "skipped: " + str(folder / "broken.txt"): "not UTF-8",
        "warning: " + str(folder / "empty.txt"): "empty file (nothing to index)",
        "warning: " + str(folder / "blank.txt"): "empty file (nothing to index)",
        "skipped: " + str(folder / "photo.png"): "unsupported",
        "skipped: " + str(folder / "scan.pdf"): "unsupported",
        "skipped: " + str(folder / "huge.txt"): "too large",
        "skipped: " + str(folder / "news.jsonl") + ":2": "invalid JSON",
        "skipped: " + str(folder / "news.jsonl") + ":3": "body",
        "skipped: " + str(folder / "news.jsonl") + ":4": "title",
        "skipped: " + str(folder / "news.jsonl") + ":5": "duplicate id",
        "skipped: " + str(folder / "giant.jsonl") + ":1": "too large",  # one 90 MB line
        "warning: " + str(folder / "legacy.txt"): "Windows-1256",
    }
    for prefix, words in expected.items():
        matching = [line for line in report if line.startswith(prefix + ":")]
        assert len(matching) == 1 and words in matching[0], (prefix, report)
    assert "9 skipped" in report[-1] and "2 empty" in report[-1] and "1 warnings" in report[-1]

    with Archive(tmp_path / "ix") as archive:
        indexed = {h.id for h in archive.search(SearchRequest("نص OR خبر", limit=100, snippets=False))}
        assert indexed == {"good.txt", "bom.txt", "utf16.txt", "legacy.txt", "j1", "j5", "j6", "g2"}
        assert archive.get("j1").title == "خبر أول"  # the first of a repeated id stands
        assert "\x00" not in archive.get("j5").title
        # Marks inside words neither split them nor stop them from matching.
        assert sorted(h.id for h in archive.search(SearchRequest("الباغوز"))) == ["good.txt", "j6"]
        assert [h.id for h in archive.search(SearchRequest("مسؤول"))] == ["j6"]
        assert [h.id for h in archive.search(SearchRequest("النفط"))] == ["legacy.txt"]


@pytest.fixture(scope="module")
def query_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("q") / "ix"
    CliRunner().invoke(cli, ["--index-dir", str(index_dir), "index", str(write_jsonl(index_dir.parent / "c.jsonl"))])
    return index_dir


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ('"دير الزور', 0, None),  # unbalanced quote: searched as words
        ("(الباغوز OR النفط", 0, None),  # unbalanced parenthesis
        ("الباغوز)", 0, None),
        ("foo:الباغوز", 1, None),  # unknown field: searched as a word, finds nothing
        ("ً ُ ّ", 2, "no words to search for"),  # only diacritics
        ("، ؟ « »", 2, "no words to search for"),  # only punctuation
        ("", 2, "empty query"),
        ("date:2019-02-30", 2, "invalid date"),
        ("الباغوز " * 2000, 2, "at most 4,000 are searched"),  # 16,000 characters: over the limit
        ("الباغوز " * 400, 0, None),  # 3,200 characters, one word repeated: searched as one word
    ],
)
def test_bad_queries_get_a_message_or_a_sensible_search(query_index, query, code, message):
    result = CliRunner().invoke(cli, ["--index-dir", str(query_index), "query", query, "-f", "ids"])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if message:
        assert message in result.stderr and result.stdout == ""


QUERY_PIECES = list('الباغوزدير "()*?؟:=-^~[]{}<>!ًُّـ،') + [" ", "OR", "AND", "NOT", "TO", "date:", "title:", "2019", "-02"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=25).map("".join))
def test_any_query_text_gives_hits_or_a_project_error(query_index, text):
    with Archive(query_index) as archive:
        try:
            archive.search(SearchRequest(text))
        except SearcherError:
            pass
