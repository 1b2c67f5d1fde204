"""The synthetic Pingshan: deterministic, nested, every cell in exactly one grid."""

from __future__ import annotations

from collections import Counter

import h3
import msgspec

from backend.imports.boundaries import assign_cells, parse_boundaries
from simulators.geography import BBOX, generate_addresses, generate_geography


def test_tree_has_the_real_streets_and_plausible_counts() -> None:
    geo = generate_geography(seed=7)
    levels = Counter(u.level for u in geo.units.values())
    assert levels["district"] == 1 and levels["street"] == 6
    assert 20 <= levels["community"] <= 25
    assert levels["grid"] > levels["community"]
    streets = sorted(u.name_zh for u in geo.units.values() if u.level == "street")
    assert streets == sorted(
        ["坪山街道", "马峦街道", "碧岭街道", "石井街道", "坑梓街道", "龙田街道"]
    )


def test_every_cell_belongs_to_exactly_one_grid_and_nests() -> None:
    geo = generate_geography(seed=7)
    grids = [u for u in geo.units.values() if u.level == "grid"]
    all_cells = [c for g in grids for c in g.cells]
    assert len(all_cells) == len(set(all_cells)) == len(geo.units["440310"].cells)
    for grid in grids:
        community = geo.units[grid.parent_path or ""]
        assert set(grid.cells) <= set(community.cells)
        assert grid.path.startswith(community.path + ".")


def test_generation_is_deterministic_per_seed() -> None:
    a, b, c = generate_geography(seed=3), generate_geography(seed=3), generate_geography(seed=4)
    assert a.grid_of_cell == b.grid_of_cell
    assert a.grid_of_cell != c.grid_of_cell
    rows_a = list(generate_addresses(a, 500, seed=3))
    assert rows_a == list(generate_addresses(b, 500, seed=3))


def test_boundaries_polyfill_back_to_the_same_cells() -> None:
    geo = generate_geography(seed=11)
    features = parse_boundaries(msgspec.json.encode(geo.feature_collection()))
    owner, contested = assign_cells(features)
    expected = {h3.str_to_int(cell): grid for cell, grid in geo.grid_of_cell.items()}
    assert contested == 0
    assert owner == expected


def test_addresses_fall_inside_the_district_and_cluster_in_buildings() -> None:
    geo = generate_geography(seed=5)
    rows = list(generate_addresses(geo, 3000, seed=5))
    assert len(rows) == 3000 and len({r.id for r in rows}) == 3000
    south, west, north, east = BBOX
    for row in rows:
        assert south <= row.lat <= north and west <= row.lon <= east
        assert h3.latlng_to_cell(row.lat, row.lon, 9) in geo.grid_of_cell
    per_building = Counter(r.building_id for r in rows)
    assert 5 < len(rows) / len(per_building) < 30  # ~13.6 houses per building, as in the seed
