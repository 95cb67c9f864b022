"""`search index` on CSV exports, saved pages and WARC captures, as a user types it."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import cli

from .pages import STORY, TITLE, html_response, news_page, write_warc

SEARCH = Path(sys.executable).parent / "search"
SCHOOLS = [
    "أعلنت مديرية التربية في الرقة افتتاح ثلاث مدارس جديدة في الأحياء الشمالية من المدينة.",
    "وقال مدير التربية إن المدارس ستستقبل أكثر من ألفي تلميذ مع بداية العام الدراسي.",
]


def export_csv(path: Path, *, bad_row: bool = False) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["رقم", "headline", "text", "التاريخ"])
    writer.writerow(["c1", "موسم الزيتون في عفرين", "بدأ المزارعون في عفرين قطاف الزيتون\nوسط توقعات بإنتاج وفير.", "2019-10-05"])
    if bad_row:
        out.write("c2;ناقص\n")
    writer.writerow(["c3", "امتحانات الشهادة الثانوية", "انطلقت امتحانات الشهادة الثانوية في الرقة.", "05/06/2019"])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def crawl(path: Path) -> Path:
    with path.open("wb") as stream:
        write_warc(
            stream,
            [
                html_response("https://furat.example/news/1", news_page().encode(), date="2024-05-01T10:00:00Z"),
                ("response", "https://furat.example/logo.png", b"\x89PNG", [("Content-Type", "image/png")], "200 OK", None),
            ],
        )
    return path


def invoke(tmp_path, *args):
    return CliRunner().invoke(cli, ["--index-dir", str(tmp_path / "index"), *args])


def test_index_csv_html_and_warc_then_search_them(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    export_csv(inputs / "export.csv")
    (inputs / "schools.html").write_text(news_page(title="مدارس جديدة في الرقة", story=SCHOOLS, canonical=None), encoding="utf-8")
    crawl(inputs / "crawl.warc.gz")

    built = invoke(tmp_path, "index", str(inputs))
    assert built.exit_code == 0, built.output
    assert built.stdout == ""
    assert f"warning: {inputs / 'crawl.warc.gz'}: 1 captures are not articles, not indexed (image/png 1)" in built.stderr
    assert "4 articles" in built.stderr and "4 added" in built.stderr

    found = invoke(tmp_path, "query", "الزيتون", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == ["c1"]
    assert invoke(tmp_path, "query", "المدارس", "--format", "ids").stdout == "schools.html\n"
    assert invoke(tmp_path, "query", "الجسر", "--format", "ids").stdout == "https://furat.example/news/1\n"
    # Chrome was left out: a word only in the comments finds nothing.
    assert invoke(tmp_path, "query", "بإخلاص").exit_code == 1

    shown = invoke(tmp_path, "show", "https://furat.example/news/1", "--format", "json")
    record = json.loads(shown.stdout)
    assert (record["title"], record["date"], record["body"]) == (TITLE, "2019-03-17", "\n".join(STORY))


def test_map_names_the_columns(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("n;h;t\n1;عنوان خاص;نص يذكر مدينة تدمر\n", encoding="utf-8")
    unmapped = invoke(tmp_path, "index", str(path))
    assert unmapped.exit_code == 1
    assert "no body column (columns: n, h, t); name it with --map body=COLUMN" in unmapped.stderr
    mapped = invoke(tmp_path, "index", str(path), "--map", "id=n,title=h", "--map", "body=t")
    assert mapped.exit_code == 0, mapped.output
    assert invoke(tmp_path, "query", "تدمر", "--format", "ids").stdout == "1\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "author=x"], "unknown field 'author'"),
        (["--map", "body"], "'body' is not FIELD=COLUMN"),
        (["--format", "pdf"], "'pdf' is not one of"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path, args, message):
    result = invoke(tmp_path, "index", *args, str(tmp_path))
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_bad_row_is_skipped_and_the_run_finishes_with_exit_1(tmp_path):
    path = export_csv(tmp_path / "export.csv", bad_row=True)
    result = invoke(tmp_path, "index", str(path))
    assert result.exit_code == 1
    assert f"skipped: {path}:4: 1 fields where the header has 4" in result.stderr
    assert "2 added" in result.stderr


def test_format_option_reads_a_mirror_without_extensions(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "article.php?id=12").write_text(news_page(), encoding="utf-8")
    result = invoke(tmp_path, "index", "--format", "html", str(mirror))
    assert result.exit_code == 0, result.output
    assert invoke(tmp_path, "query", "الميادين", "--format", "ids").stdout == "article.php?id=12\n"


def test_help_lists_the_formats(tmp_path):
    result = invoke(tmp_path, "index", "--help")
    for word in ("--format", "--map", "*.csv", "*.html", "*.warc", "text|jsonl|csv|tsv|html|warc"):
        assert word in result.stdout


@pytest.mark.skipif(not SEARCH.exists(), reason=f"{SEARCH} is not installed (pip install -e .)")
def test_real_process_indexes_a_warc_from_a_pipe(tmp_path):
    warc = crawl(tmp_path / "crawl.warc.gz")
    env = {**os.environ, "SEARCH_INDEX_DIR": str(tmp_path / "index"), "PYTHONUTF8": "1"}
    built = subprocess.run([str(SEARCH), "index", "-"], input=warc.read_bytes(), capture_output=True, env=env)
    assert built.returncode == 0, built.stderr.decode()
    assert built.stdout == b""
    assert "stdin: 1 captures are not articles" in built.stderr.decode()
    found = subprocess.run([str(SEARCH), "query", "العبّارات النهرية", "--format", "ids"], capture_output=True, env=env)
    assert (found.returncode, found.stdout) == (0, b"https://furat.example/news/1\n")
