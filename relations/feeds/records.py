"""Our own interchange format: CSV with a header, or JSON Lines, one event per row.

Columns/keys: occurred_on, event_type, actor, target, summary, source, external_id, via
(the last four optional; ``via`` is the third country of a protecting_power_appointed).
A JSON Lines object with the key "#" is a comment, skipped. Rows stream out one at a
time with their line number.
"""

from __future__ import annotations

import csv
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter

from relations.domain.errors import InvalidInput
from relations.feeds import formats

REQUIRED = ("occurred_on", "event_type", "actor", "target")
OPTIONAL = ("summary", "source", "external_id", "via")
COLUMNS = REQUIRED + OPTIONAL
FORMATS = formats.OURS
COMMENT = "#"  # a JSON Lines object with this key is a comment (e.g. a file's metadata)
MAX_FIELD = 1 << 20  # characters in one CSV field: a line's limit (feeds/opening.py)
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int
    values: dict[str, str]
    error: str | None = None


def csv_tuples(text: Iterable[str], name: str) -> Iterator[tuple[int, tuple[str, ...] | str]]:
    """The rows of our CSV format as (line, values in COLUMNS order) or (line, error):
    the fast path for large files (no dict per row)."""
    csv.field_size_limit(MAX_FIELD)  # over the text limit: such a row is a reject, not fatal
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidInput(f"{name} is empty; expected a header: {','.join(COLUMNS)}")
        header = [h.strip() for h in header]
        _check_columns(header, name)
        width = len(header)
        padded = width < len(COLUMNS)
        positions = [header.index(c) if c in header else width for c in COLUMNS]
        pick = itemgetter(*positions)
        for fields in reader:
            if len(fields) != width:
                if not any(f.strip() for f in fields):
                    continue
                yield reader.line_num, f"has {len(fields)} fields, the header has {width}"
                continue
            if padded:
                fields.append("")
            yield reader.line_num, pick(fields)
    except csv.Error as exc:
        raise InvalidInput(f"{name} line {reader.line_num} is not readable as CSV: {exc}") from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:  # a corrupt archive
        raise InvalidInput(f"cannot read {name} past line {reader.line_num}: {exc}") from None


def json_tuples(lines: Iterable[str]) -> Iterator[tuple[int, tuple[str, ...] | str]]:
    """The rows of our JSON Lines format, as ``csv_tuples`` gives them."""
    for row in _jsonl_rows(iter(lines)):
        if row.error:
            yield row.line, row.error
        else:
            yield row.line, tuple(row.values.get(c, "") for c in COLUMNS)


def _jsonl_rows(handle: Iterator[str]) -> Iterator[RawRow]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRow(number, {}, f"is not valid JSON ({exc.msg})")
            continue
        except (RecursionError, ValueError):  # nested too deep; an integer too long
            yield RawRow(
                number, {}, "is not valid JSON we can read (nested too deep or a number too long)"
            )
            continue
        if not isinstance(value, dict):
            yield RawRow(number, {}, "is not a JSON object")
            continue
        if COMMENT in value:  # a comment or a file's metadata, not an event
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


def _check_columns(header: list[str], path: str) -> None:
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
            f"{path}: bad header ({'; '.join(problems)}); expected columns: {','.join(COLUMNS)}"
        )
