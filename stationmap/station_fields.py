"""Every list of a station's fields, derived from the one declaration, :class:`Station`.

Nothing here names a field except the properties an answer computes (``hours_text``,
``open_now``, ``distance_m``), which are not stored. Plain Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import copy
from typing import Any

from .record_fields import (
    View,
    adcode_names,
    csv_encoder,
    editable_names,
    field_specs,
    fields_by_import_column,
    json_encoder,
    names_in,
    properties_schema,
    row_audit_encoder,
    updated_columns,
)
from .types import Station

AUDITED_FIELDS = names_in(Station, View.AUDIT)
"""A station's own data, in declaration order: what audit entries record (was
``STATION_DATA_FIELDS``)."""

EDITABLE_FIELDS = editable_names(Station)
"""The fields writers set: :class:`StationDraft`'s data, what ``Store.update_station``
accepts and the columns of an import's additions and updates (was also ``DRAFT_COLUMNS``)."""

ADCODE_FIELDS = adcode_names(Station)
"""Names the store fills in from the adcode; writers never set them (was ``REGION_FIELDS``)."""

GEOJSON_FIELDS = names_in(Station, View.GEOJSON)
"""The stored fields a station's Feature carries as properties (was ``PROPERTY_FIELDS``)."""

CSV_COLUMNS = names_in(Station, View.CSV)
"""The CSV export's header."""

UPDATED_COLUMNS = updated_columns(Station)
"""Table columns rewritten when a station's own data changes; its position goes through
``geom``."""

FIELDS_BY_IMPORT_COLUMN = fields_by_import_column(Station)
"""Import column → the fields an import compares and rewrites when the file has that
column (was ``FIELDS_BY_COLUMN``)."""

FIELD_LABELS = {name: spec.label for name, spec in field_specs(Station)} | {"location": "位置"}
"""Each field's Chinese name (名称, 经度), as forms and error messages show it; ``location``
is the point as a whole (lon and lat together)."""

COMPUTED_PROPERTIES: dict[str, dict[str, Any]] = {
    "hours_text": {
        "type": ["string", "null"],
        "description": "The same hours as a rider reads them (周一至周五 08:30-17:30；"
        "法定节假日休息); OpenStreetMap syntax where it has no Chinese wording; null when "
        "unknown.",
    },
    "open_now": {
        "type": ["boolean", "null"],
        "description": "Open at the moment of the request, also when the query asks "
        "about another time with open_at; null when the hours are unknown.",
    },
    "open_then": {
        "type": ["boolean", "null"],
        "description": "Only on answers to a query with open_at: open at the time it "
        "asked about; null when the hours are unknown.",
    },
    "distance_m": {
        "type": "number",
        "description": "Geodesic metres from the query point (only on answers to a point).",
    },
}
"""Feature properties computed for display or per answer, never stored."""

geojson_properties = json_encoder(Station, View.GEOJSON)
"""``geojson_properties(station)``: the stored Feature properties, as JSON values."""

station_audit_view = json_encoder(Station, View.AUDIT)
"""``station_audit_view(station)``: a stored station's own data as audit entries record it."""

audit_view = row_audit_encoder(Station)
"""``audit_view(values)``: the same view of table-shaped values (``amenity_mask``, ``lon``,
``lat``; only the fields present, NaN as None), as a writer is about to store them."""

csv_row = csv_encoder(Station)
"""``csv_row(station)``: the station's cells under :data:`CSV_COLUMNS`."""


def station_properties_schema() -> dict[str, Any]:
    """OpenAPI schema of a station Feature's properties, each with its description."""
    return properties_schema(Station) | copy.deepcopy(COMPUTED_PROPERTIES)
