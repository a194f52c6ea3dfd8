"""The request envelope (interface.md B §1.1) and the message id format (A §2, B §1.3).

Times on the wire are China local time (UTC+8, no daylight saving), so they are formatted from the
aware UTC datetimes the rest of the program passes around only here, at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from app.domain.hospital import HospitalProfile
from app.domain.operator import Operator

CHINA_TIME = timezone(timedelta(hours=8), "CST")
MSGID_LENGTH = 30
MAX_SEQUENCE = 9999
_MSGID = re.compile(r"^([A-Z0-9]{12})(\d{14})(\d{4})$")

# infno → the node(s) under ``input`` (B §1.6); documentation for callers building inputs.
INPUT_NODES: dict[str, tuple[str, ...]] = {
    "9001": ("signIn",),
    "9002": ("signOut",),
    "2203": ("mdtrtinfo", "diseinfo"),
    "2204": ("feedetail",),
    "9101": ("fsUploadIn",),
    "9102": ("fsDownloadIn",),
}
DEFAULT_INPUT_NODE = "data"


def china_time(when: datetime) -> datetime:
    """``when`` (aware) as China local time."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: pass aware UTC datetimes")
    return when.astimezone(CHINA_TIME)


def wire_time(when: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in China local time."""
    return china_time(when).strftime("%Y-%m-%d %H:%M:%S")


def wire_date(when: datetime) -> str:
    """``yyyy-MM-dd`` in China local time."""
    return china_time(when).strftime("%Y-%m-%d")


def format_msgid(institution_code: str, when: datetime, sequence: int) -> str:
    """Institution code (12) + China-local ``yyyyMMddHHmmss`` (14) + 4-digit sequence.

    Raises:
        ValueError: the code is not 12 characters or the sequence is outside 0..9999.
    """
    if (
        len(institution_code) != 12
        or not institution_code.isascii()
        or not institution_code.isalnum()
    ):
        raise ValueError("institution code must be 12 ASCII letters or digits")
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise ValueError("msgid sequence must be within 0..9999")
    return f"{institution_code}{china_time(when).strftime('%Y%m%d%H%M%S')}{sequence:04d}"


@dataclass(frozen=True)
class MsgidParts:
    """A parsed msgid."""

    institution_code: str
    time: datetime
    sequence: int


def parse_msgid(msgid: str) -> MsgidParts:
    """Split and validate a msgid made by :func:`format_msgid`.

    Raises:
        ValueError: wrong length, characters or time.
    """
    match = _MSGID.match(msgid)
    if match is None:
        raise ValueError("msgid must be 12 code characters + 14 time digits + 4 sequence digits")
    code, stamp, sequence = match.groups()
    local = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=CHINA_TIME)
    return MsgidParts(code, local, int(sequence))


@dataclass(frozen=True)
class EnvelopeContext:
    """The envelope values fixed per installation."""

    hospital: HospitalProfile
    infver: str
    recer_sys_code: str
    device_no: str = ""
    extra: Mapping[str, str] | None = None  # province-profile additions (B §1.1)


def build_envelope(
    fixed: EnvelopeContext,
    *,
    infno: str,
    msgid: str,
    operator: Operator,
    insured_admdvs: str,
    sign_no: str,
    now: datetime,
    input_: Mapping[str, Any],
) -> dict[str, Any]:
    """All 18 request fields of B §1.1, in the specification's order."""
    envelope: dict[str, Any] = {
        "infno": infno,
        "msgid": msgid,
        "mdtrtarea_admvs": fixed.hospital.admdvs,
        "insuplc_admdvs": insured_admdvs,
        "recer_sys_code": fixed.recer_sys_code,
        "dev_no": fixed.device_no,
        "dev_safe_info": "",
        "cainfo": "",
        "signtype": "",
        "infver": fixed.infver,
        "opter_type": "1",
        "opter": operator.code,
        "opter_name": operator.name,
        "inf_time": wire_time(now),
        "fixmedins_code": fixed.hospital.code,
        "fixmedins_name": fixed.hospital.name,
        "sign_no": sign_no,
        "input": dict(input_),
    }
    for key, value in (fixed.extra or {}).items():
        envelope.setdefault(key, value)
    return envelope
