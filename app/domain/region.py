"""Administrative division codes (医保区划, 6 digits) and province names."""

from __future__ import annotations

import re

PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "66": "新疆生产建设兵团",
}  # fmt: skip

_ADMDVS = re.compile(r"^\d{6}$")


def is_division_code(code: str) -> bool:
    """Six digits whose first two name a known province."""
    return bool(_ADMDVS.match(code)) and code[:2] in PROVINCES


def province_name(code: str) -> str:
    """Province name for a division code; ``未知地区（…）`` when unknown."""
    if len(code) >= 2 and code[:2] in PROVINCES:
        return PROVINCES[code[:2]]
    return f"未知地区（{code}）"


def is_cross_province(insured_admdvs: str, visiting_admdvs: str) -> bool:
    """跨省: the first two digits differ (interface.md B §1.3)."""
    return insured_admdvs[:2] != visiting_admdvs[:2]
