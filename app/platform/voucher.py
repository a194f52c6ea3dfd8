"""The e-voucher decode at the e-voucher centre (A §11, B §7.2): its own endpoint and envelope."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from app.domain.operator import Operator
from app.errors import OutcomeUnknown, PlatformUnavailable
from app.platform import outcomes
from app.platform.codec import ProtocolError, dumps, integer_code, loads, sanitise
from app.platform.fields import node, text
from app.platform.session import PlatformSession, err_msg_of
from app.platform.transport import MaybeSent, NotSent
from app.services.ports.platform import VoucherIdentity

log = logging.getLogger(__name__)

VOUCHER_PATH = "/localcfc/api/hsecfc/localQrCodeQuery"


def decode_voucher(session: PlatformSession, operator: Operator, qr_code: str) -> VoucherIdentity:
    """E-voucher decode at the e-voucher centre (Part A §11)."""
    body = dumps(
        {
            "transType": "ec.query",
            "orgId": session.hospital.code,
            "data": {
                "orgId": session.hospital.code,
                "businessType": "01301",
                "operatorId": operator.code,
                "operatorName": operator.name,
                "officeId": session.window.device_no,
                "officeName": f"收费窗口{session.window.device_no}",
                "ecQrCode": qr_code,
            },
        }
    )
    attempt = 0
    while True:
        attempt += 1
        try:
            return _voucher_attempt(session, body)
        except (OutcomeUnknown, PlatformUnavailable):
            if attempt >= session.read_attempts:
                raise
            session.sleep(session.delay(attempt))


def _voucher_attempt(session: PlatformSession, body: bytes) -> VoucherIdentity:
    infno = "ec.query"
    started = time.monotonic()
    outcome = "ok"
    try:
        try:
            response = session.transport.post(
                session.settings.ec_url + VOUCHER_PATH, body, session.headers()
            )
        except NotSent as exc:
            outcome = "unavailable"
            raise outcomes.unavailable(infno, None, exc.reason) from None
        except MaybeSent as exc:
            outcome = "unknown"
            raise outcomes.unknown(infno, None, exc.reason, state_changing=False) from None
        if response.status == 401:
            outcome = "rejected"
            raise outcomes.signature_refused(
                infno, None, err_msg_of(response.body), response.server_date, session.clock.now()
            )
        content_type = response.content_type.split(";")[0].strip().lower()
        if response.status != 200 or content_type != "application/json":
            outcome = "unknown"
            raise outcomes.unknown(
                infno, None, f"HTTP {response.status} {content_type}", state_changing=False
            )
        try:
            answer = parse_voucher(response.body)
        except ProtocolError as exc:
            outcome = "unknown"
            raise outcomes.unknown(infno, None, exc.reason, state_changing=False) from None
        if isinstance(answer, VoucherRefusal):
            outcome = "rejected"
            raise outcomes.voucher_refused(answer.code, answer.message)
        return answer
    finally:
        log.info(
            "platform %s outcome=%s %.0f ms",
            infno,
            outcome,
            (time.monotonic() - started) * 1000,
        )


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
    code = integer_code(body["code"])
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
