"""Which grid an H3 cell belongs to, in memory (a district has a few thousand res-9 cells)."""

from __future__ import annotations

import h3

from backend.storage.postgres.pool import PgConn


class GridLookup:
    """Cell → grid org path, loaded from ``grid_cells``; reload after a boundary import."""

    def __init__(self, mapping: dict[int, str] | None = None) -> None:
        self._grid_of = mapping or {}

    @classmethod
    async def load(cls, conn: PgConn) -> GridLookup:
        """Read every cell's grid."""
        rows = await conn.fetch("SELECT cell, grid_path FROM grid_cells")
        return cls({r["cell"]: r["grid_path"] for r in rows})

    def __len__(self) -> int:
        return len(self._grid_of)

    def cells_at(self, res: int) -> set[str]:
        """The cells of resolution `res` (<= 9) covering every grid, and their neighbours."""
        parents = {h3.cell_to_parent(h3.int_to_str(cell), res) for cell in self._grid_of}
        return {n for cell in parents for n in h3.grid_disk(cell, 1)}

    def grid_at_cell(self, cell: str) -> str | None:
        """The grid of a cell's centre (any resolution up to 9)."""
        res = h3.get_resolution(cell)
        center = h3.cell_to_center_child(cell, 9) if res < 9 else h3.cell_to_parent(cell, 9)
        return self._grid_of.get(h3.str_to_int(center))

    def grid_at(self, lat: float, lon: float) -> str | None:
        """The grid containing the point, or None outside every grid."""
        return self._grid_of.get(h3.str_to_int(h3.latlng_to_cell(lat, lon, 9)))
