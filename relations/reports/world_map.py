"""The HTML report's world map: every country coloured by its relation with the report's
one country, at the period's end.

The boundaries are Natural Earth's, from the world-atlas package's TopoJSON (see
relations/data/world-atlas/README.md). Decoding TopoJSON is the short algorithm of its
specification and the Equal Earth projection is four polynomial terms, so both are done
here, once per process, rather than by a geometry stack (shapely, PROJ) for one
picture. The map is inline SVG: the report fetches nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from relations.domain.countries import KOSOVO, name_of
from relations.domain.events import Pair
from relations.reports import present
from relations.reports.colours import FOCAL, UNTRACKED, legend, stage_colour
from relations.reports.model import Report, initial_place

WIDTH = 960
ANTARCTICA = "010"  # left out: a third of the height for no relation
BOUNDARIES = resources.files("relations") / "data" / "world-atlas" / "countries-110m.json"


@dataclass(frozen=True, slots=True)
class Shape:
    code: str | None  # ISO alpha-3 (XKX for Kosovo); None: no country of the model
    name: str
    path: str  # SVG path data, projected and scaled to the map


@dataclass(frozen=True, slots=True)
class Drawn:
    shape: Shape
    fill: str
    kind: str  # focal, partner or untracked
    stage: str | None
    label: str  # the tooltip: the country and its relation


@dataclass(frozen=True, slots=True)
class WorldMap:
    width: int
    height: int
    focal: str  # the country's name
    countries: list[Drawn]
    legend: list[tuple[str, str]]  # (label, colour)
    too_small: list[str]  # partners out of the initial place that are too small to draw


def world_map(report: Report) -> WorldMap | None:
    """The map of a report about one country (None for any other report)."""
    if len(report.countries) != 1:
        return None
    focal = report.countries[0]
    rules = report.rules
    initial = initial_place(rules)
    ends = report.facts.ends
    drawn = []
    stages: set[str] = set()
    for shape in shapes():
        if shape.code is None:
            drawn.append(Drawn(shape, UNTRACKED, "untracked", None,
                               f"{shape.name}: not a country of the model"))  # fmt: skip
        elif shape.code == focal:
            drawn.append(Drawn(shape, FOCAL, "focal", None, f"{shape.name}: the report's country"))
        else:
            place = ends.get(Pair.of(focal, shape.code), initial)
            stages.add(place.stage)
            drawn.append(Drawn(shape, stage_colour(rules, place.stage), "partner", place.stage,
                               f"{shape.name}: {present.place(rules, place)}"))  # fmt: skip
    on_map = {shape.code for shape in shapes()}
    partners = {pair.other(focal): place for pair, place in ends.items() if focal in pair}
    too_small = sorted(
        name_of(code) for code, place in partners.items() if place != initial and code not in on_map
    )
    keys = legend(rules, stages)
    keys.append((f"{name_of(focal)} (the report's country)", FOCAL))
    if any(d.kind == "untracked" for d in drawn):
        keys.append(("not a country of the model", UNTRACKED))
    width, height = size()
    return WorldMap(width, height, name_of(focal), drawn, keys, too_small)


@cache
def size() -> tuple[int, int]:
    return WIDTH, _projected()[1]


@cache
def shapes() -> tuple[Shape, ...]:
    return _projected()[0]


@cache
def _projected() -> tuple[tuple[Shape, ...], int]:
    topology = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == ANTARCTICA:
            continue
        rings = [
            [equal_earth(lon, lat) for lon, lat in part]
            for polygon in polygons(geometry)
            for ring in polygon
            for part in split_at_antimeridian(ring_points(ring, arcs))
        ]
        countries.append((geometry, rings))
    xs = [x for _, rings in countries for ring in rings for x, _ in ring]
    ys = [y for _, rings in countries for ring in rings for _, y in ring]
    left, top = min(xs), max(ys)
    scale = WIDTH / (max(xs) - left)
    height = math.ceil((top - min(ys)) * scale)
    found = []
    for geometry, rings in countries:
        path = "".join(
            _ring_path([((x - left) * scale, (top - y) * scale) for x, y in ring]) for ring in rings
        )
        code, name = _identify(geometry)
        found.append(Shape(code, name, path))
    return tuple(found), height


def _identify(geometry: dict[str, Any]) -> tuple[str | None, str]:
    name = str(geometry.get("properties", {}).get("name", ""))
    numeric = geometry.get("id")
    if numeric is None:
        if name == KOSOVO[2]:
            return KOSOVO[1], name_of(KOSOVO[1])
        return None, name  # Northern Cyprus, Somaliland
    import pycountry

    country = pycountry.countries.get(numeric=str(numeric))
    if country is None:
        return None, name
    return country.alpha_3, name_of(country.alpha_3)


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The arcs in degrees: quantized positions are delta-encoded from the arc's first
    (TopoJSON specification, 2.1.3 and 2.2)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


Point = tuple[float, float]


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    """A ring's positions: its arcs in order, a negative index ``~i`` being arc ``i``
    reversed, each arc's first position dropped after the first arc (it repeats the
    previous arc's last)."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def split_at_antimeridian(ring: list[Point]) -> list[list[Point]]:
    """A ring that crosses the 180th meridian (Chukotka, Fiji) as its parts on either
    side. Its longitudes are made continuous, then each side is clamped to [-180, 180]:
    clamping to a half-plane clips a polygon exactly, leaving only zero-area slivers on
    the edge, which the projection keeps on the map's border."""
    if not ring:
        return []
    continuous = [ring[0]]
    for lon, lat in ring[1:]:
        previous = continuous[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        continuous.append((lon, lat))
    low = min(lon for lon, _ in continuous)
    high = max(lon for lon, _ in continuous)
    shifts = [0.0] + ([-360.0] if high > 180 else []) + ([360.0] if low < -180 else [])
    return [
        [(min(max(lon + shift, -180.0), 180.0), lat) for lon, lat in continuous] for shift in shifts
    ]


# Equal Earth (Šavrič, Patterson and Jenny, 2018): equal-area, and the shapes of the
# continents stay familiar.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(longitude: float, latitude: float) -> tuple[float, float]:
    theta = math.asin(M * math.sin(math.radians(latitude)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        math.radians(longitude)
        * math.cos(theta)
        / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    )
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def _ring_path(points: list[tuple[float, float]]) -> str:
    parts: list[str] = []
    last = None
    for x, y in points:
        here = f"{x:.1f},{y:.1f}"
        if here != last:
            parts.append(here)
            last = here
    if len(parts) < 3:
        return ""
    return "M" + "L".join(parts) + "Z"
