"""Identifying a patient and their qualifications (``services/eligibility.py``)."""

from __future__ import annotations

from app.messages import Template

STATE_VALID = Template("eligibility.state_valid", zh="有效", en="valid")
STATE_EXPIRED = Template("eligibility.state_expired", zh="已过期", en="expired")
STATE_NOT_YET_VALID = Template("eligibility.state_not_yet_valid", zh="未生效", en="not yet valid")
VOUCHER_EMPTY = Template(
    "eligibility.voucher_empty",
    zh="电子凭证码为空，请让患者重新出示医保电子凭证。",
    en="The e-voucher code is empty; ask the patient to show the e-voucher again.",
)
CACHE_TOO_OLD = Template(
    "eligibility.cache_too_old",
    zh="{reason} 本地缓存的该患者信息已有 {hours} 小时，超过允许的 {limit} 小时，不能再显示，"
    "请待平台恢复后重新查询。",
    en="{reason} The cached information of this patient is {hours} hours old, more than the "
    "{limit} hours allowed, so it cannot be shown; query again when the platform is back.",
)
CACHED_NOTICE = Template(
    "eligibility.cached_notice",
    zh="医保平台暂时无法使用：{reason} 以下为 {age}前查询的缓存信息，"
    "仅供参考，不能用于结算；请稍后重新查询，若持续无法连接请联系信息科。",
    en="The platform is unavailable: {reason} Below is the cached information from {age} ago, "
    "for reference only and not for settlement; query again later, and call the IT staff if it "
    "stays unreachable.",
)
AGE_MINUTES = Template("eligibility.age_minutes", zh="{minutes} 分钟", en="{minutes} minutes")
AGE_HOURS = Template(
    "eligibility.age_hours",
    zh="{hours} 小时 {minutes} 分钟",
    en="{hours} hours {minutes} minutes",
)
