"""Shareable, standalone HTML maps drawn with folium, with every asset inside the file.

folium links ten scripts and stylesheets on six CDN hosts by default; in China they are
slow or blocked, and a map sent to a county office must open offline. These maps
carry Leaflet itself (from the pinned XStatic package) inline and use only Leaflet's
own markers, tooltips and popups, so they need nothing else.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import cast

import folium
import shapely
from branca.element import Element, Figure
from xstatic.pkg import leaflet

from .hours import describe_hours
from .regions import RegionIndex
from .types import FoundStation
from .vocabulary import AMENITIES, KINDS

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


MARKER_COLOURS: dict[bool | None, str] = {True: "#15803d", False: "#b91c1c", None: "#64748b"}
"""Open, closed, and unknown hours."""


def station_map(
    found: list[FoundStation], title: str, notice: str | None, boundary=None, tiles: bool = True
) -> folium.Map:
    """A folium map of ``found`` (and an optional county ``boundary``), assets inline."""
    fmap = folium.Map(location=_centre(found), zoom_start=12, tiles=None, control_scale=True)
    fmap.default_js, fmap.default_css = [], []
    root = cast(Figure, fmap.get_root())
    root.header.add_child(Element(_inline_leaflet()))
    if tiles:
        folium.TileLayer(
            OSM_TILES, attr="© OpenStreetMap contributors", name="OpenStreetMap"
        ).add_to(fmap)
    if boundary is not None:
        folium.GeoJson(
            boundary,
            name="县界",
            style_function=lambda _: {"color": "#b91c1c", "weight": 2, "fillOpacity": 0.05},
        ).add_to(fmap)
    for item in found:
        _add_marker(fmap, item)
    root.html.add_child(Element(_banner(title, notice)))
    bounds = _bounds(found, boundary)
    if bounds:
        fmap.fit_bounds(bounds)
    return fmap


def save_map(fmap: folium.Map, path: Path) -> None:
    """Write the map as one HTML file."""
    fmap.save(str(path))


def county_boundary(regions: RegionIndex, adcode: str):
    """The county's outline as a GeoJSON geometry."""
    return shapely.geometry.mapping(regions.boundary(adcode))


def _inline_leaflet() -> str:
    base = Path(leaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    return f"<style>{css}</style>\n<script>{js}</script>"


def _add_marker(fmap: folium.Map, item: FoundStation) -> None:
    s = item.station
    colour = MARKER_COLOURS[item.open_now]
    hours = describe_hours(s.opening_hours) or "未知"
    popup = (
        f"<b>{html.escape(s.name)}</b><br>{html.escape(KINDS[s.kind])}<br>"
        f"{html.escape(s.address)}<br>开放时间：{html.escape(hours)}<br>"
        + "、".join(AMENITIES[a] for a in s.amenities)
    )
    folium.CircleMarker(
        (s.lat, s.lon),
        radius=6,
        color="#fff",
        weight=1,
        fill=True,
        fill_color=colour,
        fill_opacity=0.9,
        tooltip=html.escape(s.name),
        popup=folium.Popup(popup, max_width=260),
    ).add_to(fmap)


def _banner(title: str, notice: str | None) -> str:
    note = f"<div style='color:#92400e'>{html.escape(notice)}</div>" if notice else ""
    return (
        "<div style='position:fixed;top:8px;left:50px;z-index:1000;background:#fff;"
        "padding:6px 10px;border-radius:6px;font:14px sans-serif;box-shadow:0 1px 4px #0003'>"
        f"<b>{html.escape(title)}</b>{note}</div>"
    )


def _centre(found: list[FoundStation]) -> tuple[float, float]:
    if not found:
        return (35.0, 105.0)
    return (
        sum(f.station.lat for f in found) / len(found),
        sum(f.station.lon for f in found) / len(found),
    )


def _bounds(found: list[FoundStation], boundary) -> list[list[float]] | None:
    if boundary is not None:
        west, south, east, north = shapely.geometry.shape(boundary).bounds
        return [[south, west], [north, east]]
    if not found:
        return None
    lats = [f.station.lat for f in found]
    lons = [f.station.lon for f in found]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
