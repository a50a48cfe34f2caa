"""The store boundary: every write is checked here before anything reaches SQL.

:func:`clean_frame` checks a whole frame of stations at once and turns them into
table values; :func:`clean_draft` runs the same checks on one station. A frame is
refused, naming the first bad row, if any row is bad. Nothing is
written until every row has passed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from opening_hours import OpeningHours

from ..errors import InvalidStation
from ..regions import County, RegionIndex
from ..types import StationDraft
from ..vocabulary import AMENITIES, KINDS, STATUSES, amenity_mask

MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 500
MAINLAND_HINT = "a WGS-84 point inside mainland China (lon 73..136, lat 3..54)"


def clean_draft(draft: StationDraft, regions: RegionIndex) -> dict[str, Any]:
    """Table values for one station; raises :class:`InvalidStation` on the first bad field.

    The same checks as :func:`clean_frame`, on a one-row frame: a clerk's single write
    and an import's bulk write are validated exactly alike.
    """
    with one_station():
        values = clean_frame(pd.DataFrame([dataclasses.asdict(draft)], dtype=object), regions)
    return {str(k): v.item() if isinstance(v, np.generic) else v for k, v in values.iloc[0].items()}


@contextmanager
def one_station() -> Iterator[None]:
    """Validation errors of a one-row frame, told without a row number (there is one row)."""
    try:
        yield
    except InvalidStation as exc:
        raise InvalidStation(exc.field, exc.value, exc.expected) from None


def check_opening_hours(value: Any) -> str | None:
    """``value`` if it is valid OpenStreetMap opening_hours syntax (or None)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _parses_as_opening_hours(value.strip()):
        raise InvalidStation(
            "opening_hours",
            value,
            "OpenStreetMap opening_hours syntax such as 'Mo-Fr 09:00-17:00' or '24/7', "
            "or null when unknown",
        )
    return value.strip()


@lru_cache(maxsize=4096)
def _parses_as_opening_hours(text: str) -> bool:
    if not text:
        return False
    try:
        OpeningHours(text)
    except Exception:  # the parser raises its own error classes
        return False
    return True


def _check_amenities(amenities: Any) -> int:
    if isinstance(amenities, str) or not isinstance(amenities, list | tuple | set | frozenset):
        raise InvalidStation("amenities", amenities, "a list of amenity keys")
    unknown = [a for a in amenities if a not in AMENITIES]
    if unknown:
        raise InvalidStation("amenities", unknown[0], f"amenity keys from {', '.join(AMENITIES)}")
    return amenity_mask(list(amenities))


def _is_number(value: Any) -> bool:
    """Numbers pass (None and NaN too: the finite check names them); text and flags do not."""
    return value is None or (
        not isinstance(value, bool) and isinstance(value, int | float | np.number)
    )


def _region_values(county: County) -> dict[str, str]:
    return {
        "adcode": county.adcode,
        "province": county.province,
        "city": county.city,
        "county": county.name,
    }


def clean_frame(frame: pd.DataFrame, regions: RegionIndex) -> pd.DataFrame:
    """Table values for every row of ``frame`` (columns as in :class:`StationDraft`).

    Vectorised: about a second for 173,000 rows. Raises :class:`InvalidStation`
    naming the first bad row (0-based frame position); nothing is returned half-clean.
    """
    frame = frame.astype(object).where(frame.notna(), None)
    out = pd.DataFrame(index=frame.index)
    out["name"] = _frame_text(frame, "name", MAX_NAME_LENGTH, required=True)
    for column, choices in (("kind", KINDS), ("status", STATUSES)):
        _frame_choice(frame, column, choices)
        out[column] = frame[column]
    for column in ("address", "phone"):
        out[column] = _frame_text(frame, column, MAX_TEXT_LENGTH)
    out["amenity_mask"] = [
        _check_row(i, _check_amenities, a) for i, a in enumerate(frame["amenities"])
    ]
    out["opening_hours"] = [
        _check_row(i, check_opening_hours, h) for i, h in enumerate(frame["opening_hours"])
    ]
    out["opening_hours_raw"] = frame.get("opening_hours_raw", out["opening_hours"])
    out["source_key"] = frame.get("source_key")
    out["lon"], out["lat"] = _frame_points(frame, regions)
    return out.join(_frame_regions(frame, regions))


def _check_row(position: int, check: Any, value: Any) -> Any:
    try:
        return check(value)
    except InvalidStation as exc:
        raise InvalidStation(exc.field, value, exc.expected, row=position) from None


def _first_bad(frame: pd.DataFrame, column: str, bad: np.ndarray, expected: str) -> None:
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise InvalidStation(column, frame[column].iloc[position], expected, row=position)


def _frame_text(
    frame: pd.DataFrame, column: str, limit: int, *, required: bool = False
) -> pd.Series:
    values = frame[column].fillna("") if not required else frame[column]
    is_text = values.map(lambda v: isinstance(v, str)).to_numpy()
    _first_bad(frame, column, ~is_text, "text")
    stripped = values.str.strip()
    if required:
        _first_bad(frame, column, (stripped == "").to_numpy(), "a non-empty text")
    _first_bad(
        frame, column, (stripped.str.len() > limit).to_numpy(), f"at most {limit} characters"
    )
    return stripped


def _frame_choice(frame: pd.DataFrame, column: str, choices: dict[str, str]) -> None:
    _first_bad(
        frame, column, ~frame[column].isin(list(choices)).to_numpy(), f"one of {', '.join(choices)}"
    )


def _frame_points(frame: pd.DataFrame, regions: RegionIndex) -> tuple[np.ndarray, np.ndarray]:
    for column in ("lon", "lat"):
        _first_bad(frame, column, ~frame[column].map(_is_number).to_numpy(dtype=bool), "a number")
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
    _first_bad(
        frame, "lon", ~(np.isfinite(lon) & (np.abs(lon) <= 180)), "a finite number from -180 to 180"
    )
    _first_bad(
        frame, "lat", ~(np.isfinite(lat) & (np.abs(lat) <= 90)), "a finite number from -90 to 90"
    )
    outside = ~regions.in_china(lon, lat)
    if outside.any():
        position = int(np.flatnonzero(outside)[0])
        raise InvalidStation(
            "location", [lon[position], lat[position]], MAINLAND_HINT, row=position
        )
    return lon, lat


def _frame_regions(frame: pd.DataFrame, regions: RegionIndex) -> pd.DataFrame:
    given = frame["adcode"] if "adcode" in frame else pd.Series(None, index=frame.index)
    missing = given.isna().to_numpy()
    adcodes = given.to_numpy(dtype=object).copy()
    if missing.any():
        adcodes[missing] = regions.locate(
            frame["lon"].to_numpy()[missing], frame["lat"].to_numpy()[missing]
        )
    counties = {
        code: county
        for code in pd.unique(adcodes)
        if isinstance(code, str) and (county := regions.county(code)) is not None
    }
    known = np.array([code in counties for code in adcodes], dtype=bool)
    _first_bad(
        frame.assign(adcode=adcodes),
        "adcode",
        ~known,
        "a 6-digit mainland county code such as 320102",
    )
    rows = [_region_values(counties[code]) for code in adcodes]
    return pd.DataFrame(rows, index=frame.index)
