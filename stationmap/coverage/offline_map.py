"""A county's coverage as one shareable HTML file: its gaps, stations and proposed sites.

Built on :mod:`stationmap.offline_maps` (folium with Leaflet inline, no CDN, no jQuery):
the base map carries the county's outline and its stations coloured by their state at
the chosen moment; on it go the uncovered populated cells shaded by their people, the
proposed sites with their catchment circles, and a legend that says the population is
modelled when it is. Every layer is drawn by Leaflet alone, so the file opens offline.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from ..finder import StationIndex, county_stations
from ..offline_maps import STATE_LABELS, _script_json, state_labels_at, station_map
from ..types import FoundStation
from .areas import Area
from .catchment import Catchment
from .gaps import gap_cells
from .reach import StationSet
from .surface import PopulationSurface

GAP_BREAKS = (100, 500, 2_000, 5_000)
"""People in an uncovered cell at which its shade steps up (the page uses the same)."""
GAP_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
SITE_COLOUR = "#1d4ed8"
RANK_STYLE = (
    "<style>.leaflet-tooltip.site-rank{background:none;border:0;box-shadow:none;color:#fff;"
    "font:700 11px sans-serif;padding:0}.leaflet-tooltip.site-rank::before{display:none}</style>"
)
"""A proposed site's rank written on its dot, not in a tooltip box beside it."""


class GapLayer(MacroElement):
    """The uncovered cells as one GeoJSON layer under the stations, each shaded by its
    people (class ``gap-cell``, so a reader or a test can count them)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.createPane("gaps").style.zIndex = 350;
var {{ this.get_name() }} = L.geoJSON({{ this.json }}, {
    pane: "gaps",
    style: function (feature) {
        return {color: "#7f1d1d", weight: 0.5, fillOpacity: 0.6,
                fillColor: feature.properties.fill, className: "gap-cell"};
    },
    onEachFeature: function (feature, layer) { layer.bindPopup(feature.properties.popup); }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, gaps: dict[str, Any]) -> None:
        super().__init__()
        self._name = "GapLayer"
        features = [_gap_feature(f) for f in gaps["features"]]
        self.json = _script_json({"type": "FeatureCollection", "features": features})


class SiteLayer(MacroElement):
    """The proposed sites: a numbered dot each (class ``proposed-site``) and its
    catchment circle of the radius in metres (class ``site-catchment``)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = {{ this.json }};
{{ this.get_name() }}.forEach(function (site) {
    L.circle([site.lat, site.lon], {radius: site.radius_m, color: "{{ this.colour }}",
        weight: 1.5, dashArray: "4 3", fillOpacity: 0.08, className: "site-catchment",
        interactive: false}).addTo({{ this._parent.get_name() }});
    L.circleMarker([site.lat, site.lon], {radius: 9, color: "#ffffff", weight: 2,
        fillColor: "{{ this.colour }}", fillOpacity: 1, className: "proposed-site"})
        .bindPopup(site.popup).bindTooltip(String(site.rank), {permanent: true,
            direction: "center", className: "site-rank"})
        .addTo({{ this._parent.get_name() }});
});
{% endmacro %}
"""
    )

    def __init__(self, answer: dict[str, Any], radius_m: float) -> None:
        super().__init__()
        self._name = "SiteLayer"
        self.colour = SITE_COLOUR
        sites = [
            {
                "rank": rank,
                "lon": site["lon"],
                "lat": site["lat"],
                "radius_m": radius_m,
                "popup": f"<b>建议站点 {rank}</b><br>新覆盖约 {site['newly_covered']:,} 人"
                f"<br>{site['lon']:.5f}, {site['lat']:.5f}",
            }
            for rank, site in enumerate(answer["sites"], start=1)
        ]
        self.json = _script_json(sites)


def coverage_map(
    index: StationIndex,
    surface: PopulationSurface,
    area: Area,
    stations: StationSet,
    catchment: Catchment,
    proposals: dict[str, Any] | None,
    *,
    boundary: Any,
    notice: str | None,
    tiles: bool = True,
) -> folium.Map:
    """The county's coverage at the moment of ``stations``: gaps, stations, proposals."""
    found = [as_then(f) for f in county_stations(index, area.adcode, at=stations.moment)]
    moment = stations.moment.strftime("%H:%M") if stations.moment else "任意时刻"
    title = f"{area.name}驿站覆盖（{moment}，半径 {catchment.radius_m:,.0f} 米）"
    labels = state_labels_at(moment) if stations.moment else STATE_LABELS
    fmap = station_map(found, title, notice, boundary, tiles=tiles, labels=labels)
    gaps = gap_cells(index, surface, area, stations, catchment)
    GapLayer(gaps).add_to(fmap)
    if proposals is not None and proposals["sites"]:
        SiteLayer(proposals, catchment.radius_m).add_to(fmap)
    legend = _legend(gaps, proposals)
    cast(Figure, fmap.get_root()).html.add_child(Element(legend))
    return fmap


def as_then(found: FoundStation) -> FoundStation:
    """The station as a rider would find it at the moment asked (``open_then``), in the
    place the shared maps read its state from (``open_now``)."""
    return replace(found, open_now=found.open_then)


def gap_colour(people: float) -> str:
    """The shade of an uncovered cell holding ``people``."""
    return GAP_COLOURS[sum(people >= b for b in GAP_BREAKS)]


def _gap_feature(feature: dict[str, Any]) -> dict[str, Any]:
    people = feature["properties"]["population"]
    nearest = feature["properties"]["nearest_m"]
    far = "无符合条件的驿站" if nearest is None else f"最近驿站 {nearest / 1000:.1f} 公里"
    return {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {
            "fill": gap_colour(people),
            "popup": f"未覆盖：约 {people:,.0f} 人<br>{far}",
        },
    }


def _legend(gaps: dict[str, Any], proposals: dict[str, Any] | None) -> str:
    """The legend box: the gap shades, the proposals' figures, the population's source."""
    edges = ("0", *(f"{b:,}" for b in GAP_BREAKS))
    swatches = "".join(
        f"<span style='white-space:nowrap'><span style='display:inline-block;width:12px;"
        f"height:12px;background:{colour};border:1px solid #7f1d1d'></span> "
        f"{edges[i]}{'–' + edges[i + 1] if i + 1 < len(edges) else '+'}</span> "
        for i, colour in enumerate(GAP_COLOURS)
    )
    uncovered = sum(f["properties"]["population"] for f in gaps["features"])
    lines = [
        f"<b>未覆盖的有人居住网格</b>（{gaps['uncovered_cells']:,} 格，约 {uncovered:,.0f} 人）",
        f"<div>{swatches}</div>",
    ]
    if proposals is not None and proposals["sites"]:
        method = "精确求解" if proposals["method"] == "exact" else "贪心算法"
        lines.append(
            f"<div><span style='color:{SITE_COLOUR}'>●</span> 建议新增站点 "
            f"{len(proposals['sites'])} 个（{method}），虚线圈为服务半径；新覆盖约 "
            f"{proposals['newly_covered']:,} 人</div>"
        )
    if gaps.get("population_note"):
        note = html.escape(gaps["population_note"])
        lines.append(f"<div class='population-note' style='color:#92400e'>{note}</div>")
    return (
        RANK_STYLE
        + "<div class='coverage-legend' style='position:fixed;bottom:24px;right:8px;z-index:1000;"
        "background:#fff;padding:6px 10px;border-radius:6px;font:13px sans-serif;"
        "box-shadow:0 1px 4px #0003;max-width:460px'>" + "".join(lines) + "</div>"
    )
