"""The words people use for the vocabulary's keys: services as clerks and riders write them.

Shared by the importer (a clerk's services cell, ``休息如厕、饮水纳凉``) and the finder (a
rider's typed search, ``卫生间``), so a word means the same service in a list and in a
search. :func:`amenity_phrases` maps every phrase (lower case) to the keys it names.
"""

from __future__ import annotations

from functools import cache

from .vocabulary import AMENITIES, KINDS

AMENITY_PHRASES: dict[str, tuple[str, ...]] = {
    "drinking_water": ("饮水", "饮用水", "喝水", "茶水", "饮水机", "直饮水", "纯净水",
                       "矿泉水", "免费饮水", "凉白开", "凉茶"),
    "hot_water": ("热水",),
    "seating": ("休息", "歇脚", "座椅", "桌椅", "休息座椅", "休息区", "沙发", "小憩", "休憩",
                "歇息"),
    "phone_charging": ("充电", "手机充电", "充电宝", "充电线", "充电器", "共享充电宝"),
    "ebike_charging": ("电动车充电", "电瓶车充电", "电单车充电", "电动自行车充电", "充电桩",
                       "电动车充电桩"),
    "battery_swap": ("换电", "换电柜", "换电池", "电池更换", "换电站"),
    "toilet": ("如厕", "厕所", "卫生间", "洗手间", "公厕", "厕"),
    "microwave": ("微波炉", "热饭", "餐食加热", "加热", "饭菜加热", "食物加热", "热菜"),
    "refrigerator": ("冰箱", "冷藏", "冰柜"),
    "air_conditioning": ("空调", "纳凉", "避暑", "取暖", "暖气", "冷气"),
    "first_aid": ("医药箱", "急救", "药箱", "应急药品", "常用药品", "药品", "急救包",
                  "应急药箱", "防暑药品", "医疗箱"),
    "wifi": ("无线网络", "wifi", "wi-fi", "wlan", "上网", "无线上网", "网络", "无线"),
    "repair_tools": ("维修", "打气", "充气", "工具", "维修工具", "修车", "工具箱", "打气筒"),
    "rain_gear": ("雨具", "雨伞", "雨衣", "借伞", "爱心伞"),
    "books": ("书报", "阅读", "图书", "书籍", "报刊", "报纸", "书刊", "读书", "书屋"),
    "discount_meals": ("爱心餐", "优惠餐", "平价餐", "爱心午餐", "暖心餐", "爱心早餐",
                       "爱心晚餐", "工会爱心餐"),
}  # fmt: skip
"""Phrases that name each amenity (besides its key and its Chinese label)."""

BOTH_WATERS = ("开水", "免费开水", "热开水")
"""Phrases meaning boiled water: drinkable and hot."""

KIND_WORDS: dict[str, str] = {
    "餐厅": "restaurant", "饭店": "restaurant", "餐饮": "restaurant", "餐馆": "restaurant",
    "饭馆": "restaurant", "食堂": "restaurant", "银行": "bank", "银行网点": "bank",
    "加油站": "petrol_station", "加气站": "petrol_station", "社区": "community_centre",
    "社区服务中心": "community_centre", "党群服务中心": "community_centre",
    "街道": "community_centre", "政务大厅": "government_hall", "政务服务中心": "government_hall",
    "便民服务中心": "government_hall", "企业": "enterprise", "公司": "enterprise",
    "环卫": "sanitation_point", "环卫休息点": "sanitation_point", "超市": "shop",
    "便利店": "shop", "商超": "shop", "商店": "shop", "智能驿站": "smart_kiosk",
    "智慧驿站": "smart_kiosk", "其它": "other",
}  # fmt: skip
"""Words a kind column may hold besides our keys and labels."""

VAGUE_KIND_WORDS = frozenset({"社区", "街道", "企业", "公司", "其它", "其他"})
"""Kind words that, typed in a search, more likely name a place or a host than a kind
(``XX社区``, ``XX街道``, ``XX公司``): a search keeps them as words to look for."""


@cache
def amenity_phrases() -> dict[str, tuple[str, ...]]:
    """Every phrase (lower case), our keys and labels included, and the keys it names."""
    table: dict[str, tuple[str, ...]] = {}
    for key, label in AMENITIES.items():
        for phrase in (key, *label.split("/"), *AMENITY_PHRASES[key]):
            table[phrase.lower()] = (*table.get(phrase.lower(), ()), key)
    table.update(dict.fromkeys(BOTH_WATERS, ("drinking_water", "hot_water")))
    return table


@cache
def search_kind_words() -> dict[str, str]:
    """Words that, typed in a search, name a kind of host (``银行`` → bank)."""
    words = {w: k for w, k in KIND_WORDS.items() if w not in VAGUE_KIND_WORDS}
    return words | {label: key for key, label in KINDS.items() if label not in VAGUE_KIND_WORDS}
