"""The report's world map and matrix: boundaries decoded and projected correctly, every
country identified, colours by stage."""

from __future__ import annotations

import itertools
import math
import re
from datetime import UTC, date, datetime

from relations.domain.events import Event, Pair
from relations.domain.machine import default_machine
from relations.reports.assemble import build_report
from relations.reports.colours import FOCAL, STAGES
from relations.reports.matrix import matrix
from relations.reports.period import Period
from relations.reports.world_map import WIDTH, equal_earth, shapes, size, world_map

PERIOD = Period(datetime(2025, 11, 1, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC))
RECORDED = datetime(2025, 11, 20, tzinfo=UTC)


def event(number: int, kind: str, actor: str, target: str) -> Event:
    return Event(number, kind, actor, target, date(2025, 11, 3), "", "", None, RECORDED)


def test_every_country_of_the_boundaries_is_identified() -> None:
    found = {shape.code: shape.name for shape in shapes()}
    assert len(shapes()) == 176, "Natural Earth's 177 at 1:110m, without Antarctica"
    assert {"PER", "MEX", "RUS", "FJI", "USA", "XKX", "PSE", "TWN"} <= set(found)
    assert found["RUS"] == "Russia" and found["XKX"] == "Kosovo"
    assert [s.name for s in shapes() if s.code is None] == ["N. Cyprus", "Somaliland"]
    assert all(shape.path for shape in shapes())


def test_no_outline_crosses_the_map_at_the_antimeridian() -> None:
    """Chukotka and Fiji straddle the 180th meridian: drawn naively, an edge would
    run across the whole map."""
    width, height = size()
    assert width == WIDTH and 0.4 < height / width < 0.5
    for shape in shapes():
        for ring in shape.path.strip("Z").split("ZM"):
            points = [tuple(map(float, p.split(","))) for p in re.split("[ML]", ring) if p]
            jumps = [abs(b[0] - a[0]) for a, b in itertools.pairwise(points)]
            assert max(jumps, default=0) < width / 4, shape.name
            assert all(0 <= x <= width + 0.1 and 0 <= y <= height + 0.1 for x, y in points)


def test_the_equal_earth_projection() -> None:
    assert equal_earth(0, 0) == (0, 0)
    east, north = equal_earth(180, 0)
    assert math.isclose(east, 2.7066, abs_tol=1e-4), "the published extent"
    assert equal_earth(-180, 0)[0] == -east and north == 0
    assert math.isclose(equal_earth(0, 90)[1], 1.3173, abs_tol=1e-4)


def test_the_map_colours_each_country_by_its_relation_with_the_focal_one() -> None:
    logs = [
        (Pair("MEX", "PER"), [event(1, "relations_severed", "PER", "MEX")]),
        (Pair("CHL", "PER"), [event(2, "ambassador_recalled", "PER", "CHL")]),
        (Pair("MLT", "PER"), [event(3, "ambassador_recalled", "PER", "MLT")]),
    ]
    report = build_report(default_machine(), logs, PERIOD, RECORDED, countries=("PER",))
    drawn = world_map(report)
    assert drawn is not None
    by_code = {d.shape.code: d for d in drawn.countries}
    assert (by_code["PER"].kind, by_code["PER"].fill) == ("focal", FOCAL)
    assert (by_code["MEX"].stage, by_code["MEX"].fill) == ("broken", STAGES["broken"])
    assert by_code["CHL"].stage == "ambassador_withdrawn"
    assert by_code["BRA"].stage == "normal", "a country without events is in the initial place"
    assert by_code["MEX"].label == "Mexico: severed (broken)"
    assert drawn.too_small == ["Malta"], "not on a 1:110m map, so named under it"
    labels = [label for label, _ in drawn.legend]
    assert labels[:3] == ["normal", "strained (ambassador withdrawn)", "severed (broken)"]
    assert world_map(build_report(default_machine(), logs, PERIOD, RECORDED)) is None


def test_the_matrix_holds_the_countries_with_the_most_troubled_pairs() -> None:
    logs = [(Pair.of("VEN", code), [event(n, "relations_severed", "VEN", code)])
            for n, code in enumerate(["ARG", "CHL", "PER", "URY", "PAN"])]  # fmt: skip
    logs.append((Pair("BOL", "CHL"), [event(9, "ambassador_recalled", "BOL", "CHL")]))
    report = build_report(default_machine(), logs, PERIOD, RECORDED)
    drawn = matrix(report, limit=4)
    assert drawn is not None
    assert [code for code, _ in drawn.countries] == ["ARG", "BOL", "CHL", "VEN"], (
        "Venezuela (5 pairs) and Chile (2), then Argentina and Bolivia by name (one each)"
    )
    assert drawn.left_out == 3
    chile = drawn.rows[2]
    assert [cell.stage for cell in chile] == ["normal", "ambassador_withdrawn", None, "broken"]
    assert chile[3].fill == STAGES["broken"]
    assert matrix(build_report(default_machine(), logs, PERIOD, RECORDED, ("VEN",))) is None
