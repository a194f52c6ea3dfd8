"""Answer variants: the same result written the way other provincial platforms write it (issue #17).

A ``variant`` fault (docs/sandbox.md) runs the transaction normally and then rewrites the answer's
shape without changing what it means — the money, ids and outcome stay the same — so the client,
the window and the campaigns meet real provincial dialects:

* ``empty_strings``: ``""`` for empty and zero optional amounts, plus a blank ``setldetail`` row;
* ``hospital_share_elsewhere``: the hospital's share as ``ownpay_hosp_part``, no ``hosp_part_amt``;
* ``dates_with_times``: dates as ``1983-02-27 00:00:00``, ``setl_time`` as ``yyyyMMddHHmmss``;
* ``no_setl_time``: settlement answers without ``setl_time``;
* ``refusal_texts``: other provinces' wording of the same refusals (``退费结算标志不为未退费…``);
* ``province``: all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from app.sandbox.core import Output

ANSWER_VARIANTS = (
    "empty_strings",
    "hospital_share_elsewhere",
    "dates_with_times",
    "no_setl_time",
    "refusal_texts",
    "province",
)
_OPTIONAL_AMOUNTS = (
    "cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay", "acct_mulaid_pay",
    "hosp_part_amt", "act_pay_dedc",
)  # fmt: skip
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})$")
# Our refusal texts → how other platforms word the same refusal.
_REFUSAL_WORDING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^原结算 .* 已被撤销.*$"), "退费结算标志不为未退费，不能办理冲正交易"),
    (re.compile(r"^原交易不存在.*$"), "原交易不存在"),
)


def apply_variant(variant: str, output: Output, err_msg: str) -> tuple[Output, str]:
    """The answer (output and err_msg) rewritten in ``variant``'s dialect."""
    chosen = ANSWER_VARIANTS[:-1] if variant == "province" else (variant,)
    for name in chosen:
        output, err_msg = _REWRITES[name](output, err_msg)
    return output, err_msg


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _settlement(output: Output) -> dict[str, Any] | None:
    if isinstance(output, Mapping) and isinstance(output.get("setlinfo"), Mapping):
        copied: dict[str, Any] = _copy(output)
        return copied
    return None


def _empty_strings(output: Output, err_msg: str) -> tuple[Output, str]:
    if not isinstance(output, Mapping):
        return output, err_msg
    changed: dict[str, Any] = _copy(output)
    info = changed.get("setlinfo")
    if isinstance(info, dict):
        for key, value in info.items():
            if value is None or (key in _OPTIONAL_AMOUNTS and value == Decimal(0)):
                info[key] = ""
        details = changed.setdefault("setldetail", [])
        if isinstance(details, list):
            blank = dict.fromkeys(("fund_pay_type", "inscp_scp_amt", "fund_payamt"), "")
            details.append({**blank, "fund_pay_type_name": "", "setl_proc_info": ""})
    for row in changed.get("insuinfo") or []:
        if isinstance(row, dict):
            row.update({key: "" for key, value in row.items() if value is None})
    return changed, err_msg


def _hospital_share_elsewhere(output: Output, err_msg: str) -> tuple[Output, str]:
    changed = _settlement(output)
    if changed is None:
        return output, err_msg
    info = changed["setlinfo"]
    info["ownpay_hosp_part"] = info.pop("hosp_part_amt", None)
    return changed, err_msg


def _with_time(value: object) -> object:
    return f"{value} 00:00:00" if isinstance(value, str) and _DATE.match(value) else value


def _dates_with_times(output: Output, err_msg: str) -> tuple[Output, str]:
    if not isinstance(output, Mapping):
        return output, err_msg
    changed: dict[str, Any] = _copy(output)
    for holder in (changed.get("baseinfo"), changed.get("setlinfo")):
        if isinstance(holder, dict) and "brdy" in holder:
            holder["brdy"] = _with_time(holder["brdy"])
    for row in changed.get("feedetail") or []:
        if isinstance(row, dict) and "opsp_dise_code" in row:
            row["begndate"] = _with_time(row.get("begndate"))
            row["enddate"] = _with_time(row.get("enddate"))
    info = changed.get("setlinfo")
    if isinstance(info, dict) and isinstance(info.get("setl_time"), str):
        match = _TIME.match(info["setl_time"])
        if match:
            info["setl_time"] = "".join(match.groups())
    return changed, err_msg


def _no_setl_time(output: Output, err_msg: str) -> tuple[Output, str]:
    changed = _settlement(output)
    if changed is None:
        return output, err_msg
    changed["setlinfo"].pop("setl_time", None)
    return changed, err_msg


def _refusal_texts(output: Output, err_msg: str) -> tuple[Output, str]:
    for pattern, wording in _REFUSAL_WORDING:
        if err_msg and pattern.match(err_msg):
            return output, wording
    return output, err_msg


_REWRITES: dict[str, Callable[[Output, str], tuple[Output, str]]] = {
    "empty_strings": _empty_strings,
    "hospital_share_elsewhere": _hospital_share_elsewhere,
    "dates_with_times": _dates_with_times,
    "no_setl_time": _no_setl_time,
    "refusal_texts": _refusal_texts,
}
