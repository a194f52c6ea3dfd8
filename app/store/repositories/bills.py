"""Bills, their fee lines and tags, and the state of each settlement group."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, select

from app.domain.bill import FeeLine, Tag, TagKind
from app.domain.settlement import LineSplit
from app.domain.visit import Bill, BillStatus, Credential, GroupSettlement, GroupState
from app.store.bulk import BulkInsert, DriverStatement, fixed_sql
from app.store.codec import (
    dumps,
    loads,
    record_from_json,
    record_to_json,
    split_from_list,
    splits_to_json,
    totals_from_json,
    totals_to_json,
)
from app.store.crypto import FieldCipher
from app.store.models import BillGroupRow, BillLineRow, BillRow
from app.store.tables import Connected

GROUP_HASH_KIND = "group_key"


class UnknownBill(LookupError):
    """A bug: a change was asked for a bill the store does not have."""


def encode_tag(tag: Tag) -> str:
    """``kind:code`` (the code may contain any character a local disease code has)."""
    return f"{tag.kind.value}:{tag.disease_code or ''}"


def decode_tag(text: str) -> Tag:
    """Inverse of :func:`encode_tag`."""
    kind, _, code = text.partition(":")
    return Tag(TagKind(kind), code or None)


class SqlBillRepository:
    """:class:`~app.services.ports.store.BillRepository`; credentials and disease codes encrypted.

    Core statements only (no ORM object, so nothing loaded earlier can go stale)."""

    def __init__(self, session: Connected, cipher: FieldCipher) -> None:
        """Work inside ``session`` (the unit of work's transaction)."""
        self._session = session
        self._cipher = cipher

    def save(self, bill: Bill) -> None:
        """Insert or replace a bill with its lines (its groups are kept)."""
        connection = self._session.connection()
        # The row with one upsert (its groups are kept: no delete cascades), the lines replaced;
        # straight to the driver through the column types (app.store.bulk).
        _UPSERT_BILL.execute(connection, _bill_values(bill))
        _DELETE_LINES.execute(connection, (bill.bill_id,))
        # One executemany through the column types (encryption included), not 200 ORM objects.
        _INSERT_LINES.execute(
            connection,
            [
                _line_values(bill.bill_id, position, line)
                for position, line in enumerate(bill.lines)
            ],
        )

    def get(self, bill_id: str) -> Bill | None:
        """A bill with its lines in their original order."""
        connection = self._session.connection()
        row = connection.execute(_BILL, {"bill_id": bill_id}).first()
        if row is None:
            return None
        lines = connection.execute(_LINES, {"bill_id": bill_id})
        return Bill(
            bill_id=row.bill_id,
            created_at=row.created_at,
            person_no=row.person_no,
            insured_admdvs=row.insured_admdvs,
            insurance_type=row.insurance_type,
            credential=Credential(
                kind=row.credential_kind,
                number=row.credential_number,
                card_sn=row.credential_card_sn,
                id_number=row.credential_id_number,
                name=row.credential_name,
            ),
            outpatient_no=row.outpatient_no,
            dept_code=row.dept_code,
            dept_name=row.dept_name,
            doctor_code=row.doctor_code,
            doctor_name=row.doctor_name,
            lines=tuple(_fee_line(line) for line in lines),
            status=row.status,
            parent_bill_id=row.parent_bill_id,
            diagnosis_code=row.diagnosis_code or "",
            diagnosis_name=row.diagnosis_name or "",
        )

    def set_status(self, bill_id: str, status: BillStatus) -> None:
        """Change a bill's status."""
        # One UPDATE straight to the driver (no SELECT of the row and its encrypted columns first).
        if not _SET_STATUS.execute(self._session.connection(), (status, bill_id)):
            raise UnknownBill(bill_id)

    def save_group(self, group: GroupSettlement) -> None:
        """Insert or replace one group's state (keyed by bill and group key).

        One Core upsert: a settlement saves its groups a dozen times, and reading the row back
        first (with its 2204 split) only to overwrite it cost more than the write itself.
        """
        values = _group_values(group, self._cipher.lookup_hash(GROUP_HASH_KIND, group.group_key))
        _UPSERT_GROUP.execute(self._session.connection(), values)

    def groups(self, bill_id: str) -> Sequence[GroupSettlement]:
        """All groups of a bill, in the order they were first saved."""
        rows = self._session.connection().execute(
            select(_GROUPS).where(_GROUPS.c.bill_id == bill_id).order_by(_GROUPS.c.id)
        )
        return [_group(row) for row in rows]

    def group_states(self, bill_id: str) -> Sequence[GroupState]:
        """The states of a bill's groups, in the order they were first saved: one column read, no
        record or 2204 split decrypted or decoded (a settled group's record holds every split)."""
        rows = self._session.connection().execute(_GROUP_STATES, {"bill_id": bill_id})
        return [row[0] for row in rows]


_BILLS = cast(Table, BillRow.__table__)
_BILL = select(_BILLS).where(_BILLS.c.bill_id == bindparam("bill_id"))
_LINES_TABLE = cast(Table, BillLineRow.__table__)
_LINES = (
    select(_LINES_TABLE)
    .where(_LINES_TABLE.c.bill_id == bindparam("bill_id"))
    .order_by(_LINES_TABLE.c.position)
)
_SET_STATUS = DriverStatement(
    lambda _quote: "UPDATE bills SET status = ? WHERE bill_id = ?",
    [_BILLS.c.status.type, None],
)
_GROUPS = BillGroupRow.__table__
_GROUP_STATES = (
    select(_GROUPS.c.state).where(_GROUPS.c.bill_id == bindparam("bill_id")).order_by(_GROUPS.c.id)
)
_KEY_COLUMNS = ("bill_id", "group_hash")
_GROUP_COLUMNS = (
    "bill_id", "group_hash", "group_key", "state", "kind", "med_type", "disease_code", "line_nos",
    "visit_id", "batch_no", "preview_json", "record_json", "self_pay_reason", "failure_text",
    "preview_differences", "splits_json",
)  # fmt: skip
# Every column but the id, replaced on conflict except the key (sent straight to the driver
# through the column types: a settlement saves its groups a dozen times).
_UPSERT_GROUP = DriverStatement.upsert(cast(Table, _GROUPS), _GROUP_COLUMNS, _KEY_COLUMNS)


class SplitTexts:
    """The JSON text of the groups' 2204 splits lately stored, by the splits' identity.

    A group keeps its split (the very same tuple: a settlement hands each group on as committed)
    from the 2204 upload until its 2207 record carries it, and is saved at each state change on the
    way: the split is encoded once and its text reused by the later saves and by the settled
    record's JSON (:func:`app.store.codec.record_to_json`). The text is a pure function of the
    tuple, whose values are immutable, so the stored bytes are the same as when encoded each time;
    an entry holds its tuple, so an identity is never reused while it is here.
    """

    def __init__(self, size: int = 64) -> None:
        """Keep the texts of at most ``size`` splits (least recently used go first)."""
        self._size = size
        self._texts: OrderedDict[int, tuple[tuple[LineSplit, ...], str]] = OrderedDict()
        self._lock = threading.Lock()

    def text(self, splits: tuple[LineSplit, ...]) -> str:
        """:func:`app.store.codec.splits_to_json` of ``splits``, encoded once."""
        key = id(splits)
        with self._lock:
            known = self._texts.get(key)
            if known is not None and known[0] is splits:
                self._texts.move_to_end(key)
                return known[1]
        text = splits_to_json(splits)
        with self._lock:
            self._texts[key] = (splits, text)
            self._texts.move_to_end(key)
            while len(self._texts) > self._size:
                self._texts.popitem(last=False)
        return text


SPLIT_TEXTS = SplitTexts()


def _group_values(group: GroupSettlement, group_hash: str) -> tuple[object, ...]:
    """A group's values in :data:`_GROUP_COLUMNS` order."""
    splits = group.splits
    record = group.record
    if record is None:
        record_json = None
    elif record.splits:
        record_json = record_to_json(record, SPLIT_TEXTS.text(record.splits))
    else:
        record_json = record_to_json(record)
    return (
        group.bill_id,
        group_hash,
        group.group_key,
        group.state,
        group.kind,
        group.med_type,
        group.disease_code,
        dumps(list(group.line_nos)),
        group.visit_id,
        group.batch_no,
        None if group.preview is None else totals_to_json(group.preview),
        record_json,
        group.self_pay_reason,
        group.failure_text,
        dumps(list(group.preview_differences)),
        SPLIT_TEXTS.text(splits) if splits else None,
    )


_BILL_COLUMNS = (
    "bill_id", "created_at", "person_no", "insured_admdvs", "insurance_type", "credential_kind",
    "credential_number", "credential_card_sn", "credential_id_number", "credential_name",
    "outpatient_no", "dept_code", "dept_name", "doctor_code", "doctor_name", "status",
    "parent_bill_id", "diagnosis_code", "diagnosis_name",
)  # fmt: skip
_UPSERT_BILL = DriverStatement.upsert(cast(Table, BillRow.__table__), _BILL_COLUMNS, ("bill_id",))
_DELETE_LINES = fixed_sql("DELETE FROM bill_lines WHERE bill_id = ?", 1)


def _bill_values(bill: Bill) -> tuple[object, ...]:
    """A bill's row values in :data:`_BILL_COLUMNS` order."""
    credential = bill.credential
    return (
        bill.bill_id, bill.created_at, bill.person_no, bill.insured_admdvs, bill.insurance_type,
        credential.kind, credential.number, credential.card_sn, credential.id_number,
        credential.name, bill.outpatient_no, bill.dept_code, bill.dept_name, bill.doctor_code,
        bill.doctor_name, bill.status, bill.parent_bill_id, bill.diagnosis_code,
        bill.diagnosis_name,
    )  # fmt: skip


_LINE_COLUMNS = (
    "bill_id", "position", "line_no", "hospital_code", "national_code", "name", "unit_price",
    "quantity", "amount", "spec", "department", "doctor", "time", "tag",
)  # fmt: skip
_INSERT_LINES = BulkInsert(cast(Table, BillLineRow.__table__), _LINE_COLUMNS)


def _line_values(bill_id: str, position: int, line: FeeLine) -> tuple[object, ...]:
    """A line's values in :data:`_LINE_COLUMNS` order."""
    return (
        bill_id, position, line.line_no, line.hospital_code, line.national_code, line.name,
        line.unit_price, line.quantity, line.amount, line.spec, line.department, line.doctor,
        line.time, encode_tag(line.tag),
    )  # fmt: skip


def _fee_line(row: Row[Any]) -> FeeLine:
    return FeeLine(
        line_no=row.line_no,
        hospital_code=row.hospital_code,
        national_code=row.national_code,
        name=row.name,
        unit_price=row.unit_price,
        quantity=row.quantity,
        amount=row.amount,
        spec=row.spec,
        department=row.department,
        doctor=row.doctor,
        time=row.time,
        tag=decode_tag(row.tag),
    )


def _group(row: Row[Any]) -> GroupSettlement:
    return GroupSettlement(
        bill_id=row.bill_id,
        group_key=row.group_key,
        state=row.state,
        kind=row.kind,
        disease_code=row.disease_code,
        line_nos=tuple(loads(row.line_nos)),
        visit_id=row.visit_id,
        batch_no=row.batch_no,
        preview=None if row.preview_json is None else totals_from_json(row.preview_json),
        record=None if row.record_json is None else record_from_json(row.record_json),
        self_pay_reason=row.self_pay_reason,
        failure_text=row.failure_text,
        preview_differences=tuple(loads(row.preview_differences)),
        splits=()
        if row.splits_json is None
        else tuple(split_from_list(s) for s in loads(row.splits_json)),
    )
