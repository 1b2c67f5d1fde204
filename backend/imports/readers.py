"""Row sources for imports: CSV, JSON Lines and GeoJSON, streamed, each row with its line.

A CSV row is a dict of strings (the header names the fields); a JSON Lines row is the raw bytes
of its line (decoded straight into the row's Struct, so JSON types are checked strictly); a
GeoJSON feature is its properties plus ``lat``/``lon`` from a Point geometry, numbered by its
position in the collection (feature 1, 2, …). Bytes that are not UTF-8 survive reading (as
surrogate escapes in CSV) so that the engine can reject that one row and load the rest.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

Raw = dict[str, Any] | bytes


class ImportFileError(ValueError):
    """The file as a whole is unusable (unknown format, missing column, not a collection)."""


def read_csv(path: Path, required: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) from a UTF-8 CSV with a header; raises on a missing column."""
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, row


def read_jsonl(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield (line, bytes) for each non-blank line of a JSON Lines file."""
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                yield number, line


class _Geometry(msgspec.Struct):
    type: str
    coordinates: Any = None


class _Feature(msgspec.Struct):
    properties: dict[str, Any] | None = None
    geometry: _Geometry | None = None


class _Collection(msgspec.Struct):
    features: list[_Feature]


def read_geojson(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (feature number, properties with lat/lon) from a FeatureCollection of Points."""
    try:
        collection = msgspec.json.decode(path.read_bytes(), type=_Collection)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path.name}: not a GeoJSON FeatureCollection: {exc}") from None
    for number, feature in enumerate(collection.features, 1):
        row = dict(feature.properties or {})
        geometry = feature.geometry
        if geometry is not None and geometry.type == "Point":
            coords = geometry.coordinates
            if isinstance(coords, list) and len(coords) >= 2:
                row["lon"], row["lat"] = coords[0], coords[1]
        yield number, row


def read_rows(path: Path, required: tuple[str, ...] = ()) -> Iterator[tuple[int, Raw]]:
    """Rows of ``path`` by its suffix: .csv, .jsonl/.ndjson, .geojson/.json."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return iter(read_csv(path, required))
    if suffix in (".jsonl", ".ndjson"):
        return iter(read_jsonl(path))
    if suffix in (".geojson", ".json"):
        return iter(read_geojson(path))
    raise ImportFileError(f"{path.name}: unknown format (use .csv, .jsonl or .geojson)")


def count_rows(path: Path) -> int:
    """How many rows ``path`` holds, roughly (lines less the header), for a progress bar."""
    if path.suffix.lower() in (".geojson", ".json"):
        return 0
    with path.open("rb") as fh:
        lines = sum(1 for _ in fh)
    return max(0, lines - 1) if path.suffix.lower() == ".csv" else lines
