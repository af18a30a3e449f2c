"""The fold's lookup table kept between runs: the kept table is exactly the one the
machine gives, a fold from it needs no transitions import, and a bad file is ignored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from relations import bootstrap, kernel_cache
from relations.domain.machine import RelationMachine
from relations.domain.rules import default_rules


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RELATIONS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(bootstrap, "_machines", {})
    return tmp_path


def test_the_kept_table_is_the_one_the_machine_gives(cache: Path) -> None:
    machine = bootstrap.machine_of(default_rules())
    [kept] = cache.glob("kernel-*.json")
    fresh = RelationMachine(default_rules()).kernel.table()
    assert json.loads(kept.read_text()) == fresh
    assert machine.kernel.table() == fresh


def test_a_fold_from_the_kept_table_does_not_import_transitions(cache: Path) -> None:
    bootstrap.machine_of(default_rules())  # keeps the table
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from relations.bootstrap import machine_of\n"
        "from relations.domain.events import EventDraft\n"
        "from relations.domain.fold import fold\n"
        "from relations.domain.rules import default_rules\n"
        "machine = machine_of(default_rules())\n"
        "folded = fold(machine, [EventDraft('ambassador_recalled', 'DZA', 'MLI', "
        "date(2025, 4, 6))])\n"
        "print(folded.stage, 'transitions' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**__import__("os").environ, "RELATIONS_CACHE_DIR": str(cache)},
    )  # fmt: skip
    assert out.stdout.split() == ["ambassador_withdrawn", "False"]


def test_a_bad_or_foreign_kept_table_is_built_again(cache: Path) -> None:
    bootstrap.machine_of(default_rules())
    [kept] = cache.glob("kernel-*.json")
    for text in ("not json", json.dumps({"rules_digest": "other"}), json.dumps([1, 2])):
        kept.write_text(text)
        bootstrap._machines.clear()
        machine = bootstrap.machine_of(default_rules())
        assert machine.kernel.table() == RelationMachine(default_rules()).kernel.table()
    assert kernel_cache.load(default_rules()) == RelationMachine(default_rules()).kernel.table()


def test_an_unwritable_cache_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv("RELATIONS_CACHE_DIR", str(blocked / "below"))
    monkeypatch.setattr(bootstrap, "_machines", {})
    machine = bootstrap.machine_of(default_rules())
    assert machine.kernel.nodes
