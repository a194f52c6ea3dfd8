"""The reference HIS over HTTP JSON (the contract of ``app.his.http`` and docs/his-openapi.yaml)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from app.domain.his import PatientKey, PatientKeyKind
from app.domain.his_codec import (
    HisDataError,
    ack_to_dict,
    current_to_dict,
    result_from_dict,
    visit_to_dict,
)
from app.sandbox.his.state import HisFault, HisRefusal, ReferenceHis

log = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("%s %s", type, message % args if args else message)


def _json(status: int, body: Mapping[str, Any]) -> Response:
    text = json.dumps(body, ensure_ascii=False, default=str)
    return Response(text, status=status, content_type="application/json; charset=utf-8")


def _error(status: int, code: str, message: str) -> Response:
    return _json(status, {"error": {"code": code, "message": message}})


LOCK_CALLS = frozenset({"/charges/lock", "/charges/unlock"})


def create_his_app(his: ReferenceHis, token: str = "", *, offers_lock: bool = True) -> Flask:
    """The Flask app serving ``his``; without ``offers_lock`` the optional lock calls are not
    there (404, as at a HIS that does not offer lock-then-pay)."""
    app = Flask("reference-his")

    @app.before_request
    def without_lock() -> Response | None:
        if not offers_lock and request.path in LOCK_CALLS:
            return Response("not found", status=404, content_type="text/plain")
        return None

    def handled(work: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> Response:
        if token and request.headers.get("Authorization") != f"Bearer {token}":
            return _error(401, "unauthorized", "令牌无效")
        try:
            his.faults.before()
        except HisFault as fault:
            if fault.kind == "down":
                return Response("service unavailable", status=503)
            return _error(500, "internal", "HIS 内部错误（模拟）")
        try:
            body = json.loads(request.get_data(as_text=True) or "{}", parse_float=Decimal)
            if not isinstance(body, Mapping):
                return _error(400, "bad_request", "请求应为 JSON 对象")
            answer = work(body)
        except (HisDataError, ValueError) as exc:
            return _error(422, "bad_request", str(exc))
        except HisRefusal as exc:
            return _error(409, "refused", str(exc))
        try:
            his.faults.after()
        except HisFault:
            return Response('{"ack": {"key', status=200, content_type="application/json")
        return _json(200, answer)

    @app.post("/unpaid-visits")
    def unpaid_visits() -> Response:
        def work(body: Mapping[str, Any]) -> Mapping[str, Any]:
            key = PatientKey(PatientKeyKind(str(body.get("key_kind"))), str(body.get("key", "")))
            return {"visits": [visit_to_dict(v) for v in his.unpaid_visits(key)]}

        return handled(work)

    @app.post("/charges/current")
    def current() -> Response:
        def work(body: Mapping[str, Any]) -> Mapping[str, Any]:
            ids = body.get("charge_ids")
            if not isinstance(ids, list):
                raise ValueError("缺少 charge_ids")
            return {"charges": [current_to_dict(c) for c in his.current_charges(ids)]}

        return handled(work)

    @app.post("/charges/lock")
    def lock() -> Response:
        held: list[Mapping[str, Any]] = []

        def work(body: Mapping[str, Any]) -> Mapping[str, Any]:
            ids, claim = body.get("charge_ids"), str(body.get("claim_id", ""))
            if not isinstance(ids, list) or not ids or not claim:
                raise ValueError("缺少 charge_ids 或 claim_id")
            holders = his.lock(
                str(body.get("visit_no", "")), [str(i) for i in ids],
                str(body.get("window", "")), claim,
            )  # fmt: skip
            held.extend(
                {"charge_id": h.charge_id, "window": h.window, "claim_id": h.claim_id,
                 "since": h.since.isoformat() if h.since else None}
                for h in holders
            )  # fmt: skip
            return {"granted": not holders}

        answer = handled(work)
        if held:
            return _json(
                409, {"error": {"code": "locked", "message": "收费明细已被锁定"}, "held_by": held}
            )
        return answer

    @app.post("/charges/unlock")
    def unlock() -> Response:
        def work(body: Mapping[str, Any]) -> Mapping[str, Any]:
            ids = body.get("charge_ids")
            if not isinstance(ids, list):
                raise ValueError("缺少 charge_ids")
            his.unlock([str(i) for i in ids], str(body.get("claim_id", "")))
            return {"unlocked": True}

        return handled(work)

    @app.post("/results")
    def results() -> Response:
        def work(body: Mapping[str, Any]) -> Mapping[str, Any]:
            result = result_from_dict(body)
            if request.headers.get("Idempotency-Key", result.key) != result.key:
                raise ValueError("Idempotency-Key 与 key 不一致")
            return {"ack": ack_to_dict(his.report(result))}

        return handled(work)

    return app


class HisHttpServer:
    """The reference HIS served on loopback by werkzeug's threaded server (a daemon thread)."""

    def __init__(
        self,
        his: ReferenceHis,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "",
        offers_lock: bool = True,
    ):
        """Serve ``his`` on ``host:port`` (0: any free port); ``offers_lock``: with the optional
        lock calls."""
        self.his = his
        self._offers_lock = offers_lock
        self.host = host
        self._port = port
        self._token = token
        self._server: ThreadedWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the calls."""
        assert self._server is not None, "not started"
        return f"http://{self.host}:{self._server.server_port}/"

    def start(self) -> HisHttpServer:
        """Bind and serve; returns self."""
        server = ThreadedWSGIServer(
            self.host,
            self._port,
            create_his_app(self.his, self._token, offers_lock=self._offers_lock),
            handler=_QuietHandler,
        )
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="reference-his",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> HisHttpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
