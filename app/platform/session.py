"""The session core: envelope, signed POST, sign-in per operator and day, outcomes, retries.

One call = envelope (with the operator's sign-in) → signed POST → parsed answer. Outcomes:

* a typed result (parsed by the transaction's own module);
* :class:`~app.errors.PlatformRejected` / :class:`~app.errors.PlatformMaintenance` — the platform
  answered no, nothing happened;
* :class:`~app.errors.PlatformUnavailable` — provably not sent;
* :class:`~app.errors.OutcomeUnknown` — sent, no valid answer.

Logs carry infno, msgid, outcome and duration — never headers, the token, bodies or personal data.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from types import TracebackType
from typing import Any, TypeVar

from app.config import PlatformSettings, WindowSettings
from app.domain.hospital import HospitalProfile
from app.domain.operator import Operator
from app.errors import InputError, OutcomeUnknown, PlatformRejected, PlatformUnavailable
from app.messages import platform as platform_words
from app.platform import outcomes
from app.platform.codec import ProtocolError, Reply, dumps, parse_reply
from app.platform.envelope import EnvelopeContext, build_envelope, china_time
from app.platform.fields import node, text
from app.platform.files import FileTicket
from app.platform.profile import PART_A, ProvinceProfile
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
from app.services.ports.platform import CallContext

log = logging.getLogger(__name__)

JSON_TYPE = "application/json; charset=utf-8"

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
class Call:
    """One request as the wire layer sends it."""

    operator: Operator
    insured: str
    infno: str
    msgid: str
    input: Mapping[str, Any]
    sign_no: str
    state_changing: bool = False


class PlatformSession:
    """One window's session with the platform: sign-ins, signed exchanges, the retry policy.

    Safe to share between worker threads. State-changing calls (:meth:`write`) are sent once with
    the caller's journaled msgid; read-only calls (:meth:`read`) take a fresh msgid per attempt and
    are retried with exponential back-off and jitter.
    """

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
        """Build the session.

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
        self.settings = settings
        self.hospital = hospital
        self.window = window
        self._next_msgid = next_msgid
        self.clock = clock
        self.read_attempts = max(1, read_attempts)
        self._backoff = backoff_seconds
        self.sleep = sleep
        self._jitter = random.Random()  # noqa: S311 - jitter, not security
        self._fixed = EnvelopeContext(
            hospital=hospital,
            infver=settings.infver,
            recer_sys_code=settings.recer_sys_code,
            device_no=window.device_no,
            extra=profile.extra_envelope,
        )
        self._profile = profile
        self.transport = Transport(settings)
        self._sign_ins: dict[str, tuple[date, str]] = {}
        self._sign_lock = threading.Lock()

    def close(self) -> None:
        """Release pooled connections."""
        self.transport.close()

    def __enter__(self) -> PlatformSession:
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

    def sign_no(self, operator: Operator) -> str:
        today = china_time(self.clock.now()).date()
        with self._sign_lock:
            current = self._sign_ins.get(operator.code)
        if current is not None and current[0] == today:
            return current[1]
        return self.sign_in(operator)

    def sign_in(self, operator: Operator) -> str:
        input_ = {
            "signIn": {"opter_no": operator.code, "mac": self.window.mac, "ip": self.window.ip}
        }
        sign_no = self.read(
            operator, "", "9001", lambda: input_, lambda r: parse_sign_in(r.output), sign_no=""
        )
        today = china_time(self.clock.now()).date()
        with self._sign_lock:
            self._sign_ins[operator.code] = (today, sign_no)
        return sign_no

    def sign_out(self, operator: Operator) -> None:
        """9002 for the operator's current sign-in, if any."""
        with self._sign_lock:
            current = self._sign_ins.pop(operator.code, None)
        if current is None:
            return
        input_ = {"signOut": {"sign_no": current[1], "opter_no": operator.code}}
        self.read(operator, "", "9002", lambda: input_, lambda reply: None, sign_no=current[1])

    def _forget_sign_in(self, operator: Operator) -> None:
        with self._sign_lock:
            self._sign_ins.pop(operator.code, None)

    def _sign_no_for_write(self, operator: Operator, infno: str, msgid: str) -> str:
        """Sign in before a state-changing call; a failure here means that call was never sent."""
        try:
            return self.sign_no(operator)
        except (OutcomeUnknown, PlatformUnavailable) as exc:
            raise outcomes.unavailable(infno, msgid, f"sign-in failed: {exc.code}") from None

    def _exchange(self, call: Call) -> RawResponse:
        envelope = build_envelope(
            self._fixed,
            infno=call.infno,
            msgid=call.msgid,
            operator=call.operator,
            insured_admdvs=call.insured,
            sign_no=call.sign_no,
            now=self.clock.now(),
            input_=call.input,
        )
        limit = MAX_FILE_BODY if call.infno == "9102" else MAX_JSON_BODY
        try:
            body = dumps(envelope)
        except TypeError:
            raise InputError(
                platform_words.UNSENDABLE(name=outcomes.transaction_name(call.infno)),
                code="unsendable_request",
            ) from None
        return self.transport.post(
            self.settings.url + self._profile.path_for(call.infno),
            body,
            self.headers(),
            max_body=limit,
        )

    def headers(self) -> dict[str, str]:
        headers = signed_headers(
            self.settings.passid, self.settings.token, int(self.clock.now().timestamp())
        )
        headers["Content-Type"] = JSON_TYPE
        headers["Accept"] = "application/json, application/octet-stream"
        return headers

    def _call(self, call: Call) -> Reply | bytes:
        """One request → the parsed envelope (infcode 0) or the bytes of a 9102 file."""
        started = time.monotonic()
        outcome = "error"
        try:
            answer = self._post(call)
            outcome = "ok"
            if isinstance(answer, Reply) and answer.infcode != 0:
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

    def _post(self, call: Call) -> Reply | bytes:
        infno, msgid = call.infno, call.msgid
        try:
            response = self._exchange(call)
        except NotSent as exc:
            raise outcomes.unavailable(infno, msgid, exc.reason) from None
        except MaybeSent as exc:
            raise self._unknown(call, exc.reason) from None
        if response.status == HTTPStatus.UNAUTHORIZED:
            raise outcomes.signature_refused(
                infno, msgid, err_msg_of(response.body), response.server_date, self.clock.now()
            )
        if response.status != HTTPStatus.OK:
            raise self._unknown(call, f"HTTP {response.status}")
        content_type = response.content_type.split(";")[0].strip().lower()
        if infno == "9102" and content_type == "application/octet-stream":
            return response.body
        if content_type != "application/json":
            raise self._unknown(call, "answer is not JSON")
        try:
            reply = parse_reply(response.body)
        except ProtocolError as exc:
            raise self._unknown(call, exc.reason) from None
        if reply.infno and reply.infno != infno:
            raise self._unknown(call, "answer echoes another infno")
        return reply

    @staticmethod
    def _unknown(call: Call, reason: str) -> OutcomeUnknown:
        return outcomes.unknown(call.infno, call.msgid, reason, state_changing=call.state_changing)

    def write(
        self,
        ctx: CallContext,
        infno: str,
        msgid: str,
        input_: Mapping[str, Any],
        parse: Callable[[Reply], T],
    ) -> T:
        """A state-changing call: sent once with the caller's msgid; a bad answer is an unknown outcome."""
        sign_no = self._sign_no_for_write(ctx.operator, infno, msgid)
        reply = self._call(
            Call(
                ctx.operator, ctx.insured_admdvs, infno, msgid, input_, sign_no, state_changing=True
            )
        )
        if not isinstance(reply, Reply):
            raise outcomes.unknown(
                infno, msgid, "file where an envelope was expected", state_changing=True
            )
        try:
            return parse(reply)
        except ProtocolError as exc:
            log.warning("platform %s msgid=%s answer refused: %s", infno, msgid, exc.reason)
            raise outcomes.unknown(infno, msgid, exc.reason, state_changing=True) from None

    def read(
        self,
        operator: Operator,
        insured: str,
        infno: str,
        build: Callable[[], Mapping[str, Any]],
        parse: Callable[[Reply], T],
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
            used_sign_no = sign_no if sign_no is not None else self.sign_no(operator)
            try:
                call = Call(operator, insured, infno, msgid, build(), used_sign_no)
                reply = self._call(call)
                if not isinstance(reply, Reply):
                    raise ProtocolError("file where an envelope was expected")
                return parse(reply)
            except ProtocolError as exc:
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
            if attempt >= self.read_attempts:
                raise error
            self.sleep(self.delay(attempt))

    def read_file(self, operator: Operator, ticket: FileTicket) -> bytes:
        """9102: the bytes of a prepared file."""
        input_ = {
            "fsDownloadIn": {
                "file_qury_no": ticket.file_query_no,
                "filename": ticket.filename,
                "fixmedins_code": self.hospital.code,
            }
        }
        attempt = 0
        while True:
            attempt += 1
            msgid = self._next_msgid()
            try:
                sign_no = self.sign_no(operator)
                content = self._call(Call(operator, "", "9102", msgid, input_, sign_no))
            except (OutcomeUnknown, PlatformUnavailable):
                if attempt >= self.read_attempts:
                    raise
                self.sleep(self.delay(attempt))
                continue
            if isinstance(content, bytes):
                return content
            raise outcomes.unknown(
                "9102", msgid, "envelope where a file was expected", state_changing=False
            )

    def delay(self, attempt: int) -> float:
        """Exponential back-off with full jitter: uniform(0.5, 1.0) × base × 2^(attempt-1)."""
        return float(self._backoff * (2 ** (attempt - 1)) * (0.5 + self._jitter.random() / 2))


def parse_sign_in(output: Mapping[str, Any]) -> str:
    """9001 → ``sign_no``."""
    return text(node(output, "signinoutb"), "sign_no", 30)


def no_output(reply: Reply) -> None:
    """Transactions without an output body: infcode 0 is the whole answer."""


def err_msg_of(body: bytes) -> str:
    """``err_msg`` of a 401 envelope, if the body is one; never raises."""
    try:
        reply = parse_reply(body)
    except ProtocolError:
        return ""
    return reply.err_msg
