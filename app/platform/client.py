"""The platform client: implements :class:`app.services.ports.platform.PlatformGateway` over HTTP.

A thin face over the transaction modules — each holds its requests and the parsing of its answers —
and the :class:`~app.platform.session.PlatformSession` they share:

* :mod:`~app.platform.person` — 1101 person, 5301 qualifications;
* :mod:`~app.platform.voucher` — e-voucher decode;
* :mod:`~app.platform.visit` — 2201/2202 registration, 2203 visit, 2204/2205 fee lines;
* :mod:`~app.platform.settle` — 2206 preview, 2207 settle, 2208 cancel, 2601 reversal, 5203 query;
* :mod:`~app.platform.reconcile` — 3201, 9101 → 3202 → 9102;
* :mod:`~app.platform.catalogue` — 1301/1305/1306 downloads, 1312 query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from app.config import PlatformSettings, WindowSettings
from app.domain.hospital import HospitalProfile
from app.domain.operator import Operator
from app.domain.person import InsuredPerson, Qualification
from app.domain.settlement import LineSplit, SettlementRecord, SettlementTotals
from app.domain.visit import Credential
from app.platform import catalogue, person, reconcile, settle, visit, voucher
from app.platform.profile import PART_A, ProvinceProfile
from app.platform.session import PlatformSession
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
        """Build the client; the arguments are those of :class:`PlatformSession`."""
        self._session = PlatformSession(
            settings,
            hospital,
            window,
            next_msgid,
            clock,
            read_attempts=read_attempts,
            backoff_seconds=backoff_seconds,
            sleep=sleep,
            profile=profile,
        )

    # ------------------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

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
        return self._session.sign_in(operator)

    def sign_out(self, operator: Operator) -> None:
        """9002 for the operator's current sign-in, if any."""
        self._session.sign_out(operator)

    # ------------------------------------------------------------------------------ person

    def query_person(self, ctx: CallContext, credential: Credential) -> InsuredPerson:
        """1101 (signs in first when needed). Qualifications are left empty; see 5301."""
        return person.query_person(self._session, ctx, credential)

    def query_qualifications(self, ctx: CallContext, person_no: str) -> tuple[Qualification, ...]:
        """5301."""
        return person.query_qualifications(self._session, ctx, person_no)

    def decode_voucher(self, operator: Operator, qr_code: str) -> VoucherIdentity:
        """E-voucher decode at the e-voucher centre (Part A §11)."""
        return voucher.decode_voucher(self._session, operator, qr_code)

    # ------------------------------------------------------------------------------ visit

    def register(self, ctx: CallContext, msgid: str, request: RegisterRequest) -> str:
        """2201 → ``mdtrt_id``."""
        return visit.register(self._session, ctx, msgid, request)

    def cancel_registration(
        self, ctx: CallContext, msgid: str, person_no: str, visit_id: str, outpatient_no: str
    ) -> None:
        """2202."""
        visit.cancel_registration(
            self._session,
            ctx,
            msgid,
            person_no=person_no,
            visit_id=visit_id,
            outpatient_no=outpatient_no,
        )

    def upload_visit(self, ctx: CallContext, msgid: str, upload: VisitUpload) -> None:
        """2203."""
        visit.upload_visit(self._session, ctx, msgid, upload)

    def upload_fees(self, ctx: CallContext, msgid: str, upload: FeeUpload) -> tuple[LineSplit, ...]:
        """2204 → the visiting place's per-line split."""
        return visit.upload_fees(self._session, ctx, msgid, upload)

    def cancel_fees(
        self, ctx: CallContext, msgid: str, person_no: str, visit_id: str, batch_no: str
    ) -> None:
        """2205."""
        visit.cancel_fees(
            self._session, ctx, msgid, person_no=person_no, visit_id=visit_id, batch_no=batch_no
        )

    # ------------------------------------------------------------------------------ settlement

    def pre_settle(self, ctx: CallContext, request: SettleRequest) -> SettlementTotals:
        """2206 preview."""
        return settle.pre_settle(self._session, ctx, request)

    def settle(self, ctx: CallContext, msgid: str, request: SettleRequest) -> SettlementRecord:
        """2207."""
        return settle.settle(self._session, ctx, msgid, request)

    def cancel_settlement(
        self, ctx: CallContext, msgid: str, request: CancelRequest
    ) -> CancellationRecord:
        """2208."""
        return settle.cancel_settlement(self._session, ctx, msgid, request)

    def reverse(
        self, ctx: CallContext, msgid: str, person_no: str, original_msgid: str, original_infno: str
    ) -> ReversalOutcome:
        """2601."""
        return settle.reverse(
            self._session,
            ctx,
            msgid,
            person_no=person_no,
            original_msgid=original_msgid,
            original_infno=original_infno,
        )

    def query_settlement(
        self, ctx: CallContext, person_no: str, settlement_id: str, visit_id: str
    ) -> SettlementTotals:
        """5203."""
        return settle.query_settlement(self._session, ctx, person_no, settlement_id, visit_id)

    # ------------------------------------------------------------------------------ day close

    def statement_total(
        self, ctx: CallContext, request: StatementTotalRequest
    ) -> StatementTotalResult:
        """3201."""
        return reconcile.statement_total(self._session, ctx, request)

    def statement_detail(
        self, ctx: CallContext, request: StatementDetailRequest, journaled: JournaledSend
    ) -> Sequence[DetailRow]:
        """9101 upload → 3202 → 9102 download."""
        return reconcile.statement_detail(self._session, ctx, request, journaled)

    # ------------------------------------------------------------------------------ catalogue

    def download_catalogue(self, ctx: CallContext, infno: str, version: str) -> CataloguePage:
        """1301/1305/1306 via 9102."""
        return catalogue.download_catalogue(self._session, ctx, infno, version)

    def query_catalogue(self, ctx: CallContext, page: int, page_size: int) -> CataloguePage:
        """1312 paged query."""
        return catalogue.query_catalogue(self._session, ctx, page, page_size)


if TYPE_CHECKING:

    def _is_a_gateway(client: PlatformClient) -> PlatformGateway:
        """Lets mypy prove that the client satisfies the port structurally."""
        return client
