"""The clerks' station pages through the Flask client: 工作台, 新增驿站, 编辑, a station,
暂停开放 / 关闭 / 恢复开放, 历史. A clerk signs in with a password, the forms post with
their CSRF field; every refused form answers 4xx with the Chinese words at the field and
leaves every table as it was."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from builders import add_station, table_dump
from conftest import _make_app
from flask import Flask
from flask.testing import FlaskClient

from stationmap.accounts.passwords import hash_password
from stationmap.accounts.unions import union_for_adcode
from stationmap.editing import latest_changes
from stationmap.hours import now_in_china
from stationmap.store import Store
from stationmap.store import users as stored_users
from stationmap.web import close_app, context
from stationmap.web.manage_contents import PAGE_SIZE

PASSWORD = "correct horse battery"
QINHUAI = (118.7944, 32.0207)
"""A point in 南京市秦淮区 (320104), next to 玄武区 (320102)."""
XUANWU_GCJ02 = "118.80,32.05"
"""A point in 玄武区 as 高德's 坐标拾取器 gives it (GCJ-02, "lng,lat")."""
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY_FIELD = re.compile(r'name="idempotency_key" value="([^"]+)"')
NEW_STATION = {
    "name": "玄武区新驿站",
    "kind": "shop",
    "address": "中山路1号",
    "lon": XUANWU_GCJ02,
    "lat": "",
    "crs": "gcj02",
    "amenities": ["hot_water", "toilet"],
    "hours_text": "周一至周五 8:30-17:30",
    "phone": "025-8888 1234",
}


@dataclass
class Site:
    app: Flask
    store: Store

    def client(self, username: str | None = "clerk") -> FlaskClient:
        """A browser of ``username`` signed in (None: nobody)."""
        client = self.app.test_client()
        if username is not None:
            signed = client.post(
                "/login",
                data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client)},
            )
            assert signed.status_code == 303, signed.get_data(as_text=True)
        return client

    def follow_index(self) -> None:
        """The live index caught up with the store (it polls a few times a second)."""
        with self.app.app_context():
            context.service().live.refresh()


@pytest.fixture
def site(spatialite_url: str) -> Iterator[Site]:
    """The app with a 玄武区 editor (clerk), a 玄武区 viewer (reader), a 秦淮区 editor
    (neighbour) and a 南京市 admin (city)."""
    app = _make_app(spatialite_url)
    with app.app_context():
        store = context.service().store
    for username, union, role in (
        ("clerk", "320102", "editor"),
        ("reader", "320102", "viewer"),
        ("neighbour", "320104", "editor"),
        ("city", "320100", "admin"),
    ):
        _add_account(store, username, union, role)
    yield Site(app, store)
    close_app(app)


def _add_account(store: Store, username: str, union: str, role: str) -> None:
    """A user who signs in with PASSWORD, as ``stationmap users add`` makes one, but with
    the hash made once for the module (argon2 takes a noticeable fraction of a second)."""
    with store.transaction() as conn:
        union_pk, _ = union_for_adcode(conn, store.regions, union, "test")
        stored_users.add(conn, username, union_pk, role, _password_hash(), "test")


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _csrf(client: FlaskClient) -> str:
    return CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)


def _form(client: FlaskClient, path: str) -> dict[str, str]:
    """The hidden fields of the form at ``path`` (CSRF token, one-time key, version)."""
    page = client.get(path).get_data(as_text=True)
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
    hidden.pop("next", None)
    return hidden


def _create(client: FlaskClient, **changed) -> object:
    return client.post(
        "/manage/stations/new", data=_form(client, "/manage/stations/new") | NEW_STATION | changed
    )


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _field_error(response, group: str) -> str:
    found = re.search(rf'class="field-error"[^>]*data-field="{group}">([^<]*)<', _text(response))
    assert found, f"no error at {group}: {re.findall(r'field-error[^>]*>[^<]*', _text(response))}"
    return found.group(1)


def _station_ids(store: Store) -> list[str]:
    return sorted(s.id for s in store.iter_stations())


# -- signed in or not ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/manage",
        "/manage/stations/new",
        "/manage/stations/aaaaaaaaaa",
        "/manage/stations/aaaaaaaaaa/edit",
        "/manage/stations/aaaaaaaaaa/history",
        "/manage/stations/aaaaaaaaaa/status?to=closed",
    ],
)
def test_anonymous_is_sent_to_sign_in_and_back(site: Site, path: str):
    answer = site.client(None).get(path)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/login?next=/manage")


@pytest.mark.parametrize(
    "path", ["/manage/hours-preview?text=24小时", "/manage/county-at?lon=1&lat=2"]
)
def test_the_form_helpers_answer_anonymous_401(site: Site, path: str):
    assert site.client(None).get(path).status_code == 401


# -- 新增驿站 --------------------------------------------------------------------------------


def test_a_clerk_creates_a_station_from_a_pasted_gcj02_pair(site: Site):
    client = site.client()
    answer = _create(client)
    assert answer.status_code == 303
    [station] = site.store.iter_stations()
    assert answer.headers["Location"] == f"/manage/stations/{station.id}"
    assert (station.name, station.county, station.kind) == ("玄武区新驿站", "玄武区", "shop")
    assert station.amenities == ("hot_water", "toilet")
    assert (station.opening_hours, station.opening_hours_raw) == (
        "Mo-Fr 08:30-17:30",
        "周一至周五 8:30-17:30",
    )
    assert abs(station.lon - 118.7948) < 1e-3 and abs(station.lat - 32.0521) < 1e-3  # WGS-84
    page = _text(client.get(answer.headers["Location"]))
    assert "周一至周五 08:30-17:30" in page and "热水" in page and ">编辑<" in page


def test_a_resubmitted_create_form_makes_one_station(site: Site):
    client = site.client()
    form = _form(client, "/manage/stations/new") | NEW_STATION
    first = client.post("/manage/stations/new", data=form)
    again = client.post("/manage/stations/new", data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert len(_station_ids(site.store)) == 1
    other = _create(client)  # a new form has a new key: a second station
    assert other.status_code == 303 and len(_station_ids(site.store)) == 2


def test_each_form_render_has_its_own_one_time_key(site: Site):
    client = site.client()
    keys = {_form(client, "/manage/stations/new")["idempotency_key"] for _ in range(3)}
    assert len(keys) == 3


BAD_FIELDS = [
    # (what, form changes, where the error shows, words it says)
    ("no name", {"name": "  "}, "name", "名称：必填"),
    ("an over-long name", {"name": "驿" * 101}, "name", "名称：最多 100 个字"),
    ("a formula name", {"name": '=HYPERLINK("http://x","y")'}, "name", "名称：不能以 ="),
    ("an over-long address", {"address": "路" * 201}, "address", "地址：最多 200 个字"),
    ("a formula address", {"address": "@SUM(A1)"}, "address", "地址：不能以 ="),
    ("an over-long phone", {"phone": "1" * 41}, "phone", "电话：最多 40 个字"),
    ("a formula phone", {"phone": "+cmd|' /C calc'!A0"}, "phone", "电话：不能以 ="),
    ("text for lon", {"lon": "东经118度", "lat": "32.05"}, "location", "经度：请填写数字"),
    ("text for lat", {"lon": "118.80", "lat": "north"}, "location", "纬度：请填写数字"),
    ("NaN for lon", {"lon": "NaN", "lat": "32.05"}, "location", "经度：经度应是 -180 到 180"),
    ("infinity for lat", {"lon": "118.80", "lat": "inf"}, "location", "纬度：纬度应是 -90 到 90"),
    (
        "lon out of range",
        {"lon": "1188.0", "lat": "32.05"},
        "location",
        "经度：经度应是 -180 到 180",
    ),
    ("lat out of range", {"lon": "118.80", "lat": "-91"}, "location", "纬度：纬度应是 -90 到 90"),
    ("no point", {"lon": "", "lat": ""}, "location", "经度：请填写数字"),
    ("a point in Paris", {"lon": "2.3522,48.8566"}, "location", "位置：这个位置不在中国大陆"),
    ("an unknown system", {"crs": "mars"}, "location", "坐标系：请从列表中选择"),
    ("an unknown kind", {"kind": "spaceship"}, "kind", "类型：请从列表中选择"),
    ("an unknown amenity", {"amenities": ["toilet", "jacuzzi"]}, "amenities", "服务设施：请从列表"),
    ("unreadable hours", {"hours_text": "看心情开门"}, "hours_text", "开放时间（文字）："),
]


@pytest.mark.parametrize(
    ("changes", "group", "words"),
    [case[1:] for case in BAD_FIELDS],
    ids=[case[0] for case in BAD_FIELDS],
)
def test_a_bad_field_is_refused_at_the_field_and_nothing_is_written(site, changes, group, words):
    client = site.client()
    before = table_dump(site.store)
    answer = _create(client, **changes)
    assert 400 <= answer.status_code < 500 and answer.status_code == 422
    assert words in _field_error(answer, group)
    assert table_dump(site.store) == before
    typed = changes.get("name") or changes.get("address") or changes.get("phone")
    if typed:  # what the clerk typed is kept, to be corrected
        assert f'value="{typed}"' in _text(answer)


def test_a_point_outside_the_jurisdiction_is_refused_403_at_the_point(site: Site):
    client = site.client()
    before = table_dump(site.store)
    lon, lat = QINHUAI
    answer = _create(client, lon=str(lon), lat=str(lat), crs="wgs84")
    assert answer.status_code == 403
    assert "秦淮区（320104）不在你的辖区" in _field_error(answer, "location")
    assert table_dump(site.store) == before


def test_a_form_without_its_csrf_field_is_refused_403(site: Site):
    client = site.client()
    before = table_dump(site.store)
    form = _form(client, "/manage/stations/new") | NEW_STATION
    del form["csrf_token"]
    assert client.post("/manage/stations/new", data=form).status_code == 403
    form["csrf_token"] = "not-the-token"
    assert client.post("/manage/stations/new", data=form).status_code == 403
    assert table_dump(site.store) == before


def test_a_tampered_one_time_key_is_refused_400(site: Site):
    client = site.client()
    before = table_dump(site.store)
    answer = _create(client, idempotency_key="ü" * 100)
    assert answer.status_code == 400 and "表单已失效" in _text(answer)
    assert table_dump(site.store) == before


# -- 编辑 ------------------------------------------------------------------------------------


def test_an_edit_changes_what_was_typed_and_keeps_the_rest(site: Site):
    station = add_station(site.store, opening_hours_raw="每天8点到20点")
    client = site.client()
    form = _form(client, f"/manage/stations/{station.id}/edit")
    page = _text(client.get(f"/manage/stations/{station.id}/edit"))
    typed = dict(re.findall(r'id="(\w+)" name="\w+"[^>]*? value="([^"]*)"', page))
    assert form["version"] == "1" and typed["hours_text"] == "每天8点到20点"
    body = {k: typed[k] for k in ("name", "address", "lon", "lat", "phone")}
    body |= {"kind": "shop", "crs": "wgs84", "amenities": list(station.amenities)}
    answer = client.post(
        f"/manage/stations/{station.id}/edit", data=form | body | {"hours_text": "24小时"}
    )
    assert answer.status_code == 303
    changed = site.store.get_station(station.id)
    assert (changed.version, changed.opening_hours, changed.lon) == (2, "24/7", station.lon)
    [entry] = [e for e in site.store.history(station.id) if e.action == "update"]
    assert set(entry.changed) == {"opening_hours", "opening_hours_raw"}


def _edit_form(client: FlaskClient, station_id: str) -> dict:
    page = _text(client.get(f"/manage/stations/{station_id}/edit"))
    typed = dict(re.findall(r'id="(\w+)" name="\w+"[^>]*? value="([^"]*)"', page))
    form = _form(client, f"/manage/stations/{station_id}/edit")
    fields = ("name", "address", "lon", "lat", "phone", "hours_text")
    return form | {k: typed[k] for k in fields} | {"kind": "shop", "crs": "wgs84"}


def test_a_stale_edit_is_refused_and_overwrites_nothing(site: Site):
    station = add_station(site.store)
    clerk, city = site.client(), site.client("city")
    loaded = _edit_form(clerk, station.id)
    first = city.post(
        f"/manage/stations/{station.id}/edit", data=_edit_form(city, station.id) | {"phone": "110"}
    )
    assert first.status_code == 303
    before = table_dump(site.store)
    stale = clerk.post(f"/manage/stations/{station.id}/edit", data=loaded | {"phone": "119"})
    assert stale.status_code == 412
    assert "该驿站已被他人修改，请刷新后再改" in _text(stale)
    assert f'href="/manage/stations/{station.id}/edit"' in _text(stale)
    assert table_dump(site.store) == before
    assert site.store.get_station(station.id).phone == "110"


def test_an_edit_without_a_version_is_refused(site: Site):
    station = add_station(site.store)
    client = site.client()
    form = _edit_form(client, station.id) | {"phone": "119"}
    del form["version"]
    before = table_dump(site.store)
    answer = client.post(f"/manage/stations/{station.id}/edit", data=form)
    assert answer.status_code == 428 and "请刷新后再改" in _text(answer)
    assert table_dump(site.store) == before


@pytest.mark.parametrize(
    ("changes", "group", "words"),
    [
        ({"name": "=1+1"}, "name", "名称：不能以 ="),
        ({"hours_text": "看心情"}, "hours_text", "开放时间（文字）"),
        ({"lon": "abc"}, "location", "经度：请填写数字"),
        ({"lon": str(QINHUAI[0]), "lat": str(QINHUAI[1])}, "location", "不在你的辖区"),
    ],
)
def test_a_bad_edit_is_refused_at_the_field(site: Site, changes, group, words):
    station = add_station(site.store)
    client = site.client()
    form = _edit_form(client, station.id)
    before = table_dump(site.store)
    answer = client.post(f"/manage/stations/{station.id}/edit", data=form | changes)
    assert answer.status_code in (403, 422)
    assert words in _field_error(answer, group)
    assert table_dump(site.store) == before


# -- a station, its status, its history ------------------------------------------------------


def test_pausing_needs_a_reason_and_a_day_not_past(site: Site):
    station = add_station(site.store)
    client = site.client()
    path = f"/manage/stations/{station.id}/status"
    form = _form(client, path + "?to=temporarily_closed")
    assert form["status"] == "temporarily_closed" and form["version"] == "1"
    before = table_dump(site.store)
    yesterday = (now_in_china().date() - timedelta(days=1)).isoformat()
    for typed, group, words in (
        ({"reason": ""}, "reason", "停用原因：暂停或关闭须写明原因"),
        ({"reason": "修" * 201}, "reason", "停用原因：最多 200 个字"),
        ({"reason": "=cmd()"}, "reason", "停用原因：不能以 ="),
        ({"reason": "装修", "reopen_on": yesterday}, "reopen_on", "不能早于今天"),
        ({"reason": "装修", "reopen_on": "下周一"}, "reopen_on", "2026-05-01"),
    ):
        answer = client.post(path, data=form | typed)
        assert answer.status_code == 422, typed
        assert words in _field_error(answer, group)
    assert table_dump(site.store) == before
    later = (now_in_china().date() + timedelta(days=30)).isoformat()
    paused = client.post(path, data=form | {"reason": "装修改造", "reopen_on": later})
    assert paused.status_code == 303
    shown = _text(client.get(f"/manage/stations/{station.id}"))
    assert "暂停开放" in shown and "装修改造" in shown and later in shown and "恢复开放" in shown
    reopened = client.post(
        path, data=_form(client, f"/manage/stations/{station.id}") | {"status": "active"}
    )
    assert reopened.status_code == 303
    now = site.store.get_station(station.id)
    assert (now.status, now.status_reason, now.reopen_on) == ("active", None, None)


def test_the_history_reads_as_a_diff_with_chinese_labels(site: Site):
    client = site.client()
    created = _create(client)
    station_id = created.headers["Location"].rsplit("/", 1)[1]
    edit = _edit_form(client, station_id) | {"hours_text": "24小时", "amenities": ["toilet"]}
    assert client.post(f"/manage/stations/{station_id}/edit", data=edit).status_code == 303
    status = _form(client, f"/manage/stations/{station_id}/status?to=closed")
    assert (
        client.post(
            f"/manage/stations/{station_id}/status", data=status | {"reason": "拆迁"}
        ).status_code
        == 303
    )
    page = re.sub(
        r"\s+",
        " ",
        re.sub(r"<[^>]+>", " ", _text(client.get(f"/manage/stations/{station_id}/history"))),
    )
    assert page.count("clerk（玄武区总工会）") == 3
    assert "开放时间 周一至周五 08:30-17:30 24小时开放" in page
    assert "服务设施 热水、卫生间 卫生间" in page
    assert "状态 正常开放 已关闭" in page and "停用原因 （空） 拆迁" in page
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", page)  # Beijing time, to the minute
    assert "新增" in page and "修改" in page


def test_an_unknown_station_is_404_and_another_county_403(site: Site):
    station = add_station(site.store)
    neighbour = site.client("neighbour")
    for path in ("", "/edit", "/history", "/status?to=closed"):
        assert neighbour.get(f"/manage/stations/{station.id}{path}").status_code == 403
        assert neighbour.get(f"/manage/stations/bbbbbbbbbb{path}").status_code == 404
        assert neighbour.get(f"/manage/stations/no-such{path}").status_code == 404
    page = _text(neighbour.get(f"/manage/stations/{station.id}"))
    assert "不在你的辖区" in page
    before = table_dump(site.store)
    form = _form(neighbour, "/manage/stations/new") | {"name": "改名", "version": "1"}
    assert neighbour.post(f"/manage/stations/{station.id}/edit", data=form).status_code == 403
    assert table_dump(site.store) == before


def test_a_viewer_reads_everything_and_writes_nothing(site: Site):
    station = add_station(site.store)
    site.follow_index()
    reader = site.client("reader")
    for path in (
        "/manage",
        f"/manage/stations/{station.id}",
        f"/manage/stations/{station.id}/history",
    ):
        page = _text(reader.get(path))
        assert station.name in page
        assert "/edit" not in page and "/manage/stations/new" not in page
        assert "/status" not in page and "恢复开放" not in page
    for path in ("/manage/stations/new", f"/manage/stations/{station.id}/edit"):
        assert reader.get(path).status_code == 403
    before = table_dump(site.store)
    form = _form(reader, f"/manage/stations/{station.id}")  # its CSRF token
    assert reader.post("/manage/stations/new", data=form | NEW_STATION).status_code == 403
    edit = form | {"version": "1", "name": "改名"}
    assert reader.post(f"/manage/stations/{station.id}/edit", data=edit).status_code == 403
    pause = form | {"version": "1", "status": "closed", "reason": "x"}
    assert reader.post(f"/manage/stations/{station.id}/status", data=pause).status_code == 403
    assert table_dump(site.store) == before


# -- 工作台 -----------------------------------------------------------------------------------


def _listed(page: str) -> list[str]:
    return re.findall(r'<li class="station" data-id="(\w+)"', page)


def test_the_workbench_searches_filters_counts_and_pages(site: Site):
    for n in range(PAGE_SIZE + 5):
        add_station(site.store, f"玄武驿站{n:02d}", amenities=("toilet",) if n % 2 else ("wifi",))
    add_station(site.store, "银行网点驿站", kind="bank", address="珠江路88号")
    paused = add_station(
        site.store, "暂停的驿站", status="temporarily_closed", status_reason="装修"
    )
    add_station(site.store, "秦淮区驿站", lonlat=QINHUAI)
    site.follow_index()
    client = site.client()
    first = _text(client.get("/manage"))
    assert len(_listed(first)) == PAGE_SIZE and "秦淮区驿站" not in first
    assert re.search(r"全部 <strong>57</strong>", first) and "暂停开放 <strong>1</strong>" in first
    assert "第 1 / 2 页" in first
    second = _text(client.get("/manage?page=2"))
    assert len(_listed(second)) == 7
    assert _listed(_text(client.get("/manage?q=珠江路"))) == _listed(
        _text(client.get("/manage?kind=bank"))
    )
    assert _listed(_text(client.get("/manage?status=temporarily_closed"))) == [paused.id]
    toilets = _listed(_text(client.get("/manage?amenity=toilet&page=1")))
    assert len(toilets) == 27 + 2  # the odd ones, and the two built with the default amenities
    assert _listed(_text(client.get("/manage?q=没有这个"))) == []
    assert client.get("/manage?page=999&status=nonsense&kind=x").status_code == 200
    city = _text(site.client("city").get("/manage"))
    assert "秦淮区驿站" in city and re.search(r"全部 <strong>58</strong>", city)
    later = add_station(site.store, "玄武驿站00½")  # a change since the index was built
    site.follow_index()
    names = re.findall(
        r'class="name" href="/manage/stations/\w+">([^<]+)<', _text(client.get("/manage"))
    )
    assert names[names.index("玄武驿站00") + 1 : names.index("玄武驿站01")] == [later.name]


def test_the_workbench_lists_the_latest_changes_of_its_jurisdiction(site: Site):
    client = site.client()
    created = _create(client)
    station_id = created.headers["Location"].rsplit("/", 1)[1]
    add_station(site.store, "秦淮区驿站", lonlat=QINHUAI)
    site.follow_index()
    page = _text(client.get("/manage"))
    latest = page.split("最近的修改", 1)[1]
    assert f'href="/manage/stations/{station_id}/history">玄武区新驿站' in latest
    assert "秦淮区驿站" not in latest and "clerk（玄武区总工会）" in latest
    assert "还没有导入过名单" in page


def test_latest_changes_keep_to_the_jurisdiction(store: Store):
    from builders import add_user as add_principal

    clerk = add_principal(store, "xw", "320102", "editor", with_token=False)
    city = add_principal(store, "nj", "320100", "viewer", with_token=False)
    mine = add_station(store, "玄武", actor="import")
    add_station(store, "秦淮", lonlat=QINHUAI, actor="import")
    store.update_station(mine.id, {"phone": "110"}, actor="import")
    assert [(c.station_name, c.entry.action) for c in latest_changes(store, clerk)] == [
        ("玄武", "update"),
        ("玄武", "create"),
    ]
    assert [c.station_name for c in latest_changes(store, city, limit=2)] == ["玄武", "秦淮"]


# -- what the form asks as the clerk types -----------------------------------------------------


def test_the_hours_preview_says_what_riders_will_read(site: Site):
    client = site.client()
    read = client.get("/manage/hours-preview", query_string={"text": "周一至周五 8:30-17:30"}).json
    assert read == {
        "ok": True,
        "osm": "Mo-Fr 08:30-17:30",
        "rider_text": "周一至周五 08:30-17:30",
        "message": None,
    }
    unread = client.get("/manage/hours-preview", query_string={"text": "看心情"}).json
    assert unread["ok"] is False and unread["message"]
    assert (
        client.get("/manage/hours-preview", query_string={"text": "x" * 100_000}).status_code == 200
    )


def test_the_county_check_names_the_county_and_the_jurisdiction(site: Site):
    client = site.client()
    lon, lat = XUANWU_GCJ02.split(",")
    mine = client.get(
        "/manage/county-at", query_string={"lon": lon, "lat": lat, "crs": "gcj02"}
    ).json
    assert (mine["county"], mine["adcode"], mine["inside"]) == ("玄武区", "320102", True)
    assert mine["map_point"] == mine["wgs84"]  # the test app's map has no tiles: WGS-84
    there = client.get(
        "/manage/county-at", query_string={"lon": QINHUAI[0], "lat": QINHUAI[1]}
    ).json
    assert (there["county"], there["inside"]) == ("秦淮区", False)
    for bad in (
        {"lon": "abc", "lat": "32"},
        {"lon": "nan", "lat": "32"},
        {"lon": "2.35", "lat": "48.85"},
    ):
        answer = client.get("/manage/county-at", query_string=bad)
        assert answer.status_code == 422 and re.search("[经纬位]", answer.json["error"]["message"])


def test_the_new_station_form_has_every_picker(site: Site):
    page = _text(site.client().get("/manage/stations/new"))
    for words in (
        "名称",
        "坐标系",
        "GCJ-02",
        "BD-09",
        "WGS-84",
        "经度",
        "纬度",
        "类型",
        "地址",
        "服务设施",
        "开放时间",
        "电话",
    ):
        assert words in page
    assert page.count('name="amenities"') == 16 and "卫生间" in page and "商超便利店" in page
    assert "/vendor/leaflet/leaflet.js" in page
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith(("/", "data:")) for a in assets)  # no CDN
