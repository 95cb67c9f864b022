"""Bad input is handled the same way in every format: one problem line naming the file
(and line), the rest of the file and of the run indexed, memory bounded whatever the input.

Every input format (text, JSON Lines, CSV, TSV, saved HTML pages, WARC captures) is put
through the same list of bad inputs; then declared-versus-real encodings of pages and
captures, and compression bombs whose one line (row, page, header) would fill the memory
if it were read whole before being checked against the 16 MiB limit.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from searcher.cli import cli
from searcher.ingest import CorpusReader
from searcher.ingest.htmlpage import read_html_page
from searcher.models import Problem
from searcher.query import Archive, SearchRequest

from .ingest.pages import TITLE, html_response, news_page, write_warc

BODY = "عاد مئات النازحين إلى الباغوز شرق دير الزور بعد انتهاء المعارك"
TITLE_AR = "عودة النازحين إلى الباغوز"
REPO = Path(__file__).resolve().parents[1]


def index(runner, index_dir, *args, **kwargs):
    return runner.invoke(cli, ["--index-dir", str(index_dir), "index", "--jobs", "1", *args], **kwargs)


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("skipped: ", "warning: "))]


def stored_ids(index_dir) -> set[str]:
    with Archive(index_dir) as archive:
        hits = archive.search(SearchRequest("الباغوز", limit=10_000, fill_with_any=False, snippets=False))
    return {hit.id for hit in hits}


# -- one good record in each format, and the files a bad case is built from ---------------------


def jsonl_record(id: str) -> bytes:
    return (json.dumps({"id": id, "title": TITLE_AR, "body": BODY}, ensure_ascii=False) + "\n").encode()


def csv_rows(ids: list[str], delimiter: str = ",") -> bytes:
    header = delimiter.join(["id", "title", "body"]) + "\n"
    return (header + "".join(delimiter.join([id, TITLE_AR, BODY]) + "\n" for id in ids)).encode()


def html_page(title: str = TITLE_AR) -> bytes:
    return news_page(title=title, story=[BODY, "وقال مسؤول محلي إن العائلات عادت إلى منازلها في البلدة."] * 3).encode()


def warc_file(uris: list[str]) -> bytes:
    buffer = io.BytesIO()
    write_warc(buffer, [html_response(uri, html_page()) for uri in uris])
    return buffer.getvalue()


FORMATS = {
    # name: (file suffix, the content of a good file whose ids start with ``tag``)
    "text": (".txt", lambda tag="r": f"{TITLE_AR}\n{BODY}\n".encode()),
    "jsonl": (".jsonl", lambda tag="r": jsonl_record(f"{tag}1") + jsonl_record(f"{tag}2")),
    "csv": (".csv", lambda tag="r": csv_rows([f"{tag}1", f"{tag}2"])),
    "tsv": (".tsv", lambda tag="r": csv_rows([f"{tag}1", f"{tag}2"], "\t")),
    "html": (".html", lambda tag="r": html_page()),
    "warc": (".warc.gz", lambda tag="r": warc_file([f"https://news.example/{tag}1", f"https://news.example/{tag}2"])),
}


def with_bad_middle(fmt: str, bad: bytes) -> bytes:
    """A file of ``fmt`` whose middle holds ``bad``: a line of JSON Lines, a CSV row, the text of a page."""
    if fmt == "jsonl":
        return jsonl_record("r1") + b'{"id": "bad", "body": "' + bad + b'"}\n' + jsonl_record("r2")
    if fmt in ("csv", "tsv"):
        d = "," if fmt == "csv" else "\t"
        return csv_rows(["r1"], d) + f"bad{d}x{d}".encode() + bad + b"\n" + csv_rows(["r2"], d).split(b"\n", 1)[1]
    if fmt == "text":
        return f"{TITLE_AR}\n{BODY}\n".encode() + bad + f"\n{BODY}\n".encode()
    if fmt == "html":
        return html_page().replace("<p>".encode(), b"<p>" + bad, 1)
    raise AssertionError(fmt)


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


BAD_INPUTS = ["empty", "binary", "invalid-utf8", "nul", "truncated-gzip", "directory"]


def bad_file(tmp_path: Path, fmt: str, case: str) -> Path:
    suffix, good = FORMATS[fmt]
    if fmt == "warc" and case not in ("empty", "binary", "truncated-gzip", "directory"):
        pytest.skip("WARC pages carry their bytes in records: see the WARC encoding tests")
    path = tmp_path / "in" / f"bad{suffix}"
    path.parent.mkdir(exist_ok=True)
    if case == "directory":
        path.mkdir()
        (path / "inside.bin").write_bytes(b"\x00\x01")  # not a supported type: reported where it is
        return path
    data = {
        "empty": lambda: b"",
        "binary": lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        "invalid-utf8": lambda: with_bad_middle(fmt, b"\xff\xfe\xfa"),
        "nul": lambda: with_bad_middle(fmt, b"\x00\x00"),
        # A WARC is gzipped record by record: its last record is cut short.
        "truncated-gzip": lambda: good()[:-200] if fmt == "warc" else half(gzip.compress(good() * 50)),
    }[case]()
    if case == "truncated-gzip" and not suffix.endswith(".gz"):
        path = path.with_name(path.name + ".gz")
    elif suffix.endswith(".gz") and case not in ("truncated-gzip",):
        path = path.with_name(path.name.removesuffix(".gz"))
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", BAD_INPUTS)
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_reports_each_bad_input_once_and_indexes_the_rest(tmp_path, runner, fmt, case):
    bad = bad_file(tmp_path, fmt, case)
    suffix, good = FORMATS[fmt]
    good_path = tmp_path / "in" / f"good{suffix}"
    data = good("g")
    good_path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") and not data.startswith(b"\x1f\x8b") else data)
    result = index(runner, tmp_path / "ix", str(bad), str(good_path))
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    problems = problem_lines(result.stderr)
    about_bad = [line for line in problems if str(bad) in line]
    assert len(about_bad) == 1, result.stderr  # one line, naming the file (and line)
    assert not [line for line in problems if str(good_path) in line and "duplicate id" not in line], result.stderr
    assert result.exit_code in (0, 1), result.output
    assert result.exit_code == (1 if about_bad[0].startswith("skipped: ") else 0)
    # The good file is indexed whatever its neighbour held.
    assert stored_ids(tmp_path / "ix"), result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_bad_record_in_the_middle_costs_only_its_line(tmp_path, runner, fmt):
    for case, bad in (("nul", b"\x00"), ("invalid-utf8", b"\xff\xfe")):
        path = tmp_path / f"{case}.{fmt}"
        path.write_bytes(with_bad_middle(fmt, bad))
        result = index(runner, tmp_path / f"ix-{case}", str(path))
        assert result.exit_code == 1, result.output
        line = 2 if fmt == "jsonl" else 3  # after a CSV file's header
        assert [line.split(": ", 2)[1] for line in problem_lines(result.stderr)] == [f"{path}:{line}"]
        assert stored_ids(tmp_path / f"ix-{case}") == {"r1", "r2"}


def test_the_same_bad_inputs_are_the_same_kinds_in_every_format(tmp_path):
    """Binary, empty and truncated-gzip input is one problem of the same kind whatever the format."""
    kinds: dict[str, set[str]] = {"binary": set(), "empty": set(), "truncated-gzip": set()}
    for fmt in FORMATS:
        for case in kinds:
            problems: list[Problem] = []
            directory = tmp_path / fmt / case
            directory.mkdir(parents=True)
            list(CorpusReader([bad_file(directory, fmt, case)], on_problem=problems.append))
            assert len(problems) == 1, (fmt, case, problems)
            kinds[case].add(problems[0].message.split(" (")[0])
    assert kinds["binary"] <= {"binary file", "damaged WARC record"}
    assert kinds["empty"] == {"empty file"}
    assert kinds["truncated-gzip"] <= {"truncated gzip file", "truncated record"}


# -- declared encoding against the real one ---------------------------------------------------


def page_declaring(label: str, codec: str) -> bytes:
    return news_page(charset=label).encode(codec, "xmlcharrefreplace")


@pytest.mark.parametrize("label", ["windows-1256", "iso-8859-6", "cp1256"])
def test_utf8_page_declaring_a_legacy_encoding_is_read_as_utf8_with_a_warning(tmp_path, runner, label):
    page = tmp_path / "page.html"
    page.write_bytes(page_declaring(label, "utf-8"))
    result = index(runner, tmp_path / "ix", str(page))
    assert result.exit_code == 0, result.output
    assert problem_lines(result.stderr) == [f"warning: {page}: declares {label} but is UTF-8; read as UTF-8"]
    shown = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "show", "page.html"])
    assert TITLE in shown.stdout  # the Arabic headline, not mojibake


def test_windows_1256_page_declaring_utf8_is_read_as_windows_1256_with_a_warning(tmp_path, runner):
    page = tmp_path / "page.html"
    page.write_bytes(page_declaring("utf-8", "cp1256"))
    result = index(runner, tmp_path / "ix", str(page))
    assert result.exit_code == 0, result.output
    assert problem_lines(result.stderr) == [f"warning: {page}: declares utf-8 but is Windows-1256; read as Windows-1256"]
    shown = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "show", "page.html"])
    assert TITLE in shown.stdout


def test_a_correct_declaration_gives_no_warning():
    for label, codec in (("windows-1256", "cp1256"), ("utf-8", "utf-8"), ("iso-8859-6", "iso8859_6")):
        article, problems = read_html_page(page_declaring(label, codec), id="p", origin="p.html")
        assert problems == [] and article.title == TITLE


def test_an_xml_declaration_is_checked_like_a_meta_charset():
    page = news_page(charset=None, xml_declaration=True).replace('encoding="utf-8"', 'encoding="windows-1256"')
    assert 'encoding="windows-1256"' in page
    article, problems = read_html_page(page.encode(), id="p", origin="p.xhtml")
    assert article.title == TITLE
    assert [p.message for p in problems] == ["declares windows-1256 but is UTF-8; read as UTF-8"]


@pytest.mark.parametrize(
    ("header", "codec", "message"),
    [
        ("text/html; charset=windows-1256", "utf-8", "declares windows-1256 but is UTF-8; read as UTF-8"),
        ("text/html; charset=UTF-8", "cp1256", "declares UTF-8 but is Windows-1256; read as Windows-1256"),
    ],
)
def test_a_warc_records_http_charset_is_checked_against_its_bytes(tmp_path, runner, header, codec, message):
    crawl = tmp_path / "crawl.warc.gz"
    buffer = io.BytesIO()
    page = news_page(charset=None).encode(codec, "xmlcharrefreplace")
    offsets = write_warc(buffer, [html_response("https://news.example/1", page, content_type=header)])
    crawl.write_bytes(buffer.getvalue())
    result = index(runner, tmp_path / "ix", str(crawl))
    assert result.exit_code == 0, result.output
    assert problem_lines(result.stderr) == [f"warning: {crawl}@{offsets[0]}: {message}"]
    shown = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "show", "https://news.example/1"])
    assert TITLE in shown.stdout


def test_mislabelled_encodings_are_one_kind_in_the_summary(tmp_path, runner):
    for number in range(3):
        (tmp_path / "pages").mkdir(exist_ok=True)
        (tmp_path / "pages" / f"p{number}.html").write_bytes(page_declaring("windows-1256", "utf-8"))
    problems = tmp_path / "problems.tsv"
    result = index(runner, tmp_path / "ix", str(tmp_path / "pages"), "--problems", str(problems))
    assert result.exit_code == 0, result.output
    kinds = {line.split("\t")[1] for line in problems.read_text(encoding="utf-8").splitlines()}
    assert kinds == {"mislabelled encoding"}


# -- limits enforced while reading: compression bombs ------------------------------------------


def gzip_bomb(path: Path, prefix: bytes, size: int, suffix: bytes, filler: bytes = b"a") -> None:
    """A gzip file of ``prefix``, ``size`` bytes of ``filler`` and ``suffix``, written in chunks (never held)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = filler * ((1 << 20) // len(filler))
    with open(path, "wb") as out:
        out.write(compressor.compress(prefix))
        for _ in range(size // len(block)):
            out.write(compressor.compress(block))
        out.write(compressor.compress(suffix))
        out.write(compressor.flush())


def run_measured(args: list[str], stdin: Path | None = None) -> tuple[subprocess.CompletedProcess, int]:
    """Runs ``search`` in a child process; returns it and the peak RSS of the largest child in MB."""
    code = (
        "import resource, subprocess, sys\n"
        "stdin = open(sys.argv[1], 'rb') if sys.argv[1] else None\n"
        "done = subprocess.run([sys.executable, '-m', 'searcher', *sys.argv[2:]], stdin=stdin, capture_output=True)\n"
        "sys.stdout.write(str(done.returncode) + '\\n' + done.stderr.decode())\n"
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(stdin or ""), *args], capture_output=True, text=True, env=env, timeout=600
    )
    lines = done.stdout.splitlines()
    peak_kb = int(lines[-1].split()[1])
    return subprocess.CompletedProcess(args, int(lines[0]), "", "\n".join(lines[1:-1])), peak_kb // 1024


FIRST = jsonl_record("first")
LAST = jsonl_record("last")


@pytest.mark.slow
@pytest.mark.parametrize("via", ["file", "stdin"])
def test_a_jsonl_gz_with_one_400_mb_line_skips_that_line_in_bounded_memory(tmp_path, via):
    bomb = tmp_path / "bomb.jsonl.gz"
    gzip_bomb(bomb, FIRST + b'{"id": "x", "body": "', 400 << 20, b'"}\n' + LAST)
    assert bomb.stat().st_size < 1 << 20
    given = str(bomb) if via == "file" else "-"
    done, peak_mb = run_measured(
        ["--index-dir", str(tmp_path / "ix"), "index", given], stdin=bomb if via == "stdin" else None
    )
    shown = "stdin" if via == "stdin" else str(bomb)
    assert done.returncode == 1, done.stderr
    assert problem_lines(done.stderr) == [f"skipped: {shown}:2: too large for one article (over 16 MiB)"]
    assert stored_ids(tmp_path / "ix") == {"first", "last"}
    assert peak_mb < 200, f"peak RSS {peak_mb} MB"


@pytest.mark.slow
def test_a_csv_field_whose_quote_never_closes_is_one_problem_in_bounded_memory(tmp_path):
    bomb = tmp_path / "bomb.csv.gz"
    # 40 MB of short lines inside a quoted field: over the limit, and each line would be a bad row.
    rows = csv_rows(["first"])
    gzip_bomb(bomb, rows + b'x,y,"', 40 << 20, b'"\n' + csv_rows(["last"]).split(b"\n", 1)[1], filler=b"abc def\n")
    done, peak_mb = run_measured(["--index-dir", str(tmp_path / "ix"), "index", str(bomb)])
    assert done.returncode == 1, done.stderr
    assert problem_lines(done.stderr) == [f"skipped: {bomb}:3: too large for one article (over 16 MiB)"]
    assert stored_ids(tmp_path / "ix") == {"first", "last"}
    assert peak_mb < 200, f"peak RSS {peak_mb} MB"


def test_a_csv_quote_never_closed_to_the_end_is_one_problem(tmp_path, monkeypatch):
    import searcher.ingest.csvfile as csvfile

    monkeypatch.setattr(csvfile, "MAX_ARTICLE_BYTES", 1 << 16)  # a small limit: the same path, fast
    path = tmp_path / "open.csv"
    path.write_bytes(csv_rows(["first"]) + b'x,y,"' + b"abc, def\n" * 20_000)
    problems: list[Problem] = []
    articles = list(CorpusReader([path], on_problem=problems.append))
    assert [a.id for a in articles] == ["first"]
    assert [(p.location, p.reason) for p in problems] == [(f"{path}:3", "too large for one article")]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_a_huge_single_article_file_is_refused_in_bounded_memory(tmp_path, fmt):
    bomb = tmp_path / f"bomb.{fmt}.gz"
    start = f"{TITLE_AR}\n".encode() if fmt == "txt" else b"<html><body><p>"
    gzip_bomb(bomb, start, 200 << 20, b"\n")
    good = tmp_path / f"good.{fmt}"
    good.write_bytes(f"{TITLE_AR}\n{BODY}\n".encode() if fmt == "txt" else html_page())
    done, peak_mb = run_measured(["--index-dir", str(tmp_path / "ix"), "index", str(bomb), str(good)])
    assert done.returncode == 1, done.stderr
    assert problem_lines(done.stderr) == [f"skipped: {bomb}: too large for one article (over 16 MiB)"]
    assert stored_ids(tmp_path / "ix") == {f"good.{fmt}"}
    assert peak_mb < 200, f"peak RSS {peak_mb} MB"


def warc_member(prefix: bytes, size: int, suffix: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"a" * (1 << 20)
    parts = [compressor.compress(prefix)]
    parts += [compressor.compress(block) for _ in range(size >> 20)]
    return b"".join([*parts, compressor.compress(suffix), compressor.flush()])


@pytest.mark.slow
def test_a_warc_record_with_a_400_mb_header_line_is_one_damaged_record_in_bounded_memory(tmp_path):
    before, after = io.BytesIO(), io.BytesIO()
    write_warc(before, [html_response("https://news.example/1", html_page())])
    write_warc(after, [html_response("https://news.example/2", html_page())])
    crawl = tmp_path / "crawl.warc.gz"
    bomb = warc_member(b"WARC/1.0\r\nWARC-Type: response\r\nX-Padding: ", 400 << 20, b"\r\n\r\n")
    crawl.write_bytes(before.getvalue() + bomb + after.getvalue())
    done, peak_mb = run_measured(["--index-dir", str(tmp_path / "ix"), "index", str(crawl)])
    assert done.returncode == 1, done.stderr
    offset = len(before.getvalue())
    assert problem_lines(done.stderr) == [f"skipped: {crawl}@{offset}: damaged WARC record (header lines over 1 MiB)"]
    assert stored_ids(tmp_path / "ix") == {"https://news.example/1", "https://news.example/2"}
    assert peak_mb < 200, f"peak RSS {peak_mb} MB"


def test_a_warc_record_with_many_header_lines_is_one_damaged_record(tmp_path):
    before, after = io.BytesIO(), io.BytesIO()
    write_warc(before, [html_response("https://news.example/1", html_page())])
    write_warc(after, [html_response("https://news.example/2", html_page())])
    crawl = tmp_path / "crawl.warc.gz"
    many = b"WARC/1.0\r\nWARC-Type: response\r\n" + b"X-A: b\r\n" * 200_000 + b"\r\n"
    crawl.write_bytes(before.getvalue() + gzip.compress(many) + after.getvalue())
    problems: list[Problem] = []
    articles = list(CorpusReader([crawl], on_problem=problems.append))
    assert {a.id for a in articles} == {"https://news.example/1", "https://news.example/2"}
    assert [p.message for p in problems if p.skipped] == ["damaged WARC record (header lines over 1 MiB)"]
