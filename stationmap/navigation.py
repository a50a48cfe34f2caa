"""Hand-off links to the navigation apps riders use, each in its own coordinate system.

Amap and Tencent Maps take GCJ-02, Baidu Maps BD-09; a WGS-84 point given to any of
them lands 300 to 1,500 m off. The links open the app when installed, the web map
otherwise.
"""

from __future__ import annotations

from urllib.parse import quote

from .coordinates import point_from_wgs84
from .types import Station


def navigation_links(station: Station) -> dict[str, str]:
    """Links that show ``station`` in Amap, Baidu Maps and Tencent Maps."""
    gcj_lon, gcj_lat = point_from_wgs84(station.lon, station.lat, "gcj02")
    bd_lon, bd_lat = point_from_wgs84(station.lon, station.lat, "bd09")
    name, address = quote(station.name), quote(station.address or station.name)
    return {
        "amap": f"https://uri.amap.com/marker?position={gcj_lon:.6f},{gcj_lat:.6f}"
        f"&name={name}&src=stationmap&coordinate=gaode&callnative=1",
        "baidu": f"https://api.map.baidu.com/marker?location={bd_lat:.6f},{bd_lon:.6f}"
        f"&title={name}&content={address}&output=html&coord_type=bd09ll&src=stationmap",
        "tencent": f"https://apis.map.qq.com/uri/v1/marker?marker=coord:{gcj_lat:.6f},"
        f"{gcj_lon:.6f};title:{name};addr:{address}&referer=stationmap",
    }
