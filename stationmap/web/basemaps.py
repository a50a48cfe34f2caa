"""The map backgrounds, with the attribution each requires and the system its tiles use."""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..errors import ConfigError


def basemap_config(settings: Settings) -> dict[str, Any] | None:
    """What the pages' map script needs to draw the configured background (None: no tiles).

    Amap's tiles are GCJ-02, so with it the pages ask the API for GCJ-02 coordinates and
    markers land on the tiles' streets; the others are WGS-84 (天地图 is CGCS2000, equal
    to WGS-84 at map scale).
    """
    if settings.basemap == "none":
        return None
    if settings.basemap == "osm":
        return {
            "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "crs": "wgs84",
            "attribution": "© OpenStreetMap contributors",
            "maxZoom": 19,
        }
    if settings.basemap == "amap":
        return {
            "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1"
            "&scale=1&style=8&x={x}&y={y}&z={z}",
            "subdomains": "1234",
            "crs": "gcj02",
            "attribution": "© 高德地图 AutoNavi",
            "maxZoom": 18,
        }
    if not settings.tianditu_key:
        raise ConfigError(
            "STATIONMAP_BASEMAP is tianditu but STATIONMAP_TIANDITU_KEY is "
            "empty: get a key from 天地图 (lbs.tianditu.gov.cn) and set it"
        )
    return {
        "url": "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={settings.tianditu_key}",
        "subdomains": "01234567",
        "crs": "wgs84",
        "attribution": "© 天地图 国家地理信息公共服务平台",
        "maxZoom": 18,
    }
