"""Open a feed file as a stream of text lines, whatever its compression.

GDELT publishes ``.CSV.zip`` files, ICEWS ``.tab`` files, and people gzip both. The
compression is recognised from the file's first bytes, not its name: gzip is
decompressed on the fly and a zip's single member is read in place, so memory stays
bounded whatever the file size (nothing is extracted to disk or read whole).

Text is UTF-8 (a byte-order mark is dropped). Bytes that are not UTF-8 are decoded
with ``surrogateescape`` rather than failing: the line that holds them becomes a
Reject in the reader (see ``fields.is_clean_text``) and the rest of the file still
imports. A line longer than ``MAX_LINE`` characters means this is not an event file
and stops the read, so that one endless line cannot exhaust memory either.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from relations.domain.errors import InvalidInput
from relations.feeds import gdelt, icews
from relations.feeds.fields import is_count

FEED_FORMATS = (gdelt.FEED, icews.FEED)
MAX_LINE = 1 << 20  # characters; real GDELT/ICEWS lines are under 5,000

_GZIP = b"\x1f\x8b"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
_IGNORED_MEMBERS = ("__MACOSX/",)  # resource forks added by macOS's Archive Utility


@dataclass(frozen=True, slots=True)
class Stream:
    """A file's lines, and how far into the file (in its bytes on disk) reading is."""

    lines: Iterator[str]
    position: Callable[[], int]
    size: int
    text: io.TextIOWrapper  # the same lines, unchecked (for csv.reader, which has its own limit)


@contextmanager
def open_text(path: Path) -> Iterator[Iterator[str]]:
    """Yield the file's lines (with their line ends); close everything on exit.

    Unreadable files, corrupt archives and zips without exactly one member raise
    InvalidInput naming the file, also when the corruption is found mid-stream.
    """
    with open_stream(path) as stream:
        yield stream.lines


@contextmanager
def open_stream(path: Path) -> Iterator[Stream]:
    """Like ``open_text``, with the position in the file on disk, for a progress bar."""
    with ExitStack() as stack:
        try:
            raw = stack.enter_context(path.open("rb"))
            magic = raw.read(4)
            raw.seek(0)
            binary: IO[bytes] = raw
            if magic[:2] == _GZIP:
                unzipped = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
                binary = cast(IO[bytes], unzipped)
            elif magic in _ZIP:
                binary = stack.enter_context(_zip_member(path, raw))
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
        text = stack.enter_context(
            io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="\n")
        )
        yield Stream(_lines(text, path), raw.tell, path.stat().st_size, text)


def detect_feed_format(path: Path) -> str | None:
    """``"icews"`` or ``"gdelt"`` from the first line, or None when unsure.

    ICEWS: the line starts with its header (``Event ID<TAB>Event Date``). GDELT: 57, 58
    or 61 tab-separated fields whose second (SQLDATE) is 8 digits. Anything else, an
    empty file included, is None: the caller asks for ``--format``.
    """
    with open_text(path) as lines:
        first = next(lines, "").rstrip("\r\n")
    if first.startswith(icews.HEADER_START):
        return icews.FEED
    fields = first.split("\t")
    if len(fields) in gdelt.WIDTHS and len(fields[1]) == 8 and is_count(fields[1]):
        return gdelt.FEED
    return None


@contextmanager
def _zip_member(path: Path, raw: IO[bytes]) -> Iterator[IO[bytes]]:
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"{path.name} is not a readable zip file ({exc})") from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith(_IGNORED_MEMBERS)
        ]
        if len(members) != 1:
            names = ", ".join(info.filename for info in members[:10])
            more = f" and {len(members) - 10} more" if len(members) > 10 else ""
            found = f"{len(members)}: {names}{more}" if members else "none"
            raise InvalidInput(
                f"{path.name} must hold exactly one file to import; it holds {found}"
            )
        try:
            member = archive.open(members[0])
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile) as exc:
            # RuntimeError: encrypted; NotImplementedError: unsupported compression
            raise InvalidInput(f"cannot read {members[0].filename} in {path.name}: {exc}") from None
        with member:
            yield member


def _lines(text: io.TextIOWrapper, path: Path) -> Iterator[str]:
    number = 0
    try:
        while line := text.readline(MAX_LINE):
            number += 1
            if len(line) == MAX_LINE and not line.endswith("\n"):
                raise InvalidInput(
                    f"{path.name}: line {number} is over {MAX_LINE:,} characters long; "
                    "this is not a GDELT or ICEWS event file"
                )
            yield line
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise InvalidInput(f"cannot read {path.name} past line {number}: {exc}") from None
