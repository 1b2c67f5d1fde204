"""A deterministic synthetic Pingshan district: streets, communities, grids and addresses.

The jurisdiction tree is made of H3 cells at resolution 9: every cell of the district belongs to
exactly one grid, grids tile their community, communities their street. Boundaries are derived
from the cells, so importing them (``pingan import boundaries``) polyfills back to the same cells.

Nothing here touches the database: the generator writes files (GeoJSON, CSV) that the backend's
importers load, exactly as a city's own data would arrive.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h3
import msgspec

DISTRICT_CODE = "440310"
DISTRICT_NAME = ("坪山区", "Pingshan District")
# The real district's bounding box (WGS-84).
BBOX = (22.64, 114.28, 22.78, 114.45)  # south, west, north, east
CELL_RES = 9

# The six real streets, each with an approximate centre inside the box and its communities.
STREETS: tuple[tuple[str, str, float, float, tuple[tuple[str, str], ...]], ...] = (
    (
        "坪山",
        "Pingshan",
        22.705,
        114.345,
        (
            ("六和", "Liuhe"),
            ("六联", "Liulian"),
            ("坪山", "Pingshan"),
            ("和平", "Heping"),
        ),
    ),
    (
        "马峦",
        "Maluan",
        22.665,
        114.350,
        (
            ("马峦", "Maluan"),
            ("坪环", "Pinghuan"),
            ("江岭", "Jiangling"),
            ("沙坣", "Shatan"),
        ),
    ),
    (
        "碧岭",
        "Biling",
        22.670,
        114.300,
        (
            ("碧岭", "Biling"),
            ("汤坑", "Tangkeng"),
            ("沙湖", "Shahu"),
        ),
    ),
    (
        "石井",
        "Shijing",
        22.690,
        114.410,
        (
            ("石井", "Shijing"),
            ("田头", "Tiantou"),
            ("金龟", "Jingui"),
            ("田心", "Tianxin"),
        ),
    ),
    (
        "坑梓",
        "Kengzi",
        22.755,
        114.395,
        (
            ("坑梓", "Kengzi"),
            ("秀新", "Xiuxin"),
            ("沙田", "Shatian"),
            ("金沙", "Jinsha"),
        ),
    ),
    (
        "龙田",
        "Longtian",
        22.745,
        114.330,
        (
            ("龙田", "Longtian"),
            ("老坑", "Laokeng"),
            ("竹坑", "Zhukeng"),
            ("南布", "Nanbu"),
        ),
    ),
)
ROADS = (
    "深汕路",
    "坪山大道",
    "东纵路",
    "金牛路",
    "锦绣路",
    "龙勤路",
    "丹梓大道",
    "兰景路",
    "翠景路",
    "新和路",
    "行政一路",
    "比亚迪路",
    "坑梓路",
    "聚龙路",
    "青松路",
    "汤坑路",
)


@dataclass
class OrgUnit:
    """One node of the generated jurisdiction tree."""

    path: str
    level: str
    name_zh: str
    name_en: str
    parent_path: str | None
    cells: list[str] = field(default_factory=list)

    def feature(self) -> dict[str, Any]:
        """This unit as a GeoJSON feature with a boundary derived from its cells."""
        props = {
            "path": self.path,
            "level": self.level,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "parent_path": self.parent_path,
        }
        return {"type": "Feature", "properties": props, "geometry": h3.cells_to_geo(self.cells)}


@dataclass
class Geography:
    """The generated tree: units by path and the grid of each cell."""

    units: dict[str, OrgUnit]
    grid_of_cell: dict[str, str]
    # Dense places (old villages, industrial parks) as (lat, lon, weight, spread_m, kind).
    hotspots: list[tuple[float, float, float, float, str]]

    def feature_collection(self) -> dict[str, Any]:
        """Every unit as GeoJSON, parents before children."""
        order = {"district": 0, "street": 1, "community": 2, "grid": 3}
        units = sorted(self.units.values(), key=lambda u: (order[u.level], u.path))
        return {"type": "FeatureCollection", "features": [u.feature() for u in units]}


def _in_district(point: tuple[float, float], rng_phase: float) -> bool:
    # A lobed ellipse inside the box, so the district is not a rectangle (the real one is ~166 km²).
    lat, lon = point
    s, w, n, e = BBOX
    cy, cx = (s + n) / 2, (w + e) / 2
    dy, dx = (lat - cy) / ((n - s) / 2), (lon - cx) / ((e - w) / 2)
    angle = math.atan2(dy, dx)
    radius = 0.86 + 0.12 * math.sin(3 * angle + rng_phase) + 0.06 * math.cos(5 * angle)
    return dx * dx + dy * dy <= radius * radius


def _nearest(lat: float, lon: float, seeds: Sequence[tuple[float, float]]) -> int:
    coslat = math.cos(math.radians(lat))
    best, best_d = 0, math.inf
    for i, (slat, slon) in enumerate(seeds):
        d = (lat - slat) ** 2 + ((lon - slon) * coslat) ** 2
        if d < best_d:
            best, best_d = i, d
    return best


def _partition(cells: list[str], seeds: list[tuple[float, float]]) -> list[list[str]]:
    parts: list[list[str]] = [[] for _ in seeds]
    for cell in cells:
        lat, lon = h3.cell_to_latlng(cell)
        parts[_nearest(lat, lon, seeds)].append(cell)
    return parts


def _random_seeds(rng: random.Random, cells: list[str], count: int) -> list[tuple[float, float]]:
    picks = rng.sample(cells, min(count, len(cells)))
    return [h3.cell_to_latlng(c) for c in picks]


def generate_geography(seed: int = 2026, cells_per_grid: int = 6) -> Geography:
    """Build the district, its six streets, 23 communities and grids of about ``cells_per_grid``."""
    rng = random.Random(seed)
    phase = rng.uniform(0, math.tau)
    s, w, n, e = BBOX
    box = h3.LatLngPoly([(s, w), (s, e), (n, e), (n, w)])
    cells = sorted(
        c for c in h3.polygon_to_cells(box, CELL_RES) if _in_district(h3.cell_to_latlng(c), phase)
    )
    units: dict[str, OrgUnit] = {}
    district = OrgUnit(DISTRICT_CODE, "district", *DISTRICT_NAME, None, cells)
    units[district.path] = district
    grid_of_cell: dict[str, str] = {}
    street_seeds = [(lat, lon) for _, _, lat, lon, _ in STREETS]
    for si, (street_cells, street) in enumerate(
        zip(_partition(cells, street_seeds), STREETS, strict=True), 1
    ):
        zh, en, _, _, communities = street
        spath = f"{DISTRICT_CODE}.{si:02d}"
        units[spath] = OrgUnit(
            spath, "street", f"{zh}街道", f"{en} Subdistrict", DISTRICT_CODE, street_cells
        )
        community_seeds = _random_seeds(rng, street_cells, len(communities))
        for ci, (ccells, (czh, cen)) in enumerate(
            zip(_partition(street_cells, community_seeds), communities, strict=True), 1
        ):
            cpath = f"{spath}.{ci:02d}"
            units[cpath] = OrgUnit(
                cpath, "community", f"{czh}社区", f"{cen} Community", spath, ccells
            )
            grid_count = max(1, round(len(ccells) / cells_per_grid))
            grid_parts = [
                p for p in _partition(ccells, _random_seeds(rng, ccells, grid_count)) if p
            ]
            for gi, gcells in enumerate(grid_parts, 1):
                gpath = f"{cpath}.{gi:02d}"
                units[gpath] = OrgUnit(
                    gpath, "grid", f"{czh}第{gi}网格", f"{cen} Grid {gi}", cpath, gcells
                )
                grid_of_cell.update(dict.fromkeys(gcells, gpath))
    return Geography(units, grid_of_cell, _hotspots(rng, units))


def _hotspots(
    rng: random.Random, units: dict[str, OrgUnit]
) -> list[tuple[float, float, float, float, str]]:
    spots: list[tuple[float, float, float, float, str]] = []
    for unit in units.values():
        if unit.level != "community":
            continue
        for _ in range(rng.randint(2, 4)):  # old villages (城中村): dense, tight
            lat, lon = h3.cell_to_latlng(rng.choice(unit.cells))
            spots.append((lat, lon, rng.uniform(2.0, 4.0), rng.uniform(120, 260), "village"))
        if rng.random() < 0.6:  # an industrial park: large, fewer residents per m²
            lat, lon = h3.cell_to_latlng(rng.choice(unit.cells))
            spots.append((lat, lon, rng.uniform(0.8, 1.6), rng.uniform(300, 600), "industrial"))
    return spots


class AddressRow(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    """One unified address as written to the CSV the address importer reads."""

    id: str
    text: str
    lat: float
    lon: float
    building_id: str


ADDRESS_COLUMNS = ("id", "text", "lat", "lon", "building_id")


def generate_addresses(geo: Geography, count: int, seed: int = 2026) -> Iterator[AddressRow]:
    """``count`` unified addresses, clustered around villages and parks, ~13.6 per building."""
    rng = random.Random(seed + 1)
    weights = [spot[2] for spot in geo.hotspots]
    produced = 0
    building_no = 0
    district = geo.units[DISTRICT_CODE]
    while produced < count:
        if rng.random() < 0.06:  # sparse hills and roadside buildings
            lat, lon = _jitter(rng, h3.cell_to_latlng(rng.choice(district.cells)), 60)
        else:
            slat, slon, _, spread, _ = rng.choices(geo.hotspots, weights)[0]
            lat, lon = _jitter(rng, (slat, slon), spread)
        grid = geo.grid_of_cell.get(h3.latlng_to_cell(lat, lon, CELL_RES))
        if grid is None:
            continue  # fell outside the district: draw again
        building_no += 1
        community = geo.units[geo.units[grid].parent_path or ""]
        street = geo.units[community.parent_path or ""]
        road = ROADS[building_no % len(ROADS)]
        base = (
            f"深圳市坪山区{street.name_zh}{community.name_zh}{road}"
            f"{rng.randint(1, 399)}号{rng.randint(1, 30)}栋"
        )
        bid = f"B{DISTRICT_CODE}{building_no:07d}"
        rooms = max(1, min(count - produced, int(rng.expovariate(1 / 13.6)) + 1))
        yield AddressRow(
            id=f"{bid}-000", text=base, lat=round(lat, 6), lon=round(lon, 6), building_id=bid
        )
        produced += 1
        for room in range(1, rooms):
            if produced >= count:
                break
            floor, unit_no = divmod(room - 1, 6)
            yield AddressRow(
                id=f"{bid}-{room:03d}",
                text=f"{base}{floor + 1}{unit_no + 1:02d}房",
                lat=round(lat, 6),
                lon=round(lon, 6),
                building_id=bid,
            )
            produced += 1


def _jitter(rng: random.Random, point: tuple[float, float], spread_m: float) -> tuple[float, float]:
    lat, lon = point
    dlat = rng.gauss(0, spread_m) / 111_320
    dlon = rng.gauss(0, spread_m) / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def write_geography(folder: Path, *, addresses: int, seed: int = 2026) -> tuple[Path, Path]:
    """Write ``boundaries.geojson`` and ``addresses.csv`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    geo = generate_geography(seed)
    boundaries = folder / "boundaries.geojson"
    boundaries.write_bytes(msgspec.json.encode(geo.feature_collection()))
    address_file = folder / "addresses.csv"
    with address_file.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(ADDRESS_COLUMNS)
        for row in generate_addresses(geo, addresses, seed):
            writer.writerow((row.id, row.text, row.lat, row.lon, row.building_id))
    return boundaries, address_file
