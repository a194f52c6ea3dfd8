"""The platform client: implements :class:`app.services.ports.platform.PlatformGateway` over HTTP.

One call = envelope (with the operator's sign-in) → signed POST → parsed answer. Outcomes:

* a typed result;
* :class:`~app.errors.PlatformRejected` / :class:`~app.errors.PlatformMaintenance` — the platform
  answered no, nothing happened;
* :class:`~app.errors.PlatformUnavailable` — provably not sent;
* :class:`~app.errors.OutcomeUnknown` — sent, no valid answer.

State-changing calls use the msgid the caller journaled and are sent exactly once. Read-only calls
take a fresh msgid per attempt and are retried a few times with exponential back-off and jitter when
the platform was unreachable or the answer unusable. Logs carry infno, msgid, outcome and duration —
never headers, the token, bodies or personal data.
"""

from __future__ import annotations

import base64
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from app.config import PlatformSettings, WindowSettings
from app.domain.hospital import HospitalProfile
from app.domain.operator import Operator
from app.domain.person import InsuredPerson, Qualification
from app.domain.settlement import LineSplit, SettlementRecord, SettlementTotals
from app.domain.visit import Credential, CredentialKind
from app.errors import (
    InputError,
    OutcomeUnknown,
    PlatformMaintenance,
    PlatformRejected,
    PlatformUnavailable,
)
from app.platform import outcomes, wire
from app.platform.answer_profile import profile_for
from app.platform.envelope import EnvelopeContext, build_envelope, china_time, wire_date, wire_time
from app.platform.profile import PART_A, ProvinceProfile
from app.platform.refusals import JournalMeaning
from app.platform.signing import signed_headers
from app.platform.transport import (
    MAX_FILE_BODY,
    MAX_JSON_BODY,
    MaybeSent,
    NotSent,
    RawResponse,
    Transport,
)
from app.services.ports.clock import Clock
from app.services.ports.platform import (
    CallContext,
    CancellationRecord,
    CancelRequest,
    CataloguePage,
    DetailRow,
    FeeUpload,
    JournaledSend,
    PlatformGateway,
    RegisterRequest,
    ReversalOutcome,
    SettleRequest,
    StatementDetailRequest,
    StatementTotalRequest,
    StatementTotalResult,
    VisitUpload,
    VoucherIdentity,
)

log = logging.getLogger(__name__)

VOUCHER_PATH = "/localcfc/api/hsecfc/localQrCodeQuery"
JSON_TYPE = "application/json; charset=utf-8"
CATALOGUE_DOWNLOADS = frozenset({"1301", "1305", "1306"})
# Calls that change nothing on the platform (9002 only ends a sign-in): safe to repeat.
RETRYABLE_INFNOS = frozenset(
    {"9001", "9002", "1101", "5301", "2206", "5203", "1312", "1301", "1305", "1306", "3201", "9102"}
)
# Refusals that mean "your sign_no is no longer valid" rather than anything about the request.
_SIGN_IN_EXPIRED = (
    "未签到",
    "签到已失效",
    "签到信息无效",
    "签到流水号无效",
    "签到已过期",
    "请重新签到",
)

T = TypeVar("T")


@dataclass(frozen=True)
class _Call:
    """One request as the wire layer sends it."""

    operator: Operator
    insured: str
    infno: str
    msgid: str
    input: Mapping[str, Any]
    sign_no: str
    state_changing: bool = False


class PlatformClient:
    """Talks to the platform for one window; safe to share between worker threads."""

    def __init__(
        self,
        settings: PlatformSettings,
        hospital: HospitalProfile,
        window: WindowSettings,
        next_msgid: Callable[[], str],
        clock: Clock,
        *,
        read_attempts: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        profile: ProvinceProfile = PART_A,
    ) -> None:
        """Build the client.

        Args:
            settings: platform address, credentials, timeouts, TLS.
            hospital: this institution (envelope code, name, region).
            window: this cashier window (device number, IP, MAC for 9001).
            next_msgid: the persisted msgid counter; called for read-only calls only.
            clock: wall clock for envelope times, signatures and the sign-in date.
            read_attempts: total attempts for a read-only call (≥ 1).
            backoff_seconds: base of the exponential back-off between read attempts.
            sleep: how to wait between attempts (tests pass a recorder).
            profile: the province's deviations from Part A (paths, extra envelope keys).
        """
        self._settings = settings
        self._hospital = hospital
        self._window = window
        self._next_msgid = next_msgid
        self._clock = clock
        self._read_attempts = max(1, read_attempts)
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._jitter = random.Random()  # noqa: S311 - jitter, not security
        self._fixed = EnvelopeContext(
            hospital=hospital,
            infver=settings.infver,
            recer_sys_code=settings.recer_sys_code,
            device_no=window.device_no,
            extra=profile.extra_envelope,
        )
        self._profile = profile
        self._transport = Transport(settings)
        self._sign_ins: dict[str, tuple[date, str]] = {}
        self._sign_lock = threading.Lock()

    # ------------------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Release pooled connections."""
        self._transport.close()

    def __enter__(self) -> PlatformClient:
        """Use as a context manager; closes on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the transport."""
        self.close()

    # ------------------------------------------------------------------------------ sign-in

    def check_connection(self, operator: Operator) -> str:
        """A harmless sign-in (9001) for ``doctor``; returns the new ``sign_no``."""
        return self._sign_in(operator)

    def sign_out(self, operator: Operator) -> None:
        """9002 for the operator's current sign-in, if any."""
        with self._sign_lock:
            current = self._sign_ins.pop(operator.code, None)
        if current is None:
            return
        input_ = {"signOut": {"sign_no": current[1], "opter_no": operator.code}}
        self._read(operator, "", "9002", lambda: input_, lambda reply: None, sign_no=current[1])

    def _sign_no(self, operator: Operator) -> str:
        today = china_time(self._clock.now()).date()
        with self._sign_lock:
            current = self._sign_ins.get(operator.code)
        if current is not None and current[0] == today:
            return current[1]
        return self._sign_in(operator)

    def _sign_in(self, operator: Operator) -> str:
        input_ = {
            "signIn": {"opter_no": operator.code, "mac": self._window.mac, "ip": self._window.ip}
        }
        sign_no = self._read(
            operator, "", "9001", lambda: input_, lambda r: wire.parse_sign_in(r.output), sign_no=""
        )
        today = china_time(self._clock.now()).date()
        with self._sign_lock:
            self._sign_ins[operator.code] = (today, sign_no)
        return sign_no

    def _forget_sign_in(self, operator: Operator) -> None:
        with self._sign_lock:
            self._sign_ins.pop(operator.code, None)

    def _sign_no_for_write(self, operator: Operator, infno: str, msgid: str) -> str:
        """Sign in before a state-changing call; a failure here means that call was never sent."""
        try:
            return self._sign_no(operator)
        except (OutcomeUnknown, PlatformUnavailable) as exc:
            raise outcomes.unavailable(infno, msgid, f"sign-in failed: {exc.code}") from None

    # ------------------------------------------------------------------------------ the wire

    def _exchange(self, call: _Call) -> RawResponse:
        envelope = build_envelope(
            self._fixed,
            infno=call.infno,
            msgid=call.msgid,
            operator=call.operator,
            insured_admdvs=call.insured,
            sign_no=call.sign_no,
            now=self._clock.now(),
            input_=call.input,
        )
        limit = MAX_FILE_BODY if call.infno == "9102" else MAX_JSON_BODY
        try:
            body = wire.dumps(envelope)
        except TypeError:
            raise InputError(
                f"{outcomes.transaction_name(call.infno)}未发出：数据中含有无法发送的字符。"
                "请检查患者信息和费用明细（如读卡内容）后重试。",
                code="unsendable_request",
            ) from None
        return self._transport.post(
            self._settings.url + self._profile.path_for(call.infno),
            body,
            self._headers(),
            max_body=limit,
        )

    def _headers(self) -> dict[str, str]:
        headers = signed_headers(
            self._settings.passid, self._settings.token, int(self._clock.now().timestamp())
        )
        headers["Content-Type"] = JSON_TYPE
        headers["Accept"] = "application/json, application/octet-stream"
        return headers

    def _call(self, call: _Call) -> wire.Reply | bytes:
        """One request → the parsed envelope (infcode 0) or the bytes of a 9102 file."""
        started = time.monotonic()
        outcome = "error"
        try:
            answer = self._post(call)
            outcome = "ok"
            if isinstance(answer, wire.Reply) and answer.infcode != 0:
                expired = any(mark in answer.err_msg for mark in _SIGN_IN_EXPIRED)
                if expired and call.infno not in {"9001", "9002"}:
                    self._forget_sign_in(call.operator)
                raise outcomes.rejected(call.infno, call.msgid, answer.err_msg)
        except PlatformUnavailable:
            outcome = "unavailable"
            raise
        except OutcomeUnknown:
            outcome = "unknown"
            raise
        except PlatformRejected:
            outcome = "rejected"
            raise
        finally:
            elapsed_ms = (time.monotonic() - started) * 1000
            log.info(
                "platform %s msgid=%s outcome=%s %.0f ms",
                call.infno,
                call.msgid,
                outcome,
                elapsed_ms,
            )
        return answer

    def _post(self, call: _Call) -> wire.Reply | bytes:
        infno, msgid = call.infno, call.msgid
        try:
            response = self._exchange(call)
        except NotSent as exc:
            raise outcomes.unavailable(infno, msgid, exc.reason) from None
        except MaybeSent as exc:
            raise self._unknown(call, exc.reason) from None
        if response.status == HTTPStatus.UNAUTHORIZED:
            raise outcomes.signature_refused(
                infno, msgid, _err_msg_of(response.body), response.server_date, self._clock.now()
            )
        if response.status != HTTPStatus.OK:
            raise self._unknown(call, f"HTTP {response.status}")
        content_type = response.content_type.split(";")[0].strip().lower()
        if infno == "9102" and content_type == "application/octet-stream":
            return response.body
        if content_type != "application/json":
            raise self._unknown(call, "answer is not JSON")
        try:
            reply = wire.parse_reply(response.body)
        except wire.ProtocolError as exc:
            raise self._unknown(call, exc.reason) from None
        if reply.infno and reply.infno != infno:
            raise self._unknown(call, "answer echoes another infno")
        return reply

    @staticmethod
    def _unknown(call: _Call, reason: str) -> OutcomeUnknown:
        return outcomes.unknown(call.infno, call.msgid, reason, state_changing=call.state_changing)

    def _write(
        self,
        ctx: CallContext,
        infno: str,
        msgid: str,
        input_: Mapping[str, Any],
        parse: Callable[[wire.Reply], T],
    ) -> T:
        """A state-changing call: sent once with the caller's msgid; a bad answer is an unknown outcome."""
        sign_no = self._sign_no_for_write(ctx.operator, infno, msgid)
        reply = self._call(
            _Call(
                ctx.operator, ctx.insured_admdvs, infno, msgid, input_, sign_no, state_changing=True
            )
        )
        if not isinstance(reply, wire.Reply):
            raise outcomes.unknown(
                infno, msgid, "file where an envelope was expected", state_changing=True
            )
        try:
            return parse(reply)
        except wire.ProtocolError as exc:
            log.warning("platform %s msgid=%s answer refused: %s", infno, msgid, exc.reason)
            raise outcomes.unknown(infno, msgid, exc.reason, state_changing=True) from None

    def _read(
        self,
        operator: Operator,
        insured: str,
        infno: str,
        build: Callable[[], Mapping[str, Any]],
        parse: Callable[[wire.Reply], T],
        *,
        sign_no: str | None = None,
    ) -> T:
        """A read-only call with a fresh msgid per attempt, retried on unavailable/unknown."""
        if infno not in RETRYABLE_INFNOS:
            raise ValueError(f"{infno} changes state and must not be retried")
        resigned = False
        attempt = 0
        while True:
            attempt += 1
            msgid = self._next_msgid()
            used_sign_no = sign_no if sign_no is not None else self._sign_no(operator)
            try:
                call = _Call(operator, insured, infno, msgid, build(), used_sign_no)
                reply = self._call(call)
                if not isinstance(reply, wire.Reply):
                    raise wire.ProtocolError("file where an envelope was expected")
                return parse(reply)
            except wire.ProtocolError as exc:
                log.warning("platform %s msgid=%s answer refused: %s", infno, msgid, exc.reason)
                error: OutcomeUnknown | PlatformUnavailable = outcomes.unknown(
                    infno, msgid, exc.reason, state_changing=False
                )
            except (OutcomeUnknown, PlatformUnavailable) as exc:
                error = exc
            except PlatformRejected as exc:
                expired = any(mark in exc.failure.platform_text for mark in _SIGN_IN_EXPIRED)
                if expired and sign_no is None and not resigned:
                    resigned = True
                    continue
                raise
            if attempt >= self._read_attempts:
                raise error
            self._sleep(self._delay(attempt))

    def _read_file(self, operator: Operator, ticket: wire.FileTicket) -> bytes:
        """9102: the bytes of a prepared file."""
        input_ = {
            "fsDownloadIn": {
                "file_qury_no": ticket.file_query_no,
                "filename": ticket.filename,
                "fixmedins_code": self._hospital.code,
            }
        }
        attempt = 0
        while True:
            attempt += 1
            msgid = self._next_msgid()
            try:
                sign_no = self._sign_no(operator)
                content = self._call(_Call(operator, "", "9102", msgid, input_, sign_no))
            except (OutcomeUnknown, PlatformUnavailable):
                if attempt >= self._read_attempts:
                    raise
                self._sleep(self._delay(attempt))
                continue
            if isinstance(content, bytes):
                return content
            raise outcomes.unknown(
                "9102", msgid, "envelope where a file was expected", state_changing=False
            )

    def _delay(self, attempt: int) -> float:
        """Exponential back-off with full jitter: uniform(0.5, 1.0) × base × 2^(attempt-1)."""
        return float(self._backoff * (2 ** (attempt - 1)) * (0.5 + self._jitter.random() / 2))

    # ------------------------------------------------------------------------------ person

    def query_person(self, ctx: CallContext, credential: Credential) -> InsuredPerson:
        """1101 (signs in first when needed). Qualifications are left empty; see 5301."""
        data = _credential_input(credential)
        return self._read(
            ctx.operator,
            ctx.insured_admdvs,
            "1101",
            lambda: {"data": data},
            lambda r: wire.parse_person(r.output),
        )

    def query_qualifications(self, ctx: CallContext, person_no: str) -> tuple[Qualification, ...]:
        """5301."""
        data = {"psn_no": person_no}
        return self._read(
            ctx.operator,
            ctx.insured_admdvs,
            "5301",
            lambda: {"data": data},
            lambda r: wire.parse_qualifications(r.output),
        )

    def decode_voucher(self, operator: Operator, qr_code: str) -> VoucherIdentity:
        """E-voucher decode at the e-voucher centre (Part A §11)."""
        body = wire.dumps(
            {
                "transType": "ec.query",
                "orgId": self._hospital.code,
                "data": {
                    "orgId": self._hospital.code,
                    "businessType": "01301",
                    "operatorId": operator.code,
                    "operatorName": operator.name,
                    "officeId": self._window.device_no,
                    "officeName": f"收费窗口{self._window.device_no}",
                    "ecQrCode": qr_code,
                },
            }
        )
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._voucher_attempt(body)
            except (OutcomeUnknown, PlatformUnavailable):
                if attempt >= self._read_attempts:
                    raise
                self._sleep(self._delay(attempt))

    def _voucher_attempt(self, body: bytes) -> VoucherIdentity:
        infno = "ec.query"
        started = time.monotonic()
        outcome = "ok"
        try:
            try:
                response = self._transport.post(
                    self._settings.ec_url + VOUCHER_PATH, body, self._headers()
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
                    infno, None, _err_msg_of(response.body), response.server_date, self._clock.now()
                )
            content_type = response.content_type.split(";")[0].strip().lower()
            if response.status != 200 or content_type != "application/json":
                outcome = "unknown"
                raise outcomes.unknown(
                    infno, None, f"HTTP {response.status} {content_type}", state_changing=False
                )
            try:
                answer = wire.parse_voucher(response.body)
            except wire.ProtocolError as exc:
                outcome = "unknown"
                raise outcomes.unknown(infno, None, exc.reason, state_changing=False) from None
            if isinstance(answer, wire.VoucherRefusal):
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

    # ------------------------------------------------------------------------------ visit

    def register(self, ctx: CallContext, msgid: str, request: RegisterRequest) -> str:
        """2201 → ``mdtrt_id``. Rejected with 未备案 when there is no cross-province registration."""
        credential = request.credential
        data = {
            "psn_no": request.person_no,
            "insutype": request.insurance_type,
            "begntime": wire_time(request.begin_time),
            "mdtrt_cert_type": credential.kind.value,
            "mdtrt_cert_no": credential.number,
            "card_sn": credential.card_sn,
            "ipt_otp_no": request.outpatient_no,
            "atddr_no": request.doctor_code,
            "dr_name": request.doctor_name,
            "dept_code": request.dept_code,
            "dept_name": request.dept_name,
            "caty": request.caty or request.dept_code,
        }
        return self._write(
            ctx,
            "2201",
            msgid,
            {"data": data},
            lambda r: wire.parse_visit_id(r.output, request.person_no),
        )

    def cancel_registration(
        self, ctx: CallContext, msgid: str, person_no: str, visit_id: str, outpatient_no: str
    ) -> None:
        """2202."""
        data = {"psn_no": person_no, "mdtrt_id": visit_id, "ipt_otp_no": outpatient_no}
        self._write(ctx, "2202", msgid, {"data": data}, _no_output)

    def upload_visit(self, ctx: CallContext, msgid: str, upload: VisitUpload) -> None:
        """2203."""
        begin = wire_time(upload.begin_time)
        input_ = {
            "mdtrtinfo": {
                "mdtrt_id": upload.visit_id,
                "psn_no": upload.person_no,
                "med_type": upload.med_type,
                "begntime": begin,
                "main_cond_dscr": "",
                "dise_codg": upload.disease_code or "",
                "dise_name": upload.disease_name,
            },
            "diseinfo": [
                {
                    "diag_type": "1",
                    "diag_srt_no": "1",
                    "diag_code": upload.diagnosis_code,
                    "diag_name": upload.diagnosis_name,
                    "diag_dept": upload.dept_name,
                    "dise_dor_no": upload.doctor_code,
                    "dise_dor_name": upload.doctor_name,
                    "diag_time": begin,
                    "vali_flag": "1",
                }
            ],
        }
        self._write(ctx, "2203", msgid, input_, _no_output)

    def upload_fees(self, ctx: CallContext, msgid: str, upload: FeeUpload) -> tuple[LineSplit, ...]:
        """2204 → the visiting place's per-line split, identities checked."""
        now = self._clock.now()
        lines = [
            {
                "feedetl_sn": line.line_no,
                "mdtrt_id": upload.visit_id,
                "psn_no": upload.person_no,
                "chrg_bchno": upload.batch_no,
                "dise_codg": upload.disease_code or "",
                "rxno": "",
                "rx_circ_flag": "0",
                "fee_ocur_time": wire_time(line.time or now),
                "med_list_codg": line.national_code,
                "medins_list_codg": line.hospital_code,
                "det_item_fee_sumamt": line.amount,
                "cnt": line.quantity,
                "pric": line.unit_price,
                "bilg_dept_codg": upload.dept_code,
                "bilg_dept_name": upload.dept_name,
                "bilg_dr_codg": upload.doctor_code,
                "bilg_dr_name": upload.doctor_name,
                "hosp_appr_flag": "1",
            }
            for line in upload.lines
        ]
        return self._write(
            ctx,
            "2204",
            msgid,
            {"feedetail": lines},
            lambda r: wire.parse_splits(r.output, upload.lines),
        )

    def cancel_fees(
        self, ctx: CallContext, msgid: str, person_no: str, visit_id: str, batch_no: str
    ) -> None:
        """2205 (``0000`` removes every unsettled line of the visit)."""
        data = {"mdtrt_id": visit_id, "chrg_bchno": batch_no, "psn_no": person_no}
        self._write(ctx, "2205", msgid, {"data": data}, _no_output)

    # ------------------------------------------------------------------------------ settlement

    def pre_settle(self, ctx: CallContext, request: SettleRequest) -> SettlementTotals:
        """2206 preview; nothing changes on the platform."""
        data = _settle_input(request, final=False)
        return self._read(
            ctx.operator,
            ctx.insured_admdvs,
            "2206",
            lambda: {"data": data},
            lambda r: wire.parse_preview(
                r.output,
                request.person_no,
                request.visit_id,
                request.total,
                profile=profile_for(ctx.insured_admdvs),
            ),
        )

    def settle(self, ctx: CallContext, msgid: str, request: SettleRequest) -> SettlementRecord:
        """2207. Identities of B §5.1 are checked; a broken answer is an OutcomeUnknown."""
        expected = wire.SettleExpectation(
            msgid=msgid,
            person_no=request.person_no,
            visit_id=request.visit_id,
            total=request.total,
            med_type=request.med_type,
            disease_code=request.disease_code,
            insurance_type=request.insurance_type,
        )
        data = _settle_input(request, final=True)
        return self._write(
            ctx,
            "2207",
            msgid,
            {"data": data},
            lambda r: wire.parse_settlement(
                r.output,
                expected,
                answered_at=self._clock.now(),
                profile=profile_for(ctx.insured_admdvs),
            ),
        )

    def cancel_settlement(
        self, ctx: CallContext, msgid: str, request: CancelRequest
    ) -> CancellationRecord:
        """2208."""
        data = {
            "setl_id": request.settlement_id,
            "mdtrt_id": request.visit_id,
            "psn_no": request.person_no,
        }
        return self._write(
            ctx,
            "2208",
            msgid,
            {"data": data},
            lambda r: wire.parse_cancellation(
                r.output,
                msgid,
                request.settlement_id,
                request.person_no,
                request.visit_id,
                answered_at=self._clock.now(),
                profile=profile_for(ctx.insured_admdvs),
            ),
        )

    def reverse(
        self, ctx: CallContext, msgid: str, person_no: str, original_msgid: str, original_infno: str
    ) -> ReversalOutcome:
        """2601: undo a 2207/2208 whose outcome is unknown (A §7).

        A refusal the table of known texts reads as "nothing to undo" (原交易不存在, 退费结算标志不为
        未退费…) is a definite answer; other refusals raise, carrying the table's journal meaning
        (retry / escalate) in ``failure.extra["journal"]``.
        """
        data = {"psn_no": person_no, "omsgid": original_msgid, "oinfno": original_infno}
        try:
            return self._write(
                ctx, "2601", msgid, {"data": data}, lambda r: ReversalOutcome.REVERSED
            )
        except PlatformRejected as exc:
            meaning = outcomes.reversal_meaning(exc.failure.platform_text)
            if meaning is JournalMeaning.NOTHING_TO_UNDO and not isinstance(
                exc, PlatformMaintenance
            ):
                return ReversalOutcome.NOTHING_TO_UNDO
            raise

    def query_settlement(
        self, ctx: CallContext, person_no: str, settlement_id: str, visit_id: str
    ) -> SettlementTotals:
        """5203."""
        data = {"psn_no": person_no, "setl_id": settlement_id, "mdtrt_id": visit_id}
        return self._read(
            ctx.operator,
            ctx.insured_admdvs,
            "5203",
            lambda: {"data": data},
            lambda r: wire.parse_queried_settlement(
                r.output, person_no, settlement_id, profile=profile_for(ctx.insured_admdvs)
            ),
        )

    # ------------------------------------------------------------------------------ day close

    def statement_total(
        self, ctx: CallContext, request: StatementTotalRequest
    ) -> StatementTotalResult:
        """3201."""
        data = {
            "insutype": request.insurance_type,
            "clr_type": request.clearing_type,
            "setl_optins": request.clearing_agency,
            "stmt_begndate": request.begin.isoformat(),
            "stmt_enddate": request.end.isoformat(),
            "medfee_sumamt": request.total,
            "fund_pay_sumamt": request.fund,
            "acct_pay": request.account,
            "fixmedins_setl_cnt": str(request.count),
            "refd_setl_flag": "1" if request.include_refunds else "0",
        }
        return self._read(
            ctx.operator,
            ctx.insured_admdvs,
            "3201",
            lambda: {"data": data},
            lambda r: wire.parse_statement_total(r.output),
        )

    def statement_detail(
        self, ctx: CallContext, request: StatementDetailRequest, journaled: JournaledSend
    ) -> Sequence[DetailRow]:
        """9101 upload → 3202 → 9102 download; returns the classified result rows.

        9101 and 3202 leave a file and a reconciliation job on the platform (no money moves): they are
        sent once each under the caller's journal, never retried here; a failure raises and the day
        close is simply run again.
        """
        stamp = china_time(self._clock.now()).strftime("%Y%m%d%H%M%S")
        filename = f"{self._hospital.code}_{stamp}_stmt_detail.zip"
        upload = {
            "fsUploadIn": {
                "in": base64.b64encode(wire.detail_file(request.rows)).decode("ascii"),
                "filename": filename,
                "fixmedins_code": self._hospital.code,
            }
        }
        upload_ctx = CallContext(ctx.operator, "")
        file_no = journaled(
            "9101",
            lambda msgid: self._write(
                upload_ctx, "9101", msgid, upload, lambda r: wire.parse_upload(r.output)
            ),
        )
        data = {
            "setl_optins": request.clearing_agency,
            "file_qury_no": file_no,
            "stmt_begndate": request.begin.isoformat(),
            "stmt_enddate": request.end.isoformat(),
            "medfee_sumamt": request.total,
            "fund_pay_sumamt": request.fund,
            "cash_payamt": request.cash,
            "fixmedins_setl_cnt": str(len(request.rows)),
            "clr_type": request.clearing_type,
            "refd_setl_flag": "1" if request.include_refunds else "0",
            "exp_content": "",
        }
        ticket = journaled(
            "3202",
            lambda msgid: self._write(
                ctx, "3202", msgid, {"data": data}, lambda r: wire.parse_file_info(r.output)
            ),
        )
        content = self._read_file(ctx.operator, ticket)
        try:
            return wire.parse_result_file(content)
        except wire.ProtocolError as exc:
            raise outcomes.unknown("9102", None, exc.reason, state_changing=False) from None

    # ------------------------------------------------------------------------------ catalogue

    def download_catalogue(self, ctx: CallContext, infno: str, version: str) -> CataloguePage:
        """1301/1305/1306 via 9102."""
        if infno not in CATALOGUE_DOWNLOADS:
            raise ValueError(f"not a catalogue download: {infno}")
        data = {"ver": version or "0"}
        ticket = self._read(
            ctx.operator,
            "",
            infno,
            lambda: {"data": data},
            lambda r: wire.parse_catalogue_ticket(r.output),
        )
        content = self._read_file(ctx.operator, ticket)
        try:
            page = wire.parse_catalogue_file(content)
        except wire.ProtocolError as exc:
            raise outcomes.unknown(infno, None, exc.reason, state_changing=False) from None
        if ticket.rows is not None and ticket.rows != len(page.rows):
            raise outcomes.unknown(
                infno, None, "row count differs from data_cn", state_changing=False
            )
        return page

    def query_catalogue(self, ctx: CallContext, page: int, page_size: int) -> CataloguePage:
        """1312 paged query."""
        data = {
            "query_date": wire_date(self._clock.now()),
            "page_num": str(page),
            "page_size": str(page_size),
        }
        return self._read(
            ctx.operator,
            "",
            "1312",
            lambda: {"data": data},
            lambda r: wire.parse_catalogue_page(r.output),
        )


def _no_output(reply: wire.Reply) -> None:
    """Transactions without an output body: infcode 0 is the whole answer."""


def _credential_input(credential: Credential) -> dict[str, str]:
    by_id = credential.kind is CredentialKind.ID_NUMBER
    certno = credential.number if by_id else credential.id_number
    return {
        "mdtrt_cert_type": credential.kind.value,
        "mdtrt_cert_no": credential.number,
        "card_sn": credential.card_sn,
        "begntime": "",
        "psn_cert_type": "01" if certno else "",
        "certno": certno,
        "psn_name": credential.name,
    }


def _settle_input(request: SettleRequest, *, final: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "psn_no": request.person_no,
        "mdtrt_cert_type": request.credential.kind.value,
        "mdtrt_cert_no": request.credential.number,
        "med_type": request.med_type,
        "medfee_sumamt": request.total,
        "psn_setlway": "01",
        "mdtrt_id": request.visit_id,
        "chrg_bchno": request.batch_no,
        "acct_used_flag": "1" if request.use_account else "0",
        "insutype": request.insurance_type,
    }
    if final:
        data["invono"] = request.invoice_no
    split = request.split_totals
    if split is not None:
        data.update(
            {
                "fulamt_ownpay_amt": split.full_self_pay,
                "overlmt_selfpay": split.over_limit,
                "preselfpay_amt": split.first_self_pay,
                "inscp_scp_amt": split.in_scope,
            }
        )
    return data


def _err_msg_of(body: bytes) -> str:
    """``err_msg`` of a 401 envelope, if the body is one; never raises."""
    try:
        reply = wire.parse_reply(body)
    except wire.ProtocolError:
        return ""
    return reply.err_msg


if TYPE_CHECKING:

    def _is_a_gateway(client: PlatformClient) -> PlatformGateway:
        """Lets mypy prove that the client satisfies the port structurally."""
        return client
