"""A corpus of answer variants as real provincial platforms write them (issue #17).

Written for this project from the shapes reported in issue #17 and the recorded samples that
interface.md Part B cites (the Hebei 2207 of 4.52 paid by the account, the Hebei 2208 of -25.10, the
Hebei 1101 with six insurance rows, the recorded 5301). Each case is an answer tree, the transaction
it answers, what the client must make of it ("ok" or "refused") and, for "ok", what the typed
result must say. The same bytes are also run through every other parser, which must refuse them
or return a valid result — never crash.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from golden_cases import emit

from app.platform.answer_profile import AnswerProfile, national_profile
from app.platform.envelope import CHINA_TIME

MSGID = "H13110200026202111291809520478"
PERSON = "13030011303013321217"
VISIT = "300179916"
ORIGINAL_SETTLEMENT = "400125241"
ANSWERED_AT = datetime(2021, 11, 29, 18, 9, 53, tzinfo=CHINA_TIME)
D = Decimal


def envelope(output: object, infcode: object = 0, **extra: object) -> dict[str, Any]:
    """A response envelope (B §1.2) with the fields real answers carry, most of them empty."""
    return {
        "infcode": infcode,
        "inf_refmsgid": "130000202111291809530000514555",
        "refmsg_time": "20211129180953512",
        "respond_time": "20211129180953601",
        "err_msg": "",
        "warn_msg": "",
        "cainfo": "",
        "signtype": "",
        "enctype": "",
        "output": output,
        **extra,
    }


def hebei_settlement() -> dict[str, Any]:
    """The Hebei 2207 sample of B §5.1: 4.52 all from the personal account, deductible not met."""
    return {
        "setlinfo": {
            "mdtrt_id": VISIT, "setl_id": "400125241", "psn_no": PERSON, "psn_name": "张三",
            "psn_cert_type": "01", "certno": "130302198302272416", "gend": "1", "naty": "01",
            "brdy": "1983-02-27", "age": D("38.7"), "insutype": "310", "psn_type": "1101",
            "cvlserv_flag": "0", "setl_time": "2021-11-29 18:09:53", "mdtrt_cert_type": "02",
            "med_type": "11", "medfee_sumamt": D("4.52"), "fulamt_ownpay_amt": D("0.00"),
            "overlmt_selfpay": D("0.00"), "preselfpay_amt": D("0.23"), "inscp_scp_amt": D("4.29"),
            "act_pay_dedc": D("4.29"), "hifp_pay": D("0.00"), "pool_prop_selfpay": D("0"),
            "cvlserv_pay": D("0.00"), "hifes_pay": D("0.00"), "hifmi_pay": D("0.00"),
            "hifob_pay": D("0.00"), "maf_pay": D("0.00"), "oth_pay": D("0.00"),
            "fund_pay_sumamt": D("0.00"), "psn_part_amt": D("4.52"), "acct_pay": D("4.52"),
            "psn_cash_pay": D("0.00"), "hosp_part_amt": D("0.00"), "balc": D("1373.63"),
            "acct_mulaid_pay": D("0.00"), "medins_setl_id": MSGID, "clr_optins": "131199",
            "clr_way": "1", "clr_type": "11",
        },
        "setldetail": [
            {
                "fund_pay_type": "310200", "inscp_scp_amt": D("4.29"), "crt_payb_lmt_amt": None,
                "fund_payamt": D("4.52"), "fund_pay_type_name": "城镇职工基本医疗保险个人账户基金",
                "setl_proc_info": "",
            }
        ],
    }  # fmt: skip


def hospital_share_settlement() -> dict[str, Any]:
    """100.00 = fund 60.00 + cash 30.00 + the hospital's 10.00, reported as ``ownpay_hosp_part``
    with a ``999997`` row — the shape of issue #17 item 2."""
    answer = hebei_settlement()
    info = answer["setlinfo"]
    info.update(
        {
            "medfee_sumamt": D("100.00"), "fulamt_ownpay_amt": D("10.00"),
            "preselfpay_amt": D("0.00"), "inscp_scp_amt": D("90.00"), "act_pay_dedc": D("0.00"),
            "hifp_pay": D("60.00"), "pool_prop_selfpay": D("0.6667"),
            "fund_pay_sumamt": D("60.00"), "psn_part_amt": D("30.00"), "acct_pay": D("0.00"),
            "psn_cash_pay": D("30.00"), "ownpay_hosp_part": D("10.00"),
        }
    )  # fmt: skip
    del info["hosp_part_amt"]
    answer["setldetail"] = [
        {"fund_pay_type": "310100", "fund_payamt": D("60.00"), "fund_pay_type_name": "统筹基金"},
        {"fund_pay_type": "999997", "fund_payamt": D("10.00"), "fund_pay_type_name": "医院负担"},
    ]
    return answer


def hebei_cancellation() -> dict[str, Any]:
    """The Hebei 2208 sample of B §2.11: every amount negative, a new ``setl_id``."""
    answer = hebei_settlement()
    info = answer["setlinfo"]
    info.update(
        {
            "setl_id": "400125300", "medfee_sumamt": D("-25.10"), "preselfpay_amt": D("-0.23"),
            "inscp_scp_amt": D("-24.87"), "act_pay_dedc": D("-24.87"),
            "psn_part_amt": D("-25.10"), "acct_pay": D("-25.10"), "balc": D("1398.73"),
        }
    )  # fmt: skip
    answer["setldetail"][0]["fund_payamt"] = D("-25.10")
    answer["setldetail"][0]["inscp_scp_amt"] = D("-24.87")
    return answer


def hebei_person() -> dict[str, Any]:
    """The Hebei 1101 of B §2.2: six insurance rows, one suspended, two insured places."""

    def row(insutype: str, balc: object, admdvs: str = "130399", status: str = "1") -> dict:
        return {
            "balc": balc, "insutype": insutype, "psn_type": "1101", "psn_insu_stas": status,
            "psn_insu_date": "2001-01-01", "paus_insu_date": None if status == "1" else "2019-01-01",
            "cvlserv_flag": "0", "insuplc_admdvs": admdvs, "emp_name": "某某有限公司",
        }  # fmt: skip

    return {
        "baseinfo": {
            "psn_no": PERSON, "psn_cert_type": "01", "certno": "130302198302272416",
            "psn_name": "张三", "gend": "1", "naty": "01", "brdy": "1983-02-27",
            "age": D("38.7"), "exp_content": "",
        },
        "insuinfo": [
            row("310", D("26933.88")), row("320", D("0")), row("330", D("0")), row("510", D("0")),
            row("39999", D("0"), status="4"), row("390", D("0"), admdvs="130302"),
        ],
        "idetinfo": [],
    }  # fmt: skip


def recorded_qualifications() -> dict[str, Any]:
    """The recorded 5301 of B §2.3."""
    return {
        "feedetail": [
            {
                "begndate": "2020-10-01", "enddate": "2120-11-01", "opsp_dise_name": "高血压",
                "opsp_dise_code": "M03900",
            }
        ]
    }  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One answer variant."""

    name: str
    infno: str
    answer: dict[str, Any]
    expect: str  # "ok" or "refused"
    check: Callable[[Any], None] | None = None
    profile: AnswerProfile = field(default_factory=national_profile)

    @property
    def raw(self) -> bytes:
        """The answer as the client receives it."""
        return emit(self.answer).encode("utf-8")

    @property
    def total(self) -> Decimal:
        """The requested total a settlement answer must echo."""
        info = self.answer.get("output", {}).get("setlinfo", {})
        value = info.get("medfee_sumamt") if isinstance(info, dict) else None
        return abs(value) if isinstance(value, Decimal) else D("4.52")


def _settled(
    answer: dict[str, Any], change: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    changed = copy.deepcopy(answer)
    if change is not None:
        change(changed)
    return envelope(changed)


def _set(**values: object) -> Callable[[dict[str, Any]], None]:
    def apply(answer: dict[str, Any]) -> None:
        for key, value in values.items():
            if value is _DELETE:
                answer["setlinfo"].pop(key, None)
            else:
                answer["setlinfo"][key] = value

    return apply


_DELETE = object()


def _add_row(row: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def apply(answer: dict[str, Any]) -> None:
        answer["setldetail"].append(row)

    return apply


def _person(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    answer = hebei_person()
    change(answer)
    return envelope(answer)


def _unread_mentions(*words: str) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        unread = " | ".join(getattr(result, "totals", result).unread)
        for word in words:
            assert word in unread, (word, unread)

    return check


def _nothing_unread(result: Any) -> None:
    assert getattr(result, "totals", result).unread == ()


def _settled_at(expected: datetime) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        moment = getattr(result, "settled_at", None) or result.cancelled_at
        assert moment == expected

    return check


def _both(*checks: Callable[[Any], None]) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        for each in checks:
            each(result)

    return check


def _hospital(amount: str) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result.totals.hospital == D(amount)
        assert result.totals.cash == D("30.00")

    return check


def _birth(expected: date | None) -> Callable[[Any], None]:
    def check(person: Any) -> None:
        assert person.person_no == PERSON
        assert person.birth_date == expected

    return check


def _rows(count: int) -> Callable[[Any], None]:
    def check(person: Any) -> None:
        assert len(person.insurances) == count
        assert {entry.insured_admdvs for entry in person.insurances} == {"130399", "130302"}

    return check


HOSPITAL_IN_999997 = national_profile().with_overrides(
    {"hospital_share": [["ownpay_hosp_part"]], "hospital_fund_types": ["999996", "999997"]}
)
FUND_WITH_ACCOUNT = national_profile().with_overrides({"fund_includes_account": True})
SETTLED_AT = datetime(2021, 11, 29, 18, 9, 53, tzinfo=CHINA_TIME)
_EMPTY_AMOUNTS = {
    key: ""
    for key in ("cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay",
                "act_pay_dedc", "pool_prop_selfpay", "balc", "acct_mulaid_pay", "hosp_part_amt")
}  # fmt: skip


def _settlements() -> list[Case]:
    s = hebei_settlement()
    return [
        Case("2207 Hebei sample", "2207", _settled(s), "ok", _nothing_unread),
        Case("2207 infcode as text", "2207", {**_settled(s), "infcode": "0"}, "ok"),
        Case("2207 empty strings for empty amounts", "2207", _settled(s, _set(**_EMPTY_AMOUNTS)),
             "ok", _nothing_unread),
        Case("2207 nulls for empty amounts", "2207",
             _settled(s, _set(**dict.fromkeys(_EMPTY_AMOUNTS))), "ok", _nothing_unread),
        Case("2207 a blank setldetail row", "2207",
             _settled(s, _add_row({"fund_pay_type": "", "fund_payamt": "",
                                   "fund_pay_type_name": "", "setl_proc_info": ""})),
             "ok", _unread_mentions("setldetail row 2 skipped")),
        Case("2207 a setldetail row of nulls", "2207",
             _settled(s, _add_row({"fund_pay_type": None, "fund_payamt": None})),
             "ok", _unread_mentions("setldetail row 2 skipped")),
        Case("2207 a setldetail row that is not an object", "2207",
             _settled(s, _add_row("310100")), "ok", _unread_mentions("row 2 is not an object")),  # type: ignore[arg-type]
        Case("2207 hospital share in ownpay_hosp_part, national profile", "2207",
             _settled(hospital_share_settlement()), "ok",
             _both(_hospital("10.00"), _unread_mentions("fund rows do not add up"))),
        Case("2207 hospital share in ownpay_hosp_part, place profile", "2207",
             _settled(hospital_share_settlement()), "ok",
             _both(_hospital("10.00"), _nothing_unread), HOSPITAL_IN_999997),
        Case("2207 hospital share with hosp_part_amt empty", "2207",
             _settled(hospital_share_settlement(), _set(hosp_part_amt="")), "ok",
             _hospital("10.00")),
        Case("2207 without setl_time", "2207", _settled(s, _set(setl_time=_DELETE)), "ok",
             _both(_settled_at(ANSWERED_AT), _unread_mentions("setl_time"))),
        Case("2207 setl_time compact", "2207", _settled(s, _set(setl_time="20211129180953")),
             "ok", _settled_at(SETTLED_AT)),
        Case("2207 setl_time with fraction", "2207",
             _settled(s, _set(setl_time="2021-11-29 18:09:53.0")), "ok", _settled_at(SETTLED_AT)),
        Case("2207 setl_time unreadable", "2207", _settled(s, _set(setl_time="昨天")), "ok",
             _both(_settled_at(ANSWERED_AT), _unread_mentions("setl_time"))),
        Case("2207 cash as pdn_cash_pay", "2207",
             _settled(s, _set(psn_cash_pay=_DELETE, pdn_cash_pay=D("0.00"))), "ok"),
        Case("2207 no split totals", "2207",
             _settled(s, _set(fulamt_ownpay_amt=_DELETE, overlmt_selfpay=_DELETE,
                              preselfpay_amt=_DELETE, inscp_scp_amt=_DELETE)),
             "ok", _unread_mentions("split totals")),
        Case("2207 a garbled fund column", "2207", _settled(s, _set(hifob_pay="0.00元")), "ok",
             _unread_mentions("hifob_pay")),
        Case("2207 extra keys", "2207",
             _settled(s, _set(exp_content={"er_flag": "0"}, expContent="", warn_msg="提示")), "ok"),
        Case("2207 fund total includes the account, place profile", "2207",
             _settled(s, _set(fund_pay_sumamt=D("4.52"))), "ok", None, FUND_WITH_ACCOUNT),
        Case("2207 fund total includes the account, national profile", "2207",
             _settled(s, _set(fund_pay_sumamt=D("4.52"))), "refused"),
        Case("2207 without setl_id", "2207", _settled(s, _set(setl_id=_DELETE)), "refused"),
        Case("2207 setl_id empty", "2207", _settled(s, _set(setl_id="")), "refused"),
        Case("2207 without medfee_sumamt", "2207", _settled(s, _set(medfee_sumamt=_DELETE)),
             "refused"),
        Case("2207 fund_pay_sumamt empty", "2207", _settled(s, _set(fund_pay_sumamt="")),
             "refused"),
        Case("2207 not balancing", "2207", _settled(s, _set(psn_cash_pay=D("0.01"))), "refused"),
        Case("2207 another msgid", "2207", _settled(s, _set(medins_setl_id=MSGID[:-1] + "9")),
             "refused"),
    ]  # fmt: skip


def _cancellations() -> list[Case]:
    c = hebei_cancellation()
    return [
        Case("2208 Hebei sample", "2208", _settled(c), "ok", _nothing_unread),
        Case("2208 without setl_time", "2208", _settled(c, _set(setl_time=_DELETE)), "ok",
             _settled_at(ANSWERED_AT)),
        Case("2208 setl_time null", "2208", _settled(c, _set(setl_time=None)), "ok",
             _settled_at(ANSWERED_AT)),
        Case("2208 cash as pdn_cash_pay", "2208",
             _settled(c, _set(psn_cash_pay=_DELETE, pdn_cash_pay=D("0.00"))), "ok"),
        Case("2208 empty strings", "2208", _settled(c, _set(**_EMPTY_AMOUNTS)), "ok"),
        Case("2208 the original setl_id", "2208", _settled(c, _set(setl_id=ORIGINAL_SETTLEMENT)),
             "refused"),
        Case("2208 positive amounts", "2208", _settled(hebei_settlement()), "refused"),
    ]  # fmt: skip


def _set_base(**values: object) -> Callable[[dict[str, Any]], None]:
    def apply(answer: dict[str, Any]) -> None:
        answer["baseinfo"].update(values)

    return apply


def _people() -> list[Case]:
    def first_row(**values: object) -> Callable[[dict[str, Any]], None]:
        def apply(answer: dict[str, Any]) -> None:
            answer["insuinfo"][0].update(values)

        return apply

    return [
        Case("1101 Hebei sample", "1101", envelope(hebei_person()), "ok", _rows(6)),
        Case("1101 birth date with a time", "1101",
             _person(_set_base(brdy="1983-02-27 00:00:00")), "ok", _birth(date(1983, 2, 27))),
        Case("1101 birth date compact", "1101", _person(_set_base(brdy="19830227")), "ok",
             _birth(date(1983, 2, 27))),
        Case("1101 birth date with slashes", "1101", _person(_set_base(brdy="1983/02/27")), "ok",
             _birth(date(1983, 2, 27))),
        Case("1101 birth date unreadable", "1101", _person(_set_base(brdy="1983-02-30")), "ok",
             _birth(None)),
        Case("1101 birth date empty", "1101", _person(_set_base(brdy="")), "ok", _birth(None)),
        Case("1101 odd gender, empty age", "1101", _person(_set_base(gend="9", age="", naty=None)),
             "ok", _birth(date(1983, 2, 27))),
        Case("1101 certificate number too long", "1101", _person(_set_base(certno="1" * 60)),
             "ok", _birth(date(1983, 2, 27))),
        Case("1101 balance empty", "1101", _person(first_row(balc="")), "ok", _rows(6)),
        Case("1101 employer with control characters", "1101",
             _person(first_row(emp_name="某\x1b[31m公司")), "ok", _rows(6)),
        Case("1101 without psn_no", "1101", _person(_set_base(psn_no="")), "refused"),
        Case("1101 a five-digit insured place", "1101",
             _person(first_row(insuplc_admdvs="13039")), "refused"),
    ]  # fmt: skip


def _qualifications() -> list[Case]:
    def dates(begin: object, end: object) -> dict[str, Any]:
        answer = recorded_qualifications()
        answer["feedetail"][0].update({"begndate": begin, "enddate": end})
        return envelope(answer)

    def valid(begin: date, end: date | None) -> Callable[[Any], None]:
        def check(found: Any) -> None:
            assert [(q.code, q.valid_from, q.valid_to) for q in found] == [("M03900", begin, end)]

        return check

    return [
        Case("5301 recorded sample", "5301", envelope(recorded_qualifications()), "ok",
             valid(date(2020, 10, 1), date(2120, 11, 1))),
        Case("5301 dates with times", "5301",
             dates("2020-10-01 00:00:00", "2120-11-01 00:00:00"), "ok",
             valid(date(2020, 10, 1), date(2120, 11, 1))),
        Case("5301 open end as empty text", "5301", dates("2020-10-01", ""), "ok",
             valid(date(2020, 10, 1), None)),
        Case("5301 no rows (null)", "5301", envelope({"feedetail": None}), "ok",
             lambda found: found == ()),
        Case("5301 without a start date", "5301", dates("", "2120-11-01"), "refused"),
    ]  # fmt: skip


CASES: tuple[Case, ...] = (*_settlements(), *_cancellations(), *_people(), *_qualifications())
