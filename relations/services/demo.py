"""The demo: the real histories in fixtures/ loaded into a database."""

from __future__ import annotations

from pathlib import Path

import relations
from relations.application import App
from relations.domain.events import Pair
from relations.services.importing import ImportResult, import_file


def fixtures_dir() -> Path:
    """fixtures/ from the repository, or its copy inside an installed wheel."""
    package = Path(relations.__file__).resolve().parent
    for candidate in (package / "_fixtures", package.parent / "fixtures"):
        if candidate.is_dir() and any(candidate.glob("*.jsonl")):
            return candidate
    raise RuntimeError(f"fixtures not found next to {package}")


def load_fixtures(app: App) -> dict[str, ImportResult]:
    """Import every fixture file; re-running adds nothing (they carry external ids)."""
    return {path.name: import_file(app, path) for path in sorted(fixtures_dir().glob("*.jsonl"))}


def load_demo(app: App) -> tuple[dict[str, ImportResult], ImportResult]:
    """The fixtures, then the world baseline (which skips the events they already hold)."""
    from relations.services.world import load

    fixtures = load_fixtures(app)
    return fixtures, load(app, by="demo")


def fixture_pairs() -> set[Pair]:
    """The pairs the fixtures are about."""
    import json

    found = set()
    for path in fixtures_dir().glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found.add(Pair.of(row["actor"], row["target"]))
    return found
