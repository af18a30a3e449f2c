"""Hostile and malformed input, on SQLite and PostgreSQL.

The guarantee under test: fuzzed CLI arguments and import files always end with exit
code 0, 1 or 2, never with a traceback, and a command that fails writes nothing.
Summaries, sources and names holding SQL, quotes, control characters, very long strings
and ``<script>`` are stored and shown verbatim, and are escaped in the HTML report; a
NUL character or a summary/source over 10,000 characters is refused (exit 2).

- ``test_fuzzed_cli_arguments``: hypothesis over argument lists of every command
  (``FUZZED_COMMANDS``; a test fails when a command is missing from it), mixing valid
  values with hostile ones.
- ``test_fuzzed_import_files``: hypothesis over CSV, JSON Lines, GDELT and ICEWS files
  with hostile fields and bytes (NUL, invalid UTF-8, BOMs, CRLF, huge numbers...),
  plain, gzipped or zipped, with and without ``--rejects`` and ``--lenient``.
- ``test_imported_text_round_trips_verbatim``: hypothesis: any storable text in a CSV or
  JSON Lines file comes back from ``events --json`` exactly.
- ``hostile`` fixture + ``test_*_verbatim`` / ``test_html_report_*``: a fixed set of
  hostile strings recorded through the CLI and checked in every output: JSON, text,
  and the Markdown, HTML, JSON and CSV reports (on stdout and written with --output).
- The refusals the README promises (NUL, over 10,000 characters, over 500 for an
  external id), and regression tests for each crash the fuzzers found.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from conftest import TABLES, Cli

FEEDS = Path(__file__).parent / "data" / "feeds"
REPO = Path(__file__).parent.parent
PACKAGED_RULES = REPO / "relations" / "data" / "rules.toml"
PACKAGED_CROSSWALK = REPO / "relations" / "data" / "cameo-crosswalk.toml"
CSV_COLUMNS = ["occurred_on", "event_type", "actor", "target", "summary", "source",
               "external_id"]  # fmt: skip

FUZZ = settings(
    deadline=None,
    database=None,  # nothing written into the work tree
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no "explain": it runs long
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# --- what a hostile user types ------------------------------------------------------------

COUNTRIES = [
    "PER", "pe", "Peru", "Perú", "MEX", "mx", "Mexico", "México", "Cote d'Ivoire",
    "Côte d’Ivoire", "CIV", "Ecuador", "ECU", "Iran", "Saudi Arabia", "SAU", "Colombia",
    "VEN", "Venezuela", "Chile", "ARG",
]  # fmt: skip
BAD_COUNTRIES = ["Congo", "Korea", "SUN", "Yugoslavia", "XKX", "Atlantis", "P E R", "PERU!"]
DATES = ["2022-12-15", "2023-06-01", "2024-01-01", "2025-11-03", "2025-11-05", "2016-01-03",
         "2024-02-29", "1970-01-01", "0001-01-01"]  # fmt: skip
BAD_DATES = [
    "0000-00-00", "9999-12-31", "2025-02-30", "2023-02-29", "2025-1-1", "20251103",
    "2025-11-03T10:00", "-2025-01-01", "+2025-01-01", " 2025-01-01", "2025-01-01 ",
    "２０２５-１１-０３", "2025-11-03\n", "2025-W45-1",
]  # fmt: skip
TIMESTAMPS = [
    "2025-11-03", "2025-11-03T08:00", "2025-11-03T08:00:00Z", "2025-11-03T08:00-05:00",
    "2025-11-03T08:00+14:00", "2025-11-03T08:00:00.123456Z", "0001-01-01T00:00Z",
    "2020-01-01", "2000-01-01T00:00:00",
]  # fmt: skip
BAD_TIMESTAMPS = [
    "0001-01-01T00:00+01:00", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00",
    "2025-11-03T08:00+15:00", "2025-13-01T00:00", "2025-11-03T25:00", "now", "1e10",
    "1730592000",
]  # fmt: skip
NUMBERS = ["1", "2", "3", "5", "9", "12", "20", "31"]
BAD_NUMBERS = [
    "0", "-1", "2147483647", "2147483648", "9223372036854775808", "99999999999999999999",
    "1e3", "0x10", "NaN", "inf", "٣", "３", " 4", "4.0", "9" * 5000,
]  # fmt: skip
HOSTILE = [
    "", " ", "'; DROP TABLE events; --", "' OR '1'='1", '"; DELETE FROM writes; --',
    "Robert'); DROP TABLE pair_status;--", "%s %(x)s ? :name $1", "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "\x1b[31mred\x1b[0m", "a\tb\nc\rd\x07\x0b\x0c\x7f",
    "\x00", "nul\x00inside", "\u202eevil\u202c", "\ufeffbom", "\u2028\u2029\x85",
    "🇵🇪🇲🇽 😀", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "\udcff", "Per\udcff",  # as argv gives undecodable bytes
    "../../etc/passwd", "C:\\Windows\\system32", "-", "--", "--json", "--help", "-h",
    "--on", "--summary", "--type", "--country", "--format", "--db", "--version",
]  # fmt: skip
OPTION_LIKE = ["--json", "--", "-h", "--on", "--cascade", "--lenient", "--quiet", "--as-of",
               "--known-at", "--nope", "-x", "--summary=", "--by"]  # fmt: skip

BAD_BY_OPTION = {
    **dict.fromkeys(["--on", "--as-of"], BAD_DATES),
    **dict.fromkeys(["--known-at", "--since", "--from", "--to"], BAD_DATES + BAD_TIMESTAMPS),
    **dict.fromkeys(["--reproduce", "--min-mentions"], BAD_NUMBERS),
    **dict.fromkeys(["--actor", "--target", "--country"], BAD_COUNTRIES),
}
BAD_VALUES = [*BAD_COUNTRIES, *BAD_DATES, *BAD_TIMESTAMPS, *BAD_NUMBERS, *OPTION_LIKE,
              "relations_severd", "STATEMENT", " visit", "frozen"]  # fmt: skip
NO_SURROGATES = st.characters(blacklist_categories=("Cs",))
hostile_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(NO_SURROGATES, max_size=24),
    st.text(st.characters(max_codepoint=0x9F, blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from([499, 500, 501, 9_999, 10_000, 10_001, 60_000]).map(
        lambda n: ("<script>'\";--é😀" * (n // 10 + 1))[:n]
    ),
)


# A path cannot hold NUL (no shell can pass one; os.stat raises ValueError).
hostile_path = hostile_text.map(lambda s: s.replace("\x00", ""))


def pick(valid: list[str], bad: list[str] | None = None) -> st.SearchStrategy[str]:
    """Mostly a valid value (so that commands also succeed and write), else a bad or a
    hostile one."""
    valid_values = st.sampled_from(valid)
    wrong = hostile_text if bad is None else st.one_of(st.sampled_from(bad), hostile_text)
    return st.one_of(valid_values, valid_values, valid_values, valid_values, wrong)


# --- the contract every command must keep -------------------------------------------------

_engines: dict[str, Any] = {}


def table_contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as conftest.table_contents, through one engine per
    database (a new engine per call costs more than the command on PostgreSQL)."""
    from sqlalchemy import create_engine, text

    engine = _engines.get(url) or _engines.setdefault(url, create_engine(url))
    with engine.connect() as connection:
        return {
            table: [
                tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
            ]
            for table in TABLES
        }


@pytest.fixture(autouse=True)
def _dispose_engines() -> Any:
    yield
    while _engines:
        _engines.popitem()[1].dispose()


def assert_clean(result: Result, before: dict[str, Any] | None, url: str) -> None:
    """Exit 0, 1 or 2; no traceback, no escaped exception; a failure writes nothing and
    says why on stderr."""
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    detail = f"exit {result.exit_code}, {result.exception!r:.300}, stderr: {result.stderr[-600:]!r}"
    assert result.exit_code in (0, 1, 2), detail
    assert "Traceback" not in result.output, detail
    assert not crashed, detail
    if result.exit_code != 0:
        assert result.stderr.strip(), "a failure must say what was wrong"
        if before is not None:
            wrote = table_contents(url) != before
            assert not wrote, f"a failed command wrote: {detail}"


@pytest.fixture
def loaded(run: Cli, fixtures_dir: Path) -> Cli:
    """The four real histories: PER-MEX and ECU-MEX severed, IRN-SAU and COL-VEN restored."""
    for name in ("peru-mexico", "ecuador-mexico", "iran-saudi-arabia", "colombia-venezuela"):
        run.ok("import", str(fixtures_dir / f"{name}.jsonl"))
    return run


# --- import files: generated text and bytes ------------------------------------------------


def _real_line(path: Path, number: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[number - 1].split("\t")


GDELT_ROW = _real_line(FEEDS / "gdelt1-events-sample.tsv", 312)  # PER -> USA, CAMEO 160
ICEWS_HEADER = (FEEDS / "icews-events-2018-excerpt.tab").read_text(encoding="utf-8").split("\n")[0]
ICEWS_ROW = _real_line(FEEDS / "icews-events-2018-excerpt.tab", 1219)  # BFA -> TWN, 161
GDELT_KEY_COLUMNS = [0, 1, 5, 7, 12, 15, 17, 26, 30, 31, 57]
ICEWS_KEY_COLUMNS = [0, 1, 3, 4, 6, 7, 8, 9, 10, 13]
FEED_VALUES = [
    "", "NA", "SUN", "YUG", "XYZ", "per", "PER", "MEX", "USA", "GOV", "Government", "13y",
    "161", "075", "1313", "9" * 5000, "1e999", "nan", "-0", "20250230", "00000000",
    "99991231", "2025-11-03", "2018-06-01", "Peru", "Mexico", "Serbia and Montenegro",
]  # fmt: skip
RAW_JSONL_LINES = [
    "{", "[]", "null", "1e999999", '"text"', "{}", '{"occurred_on": null}',
    '{"occurred_on": 1e999, "event_type": "statement", "actor": "PER", "target": "MEX"}',
    '{"occurred_on": "2024-01-02", "event_type": "statement", "actor": "PER", '
    '"target": "MEX", "summary": ' + "9" * 5000 + "}",  # an integer past int()'s limit
    '{"a": ' + "[" * 3_000 + "]" * 3_000 + "}",  # nested past the recursion limit
    '{"occurred_on": "2024-01-02", "occurred_on": "2024-01-03", "event_type": "visit", '
    '"actor": "PER", "target": "MEX"}',
    '{"occurred_on": "2024-01-02", "event_type": "visit", "actor": "PER", "target": "MEX", '
    '"summary": "\\ud800 lone escape"}',
    '{"occurred_on": "2024-01-02", "event_type": "visit", "actor": "PER", "target": "MEX", '
    '"summary": "nul \\u0000 escaped"}',
]  # fmt: skip
BYTE_INSERTS = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\r", b"\n",
                b'"', b",", b"\t", b"\x1b[2J", b"\xc0\xaf"]  # fmt: skip

field_value = {
    "occurred_on": pick(["2024-01-02", "2023-05-05", "2016-01-03", "2025-11-04", "2025-02-30"]),
    "event_type": pick(["statement", "visit", "protest_note", "relations_severed",
                        "relations_restored", "asylum_granted", "ambassador_returned"]),
    "actor": pick(COUNTRIES, BAD_COUNTRIES),
    "target": pick(COUNTRIES, BAD_COUNTRIES),
    "summary": hostile_text,
    "source": hostile_text,
    "external_id": pick(["", "x-1", "x-2", "fixture:per-mex:2025-11-03:relations_severed"]),
}  # fmt: skip


@st.composite
def our_rows(draw: Any) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = {c: draw(field_value[c]) for c in CSV_COLUMNS}
        if draw(st.booleans()):  # mostly plausible rows, so imports also succeed
            row["occurred_on"] = draw(st.sampled_from(["2024-01-02", "2023-07-07"]))
            row["event_type"] = draw(st.sampled_from(["statement", "visit", "protest_note"]))
            row["actor"], row["target"] = "PER", draw(st.sampled_from(["CHL", "ARG", "MEX"]))
        rows.append(row)
    return rows


@st.composite
def csv_text(draw: Any) -> str:
    header = draw(st.one_of(
        st.just(CSV_COLUMNS),
        st.just(CSV_COLUMNS),
        st.just(CSV_COLUMNS[:4]),
        st.permutations(CSV_COLUMNS),
        st.lists(st.sampled_from([*CSV_COLUMNS, "country", "", " actor "]), max_size=9),
        st.lists(hostile_text, min_size=1, max_size=3),
    ))  # fmt: skip
    rows = draw(our_rows())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    buffer = io.StringIO(newline="")
    if draw(st.booleans()):  # properly quoted
        writer = csv.writer(buffer, lineterminator=newline)
        writer.writerow(header)
        for row in rows:
            values = [row.get(c, "") for c in header] if draw(st.booleans()) else list(row.values())
            writer.writerow(values[: draw(st.integers(0, len(values) + 1))] if
                            draw(st.integers(0, 5)) == 0 else values)  # fmt: skip
    else:  # joined by hand: commas and quotes inside fields break the row
        buffer.write(",".join(header) + newline)
        for row in rows:
            buffer.write(",".join(str(v) for v in row.values()) + newline)
    return buffer.getvalue()


@st.composite
def jsonl_text(draw: Any) -> str:
    lines = []
    for row in draw(our_rows()):
        value: Any = dict(row)
        change = draw(st.integers(0, 6))
        if change == 1:
            value.pop(draw(st.sampled_from(CSV_COLUMNS)))
        elif change == 2:
            value[draw(st.sampled_from(CSV_COLUMNS))] = draw(st.sampled_from(
                [None, 0, 10**30, -1.5, True, [], {"a": "b"}, 1e308]))  # fmt: skip
        elif change == 3:
            value[draw(hostile_text)] = "extra"
        lines.append(json.dumps(value, ensure_ascii=draw(st.booleans())))
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(RAW_JSONL_LINES)))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n", "\n\n"]))


@st.composite
def feed_text(draw: Any, base: list[str], key_columns: list[int], header: str | None) -> str:
    lines = [] if header is None else [header]
    for _ in range(draw(st.integers(1, 4))):
        fields = list(base)
        for _ in range(draw(st.integers(0, 3))):
            column = draw(st.sampled_from([*key_columns, draw(st.integers(0, len(base) - 1))]))
            fields[column] = draw(st.one_of(st.sampled_from(FEED_VALUES), hostile_text))
        cut = draw(st.integers(0, 8))
        if cut == 1:
            fields = fields[: draw(st.integers(0, len(fields)))]
        elif cut == 2:
            fields += ["extra"] * draw(st.integers(1, 4))
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


formats = {
    "csv": csv_text(),
    "jsonl": jsonl_text(),
    "gdelt": feed_text(GDELT_ROW, GDELT_KEY_COLUMNS, None),
    "icews": feed_text(ICEWS_ROW, ICEWS_KEY_COLUMNS, ICEWS_HEADER),
}
EXTENSIONS = {"csv": ".csv", "jsonl": ".jsonl", "gdelt": ".CSV", "icews": ".tab"}


@st.composite
def import_files(draw: Any) -> tuple[str, str, bytes]:
    """(format, file name, content): text, then bytes mangled, maybe compressed."""
    fmt = draw(st.sampled_from(sorted(formats)))
    text = draw(formats[fmt])
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 3)) if draw(st.booleans()) else 0):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BYTE_INSERTS)) + data[at:]
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    name = "events" + draw(st.one_of(st.just(EXTENSIONS[fmt]),
                                     st.sampled_from([".csv", ".jsonl", ".txt", ""])))  # fmt: skip
    packing = draw(st.sampled_from(
        ["plain"] * 6 + ["gzip", "zip", "zip2", "badgzip", "emptyzip", "cutgzip", "crcgzip"]
    ))  # fmt: skip
    if packing == "gzip":
        data, name = gzip.compress(data), name + ".gz"
    elif packing == "cutgzip":  # cut short: the end of the stream is missing
        packed = gzip.compress(data)
        data, name = packed[: draw(st.integers(10, max(10, len(packed) - 1)))], name + ".gz"
    elif packing == "crcgzip":  # every byte there, but the checksum is wrong
        packed = bytearray(gzip.compress(data))
        packed[-8] ^= 0xFF
        data, name = bytes(packed), name + ".gz"
    elif packing in ("zip", "zip2", "emptyzip"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            if packing != "emptyzip":
                archive.writestr(name, data)
            if packing == "zip2":
                archive.writestr("other.csv", data)
        data, name = buffer.getvalue(), name + ".zip"
    elif packing == "badgzip":
        data, name = b"\x1f\x8b" + data[:40], name + ".gz"
    return fmt, name, data


TOML_FILES = [
    PACKAGED_RULES.read_bytes(),
    b"",
    b"\x00\x01",
    b'states = ["normal"]\n',
    b"a = \xff\n",
    b'states = ["normal", "strained", "severed", "normal"]\n',
    PACKAGED_RULES.read_bytes().replace(b"severed", b"<script>", 3),
    PACKAGED_RULES.read_bytes() + b"\n[event_types.visit]\neffect = 'none'\n",
    b"a = " + b"[" * 3000 + b"]" * 3000 + b"\n",  # nested past the recursion limit
    b"x = " + b"9" * 5000 + b"\n",  # an integer past int()'s limit
]


def write_file(folder: Path, name: str, data: bytes) -> Path:
    path = Path(tempfile.mkdtemp(dir=folder)) / name
    path.write_bytes(data)
    return path


# --- 1. fuzzed CLI arguments ----------------------------------------------------------------


FUZZED_COMMANDS = [
    "record", "status", "history", "pairs", "events", "retract", "correct", "import",
    "report", "log", "rules check", "event-types", "review", "confirm", "dismiss",
    "reports list", "schedule add", "schedule list", "schedule remove", "serve",
    "world", "world load", "info", "reproject", "demo", "diagram", "token add", "token list",
    "token revoke", "web",
]  # fmt: skip


def test_the_fuzz_list_holds_every_command() -> None:
    """A command added to the CLI must be added to the fuzzer too."""
    import click

    from relations.cli import cli

    def leaves(group: click.Group, prefix: str = "") -> list[str]:
        found = []
        for name, command in group.commands.items():
            path = f"{prefix}{name}"
            if isinstance(command, click.Group):
                if command.invoke_without_command:
                    found.append(path)
                found += leaves(command, path + " ")
            else:
                found.append(path)
        return found

    assert sorted(leaves(cli)) == sorted(FUZZED_COMMANDS)


@st.composite
def cli_arguments(draw: Any, types: list[str], folder: Path) -> list[str]:
    """A well-formed command (free text may already be hostile: it is valid there), then
    0 to 3 of its arguments replaced by a bad or hostile value, or a stray one inserted."""
    # Biased towards the loaded pairs and the types that change them, so that rules
    # refuse some commands (exit 1) after part of their work, e.g. the second target.
    fixture_pairs = ["MEX", "PER", "ECU", "IRN", "SAU", "COL", "VEN"]
    country = st.one_of(st.sampled_from(COUNTRIES), st.sampled_from(fixture_pairs))
    kind = st.one_of(st.sampled_from(types), st.sampled_from(
        ["relations_severed", "relations_restored", "ambassador_returned"]))  # fmt: skip
    date, moment = st.sampled_from(DATES), st.sampled_from(TIMESTAMPS)
    number = st.sampled_from(NUMBERS)
    nice = ["Peru recalls its ambassador", "ana", "https://example.org/a?b=1&c=<2>"]
    text = st.one_of(st.sampled_from(nice), hostile_text)

    def options(*choices: tuple[str, Any]) -> list[str]:
        chosen: list[str] = []
        for flag, value in choices:
            if draw(st.booleans()):
                chosen += [flag] if value is None else [flag, draw(value)]
        return chosen

    # Every command (test_the_fuzz_list_holds_every_command checks), the writes twice.
    command = draw(st.sampled_from([*FUZZED_COMMANDS, "record", "retract", "correct"]))
    if command == "record":
        args = ["record", draw(kind), draw(country),
                *draw(st.lists(country, min_size=1, max_size=4)), "--on", draw(date)]  # fmt: skip
        args += options(("--summary", text), ("--source", text), ("--external-id", text),
                        ("--via", country), ("--by", text), ("--json", None))  # fmt: skip
    elif command in ("status", "history"):
        args = [command, draw(country), draw(country)]
        args += options(("--as-of", date), ("--known-at", moment), ("--json", None))
    elif command == "pairs":
        status = st.sampled_from(["normal", "strained", "severed"])
        stage = st.sampled_from(["friction", "embassy_closed", "never_established", "nope"])
        args = ["pairs", *options(("--status", status), ("--stage", stage), ("--as-of", date),
                                  ("--known-at", moment), ("--json", None))]  # fmt: skip
    elif command == "events":
        args = ["events", *options(("--country", country), ("--type", kind), ("--from", date),
                                   ("--to", date), ("--as-of", date), ("--known-at", moment),
                                   ("--country", country), ("--json", None))]  # fmt: skip
    elif command == "retract":
        args = ["retract", draw(number), "--reason", draw(text)]
        args += options(("--by", text), ("--cascade", None), ("--json", None))
    elif command == "correct":
        args = ["correct", draw(number), "--reason", draw(text)]
        args += options(("--on", date), ("--type", kind), ("--actor", country),
                        ("--target", country), ("--summary", text), ("--source", text),
                        ("--via", country), ("--by", text), ("--json", None))  # fmt: skip
    elif command == "import":
        _, name, data = draw(import_files())
        path = draw(st.one_of(
            st.just(str(write_file(folder, name, data))),
            st.sampled_from([str(FEEDS / "gdelt1-events-sample.tsv"), "/dev/null", ".",
                             str(folder / "missing.csv")]),
        ))  # fmt: skip
        rejects = str(Path(tempfile.mkdtemp(dir=folder)) / "rejects.csv")
        crosswalk = st.sampled_from([str(PACKAGED_CROSSWALK), str(PACKAGED_RULES), "/dev/null"])
        args = ["import", path, *options(
            ("--format", st.sampled_from(["csv", "jsonl", "gdelt", "icews"])),
            ("--rejects", st.just(rejects)), ("--lenient", None), ("--min-mentions", number),
            ("--crosswalk", crosswalk), ("--by", text), ("--json", None), ("--quiet", None),
        )]  # fmt: skip
    elif command == "report":
        args = ["report", *options(
            ("--from", moment), ("--to", moment), ("--country", country),
            ("--format", st.sampled_from(["markdown", "html", "json", "csv"])),
            ("--known-at", moment), ("--reproduce", number), ("--country", country),
        )]  # fmt: skip
        if draw(st.integers(0, 4)) == 0:  # a writable file of our own; never a drawn path
            args += ["--output", str(Path(tempfile.mkdtemp(dir=folder)) / "report.out")]
    elif command == "log":
        args = ["log", *options(("--since", moment), ("--json", None))]
    elif command == "rules check":
        data = draw(st.sampled_from(TOML_FILES))
        args = ["rules", "check", str(write_file(folder, "rules.toml", data))]
        args += options(("--json", None))
    elif command == "review":
        args = ["review", *options(("--country", country), ("--type", kind),
                                   ("--limit", number), ("--json", None))]  # fmt: skip
    elif command in ("confirm", "dismiss"):
        args = [command, *draw(st.lists(number, min_size=1, max_size=3)), "--reason", draw(text)]
        args += options(("--by", text), ("--json", None))
        if command == "confirm":
            args += options(("--type", kind))
    elif command == "reports list":
        args = ["reports", "list", *options(("--schedule", text), ("--json", None))]
    elif command == "schedule add":
        when = draw(st.sampled_from([["--every", "1d"], ["--cron", "0 8 * * 1"], ["--every",
                                     "0s"], ["--cron", "61 * * * *"], []]))  # fmt: skip
        args = ["schedule", "add", draw(text), *when, "--output-dir",
                str(Path(tempfile.mkdtemp(dir=folder)))]  # fmt: skip
        args += options(("--country", country), ("--timezone", st.sampled_from(
            ["UTC", "America/Lima", "Mars/Olympus"])), ("--format", st.sampled_from(
            ["markdown", "html", "json", "csv", "pdf"])))  # fmt: skip
    elif command == "schedule list":
        args = ["schedule", "list", *options(("--json", None))]
    elif command == "schedule remove":
        args = ["schedule", "remove", draw(text)]
    elif command == "serve":
        args = ["serve", "--once"]  # without --once it serves until stopped
    elif command == "world load":
        args = ["world", "load", *options(("--by", text), ("--json", None))]
    elif command in ("info", "world", "reproject"):
        args = [command, *options(("--json", None))]
        if command == "reproject":
            args += options(("--by", text))
    elif command in ("demo", "diagram"):
        args = [command]
    elif command == "token add":
        role = st.sampled_from(["reader", "recorder", "admin", "root"])
        args = ["token", "add", draw(text), "--role", draw(role)]
        args += options(("--by", text), ("--json", None))
    elif command == "token list":
        args = ["token", "list", *options(("--json", None))]
    elif command == "token revoke":
        args = ["token", "revoke", draw(text), *options(("--by", text))]
    elif command == "web":  # --check: build the app and exit, never serve
        args = ["web", "--check", *options(("--port", number), ("--workers", number),
                                           ("--host", text), ("--public-read", None))]  # fmt: skip
    else:
        args = ["event-types", *options(("--json", None))]
    # Often, one option's value becomes a bad value of its own kind (an impossible date
    # for --on, a timestamp out of range for --known-at, ...): drawn from every bad
    # value at a random place, each of these would come up too rarely to be found.
    typed = [at for at in range(1, len(args)) if args[at - 1] in BAD_BY_OPTION]
    if typed and draw(st.booleans()):
        at = draw(st.sampled_from(typed))
        args[at] = draw(st.sampled_from(BAD_BY_OPTION[args[at - 1]]))
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 1, 2, 3]))):
        # Never the value of a path option we write to, and no NUL (no shell can pass one).
        at = draw(st.integers(1, len(args)))
        if args[at - 1] in ("--rejects", "--output") or "--check" in args[at : at + 1]:
            continue  # (without --check, `web` would serve until stopped)
        wrong = draw(st.one_of(st.sampled_from(BAD_VALUES), hostile_path))
        if draw(st.booleans()) and at < len(args):
            args[at] = wrong
        else:
            args.insert(at, wrong)
    return args


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_fuzzed_cli_arguments(
    loaded: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    monkeypatch.chdir(tmp_path)  # whatever a stray argument makes of a relative path
    types = [t["type"] for t in loaded.json("event-types")]
    args = data.draw(cli_arguments(types, tmp_path), label="args")
    before = table_contents(loaded.url)
    result = loaded(*args)
    event(f"{args[0]}: exit {result.exit_code}")  # pytest --hypothesis-show-statistics
    assert_clean(result, before, loaded.url)


# --- 2. fuzzed import files -------------------------------------------------------------------


@settings(FUZZ, max_examples=90)
@given(
    file=import_files(),
    give_format=st.booleans(),
    rejects=st.booleans(),
    lenient=st.booleans(),
)
def test_fuzzed_import_files(
    loaded: Cli,
    tmp_path: Path,
    file: tuple[str, str, bytes],
    give_format: bool,
    rejects: bool,
    lenient: bool,
) -> None:
    fmt, name, content = file
    path = write_file(tmp_path, name, content)
    args = ["import", str(path), "--json", "--quiet"]
    args += ["--format", fmt] if give_format else []
    args += ["--lenient"] if lenient else []
    rejects_path = path.with_name("rejects.csv")
    args += ["--rejects", str(rejects_path)] if rejects else []
    before = table_contents(loaded.url)
    result = loaded(*args)
    event(f"{fmt}{' --rejects' if rejects else ''}: exit {result.exit_code}")
    assert_clean(result, before, loaded.url)
    if result.exit_code != 0:
        return
    summary = json.loads(result.stdout)
    after = table_contents(loaded.url)
    assert len(after["events"]) - len(before["events"]) == summary["created"], summary
    if rejects:
        with rejects_path.open(encoding="utf-8", newline="") as handle:
            quarantined = list(csv.reader(handle))
        assert quarantined[0] == ["line", "kind", "reason"]
        assert len(quarantined) - 1 == sum(summary["rejected"].values()), summary
    else:
        assert summary["rejected"] == {}, "all or nothing: a malformed row must refuse the file"


# --- 3. text in import files comes back verbatim -------------------------------------------

storable = st.text(NO_SURROGATES.filter(lambda c: c != "\x00"), max_size=60)


@settings(FUZZ, max_examples=30)
@given(summary=storable, source=storable, fmt=st.sampled_from(["csv", "jsonl"]),
       crlf=st.booleans(), bom=st.booleans())  # fmt: skip
@example(summary='  a \r\n b,"c"  ', source="\t<script>'", fmt="csv", crlf=False, bom=True)
@example(summary="\u2028\x85\x1c\x0b\r", source=" \ufeff ", fmt="jsonl", crlf=True, bom=False)
def test_imported_text_round_trips_verbatim(
    run: Cli, tmp_path: Path, summary: str, source: str, fmt: str, crlf: bool, bom: bool
) -> None:
    row = {"occurred_on": "2024-01-02", "event_type": "statement", "actor": "PER",
           "target": "CHL", "summary": summary, "source": source}  # fmt: skip
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        # With "\n" alone as line end, csv.writer leaves a lone "\r" unquoted: quote all.
        writer = csv.DictWriter(
            buffer,
            CSV_COLUMNS[:6],
            lineterminator="\r\n" if crlf else "\n",
            quoting=csv.QUOTE_MINIMAL if crlf else csv.QUOTE_ALL,
        )
        writer.writeheader()
        writer.writerow(row)
        text = buffer.getvalue()
    else:
        text = json.dumps(row, ensure_ascii=False) + ("\r\n" if crlf else "\n")
    path = write_file(tmp_path, f"events.{fmt}", (("\ufeff" if bom else "") + text).encode())
    assert_clean(run.ok("import", str(path)), None, run.url)
    latest = max(run.json("events", "--country", "CHL"), key=lambda e: e["id"])
    assert (latest["summary"] or "", latest["source"] or "") == (summary, source)
    assert latest["summary"] != "" and latest["source"] != "", 'not given: null, never ""'


# --- 4. hostile strings recorded through the CLI, checked in every output -------------------

VERBATIM = {
    "sql": "'; DROP TABLE events; --",
    "sql2": "Robert\"); DROP TABLE pair_status; -- ' OR 1=1 /* %s %(x)s ? :name $1 */",
    "like": "100% _done_ \\ %% \\%",
    "quotes": "\"double\" 'single' `back` «guillemets» “curly” ‘single curly’",
    "script": "<script>alert(1)</script>",
    "attr": '"><img src=x onerror=alert(1)><svg onload=alert(2)>',
    "closing": "</td></tr></table></title></circle></svg><script>alert(3)</script><!--",
    "entities": "&lt;script&gt; &amp; &#60; &quot; AT&T",
    "markdown": "a|b \\| c *bold* _it_ `code` [x](javascript:alert(1)) # h",
    "controls": "tab\there, bell\x07, backspace\x08, vt\x0b, ff\x0c, esc\x1b, del\x7f, c1\x85\x9b",
    "ansi": "red \x1b[31mALERT\x1b[0m and \x1b]0;title\x07 after",
    "newlines": "line1\nline2\r\nline3\rline4\u2028line5\u2029end",
    "rtl": "\u202eevil.exe\u202c and \u200fمرحبا\u200e and \u2067isolate\u2069",
    "zero_width": "zero\u200bwidth\u200djoiner\ufeffbom\u2060",
    "emoji": "🇵🇪🇲🇽 👨‍👩‍👧‍👦 😀 𝕳𝖊𝖑𝖑𝖔 \U0010fffd",
    "combining": "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "padded": "  leading and trailing spaces  ",
    "long_ascii": "<script>" * 1250,  # 10,000 characters: the most accepted
    "long_astral": "😀" * 10_000,  # 10,000 characters, 40,000 UTF-8 bytes
    "long_mixed": ("é<\n|&" * 2000)[:10_000],
}
TARGETS = ["ARG", "BOL", "BRA", "CHL", "COL", "ECU", "MEX", "URY", "PRY", "VEN", "CUB", "CAN",
           "USA", "FRA", "DEU", "ESP", "ITA", "JPN", "CHN", "IND", "GBR", "RUS"]  # fmt: skip


@pytest.fixture
def hostile(run: Cli) -> dict[str, tuple[int, str]]:
    """Each hostile string as summary, source and (when short enough) external id of an
    ambassador_recalled PER -> X: a status change, so it is in every report section."""
    recorded = {}
    for (name, value), target in zip(VERBATIM.items(), TARGETS, strict=False):
        args = ["record", "ambassador_recalled", "PER", target, "--on", "2024-03-01",
                "--summary", value, "--source", value, "--json"]  # fmt: skip
        if len(value) <= 480:
            args += ["--external-id", f"{name}:{value}"]
        [made] = json.loads(run.ok(*args).stdout)
        recorded[name] = (made["id"], target)
    return recorded


def external_id(name: str) -> str | None:
    value = VERBATIM[name]
    return f"{name}:{value}" if len(value) <= 480 else None


def stdout_text(result: Result) -> str:
    """stdout exactly as written (Result.stdout turns CRLF into LF)."""
    return result.stdout_bytes.decode("utf-8")


def test_json_outputs_are_verbatim(run: Cli, hostile: dict[str, tuple[int, str]]) -> None:
    events = {e["id"]: e for e in run.json("events")}
    wrong = []
    for name, (event_id, target) in hostile.items():
        value = VERBATIM[name]
        [entry] = [h for h in run.json("history", "PER", target) if h["id"] == event_id]
        cause = run.json("status", "PER", target)["cause"]
        for where, found in (("events", events[event_id]), ("history", entry), ("status", cause)):
            got = (found["summary"], found["source"], found["external_id"])
            if got != (value, value, external_id(name)):
                wrong.append((name, where, got))
    assert not wrong, wrong


def test_text_outputs_are_verbatim(run: Cli, hostile: dict[str, tuple[int, str]]) -> None:
    wrong = []
    for name, (_, target) in hostile.items():
        for command in ("history", "status"):
            if VERBATIM[name] not in stdout_text(run.ok(command, "PER", target)):
                wrong.append((name, command))
    assert not wrong, f"not shown verbatim: {wrong}"


class HtmlScan(HTMLParser):
    """Every element, event-handler attribute and text node of an HTML document."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.texts: list[str] = []
        self.links: list[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        self.links += [value or "" for name, value in attrs if name in ("href", "src")]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def report(run: Cli, fmt: str, tmp_path: Path) -> dict[str, str]:
    """The report over everything, as printed on stdout and as written by --output."""
    args = ["report", "--format", fmt, "--from", "2000-01-01"]
    printed = stdout_text(run.ok(*args))
    path = tmp_path / f"report.{fmt}"
    run.ok(*args, "--output", str(path))
    return {"stdout": printed, "--output": path.read_bytes().decode("utf-8")}


def test_html_report_escapes_hostile_text(
    run: Cli, hostile: dict[str, tuple[int, str]], tmp_path: Path
) -> None:
    problems = []
    for where, document in report(run, "html", tmp_path).items():
        assert "<script" not in document.lower(), where
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document, where
        scan = HtmlScan(document)
        assert "script" not in scan.tags and "img" not in scan.tags, (where, set(scan.tags))
        assert not scan.handlers, (where, scan.handlers)
        # What a browser shows (the text, entities decoded) is the value, exactly.
        problems += [(where, n) for n in hostile if not any(VERBATIM[n] in t for t in scan.texts)]
    assert not problems, f"not shown verbatim: {problems}"


def in_order(needles: list[str], haystack: str) -> bool:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        if found < 0:
            return False
        position = found + len(needle)
    return True


def test_markdown_report_keeps_hostile_text(
    run: Cli, hostile: dict[str, tuple[int, str]], tmp_path: Path
) -> None:
    """Read by a CommonMark parser that lets raw HTML through (the worst case), the
    Markdown report makes no element, handler or link of the text, and shows every
    value (table cells are one line, so line breaks may become spaces). The escaping is
    backslashes, never HTML entities, which a terminal or a plain-text mail shows as is."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    allowed = {"h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "strong", "ul",
               "li", "a", "code"}  # fmt: skip
    problems = []
    for where, document in report(run, "markdown", tmp_path).items():
        assert not re.search(r"(?<!\\)&(lt|gt|amp|quot|#\d+);", document), "an entity"
        scan = HtmlScan(parser.render(document))
        assert set(scan.tags) <= allowed, (where, set(scan.tags) - allowed)
        assert not scan.handlers, (where, scan.handlers)
        assert all(h.startswith(("http://", "https://")) for h in scan.links), scan.links
        shown = "".join(scan.texts)
        problems += [(where, n) for n in hostile if not in_order(VERBATIM[n].split(), shown)]
    assert not problems, f"corrupted: {problems}"


def test_csv_report_keeps_hostile_text(
    run: Cli, hostile: dict[str, tuple[int, str]], tmp_path: Path
) -> None:
    problems = []
    for where, document in report(run, "csv", tmp_path).items():
        rows = {r["event_id"]: r for r in csv.DictReader(io.StringIO(document, newline=""))}
        problems += [
            (where, n) for n, (event_id, _) in hostile.items()
            if (rows[str(event_id)]["summary"], rows[str(event_id)]["source"])
            != (VERBATIM[n], VERBATIM[n])
        ]  # fmt: skip
    assert not problems, f"corrupted: {problems}"


def test_json_report_keeps_hostile_text(
    run: Cli, hostile: dict[str, tuple[int, str]], tmp_path: Path
) -> None:
    problems = []
    for where, document in report(run, "json", tmp_path).items():
        parsed = json.loads(document)
        seen = [*parsed["recorded"], *(c["cause"] for c in parsed["changes"])]
        seen += [s["cause"] for s in parsed["standing"]]
        for name, (event_id, _) in hostile.items():
            copies = [e for e in seen if e["id"] == event_id]
            assert len(copies) == 3, (where, name)
            value = VERBATIM[name]
            expected = (value, value, external_id(name))
            problems += [
                (where, name) for e in copies
                if (e["summary"], e["source"], e["external_id"]) != expected
            ]  # fmt: skip
    assert not problems, f"corrupted: {problems}"


@pytest.mark.parametrize("name", ["sql", "quotes", "script", "controls", "rtl", "emoji", "ansi"])
def test_names_and_reasons_are_verbatim(run: Cli, name: str) -> None:
    """--by (who, in the audit trail) and --reason (why, on the retraction)."""
    value = VERBATIM[name]
    [made] = run.json("record", "statement", "PER", "CHL", "--on", "2024-01-01", "--by", value)
    run.ok("retract", str(made["id"]), "--reason", value, "--by", value)
    assert [w["by"] for w in run.json("log")] == [value, value]
    [entry] = run.json("history", "PER", "CHL")
    assert (entry["retracted"]["by"], entry["retracted"]["reason"]) == (value, value)


# --- 5. refused: NUL, too long --------------------------------------------------------------

RECORD = ("record", "statement", "PER", "MEX", "--on", "2024-01-01")


@pytest.mark.parametrize(
    "args",
    [
        (*RECORD, "--summary", "nul \x00 inside"),
        (*RECORD, "--source", "\x00"),
        (*RECORD, "--summary", "x" * 10_001),
        (*RECORD, "--source", "😀" * 10_001),
        (*RECORD, "--summary", "<script>" * 2000),
        (*RECORD, "--external-id", "e" * 501),
        (*RECORD, "--external-id", "nul\x00"),
        (*RECORD, "--by", "nul\x00"),
        ("correct", "1", "--summary", "nul \x00", "--reason", "r"),
        ("correct", "1", "--source", "s" * 10_001, "--reason", "r"),
        ("correct", "1", "--reason", "nul \x00"),
        ("retract", "1", "--reason", "nul \x00"),
        ("retract", "1", "--reason", "r" * 10_001),
    ],
    ids=[
        "summary-nul",
        "source-nul",
        "summary-10001",
        "source-10001-emoji",
        "summary-16000-script",
        "external-id-501",
        "external-id-nul",
        "by-nul",
        "correct-summary-nul",
        "correct-source-10001",
        "correct-reason-nul",
        "retract-reason-nul",
        "retract-reason-10001",
    ],
)
def test_unstorable_text_is_refused(run: Cli, args: tuple[str, ...]) -> None:
    run.ok("record", "ambassador_recalled", "PER", "MEX", "--on", "2022-12-15")
    run.refused(2, *args)


def test_exactly_10000_characters_are_accepted(run: Cli) -> None:
    value = "😀" * 10_000
    [made] = run.json(*RECORD, "--summary", value, "--source", value)
    [stored] = run.json("events")
    assert (stored["id"], stored["summary"], stored["source"]) == (made["id"], value, value)


BAD_TEXT_ROWS = {
    "csv-raw-nul": ("events.csv", "2024-01-03,statement,PER,CHL,nul \x00 raw,,\n"),
    "csv-long": ("events.csv", f"2024-01-03,statement,PER,CHL,{'x' * 10_001},,\n"),
    "csv-long-id": ("events.csv", f"2024-01-03,statement,PER,CHL,,,{'e' * 501}\n"),
    "jsonl-escaped-nul": ("events.jsonl", json.dumps(
        {"occurred_on": "2024-01-03", "event_type": "statement", "actor": "PER",
         "target": "CHL", "summary": "nul \x00 escaped"}) + "\n"),
    "jsonl-long": ("events.jsonl", json.dumps(
        {"occurred_on": "2024-01-03", "event_type": "statement", "actor": "PER",
         "target": "CHL", "source": "s" * 10_001}) + "\n"),
    "jsonl-lone-surrogate": ("events.jsonl", '{"occurred_on": "2024-01-03", "event_type": "visit",'
                             ' "actor": "PER", "target": "CHL", "summary": "\\udc80"}\n'),
}  # fmt: skip


def good_row(name: str) -> str:
    if name.endswith(".csv"):
        return ",".join(CSV_COLUMNS) + "\n2024-01-02,statement,PER,MEX,fine,,\n"
    return json.dumps({"occurred_on": "2024-01-02", "event_type": "statement", "actor": "PER",
                       "target": "MEX", "summary": "fine"}) + "\n"  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_TEXT_ROWS))
def test_unstorable_text_in_an_import_file(run: Cli, tmp_path: Path, case: str) -> None:
    name, bad = BAD_TEXT_ROWS[case]
    path = write_file(tmp_path, name, (good_row(name) + bad).encode("utf-8", "surrogatepass"))
    result = run.refused(2, "import", str(path))
    assert "line 3" in result.stderr or "line 2" in result.stderr
    rejects = tmp_path / "rejects.csv"
    summary = json.loads(run.ok("import", str(path), "--rejects", str(rejects), "--json").stdout)
    assert (summary["created"], summary["rejected"]) == (1, {"bad text": 1})
    assert [e["summary"] for e in run.json("events")] == ["fine"]


# --- 6. the crashes the fuzzers found, one by one --------------------------------------------

JSONL_GOOD = good_row("events.jsonl")


@pytest.mark.parametrize(
    "bad_line",
    [
        '{"a": ' + "[" * 3_000 + "]" * 3_000 + "}",
        "[" * 3_000,
        '{"occurred_on": "2024-01-03", "event_type": "visit", "actor": "PER", "target": "CHL", '
        '"summary": ' + "9" * 5000 + "}",
    ],
    ids=["deeply-nested", "deeply-nested-unclosed", "integer-of-5000-digits"],
)
def test_jsonl_rows_that_break_the_json_parser(run: Cli, tmp_path: Path, bad_line: str) -> None:
    """Malformed rows: refused (exit 2) without --rejects, quarantined with it."""
    path = write_file(tmp_path, "events.jsonl", (JSONL_GOOD + bad_line + "\n").encode())
    before = table_contents(run.url)
    assert_clean(result := run("import", str(path)), before, run.url)
    assert result.exit_code == 2 and "line 2" in result.stderr, result.stderr[-500:]
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(path), "--rejects", str(rejects), "--json")
    assert_clean(result, before, run.url)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["created"] == 1


def test_gdelt_mention_count_of_5000_digits(run: Cli, tmp_path: Path) -> None:
    fields = list(GDELT_ROW)
    fields[31] = "9" * 5000  # NumMentions: digits, past int()'s 4300-digit limit
    path = write_file(tmp_path, "events.CSV", ("\t".join(fields) + "\n").encode())
    for extra in ([], ["--min-mentions", "3"]):
        before = table_contents(run.url)
        result = run("import", str(path), "--format", "gdelt", *extra)
        assert_clean(result, before, run.url)


@pytest.mark.parametrize(
    "content",
    [b"a = " + b"[" * 3000 + b"]" * 3000 + b"\n", b"x = " + b"9" * 5000 + b"\n"],
    ids=["deeply-nested", "integer-of-5000-digits"],
)
@pytest.mark.parametrize("use", ["rules check", "--rules", "--crosswalk"])
def test_toml_files_that_break_the_toml_parser(
    run: Cli, tmp_path: Path, content: bytes, use: str
) -> None:
    """A rules or crosswalk file that is not valid: one message, exit 2 (README)."""
    path = write_file(tmp_path, "file.toml", content)
    args = {
        "rules check": ["rules", "check", str(path)],
        "--rules": ["--rules", str(path), "status", "PER", "MEX"],
        "--crosswalk": ["import", str(FEEDS / "gdelt1-events-sample.tsv"), "--crosswalk",
                        str(path)],
    }[use]  # fmt: skip
    before = table_contents(run.url)
    result = run(*args)
    assert_clean(result, before, run.url)
    assert result.exit_code == 2


def test_import_of_a_file_whose_name_is_not_utf8(run: Cli, tmp_path: Path) -> None:
    """On Linux a file name may hold any bytes; argv gives them as lone surrogates."""
    path = tmp_path / os.fsdecode(b"caf\xe9-events.jsonl")
    path.write_text(JSONL_GOOD, encoding="utf-8")
    before = table_contents(run.url)
    result = run("import", str(path))
    assert_clean(result, before, run.url)
    assert result.exit_code in (0, 2)


def _gzip_csv(rows: int) -> bytes:
    """Valid rows that do not compress away (each summary a different hash)."""
    body = ",".join(CSV_COLUMNS[:5]) + "\n"
    body += "".join(f"2024-01-02,statement,PER,MEX,{hashlib.sha256(b'%d' % i).hexdigest()}\n"
                    for i in range(rows))  # fmt: skip
    return gzip.compress(body.encode())


GZIP_CSV = _gzip_csv(3_000)


@pytest.mark.parametrize(
    ("content", "extra"),
    [
        (b"\x1f\x8b" + b"x" * 40, ["--format", "csv"]),  # not a gzip stream after all
        (GZIP_CSV[:-3_000], []),  # cut short mid-stream
        (GZIP_CSV[:-8] + b"\x00\x00\x00\x00" + GZIP_CSV[-4:], []),  # a wrong checksum
    ],
    ids=["bad-header", "truncated", "bad-crc"],
)
def test_a_corrupt_gzipped_csv_is_one_clear_error(
    run: Cli, tmp_path: Path, content: bytes, extra: list[str]
) -> None:
    """Corrupt archives are malformed input (exit 2) naming the file, also when the
    corruption is found mid-stream; the same files as .jsonl already are."""
    for name in ("events.jsonl.gz", "events.csv.gz"):  # the JSON Lines reader gets it right
        path = write_file(tmp_path, name, content)
        fmt = ["--format", "jsonl"] if extra and name.startswith("events.jsonl") else extra
        before = table_contents(run.url)
        result = run("import", str(path), *fmt)
        assert_clean(result, before, run.url)
        assert result.exit_code == 2 and name in result.stderr, (name, result.stderr[-300:])


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_rejects_quarantines_a_row_with_a_200000_character_summary(
    run: Cli, tmp_path: Path, fmt: str
) -> None:
    """README: with --rejects, malformed rows go to the file and the rest is imported; a
    summary over 10,000 characters is malformed (exit 2 without --rejects)."""
    row = {"occurred_on": "2024-01-03", "event_type": "statement", "actor": "PER",
           "target": "CHL", "summary": "x" * 200_000}  # fmt: skip
    if fmt == "csv":
        content = good_row("e.csv") + f"2024-01-03,statement,PER,CHL,{'x' * 200_000},,\n"
    else:
        content = good_row("e.jsonl") + json.dumps(row) + "\n"
    path = write_file(tmp_path, f"events.{fmt}", content.encode())
    run.refused(2, "import", str(path))
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(path), "--rejects", str(rejects), "--json")
    assert_clean(result, None, run.url)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 1


def test_rejects_file_escapes_undecodable_bytes_quoted_in_a_reason(
    run: Cli, tmp_path: Path
) -> None:
    """Found by test_fuzzed_import_files: a JSON Lines key holding a byte that is not
    UTF-8 is quoted in the reject's reason; writing it to --rejects raised
    UnicodeEncodeError (exit 1, nothing said). It is written escaped instead."""
    bad = b'{"occurred_on": "2024-01-02", "\xffevent_type": "statement", "actor": "PER"}\n'
    path = write_file(tmp_path, "events.jsonl", good_row("e.jsonl").encode() + bad)
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(path), "--rejects", str(rejects), "--json")
    assert_clean(result, None, run.url)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 1
    [_, row] = list(csv.reader(rejects.read_text(encoding="utf-8").splitlines()))
    assert row[0] == "2" and "\\udcffevent_type" in row[2], row


def test_report_to_an_unwritable_path_writes_nothing(run: Cli, tmp_path: Path) -> None:
    """The guarantee: a failed command writes nothing (not even a `failed` registration)."""
    run.ok("record", "statement", "PER", "MEX", "--on", "2024-01-01")
    run.refused(1, "report", "--output", str(tmp_path / "no-such-folder" / "r.md"))


@pytest.mark.parametrize(
    "args",
    [
        ("token", "revoke", "\udcff"),
        ("token", "add", "\udcff", "--role", "reader"),
        ("schedule", "remove", "\udcff"),
    ],
)
def test_a_name_the_store_cannot_hold_is_malformed_input(run: Cli, args: tuple[str, ...]) -> None:
    """Found by the fuzzer: a lone surrogate as a token or schedule name reached the
    database (a traceback)."""
    result = run.refused(2, *args)
    assert "name" in result.output and "Traceback" not in result.output
