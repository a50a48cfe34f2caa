"""The shareable maps' HTML, read without a browser (Chromium opens them in
test_place_maps_browser.py): nothing but Leaflet, every station in the data."""

from __future__ import annotations

import json
import re

from builders import add_station

from stationmap.web.context import SERVICE_KEY
from stationmap.web.page_contents import county_map_html

STATION_DATA = re.compile(r"L\.geoJSON\((\{.*?\}), \{\n")


def test_a_county_map_needs_no_jquery_and_holds_every_station(app):
    store = app.extensions["stationmap.store"]
    add_station(store, name="玄武门驿站")
    add_station(store, name="<b>&驿站</b>", lonlat=(118.80, 32.05), opening_hours=None)

    html = county_map_html(app.extensions[SERVICE_KEY], "320102")

    assert "$(" not in html and "jQuery" not in html
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html) == []
    [data] = STATION_DATA.findall(html)
    features = json.loads(data)["features"]
    assert len(features) == 2
    assert {f["properties"]["label"] for f in features} == {
        "玄武门驿站",
        "&lt;b&gt;&amp;驿站&lt;/b&gt;",
    }
    assert "<b>&驿站" not in html
