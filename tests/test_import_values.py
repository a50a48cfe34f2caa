"""One spreadsheet cell at a time: coordinates, hours, phones, services and kinds."""

from __future__ import annotations

import pytest
from opening_hours import OpeningHours

from stationmap import hours_text
from stationmap.importing.values import (
    AmenityResult,
    CellProblem,
    HoursResult,
    LonLat,
    PhoneResult,
    infer_kind,
    normalize_text,
    order_lon_lat,
    parse_amenities,
    parse_coordinate,
    parse_hours,
    parse_phones,
    parse_point,
)
from stationmap.vocabulary import AMENITIES, KINDS


@pytest.mark.parametrize(("cell", "expected"), [
    ("１２：００", "12:00"),
    ("（周一）", "(周一)"),
    ("休息，如厕", "休息,如厕"),
    ("休息、如厕", "休息、如厕"),
    ("  ＡＢＣ１２３  ", "ABC123"),
    ("饮水\u200b纳凉\ufeff", "饮水纳凉"),
    ("北京\u00a0\u00a0市\u3000东城区", "北京 市 东城区"),
    ("a\t\n b", "a b"),
    ("", ""),
])  # fmt: skip
def test_normalize_text_folds_full_width_and_tidies_spaces(cell, expected):
    assert normalize_text(cell) == expected


# --- coordinates -------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "degrees"), [
    ("116.40", 116.40),
    ("116.40°", 116.40),
    ("E116.40", 116.40),
    ("116.40E", 116.40),
    ("东经116.40", 116.40),
    ("东经：116.40", 116.40),
    ("１１６．４０", 116.40),
    ("北纬39.9", 39.9),
    ("S33.5", -33.5),
    ("西经73.5", -73.5),
    ("-116.4", -116.4),
    ("116°23'55.6\"", 116 + 23 / 60 + 55.6 / 3600),
    ("116度23分55.6秒", 116 + 23 / 60 + 55.6 / 3600),
    ("30°38′25.2″", 30 + 38 / 60 + 25.2 / 3600),
    ("N30°38′25.2″", 30 + 38 / 60 + 25.2 / 3600),
    ("116° 23' 55.6\" E", 116 + 23 / 60 + 55.6 / 3600),
    ("116°23'55.6", 116 + 23 / 60 + 55.6 / 3600),
    ("116°23.927'", 116 + 23.927 / 60),
    ("南纬30°30'", -30.5),
    (116.4, 116.4),
])  # fmt: skip
def test_coordinates_in_every_notation(cell, degrees):
    assert parse_coordinate(cell) == pytest.approx(degrees, abs=1e-9)


@pytest.mark.parametrize("cell", [
    "abc", "116.4.5", "116,40", "-116.4E", "E116.4W", "北纬100", "116°60'", "116°23'60\"",
    "116.5°23'", "116 23 55", "１１６度ａ", float("nan"),
])  # fmt: skip
def test_garbage_is_a_bad_coordinate(cell):
    problem = parse_coordinate(cell)
    assert isinstance(problem, CellProblem)
    assert problem.code == "bad_coordinate"
    assert problem.message_zh and problem.message_en


def test_an_empty_coordinate_is_missing_not_bad():
    assert parse_coordinate("").code == "missing_coordinate"


@pytest.mark.parametrize(("cell", "expected"), [
    ("116.40,39.90", LonLat(116.40, 39.90, False)),
    ("116.40，39.90", LonLat(116.40, 39.90, False)),
    ("116.40, 39.90", LonLat(116.40, 39.90, False)),
    ("116.40 39.90", LonLat(116.40, 39.90, False)),
    ("116.40;39.90", LonLat(116.40, 39.90, False)),
    ("116.40,39.90,", LonLat(116.40, 39.90, False)),
    ("39.90,116.40", LonLat(116.40, 39.90, True)),  # Tencent writes lat,lng
    ("39.90 116.40", LonLat(116.40, 39.90, True)),
    ("N39.90,E116.40", LonLat(116.40, 39.90, False)),  # labelled: not a mistake
    ("116°23'55.6\"E, 39°54'27\"N", LonLat(116 + 23 / 60 + 55.6 / 3600, 39.9075, False)),
    ("87.6,43.8", LonLat(87.6, 43.8, False)),  # Urumqi
    ("109.5,18.25", LonLat(109.5, 18.25, False)),  # Sanya
])  # fmt: skip
def test_points_from_one_cell(cell, expected):
    point = parse_point(cell)
    assert point.swapped == expected.swapped
    assert (point.lon, point.lat) == pytest.approx((expected.lon, expected.lat), abs=1e-9)


@pytest.mark.parametrize(("cell", "code"), [
    ("116.4", "bad_coordinate"),
    ("116.4,39.9,10", "bad_coordinate"),
    ("116.4;abc", "bad_coordinate"),
    ("0,0", "outside_china_range"),
    ("2.35,48.85", "outside_china_range"),  # Paris
    ("-116.4,39.9", "outside_china_range"),
    ("", "missing_coordinate"),
])  # fmt: skip
def test_points_that_are_not_in_china_or_not_points(cell, code):
    assert parse_point(cell).code == code


@pytest.mark.parametrize(("a", "b", "expected"), [
    (116.4, 39.9, LonLat(116.4, 39.9, False)),
    (39.9, 116.4, LonLat(116.4, 39.9, True)),
    (73.5, 39.5, LonLat(73.5, 39.5, False)),
    (3.9, 112.3, LonLat(112.3, 3.9, True)),
])  # fmt: skip
def test_separate_columns_are_put_in_order(a, b, expected):
    assert order_lon_lat(a, b) == expected


@pytest.mark.parametrize(("a", "b"), [(116.4, 116.4), (39.9, 39.9), (0.0, 0.0), (140.0, 39.9)])
def test_columns_that_fit_no_order_are_outside_china(a, b):
    problem = order_lon_lat(a, b)
    assert problem.code == "outside_china_range"
    assert "73" in problem.message_en and "73" in problem.message_zh


# --- opening hours -----------------------------------------------------------------------


HOURS_EXAMPLES = [
    ("24小时", "24/7"),
    ("全天", "24/7"),
    ("7×24小时", "24/7"),
    ("7*24", "24/7"),
    ("7X24h", "24/7"),
    ("全天候", "24/7"),
    ("24h", "24/7"),
    ("24小时开放", "24/7"),
    ("全年无休 24小时", "24/7"),
    ("00:00-24:00", "24/7"),
    ("每天7:00—22:00", "Mo-Su 07:00-22:00"),
    ("每日 7:00-22:00", "Mo-Su 07:00-22:00"),
    ("7:00~22:00", "Mo-Su 07:00-22:00"),
    ("７：００～２２：００", "Mo-Su 07:00-22:00"),
    ("7:00－22:00", "Mo-Su 07:00-22:00"),
    ("7:00——22:00", "Mo-Su 07:00-22:00"),
    ("7:00至22:00", "Mo-Su 07:00-22:00"),
    ("7:00到22:00", "Mo-Su 07:00-22:00"),
    ("开放时间：8:00-20:00", "Mo-Su 08:00-20:00"),
    ("8点半-17点半", "Mo-Su 08:30-17:30"),
    ("8-18", "Mo-Su 08:00-18:00"),
    ("周一至周五 9:00-17:00", "Mo-Fr 09:00-17:00"),
    ("星期一到星期五 9:00-17:00", "Mo-Fr 09:00-17:00"),
    ("周一至五 9:00-17:00", "Mo-Fr 09:00-17:00"),
    ("周一、周三、周五 9:00-11:00", "Mo,We,Fr 09:00-11:00"),
    ("周日-周四 10:00-22:00", "Mo-Th,Su 10:00-22:00"),
    ("周一至周五全天", "Mo-Fr 00:00-24:00"),
    ("9:00-17:00（周一至周五）", "Mo-Fr 09:00-17:00"),
    ("工作日 8:30-17:30（法定节假日除外）", "Mo-Fr 08:30-17:30; PH off"),
    ("周一至周六 8:00-18:00，周日休息", "Mo-Sa 08:00-18:00; Su off"),
    ("周一至周五8:30-12:00,14:30-17:30;周六日休息", "Mo-Fr 08:30-12:00,14:30-17:30; Sa,Su off"),
    ("9:00-17:00，周六、周日及节假日休息", "Mo-Su 09:00-17:00; Sa,Su off; PH off"),
    ("每天8:00-20:00，节假日休息", "Mo-Su 08:00-20:00; PH off"),
    ("每天 8:00-20:00（除节假日外）", "Mo-Su 08:00-20:00; PH off"),
    ("24小时（法定节假日除外）", "24/7; PH off"),
    ("每天8:00-20:00，节假日照常开放", "Mo-Su 08:00-20:00"),
    ("(节假日除外)周一至周五 9:00-17:00", "Mo-Fr 09:00-17:00; PH off"),  # holidays last
    (
        "周末及节假日9:00-12:00，周一至周五8:00-18:00",
        "Sa,Su 09:00-12:00; Mo-Fr 08:00-18:00; PH 09:00-12:00",
    ),
    ("8:00-12:00，14:00-18:00", "Mo-Su 08:00-12:00,14:00-18:00"),
    ("上午9:00-12:00 下午2:30-5:30", "Mo-Su 09:00-12:00,14:30-17:30"),
    ("8:00-18:00（中午12:00-14:00休息）", "Mo-Su 08:00-12:00,14:00-18:00"),
    ("9:00-17:00 午休12:00-13:30", "Mo-Su 09:00-12:00,13:30-17:00"),
    ("上午8:00-下午6:00", "Mo-Su 08:00-18:00"),
    ("早8点至晚8点", "Mo-Su 08:00-20:00"),
    ("下午2-6点", "Mo-Su 14:00-18:00"),
    ("凌晨5点-晚上11点", "Mo-Su 05:00-23:00"),
    ("18:00-次日2:00", "Mo-Su 18:00-02:00"),
    ("10:00-次日2:00", "Mo-Su 10:00-02:00"),
    ("8:00-凌晨1:00", "Mo-Su 08:00-01:00"),
    ("晚8点-次日6点", "Mo-Su 20:00-06:00"),
    ("22:00-凌晨6:00", "Mo-Su 22:00-06:00"),
    ("8:00-24:00", "Mo-Su 08:00-24:00"),
    ("Mo-Fr 09:00-17:00; PH off", "Mo-Fr 09:00-17:00; PH off"),  # already OSM
    ("24/7", "24/7"),
]


@pytest.mark.parametrize(("cell", "osm"), HOURS_EXAMPLES)
def test_hours_become_openstreetmap_syntax(cell, osm):
    assert parse_hours(cell) == HoursResult(osm, None)


@pytest.mark.parametrize(("cell", "osm"), HOURS_EXAMPLES)
def test_every_hours_string_produced_is_valid_opening_hours(cell, osm):
    OpeningHours(parse_hours(cell).osm)


@pytest.mark.parametrize("cell", [
    "夏季7:00-19:00 冬季8:00-18:00",  # seasons: not understood, kept raw
    "营业",
    "周一至周五",  # days without times
    "节假日休息",  # only closed times
    "8:00-6:00",  # ends before it starts, not said to be overnight
    "1-5",  # weekdays more likely than 1 am to 5 am
    "9:00",
    "8:00-12:00 休息",
    "25:00-26:00",
    "8:61-9:00",
    "休息",
    "看情况",
    "Mo-Fr 25:00-26:00",
    "2024",  # valid OSM (a year), but not what a clerk means
    "open",
])  # fmt: skip
def test_hours_not_understood_are_unknown_with_a_problem(cell):
    result = parse_hours(cell)
    assert result.osm is None
    assert result.problem.code == "unparsed_hours"
    assert normalize_text(cell) in result.problem.message_zh


def test_a_produced_string_opening_hours_refuses_is_never_returned(monkeypatch):
    monkeypatch.setattr(hours_text, "_render", lambda rules: "Mo-Su 25:00-26:00")
    hours_text.parse_hours.cache_clear()
    try:
        result = hours_text.parse_hours("每天 8:00-9:00")
    finally:
        hours_text.parse_hours.cache_clear()
    assert result.osm is None
    assert result.problem.code == "unparsed_hours"


@pytest.mark.parametrize("cell", ["", "   ", "无", "/", "—"])
def test_empty_hours_are_unknown_without_a_problem(cell):
    assert parse_hours(cell) == HoursResult(None, None)


# --- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "phones"), [
    ("13800001111", ["13800001111"]),
    ("138 0000 1111", ["13800001111"]),
    ("138-0000-1111", ["13800001111"]),
    ("+86 138 0000 1111", ["13800001111"]),
    ("8613800001111", ["13800001111"]),
    ("138****5678", ["138****5678"]),
    ("010-65001234", ["010-65001234"]),
    ("010—65001234", ["010-65001234"]),
    ("(025)84561234", ["025-84561234"]),
    ("（025）84561234", ["025-84561234"]),
    ("025 8456 1234", ["025-84561234"]),
    ("+86 10 6500 1234", ["010-65001234"]),
    ("0371-6666-7777", ["0371-66667777"]),
    ("0771-5551234", ["0771-5551234"]),
    ("0898-66661234", ["0898-66661234"]),
    ("010-65001234转123", ["010-65001234-123"]),
    ("010-65001234-123", ["010-65001234-123"]),
    ("0571-88886666 分机 8", ["0571-88886666-8"]),
    ("1065001234", ["010-65001234"]),  # Excel dropped the zero
    ("2584561234", ["025-84561234"]),
    ("57188886666", ["0571-88886666"]),
    ("9915551234", ["0991-5551234"]),
    (1065001234.0, ["010-65001234"]),
    ("13800001111.0", ["13800001111"]),
    (13800001111.0, ["13800001111"]),
    ("1.3800001111E+10", ["13800001111"]),  # every digit still there
    ("95588", ["95588"]),
    ("12345", ["12345"]),
    ("12351", ["12351"]),
    ("400-810-8888", ["400-810-8888"]),
    ("4008108888", ["400-810-8888"]),
    ("65001234", ["65001234"]),
    ("13800001111;13900002222", ["13800001111", "13900002222"]),
    ("13800001111；13900002222", ["13800001111", "13900002222"]),
    ("13800001111，13900002222", ["13800001111", "13900002222"]),
    ("13800001111/010-65001234", ["13800001111", "010-65001234"]),
    ("13800001111、025 8456 1234", ["13800001111", "025-84561234"]),
    ("13800001111 13900002222", ["13800001111", "13900002222"]),
    ("13800001111 13800001111", ["13800001111"]),
    ("电话：010-65001234 手机：13800001111", ["010-65001234", "13800001111"]),
])  # fmt: skip
def test_phone_numbers_are_normalised(cell, phones):
    assert parse_phones(cell) == PhoneResult(tuple(phones), None)


@pytest.mark.parametrize(("cell", "phones", "unread"), [
    ("abc", [], "abc"),
    ("1234", [], "1234"),
    ("010-6500123", [], "010-6500123"),  # Beijing numbers have 8 digits
    ("026-12345678", [], "026-12345678"),
    ("1165001234", [], "1165001234"),  # 011 is no area code
    ("张师傅 13800001111", ["13800001111"], "张师傅"),
    ("13800001111；待定", ["13800001111"], "待定"),
])  # fmt: skip
def test_unreadable_phones_are_reported_and_the_rest_kept(cell, phones, unread):
    result = parse_phones(cell)
    assert result.phones == tuple(phones)
    assert result.problem.code == "bad_phone"
    assert unread in result.problem.message_zh


def test_excel_scientific_notation_that_lost_digits_is_reported():
    result = parse_phones("1.38E+10")
    assert result.phones == ()
    assert result.problem.code == "phone_digits_lost"
    assert "文本" in result.problem.message_zh


@pytest.mark.parametrize("cell", ["", "无", None])
def test_no_phone_is_not_a_problem(cell):
    assert parse_phones(cell) == PhoneResult((), None)


# --- amenities ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "keys"), [
    ("休息如厕、饮水纳凉、餐食加热",
     {"seating", "toilet", "drinking_water", "air_conditioning", "microwave"}),
    ("饮水，热水；充电/WiFi", {"drinking_water", "hot_water", "phone_charging", "wifi"}),
    ("电动车充电", {"ebike_charging"}),
    ("电瓶车充电和手机充电", {"ebike_charging", "phone_charging"}),
    ("充电", {"phone_charging"}),
    ("换电柜", {"battery_swap"}),
    ("开水", {"drinking_water", "hot_water"}),
    ("热水", {"hot_water"}),
    ("卫生间 洗手间 厕所", {"toilet"}),
    ("冰箱+微波炉", {"refrigerator", "microwave"}),
    ("热饭", {"microwave"}),
    ("医药箱及应急药品", {"first_aid"}),
    ("打气、维修工具", {"repair_tools"}),
    ("雨伞与雨衣", {"rain_gear"}),
    ("书报阅读", {"books"}),
    ("爱心餐", {"discount_meals"}),
    ("爱心午餐", {"discount_meals"}),
    ("取暖", {"air_conditioning"}),
    ("免费提供饮水、休息等服务", {"drinking_water", "seating"}),
    ("休息区，阅读角", {"seating", "books"}),
    ("drinking_water,toilet", {"drinking_water", "toilet"}),
    ("Drinking_Water, WIFI", {"drinking_water", "wifi"}),
    ("、".join(AMENITIES.values()), set(AMENITIES)),
    (",".join(AMENITIES), set(AMENITIES)),
    ("", set()),
    ("无", set()),
])  # fmt: skip
def test_services_text_becomes_amenity_keys(cell, keys):
    result = parse_amenities(cell)
    assert set(result.keys) == keys
    assert result.unknown_words == ()


def test_amenity_keys_come_in_vocabulary_order():
    assert parse_amenities("无线网络、卫生间、饮用水").keys == ("drinking_water", "toilet", "wifi")


@pytest.mark.parametrize(("cell", "keys", "unknown"), [
    ("防暑降温、休息", ("seating",), ("防暑降温",)),
    ("休息KTV如厕", ("seating", "toilet"), ("KTV",)),
    ("按摩椅", (), ("按摩椅",)),
    ("按摩椅、按摩椅", (), ("按摩椅",)),
])  # fmt: skip
def test_unknown_service_words_are_reported(cell, keys, unknown):
    assert parse_amenities(cell) == AmenityResult(keys, unknown)


# --- kinds -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [
    ("中国工商银行北京东城社区支行工会驿站", "bank"),  # bank beats community
    ("XX农商行营业部", "bank"),
    ("XX信用社", "bank"),
    ("中石化第三加油站", "petrol_station"),
    ("中石油XX社区加油站", "petrol_station"),
    ("XX加气站", "petrol_station"),
    ("XX社区智能驿站", "smart_kiosk"),  # the kiosk is what the rider finds
    ("XX集装箱驿站", "smart_kiosk"),
    ("XX环卫工人休息点", "sanitation_point"),
    ("XX区政务服务中心", "government_hall"),
    ("XX镇便民服务中心", "government_hall"),
    ("XX街道党群服务中心", "community_centre"),
    ("XX社区便民服务站", "community_centre"),
    ("兰州牛肉面馆", "restaurant"),
    ("XX快餐店", "restaurant"),
    ("XX餐饮管理有限公司", "restaurant"),  # trade beats "company"
    ("XX便利店", "shop"),
    ("XX大药房", "shop"),
    ("XX智能科技有限公司", "enterprise"),
    ("XX集团", "enterprise"),
    ("XX机械厂", "enterprise"),
    ("某某驿站", "other"),
])  # fmt: skip
def test_kind_is_inferred_from_the_name_in_order_of_precedence(name, kind):
    assert infer_kind(name, None) == (kind, True)


@pytest.mark.parametrize(("given", "kind"), [
    ("restaurant", "restaurant"),
    ("Bank", "bank"),
    ("餐厅", "restaurant"),
    ("饭店", "restaurant"),
    ("餐饮", "restaurant"),
    ("银行", "bank"),
    ("银行网点", "bank"),
    ("国有银行", "bank"),
    ("商超便利店", "shop"),
    ("社区服务中心", "community_centre"),
    ("其他", "other"),
    *((label, key) for key, label in KINDS.items()),
])  # fmt: skip
def test_a_given_kind_is_taken_when_it_names_one(given, kind):
    assert infer_kind("某某驿站", given) == (kind, False)


def test_a_given_kind_naming_nothing_falls_back_to_the_name():
    assert infer_kind("XX银行", "乱写") == ("bank", True)
    assert infer_kind("XX银行", "") == ("bank", True)
