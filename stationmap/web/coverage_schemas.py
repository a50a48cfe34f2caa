"""JSON schemas of the coverage answers, for the OpenAPI document (and its tests)."""

from __future__ import annotations

from typing import Any

NUMBER_OR_NULL = {"type": ["number", "null"]}
SOURCE = {"type": "string", "enum": ["modelled", "loaded", "mixed"]}
NOTE = {"type": ["string", "null"], "description": "Says the population is modelled."}
CATCHMENT = {
    "type": "object",
    "required": ["radius_m", "method"],
    "properties": {"radius_m": {"type": "number"}, "method": {"type": "string"}},
}
AREA_FIGURES = {
    "type": "object",
    "required": [
        "adcode",
        "name",
        "population",
        "covered_population",
        "covered_share",
        "stations",
        "stations_open",
        "stations_unknown_hours",
        "median_distance_m",
        "p90_distance_m",
    ],
    "properties": {
        "adcode": {"type": "string", "pattern": "^[0-9]{6}$"},
        "name": {"type": "string"},
        "level": {"type": "string", "enum": ["nation", "province", "city", "county"]},
        "parent_name": {
            "type": ["string", "null"],
            "description": "The name of the area holding it (a county's city).",
        },
        "population": {"type": "integer"},
        "covered_population": {"type": "integer"},
        "uncovered_population": {"type": "integer"},
        "covered_share": NUMBER_OR_NULL,
        "stations": {"type": "integer"},
        "stations_open": {"type": "integer"},
        "stations_unknown_hours": {
            "type": "integer",
            "description": "Stations whose hours are unknown at the moment: counted apart, "
            "never as open.",
        },
        "stations_per_10k": NUMBER_OR_NULL,
        "median_distance_m": NUMBER_OR_NULL,
        "p90_distance_m": NUMBER_OR_NULL,
        "population_source": SOURCE,
    },
}
BEFORE_AFTER = {
    "type": "object",
    "required": ["population", "covered_population", "covered_share"],
    "properties": {
        "population": {"type": "integer"},
        "covered_population": {"type": "integer"},
        "covered_share": NUMBER_OR_NULL,
        "median_distance_m": NUMBER_OR_NULL,
        "p90_distance_m": NUMBER_OR_NULL,
    },
}


def coverage_schemas() -> dict[str, Any]:
    """The schemas of every coverage answer, by name."""
    return {
        "Coverage": {
            "type": "object",
            "required": ["population_source", "areas", "total"],
            "properties": {
                "population_source": SOURCE,
                "population_note": NOTE,
                "at": {"type": ["string", "null"]},
                "catchment": CATCHMENT,
                "areas": {"type": "array", "items": AREA_FIGURES},
                "total": AREA_FIGURES,
            },
        },
        "CoverageGaps": {
            "type": "object",
            "required": ["type", "features", "aggregate", "population_source"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "aggregate": {"type": "string", "enum": ["cells", "hex"]},
                "population_source": SOURCE,
                "features": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["type", "geometry", "properties"],
                        "properties": {
                            "geometry": {
                                "type": "object",
                                "properties": {"type": {"enum": ["Polygon"]}},
                            },
                            "properties": {
                                "type": "object",
                                "required": ["cell"],
                                "properties": {
                                    "cell": {"type": "string"},
                                    "population": {"type": "number"},
                                    "centroid": {
                                        "type": "array",
                                        "items": {"type": "number"},
                                        "minItems": 2,
                                        "maxItems": 2,
                                    },
                                    "nearest_m": NUMBER_OR_NULL,
                                },
                            },
                        },
                    },
                },
            },
        },
        "Proposals": {
            "type": "object",
            "required": ["method", "sites", "newly_covered", "upper_bound", "before", "after"],
            "properties": {
                "method": {"type": "string", "enum": ["exact", "greedy"]},
                "optimal": {"type": "boolean"},
                "note": {"type": "string"},
                "sites": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["lon", "lat", "newly_covered"],
                        "properties": {
                            "lon": {"type": "number"},
                            "lat": {"type": "number"},
                            "newly_covered": {"type": "integer"},
                        },
                    },
                },
                "newly_covered": {"type": "integer"},
                "upper_bound": {"type": ["integer", "null"]},
                "gap": NUMBER_OR_NULL,
                "before": BEFORE_AFTER,
                "after": BEFORE_AFTER,
                "population_source": SOURCE,
            },
        },
        "CoverageDay": {
            "type": "object",
            "required": ["date", "hours", "population_source"],
            "properties": {
                "date": {"type": "string", "format": "date"},
                "population_source": SOURCE,
                "hours": {
                    "type": "array",
                    "minItems": 24,
                    "maxItems": 24,
                    "items": {
                        "type": "object",
                        "required": ["hour", "at", "total"],
                        "properties": {
                            "hour": {"type": "integer"},
                            "at": {"type": "string"},
                            "total": AREA_FIGURES,
                        },
                    },
                },
            },
        },
        "WhatIf": {
            "type": "object",
            "required": ["before", "after"],
            "properties": {"before": BEFORE_AFTER, "after": BEFORE_AFTER},
        },
    }
