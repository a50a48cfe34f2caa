"""Chinese names, addresses and masked phone numbers for demo stations.

Names and addresses are built from real place names (province, city and county from
the county layer, the nearby GeoNames place when it has a Chinese name) and common
road names, with invented, generic host names: "好味道面馆(中山路店)爱心驿站",
"中国工商银行玄武支行工会驿站", "鼓楼区环卫工人休息点". Phone numbers are always
masked ("138****5621", "025-****3817"); a landline is only given where the city's
area code is known.
"""

from __future__ import annotations

import re
import string
from functools import cache

import numpy as np

from .inputs import load_counties, load_places
from .placement import Sites
from .profiles import KIND_KEYS

ROAD_STEMS = (
    "人民", "解放", "中山", "建设", "文化", "和平", "新华", "胜利", "青年", "朝阳",
    "光明", "长江", "黄河", "环城", "东风", "团结", "幸福", "工业", "迎宾", "振兴",
    "民主", "友谊", "府前", "滨河", "车站", "学府", "健康", "育才", "兴业", "红旗",
    "劳动", "公园", "五一", "八一", "新民", "复兴", "跃进", "北京", "延安", "同心",
)  # fmt: skip
ROAD_DIRECTIONS = ("", "", "", "东", "西", "南", "北", "中")
ROAD_TYPES = ("路", "路", "路", "路", "街", "大道")
BANKS = (
    "中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行",
)  # fmt: skip
EATERY_BRANDS = (
    "好味道", "家乡味", "老街坊", "福满堂", "邻里香", "阿婆", "老地方", "一品鲜", "味之源",
    "乡里乡亲",
)  # fmt: skip
EATERY_TYPES = ("家常菜馆", "面馆", "快餐店", "饺子馆", "米粉店", "包子铺", "小吃店", "粥铺")
STORES = ("惠民超市", "便民超市", "邻家便利店", "优选便利店", "万家乐超市", "好邻里便利店")
INDUSTRIES = (
    "物流", "供电", "公共交通", "水务", "燃气", "环境工程", "建筑工程", "食品", "机械制造",
    "城市发展",
)  # fmt: skip
STATION_SUFFIXES = ("工会驿站", "工会驿站", "爱心驿站", "户外劳动者服务站", "暖心驿站")

NAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "restaurant": ("{brand}{eatery}({road}店){suffix}", "{place}{brand}{eatery}{suffix}"),
    "smart_kiosk": ("{place}{road}智能工会驿站", "{county}智慧驿站({road})"),
    "shop": ("{store}({road}店){suffix}", "{place}{road}便利店{suffix}"),
    "bank": (
        "{bank}{place}支行{suffix}",
        "{bank}{road}支行{suffix}",
        "{city}农商银行{place}支行{suffix}",
    ),
    "petrol_station": ("{place}{road}加油站{suffix}", "{place}加油站{suffix}"),
    "community_centre": ("{road}社区党群服务中心{suffix}", "{place}{road}社区服务中心{suffix}"),
    "government_hall": (
        "{county}政务服务中心{suffix}",
        "{place}{road}便民服务中心{suffix}",
    ),
    "enterprise": ("{place}{industry}有限公司{suffix}", "{county}{industry}集团职工驿站"),
    "sanitation_point": (
        "{county_full}环卫工人休息点",
        "{county}{road}环卫工人休息点",
        "{place}{road}环卫爱心驿站",
    ),
    "other": ("{place}{road}{suffix}", "{place}户外劳动者服务站"),
}
"""Name patterns per kind; every field is filled from the station's own place."""

ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固",
    "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)  # fmt: skip
_AUTONOMOUS_NAME = re.compile(rf"^(.{{2,}}?)(?:(?:{'|'.join(ETHNIC_GROUPS)})族?)+自治[县旗州]$")
_NAME_ENDINGS = ("特区", "林区", "新区", "地区", "街道", "区", "县", "市", "旗", "盟", "镇", "乡")

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199",
)  # fmt: skip
AREA_CODES: dict[str, str] = {
    "11": "010", "12": "022", "31": "021", "50": "023",
    "1301": "0311", "1401": "0351", "1501": "0471", "2101": "024", "2102": "0411",
    "2201": "0431", "2301": "0451", "3201": "025", "3205": "0512", "3301": "0571",
    "3302": "0574", "3401": "0551", "3501": "0591", "3502": "0592", "3601": "0791",
    "3701": "0531", "3702": "0532", "4101": "0371", "4201": "027", "4301": "0731",
    "4401": "020", "4403": "0755", "4501": "0771", "4601": "0898", "5101": "028",
    "5201": "0851", "5301": "0871", "5401": "0891", "6101": "029", "6201": "0931",
    "6301": "0971", "6401": "0951", "6501": "0991",
}  # fmt: skip
"""Telephone area codes, by municipality (2-digit) or city (4-digit) adcode prefix."""
OFFICE_KINDS = ("bank", "government_hall", "community_centre", "enterprise")
"""Hosts that usually give a landline rather than a mobile number."""


def short_place_name(name: str) -> str:
    """A place name without its administrative ending: 玄武区 -> 玄武, 长阳土家族自治县 -> 长阳."""
    autonomous = _AUTONOMOUS_NAME.match(name)
    if autonomous:
        return autonomous.group(1)
    for ending in _NAME_ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            return name[: -len(ending)]
    return name


def name_stations(
    sites: Sites, kinds: np.ndarray, roads: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A Chinese station name per site (object array), by kind, place and road."""
    fields = _name_fields(sites, roads, rng)
    names = np.empty(len(sites), dtype=object)
    for index, kind in enumerate(KIND_KEYS):
        rows = np.flatnonzero(kinds == index)
        templates = NAME_TEMPLATES[kind]
        choice = rng.integers(0, len(templates), size=len(rows))
        for number, template in enumerate(templates):
            chosen = rows[choice == number]
            names[chosen] = _fill(template, fields, chosen)
    return names


def address_stations(sites: Sites, roads: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A full postal-style address per site: province, city, county, road and number."""
    regions = _region_prefixes()[sites.county_row]
    numbers = np.minimum(1 + rng.exponential(90.0, size=len(sites)).astype(np.int64), 999)
    return np.array(
        [
            f"{region}{road}{number}号"
            for region, road, number in zip(regions, roads, numbers, strict=True)
        ],
        dtype=object,
    )


def draw_roads(count: int, rng: np.random.Generator) -> np.ndarray:
    """Common Chinese road names, e.g. 中山路, 人民东路, 解放大道."""
    stems = draw_words(ROAD_STEMS, count, rng)
    kinds = draw_words(ROAD_TYPES, count, rng)
    sides = np.where(kinds == "路", draw_words(ROAD_DIRECTIONS, count, rng), "")
    return stems + sides + kinds


def phone_numbers(sites: Sites, kinds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A masked phone number per site: a landline where the area code is known, else mobile."""
    area = _area_codes()[sites.county_row]
    office = np.isin(kinds, [KIND_KEYS.index(kind) for kind in OFFICE_KINDS])
    landline = (area != "") & (rng.random(len(sites)) < np.where(office, 0.7, 0.15))
    prefixes = draw_words(MOBILE_PREFIXES, len(sites), rng)
    tails = rng.integers(0, 10_000, len(sites)).tolist()
    return np.array(
        [
            f"{code}-****{tail:04d}" if fixed else f"{mobile}****{tail:04d}"
            for code, fixed, mobile, tail in zip(area, landline, prefixes, tails, strict=True)
        ],
        dtype=object,
    )


def _name_fields(
    sites: Sites, roads: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Every value a name template may use, one entry per site."""
    count, counties = len(sites), load_counties()
    return {
        "place": _local_place_names(sites),
        "county": _short_county_names()[sites.county_row],
        "county_full": counties.name[sites.county_row],
        "city": _short_city_names()[sites.county_row],
        "road": roads,
        "bank": draw_words(BANKS, count, rng),
        "brand": draw_words(EATERY_BRANDS, count, rng),
        "eatery": draw_words(EATERY_TYPES, count, rng),
        "store": draw_words(STORES, count, rng),
        "industry": draw_words(INDUSTRIES, count, rng),
        "suffix": draw_words(STATION_SUFFIXES, count, rng),
    }


def draw_words(options: tuple[str, ...], count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` words drawn uniformly from ``options`` (object array)."""
    return np.array(options, dtype=object)[rng.integers(0, len(options), count)]


def _fill(template: str, fields: dict[str, np.ndarray], rows: np.ndarray) -> list[str]:
    """``template`` filled in for each of ``rows``."""
    wanted = [field for _, field, _, _ in string.Formatter().parse(template) if field]
    columns = [fields[field][rows] for field in wanted]
    return [
        template.format_map(dict(zip(wanted, values, strict=True)))
        for values in zip(*columns, strict=True)
    ]


def _local_place_names(sites: Sites) -> np.ndarray:
    """The short name of each site's own place, or of its county when it has none."""
    place_names = _short_place_names()
    county_names = _short_county_names()[sites.county_row]
    own = place_names[np.maximum(sites.place_row, 0)]
    return np.where((sites.place_row >= 0) & (own != ""), own, county_names)


@cache
def _short_place_names() -> np.ndarray:
    """Short Chinese names of the anchor places ("" where GeoNames has none)."""
    return np.array([short_place_name(name) for name in load_places().name_zh], dtype=object)


@cache
def _short_county_names() -> np.ndarray:
    """Short county names, e.g. 玄武 for 玄武区."""
    return np.array([short_place_name(name) for name in load_counties().name], dtype=object)


@cache
def _short_city_names() -> np.ndarray:
    """Short names of each county's city, e.g. 南京 for 南京市."""
    return np.array([short_place_name(name) for name in load_counties().city], dtype=object)


@cache
def _region_prefixes() -> np.ndarray:
    """Each county's address prefix: 江苏省南京市玄武区 (no repeated or placeholder levels)."""
    counties = load_counties()
    return np.array(
        [
            _region_prefix(province, city, county)
            for province, city, county in zip(
                counties.province, counties.city, counties.name, strict=True
            )
        ],
        dtype=object,
    )


def _region_prefix(province: str, city: str, county: str) -> str:
    """Province, city and county names joined, skipping a city that repeats or is a placeholder."""
    city = "" if city == province or "直辖" in city or city in ("市辖区", "县") else city
    county = "" if county == city else county
    return f"{province}{city}{county}"


@cache
def _area_codes() -> np.ndarray:
    """Each county's telephone area code, "" where it is not in ``AREA_CODES``."""
    codes = [
        AREA_CODES.get(adcode[:2]) or AREA_CODES.get(adcode[:4], "")
        for adcode in load_counties().adcode
    ]
    return np.array(codes, dtype=object)
