"""Pure parts of the client: msgid format, signature, envelope fields, refusal categories, JSON."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.hospital import HospitalProfile
from app.domain.journal import STATE_CHANGING_INFNOS
from app.domain.operator import Operator, Role
from app.errors import PlatformCategory, PlatformMaintenance
from app.platform import outcomes
from app.platform.codec import MAX_ERR_MSG, ProtocolError, dumps, loads, parse_reply
from app.platform.envelope import (
    CHINA_TIME,
    EnvelopeContext,
    build_envelope,
    format_msgid,
    parse_msgid,
)
from app.platform.session import RETRYABLE_INFNOS
from app.platform.signing import signature, signed_headers

HOSPITAL = HospitalProfile("H11010500001", "演示医院", "110105", frozenset({"M03900"}))
ENVELOPE_FIELDS = (
    "infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "recer_sys_code", "dev_no",
    "dev_safe_info", "cainfo", "signtype", "infver", "opter_type", "opter", "opter_name",
    "inf_time", "fixmedins_code", "fixmedins_name", "sign_no", "input",
)  # fmt: skip


# hypothesis takes naive bounds and attaches the zone itself.
EARLIEST = datetime(2000, 1, 1)  # noqa: DTZ001
LATEST = datetime(2099, 12, 31)  # noqa: DTZ001


@settings(max_examples=500, deadline=None)
@given(
    when=st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)),
    sequence=st.integers(0, 9999),
)
def test_msgid_round_trip(when: datetime, sequence: int) -> None:
    msgid = format_msgid(HOSPITAL.code, when, sequence)
    parts = parse_msgid(msgid)
    assert len(msgid) == 30
    assert parts.institution_code == HOSPITAL.code
    assert parts.sequence == sequence
    assert parts.time == when.replace(microsecond=0)
    assert parts.time.utcoffset() == timedelta(hours=8)


def test_msgid_time_is_china_local_time() -> None:
    msgid = format_msgid(HOSPITAL.code, datetime(2026, 11, 23, 16, 30, 5, tzinfo=UTC), 7)
    assert msgid == "H11010500001202611240030050007"


@pytest.mark.parametrize(
    "bad", ["", "H1101050000120261124003005000", "h11010500001202611240030050007",
            "H11010500001202613240030050007", "H11010500001202611240030050007 "],
)  # fmt: skip
def test_malformed_msgids_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"msgid|month|day|unconverted|does not match"):
        parse_msgid(bad)


@pytest.mark.parametrize(("code", "sequence"), [("H1101050000", 1), ("H11010500001", 10000)])
def test_msgid_inputs_are_checked(code: str, sequence: int) -> None:
    with pytest.raises(ValueError, match=r"institution|sequence"):
        format_msgid(code, datetime.now(UTC), sequence)


def test_signature_is_sha256_of_timestamp_token_nonce_timestamp() -> None:
    expected = hashlib.sha256(b"1700000000" + b"tok" + b"n1" + b"1700000000").hexdigest()
    assert signature("1700000000", "tok", "n1") == expected
    headers = signed_headers("pass", "tok", 1700000000, nonce="n1")
    assert headers == {
        "x-tif-paasid": "pass",
        "x-tif-timestamp": "1700000000",
        "x-tif-nonce": "n1",
        "x-tif-signature": expected,
    }


def test_nonces_are_fresh() -> None:
    nonces = {signed_headers("p", "t", 1)["x-tif-nonce"] for _ in range(200)}
    assert len(nonces) == 200


def test_envelope_has_the_18_fields_in_order() -> None:
    fixed = EnvelopeContext(HOSPITAL, "V1.0", "YBXT", "W01")
    now = datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    envelope = build_envelope(
        fixed, infno="1101", msgid="M", operator=Operator("C1", "张三", Role.CASHIER),
        insured_admdvs="630102", sign_no="S", now=now, input_={"data": {}},
    )  # fmt: skip
    assert tuple(envelope) == ENVELOPE_FIELDS
    assert envelope["inf_time"] == "2026-01-01 08:00:01"
    assert (envelope["opter"], envelope["opter_name"], envelope["opter_type"]) == (
        "C1",
        "张三",
        "1",
    )
    assert envelope["mdtrtarea_admvs"] == "110105"


@pytest.mark.parametrize(
    ("err_msg", "category"),
    [
        ("该参保人未办理异地就医备案（未备案）", PlatformCategory.REGISTRATION),
        ("报文重复：发送方报文ID 已处理过", PlatformCategory.DUPLICATE),
        ("原交易不存在：无需冲正", PlatformCategory.NOT_FOUND),
        ("该参保人无 高血压 的门诊慢特病资格认定", PlatformCategory.QUALIFICATION),
        ("医疗目录编码 X 不在就医地医保目录中", PlatformCategory.CATALOGUE),
        ("医疗费总额与明细合计不一致", PlatformCategory.AMOUNT),
        ("网关鉴权失败：x-tif-signature 签名校验不通过", PlatformCategory.SIGNATURE),
        ("社会保障卡卡号 X 未查询到参保信息", PlatformCategory.PERSON),
        ("本定点医疗机构未开通 透析 的跨省门诊慢特病直接结算", PlatformCategory.OTHER),
        ("系统繁忙", PlatformCategory.BUSY),
        ("对方系统返回了无法识别的错误", PlatformCategory.OTHER),
    ],
)
def test_refusals_are_categorised(err_msg: str, category: PlatformCategory) -> None:
    error = outcomes.rejected("2201", "M", err_msg)
    assert error.category is category
    assert error.failure.platform_text == err_msg
    assert err_msg not in error.text


def test_maintenance_quotes_the_window_and_platform_text_is_sanitised() -> None:
    error = outcomes.rejected(
        "2207", "M", "系统停机维护：维护时间 22:00 至 02:00\x1b[2J" + "长" * 500
    )
    assert isinstance(error, PlatformMaintenance)
    assert "维护时间 22:00 至 02:00" in error.text
    assert "\x1b" not in error.failure.platform_text
    assert len(error.failure.platform_text) <= MAX_ERR_MSG


def test_skew_is_measured_from_the_server_date() -> None:
    server = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    slow = outcomes.signature_refused(
        "9001", None, "时间戳超出范围", server, server - timedelta(seconds=420)
    )
    assert "慢约 420 秒" in slow.text
    unknown = outcomes.signature_refused("9001", None, "签名错误", None, server)
    assert "passid" in unknown.text


def test_json_keeps_decimals_exact_and_refuses_nan() -> None:
    body = dumps({"a": Decimal("179.63"), "b": [Decimal("-0.00"), 1, "龘"]})
    assert body == '{"a":179.63,"b":[-0.00,1,"龘"]}'.encode()
    assert loads(body) == {"a": Decimal("179.63"), "b": [Decimal("0.00"), 1, "龘"]}
    for hostile in (b'{"a":NaN}', b'{"a":1,"a":2}', b"[" * 100 + b"]" * 100, b"\xff"):
        with pytest.raises(ProtocolError):
            loads(hostile)
    with pytest.raises(TypeError):
        dumps({"a": Decimal("NaN")})


@pytest.mark.parametrize(
    ("raw", "infcode"), [(b'{"infcode":0}', 0), (b'{"infcode":"-1"}', -1), (b'{"infcode":"0"}', 0)]
)
def test_infcode_as_number_or_string(raw: bytes, infcode: int) -> None:
    assert parse_reply(raw).infcode == infcode


@pytest.mark.parametrize(
    "raw",
    [b'{"infcode":true}', b'{"infcode":"--1"}', b'{"infcode":"0 "}', b'{"infcode":0.5}', b"{}"],
)
def test_bad_infcodes_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_reply(raw)


def test_china_time_constant_is_utc_plus_8() -> None:
    assert CHINA_TIME.utcoffset(None) == timedelta(hours=8)


def test_no_state_changing_transaction_is_ever_retried() -> None:
    assert RETRYABLE_INFNOS.isdisjoint(STATE_CHANGING_INFNOS)


sendable_text = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
json_trees = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.decimals(min_value=-(10**14), max_value=10**14, places=2)
    | st.text(alphabet=sendable_text, max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=sendable_text, max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(tree=json_trees)
def test_dumps_then_loads_gives_the_same_values(tree: object) -> None:
    assert loads(dumps(tree)) == tree


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_dumps_refuses_text_that_is_not_sendable(text: str) -> None:
    with pytest.raises(TypeError):
        dumps({"name": text})


def _nested(depth: int, leaf: str = "1") -> bytes:
    """``depth`` containers, alternating objects and lists, around one scalar."""
    text = leaf
    for level in range(depth):
        text = f'{{"k":{text}}}' if level % 2 else f"[{text}]"
    return text.encode()


def test_nesting_is_refused_beyond_max_depth_counting_every_container() -> None:
    # 31 containers around a scalar is the deepest accepted: the scalar's own level counts too.
    assert loads(_nested(31)) is not None
    for depth in (32, 33, 40):
        with pytest.raises(ProtocolError):
            loads(_nested(depth))
    # Depth counts even where every sibling is a scalar and the deep branch is the last one.
    wide = b'{"a":1,"b":"x","c":' + _nested(32) + b"}"
    with pytest.raises(ProtocolError):
        loads(wide)
    # Empty containers add no level below them.
    assert loads(_nested(30, "[]")) is not None


def test_duplicate_keys_are_refused_at_any_level() -> None:
    for hostile in (
        b'{"output":{"result":[{"a":1,"b":2,"a":1}]}}',
        b'{"infcode":0,"output":{},"infcode":0}',
        b'[{"x":{"y":null,"y":null}}]',
    ):
        with pytest.raises(ProtocolError):
            loads(hostile)
    assert loads(b'{"a":{"a":1},"b":[{"a":1},{"a":2}]}') == {
        "a": {"a": 1},
        "b": [{"a": 1}, {"a": 2}],
    }


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        {"a": [1, 2.0]},
        {"a": ({"b": 0.1},)},
        {"a": Decimal("Infinity")},
        {"a": Decimal("sNaN")},
        {"a": {1, 2}},
        {"a": b"bytes"},
        {"a": [object()]},
        {"a": "\x00" + "1.5" + "\x00"},  # would read as a bare number if it were let through
        {"a": ["ok", "\x00"]},
        {"\x00k": 1},  # a key starting with NUL would look like a number's mark once encoded
    ],
)
def test_dumps_refuses_what_the_platform_must_never_get(value: object) -> None:
    with pytest.raises(TypeError):
        dumps(value)


def test_dumps_writes_every_container_kind_and_key_as_text() -> None:
    body = dumps(
        {
            "t": ("a", Decimal("1.10")),
            "m": MappingProxyType({"x": Decimal("-3")}),
            1: True,
            "n": None,
            "e": Decimal("1E+2"),
            "z": Decimal("-0.00"),
        }
    )
    assert body == b'{"t":["a",1.10],"m":{"x":-3},"1":true,"n":null,"e":100,"z":-0.00}'


@pytest.mark.parametrize(
    "text",
    ["\\u0000", "1\\u0000", '"\\u00001.5\\u0000"', "\\", '\\"', '\\u0000"', "x\\u0000"],
)
def test_text_that_looks_like_a_marked_number_is_sent_as_text(text: str) -> None:
    tree = {text: [text, Decimal("1.50"), {"t": text, "n": Decimal("-2")}], "u": text}
    body = dumps(tree)
    assert json.loads(body) == {text: [text, 1.5, {"t": text, "n": -2}], "u": text}
    assert loads(body) == tree
