"""Writing stored stations to a file, as GeoJSON or CSV, the way their readers open them.

The CSV is UTF-8 with a byte-order mark (Excel on Chinese Windows reads BOM-less UTF-8 as
GBK and garbles it), one header row and nothing above it (GDAL and every CSV reader take
the first line as the header). While the synthetic demo set is loaded, the notice is a
last column, ``notice``, on every row, so it travels with any row copied elsewhere. A GIS
user opens the file with its ``lon``/``lat`` columns as X/Y (WGS-84), e.g.
``ogrinfo -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat stations.csv``.

Both formats import again unchanged: ``stationmap import`` recognises an export by its
``id``/``source_key``/``union_id`` columns (GeoJSON by its feature ids) and matches each
row to its station by id.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import BadRequest
from .geojson import station_feature
from .regions import County, RegionIndex
from .station_fields import CSV_COLUMNS, csv_row
from .store import Store
from .types import Station

EXPORT_FORMATS = ("geojson", "csv")
NOTICE_COLUMN = "notice"
"""The CSV column holding the synthetic-data notice, while the demo set is loaded."""
COUNTY_MARGIN_DEG = 0.05
"""How far around a county's boundary its stations are read (stations on the sea front
or a pier may lie just outside the simplified boundary and still carry its code)."""


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
    encoding = "utf-8" if fmt == "geojson" else "utf-8-sig"
    with partial.open("w", encoding=encoding, newline="") as out:
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
    writer.writerow([*CSV_COLUMNS, NOTICE_COLUMN] if notice else CSV_COLUMNS)
    extra = [notice] if notice else []
    count = 0
    for station in stations:
        writer.writerow(csv_row(station) + extra)
        count += 1
        on_row()
    return count


def county_stations(store: Store, adcode: str) -> list[Station]:
    """The stored stations whose county is ``adcode``, read through the spatial index."""
    west, south, east, north = store.regions.boundary(adcode).bounds
    m = COUNTY_MARGIN_DEG
    found = store.stations_in_box(west - m, south - m, east + m, north + m)
    return [s for s in found if s.adcode == adcode]


def find_county(regions: RegionIndex, text: str) -> str:
    """The adcode a ``--county`` value names: a 6-digit code, or a name such as 玄武区 or
    南京市玄武区 that names one county; otherwise ``BadRequest`` listing the candidates."""
    wanted = text.strip()
    if wanted.isdigit():
        if regions.county(wanted) is None:
            raise BadRequest(
                f"county: got {text!r}, expected a 6-digit mainland county code such as 320102"
                " or a county name such as 玄武区",
                code="invalid_parameter",
            )
        return wanted
    found = regions.find_counties(wanted, limit=50)
    exact = [c for c in found if wanted in (c.name, f"{c.city}{c.name}", _full_name(c))]
    chosen = exact if exact else found
    if len(chosen) == 1:
        return chosen[0].adcode
    if not chosen:
        raise BadRequest(
            f"county: got {text!r}, which names no county: give a 6-digit code such as "
            "320102 or a name such as 玄武区",
            code="invalid_parameter",
        )
    listed = "; ".join(f"{c.adcode} {_full_name(c)}" for c in chosen[:12])
    more = f" (and {len(chosen) - 12} more)" if len(chosen) > 12 else ""
    raise BadRequest(
        f"county: {text!r} could be any of {listed}{more}: give the code, or the city too "
        "(南京市玄武区)",
        code="invalid_parameter",
    )


def _full_name(county: County) -> str:
    city = "" if county.city == county.province else county.city
    return f"{county.province}{city}{county.name}"
