"""Parse, don't trust: platform answers → typed domain values, or :class:`ProtocolError`.

Bodies are parsed from the raw text with ``parse_float=Decimal`` (never through binary float);
``NaN``/``Infinity``, duplicate keys and absurd nesting are refused. Every field a caller relies on is
checked for presence, type, length and — for money — finiteness, scale (≤ 2 decimals) and range
(16,2). ``null`` means absent. Results are checked against the identities of interface.md Part B
§2.7 and §5.1 via :mod:`app.domain.settlement`. Whatever does not fit raises :class:`ProtocolError`,
whose ``reason`` is short English for logs and never contains personal data.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from app.domain.bill import FeeLine
from app.domain.money import FEN, MAX_AMOUNT, ZERO
from app.domain.person import Gender, InsuranceEntry, InsuranceStatus, InsuredPerson, Qualification
from app.domain.settlement import (
    FundPayment,
    LineSplit,
    SettlementRecord,
    SettlementTotals,
    check_balance,
    check_details,
    check_split,
)
from app.platform.answer_profile import AnswerProfile, national_profile
from app.platform.envelope import CHINA_TIME
from app.services.ports.platform import (
    CancellationRecord,
    CataloguePage,
    DetailRow,
    StatementTotalResult,
    VoucherIdentity,
)

log = logging.getLogger(__name__)

MAX_DEPTH = 32
MAX_TEXT = 4000
MAX_ERR_MSG = 300
RATIO_PLACES = Decimal("0.0001")
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FILE_MEMBERS = 16
_INFCODE = re.compile(r"-?[0-9]{1,6}")
_CONTROL = {c: None for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}


class ProtocolError(Exception):
    """The answer is not a valid answer to our request."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


T = TypeVar("T")


def tolerant(unread: list[str], read: Callable[[], T], default: T) -> T:
    """An optional detail: its value, or ``default`` with the reason noted in ``unread``.

    A malformed optional field never fails the whole answer (interface.md A §10); what could not be
    read is kept (field names only, never values) for the log and the day close.
    """
    try:
        return read()
    except ProtocolError as exc:
        unread.append(exc.reason)
        return default


# ---------------------------------------------------------------------------------- JSON text


def _refuse_constant(name: str) -> Any:
    raise ProtocolError(f"non-finite number {name} in the answer")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ProtocolError("duplicate key in the answer")
        result[key] = value
    return result


def loads(raw: bytes | str) -> Any:
    """Parse JSON with exact decimals; refuse NaN/Infinity, duplicate keys and deep nesting.

    Raises:
        ProtocolError: not UTF-8, not JSON, or one of the refused constructs.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise ProtocolError("answer is not UTF-8") from None
    try:
        value = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError:
        raise ProtocolError("answer is not JSON") from None
    except (RecursionError, ValueError):
        raise ProtocolError("answer nests too deeply or holds an oversized number") from None
    if _depth(value) > MAX_DEPTH:
        raise ProtocolError("answer nests too deeply")
    return value


def _depth(value: object) -> int:
    # Only containers are walked: a non-empty container's scalars sit one level below it, which is
    # all they add (a 200-line answer has thousands of scalars and a few hundred containers).
    deepest = 1
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = _children(item)
        if not children:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _children(item: object) -> list[object]:
    if isinstance(item, dict):
        return list(item.values())
    if isinstance(item, list):
        return item
    return []


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON; a ``Decimal`` is written as its exact digits, unquoted.

    Decimals are first replaced by marked strings so the C encoder does the work, then the marks
    are turned back into bare numbers (a 200-line 2204 costs about a millisecond).

    Raises:
        TypeError: a value of another type, a non-finite Decimal, or text holding NUL or a lone
            surrogate.
    """
    text = json.dumps(_marked(value), ensure_ascii=False, separators=(",", ":"))
    try:
        return _MARKED_NUMBER.sub(r"\1", text).encode("utf-8")
    except UnicodeEncodeError:
        raise TypeError("text holds a lone surrogate (not valid Unicode)") from None


_MARKED_NUMBER = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')


def _marked(value: object) -> object:
    # Ordered by frequency in our requests: text, then amounts, then containers.
    if isinstance(value, str):
        if "\x00" in value:
            raise TypeError("text holds NUL")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("non-finite Decimal")
        return f"\x00{value:f}\x00"
    if isinstance(value, dict):
        return {str(key): _marked(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, list | tuple):
        return [_marked(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _marked(item) for key, item in value.items()}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def sanitise(text: str, limit: int = MAX_ERR_MSG) -> str:
    """Platform text made safe to log and quote: control characters removed, length capped."""
    cleaned = text.translate(_CONTROL).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


# ---------------------------------------------------------------------------------- envelope


@dataclass(frozen=True)
class Reply:
    """A parsed response envelope (B §1.2)."""

    infcode: int
    err_msg: str
    output: Mapping[str, Any]
    warn_msg: str = ""
    infno: str = ""


def parse_reply(raw: bytes) -> Reply:
    """The response envelope: ``infcode`` (number or string), ``err_msg``, ``output``.

    Raises:
        ProtocolError: not an envelope.
    """
    body = loads(raw)
    if not isinstance(body, dict):
        raise ProtocolError("answer is not a JSON object")
    if "infcode" not in body:
        raise ProtocolError("answer has no infcode")
    infcode = _infcode(body["infcode"])
    err_msg = body.get("err_msg")
    warn_msg = body.get("warn_msg")
    if err_msg is not None and not isinstance(err_msg, str):
        raise ProtocolError("err_msg is not text")
    if warn_msg is not None and not isinstance(warn_msg, str):
        raise ProtocolError("warn_msg is not text")
    output = body.get("output")
    if output is None:
        output = {}
    if not isinstance(output, dict):
        raise ProtocolError("output is not an object")
    echoed = body.get("infno")
    return Reply(
        infcode=infcode,
        err_msg=sanitise(err_msg or ""),
        output=output,
        warn_msg=sanitise(warn_msg or ""),
        infno=echoed if isinstance(echoed, str) else "",
    )


def _infcode(value: object) -> int:
    if isinstance(value, bool):
        raise ProtocolError("infcode is a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and _INFCODE.fullmatch(value):
        return int(value)
    raise ProtocolError("infcode is not an integer")


# ---------------------------------------------------------------------------------- fields


def node(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A required object."""
    value = parent.get(key)
    if not isinstance(value, dict):
        raise ProtocolError(f"{key} is missing or not an object")
    return value


def rows(parent: Mapping[str, Any], key: str, *, required: bool = True) -> list[Mapping[str, Any]]:
    """A list of objects; ``null``/absent is empty unless required."""
    value = parent.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"{key} is missing or not a list")
    if not all(isinstance(item, dict) for item in value):
        raise ProtocolError(f"{key} holds a non-object")
    return value


def _absent(value: object) -> bool:
    """``null``, ``""`` and blank text all mean "not given" (provinces write each)."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(parent: Mapping[str, Any], key: str, max_len: int, *, required: bool = True) -> str:
    """A string field (a JSON integer is accepted as its digits); control characters refused."""
    value = parent.get(key)
    if _absent(value):
        if required:
            raise ProtocolError(f"{key} is missing")
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ProtocolError(f"{key} is not text")
    if len(value) > max_len:
        raise ProtocolError(f"{key} is longer than {max_len}")
    if value != value.translate(_CONTROL):
        raise ProtocolError(f"{key} holds control characters")
    return value


def money(parent: Mapping[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    """An amount: a JSON number, finite, at most 2 decimals, within 16,2; ``null``/``""`` is absent."""
    value = parent.get(key)
    if _absent(value):
        if required:
            raise ProtocolError(f"{key} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ProtocolError(f"{key} is not a number")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ProtocolError(f"{key} is not finite")
    if abs(amount) > MAX_AMOUNT:
        raise ProtocolError(f"{key} is out of range")
    if amount != amount.quantize(FEN):
        raise ProtocolError(f"{key} has more than two decimals")
    return amount.quantize(FEN) + ZERO  # + ZERO turns -0.00 into 0.00


def required_money(parent: Mapping[str, Any], key: str) -> Decimal:
    """An amount that must be present."""
    amount = money(parent, key)
    assert amount is not None  # required=True raised otherwise
    return amount


def optional_money(parent: Mapping[str, Any], key: str) -> Decimal:
    """An amount where ``null``/absent counts as zero (fund columns that did not pay)."""
    return money(parent, key, required=False) or ZERO


def ratio(parent: Mapping[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    """A ratio 0..1 with at most four decimals (5,4); ``null``/``""`` is absent."""
    value = parent.get(key)
    if _absent(value):
        if required:
            raise ProtocolError(f"{key} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ProtocolError(f"{key} is not a number")
    number = Decimal(value)
    if not number.is_finite() or not ZERO <= number <= 1:
        raise ProtocolError(f"{key} is outside 0..1")
    if number != number.quantize(RATIO_PLACES):
        raise ProtocolError(f"{key} has more than four decimals")
    return number + ZERO


_FRACTION = re.compile(r"\.[0-9]{1,9}$")
_DAY_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%a %b %d %H:%M:%S CST %Y",  # Java's Date.toString() on a China-zoned server
)


def _parsed(value: str, formats: Sequence[str]) -> datetime | None:
    cleaned = _FRACTION.sub("", value.strip())
    for form in formats:
        try:
            return datetime.strptime(cleaned, form)  # noqa: DTZ007 - China time, zone added by callers
        except ValueError:
            continue
    return None


def parse_day(value: str) -> date | None:
    """A date in one of the platform's usual forms (``1983-02-27``, ``19830227``, with a time…)."""
    found = _parsed(value, _DAY_FORMATS) or _parsed(value, _TIME_FORMATS)
    return None if found is None else found.date()


def parse_moment(value: str) -> datetime | None:
    """A China-local time in one of the usual forms (``yyyy-MM-dd HH:mm:ss``, ``yyyyMMddHHmmss``…)."""
    found = _parsed(value, _TIME_FORMATS)
    return None if found is None else found.replace(tzinfo=CHINA_TIME)


def day(parent: Mapping[str, Any], key: str, *, required: bool = True) -> date | None:
    """A date (``yyyy-MM-dd`` or another usual form, a midnight time included)."""
    value = text(parent, key, 40, required=required)
    if not value:
        return None
    found = parse_day(value)
    if found is None:
        raise ProtocolError(f"{key} is not a date")
    return found


def moment(parent: Mapping[str, Any], key: str) -> datetime:
    """A China-local time (``yyyy-MM-dd HH:mm:ss`` or another usual form), as an aware datetime."""
    found = parse_moment(text(parent, key, 40))
    if found is None:
        raise ProtocolError(f"{key} is not a time")
    return found


def _expect(problems: Iterable[str]) -> None:
    found = list(problems)
    if found:
        raise ProtocolError("; ".join(found)[:200])


# ---------------------------------------------------------------------------------- 9001, 1101, 5301


def parse_sign_in(output: Mapping[str, Any]) -> str:
    """9001 → ``sign_no``."""
    return text(node(output, "signinoutb"), "sign_no", 30)


def parse_person(output: Mapping[str, Any]) -> InsuredPerson:
    """1101 → the person with every insurance row (suspended rows kept with their status).

    Only the person number, the name and each row's insurance type and insured place are required;
    a malformed optional field (a birth date with a time, a stray gender code…) is read as absent
    and logged, never a failed identification (interface.md A §10).
    """
    base = node(output, "baseinfo")
    unread: list[str] = []
    gender = tolerant(unread, lambda: text(base, "gend", 1, required=False), "")
    insurances = tuple(_insurance(row, unread) for row in rows(output, "insuinfo"))
    person = InsuredPerson(
        person_no=text(base, "psn_no", 30),
        name=text(base, "psn_name", 50),
        id_number=tolerant(unread, lambda: text(base, "certno", 50, required=False), ""),
        gender=Gender(gender) if gender in {"1", "2"} else Gender.UNKNOWN,
        birth_date=tolerant(unread, lambda: day(base, "brdy", required=False), None),
        insurances=insurances,
        cert_type=tolerant(unread, lambda: text(base, "psn_cert_type", 6, required=False), "")
        or "01",
    )
    if unread:
        log.warning("1101 answer: optional fields not read: %s", "; ".join(unread)[:300])
    return person


def _insurance(row: Mapping[str, Any], unread: list[str]) -> InsuranceEntry:
    admdvs = text(row, "insuplc_admdvs", 6)
    if not (len(admdvs) == 6 and admdvs.isdigit()):
        raise ProtocolError("insuplc_admdvs is not a 6-digit division code")
    status = tolerant(unread, lambda: text(row, "psn_insu_stas", 3, required=False), "")
    return InsuranceEntry(
        insurance_type=text(row, "insutype", 6),
        status=InsuranceStatus.from_code(status),
        insured_admdvs=admdvs,
        balance=tolerant(unread, lambda: money(row, "balc", required=False), None) or ZERO,
        person_type=tolerant(unread, lambda: text(row, "psn_type", 6, required=False), ""),
        employer=tolerant(unread, lambda: text(row, "emp_name", 200, required=False), ""),
    )


def parse_qualifications(output: Mapping[str, Any]) -> tuple[Qualification, ...]:
    """5301 ``feedetail[]`` → qualifications (an empty list is a valid answer)."""
    found: list[Qualification] = []
    for row in rows(output, "feedetail", required=False):
        begin = day(row, "begndate")
        assert begin is not None
        end = day(row, "enddate", required=False)
        if end is not None and end < begin:
            raise ProtocolError("qualification ends before it begins")
        found.append(
            Qualification(
                code=text(row, "opsp_dise_code", 30),
                name=text(row, "opsp_dise_name", 300, required=False),
                valid_from=begin,
                valid_to=end,
            )
        )
    return tuple(found)


# ---------------------------------------------------------------------------------- 2201, 2204


def parse_visit_id(output: Mapping[str, Any], person_no: str) -> str:
    """2201 → ``mdtrt_id``; the echoed ``psn_no`` must be ours when given."""
    data = node(output, "data")
    echoed = text(data, "psn_no", 30, required=False)
    if echoed and echoed != person_no:
        raise ProtocolError("2201 answer is for another person")
    return text(data, "mdtrt_id", 30)


def parse_splits(output: Mapping[str, Any], lines: Sequence[FeeLine]) -> tuple[LineSplit, ...]:
    """2204 ``result[]`` → one checked split per uploaded line, in upload order."""
    by_line: dict[str, LineSplit] = {}
    for row in rows(output, "result"):
        split = _split(row)
        if split.line_no in by_line:
            raise ProtocolError("a fee line is split twice")
        _expect(check_split(split))
        by_line[split.line_no] = split
    wanted = {line.line_no: line for line in lines}
    if set(by_line) != set(wanted):
        raise ProtocolError("split lines differ from the uploaded lines")
    for line_no, line in wanted.items():
        if by_line[line_no].amount != line.amount:
            raise ProtocolError("a split amount differs from the uploaded amount")
    return tuple(by_line[line.line_no] for line in lines)


def _split(row: Mapping[str, Any]) -> LineSplit:
    self_pay_ratio = ratio(row, "selfpay_prop")
    assert self_pay_ratio is not None
    return LineSplit(
        line_no=text(row, "feedetl_sn", 30),
        amount=required_money(row, "det_item_fee_sumamt"),
        full_self_pay=optional_money(row, "fulamt_ownpay_amt"),
        over_limit=optional_money(row, "overlmt_amt"),
        first_self_pay=optional_money(row, "preselfpay_amt"),
        in_scope=optional_money(row, "inscp_scp_amt"),
        self_pay_ratio=self_pay_ratio,
        item_class=text(row, "chrgitm_lv", 3, required=False),
        restricted=text(row, "lmt_used_flag", 3, required=False) == "1",
        note=sanitise(text(row, "memo", MAX_TEXT, required=False), 200),
    )


# ---------------------------------------------------------------------------------- 2206-2208, 5203

FUND_COLUMNS = (
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "oth_pay",
)


def parse_totals(
    output: Mapping[str, Any],
    *,
    cancellation: bool = False,
    profile: AnswerProfile | None = None,
) -> SettlementTotals:
    """``setlinfo`` + ``setldetail[]`` → totals; the balance is required, the details tolerated.

    What says what was settled must be there and balance to the fen: ``medfee_sumamt`` =
    ``fund_pay_sumamt`` (without the personal account) + ``acct_pay`` + cash (``psn_cash_pay`` or
    ``pdn_cash_pay``) + the hospital's share (where the insured place's ``profile`` says it is).
    Everything else — split totals, fund columns, ``setldetail`` rows, ratios — is read when it can
    be; what cannot is listed in ``unread`` for the day close (interface.md A §10).
    """
    chosen = profile or national_profile()
    info = node(output, "setlinfo")
    total = required_money(info, "medfee_sumamt")
    fund = required_money(info, "fund_pay_sumamt")
    account = optional_money(info, "acct_pay")
    if chosen.fund_includes_account:
        fund -= account
    cash = money(info, "psn_cash_pay", required=False)
    if cash is None:
        cash = required_money(info, "pdn_cash_pay")
    hospital = _hospital_share(info, chosen, total - fund - account - cash)
    unread: list[str] = []
    detail = _detail_reader(info, unread)
    totals = SettlementTotals(
        total=total,
        full_self_pay=detail("fulamt_ownpay_amt"),
        over_limit=detail("overlmt_selfpay"),
        first_self_pay=detail("preselfpay_amt"),
        in_scope=detail("inscp_scp_amt"),
        deductible=detail("act_pay_dedc"),
        fund=fund,
        account=account,
        cash=cash,
        hospital=hospital,
        pool_ratio=tolerant(unread, lambda: ratio(info, "pool_prop_selfpay", required=False), None),
        funds=_fund_rows(output, unread),
        balance_after=tolerant(unread, lambda: money(info, "balc", required=False), None),
    )
    _expect(check_balance(totals, cancellation=cancellation))
    unread.extend(
        check_details(totals, cancellation=cancellation, non_fund_types=chosen.non_fund_types)
    )
    unread.extend(_column_problems(info, totals, unread))
    if unread:
        log.warning("settlement answer balances; details not read: %s", "; ".join(unread)[:300])
    return replace(totals, unread=tuple(unread))


def _optional_amount(info: Mapping[str, Any], key: str, unread: list[str]) -> Decimal | None:
    return tolerant(unread, lambda: money(info, key, required=False), None)


def _detail_reader(info: Mapping[str, Any], unread: list[str]) -> Callable[[str], Decimal]:
    def read(key: str) -> Decimal:
        return tolerant(unread, lambda: optional_money(info, key), ZERO)

    return read


def _hospital_share(info: Mapping[str, Any], profile: AnswerProfile, wanted: Decimal) -> Decimal:
    """The first of the profile's formulas that makes the answer balance, else the first one's sum.

    ``wanted`` is what the hospital's share must be for the totals to balance.
    """
    first: Decimal | None = None
    first_error: ProtocolError | None = None
    for formula in profile.hospital_share:
        try:
            share = sum((money(info, key, required=False) or ZERO for key in formula), start=ZERO)
        except ProtocolError as exc:
            first_error = first_error or exc
            continue
        if share == wanted:
            return share
        first = share if first is None else first
    if first is None and first_error is not None:
        raise first_error
    return first or ZERO


def _fund_rows(output: Mapping[str, Any], unread: list[str]) -> tuple[FundPayment, ...]:
    """``setldetail[]``: rows without a readable fund type or amount are skipped and noted."""
    value = output.get("setldetail")
    if _absent(value):
        return ()
    if not isinstance(value, list):
        unread.append("setldetail is not a list")
        return ()
    found = [_fund_row(row, number, unread) for number, row in enumerate(value, start=1)]
    return tuple(payment for payment in found if payment is not None)


def _fund_row(row: object, number: int, unread: list[str]) -> FundPayment | None:
    if not isinstance(row, dict):
        unread.append(f"setldetail row {number} is not an object")
        return None
    row_unread: list[str] = []
    fund_type = tolerant(row_unread, lambda: text(row, "fund_pay_type", 10, required=False), "")
    amount = tolerant(row_unread, lambda: money(row, "fund_payamt", required=False), None)
    if not fund_type or amount is None:
        unread.append(f"setldetail row {number} skipped: no readable fund type or amount")
        return None
    name = tolerant(row_unread, lambda: text(row, "fund_pay_type_name", 100, required=False), "")
    unread.extend(row_unread)
    return FundPayment(fund_type=fund_type, amount=amount, name=name)


def _column_problems(
    info: Mapping[str, Any], totals: SettlementTotals, unread: list[str]
) -> list[str]:
    problems: list[str] = []
    columns = [_optional_amount(info, name, unread) for name in FUND_COLUMNS]
    given = [amount for amount in columns if amount is not None]
    if given and sum(given, ZERO) != totals.fund:
        problems.append("fund columns do not add up to fund_pay_sumamt")
    patient = _optional_amount(info, "psn_part_amt", unread)
    if patient is not None and patient != totals.account + totals.cash:
        problems.append("psn_part_amt is not account + cash")
    return problems


@dataclass(frozen=True)
class SettleExpectation:
    """What a 2207 answer must echo back."""

    msgid: str
    person_no: str
    visit_id: str
    total: Decimal
    med_type: str
    disease_code: str | None
    insurance_type: str


def parse_settlement(
    output: Mapping[str, Any],
    expected: SettleExpectation,
    *,
    answered_at: datetime,
    profile: AnswerProfile | None = None,
) -> SettlementRecord:
    """2207 → a checked record; the echoes (msgid, person, visit, total) must match our request.

    A 2207 answered with infcode 0 has been done: only a missing ``setl_id`` or totals that do not
    balance make it unknown (interface.md A §10). A missing or unreadable ``setl_time`` is taken as
    ``answered_at`` and noted.
    """
    info = node(output, "setlinfo")
    totals = parse_totals(output, profile=profile)
    _check_echo(info, expected.msgid, expected.person_no, expected.visit_id)
    if totals.total != expected.total:
        raise ProtocolError("settled total differs from the requested total")
    unread = list(totals.unread)
    settled_at = _answer_time(info, answered_at, unread)

    def optional(key: str, max_len: int) -> str:
        return tolerant(unread, lambda: text(info, key, max_len, required=False), "")

    record = SettlementRecord(
        settlement_id=text(info, "setl_id", 30),
        visit_id=expected.visit_id,
        msgid=expected.msgid,
        med_type=expected.med_type,
        disease_code=expected.disease_code,
        insurance_type=optional("insutype", 6) or expected.insurance_type,
        settled_at=settled_at,
        totals=totals,
        splits=(),
        clearing_agency=optional("clr_optins", 6),
        clearing_way=optional("clr_way", 6),
        clearing_type=optional("clr_type", 6),
    )
    return replace(record, totals=replace(totals, unread=tuple(unread)))


def _answer_time(info: Mapping[str, Any], answered_at: datetime, unread: list[str]) -> datetime:
    """``setl_time``, or the time the answer arrived when it is missing or unreadable (B §2.11)."""
    if _absent(info.get("setl_time")):
        unread.append("setl_time is missing; the answer's arrival time is used")
        return answered_at
    return tolerant(unread, lambda: moment(info, "setl_time"), answered_at)


def _check_echo(info: Mapping[str, Any], msgid: str, person_no: str, visit_id: str) -> None:
    if text(info, "medins_setl_id", 30, required=False) not in ("", msgid):
        raise ProtocolError("medins_setl_id does not echo our msgid")
    if text(info, "psn_no", 30, required=False) not in ("", person_no):
        raise ProtocolError("answer is for another person")
    if text(info, "mdtrt_id", 30, required=False) not in ("", visit_id):
        raise ProtocolError("answer is for another visit")


def parse_preview(
    output: Mapping[str, Any],
    person_no: str,
    visit_id: str,
    total: Decimal,
    *,
    profile: AnswerProfile | None = None,
) -> SettlementTotals:
    """2206 → totals; the preview must be for our person, visit and total."""
    info = node(output, "setlinfo")
    totals = parse_totals(output, profile=profile)
    if text(info, "psn_no", 30, required=False) not in ("", person_no):
        raise ProtocolError("answer is for another person")
    if text(info, "mdtrt_id", 30, required=False) not in ("", visit_id):
        raise ProtocolError("answer is for another visit")
    if totals.total != total:
        raise ProtocolError("previewed total differs from the requested total")
    return totals


def parse_cancellation(
    output: Mapping[str, Any],
    msgid: str,
    original_settlement_id: str,
    person_no: str,
    visit_id: str,
    *,
    answered_at: datetime,
    profile: AnswerProfile | None = None,
) -> CancellationRecord:
    """2208 → the negative mirror with the cancellation's own ``setl_id``.

    Without ``setl_time`` the platform has still cancelled: the answer's arrival time is used
    (interface.md B §2.11).
    """
    info = node(output, "setlinfo")
    totals = parse_totals(output, cancellation=True, profile=profile)
    _check_echo(info, msgid, person_no, visit_id)
    settlement_id = text(info, "setl_id", 30)
    if settlement_id == original_settlement_id:
        raise ProtocolError("cancellation carries the original settlement id")
    unread = list(totals.unread)
    cancelled_at = _answer_time(info, answered_at, unread)
    return CancellationRecord(
        settlement_id=settlement_id,
        original_settlement_id=original_settlement_id,
        msgid=msgid,
        cancelled_at=cancelled_at,
        totals=replace(totals, unread=tuple(unread)),
    )


def parse_queried_settlement(
    output: Mapping[str, Any],
    person_no: str,
    settlement_id: str,
    *,
    profile: AnswerProfile | None = None,
) -> SettlementTotals:
    """5203 → the totals of that settlement (negative for a cancellation row)."""
    info = node(output, "setlinfo")
    if text(info, "setl_id", 30, required=False) not in ("", settlement_id):
        raise ProtocolError("answer is for another settlement")
    if text(info, "psn_no", 30, required=False) not in ("", person_no):
        raise ProtocolError("answer is for another person")
    total = required_money(info, "medfee_sumamt")
    return parse_totals(output, cancellation=total < 0, profile=profile)


# ---------------------------------------------------------------------------------- 3201, 3202, files


def parse_statement_total(output: Mapping[str, Any]) -> StatementTotalResult:
    """3201 ``stmtinfo`` → balanced or not (``stmt_rslt`` 0 = balanced)."""
    info = node(output, "stmtinfo")
    result = text(info, "stmt_rslt", 6)
    return StatementTotalResult(
        clearing_agency=text(info, "setl_optins", 6, required=False),
        balanced=result == "0",
        description=sanitise(text(info, "stmt_rslt_dscr", MAX_TEXT, required=False)),
    )


def parse_upload(output: Mapping[str, Any]) -> str:
    """9101 → ``file_qury_no`` (top level of ``output``)."""
    return text(output, "file_qury_no", 60)


@dataclass(frozen=True)
class FileTicket:
    """Where to fetch a prepared file with 9102."""

    file_query_no: str
    filename: str
    rows: int | None = None


def parse_file_info(output: Mapping[str, Any]) -> FileTicket:
    """3202 ``fileinfo`` → the result file's ticket."""
    info = node(output, "fileinfo")
    return FileTicket(text(info, "file_qury_no", 60), text(info, "filename", 200))


def parse_catalogue_ticket(output: Mapping[str, Any]) -> FileTicket:
    """1301/1305/1306 → the catalogue file's ticket and row count."""
    count = output.get("data_cn")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ProtocolError("data_cn is not a row count")
    return FileTicket(text(output, "file_qury_no", 60), text(output, "filename", 200), count)


def read_zipped_text(content: bytes) -> str:
    """The one text member of a platform zip (9102), size-checked; UTF-8 or GB18030."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise ProtocolError("file is not a zip archive") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not members or len(members) > MAX_FILE_MEMBERS:
            raise ProtocolError("zip archive has no or too many members")
        member = members[0]
        if member.file_size > MAX_FILE_BYTES:
            raise ProtocolError("zip member is too large")
        try:
            data = archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise ProtocolError("zip member cannot be read") from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ProtocolError("file is neither UTF-8 nor GB18030")


def tab_rows(body: str) -> list[list[str]]:
    """Tab-separated lines without header; ``null`` becomes empty."""
    return [
        ["" if cell == "null" else cell for cell in line.rstrip("\r").split("\t")]
        for line in body.split("\n")
        if line.strip()
    ]


DETAIL_RESULT_COLUMNS = 10
STATEMENT_RESULTS = frozenset({"0", "1", "2", "3"})


def parse_result_file(content: bytes) -> tuple[DetailRow, ...]:
    """3202 result rows: psn_no, mdtrt_id, setl_id, msgid, stmt_rslt, refd_setl_flag, memo, amounts."""
    found: list[DetailRow] = []
    for cells in tab_rows(read_zipped_text(content)):
        if len(cells) != DETAIL_RESULT_COLUMNS:
            raise ProtocolError("result row does not have 10 columns")
        values = {"total": cells[7], "fund": cells[8], "account": cells[9]}
        amounts = {name: _cell_money(value) for name, value in values.items()}
        if cells[4] not in STATEMENT_RESULTS:
            raise ProtocolError("stmt_rslt is not 0-3")
        found.append(
            DetailRow(
                person_no=cells[0][:30],
                visit_id=cells[1][:30],
                settlement_id=cells[2][:30],
                msgid=cells[3][:30],
                total=amounts["total"],
                fund=amounts["fund"],
                account=amounts["account"],
                refund=cells[5] == "1",
                result=cells[4],
                memo=sanitise(cells[6], 200),
            )
        )
    return tuple(found)


def _cell_money(cell: str) -> Decimal:
    parsed = money({"v": loads(cell)} if cell else {"v": None}, "v")
    assert parsed is not None
    return parsed


def detail_file(rows_: Iterable[DetailRow]) -> bytes:
    """The 9101 upload for 3202: a zip holding one tab-separated text file.

    Columns: setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay, refd_setl_flag.
    """
    lines = [
        "\t".join(
            (
                row.settlement_id,
                row.visit_id,
                row.person_no,
                format(row.total, "f"),
                format(row.fund, "f"),
                format(row.account, "f"),
                "1" if row.refund else "0",
            )
        )
        for row in rows_
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("stmt_detail.txt", ("\n".join(lines) + "\n").encode("utf-8"))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- catalogue

CATALOGUE_FILE_COLUMNS = (
    "med_list_codg", "name", "pinyin", "spec", "unit", "med_chrgitm_type", "chrgitm_lv",
    "selfpay_prop", "pric_uplmt_amt", "lmt_used_flag", "list_type", "vali_flag", "begndate",
    "enddate", "ver",
)  # fmt: skip
_MAX_CELL = 1000


def parse_catalogue_file(content: bytes) -> CataloguePage:
    """A 130x download → rows keyed by :data:`CATALOGUE_FILE_COLUMNS`; version = highest ``ver``."""
    found: list[dict[str, str]] = []
    for cells in tab_rows(read_zipped_text(content)):
        if len(cells) < len(CATALOGUE_FILE_COLUMNS):
            raise ProtocolError("catalogue row has too few columns")
        if any(len(cell) > _MAX_CELL for cell in cells):
            raise ProtocolError("catalogue cell is too long")
        found.append(dict(zip(CATALOGUE_FILE_COLUMNS, cells, strict=False)))
    version = max((row["ver"] for row in found), default="")
    return CataloguePage(rows=tuple(found), version=version)


def parse_catalogue_page(output: Mapping[str, Any]) -> CataloguePage:
    """1312 → one page of rows (values as text) and the page count."""
    pages = output.get("pages")
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 0:
        raise ProtocolError("pages is not a page count")
    found: list[dict[str, str]] = []
    for row in rows(output, "data", required=False):
        found.append({key: _cell_text(key, value) for key, value in row.items()})
        if not found[-1].get("hilist_code"):
            raise ProtocolError("catalogue row has no hilist_code")
    extra = {"recordCounts": str(output.get("recordCounts", ""))[:12]}
    return CataloguePage(rows=tuple(found), total_pages=pages, extra=extra)


def _cell_text(key: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ProtocolError(f"{key} is not finite")
        return format(value, "f")
    if isinstance(value, int | str):
        cell = str(value)
        if len(cell) > _MAX_CELL or cell != cell.translate(_CONTROL):
            raise ProtocolError(f"{key} is not a plain text cell")
        return cell
    raise ProtocolError(f"{key} is not a scalar")


# ---------------------------------------------------------------------------------- e-voucher


@dataclass(frozen=True)
class VoucherRefusal:
    """The e-voucher centre said no (non-zero ``code``)."""

    code: str
    message: str


def parse_voucher(raw: bytes) -> VoucherIdentity | VoucherRefusal:
    """The e-voucher centre's answer (A §11): identity on ``code`` 0, else its refusal."""
    body = loads(raw)
    if not isinstance(body, dict) or "code" not in body:
        raise ProtocolError("e-voucher answer has no code")
    code = _infcode(body["code"])
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        raise ProtocolError("e-voucher message is not text")
    if code != 0:
        return VoucherRefusal(str(code), sanitise(message or ""))
    data = node(body, "data")
    insured = text(data, "insuOrg", 6, required=False)
    if insured and not (len(insured) == 6 and insured.isdigit()):
        raise ProtocolError("insuOrg is not a division code")
    return VoucherIdentity(
        ec_token=text(data, "ecToken", 100),
        id_number=text(data, "idNo", 50, required=False),
        name=text(data, "userName", 50, required=False),
        id_type=text(data, "idType", 6, required=False) or "01",
        insured_admdvs=insured,
    )
