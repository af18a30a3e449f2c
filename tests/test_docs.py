"""Every command has help with an example and is documented in the docs (docs/, the
MkDocs site); the docs hold together (every page in the navigation, the generated rule
table in place) and the README's links resolve. The walk-through's commands and output
are checked by tests/test_walkthrough.py."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from relations.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MKDOCS_YML = ROOT / "mkdocs.yml"
CONCEPTS = DOCS / "concepts.md"
COMMANDS = sorted(cli.commands)
RULE_TABLE_MARKER = "<!-- rule-table -->"  # replaced by docs/hooks.py


def _needs_docs() -> None:
    if not DOCS.is_dir() or not MKDOCS_YML.exists():
        pytest.skip("docs/ and mkdocs.yml are not shipped with an installed package")


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _written_docs() -> str:
    """The pages as people write them (cli.md's reference is generated, so it does not
    count as documenting a command)."""
    return "\n".join(page.read_text(encoding="utf-8") for page in _pages())


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example(name: str) -> None:
    command = cli.commands[name]
    assert command.help and "Example" in command.help, f"{name} needs a docstring with an example"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_docs(name: str) -> None:
    _needs_docs()
    assert f"relations {name}" in _written_docs(), f"`relations {name}` is in no page of docs/"


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


def test_the_docs_rule_table_is_the_one_generated_from_the_rules() -> None:
    """The rule table is not written in the docs: docs/hooks.py puts the table generated
    from the rules file where docs/concepts.md has the marker, when the site is built."""
    _needs_docs()
    assert RULE_TABLE_MARKER in CONCEPTS.read_text(encoding="utf-8")
    assert re.search(r"^hooks:\s*\n\s*- docs/hooks\.py\s*$", _mkdocs_yml(), re.MULTILINE)

    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec and spec.loader
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    from relations.domain.rule_table import markdown
    from relations.domain.rules import default_rules

    page = CONCEPTS.read_text(encoding="utf-8")
    built = hooks.on_page_markdown(page, page=None, config=None, files=None)
    table = markdown(default_rules())
    assert table in built
    assert RULE_TABLE_MARKER not in built
    assert "| `relations_severed` | sever |" in table


def test_the_rule_table_is_not_copied_into_any_page() -> None:
    """A copy would drift from the rules; pages use the marker instead."""
    _needs_docs()
    header = markdown_header()
    for page in _pages():
        assert header not in page.read_text(encoding="utf-8"), f"{page.name} copies the table"


def markdown_header() -> str:
    from relations.domain.rule_table import markdown
    from relations.domain.rules import default_rules

    return markdown(default_rules()).splitlines()[0]


def _mkdocs_yml() -> str:
    return MKDOCS_YML.read_text(encoding="utf-8")


def _nav_pages() -> list[str]:
    """The pages named in mkdocs.yml's nav (read as text: mkdocs.yml is YAML with no
    tags, and every nav entry is `- Title: page.md`)."""
    nav = _mkdocs_yml().split("\nnav:", 1)[1]
    return re.findall(r"^\s+- (?:[^:\n]+|\"[^\"\n]+\"):\s*(\S+\.md)\s*$", nav, re.MULTILINE)


def test_every_docs_page_is_in_the_nav() -> None:
    _needs_docs()
    in_nav = _nav_pages()
    pages = [page.relative_to(DOCS).as_posix() for page in _pages()]
    assert sorted(in_nav) == sorted(pages), "every page of docs/ once in mkdocs.yml's nav"
    assert len(in_nav) == len(set(in_nav))


def test_the_cli_reference_is_generated_from_the_commands() -> None:
    _needs_docs()
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "::: mkdocs-click" in page
    assert ":module: relations.cli" in page and ":command: cli" in page
    extensions = _mkdocs_yml().split("\nmarkdown_extensions:", 1)[1]
    extensions = re.split(r"\n(?=\S)", extensions, maxsplit=1)[0]  # up to the next key
    assert re.search(r"^\s+- mkdocs-click\s*$", extensions, re.MULTILINE)


def test_the_exit_codes_are_documented() -> None:
    _needs_docs()
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "## Exit codes" in page
    for code in ("| 0 | success", "| 1 | ", "| 2 | malformed input"):
        assert code in page


def _links(text: str) -> list[str]:
    inline = re.findall(r"\]\(([^)\s]+)\)", text)
    return [link for link in inline if not re.match(r"^[a-z]+:", link) and link[0] != "#"]


def test_the_readme_links_resolve() -> None:
    if not README.exists():
        pytest.skip("README.md is not shipped with an installed package")
    links = _links(README.read_text(encoding="utf-8"))
    assert links, "the README links to the docs"
    for link in links:
        target = ROOT / link.split("#", 1)[0]
        assert target.exists(), f"README.md links to {link}, which does not exist"


def test_the_readme_links_to_every_docs_page() -> None:
    _needs_docs()
    links = {link.split("#", 1)[0] for link in _links(README.read_text(encoding="utf-8"))}
    for page in _pages():
        assert f"docs/{page.relative_to(DOCS).as_posix()}" in links, f"README: no link to {page}"
