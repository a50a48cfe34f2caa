"""The stable keys stationmap speaks in, with the Chinese labels the UI shows.

The keys are part of the public API (documented in the OpenAPI document and the
README), which clients rely on: never rename one. The order of ``AMENITIES`` is the
bit order of the store's amenity mask, so new amenities are appended, never inserted.
"""

from __future__ import annotations

from functools import lru_cache

AMENITIES: dict[str, str] = {
    "drinking_water": "饮用水",
    "hot_water": "热水",
    "seating": "休息座椅",
    "phone_charging": "手机充电",
    "ebike_charging": "电动车充电",
    "battery_swap": "换电",
    "toilet": "卫生间",
    "microwave": "微波炉",
    "refrigerator": "冰箱",
    "air_conditioning": "空调",
    "first_aid": "医药箱",
    "wifi": "无线网络",
    "repair_tools": "维修工具/打气",
    "rain_gear": "雨具",
    "books": "书报",
    "discount_meals": "爱心餐",
}

KINDS: dict[str, str] = {
    "restaurant": "餐厅",
    "smart_kiosk": "智能驿站",
    "shop": "商超便利店",
    "bank": "银行网点",
    "petrol_station": "加油站",
    "community_centre": "社区服务中心",
    "government_hall": "政务服务大厅",
    "enterprise": "企业",
    "sanitation_point": "环卫休息点",
    "other": "其他",
}

STATUSES: dict[str, str] = {
    "active": "正常开放",
    "temporarily_closed": "暂停开放",
    "closed": "已关闭",
    "pending": "待审核",
}

SYNTHETIC_DATA_NOTICE = "演示数据为合成数据，并非真实驿站 / Synthetic demo data, not real stations."
"""Shown by every page, API answer and export while the synthetic demo set is loaded."""

_AMENITY_BITS: dict[str, int] = {key: 1 << i for i, key in enumerate(AMENITIES)}


def amenity_mask(amenities: list[str] | tuple[str, ...] | set[str]) -> int:
    """Pack amenity keys into the integer bit mask the store keeps.

    Raises ``KeyError`` naming the first unknown key; callers at the store
    boundary turn that into a user-facing validation error.
    """
    mask = 0
    for key in amenities:
        mask |= _AMENITY_BITS[key]
    return mask


@lru_cache(maxsize=1 << 16)
def amenities_from_mask(mask: int) -> tuple[str, ...]:
    """Unpack a bit mask into amenity keys, in vocabulary order."""
    return tuple(key for key, bit in _AMENITY_BITS.items() if mask & bit)
