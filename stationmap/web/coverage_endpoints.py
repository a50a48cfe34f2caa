"""The planners' coverage endpoints, as plain functions (see :mod:`.endpoints`).

Each reads its parameters, asks :mod:`stationmap.coverage` with the live index and the
current population surface, and answers JSON, GeoJSON or a table to download. Nothing
here writes to the store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..coordinates import CRS_NAMES
from ..coverage.areas import Area, areas_at, find_area
from ..coverage.candidates import read_candidates
from ..coverage.catchment import Catchment
from ..coverage.current import current_surface
from ..coverage.day import day_profile
from ..coverage.figures import coverage_answer
from ..coverage.gaps import gap_cells, gap_hexagons
from ..coverage.proposals import ProposalQuestion, propose, sites_geojson
from ..coverage.reach import StationSet
from ..coverage.scenario import what_if
from ..coverage.tables import (
    CSV_MEDIA,
    XLSX_MEDIA,
    coverage_rows,
    day_rows,
    site_rows,
    to_csv,
    to_xlsx,
)
from ..errors import BadRequest
from .answers import SHORT_CACHE, Answer, geojson_answer, json_answer
from .coverage_params import (
    adcode_arg,
    catchment_arg,
    coverage_params,
    day_arg,
    format_arg,
    ids_arg,
    points_arg,
    static_arg,
    stations_arg,
)
from .endpoints import _attachment, answers
from .forms import UploadedFile
from .params import QueryArgs, invalid
from .service import Service


@answers("/api/v1/coverage")
def coverage(service: Service, args: QueryArgs) -> Answer:
    """Coverage of each area of a level inside an area, at a moment."""
    level = args.args.get("level", "province")
    within = find_area(adcode_arg(args, "within"), "within")
    stations, moment = stations_arg(args)
    catchment, fmt = catchment_arg(args), format_arg(args)
    areas = areas_at(level, within)
    index = service.index()
    answer = coverage_answer(
        index, current_surface(service.store), areas, within, stations, catchment, moment
    )
    return _table_or_json(answer, fmt, coverage_rows, f"覆盖-{within.name}-{level}")


@answers("/api/v1/coverage/gaps")
def gaps(service: Service, args: QueryArgs) -> Answer:
    """The area's uncovered populated cells, or their sums in hexagons."""
    area, stations, catchment = _area_question(args)
    aggregate = args.args.get("aggregate") or "cells"
    if aggregate not in ("cells", "hex"):
        raise invalid("aggregate", aggregate, "cells or hex")
    index, surface = service.index(), current_surface(service.store)
    if aggregate == "cells":
        found = gap_cells(index, surface, area, stations, catchment)
    else:
        resolution = args.integer("hex_resolution") if args.given("hex_resolution") else None
        found = gap_hexagons(index, surface, area, stations, catchment, resolution)
    return geojson_answer(_json_bytes(found))


@answers("/api/v1/coverage/proposals")
def proposals(service: Service, args: QueryArgs) -> Answer:
    """p new sites that newly cover the most people in the area."""
    area, stations, catchment = _area_question(args)
    fmt = format_arg(args, ("json", "geojson", "csv", "xlsx"))
    p = args.integer("p")
    exact = args.flag("exact") if args.given("exact") else True
    question = ProposalQuestion(area, p, stations, catchment, exact=exact)
    answer = propose(service.index(), current_surface(service.store), question)
    if fmt == "geojson":
        return geojson_answer(_json_bytes(sites_geojson(answer)))
    return _table_or_json(answer, fmt, site_rows, f"选址建议-{area.name}")


UPLOAD_FIELDS = ("p", "at", "radius_m", "ride_minutes", "speed_kmh", "detour", "crs", "exact")
FORM_ONLY = ("crs", "csrf_token")
"""Fields of the upload form that are not the proposals' parameters."""
MAX_CANDIDATE_BYTES = 5_000_000
"""The largest candidate list taken from a browser (20,000 addresses are about 2 MB)."""


def proposals_from_upload(
    service: Service, adcode: str, fields: Mapping[str, str], file: UploadedFile | None
) -> Answer:
    """Proposals among the sites of an uploaded list (``file``; optional ``crs`` and the
    proposals' parameters in ``fields``). Reads the file as an import reads a station
    list, keeps only its points, writes nothing."""
    if file is None:
        raise BadRequest("file: missing, expected a list of candidate sites", code="bad_request")
    if len(file.content) > MAX_CANDIDATE_BYTES:
        raise BadRequest(
            f"file: {len(file.content):,} bytes, expected at most {MAX_CANDIDATE_BYTES:,}",
            code="payload_too_large",
        )
    unknown = sorted(set(fields) - set(UPLOAD_FIELDS) - set(FORM_ONLY))
    if unknown:
        raise invalid(unknown[0], fields[unknown[0]], f"fields among {', '.join(UPLOAD_FIELDS)}")
    args = QueryArgs(
        {k: v for k, v in fields.items() if k not in FORM_ONLY and v != ""},
        {p.name: p for p in coverage_params(*UPLOAD_FIELDS) if p.name not in FORM_ONLY},
    )
    area = find_area(adcode)
    stations, _ = stations_arg(args)
    crs = fields.get("crs") or None
    if crs is not None and crs not in CRS_NAMES:
        raise invalid("crs", crs, f"one of {', '.join(CRS_NAMES)}")
    candidates = read_candidates(file.content, file.name, crs)
    exact = args.flag("exact") if args.given("exact") else True
    question = ProposalQuestion(
        area, args.integer("p"), stations, catchment_arg(args), candidates, exact=exact
    )
    answer = propose(service.index(), current_surface(service.store), question)
    answer["skipped_rows"] = candidates.skipped[:100]
    return json_answer(answer)


@answers("/api/v1/coverage/day")
def day(service: Service, args: QueryArgs) -> Answer:
    """The area's coverage at each of the 24 hours of a day."""
    within = find_area(adcode_arg(args))
    level = args.args.get("level")
    catchment, fmt = catchment_arg(args), format_arg(args)
    areas = areas_at(level, within) if level else []
    answer = day_profile(
        service.index(),
        current_surface(service.store),
        areas,
        within,
        static_arg(args),
        day_arg(args),
        catchment,
    )
    return _table_or_json(answer, fmt, day_rows, f"全天覆盖-{within.name}")


@answers("/api/v1/coverage/whatif")
def whatif(service: Service, args: QueryArgs) -> Answer:
    """The area's coverage if stations were added or removed (nothing is written)."""
    area, stations, catchment = _area_question(args)
    added, removed = points_arg(args), ids_arg(args)
    answer = what_if(
        service.index(), current_surface(service.store), area, stations, catchment, added, removed
    )
    return json_answer(answer, cache=SHORT_CACHE)


def _area_question(args: QueryArgs) -> tuple[Area, StationSet, Catchment]:
    """What the gaps, proposals and what-if endpoints all ask first: the area (``adcode``),
    the stations that cover (the filters at ``at``) and the catchment."""
    stations, _ = stations_arg(args)
    return find_area(adcode_arg(args)), stations, catchment_arg(args)


def _table_or_json(answer: dict[str, Any], fmt: str, rows_of: Any, name: str) -> Answer:
    if fmt == "json":
        return json_answer(answer, cache=SHORT_CACHE)
    headers, rows = rows_of(answer)
    if fmt == "csv":
        return Answer(
            200, to_csv(headers, rows), CSV_MEDIA, SHORT_CACHE, (_download(f"{name}.csv"),)
        )
    return Answer(
        200,
        to_xlsx(headers, rows, "coverage"),
        XLSX_MEDIA,
        SHORT_CACHE,
        (_download(f"{name}.xlsx"),),
    )


def _download(file_name: str) -> tuple[str, str]:
    return _attachment(file_name, "coverage" + file_name[file_name.rfind(".") :])


def _json_bytes(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
