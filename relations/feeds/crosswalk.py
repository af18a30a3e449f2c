"""The CAMEO crosswalk: which CAMEO event codes become which event type, as data.

The default ships in the package (``relations/data/cameo-crosswalk.toml``, whose
comments say why no code severs or restores a relation by default); ``--crosswalk
FILE`` replaces it. A crosswalk is a TOML file with one ``[cameo]`` table mapping a
quoted code to an event type::

    [cameo]
    "161" = "relations_reduced"

Codes match exactly, never by prefix: CAMEO's hierarchy is not a reliable guide to
diplomatic meaning (160 "reduce relations" covers aid cuts, 1612 would be a
sub-code someone must decide about), so a code is mapped only if it is listed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from relations.domain.errors import InvalidInput
from relations.domain.rules import Rules

# 2 to 4 ASCII digits (``\d`` would also accept other scripts' digits). CAMEO's root
# codes are 01 to 20, and every longer code starts with its root.
_CODE = re.compile(r"[0-9]{2,4}")
_ROOTS = frozenset(f"{n:02d}" for n in range(1, 21))
TABLE = "cameo"


def is_cameo_code(code: str) -> bool:
    """True for a syntactically valid CAMEO event code such as "161" or "0871"."""
    return _CODE.fullmatch(code) is not None and code[:2] in _ROOTS


@dataclass(frozen=True, slots=True)
class Crosswalk:
    """CAMEO code -> event type. ``mapping`` is read-only; ``source`` names the file."""

    mapping: Mapping[str, str]
    source: str

    def event_type(self, code: str) -> str | None:
        """The event type for an exact CAMEO code, or None if the code is not listed."""
        return self.mapping.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self.mapping


def default_crosswalk_path() -> Path:
    return Path(str(resources.files("relations") / "data" / "cameo-crosswalk.toml"))


def load_crosswalk(path: Path | None, rules: Rules) -> Crosswalk:
    """Read and check a crosswalk (the packaged default when ``path`` is None).

    Every problem is an InvalidInput naming the file. The event types are checked
    against ``rules``, so a crosswalk cannot name a type the rules do not know.
    """
    chosen = path or default_crosswalk_path()
    try:
        text = chosen.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read crosswalk file {chosen}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"crosswalk file {chosen} is not UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        hint = " (a code is listed twice)" if str(exc).startswith("Cannot overwrite") else ""
        raise InvalidInput(f"crosswalk file {chosen} is not valid TOML: {exc}{hint}") from None
    except (RecursionError, ValueError):  # nested too deep; an integer too long
        raise InvalidInput(
            f"crosswalk file {chosen} is not TOML we can read (nested too deep or a number "
            "too long)"
        ) from None
    try:
        mapping = parse_crosswalk(raw, rules)
    except InvalidInput as exc:
        raise InvalidInput(f"crosswalk file {chosen}: {exc}") from None
    return Crosswalk(MappingProxyType(mapping), str(chosen))


def parse_crosswalk(raw: dict[str, Any], rules: Rules) -> dict[str, str]:
    unknown = sorted(set(raw) - {TABLE})
    if unknown:
        raise InvalidInput(
            f"unknown key(s) {', '.join(unknown)}; a crosswalk has only a [{TABLE}] table"
        )
    table = raw.get(TABLE)
    if not isinstance(table, dict) or not table:
        raise InvalidInput(
            f'missing or empty [{TABLE}] table; expected lines such as "161" = "relations_reduced"'
        )
    known = rules.event_types
    mapping: dict[str, str] = {}
    for code, event_type in table.items():
        if not is_cameo_code(code):
            raise InvalidInput(
                f"{code!r} is not a CAMEO event code; use a quoted code of 2 to 4 digits "
                'starting with a root code 01-20, such as "161" or "0871"'
            )
        if not isinstance(event_type, str):
            raise InvalidInput(f'code "{code}" must map to an event type name (a quoted string)')
        if event_type not in known:
            raise InvalidInput(
                f'code "{code}" maps to unknown event type {event_type!r}; '
                f"known types: {', '.join(sorted(known))}"
            )
        mapping[code] = event_type
    return mapping
