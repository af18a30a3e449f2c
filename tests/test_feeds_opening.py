"""Opening feed files: gzip and zip read like the plain file, bad archives and bad
bytes fail clearly, and the format is detected from the first line."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import pytest

from relations.domain.errors import InvalidInput
from relations.domain.rules import default_rules
from relations.feeds.crosswalk import Crosswalk, load_crosswalk
from relations.feeds.feed_rows import FeedRow, ReadResult, Reject
from relations.feeds.gdelt import read_gdelt
from relations.feeds.icews import read_icews
from relations.feeds.opening import MAX_LINE, detect_feed_format, open_text

DATA = Path(__file__).parent / "data" / "feeds"
GDELT1 = DATA / "gdelt1-events-sample.tsv"
GDELT2 = DATA / "gdelt2-events-sample.tsv"
ICEWS = DATA / "icews-events-2018-excerpt.tab"


@pytest.fixture(scope="module")
def crosswalk() -> Crosswalk:
    return load_crosswalk(None, default_rules())


def read(path: Path, crosswalk: Crosswalk) -> list[ReadResult]:
    fmt = detect_feed_format(path)
    with open_text(path) as lines:
        if fmt == "icews":
            return list(read_icews(lines, crosswalk))
        return list(read_gdelt(lines, crosswalk))


def consume(path: Path) -> int:
    with open_text(path) as lines:
        return sum(1 for _ in lines)


def gzipped(source: Path, folder: Path) -> Path:
    target = folder / (source.name + ".gz")
    with source.open("rb") as plain, gzip.open(target, "wb") as packed:
        shutil.copyfileobj(plain, packed)
    return target


def zipped(source: Path, folder: Path, *extra: str) -> Path:
    target = folder / (source.name + ".zip")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(source, source.name)
        for name in extra:
            archive.writestr(name, "x")
    return target


@pytest.mark.parametrize("source", [GDELT1, GDELT2, ICEWS], ids=lambda p: p.name)
def test_gzip_and_zip_read_like_the_plain_file(
    source: Path, tmp_path: Path, crosswalk: Crosswalk
) -> None:
    plain = read(source, crosswalk)
    assert any(isinstance(r, FeedRow) for r in plain)
    assert read(gzipped(source, tmp_path), crosswalk) == plain
    assert read(zipped(source, tmp_path), crosswalk) == plain


def test_compression_is_recognised_by_content_not_name(
    tmp_path: Path, crosswalk: Crosswalk
) -> None:
    misnamed = gzipped(GDELT2, tmp_path).rename(tmp_path / "export.CSV")
    assert read(misnamed, crosswalk) == read(GDELT2, crosswalk)


def test_macos_resource_forks_and_folders_are_not_members(tmp_path: Path) -> None:
    path = zipped(GDELT2, tmp_path, "__MACOSX/._gdelt2-events-sample.tsv", "folder/")
    assert consume(path) == 909


def test_zip_must_hold_exactly_one_file(tmp_path: Path) -> None:
    two = zipped(GDELT2, tmp_path, "notes.txt")
    with pytest.raises(InvalidInput) as caught:
        consume(two)
    assert str(caught.value) == (
        "gdelt2-events-sample.tsv.zip must hold exactly one file to import; "
        "it holds 2: gdelt2-events-sample.tsv, notes.txt"
    )
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    with pytest.raises(InvalidInput, match="holds none"):
        consume(empty)


def test_corrupt_and_missing_files(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.tsv.gz"
    truncated.write_bytes(gzipped(GDELT2, tmp_path).read_bytes()[:5000])
    with pytest.raises(InvalidInput, match=r"cannot read truncated\.tsv\.gz past line \d+"):
        consume(truncated)
    with pytest.raises(InvalidInput, match="cannot read"):
        consume(tmp_path / "missing.tsv")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InvalidInput, match=r"broken\.zip is not a readable zip file"):
        consume(broken)


def test_undecodable_bytes_reject_one_line_only(tmp_path: Path, crosswalk: Crosswalk) -> None:
    lines = GDELT2.read_bytes().split(b"\n")
    lines[9] += b"\xff\xfe"  # two Latin-1 bytes at the end of its SOURCEURL
    path = tmp_path / "latin1.tsv"
    path.write_bytes(b"\n".join(lines))
    results = read(path, crosswalk)
    plain = read(GDELT2, crosswalk)
    assert len(results) == len(plain) == 909
    assert isinstance(results[9], Reject)
    assert results[9].line == 10
    assert "not valid UTF-8" in results[9].reason
    assert results[:9] + results[10:] == plain[:9] + plain[10:]


def test_byte_order_mark_and_crlf_are_tolerated(tmp_path: Path, crosswalk: Crosswalk) -> None:
    text = ICEWS.read_text(encoding="utf-8")
    path = tmp_path / "windows.tab"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert read(path, crosswalk) == read(ICEWS, crosswalk)


def test_an_endless_line_stops_the_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.tsv"
    path.write_text("a" * (MAX_LINE + 10), encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 1 is over 1,048,576 characters"):
        consume(path)


@pytest.mark.parametrize(
    ("source", "fmt"), [(GDELT1, "gdelt"), (GDELT2, "gdelt"), (ICEWS, "icews")], ids=str
)
def test_detects_the_format(source: Path, fmt: str, tmp_path: Path) -> None:
    assert detect_feed_format(source) == fmt
    assert detect_feed_format(gzipped(source, tmp_path)) == fmt
    assert detect_feed_format(zipped(source, tmp_path)) == fmt


def test_backfile_rows_are_detected_as_gdelt(tmp_path: Path) -> None:
    backfile = [line for line in GDELT1.read_text().splitlines() if line.count("\t") == 56]
    path = tmp_path / "1982.csv"
    path.write_text("\n".join(backfile[:3]) + "\n")
    assert detect_feed_format(path) == "gdelt"


@pytest.mark.parametrize(
    "first_line",
    [
        "",
        "occurred_on,event_type,actor,target\n",
        "Event ID,Event Date,Source Name\n",  # comma-separated: not the ICEWS .tab
        "\t".join(["1", "2016-07-28"] + ["x"] * 56) + "\n",  # 58 fields, date not YYYYMMDD
        "\t".join(["1", "20160728"] + ["x"] * 10) + "\n",  # date, but 12 fields
    ],
)
def test_unsure_detection_is_none(first_line: str, tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    path.write_text(first_line)
    assert detect_feed_format(path) is None
