"""The walk-through (docs/walkthrough.md) runs top to bottom as written.

Every ```console block of the page is read in order. In a block, a line starting with
`$ relations ` is a command (a line ending with a backslash continues on the next one;
`# ...` after the command is a shell comment and is dropped), and the lines after it, up
to the next command or the end of the block, are its expected output (stdout and stderr
together, as a terminal shows them). Every command runs in order, through the installed
`relations` executable, from the repository root (so `fixtures/...` resolves), on one
fresh temporary database (RELATIONS_DB) with a temporary kernel cache
(RELATIONS_CACHE_DIR), and its output must match:

- lines are compared exactly, after removing trailing spaces and trailing blank lines;
- a line that is only `...` stands for any number of lines (none included);
- `...` inside a line stands for any text on that line (today's date in `as of ...`, a
  timestamp, a long list the page does not repeat);
- a command whose expected output has a line starting with `Error:` must exit non-zero
  (1 or 2), any other command must exit 0.

Nothing else is normalised: output that depends on the current time must be written
with `...` in the page, or avoided (for instance with `--as-of`).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WALKTHROUGH = ROOT / "docs" / "walkthrough.md"
FENCE = re.compile(r"^```console[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
ANY_LINES = "..."


@dataclass(frozen=True)
class Step:
    line: int  # where the command starts in the page, for messages
    command: str
    expected: tuple[str, ...]


def read_steps(text: str) -> list[Step]:
    """Every command of every console block, in order, with its expected output."""
    steps: list[Step] = []
    for block in FENCE.finditer(text):
        first_line = text.count("\n", 0, block.start(1)) + 1
        lines = block.group(1).splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            if not line.startswith("$ "):
                raise AssertionError(
                    f"walkthrough.md line {first_line + index}: output with no command "
                    f"before it: {line!r}"
                )
            start = first_line + index
            command = line[2:]
            while command.endswith("\\"):
                index += 1
                command = command[:-1] + " " + lines[index].strip()
            index += 1
            expected = []
            while index < len(lines) and not lines[index].startswith("$ "):
                expected.append(lines[index])
                index += 1
            steps.append(Step(start, command, tuple(_trim(expected))))
    return steps


def _trim(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _pattern(expected: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for line in expected:
        if line == ANY_LINES:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            inline = "[^\n]*".join(re.escape(piece) for piece in line.split("..."))
            parts.append(inline + r"\n")
    return re.compile("".join(parts))


def output_matches(expected: tuple[str, ...], actual: list[str]) -> bool:
    text = "".join(line + "\n" for line in actual)
    return _pattern(expected).fullmatch(text) is not None


def _relations() -> list[str]:
    beside = Path(sys.executable).with_name("relations")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("relations")
    return [found] if found else [sys.executable, "-m", "relations"]


def test_the_matcher_is_strict_where_it_should_be() -> None:
    expected = ("a", "...", "as of ...", "z")
    assert output_matches(expected, ["a", "as of 2026-12-05", "z"])
    assert output_matches(expected, ["a", "b", "c", "as of 2026-12-05", "z"])
    assert not output_matches(expected, ["a", "as of 2026-12-05", "y"])
    assert not output_matches(expected, ["a", "since 2026-12-05", "z"])
    assert not output_matches(expected, ["a", "as of 2026-12-05", "z", "extra"])
    assert not output_matches(("one line",), ["one line", "and another"])
    assert output_matches((), [])
    assert not output_matches((), ["unexpected"])


def test_the_page_is_read_as_documented() -> None:
    page = (
        "text\n```console\n$ relations a \\\n    --b c   # note\nout 1\n\nout 2\n\n"
        "$ relations d\n```\n```sh\n$ not read\n```\n"
    )
    assert read_steps(page) == [
        Step(3, "relations a  --b c   # note", ("out 1", "", "out 2")),
        Step(9, "relations d", ()),
    ]


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    if not WALKTHROUGH.exists():
        pytest.skip("docs/ is not shipped with an installed package")
    steps = read_steps(WALKTHROUGH.read_text(encoding="utf-8"))
    assert len(steps) >= 10, "the walk-through should show its commands in console blocks"
    env = {key: value for key, value in os.environ.items() if not key.startswith("RELATIONS_")}
    env["RELATIONS_DB"] = str(tmp_path / "walkthrough.db")
    env["RELATIONS_CACHE_DIR"] = str(tmp_path / "cache")
    env["PYTHONIOENCODING"] = "utf-8"
    executable = _relations()
    for step in steps:
        argv = shlex.split(step.command, comments=True)
        assert argv[0] == "relations", f"walkthrough.md line {step.line}: not a relations command"
        done = subprocess.run(
            executable + argv[1:],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        actual = _trim(done.stdout.splitlines())
        where = f"walkthrough.md line {step.line}: $ {step.command}"
        assert output_matches(step.expected, actual), (
            f"{where}\n--- documented\n"
            + "\n".join(step.expected)
            + "\n--- printed\n"
            + "\n".join(actual)
        )
        refused = any(line.startswith("Error:") for line in step.expected)
        if refused:
            assert done.returncode in (1, 2), f"{where}: exit {done.returncode}, expected 1 or 2"
        else:
            assert done.returncode == 0, f"{where}: exit {done.returncode}, expected 0"
