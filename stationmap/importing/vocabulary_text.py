"""Free text mapped onto the vocabulary: services written as prose, and the kind of host.

Services come as ``休息如厕、饮水纳凉、餐食加热``: chunks between separators, each possibly
several phrases run together. Each chunk is read left to right taking the longest known
phrase at every position (so ``电动车充电`` beats ``充电`` and ``餐食加热`` beats ``加热``);
characters no phrase covers are reported as unknown words. Our own keys
(``drinking_water``) and the Chinese labels of ``vocabulary.AMENITIES`` are phrases too.

Decisions about ambiguous words:

- ``充电`` alone is ``phone_charging``; only ``电动车充电`` and its kin (and ``充电桩``) are
  ``ebike_charging``.
- ``纳凉``, ``避暑``, ``取暖`` and ``暖气`` are ``air_conditioning``: what a rider filtering
  on 空调 wants is a room kept cool in summer and warm in winter.
- ``开水`` (boiled water, China's usual drinking water) is both ``drinking_water`` and
  ``hot_water``; ``热水`` is ``hot_water`` only.
- ``加热`` and ``热饭`` are ``microwave``; ``工具``, ``打气`` and ``充气`` are ``repair_tools``.

A station's kind comes from the file's kind column when it names one, else from the station
name by the first matching rule of :data:`KIND_RULES` (see there for the precedence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..cells import is_placeholder, normalize_text
from ..vocabulary import AMENITIES, KINDS
from ..vocabulary_words import KIND_WORDS, amenity_phrases

FILLER_PHRASES = ("免费", "提供", "配备", "配有", "设有", "设置", "可以", "可", "等", "服务",
                  "设施", "用品", "功能", "爱心", "区", "室", "角", "处", "点", "有")  # fmt: skip
"""Words around the services that say nothing about which (``免费提供饮水等服务``)."""

_AMENITY_SEPARATORS = re.compile(r"[、,;/|+&\s\[\]\"'“”‘’]+|以及|和|及|与")
"""Between services: punctuation, conjunctions, and a JSON list's brackets and quotes
(``["饮水", "如厕"]`` in a cell, or a list-valued GeoJSON property)."""

KIND_RULES: tuple[tuple[str, str], ...] = (
    ("bank", r"银行|信用社|信用联社|农商行|农信社|邮储"),
    ("petrol_station", r"加油站|加气站|中石化|中石油|中国石化|中国石油|中海油"),
    ("smart_kiosk", r"智能(?!科技)|智慧驿站|智慧小屋|集装箱"),
    ("sanitation_point", r"环卫"),
    ("government_hall", r"政务|便民服务中心|行政服务|市民中心"),
    ("community_centre", r"社区|街道|党群服务|居委会|村委会"),
    ("restaurant", r"餐|饭|面馆|食堂|酒楼|小吃"),
    ("shop", r"超市|便利店|商店|药店|药房|商场|百货"),
    ("enterprise", r"公司|集团|厂|企业"),
)
"""Name rules in precedence order: the first whose pattern occurs in the name wins.

Businesses of a named trade come before the generic ones (``XX银行社区支行`` is a bank,
``中石化XX社区加油站`` a petrol station, ``XX餐饮管理有限公司`` a restaurant, not an
enterprise). A smart kiosk is named by its form, so it beats the host organisation
(``XX社区智能驿站``) but not a bank's self-service branch; ``智能科技`` in a company's
name does not make a kiosk. Government halls come before community centres, so a
township's ``便民服务中心`` is a hall while ``社区便民服务站`` is a community centre.
"""


@dataclass(frozen=True, slots=True)
class AmenityResult:
    """The amenities a services cell names, and the words in it that name none."""

    keys: tuple[str, ...]
    """Keys of ``vocabulary.AMENITIES``, in vocabulary order, without repeats."""
    unknown_words: tuple[str, ...]
    """Leftover text, in the order written (for the clerk's warning)."""


@lru_cache(maxsize=1 << 16)
def parse_amenities(cell: str) -> AmenityResult:
    """Amenity keys for a free-text services cell (``休息如厕、饮水纳凉`` → seating, ...)."""
    text = normalize_text(cell or "")
    if is_placeholder(text):
        return AmenityResult((), ())
    found: set[str] = set()
    unknown: list[str] = []
    for chunk in _AMENITY_SEPARATORS.split(text):
        _read_chunk(chunk, found, unknown)
    keys = tuple(key for key in AMENITIES if key in found)
    return AmenityResult(keys, tuple(dict.fromkeys(unknown)))


def _read_chunk(chunk: str, found: set[str], unknown: list[str]) -> None:
    """Longest known phrase at each position; runs of uncovered characters are unknown.

    Phrases match case-insensitively; unknown words keep the case they were written in.
    """
    folded = chunk.lower() if len(chunk.lower()) == len(chunk) else chunk
    position, unknown_start = 0, None
    while position < len(chunk):
        length = _longest_phrase_at(folded, position)
        if length:
            if unknown_start is not None:
                unknown.append(chunk[unknown_start:position])
                unknown_start = None
            found.update(_PHRASES[folded[position : position + length]])
            position += length
        else:
            unknown_start = position if unknown_start is None else unknown_start
            position += 1
    if unknown_start is not None:
        unknown.append(chunk[unknown_start:])


def _longest_phrase_at(chunk: str, position: int) -> int:
    for length in range(min(_LONGEST, len(chunk) - position), 0, -1):
        if chunk[position : position + length] in _PHRASES:
            return length
    return 0


def _phrase_table() -> dict[str, tuple[str, ...]]:
    """Every phrase (lower case) and the amenity keys it stands for, fillers included."""
    return {**dict.fromkeys(FILLER_PHRASES, ()), **amenity_phrases()}


_PHRASES = _phrase_table()
_LONGEST = max(map(len, _PHRASES))
_KIND_PATTERNS = tuple((kind, re.compile(pattern)) for kind, pattern in KIND_RULES)
_KIND_BY_WORD = {
    **KIND_WORDS,
    **{label: key for key, label in KINDS.items()},
    **{key: key for key in KINDS},
}


@lru_cache(maxsize=1 << 16)
def infer_kind(name: str, given: str | None) -> tuple[str, bool]:
    """The station's kind key and whether it was inferred from its name.

    ``given`` (the file's kind column) is used when it is one of our keys, a Chinese
    label or a known word (``饭店``, ``银行网点``), or when a name rule finds a kind in it.
    Otherwise the kind comes from ``name`` by :data:`KIND_RULES`, ``"other"`` when no rule
    matches, and ``inferred`` is True. (A given text that named no kind can be spotted
    by the caller as ``given`` set and ``inferred`` True.)
    """
    given_text = normalize_text(given or "")
    if given_text:
        kind = _KIND_BY_WORD.get(given_text.lower()) or _kind_in(given_text)
        if kind:
            return kind, False
    return _kind_in(normalize_text(name or "")) or "other", True


def _kind_in(text: str) -> str | None:
    """The first kind in :data:`KIND_RULES` whose pattern occurs in ``text``."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    return None
