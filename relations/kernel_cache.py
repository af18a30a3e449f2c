"""Keeping the fold's lookup table between runs, so that a command that folds (history,
a backdated record, an import) does not import and fire the transitions machine each
time (about 120 ms). The table is read off the machine once per meaning of the rules
and per version of the code that builds it, and kept as JSON in the user cache folder;
anything unreadable or stale is ignored and built again. tests/test_machine.py proves
the table equals the machine; tests/test_kernel_cache.py that a kept table is the one
the machine gives."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from relations.domain.rules import Rules

_SOURCES = ("domain/machine.py", "domain/kernel.py", "domain/rules.py")


def cache_folder() -> Path:
    found = os.environ.get("RELATIONS_CACHE_DIR")
    if found:
        return Path(found)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("relations"))


def _key(rules: Rules) -> str:
    """The rules' meaning and the code that turns them into a table."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(rules.digest.encode())
    for name in _SOURCES:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:20]


def load(rules: Rules) -> dict[str, Any] | None:
    path = cache_folder() / f"kernel-{_key(rules)}.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return table if isinstance(table, dict) else None


def save(rules: Rules, table: dict[str, Any]) -> None:
    """Keep ``table`` (written atomically; a folder that cannot be written is fine)."""
    folder = cache_folder()
    path = folder / f"kernel-{_key(rules)}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=".kernel-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(table, out)
        Path(name).replace(path)
    except OSError:
        return
