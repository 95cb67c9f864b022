"""docs/cli.md is the commands' own --help: regenerated here and compared with the committed file."""

from __future__ import annotations

import importlib.util

import click
from click.testing import CliRunner

from searcher.cli import cli

from .conftest import REPO

CLI_MD = REPO / "docs" / "cli.md"


def gen_cli():
    spec = importlib.util.spec_from_file_location("gen_cli", REPO / "docs" / "gen_cli.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date():
    expected = gen_cli().render()
    assert CLI_MD.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale (a command's help changed): run python docs/gen_cli.py"
    )


def test_every_visible_command_has_a_section():
    text = CLI_MD.read_text(encoding="utf-8")
    ctx = click.Context(cli, info_name="search")
    for name in cli.list_commands(ctx):
        if not cli.get_command(ctx, name).hidden:
            assert f"## `search {name}`" in text
    assert "--traceback" not in text  # hidden option


def test_a_section_is_what_help_prints_at_the_fixed_width(monkeypatch):
    """Each block is the real --help of the command at COLUMNS=WIDTH, whatever the terminal."""
    module = gen_cli()
    monkeypatch.setenv("COLUMNS", "40")
    text = module.render()
    assert text == CLI_MD.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", "--help"], prog_name="search", terminal_width=module.WIDTH)
    assert result.exit_code == 0, result.output
    block = text.split("## `search query`\n\n```text\n", 1)[1].split("\n```\n", 1)[0]
    assert block == result.stdout.rstrip()
    assert "search query الحوثيين اليمن --since 15/03/2017" in block


def test_a_changed_help_changes_the_reference():
    """The comparison can fail: another command's help gives another text."""

    @click.group()
    def tool():
        """A tool."""

    @tool.command("one")
    @click.option("--flag", is_flag=True, help="Pour le café.")
    def one(flag):
        """Do one thing."""

    first = gen_cli().render(tool, "tool")
    one.params[0].help = "Pour le thé."
    second = gen_cli().render(tool, "tool")
    assert "## `tool one`" in first and "Pour le café." in first
    assert first != second
