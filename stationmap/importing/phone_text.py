"""Telephone numbers from a phone cell, tidied into the forms riders can dial.

A cell may hold several numbers (separated by ``;`` ``,`` ``/`` ``、`` or spaces), labels
(``电话：``), masked mobiles (``138****5678``, kept as written) and the damage Excel does:
a landline stored as a number loses its leading zero (``1065001234`` for 010-65001234),
a mobile becomes ``13800001111.0``, or, exported as displayed, ``1.38E+10``, whose last
digits are gone for good. Output forms: ``13800001111``, ``010-65001234``,
``0571-8888666-123`` (extension), ``400-810-8888``, ``95588``, ``12351``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..cells import CellProblem, CellValue, cell_text, is_placeholder

AREA_CODES: dict[str, str] = {
    "010": "北京", "020": "广州", "021": "上海", "022": "天津", "023": "重庆",
    "024": "沈阳", "025": "南京", "027": "武汉", "028": "成都", "029": "西安",
    "0311": "石家庄", "0312": "保定", "0310": "邯郸", "0313": "张家口", "0314": "承德",
    "0315": "唐山", "0316": "廊坊", "0317": "沧州", "0318": "衡水", "0319": "邢台",
    "0335": "秦皇岛",
    "0351": "太原", "0352": "大同",
    "0371": "郑州", "0370": "商丘", "0372": "安阳", "0373": "新乡", "0374": "许昌",
    "0375": "平顶山", "0376": "信阳", "0377": "南阳", "0378": "开封", "0379": "洛阳",
    "0391": "焦作", "0393": "濮阳", "0394": "周口", "0395": "漯河", "0396": "驻马店",
    "0398": "三门峡",
    "0411": "大连", "0412": "鞍山", "0413": "抚顺", "0414": "本溪", "0415": "丹东",
    "0416": "锦州", "0417": "营口", "0418": "阜新", "0419": "辽阳", "0427": "盘锦",
    "0429": "葫芦岛",
    "0431": "长春", "0432": "吉林",
    "0451": "哈尔滨", "0452": "齐齐哈尔", "0453": "牡丹江", "0454": "佳木斯", "0459": "大庆",
    "0471": "呼和浩特", "0472": "包头", "0476": "赤峰", "0477": "鄂尔多斯",
    "0531": "济南", "0532": "青岛", "0533": "淄博", "0534": "德州", "0535": "烟台",
    "0536": "潍坊", "0537": "济宁", "0538": "泰安", "0539": "临沂", "0530": "菏泽",
    "0543": "滨州", "0546": "东营", "0631": "威海", "0632": "枣庄", "0633": "日照",
    "0635": "聊城",
    "0510": "无锡", "0511": "镇江", "0512": "苏州", "0513": "南通", "0514": "扬州",
    "0515": "盐城", "0516": "徐州", "0517": "淮安", "0518": "连云港", "0519": "常州",
    "0523": "泰州", "0527": "宿迁",
    "0551": "合肥", "0552": "蚌埠", "0553": "芜湖", "0554": "淮南", "0555": "马鞍山",
    "0556": "安庆", "0561": "淮北", "0562": "铜陵",
    "0571": "杭州", "0570": "衢州", "0572": "湖州", "0573": "嘉兴", "0574": "宁波",
    "0575": "绍兴", "0576": "台州", "0577": "温州", "0578": "丽水", "0579": "金华",
    "0580": "舟山",
    "0591": "福州", "0592": "厦门", "0593": "宁德", "0594": "莆田", "0595": "泉州",
    "0596": "漳州", "0597": "龙岩", "0598": "三明", "0599": "南平",
    "0731": "长沙", "0730": "岳阳", "0732": "湘潭", "0733": "株洲", "0734": "衡阳",
    "0735": "郴州", "0736": "常德", "0737": "益阳", "0738": "娄底", "0739": "邵阳",
    "0710": "襄阳", "0714": "黄石", "0716": "荆州", "0717": "宜昌", "0719": "十堰",
    "0755": "深圳", "0750": "江门", "0751": "韶关", "0752": "惠州", "0753": "梅州",
    "0754": "汕头", "0756": "珠海", "0757": "佛山", "0758": "肇庆", "0759": "湛江",
    "0760": "中山", "0762": "河源", "0763": "清远", "0766": "云浮", "0768": "潮州",
    "0769": "东莞", "0660": "汕尾", "0662": "阳江", "0663": "揭阳", "0668": "茂名",
    "0771": "南宁", "0772": "柳州", "0773": "桂林", "0774": "梧州", "0779": "北海",
    "0791": "南昌", "0792": "九江", "0797": "赣州", "0798": "景德镇",
    "0851": "贵阳", "0852": "遵义",
    "0871": "昆明", "0872": "大理",
    "0812": "攀枝花", "0813": "自贡", "0816": "绵阳", "0817": "南充", "0838": "德阳",
    "0891": "拉萨",
    "0898": "海南",
    "0917": "宝鸡",
    "0931": "兰州",
    "0951": "银川",
    "0971": "西宁",
    "0991": "乌鲁木齐",
}  # fmt: skip
"""Area codes by city, for restoring a zero Excel dropped. Only codes the author is sure of;
026 is left out on purpose (not assigned on the mainland)."""

_DASHES = str.maketrans(dict.fromkeys("—–−―", "-"))
_CELL_SEPARATORS = re.compile(r"[;,/、|]+|或")
_LABELS = re.compile(
    r"(?:联系电话|值班电话|服务电话|办公电话|咨询电话|电话号码|固定电话|联系方式|手机号码|手机号"
    r"|手机|座机|固话|电话|tel|phone|mobile)\s*:?",
    re.IGNORECASE,
)
_EXTENSION_WORDS = re.compile(r"\s*(?:转|分机|ext\.?)\s*", re.IGNORECASE)
_NON_PHONE_RUNS = re.compile(r"([^\x00-\x7f]+)")
_EXCEL_WHOLE = re.compile(r"(\d+)\.0+")
_EXCEL_SCIENTIFIC = re.compile(r"(\d)\.(\d+)[eE]\+?(\d{1,2})")
_COUNTRY_PREFIX = re.compile(r"^(?:\(\+?86\)|(?:\+|00)\s*86|86(?=1[3-9]\d{9}$))[\s-]*")
_PHONE_CHARACTERS = re.compile(r"[\d\s()*xX#-]+")
_GROUPING = re.compile(r"[\s()-]")
_DIGIT_GROUPS = re.compile(r"\d+")
_ONE_NUMBER = re.compile(r"[\d()-]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_MASKED_MOBILE = re.compile(r"1[3-9]\d[\d*xX]{4}\d{4}")
_SERVICE = re.compile(r"(?:95|96)\d{3,4}|12\d{3}|100\d{2}")
_NATIONAL_SERVICE = re.compile(r"[48]00\d{7}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """The numbers found in a phone cell, and what could not be read."""

    phones: tuple[str, ...]
    """Normalised numbers in the order written, without repeats; joined with ``;`` to store.

    A tuple, not a list: results are cached and shared between rows.
    """
    problem: CellProblem | None
    """Set when part of the cell is not a number (``bad_phone``) or lost digits in Excel."""


class _LostDigits(str):
    """A cell fragment Excel wrote as ``1.38E+10``: its last digits are gone."""


def parse_phones(cell: CellValue) -> PhoneResult:
    """Every phone number in one cell, normalised (see the module notes for the forms).

    Parts that are not numbers are reported in ``problem`` (code ``bad_phone``) while the
    numbers found are still returned; Excel's ``1.38E+10`` gives ``phone_digits_lost``.
    """
    return _parse_text(cell_text(cell))


@lru_cache(maxsize=1 << 16)
def _parse_text(text: str) -> PhoneResult:
    if not text or is_placeholder(text):
        return PhoneResult((), None)
    if _MOBILE.fullmatch(text):
        return PhoneResult((text,), None)
    if _ONE_NUMBER.fullmatch(text):
        number = _read_number(text)
        if number is not None and not isinstance(number, _LostDigits):
            return PhoneResult((number,), None)
    phones: list[str] = []
    unread: list[str] = []
    text_to_read = _EXTENSION_WORDS.sub("#", _LABELS.sub(" ", text.translate(_DASHES)))
    for chunk in _CELL_SEPARATORS.split(text_to_read):
        _read_chunk(chunk, phones, unread)
    return PhoneResult(tuple(dict.fromkeys(phones)), _problem(text, unread))


def _read_chunk(chunk: str, phones: list[str], unread: list[str]) -> None:
    """Numbers in one separator-free chunk; spaces may split a number or separate two."""
    pieces = _NON_PHONE_RUNS.sub(r" \1 ", chunk).split()
    start = 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            number = _read_number(" ".join(pieces[start:end]))
            if number is not None:
                (unread if isinstance(number, _LostDigits) else phones).append(number)
                start = end
                break
        else:
            unread.append(pieces[start])
            start += 1


@lru_cache(maxsize=1 << 16)
def _read_number(text: str) -> str | None:
    """One number in normal form, a :class:`_LostDigits`, or None if ``text`` is not one."""
    plain = _from_excel(text)
    if isinstance(plain, _LostDigits) or plain is None:
        return plain
    text = _COUNTRY_PREFIX.sub("", plain, count=1)
    if not _PHONE_CHARACTERS.fullmatch(text):
        return None
    main, _, extension = text.partition("#")
    if extension and not extension.strip().isdigit():
        return None
    compact = _GROUPING.sub("", main)
    if _MASKED_MOBILE.fullmatch(compact) and not extension:
        return compact
    return _landline(main, extension.strip()) or (
        None if extension or not compact.isdigit() else _mobile_or_service(compact)
    )


def _from_excel(text: str) -> str | None:
    """Undo Excel's number display: ``13800001111.0`` and fully written ``1.3800001111E+10``."""
    whole = _EXCEL_WHOLE.fullmatch(text)
    if whole:
        return whole[1]
    scientific = _EXCEL_SCIENTIFIC.fullmatch(text)
    if scientific is None:
        return text
    first, rest, exponent = scientific[1], scientific[2], int(scientific[3])
    if len(rest) < exponent:
        return _LostDigits(text)
    return first + rest if len(rest) == exponent else None


def _mobile_or_service(digits: str) -> str | None:
    """A mobile, a service number, a local number, or a landline missing its leading zero."""
    if _MOBILE.fullmatch(digits) or _SERVICE.fullmatch(digits) or _LOCAL.fullmatch(digits):
        return digits
    if _NATIONAL_SERVICE.fullmatch(digits):
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return _restore_zero(digits)


def _restore_zero(digits: str) -> str | None:
    """``1065001234`` → ``010-65001234``: only for area codes in :data:`AREA_CODES`."""
    for area_length, local_lengths in ((3, (8,)), (4, (7, 8))):
        area, local = "0" + digits[: area_length - 1], digits[area_length - 1 :]
        if area in AREA_CODES and len(local) in local_lengths and local[0] not in "01":
            return f"{area}-{local}"
    return None


def _landline(main: str, extension: str) -> str | None:
    """``010-65001234``, ``(025)84561234``, ``0571 8888 6666-123`` in normal form."""
    groups = _DIGIT_GROUPS.findall(main)
    digits = "".join(groups)
    if not digits.startswith("0") or len(digits) < 10:
        return None
    area = digits[:3] if digits[1] in "12" else digits[:4]
    if len(area) == 3 and area not in AREA_CODES:
        return None
    local, more = _split_local(digits[len(area) :], groups, len(area))
    if local is None:
        return None
    extension = extension or more
    if len(extension) > 6:
        return None
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def _split_local(rest: str, groups: list[str], area_length: int) -> tuple[str | None, str]:
    """The local number and a trailing extension, using the writer's grouping to tell them apart.

    Without grouping, all remaining digits are the local number.
    """
    lengths = (8,) if area_length == 3 else (7, 8)
    if len(groups) == 1 or len(rest) in lengths:
        return (rest, "") if len(rest) in lengths and rest[0] not in "01" else (None, "")
    taken = len(groups[0]) - area_length
    for group in groups[1:]:
        if taken in lengths:
            break
        taken += len(group)
    local = rest[:taken]
    if len(local) not in lengths or local[0] in "01":
        return None, ""
    return local, rest[taken:]


def _problem(text: str, unread: list[str]) -> CellProblem | None:
    if not unread:
        return None
    parts = "、".join(unread)
    if any(isinstance(part, _LostDigits) for part in unread):
        return CellProblem(
            "phone_digits_lost",
            f"电话“{parts}”被Excel写成了科学计数法，后几位已丢失：请把电话列设为“文本”格式，"
            "重新填写号码后再导出",
            f"phone {parts!r} was written by Excel in scientific notation and lost its last "
            "digits: format the phone column as Text, re-enter the numbers and export again",
        )
    return CellProblem(
        "bad_phone",
        f"电话“{text}”中“{parts}”无法识别：手机应为11位（如 13800001111），"
        "座机应带区号（如 010-65001234），多个号码用分号隔开",
        f"cannot read {parts!r} in phone {text!r}: expected 11-digit mobiles "
        "(e.g. 13800001111) or landlines with area code (e.g. 010-65001234), separated by ';'",
    )
