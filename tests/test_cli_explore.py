"""Exploring from the command line: facets, timelines, similar, duplicates, suggestions, bidi."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import cli
from searcher.display import visual_line

from .conftest import ARTICLES, REPO, index_through_cli
from .syndicated import syndicated_articles

ALL = ARTICLES + syndicated_articles()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explore")
    return index_through_cli(folder, ALL)


@pytest.fixture()
def run(index_dir, monkeypatch):
    monkeypatch.delenv("SEARCH_BIDI", raising=False)

    def invoke(*args, env=None):
        return CliRunner().invoke(cli, ["--index-dir", str(index_dir), *args], env=env)

    return invoke


# Duplicates folded in query results


def test_query_folds_copies_into_one_hit(run):
    folded = run("query", "العائلات النازحة", "--format", "jsonl")
    unfolded = run("query", "العائلات النازحة", "--format", "jsonl", "--no-collapse")
    assert folded.exit_code == 0 and unfolded.exit_code == 0, folded.output
    folded_hits = [json.loads(line) for line in folded.stdout.splitlines()]
    unfolded_ids = [json.loads(line)["id"] for line in unfolded.stdout.splitlines()]
    group = {"sample-001", "wire-001-exact", "wire-001-edited"}
    assert group <= set(unfolded_ids)
    (grouped,) = [hit for hit in folded_hits if hit["id"] in group]
    assert grouped["similar"] == 2 and set(grouped["similar_ids"]) == group - {grouped["id"]}
    assert [hit["rank"] for hit in folded_hits] == list(range(1, len(folded_hits) + 1))


def test_table_says_how_many_copies_were_folded(run):
    result = run("query", "العائلات النازحة")
    assert result.exit_code == 0, result.output
    assert "(+2 similar)" in result.stdout


def test_show_dupes_lists_the_group(run):
    text = run("show", "sample-001", "--dupes")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["similarity", "date", "source", "id", "title"]
    assert "this" in lines[2] and "sample-001" in lines[2]
    assert any("exact" in line and "wire-001-exact" in line for line in lines)
    assert any("wire-001-edited" in line and "%" in line for line in lines)
    data = json.loads(run("show", "sample-001", "--dupes", "--format", "json").stdout)
    assert data["id"] == "sample-001"
    assert {d["id"]: d["exact"] for d in data["duplicates"]} == {"wire-001-exact": True, "wire-001-edited": False}


def test_show_dupes_of_an_article_without_copies_exits_1(run):
    result = run("show", "sample-004", "--dupes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No re-published copies of sample-004" in result.stderr
    assert run("show", "no-such-id", "--dupes").exit_code == 2


# Facets and timelines


def test_facets_as_table_jsonl_and_tsv(run):
    table = run("query", "الباغوز", "--facet", "source", "--facet", "year")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].split() == ["source", "articles"]
    assert any(line.split() == ["2019", "6"] for line in table.stdout.splitlines())
    records = [json.loads(line) for line in run("query", "الباغوز", "--facet", "month", "-f", "jsonl").stdout.splitlines()]
    assert records == [
        {"facet": "month", "value": "2019-02", "count": 1},
        {"facet": "month", "value": "2019-03", "count": 4},
        {"facet": "month", "value": "2019-04", "count": 1},
    ]
    tsv = run("query", "الباغوز", "--facet", "category", "-f", "tsv").stdout.splitlines()
    assert tsv[0] == "category\tsociety\t3"
    assert "category\tسياسة\t1" in tsv and tsv[-1] == "category\t\t1"


def test_facets_with_a_format_for_hits_is_a_usage_error(run):
    result = run("query", "الباغوز", "--facet", "source", "-f", "ids")
    assert result.exit_code == 2
    assert "--facet" in result.stderr and "Traceback" not in result.output
    assert run("query", "نيزك", "--facet", "source").exit_code == 1


def test_timeline_table_jsonl_tsv(run):
    table = run("timeline", "الباغوز")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0] == "Articles with «الباغوز» by month: 6, 2019-02 .. 2019-04"
    assert [line.split("│")[0].split() for line in lines[1:]] == [["2019-02", "1"], ["2019-03", "4"], ["2019-04", "1"]]
    bars = [line.split("│")[1] for line in lines[1:]]
    assert len(bars[1]) == 4 * len(bars[0]) == 4 * len(bars[2]) and set("".join(bars)) == {"█"}
    records = [json.loads(line) for line in run("timeline", "الباغوز", "--by", "year", "-f", "jsonl").stdout.splitlines()]
    assert records == [{"period": "2019", "count": 6}]
    assert run("timeline", "Reuters", "-f", "tsv").stdout == "\t1\n"  # one undated article
    nothing = run("timeline", "نيزك")
    assert (nothing.exit_code, nothing.stdout) == (1, "")


def test_timeline_plot_errors_are_one_line(run, tmp_path):
    result = run("timeline", "الباغوز", "--plot", str(tmp_path / "chart.gif"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1


def test_timeline_plot_in_a_real_process(index_dir, tmp_path):
    from .test_plot import png_size

    chart = tmp_path / "baghouz.png"
    script = REPO / ".venv" / "bin" / "search"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "searcher"]
    done = subprocess.run(
        [*command, "--index-dir", str(index_dir), "timeline", "الباغوز", "--by", "day", "--plot", str(chart)],
        capture_output=True, text=True, encoding="utf-8", env={**os.environ, "PYTHONUTF8": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert png_size(chart) == (1000, 500)
    assert f"Wrote {chart}" in done.stderr
    assert done.stdout.splitlines()[1].startswith("2019-02-20 1 │")


# Similar articles


def test_similar_in_every_format(run):
    table = run("similar", "sample-001")
    assert table.exit_code == 0, table.output
    ids = run("similar", "sample-001", "-f", "ids").stdout.split()
    assert ids and "sample-001" not in ids and not {"wire-001-exact", "wire-001-edited"} & set(ids)
    records = [json.loads(line) for line in run("similar", "sample-001", "-f", "jsonl", "-n", "2").stdout.splitlines()]
    assert [r["id"] for r in records] == ids[:2]
    assert run("similar", "sample-001", "-f", "trec").stdout.split("\n")[0].endswith(" similar")


def test_similar_unknown_id_is_an_error(run):
    result = run("similar", "no-such-id")
    assert result.exit_code == 2
    assert "no article with id 'no-such-id'" in result.stderr


# Suggestions


def test_a_typo_gets_a_suggestion_on_stderr(run):
    result = run("query", "البغوز")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Did you mean: الباغوز (" in result.stderr


def test_suggestions_in_json(run):
    zero = run("query", "البغوز", "-f", "jsonl", "--suggest")
    assert zero.exit_code == 1
    (record,) = [json.loads(line) for line in zero.stdout.splitlines()]
    assert record["query"] == "البغوز"
    assert record["suggestions"][0]["query"] == "الباغوز"
    assert record["suggestions"][0]["corrections"] == [{"word": "البغوز", "replacement": "الباغوز", "frequency": 6}]
    # Without --suggest, a query with no hits keeps stdout empty (exit 1 means "nothing on stdout").
    quiet = run("query", "البغوز", "-f", "jsonl")
    assert quiet.stdout == "" and "Did you mean" in quiet.stderr
    # Few hits: every hit carries the suggestions.
    few = run("query", "النفط البغوز", "--any", "-f", "jsonl", "--suggest")
    hits = [json.loads(line) for line in few.stdout.splitlines()]
    assert hits and all(hit["suggestions"][0]["query"] == "النفط الباغوز" for hit in hits)


def test_found_spellings_get_no_suggestion(run):
    for spelling in ("البَاغُوزِ", "والباغوز", "الباغـوز", "مسئول"):
        result = run("query", spelling)
        assert result.exit_code == 0, spelling
        assert "Did you mean" not in result.stderr


# Right-to-left display


def test_bidi_reorders_tables_but_never_pipes(run):
    plain = run("query", "الباغوز", "--no-snippets")
    reordered = run("query", "الباغوز", "--no-snippets", "--bidi")
    assert visual_line("تلفزيون سوريا") in reordered.stdout
    assert "تلفزيون سوريا" in plain.stdout and "تلفزيون سوريا" not in reordered.stdout
    by_env = run("query", "الباغوز", "--no-snippets", env={"SEARCH_BIDI": "1"})
    assert by_env.stdout == reordered.stdout
    for fmt in ("jsonl", "tsv", "ids"):
        assert run("query", "الباغوز", "-f", fmt, env={"SEARCH_BIDI": "1"}).stdout == run("query", "الباغوز", "-f", fmt).stdout
    shown = run("show", "a1", "--bidi").stdout
    assert shown.splitlines()[0] == visual_line("خروج المدنيين من الباغوز")
    assert run("timeline", "الباغوز", "--bidi").stdout.splitlines()[0] == visual_line(
        "Articles with «الباغوز» by month: 6, 2019-02 .. 2019-04"
    )


# Help


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("query", ["--facet", "--collapse", "--no-collapse", "--suggest", "--bidi", "SEARCH_BIDI"]),
        ("timeline", ["--by", "--plot", "--bidi"]),
        ("similar", ["--collapse", "--format", "--bidi"]),
        ("show", ["--dupes", "--bidi"]),
    ],
)
def test_options_are_in_help_and_readme(command, options):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    readme = Path(REPO / "README.md").read_text(encoding="utf-8")
    for option in options:
        assert option in result.stdout, option
        assert option in readme, option
