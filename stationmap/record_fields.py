"""Declaring a record's fields once, and deriving every list of them from that declaration.

A record such as :class:`stationmap.types.Station` is a dataclass whose every field
carries a :class:`FieldSpec` (``field(metadata=declare(...))``): what it means, its
JSON schema, where it is shown, whether writers may set it, the table column and
import column it lives in, and how its value is encoded. The GeoJSON properties, CSV
columns, audit view, editable fields, the columns an import rewrites or compares and
the OpenAPI schema are all derived here, from any such dataclass; adding a field is
one declaration plus a migration. Plain Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from enum import Flag, auto
from operator import attrgetter
from types import MappingProxyType
from typing import Any, ParamSpec

Encoder = Callable[[Any], Any]

POINT_COLUMN = "geom"
"""The table column of the position; its fields travel as ``lon``/``lat`` until written."""

_SPEC = "stationmap.field"


class View(Flag):
    """Where a field's value appears outside the store."""

    NOWHERE = 0
    """Kept in the store only (bookkeeping such as the version)."""
    GEOJSON = auto()
    """A property of the station's GeoJSON Feature: the outside contract."""
    CSV = auto()
    """A column of the CSV export."""
    AUDIT = auto()
    """The record's own data: what audit entries record and imports compare and rewrite."""


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """What one field of a record is, and how each view writes it."""

    description: str
    """One or two sentences; the OpenAPI schema shows them."""
    schema: Mapping[str, Any]
    """JSON schema of the field's JSON value (without ``description``)."""
    label: str = ""
    """What the field is called in Chinese, on forms and in error messages (名称, 经度)."""
    shown_in: View = View.NOWHERE
    """Where it appears outside the store (any of GEOJSON, CSV, AUDIT)."""
    editable: bool = False
    """Writers set it: a new station, an edit, an import."""
    from_adcode: bool = False
    """The store fills it in from the county code; writers never set it."""
    column: str = ""
    """The ``stations`` column holding it, when not named as the field."""
    import_column: str | None = None
    """The import column (a key of ``importing.columns.FIELDS``) that makes imports compare it."""
    to_json: Encoder | None = None
    """Its value in GeoJSON and audit entries, when not the value itself."""
    to_csv: Encoder | None = None
    """Its CSV cell, when not its JSON value (None is always written as an empty cell)."""
    from_column: Encoder | None = None
    """Its value from its table column's, when the two differ (an amenity bit mask)."""

    def __post_init__(self) -> None:
        if self.editable and self.from_adcode:
            raise ValueError("got editable=True with from_adcode=True: the store fills it in")


_P = ParamSpec("_P")


def _as_metadata(spec: Callable[_P, FieldSpec]) -> Callable[_P, Mapping[str, FieldSpec]]:
    def declare(*args: _P.args, **kwargs: _P.kwargs) -> Mapping[str, FieldSpec]:
        return MappingProxyType({_SPEC: spec(*args, **kwargs)})

    declare.__doc__ = "Field metadata declaring a :class:`FieldSpec` (same arguments)."
    return declare


declare = _as_metadata(FieldSpec)


def field_specs(record: type) -> tuple[tuple[str, FieldSpec], ...]:
    """(name, spec) of every field of ``record``, in declaration order.

    Raises ``TypeError`` naming a field declared without a spec, so a field cannot be
    added half-way.
    """
    out = []
    for f in dataclasses.fields(record):
        if _SPEC not in f.metadata:
            raise TypeError(
                f"{record.__name__}.{f.name}: got a field without a declaration, "
                f"expected field(metadata=declare(description, schema, ...))"
            )
        out.append((f.name, f.metadata[_SPEC]))
    return tuple(out)


def names_in(record: type, view: View) -> tuple[str, ...]:
    """The fields shown in ``view``, in declaration order."""
    return tuple(name for name, spec in field_specs(record) if view in spec.shown_in)


def editable_names(record: type) -> tuple[str, ...]:
    """The fields writers may set."""
    return tuple(name for name, spec in field_specs(record) if spec.editable)


def adcode_names(record: type) -> tuple[str, ...]:
    """The fields the store fills in from the county code."""
    return tuple(name for name, spec in field_specs(record) if spec.from_adcode)


def column_of(name: str, spec: FieldSpec) -> str:
    """The table column holding field ``name``."""
    return spec.column or name


def row_key(name: str, spec: FieldSpec) -> str:
    """The field's key in table-shaped values: its column, but ``lon``/``lat`` for the point."""
    column = column_of(name, spec)
    return name if column == POINT_COLUMN else column


def updated_columns(record: type) -> tuple[str, ...]:
    """The columns rewritten when a record's own data changes (the point goes through geom)."""
    return tuple(
        row_key(name, spec)
        for name, spec in field_specs(record)
        if View.AUDIT in spec.shown_in and column_of(name, spec) != POINT_COLUMN
    )


def fields_by_import_column(record: type) -> dict[str, tuple[str, ...]]:
    """Import column → the fields an import compares and rewrites when the file has it."""
    out: dict[str, tuple[str, ...]] = {}
    for name, spec in field_specs(record):
        if spec.import_column:
            out[spec.import_column] = (*out.get(spec.import_column, ()), name)
    return out


def properties_schema(record: type) -> dict[str, Any]:
    """OpenAPI schema of each GeoJSON property, with its description."""
    return {
        name: {**copy.deepcopy(dict(spec.schema)), "description": spec.description}
        for name, spec in field_specs(record)
        if View.GEOJSON in spec.shown_in
    }


def json_encoder(record: type, view: View) -> Callable[[Any], dict[str, Any]]:
    """A function giving an instance's ``view`` fields as a dict of JSON values.

    The field list and encoders are looked up once, here: the GeoJSON writer calls the
    result for every station it serialises.
    """
    chosen = [(name, spec.to_json) for name, spec in field_specs(record) if view in spec.shown_in]
    names = tuple(name for name, _ in chosen)
    encoders = tuple((at, encode) for at, (_, encode) in enumerate(chosen) if encode)

    values_of = _getter(names)

    def encode(instance: Any) -> dict[str, Any]:
        values = list(values_of(instance))
        for at, encoder in encoders:
            values[at] = encoder(values[at])
        return dict(zip(names, values, strict=True))

    return encode


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The named attributes as a tuple, in one call (:func:`attrgetter` is the fastest)."""
    if len(names) == 1:
        return lambda instance: (getattr(instance, names[0]),)
    return attrgetter(*names)


def csv_encoder(record: type) -> Callable[[Any], list[Any]]:
    """A function giving an instance's CSV cells, in :func:`names_in` (CSV) order."""
    chosen = [(name, spec) for name, spec in field_specs(record) if View.CSV in spec.shown_in]

    def encode(instance: Any) -> list[Any]:
        return [_csv_cell(spec, getattr(instance, name)) for name, spec in chosen]

    return encode


def _csv_cell(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return ""
    encode = spec.to_csv or spec.to_json
    return value if encode is None else encode(value)


def row_audit_encoder(record: type) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function giving the audit view of table-shaped values (as written to the table).

    Only the fields present are included; a column value is decoded (an amenity mask
    becomes keys) and pandas' NaN becomes None.
    """
    chosen = [
        (name, row_key(name, spec), spec)
        for name, spec in field_specs(record)
        if View.AUDIT in spec.shown_in
    ]

    def encode(values: Mapping[str, Any]) -> dict[str, Any]:
        return {name: _from_row(spec, values[key]) for name, key, spec in chosen if key in values}

    return encode


def _from_row(spec: FieldSpec, value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if spec.from_column is not None:
        value = spec.from_column(value)
    return value if spec.to_json is None else spec.to_json(value)
