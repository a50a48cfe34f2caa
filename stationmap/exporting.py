"""Writing every stored station to a file, as GeoJSON or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import BadRequest
from .geojson import station_feature
from .station_fields import CSV_COLUMNS, csv_row
from .types import Station

EXPORT_FORMATS = ("geojson", "csv")


def export_format_for(path: Path, requested: str | None) -> str:
    """The format asked for, or the one the file name implies."""
    fmt = requested or {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}.get(
        path.suffix.lower()
    )
    if fmt not in EXPORT_FORMATS:
        raise BadRequest(
            f"format: got {requested or path.suffix!r}, expected one of "
            f"{', '.join(EXPORT_FORMATS)} (or an output ending .geojson or .csv)"
        )
    return fmt


def write_stations(
    stations: Iterable[Station],
    path: Path,
    fmt: str,
    notice: str | None = None,
    on_row: Callable[[], object] | None = None,
) -> int:
    """Write ``stations`` to ``path`` (via a temporary file); returns how many were written."""
    partial = path.with_name(path.name + ".partial")
    writer = _write_geojson if fmt == "geojson" else _write_csv
    with partial.open("w", encoding="utf-8", newline="") as out:
        count = writer(stations, out, notice, on_row or (lambda: None))
    partial.replace(path)
    return count


def _write_geojson(
    stations: Iterable[Station], out, notice: str | None, on_row: Callable[[], object]
) -> int:
    out.write('{"type": "FeatureCollection",')
    if notice:
        out.write(f' "notice": {json.dumps(notice, ensure_ascii=False)},')
    out.write(' "features": [\n')
    count = 0
    for station in stations:
        if count:
            out.write(",\n")
        feature = station_feature(station)
        del feature["properties"]["hours_text"]  # display wording, not stored data
        out.write(json.dumps(feature, ensure_ascii=False))
        count += 1
        on_row()
    out.write("\n]}\n")
    return count


def _write_csv(
    stations: Iterable[Station], out, notice: str | None, on_row: Callable[[], object]
) -> int:
    writer = csv.writer(out)
    if notice:
        writer.writerow([f"# {notice}"])
    writer.writerow(CSV_COLUMNS)
    count = 0
    for station in stations:
        writer.writerow(csv_row(station))
        count += 1
        on_row()
    return count
