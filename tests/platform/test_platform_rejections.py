"""Refusals map to our category and plain Chinese that says what to do; 401s name the cause."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flow_helpers import OpenGroup, card_of, fee_lines, identity, open_group

from app.config import Settings
from app.domain.money import ZERO
from app.domain.operator import Operator
from app.domain.settlement import SettlementTotals
from app.domain.visit import Credential, CredentialKind
from app.errors import InputError, PlatformCategory, PlatformRejected
from app.platform import outcomes
from app.platform.client import PlatformClient
from app.platform.codec import parse_reply
from app.platform.profile import CALL_SERVICE_PATH
from app.platform.signing import signed_headers
from app.platform.transport import Transport
from app.sandbox import SandboxServer
from app.services.ports.platform import CallContext, FeeUpload, RegisterRequest


class SkewedClock:
    """The real clock moved by ``offset``: a window whose clock is wrong."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        """Wrong wall time."""
        return datetime.now(UTC) + self.offset

    def monotonic(self) -> float:
        """Monotonic time is unaffected by a wrong wall clock."""
        return datetime.now(UTC).timestamp()


def _assert_plain_chinese(error: PlatformRejected) -> None:
    assert error.failure.platform_text
    assert error.failure.platform_text not in error.text
    assert "请" in error.text  # every message says what to do


def _register(
    client: PlatformClient, sandbox: SandboxServer, operator: Operator, msgid: str, name: str
) -> str:
    who = identity(sandbox, name)
    row = next(r for r in who["insutypes"] if r["status"] == "1")
    return client.register(
        CallContext(operator, row["insuplc_admdvs"]),
        msgid,
        RegisterRequest(
            person_no=who["psn_no"],
            insurance_type=row["insutype"],
            begin_time=datetime.now(UTC),
            credential=card_of(who),
            outpatient_no=f"MZ{msgid[-8:]}",
            doctor_code="D110105000001",
            doctor_name="王医生",
            dept_code="A03",
            dept_name="肿瘤内科",
        ),
    )


def test_missing_cross_province_registration_is_a_registration_refusal(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    with pytest.raises(PlatformRejected) as caught:
        _register(client, sandbox, cashier, msgids(), "黄丽华")
    assert caught.value.category is PlatformCategory.REGISTRATION
    assert "未备案" in caught.value.failure.platform_text
    assert "全额自费" in caught.value.text
    _assert_plain_chinese(caught.value)


def test_a_resent_msgid_is_a_duplicate_refusal(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    msgid = msgids()
    _register(client, sandbox, cashier, msgid, "张建国")
    with pytest.raises(PlatformRejected) as caught:
        _register(client, sandbox, cashier, msgid, "张建国")
    assert caught.value.category is PlatformCategory.DUPLICATE
    assert caught.value.failure.msgid == msgid
    assert "切勿重复收费" in caught.value.text


def test_an_expired_qualification_is_a_qualification_refusal(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    with pytest.raises(PlatformRejected) as caught:
        open_group(client, sandbox, cashier, msgids, "王志强")
    assert caught.value.category is PlatformCategory.QUALIFICATION
    _assert_plain_chinese(caught.value)


def test_an_unknown_catalogue_code_is_a_catalogue_refusal(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    group = open_group(client, sandbox, cashier, msgids, "张建国")
    line = replace(
        fee_lines(sandbox, (("H11010500001XY0022", "38.50", "1"),))[0], national_code="XNOTINLIST"
    )
    upload = FeeUpload(
        group.visit_id,
        group.person_no,
        "B2",
        group.disease_code,
        (line,),
        "A03",
        "肿瘤内科",
        "D1",
        "王医生",
    )
    with pytest.raises(PlatformRejected) as caught:
        client.upload_fees(group.ctx, msgids(), upload)
    assert caught.value.category is PlatformCategory.CATALOGUE
    _assert_plain_chinese(caught.value)


def test_split_totals_that_disagree_are_an_amount_refusal(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    group: OpenGroup = open_group(client, sandbox, cashier, msgids, "张建国")
    wrong = SettlementTotals(
        total=group.total, full_self_pay=group.total, over_limit=ZERO, first_self_pay=ZERO,
        in_scope=ZERO, deductible=ZERO, fund=ZERO, account=ZERO, cash=group.total,
    )  # fmt: skip
    with pytest.raises(PlatformRejected) as caught:
        client.settle(group.ctx, msgids(), replace(group.settle_request(), split_totals=wrong))
    assert caught.value.category is PlatformCategory.AMOUNT
    assert sandbox.ledger() == []


def test_an_unknown_card_is_a_person_refusal(client: PlatformClient, ctx: CallContext) -> None:
    card = Credential(CredentialKind.CARD, "X99999999", card_sn="110000D15600000500BF7C7A48FB4966")
    with pytest.raises(PlatformRejected) as caught:
        client.query_person(ctx, card)
    assert caught.value.category is PlatformCategory.PERSON
    _assert_plain_chinese(caught.value)


def test_a_wrong_token_is_a_signature_refusal_naming_passid(
    make_client: Callable[..., PlatformClient], sandbox_settings: Settings, ctx: CallContext
) -> None:
    wrong = replace(
        sandbox_settings, platform=replace(sandbox_settings.platform, token="not-the-token")
    )
    with pytest.raises(PlatformRejected) as caught:
        make_client(wrong).check_connection(ctx.operator)
    assert caught.value.category is PlatformCategory.SIGNATURE
    assert "passid" in caught.value.text
    assert "签名" in caught.value.failure.platform_text


def test_a_skewed_clock_is_named_with_the_offset(
    sandbox_settings: Settings, msgids: Callable[[], str], ctx: CallContext
) -> None:
    settings = sandbox_settings
    skewed = PlatformClient(
        settings.platform,
        settings.hospital,
        settings.window,
        msgids,
        SkewedClock(timedelta(seconds=400)),
    )
    with skewed, pytest.raises(PlatformRejected) as caught:
        skewed.check_connection(ctx.operator)
    assert caught.value.category is PlatformCategory.SIGNATURE
    assert "本机时间比医保平台快约" in caught.value.text
    assert "校准本机时间" in caught.value.text


def test_a_replayed_nonce_is_refused_with_a_signature_text(
    sandbox: SandboxServer, sandbox_settings: Settings
) -> None:
    transport = Transport(sandbox_settings.platform)
    headers = signed_headers(sandbox.passid, sandbox.token, int(datetime.now(UTC).timestamp()))
    body = b'{"infno":"9001"}'
    try:
        transport.post(sandbox.url + CALL_SERVICE_PATH, body, headers)
        replayed = transport.post(sandbox.url + CALL_SERVICE_PATH, body, headers)
    finally:
        transport.close()
    assert replayed.status == 401
    error = outcomes.signature_refused(
        "9001",
        None,
        parse_reply(replayed.body).err_msg,
        replayed.server_date,
        datetime.now(UTC),
    )
    assert error.category is PlatformCategory.SIGNATURE
    assert "重复" in error.failure.platform_text
    assert "随机数重复，直接重试即可" in error.text


def test_unsendable_text_is_an_input_error_and_nothing_is_sent(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    who = identity(sandbox, "张建国")
    broken = Credential(CredentialKind.CARD, who["card_no"] + "\ud800", card_sn=who["card_sn"])
    with pytest.raises(InputError) as caught:
        client.register(
            CallContext(cashier, who["insuplc_admdvs"]),
            msgids(),
            RegisterRequest(
                who["psn_no"],
                "310",
                datetime.now(UTC),
                broken,
                "MZ1",
                "D1",
                "王医生",
                "A03",
                "肿瘤内科",
            ),
        )
    assert caught.value.code == "unsendable_request"
    assert sandbox.request_count("2201") == 0
