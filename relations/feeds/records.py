"""Our own interchange format: CSV with a header, or JSON Lines, one event per row.

Columns/keys: occurred_on, event_type, actor, target, summary, source, external_id
(the last three optional). Rows stream out one at a time with their line number.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from relations.domain.errors import InvalidInput

REQUIRED = ("occurred_on", "event_type", "actor", "target")
OPTIONAL = ("summary", "source", "external_id")
COLUMNS = REQUIRED + OPTIONAL
FORMATS = ("csv", "jsonl")


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int
    values: dict[str, str]
    error: str | None = None


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InvalidInput(
        f"cannot tell the format of {path.name} from its extension; "
        f"pass --format with one of {', '.join(FORMATS)}"
    )


def read_rows(path: Path, fmt: str) -> Iterator[RawRow]:
    try:
        # utf-8-sig: files saved by Excel start with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if fmt == "csv":
                yield from _csv_rows(handle, path)
            else:
                yield from _jsonl_rows(handle)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def _csv_rows(handle: Iterator[str], path: Path) -> Iterator[RawRow]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise InvalidInput(f"{path.name} is empty; expected a header: {','.join(COLUMNS)}")
    header = [h.strip() for h in header]
    _check_columns(header, path)
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            error = f"has {len(fields)} fields, the header has {len(header)}"
            yield RawRow(reader.line_num, {}, error)
            continue
        yield RawRow(reader.line_num, dict(zip(header, fields, strict=True)))


def _jsonl_rows(handle: Iterator[str]) -> Iterator[RawRow]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRow(number, {}, f"is not valid JSON ({exc.msg})")
            continue
        if not isinstance(value, dict):
            yield RawRow(number, {}, "is not a JSON object")
            continue
        unknown = sorted(set(value) - set(COLUMNS))
        if unknown:
            yield RawRow(number, {}, f"has unknown keys {', '.join(unknown)}")
            continue
        bad = [k for k, v in value.items() if v is not None and not isinstance(v, str)]
        if bad:
            yield RawRow(number, {}, f"{', '.join(bad)} must be strings")
            continue
        yield RawRow(number, {k: v for k, v in value.items() if v is not None})


def _check_columns(header: list[str], path: Path) -> None:
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or duplicated:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(unknown)}")
        if duplicated:
            problems.append(f"repeated {', '.join(duplicated)}")
        raise InvalidInput(
            f"{path.name}: bad header ({'; '.join(problems)}); expected columns: "
            f"{','.join(COLUMNS)}"
        )
