"""Shareable, standalone HTML maps drawn with folium, with every asset inside the file.

folium links ten scripts and stylesheets on six CDN hosts by default (jQuery and
Bootstrap among them); in China they are slow or blocked, and a map sent to a county
office must open offline. These maps carry Leaflet itself (from the pinned XStatic
package) inline and drop folium's other assets, so they may use only what needs
nothing but Leaflet: the map, tiles, the scale and a GeoJSON outline. folium's own
``Popup`` builds its content with jQuery (``$(...)``), so the stations are drawn by
:class:`StationLayer` instead: one GeoJSON layer whose circle markers bind Leaflet's
own popups.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import folium
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from xstatic.pkg import leaflet

from .hours import describe_hours
from .regions import RegionIndex
from .types import FoundStation
from .vocabulary import AMENITIES, KINDS, STATUSES

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

MARKER_COLOURS: dict[str, str] = {
    "open": "#15803d",
    "closed": "#b91c1c",
    "unknown": "#64748b",
    "out_of_service": "#1f2937",
}
"""Marker fill by what a rider finds there now (the pages' ``station-marker`` colours)."""

STATE_LABELS: dict[str, str] = {
    "open": "开放中",
    "closed": "当前未开放",
    "unknown": "开放时间未知",
    "out_of_service": "停止服务",
}
"""What a map or page says of a station's state now (the keys of :func:`marker_state`)."""


def state_labels_at(clock: str) -> dict[str, str]:
    """What a map of the stations at another time of day (``clock``, such as ``21:00``)
    says of their state then."""
    return STATE_LABELS | {"open": f"{clock} 开放", "closed": f"{clock} 未开放"}


class StationLayer(MacroElement):
    """Every station as a circle marker with a Leaflet popup, from one inline GeoJSON.

    Written with Leaflet alone (``L.geoJSON``, ``L.circleMarker``, ``bindPopup``), so
    it works in a file that carries no jQuery; the layer's markers carry the class
    ``station-dot`` so a reader (or a test) can count them.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.json }}, {
    pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
            radius: 8, color: "#ffffff", weight: 2, fillOpacity: 0.9,
            fillColor: feature.properties.colour, className: "station-dot"
        });
    },
    onEachFeature: function (feature, layer) {
        layer.bindPopup(feature.properties.popup, {maxWidth: 260});
        if (!L.Browser.mobile) layer.bindTooltip(feature.properties.label);
    }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, found: list[FoundStation], labels: Mapping[str, str] = STATE_LABELS) -> None:
        super().__init__()
        self._name = "StationLayer"
        features = [_feature(f, labels) for f in found]
        self.data = {"type": "FeatureCollection", "features": features}
        self.json = _script_json(self.data)


def station_map(
    found: list[FoundStation],
    title: str,
    notice: str | None,
    boundary=None,
    tiles: bool = True,
    labels: Mapping[str, str] = STATE_LABELS,
) -> folium.Map:
    """A folium map of ``found`` (and an optional county ``boundary``), assets inline;
    ``labels`` name the markers' states (their state now, unless told otherwise)."""
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
    StationLayer(found, labels).add_to(fmap)
    root.html.add_child(Element(_banner(title, notice, labels)))
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


def marker_state(item: FoundStation) -> str:
    """What a rider finds at the station now: a key of ``MARKER_COLOURS``."""
    if item.station.status != "active":
        return "out_of_service"
    if item.open_now is None:
        return "unknown"
    return "open" if item.open_now else "closed"


def _inline_leaflet() -> str:
    base = Path(leaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    return f"<style>{css}</style>\n<script>{js}</script>"


def _script_json(data: Any) -> str:
    """``data`` as JSON safe inside a <script> element, Chinese kept as it is (readable,
    and half the bytes of ``\\u`` escapes)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _feature(item: FoundStation, labels: Mapping[str, str]) -> dict[str, Any]:
    """One station as a GeoJSON Feature carrying its marker colour, label and popup."""
    s = item.station
    state = marker_state(item)
    return {
        "type": "Feature",
        "id": s.id,
        "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
        "properties": {
            "colour": MARKER_COLOURS[state],
            "label": html.escape(s.name),
            "popup": _popup(item, state, labels),
        },
    }


def _popup(item: FoundStation, state: str, labels: Mapping[str, str]) -> str:
    """The popup's HTML: name, kind and state, address, hours, phone, services."""
    s = item.station
    hours = describe_hours(s.opening_hours) or s.opening_hours_raw or "未知"
    status = STATUSES[s.status] if s.status != "active" else labels[state]
    lines = [
        f"<b class='name'>{html.escape(s.name)}</b>",
        f"{html.escape(KINDS[s.kind])} · <span class='state'>{html.escape(status)}</span>",
        html.escape(s.address),
        f"开放时间：{html.escape(hours)}",
    ]
    if s.phone:
        lines.append(f"电话：{html.escape(s.phone)}")
    if s.amenities:
        lines.append(html.escape("、".join(AMENITIES[a] for a in s.amenities)))
    return "<br>".join(lines)


def _banner(title: str, notice: str | None, labels: Mapping[str, str]) -> str:
    note = f"<div style='color:#92400e'>{html.escape(notice)}</div>" if notice else ""
    legend = " ".join(
        f"<span style='white-space:nowrap'><span style='display:inline-block;width:10px;"
        f"height:10px;border-radius:50%;background:{MARKER_COLOURS[key]}'></span> {label}</span>"
        for key, label in labels.items()
        if key != "out_of_service"
    )
    return (
        "<div class='map-banner' style='position:fixed;top:8px;left:50px;right:8px;"
        "z-index:1000;background:#fff;padding:6px 10px;border-radius:6px;"
        "font:14px sans-serif;box-shadow:0 1px 4px #0003;max-width:420px'>"
        f"<b>{html.escape(title)}</b>{note}<div style='font-size:12px'>{legend}</div></div>"
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
