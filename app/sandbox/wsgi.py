"""The Flask application: callService, the e-voucher endpoint and the loopback-only control API."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, request

from app.sandbox import jsontext
from app.sandbox.faults import FaultPlanError
from app.sandbox.gateway import Reply

log = logging.getLogger(__name__)

CALL_SERVICE_PATH = "/fsi/api/rsfComIfsService/callService"
VOUCHER_PATH = "/localcfc/api/hsecfc/localQrCodeQuery"


def create_app(target: Any) -> Flask:
    """Build the WSGI app around a :class:`SandboxServer`."""
    app = Flask("app.sandbox")
    app.logger.setLevel(logging.ERROR)
    gateway = target.gateway

    @app.post(CALL_SERVICE_PATH)
    def call_service() -> Response:
        headers = {key.lower(): value for key, value in request.headers.items()}
        return _send(gateway.call_service(headers, request.get_data()))

    @app.post(VOUCHER_PATH)
    def voucher() -> Response:
        return _send(gateway.voucher_reply(request.get_data()))

    _control_routes(app, target)
    return app


def _send(reply: Reply) -> Response:
    if reply.drop:
        _drop_connection(reply.raw)
    response = Response(reply.body, status=reply.status, content_type=reply.content_type)
    response.headers["Connection"] = "close"
    return response


def _drop_connection(raw: bytes | None) -> None:
    connection = request.environ.get("werkzeug.socket")
    if not isinstance(connection, socket.socket):
        return
    try:
        if raw:
            connection.sendall(raw)
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        log.debug("connection already gone while dropping it")


def _json(value: object, status: int = 200) -> Response:
    return Response(
        jsontext.dumps(value), status=status, content_type="application/json; charset=utf-8"
    )


def _body() -> Mapping[str, Any]:
    data = request.get_data()
    if not data.strip():
        return {}
    parsed = jsontext.loads(data.decode("utf-8"))
    if not isinstance(parsed, Mapping):
        raise ValueError("body must be a JSON object")
    return parsed


def _control_routes(app: Flask, target: Any) -> None:
    @app.before_request
    def loopback_only() -> Response | None:
        if not request.path.startswith("/sandbox/"):
            return None
        try:
            loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
        except ValueError:
            loopback = False
        return None if loopback else _json({"error": "control API is loopback only"}, 403)

    def guarded(action: Callable[[Mapping[str, Any]], object]) -> Callable[[], Response]:
        def view() -> Response:
            try:
                return _json(action(_body()))
            except (ValueError, KeyError, TypeError, FaultPlanError) as exc:
                return _json({"error": str(exc)}, 400)

        view.__name__ = f"control_{action.__name__}"
        return view

    routes: dict[tuple[str, str], Callable[[Mapping[str, Any]], object]] = {
        ("GET", "/sandbox/identities"): lambda _b: target.identities(),
        ("GET", "/sandbox/ledger"): lambda _b: target.ledger(),
        ("GET", "/sandbox/hospital"): lambda _b: target.hospital_info(),
        ("GET", "/sandbox/faultlog"): lambda _b: target.fault_log(),
        ("GET", "/sandbox/faults"): lambda _b: target.fault_plan(),
        ("GET", "/sandbox/requests"): lambda _b: target.request_counts(),
        ("GET", "/sandbox/visits/open"): lambda _b: target.open_visits(),
        ("GET", "/sandbox/messages"): lambda _b: target.messages(request.args.get("infno")),
        ("GET", "/sandbox/accumulators"): lambda _b: target.accumulators(
            request.args.get("psn_no", "")
        ),
        ("POST", "/sandbox/reset"): lambda _b: target.reset() or {"ok": True},
        ("POST", "/sandbox/faults"): lambda b: (
            target.set_faults(b.get("rules", []), seed=b.get("seed")) or {"ok": True}
        ),
        ("POST", "/sandbox/maintenance"): lambda b: (
            target.set_maintenance(bool(b.get("on", True)), b.get("window")) or {"ok": True}
        ),
        ("POST", "/sandbox/latency"): lambda b: (
            target.set_latency(fixed=b.get("fixed"), low=b.get("min"), high=b.get("max"))
            or {"ok": True}
        ),
        ("POST", "/sandbox/policies"): lambda b: target.load_policies(b) or {"ok": True},
        ("POST", "/sandbox/population"): lambda b: target.load_population(b) or {"ok": True},
    }
    for index, ((method, path), action) in enumerate(routes.items()):
        app.add_url_rule(path, f"control_{index}", guarded(action), methods=[method])
