""""Did you mean" from the command line: the same suggestions in every format, typos only."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from searcher.cli import cli

from .conftest import article, index_through_cli

#: الحزم in 3 articles; الحكم, one letter from الحذم too, in 6; عاصفة in 1, العاصمة in 12.
ARTICLES = (
    [article(f"h{i}", "عاصفة الحزم" if i == 0 else "الحزم في اليمن", "قرار الحزم ضد الحوثيين في صنعاء.") for i in range(3)]
    + [article(f"k{i}", "الحكم في القضية", "صدر الحكم على المتهم في المحكمة (Time).") for i in range(6)]
    + [article(f"c{i}", "أمطار في العاصمة", "هطلت أمطار على العاصمة الرياض.") for i in range(12)]
)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suggest-cli")
    return index_through_cli(folder, ARTICLES)


@pytest.fixture()
def run(index_dir):
    def invoke(*args):
        return CliRunner().invoke(cli, ["--index-dir", str(index_dir), "query", *args])

    return invoke


def table_suggestions(stderr: str) -> list[str]:
    """The queries of the "Did you mean" lines, without their hit counts."""
    text = stderr.split("Did you mean:", 1)[1] if "Did you mean:" in stderr else ""
    return [line.strip().rsplit(" (", 1)[0] for line in text.strip().splitlines() if line.strip()]


def test_al_hadhm_gets_al_hazm_first(run):
    result = run("الحذم")
    assert result.exit_code == 1 and result.stdout == ""
    assert table_suggestions(result.stderr)[0] == "الحزم"
    assert "الحزم (3 hits)" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["الحذم"], ["الحذم", "--suggest"], ["الحذم صنعاء"], ["الحذم صنعاء", "--any", "--suggest"], ["title:الحذم", "--suggest"]],
)
def test_table_and_json_lines_offer_the_same_suggestions(run, args):
    table = run(*args)
    jsonl = run(*args, "-f", "jsonl")
    assert table.exit_code == jsonl.exit_code
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    if records:
        offered = {tuple(s["query"] for s in r["suggestions"]) for r in records}
        assert len(offered) == 1  # every record carries the same list
        (queries,) = offered
        assert all(s["hits"] >= 1 for r in records for s in r["suggestions"])
    else:  # no hit, not asked: stdout stays empty, the lines go to stderr as in the table
        queries = tuple(table_suggestions(jsonl.stderr))
    assert queries and list(queries) == table_suggestions(table.stderr)


def test_a_correct_word_is_never_rewritten(run):
    for args in (["عاصفه"], ["عاصفه", "--suggest"], ["عاصفة", "--suggest"], ["عاصفه", "-f", "jsonl", "--suggest"]):
        result = run(*args)
        assert result.exit_code == 0, args
        assert "Did you mean" not in result.stderr
        assert all(json.loads(line).get("suggestions", []) == [] for line in result.stdout.splitlines() if line.startswith("{"))


@pytest.mark.parametrize("text", ["title:", "title: ", "source:", "title:*"])
def test_a_field_name_alone_suggests_nothing_and_exits_cleanly(run, text):
    for args in ([text], [text, "--suggest"], [text, "--suggest", "-f", "jsonl"]):
        result = run(*args)
        assert result.exit_code in (0, 1, 2), args
        assert "Traceback" not in result.output and "Did you mean" not in result.stderr
        if result.exit_code == 2:
            assert result.stderr.startswith("Error: ")
        if "jsonl" in args:
            for line in result.stdout.splitlines():
                assert json.loads(line).get("suggestions", []) == []


def test_a_very_long_word_is_answered_quickly(run):
    started = time.perf_counter()
    result = run("الحزم" * 200, "--suggest")
    assert result.exit_code == 1 and "Did you mean" not in result.stderr
    assert time.perf_counter() - started < 2
