"""The coverage endpoints' query parameters, declared once and parsed strictly.

Flask-free, like :mod:`.params`: every failure is a 400 naming the parameter, what it
got and what it expected.
"""

from __future__ import annotations

from datetime import date, datetime

from ..coverage.areas import NATION
from ..coverage.catchment import (
    DEFAULT_DETOUR,
    DEFAULT_RADIUS_M,
    DEFAULT_SPEED_KMH,
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    Catchment,
)
from ..coverage.moments import parse_day, parse_moment
from ..coverage.proposals import MAX_P
from ..coverage.reach import StationSet
from ..errors import BadRequest
from ..finder import StaticFilter
from ..finder.service_area import check_served
from .params import PARAMETERS, Param, QueryArgs, invalid, missing, static_filter_of

ADCODE = {"type": "string", "pattern": "^[0-9]{6}$", "example": "320102"}

COVERAGE_PARAMETERS: dict[str, Param] = {
    p.name: p
    for p in (
        Param(
            "level",
            {"type": "string", "enum": ["province", "city", "county"], "default": "province"},
            "Which areas to report: provinces, cities or counties.",
        ),
        Param(
            "within",
            ADCODE | {"default": NATION},
            f"Only the areas inside this province, city or county ({NATION}: the nation).",
        ),
        Param(
            "adcode",
            ADCODE,
            f"The area: a county (320102), city (320100), province (320000) or {NATION}.",
            True,
        ),
        Param(
            "at",
            {"type": "string", "example": "21:00"},
            "The moment: a time of day today (21:00) or an ISO-8601 date-time "
            "(2026-10-01T21:00, Asia/Shanghai unless it has an offset; holidays count). "
            "Default: now. Only stations open then cover anyone; unknown hours never do.",
        ),
        Param(
            "date",
            {"type": "string", "format": "date", "example": "2026-12-08"},
            "The day (default today, Asia/Shanghai).",
        ),
        Param(
            "radius_m",
            {
                "type": "number",
                "minimum": MIN_RADIUS_M,
                "maximum": MAX_RADIUS_M,
                "default": DEFAULT_RADIUS_M,
            },
            "Catchment radius in metres along the WGS-84 ellipsoid (geodesic).",
        ),
        Param(
            "ride_minutes",
            {"type": "number", "minimum": 0.5, "maximum": 120},
            "Instead of radius_m: minutes of riding, turned into a radius with speed_kmh and "
            "detour (an approximation: no road network is available).",
        ),
        Param(
            "speed_kmh",
            {"type": "number", "minimum": 3, "maximum": 40, "default": DEFAULT_SPEED_KMH},
            "Riding speed for ride_minutes.",
        ),
        Param(
            "detour",
            {"type": "number", "minimum": 1, "maximum": 3, "default": DEFAULT_DETOUR},
            "Road distance over straight distance, for ride_minutes.",
        ),
        Param(
            "p",
            {"type": "integer", "minimum": 1, "maximum": MAX_P, "default": 10},
            "How many new sites to propose (at most the number of candidate sites).",
        ),
        Param(
            "exact",
            {"type": "boolean", "default": True},
            "Improve the greedy choice with the exact solver (under a time limit).",
        ),
        Param(
            "aggregate",
            {"type": "string", "enum": ["cells", "hex"]},
            "cells (default): every uncovered cell, up to 100,000 of them; hex: summed into "
            "H3 hexagons, a layer for wide areas (a province, the nation).",
        ),
        Param(
            "hex_resolution",
            {"type": "integer", "minimum": 3, "maximum": 7, "default": 5},
            "With aggregate=hex: the H3 resolution of the hexagons (default 4 for the nation, "
            "5 for a province, 6 below).",
        ),
        Param(
            "add",
            {"type": "string", "example": "118.79,32.05;118.80,32.06"},
            "Points of stations to add (open all day): lon,lat pairs separated by ';'.",
        ),
        Param(
            "remove",
            {"type": "string", "example": "a2b3c4d5e6"},
            "Ids of stations to take away, separated by ','.",
        ),
        Param(
            "format",
            {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"},
            "json, or a table to download: csv (UTF-8 with a BOM, as Excel reads it) or xlsx.",
        ),
    )
}
STATION_FILTERS = ("amenities", "kinds", "open_24h")
CATCHMENT_PARAMS = ("radius_m", "ride_minutes", "speed_kmh", "detour")


def coverage_params(*names: str) -> tuple[Param, ...]:
    """The named parameters, from the coverage declarations or the finder's."""
    return tuple(COVERAGE_PARAMETERS.get(n) or PARAMETERS[n] for n in names)


def adcode_arg(args: QueryArgs, name: str = "adcode") -> str:
    """A required (or defaulted) 6-digit adcode; its meaning is checked by the areas."""
    raw = args.args.get(name)
    if raw is None:
        default = args.params[name].schema.get("default")
        if default is None:
            raise missing(name, "a 6-digit adcode such as 320102")
        return str(default)
    return raw.strip()


def moment_arg(args: QueryArgs) -> datetime:
    """``at``: HH:MM today, or an ISO-8601 date-time; now when absent."""
    return parse_moment(args.args.get("at"))


def day_arg(args: QueryArgs) -> date:
    """``date``: YYYY-MM-DD, default today in China."""
    return parse_day(args.args.get("date"))


def catchment_arg(args: QueryArgs) -> Catchment:
    """The catchment: ride_minutes (with speed and detour) when given, else radius_m."""
    if args.given("ride_minutes"):
        if args.given("radius_m"):
            raise invalid("ride_minutes", args.args["ride_minutes"], "either it or radius_m")
        minutes = args.required_number("ride_minutes")
        speed = args.number("speed_kmh", DEFAULT_SPEED_KMH)
        detour = args.number("detour", DEFAULT_DETOUR)
        assert speed is not None and detour is not None
        return Catchment.by_riding(minutes, speed, detour)
    radius = args.number("radius_m", DEFAULT_RADIUS_M)
    assert radius is not None
    return Catchment.by_radius(radius)


def static_arg(args: QueryArgs) -> StaticFilter:
    """The clock-free station filter (amenities, kinds, open_24h); active stations only."""
    return static_filter_of(
        args.args.get("amenities"), args.args.get("kinds"), None, args.flag("open_24h")
    )


def stations_arg(args: QueryArgs) -> tuple[StationSet, datetime]:
    """The stations that cover: passing the filter and open at ``at``."""
    moment = moment_arg(args)
    return StationSet(static_arg(args), moment), moment


def format_arg(args: QueryArgs, allowed: tuple[str, ...] = ("json", "csv", "xlsx")) -> str:
    """``format``, one of ``allowed``."""
    raw = args.args.get("format", "json").strip().lower()
    if raw not in allowed:
        raise invalid("format", raw, f"one of {', '.join(allowed)}")
    return raw


def points_arg(args: QueryArgs, name: str = "add") -> list[tuple[float, float]]:
    """lon,lat pairs separated by ';' (WGS-84), each inside the area served."""
    raw = args.args.get(name)
    if raw is None or not raw.strip():
        return []
    points = []
    for part in raw.split(";"):
        if not part.strip():
            continue
        try:
            lon, lat = (float(v) for v in part.split(","))
        except ValueError:
            raise invalid(name, part, "lon,lat pairs separated by ';'") from None
        try:
            check_served(lon, lat)
        except BadRequest as error:
            error.message = f"{name}: {error.message}"
            error.details["parameter"] = name
            raise
        points.append((lon, lat))
    return points


def ids_arg(args: QueryArgs, name: str = "remove") -> list[str]:
    """Comma-separated station ids."""
    raw = args.args.get(name)
    if raw is None:
        return []
    return [part.strip() for part in raw.split(",") if part.strip()]
