"""Query parameters: each one declared once, parsed strictly, documented from the same spec.

Parsing is Flask-free (it takes any mapping of strings), and every failure is a
400 ``invalid_parameter`` error naming the parameter, what it got and what it
expected. The OpenAPI document is generated from :data:`PARAMETERS` and the few
parameters an endpoint declares for itself (:func:`limit_param`), so a parameter
cannot be accepted without being documented, nor documented with other bounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..coordinates import CRS_NAMES
from ..errors import BadRequest
from ..finder import MAX_K, StaticFilter, StationFilter
from ..hours import MOMENT_YEARS, now_in_china, parse_moment_text
from ..vocabulary import AMENITIES, KINDS, STATUSES

TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, OpenAPI schema and description."""

    name: str
    schema: dict[str, Any]
    description: str
    required: bool = False


def limit_param(default: int, maximum: int, description: str) -> Param:
    """``limit`` as one endpoint declares it: each list has its own default and maximum,
    documented and enforced (a 400 past the maximum, never a silent cap) from here."""
    schema = {"type": "integer", "minimum": 1, "maximum": maximum, "default": default}
    return Param("limit", schema, description)


def invalid(name: str, got: Any, expected: str) -> BadRequest:
    """The error for a bad parameter value."""
    return BadRequest(
        f"{name}: got {got!r}, expected {expected}", code="invalid_parameter", parameter=name
    )


def missing(name: str, expected: str) -> BadRequest:
    """The error for a parameter the endpoint cannot do without."""
    return BadRequest(f"{name} is required: {expected}", code="invalid_parameter", parameter=name)


def unexpected(name: str, params: Mapping[str, Param]) -> BadRequest:
    """The error for a parameter this endpoint does not take, naming those it does."""
    taken = ", ".join(params)
    expected = f"this endpoint takes {taken}" if taken else "this endpoint takes no parameters"
    return BadRequest(
        f"{name}: unknown parameter; {expected}", code="invalid_parameter", parameter=name
    )


def _number(low: float, high: float) -> dict[str, Any]:
    return {"type": "number", "minimum": low, "maximum": high}


def _keys(vocabulary: dict[str, str]) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "enum": list(vocabulary)}}


PARAMETERS: dict[str, Param] = {
    p.name: p
    for p in (
        Param("lon", _number(-180, 180), "Longitude of the point, in the system `crs`.", True),
        Param("lat", _number(-90, 90), "Latitude of the point, in the system `crs`.", True),
        Param(
            "k",
            {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 5},
            "How many stations to return, nearest first.",
        ),
        Param(
            "max_distance_m",
            {"type": "number", "exclusiveMinimum": 0},
            "Leave out stations farther than this (metres, on the WGS-84 ellipsoid).",
        ),
        Param(
            "radius_m",
            {"type": "number", "exclusiveMinimum": 0, "maximum": 200_000},
            "Radius of the search, in metres.",
            True,
        ),
        Param(
            "name",
            {"type": "string", "minLength": 1, "maxLength": 30, "example": "玄武"},
            "Part of a county's name (or its city's and its own, e.g. 南京玄武).",
            True,
        ),
        Param(
            "zoom",
            {"type": "integer", "minimum": 0, "maximum": 20, "default": 5},
            "The map's zoom level (web-mercator tiles; 0 is the whole world).",
        ),
        Param(
            "bbox",
            {"type": "string", "example": "116.2,39.8,116.6,40.0"},
            "The viewport: minlon,minlat,maxlon,maxlat in the system `crs`.",
            True,
        ),
        Param(
            "q",
            {"type": "string", "minLength": 1, "maxLength": 100, "example": "朝阳 银行"},
            "What to look for: services (卫生间), kinds (银行), a place (玄武区, "
            "南京东路) and words names or addresses must contain; see the search endpoint.",
            True,
        ),
        Param(
            "amenities",
            _keys(AMENITIES),
            "Comma-separated amenity keys; a station must have all of them.",
        ),
        Param("kinds", _keys(KINDS), "Comma-separated host kinds; a station may be any of them."),
        Param(
            "status",
            _keys(STATUSES) | {"default": ["active"]},
            "Comma-separated statuses (default: active only).",
        ),
        Param(
            "open_now",
            {"type": "boolean", "default": False},
            "Only stations open now (Asia/Shanghai).",
        ),
        Param(
            "open_at",
            {"type": "string", "format": "date-time"},
            "Only stations open at this ISO-8601 time (Asia/Shanghai unless it has an offset); "
            "not together with open_now=true.",
        ),
        Param(
            "include_unknown_hours",
            {"type": "boolean", "default": False},
            "With open_now or open_at, also keep stations whose hours are unknown.",
        ),
        Param(
            "open_24h",
            {"type": "boolean", "default": False},
            "Only stations open 24 hours a day, every day.",
        ),
        Param(
            "crs",
            {"type": "string", "enum": list(CRS_NAMES), "default": "wgs84"},
            "Coordinate system of the query point and of the returned coordinates.",
        ),
    )
}

FILTER_PARAMS = (
    "amenities",
    "kinds",
    "status",
    "open_now",
    "open_at",
    "include_unknown_hours",
    "open_24h",
)


class QueryArgs:
    """The query string of one request, read through the parameters its endpoint declares."""

    def __init__(self, args: Mapping[str, str], params: Mapping[str, Param]) -> None:
        unknown = sorted(set(args) - set(params))
        if unknown:
            raise unexpected(unknown[0], params)
        self.args = args
        self.params = params

    def given(self, name: str) -> bool:
        """Whether the request names this parameter at all."""
        return name in self.args

    def number(self, name: str, default: float | None = None) -> float | None:
        """A finite number within the parameter's bounds."""
        raw = self.args.get(name)
        if raw is None:
            return self._missing(name, default)
        try:
            value = float(raw)
        except ValueError:
            raise invalid(name, raw, "a number") from None
        return _in_bounds(name, raw, value, self.params[name].schema)

    def required_number(self, name: str) -> float:
        """A number the endpoint cannot do without: missing is a 400 naming it."""
        value = self.number(name)
        if value is None:
            raise missing(name, _describe(self.params[name].schema))
        return value

    def integer(self, name: str) -> int:
        """A whole number within the parameter's bounds (its default when absent)."""
        schema = self.params[name].schema
        raw = self.args.get(name)
        if raw is None:
            return schema["default"]
        if not raw.strip().lstrip("-").isdecimal():  # isdigit() would pass "²", int() not
            raise invalid(
                name, raw, f"a whole number from {schema['minimum']} to {schema['maximum']}"
            )
        return int(_in_bounds(name, raw, int(raw), schema))

    def text(self, name: str) -> str:
        """A required text within the parameter's length."""
        raw = self.args.get(name)
        schema = self.params[name].schema
        if raw is None:
            raise missing(name, "some text to look for")
        if not raw.strip():
            raise invalid(name, raw, "some text to look for")
        if len(raw) > schema["maxLength"]:
            raise invalid(name, raw[:20] + "…", f"at most {schema['maxLength']} characters")
        return raw

    def flag(self, name: str) -> bool:
        """true/false (also 1/0, yes/no)."""
        raw = self.args.get(name)
        if raw is None or raw == "":
            return False
        word = raw.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise invalid(name, raw, "true or false")
        return word in TRUE_WORDS

    def keys(self, name: str, vocabulary: dict[str, str], default: tuple[str, ...] = ()) -> list:
        """A comma-separated list of vocabulary keys."""
        raw = self.args.get(name)
        if raw is None:
            return list(default)
        keys = [k.strip() for k in raw.split(",") if k.strip()]
        unknown = [k for k in keys if k not in vocabulary]
        if unknown:
            raise invalid(name, unknown[0], f"keys from {', '.join(vocabulary)}")
        return keys

    def crs(self) -> str:
        """The coordinate system name."""
        raw = self.args.get("crs", "wgs84")
        if raw not in CRS_NAMES:
            raise invalid("crs", raw, f"one of {', '.join(CRS_NAMES)}")
        return raw

    def bbox(self) -> tuple[float, float, float, float]:
        """minlon,minlat,maxlon,maxlat with min < max."""
        raw = self.args.get("bbox")
        expected = "four numbers minlon,minlat,maxlon,maxlat with min below max"
        if raw is None:
            raise missing("bbox", expected)
        try:
            box = tuple(float(v) for v in raw.split(","))
        except ValueError:
            raise invalid("bbox", raw, expected) from None
        if len(box) != 4 or not all(map(math.isfinite, box)):
            raise invalid("bbox", raw, expected)
        if not (-180 <= box[0] < box[2] <= 180 and -90 <= box[1] < box[3] <= 90):
            raise invalid("bbox", raw, expected + ", inside -180..180 and -90..90")
        return box

    def moment(self) -> datetime | None:
        """The moment asked about: open_at, or now for open_now, or None."""
        open_now, raw = self.flag("open_now"), self.args.get("open_at")
        if raw is None:
            return now_in_china() if open_now else None
        if open_now:
            raise invalid("open_at", raw, "either open_now or open_at, not both")
        expected = (
            "an ISO-8601 time such as 2026-05-01T08:30, in the years "
            f"{MOMENT_YEARS.start} to {MOMENT_YEARS[-1]}"
        )
        try:
            return parse_moment_text(raw)
        except ValueError:
            raise invalid("open_at", raw, expected) from None

    def station_filter(self) -> StationFilter:
        """The rider's filter from the filter parameters."""
        static = static_filter_of(
            self.args.get("amenities"),
            self.args.get("kinds"),
            self.args.get("status"),
            self.flag("open_24h"),
        )
        moment = self.moment()
        if moment is None and static == DEFAULT_STATIC:
            return DEFAULT_FILTER
        return StationFilter(static, moment, self.flag("include_unknown_hours"))

    def _missing(self, name: str, default: Any) -> Any:
        if self.params[name].required:
            raise missing(name, _describe(self.params[name].schema))
        return default


DEFAULT_FILTER = StationFilter()
DEFAULT_STATIC = DEFAULT_FILTER.static


@lru_cache(maxsize=1024)
def static_filter_of(
    amenities: str | None, kinds: str | None, status: str | None, open_24h: bool
) -> StaticFilter:
    """The clock-free filter for these raw parameter texts (parsed once per distinct text)."""
    args = QueryArgs(
        {
            k: v
            for k, v in (("amenities", amenities), ("kinds", kinds), ("status", status))
            if v is not None
        },
        {name: PARAMETERS[name] for name in FILTER_PARAMS},
    )
    return StationFilter.build(
        amenities=args.keys("amenities", AMENITIES),
        kinds=args.keys("kinds", KINDS),
        statuses=args.keys("status", STATUSES, ("active",)) or ["active"],
        open_24h=open_24h,
    ).static


def _in_bounds(name: str, raw: str, value: float, schema: dict[str, Any]) -> float:
    if not math.isfinite(value):
        raise invalid(name, raw, "a finite number")
    low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
    above = schema.get("exclusiveMinimum")
    if not low <= value <= high or (above is not None and value <= above):
        raise invalid(name, raw, _describe(schema))
    return value


def _describe(schema: dict[str, Any]) -> str:
    kind = "a whole number" if schema["type"] == "integer" else "a number"
    if "exclusiveMinimum" in schema:
        return f"{kind} above {schema['exclusiveMinimum']}" + (
            f" and at most {schema['maximum']}" if "maximum" in schema else ""
        )
    return f"{kind} from {schema['minimum']} to {schema['maximum']}"
