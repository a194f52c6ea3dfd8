"""The HTTP face of the platform: x-tif signature check, maintenance, latency and injected faults."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import logging
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.sandbox import jsontext
from app.sandbox.core import FileReply, Output, Platform
from app.sandbox.faults import HOSTILE_VARIANTS, FaultInjector, Injection
from app.sandbox.variants import apply_variant

log = logging.getLogger(__name__)

NONCE_WINDOW_SECONDS = 600
SKEW_LIMIT_SECONDS = 300
JSON_TYPE = "application/json; charset=utf-8"
_INFNO = re.compile(rb'"infno"\s*:\s*"?([0-9A-Za-z]{1,6})"?')
_MSGID = re.compile(rb'"msgid"\s*:\s*"([^"]{0,40})"')


@dataclass
class Reply:
    """What to send back: status, content type, body bytes, and whether to drop the connection."""

    status: int
    content_type: str
    body: bytes
    drop: bool = False
    raw: bytes | None = None  # bytes written straight to the socket before dropping (truncation)


@dataclass
class Gateway:
    """State of the gateway in front of the platform."""

    platform: Platform
    injector: FaultInjector
    passid: str
    token: str
    maintenance_window: str | None = None
    latency_fixed: float = 0.0
    latency_range: tuple[float, float] | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    _nonces: dict[str, float] = field(default_factory=dict)
    _nonce_lock: threading.Lock = field(default_factory=threading.Lock)
    _serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # ------------------------------------------------------------------ callService

    def call_service(self, headers: Mapping[str, str], body: bytes) -> Reply:
        """Handle one POST to callService."""
        infno, msgid = peek_ids(body)
        self.injector.count_request(infno or "?")
        self._sleep_latency()
        injection = self.injector.pick(infno, connection=False)
        if injection is not None and injection.kind == "latency":
            self._record(injection, msgid, infno, processed=True)
            self._sleep(_seconds(injection))
            injection = None
        if injection is not None and injection.kind in {
            "drop_before",
            "http_error_before",
            "maintenance",
            "reject",
        }:
            self._record(injection, msgid, infno, processed=False)
            return self._before_fault(injection)
        refusal = self.check_signature(headers)
        if refusal is not None:
            return self._envelope_reply(-1, refusal, None, status=401)
        if self.maintenance_window is not None:
            return self._envelope_reply(-1, self.maintenance_text(), None)
        try:
            envelope = jsontext.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, jsontext.JsonSyntaxError) as exc:
            return self._envelope_reply(-1, f"报文格式错误：{exc}", None)
        if not isinstance(envelope, Mapping):
            return self._envelope_reply(-1, "报文格式错误：请求体必须是 JSON 对象", None)
        infcode, err_msg, output = self.platform.process(envelope)
        reply = self._envelope_reply(infcode, err_msg, output)
        if injection is not None:
            self._record(injection, msgid, infno, processed=True)
            return self._after_fault(injection, reply, (infcode, err_msg, output), msgid)
        return reply

    def check_signature(self, headers: Mapping[str, str]) -> str | None:
        """Part A §1: the reason for a 401, or ``None`` when the headers are good."""
        values = {name: headers.get(name, "") for name in (
            "x-tif-paasid", "x-tif-timestamp", "x-tif-nonce", "x-tif-signature",
        )}  # fmt: skip
        missing = [name for name, value in values.items() if not value]
        if missing:
            return f"网关鉴权失败：缺少请求头 {'、'.join(missing)}"
        if values["x-tif-paasid"] != self.passid:
            return "网关鉴权失败：x-tif-paasid 无效（未登记的接入方）"
        stamp = values["x-tif-timestamp"]
        if not stamp.isdigit():
            return "网关鉴权失败：x-tif-timestamp 必须是 Unix 秒数"
        skew = int(time.time()) - int(stamp)
        if abs(skew) > SKEW_LIMIT_SECONDS:
            return f"网关鉴权失败：x-tif-timestamp 与平台时间相差 {abs(skew)} 秒，超过 {SKEW_LIMIT_SECONDS} 秒，请校准本机时间"
        nonce = values["x-tif-nonce"]
        expected = hashlib.sha256(f"{stamp}{self.token}{nonce}{stamp}".encode()).hexdigest()
        if not hmac.compare_digest(expected, values["x-tif-signature"]):
            return "网关鉴权失败：x-tif-signature 签名校验不通过"
        if not self._remember_nonce(nonce):
            return "网关鉴权失败：x-tif-nonce 重复，该随机数 10 分钟内已使用过（疑似重放请求）"
        return None

    def _remember_nonce(self, nonce: str) -> bool:
        now = time.monotonic()
        with self._nonce_lock:
            for old, seen in list(self._nonces.items()):
                if now - seen > NONCE_WINDOW_SECONDS:
                    del self._nonces[old]
            if nonce in self._nonces:
                return False
            self._nonces[nonce] = now
            return True

    def forget_nonces(self) -> None:
        """Reset: every nonce is new again."""
        with self._nonce_lock:
            self._nonces.clear()

    def maintenance_text(self) -> str:
        """Part A §9: begins with 系统停机维护 and states the window."""
        window = self.maintenance_window or "时间另行通知"
        return f"系统停机维护：维护时间 {window}，维护期间暂停医保结算业务，请稍后再试。"

    # ------------------------------------------------------------------ envelope

    def envelope(self, infcode: int, err_msg: str, output: Output) -> dict[str, Any]:
        """The response envelope of Part B §1.2."""
        received = self.platform.clock()  # the platform answers in Beijing time
        serial = next(self._serial) % 10**10
        refmsgid = f"{self.platform.hospital.admdvs[:2]}0000{received:%Y%m%d%H%M%S}{serial:010d}"
        stamp = f"{received:%Y%m%d%H%M%S}{received.microsecond // 1000:03d}"
        return {
            "infcode": infcode,
            "inf_refmsgid": refmsgid,
            "refmsg_time": stamp,
            "respond_time": stamp,
            "err_msg": err_msg or None,
            "warn_msg": None,
            "cainfo": None,
            "signtype": None,
            "enctype": None,
            "output": output,
        }

    def _envelope_reply(
        self, infcode: int, err_msg: str, output: Output, status: int = 200
    ) -> Reply:
        if isinstance(output, FileReply):
            return Reply(200, "application/octet-stream", output.content)
        body = jsontext.dumps(self.envelope(infcode, err_msg, output)).encode("utf-8")
        return Reply(status, JSON_TYPE, body)

    # ------------------------------------------------------------------ faults

    def _record(self, injection: Injection, msgid: str, infno: str, *, processed: bool) -> None:
        self.injector.record(
            msgid=msgid, infno=infno, kind=injection.kind, processed=processed,
            detail=jsontext.dumps(dict(injection.params)),
        )  # fmt: skip

    def _before_fault(self, injection: Injection) -> Reply:
        if injection.kind == "drop_before":
            return Reply(200, JSON_TYPE, b"", drop=True)
        if injection.kind == "maintenance":
            window = str(injection.params.get("window", "今日 22:00 至次日 02:00"))
            text = f"系统停机维护：维护时间 {window}，维护期间暂停医保结算业务，请稍后再试。"
            return self._envelope_reply(-1, text, None)
        if injection.kind == "reject":
            return self._envelope_reply(
                -1, str(injection.params.get("err_msg") or "业务处理失败"), None
            )
        return _http_error(int(injection.params.get("status", 503)))

    def _after_fault(
        self,
        injection: Injection,
        reply: Reply,
        outcome: tuple[int, str, Output],
        msgid: str,
    ) -> Reply:
        kind = injection.kind
        if kind == "drop_after":
            return Reply(200, JSON_TYPE, b"", drop=True)
        if kind == "delay_after":
            self._sleep(_seconds(injection, default=60.0))
            return reply
        if kind == "http_error_after":
            return _http_error(int(injection.params.get("status", 500)))
        if kind == "truncated":
            return _truncated(reply)
        if kind == "non_json":
            return Reply(
                200,
                "text/html; charset=utf-8",
                "<html><body><h1>502 Bad Gateway</h1>网关错误</body></html>".encode(),
            )
        if kind == "wrong_content_type":
            return Reply(200, "text/html; charset=utf-8", reply.body)
        if kind == "variant":
            infcode, err_msg, output = outcome
            variant_output, variant_err = apply_variant(
                str(injection.params.get("variant", "province")), output, err_msg
            )
            return self._envelope_reply(infcode, variant_err, variant_output)
        variant = str(injection.params.get("variant") or injection.rng.choice(HOSTILE_VARIANTS))
        infcode, err_msg, output = outcome
        envelope = self.envelope(infcode, err_msg, _hostile(output, variant, msgid))
        return Reply(200, JSON_TYPE, jsontext.dumps(envelope).encode("utf-8"))

    def _sleep_latency(self) -> None:
        if self.latency_range is not None:
            low, high = self.latency_range
            self._sleep(low + (high - low) * self.injector.latency_draw())
        elif self.latency_fixed:
            self._sleep(self.latency_fixed)

    def _sleep(self, seconds: float) -> None:
        self.stopping.wait(max(0.0, seconds))

    # ------------------------------------------------------------------ e-voucher

    def voucher_reply(self, body: bytes) -> Reply:
        """The e-voucher decode endpoint, with faults under the pseudo-infno ``ec.query``."""
        self.injector.count_request("ec.query")
        self._sleep_latency()
        injection = self.injector.pick("ec.query", connection=False)
        if injection is not None and injection.kind in {"drop_before", "http_error_before"}:
            self._record(injection, "", "ec.query", processed=False)
            return self._before_fault(injection)
        try:
            request = jsontext.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, jsontext.JsonSyntaxError) as exc:
            answer: dict[str, Any] = {
                "code": 500100,
                "success": False,
                "message": f"报文格式错误：{exc}",
            }
        else:
            from app.sandbox.tx_person import decode_voucher  # noqa: PLC0415 - avoids an import cycle

            answer = decode_voucher(self.platform, request if isinstance(request, Mapping) else {})
        reply = Reply(200, JSON_TYPE, jsontext.dumps(answer).encode("utf-8"))
        if injection is not None:
            self._record(injection, "", "ec.query", processed=True)
            if injection.kind == "drop_after":
                return Reply(200, JSON_TYPE, b"", drop=True)
            if injection.kind == "delay_after":
                self._sleep(_seconds(injection, default=60.0))
            if injection.kind == "truncated":
                return _truncated(reply)
            if injection.kind == "non_json":
                return Reply(200, "text/html; charset=utf-8", b"<html>502</html>")
            if injection.kind == "http_error_after":
                return _http_error(int(injection.params.get("status", 500)))
        return reply

    # ------------------------------------------------------------------ connection level

    def refuse_connection(self, connection: socket.socket) -> bool:
        """Whether to reset this freshly accepted connection (kind ``refuse``); peeks at the request."""
        if not self.injector.has_connection_rules():
            return False
        raw = _peek_request(connection)
        request_line = raw.split(b"\r\n", 1)[0]
        if b"/localcfc/" in request_line:
            infno, msgid = "ec.query", ""
        elif b"/fsi/api/" in request_line:
            infno, msgid = peek_ids(raw)
        else:
            return False  # the control API is never refused
        injection = self.injector.pick(infno, connection=True)
        if injection is None:
            return False
        self._record(injection, msgid, infno, processed=False)
        # Linger 0: closing sends RST, the client sees "connection reset" with nothing processed.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
        return True


def _peek_request(connection: socket.socket) -> bytes:
    connection.settimeout(1.0)
    data = b""
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            data = connection.recv(65536, socket.MSG_PEEK)
            head, _, body = data.partition(b"\r\n\r\n")
            match = re.search(rb"(?i)content-length:\s*(\d+)", head)
            if data.find(b"\r\n\r\n") >= 0 and (match is None or len(body) >= int(match.group(1))):
                break
            time.sleep(0.005)
    except OSError:
        pass
    finally:
        connection.settimeout(None)
    return data


def peek_ids(body: bytes) -> tuple[str, str]:
    """``(infno, msgid)`` from raw bytes without trusting them to be valid JSON."""
    infno = _INFNO.search(body)
    msgid = _MSGID.search(body)
    return (
        infno.group(1).decode("ascii", "replace") if infno else "",
        msgid.group(1).decode("utf-8", "replace") if msgid else "",
    )


def _seconds(injection: Injection, default: float = 1.0) -> float:
    params = injection.params
    if "min" in params and "max" in params:
        low, high = float(params["min"]), float(params["max"])
        return low + (high - low) * injection.rng.random()
    return float(params.get("seconds", default))


def _http_error(status: int) -> Reply:
    body = f"<html><head><title>{status}</title></head><body><h1>{status} 服务暂不可用</h1></body></html>"
    return Reply(status, "text/html; charset=utf-8", body.encode("utf-8"))


def _truncated(reply: Reply) -> Reply:
    cut = reply.body[: max(1, len(reply.body) // 2)]
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: {reply.content_type}\r\n"
        f"Content-Length: {len(reply.body)}\r\nConnection: close\r\n\r\n"
    ).encode("ascii")
    return Reply(200, reply.content_type, b"", drop=True, raw=head + cut)


def _hostile(output: Output, variant: str, msgid: str) -> Output:
    if not isinstance(output, Mapping) or not isinstance(output.get("setlinfo"), Mapping):
        return {"unexpected": variant, "data": None}
    if variant == "wrong_infno":
        return {"baseinfo": {"psn_no": output["setlinfo"].get("psn_no")}, "insuinfo": []}
    info: dict[str, Any] = dict(output["setlinfo"])
    fund = info["fund_pay_sumamt"]
    if variant == "negative":
        info["fund_pay_sumamt"] = -abs(fund) - Decimal("1.00")
    elif variant == "huge":
        info["medfee_sumamt"] = Decimal("99999999999999999999.99")
    elif variant == "nan":
        info["psn_cash_pay"] = Decimal("NaN")
    elif variant == "string_amount":
        info["fund_pay_sumamt"] = f"{fund}元"
    elif variant == "unbalanced":
        info["psn_cash_pay"] = info["psn_cash_pay"] + Decimal("1.00")
    elif variant == "wrong_msgid":
        info["medins_setl_id"] = msgid[:26] + ("0000" if not msgid.endswith("0000") else "9999")
    return {**output, "setlinfo": info}
