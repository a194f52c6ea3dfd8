"""Building requests for the platform client from the sandbox's demo data."""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.bill import FeeLine
from app.domain.operator import Operator
from app.domain.settlement import LineSplit, SettlementRecord
from app.domain.visit import Credential, CredentialKind
from app.platform.client import PlatformClient
from app.platform.envelope import format_msgid
from app.sandbox import SandboxServer
from app.services.ports.platform import (
    CallContext,
    FeeUpload,
    RegisterRequest,
    SettleRequest,
    VisitUpload,
)

H = "H11010500001"
QINGHAI_VISIT = (
    (f"{H}XY0022", "38.50", "2"),
    (f"{H}XY0028", "2.85", "2"),
    (f"{H}FW0011", "12.00", "1"),
    (f"{H}FW0014", "20.00", "1"),
    (f"{H}XY0026", "32.93", "1"),
    (f"{H}FW0013", "32.00", "1"),
)


class MsgidCounter:
    """Stands in for the store's persisted counter: unique within the test session."""

    _numbers = itertools.count(1)
    _lock = threading.Lock()

    def __init__(self, institution: str) -> None:
        self.institution = institution
        self.issued: list[str] = []

    def __call__(self) -> str:
        with self._lock:
            number = next(self._numbers)
        msgid = format_msgid(self.institution, datetime.now(UTC), number % 10000)
        self.issued.append(msgid)
        return msgid


class RecordingSleep:
    """Records back-off delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def identity(sandbox: SandboxServer, name: str) -> dict[str, Any]:
    """A demo person by name."""
    return next(p for p in sandbox.identities() if p["name"] == name)


def fee_lines(
    sandbox: SandboxServer, items: tuple[tuple[str, str, str], ...]
) -> tuple[FeeLine, ...]:
    """Fee lines for catalogue items ``(hospital code, price, quantity)``."""
    catalogue = sandbox.platform.catalogue.items
    return tuple(
        FeeLine.create(
            line_no=f"L{number:03d}{uuid.uuid4().hex[:6]}",
            hospital_code=code,
            national_code=catalogue[code].med_list_codg,
            name=catalogue[code].name,
            unit_price=price,
            quantity=quantity,
        )
        for number, (code, price, quantity) in enumerate(items, start=1)
    )


@dataclass
class OpenGroup:
    """A group registered, its visit and fee lines uploaded: ready for 2206/2207."""

    ctx: CallContext
    person_no: str
    credential: Credential
    insurance_type: str
    visit_id: str
    batch_no: str
    outpatient_no: str
    disease_code: str | None
    med_type: str
    lines: tuple[FeeLine, ...]
    splits: tuple[LineSplit, ...]

    @property
    def total(self) -> Decimal:
        """Sum of the lines."""
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def settle_request(self, *, use_account: bool = True) -> SettleRequest:
        """2206/2207 input for this group."""
        return SettleRequest(
            person_no=self.person_no,
            credential=self.credential,
            med_type=self.med_type,
            total=self.total,
            visit_id=self.visit_id,
            batch_no=self.batch_no,
            insurance_type=self.insurance_type,
            use_account=use_account,
            disease_code=self.disease_code,
        )


def open_group(
    client: PlatformClient,
    sandbox: SandboxServer,
    operator: Operator,
    msgid: Any,
    name: str,
    *,
    items: tuple[tuple[str, str, str], ...] = QINGHAI_VISIT,
    med_type: str = "14",
) -> OpenGroup:
    """1101 → 2201 → 2203 → 2204 through the client."""
    who = identity(sandbox, name)
    credential = card_of(who)
    person = client.query_person(CallContext(operator), credential)
    row = person.settlement_insurance()
    assert row is not None
    ctx = CallContext(operator, row.insured_admdvs)
    disease = who["qualifications"][0] if med_type == "14" else None
    outpatient_no = f"MZ{uuid.uuid4().hex[:10]}"
    visit_id = client.register(
        ctx,
        msgid(),
        RegisterRequest(
            person_no=person.person_no,
            insurance_type=row.insurance_type,
            begin_time=datetime.now(UTC),
            credential=credential,
            outpatient_no=outpatient_no,
            doctor_code="D110105000001",
            doctor_name="王医生",
            dept_code="A03",
            dept_name="肿瘤内科",
        ),
    )
    client.upload_visit(
        ctx,
        msgid(),
        VisitUpload(
            visit_id=visit_id,
            person_no=person.person_no,
            med_type=med_type,
            begin_time=datetime.now(UTC),
            disease_code=disease,
            disease_name="",
            diagnosis_code="C50.900",
            diagnosis_name="乳腺恶性肿瘤",
            dept_name="肿瘤内科",
            doctor_code="D110105000001",
            doctor_name="王医生",
        ),
    )
    lines = fee_lines(sandbox, items)
    batch = f"B{uuid.uuid4().hex[:12]}"
    splits = client.upload_fees(
        ctx,
        msgid(),
        FeeUpload(
            visit_id=visit_id,
            person_no=person.person_no,
            batch_no=batch,
            disease_code=disease,
            lines=lines,
            dept_code="A03",
            dept_name="肿瘤内科",
            doctor_code="D110105000001",
            doctor_name="王医生",
        ),
    )
    return OpenGroup(
        ctx, person.person_no, credential, row.insurance_type, visit_id, batch, outpatient_no,
        disease, med_type, lines, splits,
    )  # fmt: skip


def settle(client: PlatformClient, group: OpenGroup, msgid: str) -> SettlementRecord:
    """2207 for an open group."""
    return client.settle(group.ctx, msgid, group.settle_request())


def card_of(who: dict[str, Any]) -> Credential:
    """The demo person's social-security card credential (card number + card_sn)."""
    return Credential(CredentialKind.CARD, who["card_no"], card_sn=who["card_sn"])
