"""``open_now`` is the state at the moment of the request on every endpoint; a query that
asks ``open_at`` adds ``open_then``, the state at the asked time (issue #11, item 12).

The stations' hours are written around the real clock rather than freezing it: one is
open all day today and tomorrow, one on the three days after, so "now" (today, or
tomorrow should the test cross midnight) and "three days on" fall on different days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from builders import XUANWU, add_station

from stationmap.hours import CHINA_TZ

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
LON, LAT = XUANWU


def _days(first: int, count: int) -> str:
    """OpenStreetMap hours open all day on ``count`` weekdays from ``first`` (0 = Monday)."""
    return ",".join(DAYS[(first + i) % 7] for i in range(count)) + " 00:00-24:00"


@pytest.fixture
def moments(any_app):
    """Three stations in one county: open now, open then, hours unknown; and the asked time."""
    now = datetime.now(CHINA_TZ)
    store = any_app.extensions["stationmap.store"]
    stations = {
        "now": add_station(store, "开着的驿站", opening_hours=_days(now.weekday(), 2)),
        "then": add_station(
            store, "三天后开的驿站", (LON + 0.001, LAT), opening_hours=_days(now.weekday() + 2, 3)
        ),
        "unknown": add_station(store, "时间不明驿站", (LON + 0.002, LAT), opening_hours=None),
    }
    asked = (now + timedelta(days=3)).replace(second=0, microsecond=0).isoformat()
    return any_app.test_client(), stations, asked.replace("+", "%2B")


def _states(features: list[dict]) -> dict[str, tuple]:
    """Each station's (open_now, open_then) by name; open_then "absent" when not sent."""
    return {
        f["properties"]["name"]: (
            f["properties"]["open_now"],
            f["properties"].get("open_then", "absent"),
        )
        for f in features
    }


ASKED_THEN = {"三天后开的驿站": (False, True), "时间不明驿站": (None, None)}
"""With ``open_at`` three days on (and unknown hours kept): the station closed now but
open then says so in both members; before the fix ``open_now`` said true."""

LISTS = [
    f"/api/v1/stations/nearest?lon={LON}&lat={LAT}&k=10",
    f"/api/v1/stations/within?lon={LON}&lat={LAT}&radius_m=5000",
    f"/api/v1/stations?bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}",
    "/api/v1/stations/search?q=驿站",
    "/api/v1/counties/320102/stations?crs=wgs84",
    f"/api/v1/clusters?bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}&zoom=17",
]


@pytest.mark.parametrize("url", LISTS, ids=lambda u: u.split("?")[0])
def test_a_list_asked_about_a_time_says_now_and_then(moments, url):
    client, _, asked = moments
    answer = client.get(f"{url}&open_at={asked}&include_unknown_hours=true")
    assert answer.status_code == 200, answer.get_json()
    assert _states(answer.get_json()["features"]) == ASKED_THEN


def test_an_asked_time_whose_plus_arrived_as_a_space_keeps_its_offset(moments):
    client, _, asked = moments
    url = f"{LISTS[0]}&include_unknown_hours=true&open_at="
    raw = client.get(url + asked.replace("%2B", "+"))  # the query string decodes it as " "
    assert raw.status_code == 200, raw.get_json()
    assert raw.get_json() == client.get(url + asked).get_json()
    assert _states(raw.get_json()["features"]) == ASKED_THEN


@pytest.mark.parametrize("url", LISTS, ids=lambda u: u.split("?")[0])
def test_a_list_not_asked_about_a_time_has_no_open_then(moments, url):
    client, _, _ = moments
    plain = _states(client.get(url).get_json()["features"])
    assert plain == {
        "开着的驿站": (True, "absent"),
        "三天后开的驿站": (False, "absent"),
        "时间不明驿站": (None, "absent"),
    }
    open_now = _states(client.get(f"{url}&open_now=true").get_json()["features"])
    assert open_now == {"开着的驿站": (True, "absent")}


def test_one_station_asked_about_a_time_says_now_and_then(moments):
    client, stations, asked = moments
    for key, expected in [("now", (True, False)), ("then", (False, True))]:
        url = f"/api/v1/stations/{stations[key].id}"
        feature = client.get(f"{url}?open_at={asked}").get_json()
        assert _states([feature]) == {stations[key].name: expected}
        assert _states([client.get(url).get_json()])[stations[key].name][1] == "absent"


def test_the_document_describes_open_then(moments):
    client, _, _ = moments
    document = client.get("/api/v1/openapi.json").get_json()
    properties = document["components"]["schemas"]["Feature"]["properties"]["properties"]
    assert "moment of the request" in properties["properties"]["open_now"]["description"]
    assert "open_at" in properties["properties"]["open_then"]["description"]
    one = document["paths"]["/api/v1/stations/{station_id}"]["get"]["parameters"]
    assert "open_at" in [p["name"] for p in one]
