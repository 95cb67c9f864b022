"""The README tells the truth: its quick start runs as shown, every command is documented."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from searcher.cli import cli

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def console_block() -> list[tuple[str, list[str]]]:
    """The quick start's ```console block as (command, output lines) pairs."""
    block = re.search(r"```console\n(.*?)```", README, re.S).group(1)
    pairs: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        else:
            pairs[-1][1].append(line)
    return pairs


def test_quickstart_runs_as_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("COLUMNS", raising=False)
    runner = CliRunner()
    (index_cmd, index_out), (query_cmd, query_out) = console_block()
    assert (index_cmd, query_cmd) == ("search index corpus/", 'search query "الباغوز"')

    built = runner.invoke(cli, ["index", "corpus/"])
    assert built.exit_code == 0, built.output
    # Only the timing differs from run to run.
    pattern = re.escape(index_out[0]).replace(r"0\.0\ s\ \(194/s\)", r"[\d.]+\ s\ \([\d,]+/s\)")
    assert re.fullmatch(pattern, built.stderr.strip()), built.stderr

    found = runner.invoke(cli, ["query", "الباغوز"])
    assert found.exit_code == 0, found.output
    assert found.stdout.splitlines() == query_out


def test_quickstart_commands_are_the_ones_ci_runs():
    commands = re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", README)
    assert len(commands) >= 2
    install_and_search, install_and_test = commands[0], commands[1]
    assert "search index corpus/" in install_and_search and "search query" in install_and_search
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci


@pytest.mark.parametrize("command", ["index", "query", "show", "stats", "timeline", "similar"])
def test_every_command_has_help_and_is_in_the_readme(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"search {command}" in README


@pytest.mark.parametrize("fmt", ["table", "jsonl", "tsv", "ids", "trec"])
def test_every_output_format_is_in_the_readme(fmt):
    assert f"| `{fmt}` |" in README
