"""Every command has help with an example and is documented in the README."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from relations.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example(name: str) -> None:
    command = cli.commands[name]
    assert command.help and "Example" in command.help, f"{name} needs a docstring with an example"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme(name: str) -> None:
    if not README.exists():
        pytest.skip("README.md is not shipped with an installed package")
    assert f"relations {name}" in README.read_text(encoding="utf-8")


def test_help_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys; from relations.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'relations.store.sql_store')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_every_option_has_help() -> None:
    for name, command in cli.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help"


def test_the_readme_rule_table_is_the_one_generated_from_the_rules() -> None:
    if not README.exists():
        pytest.skip("README.md is not shipped with an installed package")
    from relations.domain.rule_table import markdown
    from relations.domain.rules import default_rules

    assert markdown(default_rules()) in README.read_text(encoding="utf-8")
