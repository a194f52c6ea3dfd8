"""The in-process sandbox server: werkzeug's threaded server on a background thread.

Used by the CLI (``settlement-window sandbox``), the demo mode (:func:`client_config`) and the tests
(``tests/helpers/sandbox_fixtures.py``). Every control function of the HTTP control API is also a
method here.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from app.domain.money import from_fen
from app.sandbox.core import Platform
from app.sandbox.data import Hospital, load_policies, load_population
from app.sandbox.faults import FaultInjector
from app.sandbox.gateway import Gateway
from app.sandbox.state import (
    FeeLineRow,
    MessageRow,
    ReversalRow,
    SandboxState,
    SettlementRow,
    VisitRow,
)
from app.sandbox.wsgi import create_app

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0


class _QuietHandler(WSGIRequestHandler):
    """Request logging goes to this module's logger at DEBUG, never to stderr."""

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("%s %s", type, message % args if args else message)


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server with connection-level fault injection and quiet logging."""

    gateway: Gateway | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = self.socket.accept()
        # Headers and body go out in separate writes; without NODELAY, Nagle meets delayed ACK.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def verify_request(self, request: Any, client_address: Any) -> bool:
        gateway = self.gateway
        if gateway is not None and isinstance(request, socket.socket):
            return not gateway.refuse_connection(request)
        return True

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("%s %s", type, message % args if args else message)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error from %s", client_address, exc_info=True)


@dataclass(frozen=True)
class Accumulator:
    """Year-to-date use of one benefit."""

    benefit: str
    year: int
    deductible_used: Decimal
    fund_used: Decimal


class SandboxServer:
    """The sandbox platform on ``host:port`` (port 0 picks a free one).

    Args:
        state_path: SQLite file for the state; ``None`` uses a temporary file removed on stop.
        seed: seed of the fault plan's random generator.
        host: interface to bind (loopback unless the CLI was told otherwise).
        port: TCP port, 0 for any free port.
    """

    def __init__(
        self, state_path: Path | None = None, seed: int = 0, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.seed = seed
        self.host = host
        self._requested_port = port
        self.state = SandboxState(state_path)
        self.platform = Platform(self.state)
        self.injector = FaultInjector(seed)
        hospital = self.platform.hospital
        self.gateway = Gateway(self.platform, self.injector, hospital.passid, hospital.token)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SandboxServer:
        """Bind and serve on a daemon thread; returns self."""
        if self._server is not None:
            return self
        self.gateway.stopping.clear()
        server = _Server(self.host, self._requested_port, create_app(self), handler=_QuietHandler)
        server.gateway = self.gateway
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-server",
            daemon=True,
        )
        self._thread.start()
        log.info("sandbox platform listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and the database."""
        self.gateway.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        self.state.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses and credentials

    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            raise RuntimeError("sandbox server is not started")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """Base URL of the platform (callService lives under it)."""
        return f"http://{self.host}:{self.port}"

    @property
    def ec_url(self) -> str:
        """Base URL of the e-voucher centre (the same server)."""
        return self.url

    @property
    def passid(self) -> str:
        """x-tif-paasid issued to the demo hospital."""
        return self.gateway.passid

    @property
    def token(self) -> str:
        """The pass token used in x-tif-signature."""
        return self.gateway.token

    @property
    def hospital(self) -> Hospital:
        """The demo hospital (code, name, admdvs, opened / opened_diseases)."""
        return self.platform.hospital

    # ------------------------------------------------------------------ control functions

    def reset(self) -> None:
        """Empty state, shipped data, no faults, no maintenance, no latency, zero counters."""
        with self.platform.lock:
            self.state.reset()
            self.platform.reset_data()
        self.injector.clear()
        self.gateway.forget_nonces()
        self.gateway.maintenance_window = None
        self.gateway.latency_fixed = 0.0
        self.gateway.latency_range = None

    def set_faults(self, rules: Sequence[Mapping[str, Any]], seed: int | None = None) -> None:
        """Install a fault plan (see docs/sandbox.md); an empty list removes all faults."""
        self.injector.set_plan(rules, seed=seed)

    def fault_plan(self) -> list[dict[str, Any]]:
        """The current rules with their counters."""
        return [rule.describe() for rule in self.injector.rules]

    def fault_log(self) -> list[dict[str, Any]]:
        """Every injection: msgid, infno, kind, processed."""
        return self.injector.fault_log()

    def set_maintenance(self, on: bool = True, window: str | None = None) -> None:
        """Switch maintenance mode (Part A §9)."""
        self.gateway.maintenance_window = (window or "今日 22:00 至次日 02:00") if on else None

    def set_latency(
        self, fixed: float | None = None, low: float | None = None, high: float | None = None
    ) -> None:
        """Add a fixed latency, or a random one uniformly in ``[low, high]``, to every request."""
        self.gateway.latency_fixed = float(fixed or 0.0)
        self.gateway.latency_range = None
        if low is not None and high is not None:
            self.gateway.latency_range = (float(low), float(high))

    def request_count(self, infno: str | None = None) -> int:
        """Requests that reached the server (all, or of one ``infno``; ``ec.query`` for e-vouchers)."""
        return self.injector.request_count(infno)

    def request_counts(self) -> dict[str, int]:
        """Requests per ``infno``."""
        return dict(self.injector.requests)

    def load_policies(self, source: Path | Mapping[str, Any]) -> None:
        """Replace the insured places' policies (policies.json schema)."""
        self.platform.reload(policies=load_policies(source))

    def load_population(self, source: Path | Mapping[str, Any]) -> None:
        """Replace the demo population (population.json schema)."""
        self.platform.reload(people=load_population(source))

    def hospital_info(self) -> dict[str, Any]:
        """The demo hospital as JSON."""
        h = self.hospital
        return {
            "code": h.code, "name": h.name, "admdvs": h.admdvs, "opened": list(h.opened_diseases),
            "general_outpatient_open": h.general_outpatient_open, "clr_optins": h.clr_optins,
        }  # fmt: skip

    def identities(self) -> list[dict[str, Any]]:
        """The demo people for card pickers and tests."""
        return [
            {
                "name": p.name,
                "psn_no": p.psn_no,
                "id_number": p.id_number,
                "card_no": p.card_no,
                "card_sn": p.card_sn,
                "card_string": p.card_string,
                "voucher_code": p.voucher_code,
                "ec_token": p.ec_token,
                "insuplc_admdvs": next(
                    (r.insured_admdvs for r in p.insurances if r.is_active),
                    p.insurances[0].insured_admdvs,
                ),
                "insutypes": [
                    {
                        "insutype": r.insutype,
                        "status": r.status,
                        "insuplc_admdvs": r.insured_admdvs,
                        "balc": r.balance,
                    }
                    for r in p.insurances
                ],
                "qualifications": [q.code for q in p.qualifications],
                "registered": p.registered,
                "note": p.note,
            }
            for p in self.platform.people
        ]

    def ledger(self) -> list[dict[str, Any]]:
        """Every settlement (2207), cancellation (2208) and reversal (2601) with its current status."""
        with self.platform.lock, self.state.session() as session:
            rows = list(
                session.scalars(
                    select(SettlementRow).order_by(SettlementRow.setl_time, SettlementRow.setl_id)
                )
            )
            reversals = list(session.scalars(select(ReversalRow).order_by(ReversalRow.time)))
            by_setl = {row.setl_id: row for row in rows}
            entries = [_ledger_entry(row) for row in rows]
            for rev in reversals:
                original = by_setl.get(rev.setl_id)
                entry = _ledger_entry(original) if original is not None else {}
                entry.update(
                    {"msgid": rev.msgid, "infno": "2601", "omsgid": rev.omsgid, "oinfno": rev.oinfno,
                     "status": "done", "time": rev.time}
                )  # fmt: skip
                entries.append(entry)
        return entries

    def open_visits(self) -> list[dict[str, Any]]:
        """Registrations (2201) still open with no settlement in force, and their active fee lines
        (reliability.md R17: after recovery and the day close there must be none)."""
        with self.platform.lock, self.state.session() as session:
            settled = select(SettlementRow.mdtrt_id).where(SettlementRow.status == "settled")
            visits = session.scalars(
                select(VisitRow)
                .where(VisitRow.status == "registered", VisitRow.mdtrt_id.not_in(settled))
                .order_by(VisitRow.begntime, VisitRow.mdtrt_id)
            )
            return [
                {
                    "mdtrt_id": visit.mdtrt_id,
                    "psn_no": visit.psn_no,
                    "ipt_otp_no": visit.ipt_otp_no,
                    "med_type": visit.med_type,
                    "begntime": visit.begntime,
                    "msgid": visit.msgid,
                    "active_fee_lines": _count(
                        session,
                        select(FeeLineRow.id).where(
                            FeeLineRow.mdtrt_id == visit.mdtrt_id, FeeLineRow.status == "active"
                        ),
                    ),
                }
                for visit in visits
            ]

    def messages(self, infno: str | None = None) -> list[dict[str, Any]]:
        """The request log: every message the platform processed (msgid, infno, psn_no, received_at,
        infcode, err_msg), oldest first; requests dropped before processing are not in it."""
        query = select(MessageRow).order_by(MessageRow.received_at, MessageRow.msgid)
        if infno:
            query = query.where(MessageRow.infno == infno)
        with self.platform.lock, self.state.session() as session:
            return [
                {"msgid": m.msgid, "infno": m.infno, "psn_no": m.psn_no,
                 "received_at": m.received_at, "infcode": m.infcode, "err_msg": m.err_msg}
                for m in session.scalars(query)
            ]  # fmt: skip

    def accumulators(self, psn_no: str) -> list[dict[str, Any]]:
        """Year-to-date deductible and fund use per insurance type and benefit."""
        totals: dict[tuple[str, str, int], list[int]] = {}
        with self.platform.lock, self.state.session() as session:
            query = select(SettlementRow).where(
                SettlementRow.psn_no == psn_no, SettlementRow.status != "reversed"
            )
            for row in session.scalars(query):
                key = (row.insutype, row.benefit_key, row.year)
                pair = totals.setdefault(key, [0, 0])
                pair[0] += row.deductible_fen
                pair[1] += row.fund_fen
        return [
            {"insutype": k[0], "benefit": k[1], "year": k[2], "deductible_used": from_fen(v[0]),
             "fund_used": from_fen(v[1])}
            for k, v in sorted(totals.items())
        ]  # fmt: skip


def _count(session: Session, query: Select[Any]) -> int:
    return len(list(session.scalars(query)))


def _ledger_entry(row: SettlementRow) -> dict[str, Any]:
    return {
        "msgid": row.msgid,
        "infno": row.infno,
        "setl_id": row.setl_id,
        "mdtrt_id": row.mdtrt_id,
        "psn_no": row.psn_no,
        "insutype": row.insutype,
        "med_type": row.med_type,
        "dise_codg": row.dise_codg or None,
        "medfee_sumamt": from_fen(row.medfee_fen),
        "fund_pay_sumamt": from_fen(row.fund_fen),
        "acct_pay": from_fen(row.account_fen),
        "psn_cash_pay": from_fen(row.cash_fen),
        "act_pay_dedc": from_fen(row.deductible_fen),
        "status": row.status,
        "original_setl_id": row.original_setl_id,
        "cancelled_by": row.cancelled_by,
        "reversed_by": row.reversed_by,
        "clr_optins": row.clr_optins,
        "time": row.setl_time,
    }


def client_config(server: SandboxServer) -> dict[str, Any]:
    """The client configuration (the TOML written by ``--write-config``) for a running server.

    Training and demo windows have fictional staff without authenticator apps, so no role is
    required to use a second factor here (``login.second_factor_roles = []``); accounts that
    have one enrolled are still asked for their code. Delete the line to rehearse enrolment.
    """
    h = server.hospital
    return {
        "platform": {
            "url": server.url,
            "ec_url": server.ec_url,
            "passid": server.passid,
            "token": server.token,
            "connect_timeout": CONNECT_TIMEOUT,
            "read_timeout": READ_TIMEOUT,
        },
        "hospital": {
            "code": h.code,
            "name": h.name,
            "admdvs": h.admdvs,
            "opened_diseases": list(h.opened_diseases),
            "general_outpatient_open": h.general_outpatient_open,
        },
        "window": {"device_no": h.device_no},
        "login": {"second_factor_roles": []},
        # Training against the sandbox: plain http:// on loopback is allowed in demo mode only.
        "demo": True,
    }
