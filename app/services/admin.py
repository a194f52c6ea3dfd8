"""Administration use cases: backup, purge of cached personal data, export for the finance system.

* **Purge** (reliability.md §4.2): cached people fetched more than ``retention_days`` ago are deleted,
  then the file is scrubbed so their encrypted rows do not linger in free pages or in the WAL.
  Settlement records and the journal are *not* purged here: they are accounting records the hospital's
  finance system must receive first (exports below), and they carry no cached personal data.
* **Export** (§4.5): settlements and the audit log for a period as CSV or JSON. Amounts are written as
  decimal strings (never floats); times as UTC ISO 8601. No names or ID numbers are exported — the
  platform's settlement and visit numbers identify each record for reconciliation.

Every action leaves one audit row (backup, cache_purge, export).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from app.errors import InputError, StoreError
from app.messages import Listing
from app.messages import admin as words
from app.services.ports.clock import Clock
from app.services.ports.progress import ProgressSink
from app.services.ports.store import (
    AuditLog,
    AuditRecord,
    StoredSettlement,
    UnitOfWork,
    UnitOfWorkFactory,
)

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "json")

SETTLEMENT_FIELDS = (
    "settlement_id",
    "kind",
    "original_settlement_id",
    "cancelled_by",
    "settled_at",
    "bill_id",
    "group_key",
    "visit_id",
    "msgid",
    "med_type",
    "disease_code",
    "insurance_type",
    "total",
    "fund",
    "account",
    "cash",
    "hospital",
    "full_self_pay",
    "clearing_agency",
    "clearing_way",
    "clearing_type",
    "operator_code",
    "window",
)
AUDIT_FIELDS = ("seq", "at", "operator_code", "event", "outcome", "detail", "bill_id", "msgid")


class BackupResult(Protocol):
    """What a finished backup reports."""

    @property
    def path(self) -> Path:
        """The backup file."""
        ...

    @property
    def size(self) -> int:
        """Bytes."""
        ...

    @property
    def sha256(self) -> str:
        """Hex digest of the file, for the admin's records."""
        ...


class Maintenance(Protocol):
    """Store maintenance the admin use cases need (implemented by ``app.store.backup``)."""

    def backup_to(self, destination: Path, progress: ProgressSink | None = None) -> BackupResult:
        """Online backup to ``destination``, verified (``progress``: see ports.progress)."""
        ...

    def scrub(self) -> None:
        """Remove traces of deleted rows from the file and the WAL."""
        ...


@dataclass(frozen=True)
class PurgeResult:
    """How many cached people were deleted and the cut-off used."""

    purged: int
    cutoff: datetime


def run_backup(
    uow_factory: UnitOfWorkFactory,
    maintenance: Maintenance,
    clock: Clock,
    destination: Path,
    operator_code: str,
    *,
    progress: ProgressSink | None = None,
) -> BackupResult:
    """Take a verified online backup and record it in the audit log."""
    result = maintenance.backup_to(destination, progress)
    with uow_factory() as uow:
        uow.audit.append(
            clock.now(), operator_code, "backup", "ok", f"{result.path.name} sha256={result.sha256}"
        )
        uow.commit()
    return result


def purge_personal_data(
    uow_factory: UnitOfWorkFactory,
    maintenance: Maintenance,
    clock: Clock,
    retention_days: int,
    operator_code: str,
) -> PurgeResult:
    """Delete cached personal data older than ``retention_days`` and scrub the file."""
    if retention_days < 1:
        raise InputError(words.RETENTION_TOO_SHORT())
    cutoff = clock.now() - timedelta(days=retention_days)
    with uow_factory() as uow:
        purged = uow.persons.purge_older_than(cutoff)
        uow.audit.append(
            clock.now(),
            operator_code,
            "cache_purge",
            "ok",
            f"purged={purged} cutoff={cutoff.isoformat()} retention_days={retention_days}",
        )
        uow.commit()
    maintenance.scrub()
    log.info("cache purge: %d cached people older than %s removed", purged, cutoff.isoformat())
    return PurgeResult(purged, cutoff)


def _check_period(start: datetime, end: datetime, fmt: str) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError(words.PERIOD_WITHOUT_ZONE())  # a programming error surfaced plainly
    if end <= start:
        raise InputError(words.PERIOD_REVERSED())
    if fmt not in EXPORT_FORMATS:
        raise InputError(words.BAD_FORMAT(fmt=fmt, formats=Listing(tuple(EXPORT_FORMATS))))


def settlement_row(stored: StoredSettlement) -> dict[str, str]:
    """One settlement as a flat row of strings (amounts as decimal strings)."""
    record = stored.record
    totals = record.totals
    return {
        "settlement_id": record.settlement_id,
        "kind": "cancellation" if stored.is_cancellation else "settlement",
        "original_settlement_id": stored.original_settlement_id,
        "cancelled_by": stored.cancelled_by,
        "settled_at": record.settled_at.isoformat(),
        "bill_id": stored.bill_id,
        "group_key": stored.group_key,
        "visit_id": record.visit_id,
        "msgid": record.msgid,
        "med_type": record.med_type,
        "disease_code": record.disease_code or "",
        "insurance_type": record.insurance_type,
        "total": str(totals.total),
        "fund": str(totals.fund),
        "account": str(totals.account),
        "cash": str(totals.cash),
        "hospital": str(totals.hospital),
        "full_self_pay": str(totals.full_self_pay),
        "clearing_agency": record.clearing_agency,
        "clearing_way": record.clearing_way,
        "clearing_type": record.clearing_type,
        "operator_code": stored.operator_code,
        "window": stored.window,
    }


def audit_row(record: AuditRecord) -> dict[str, str]:
    """One audit record as a flat row of strings."""
    return {
        "seq": str(record.seq),
        "at": record.at.isoformat(),
        "operator_code": record.operator_code,
        "event": record.event,
        "outcome": record.outcome,
        "detail": record.detail,
        "bill_id": record.bill_id,
        "msgid": record.msgid,
    }


def render(rows: Sequence[Mapping[str, str]], fields: Sequence[str], fmt: str) -> str:
    """Rows as CSV (header line, UTF-8 text) or JSON (a list of objects)."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _export(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    what: str,
    read: Callable[[UnitOfWork], list[dict[str, str]]],
    *,
    period: tuple[datetime, datetime],
    fmt: str,
    operator_code: str,
) -> list[dict[str, str]]:
    """Read the rows and record the export in the audit log, in one transaction."""
    start, end = period
    _check_period(start, end, fmt)
    with uow_factory() as uow:
        rows = read(uow)
        uow.audit.append(
            clock.now(),
            operator_code,
            "export",
            "ok",
            f"{what} {start.isoformat()}..{end.isoformat()} {fmt} rows={len(rows)}",
        )
        uow.commit()
    return rows


def _verified(uow: UnitOfWork) -> AuditLog:
    problems = uow.audit.verify()
    if problems:
        raise StoreError(
            words.AUDIT_CHAIN_BROKEN(
                count=len(problems),
                problems=Listing(
                    tuple(problems[:3]), chinese_separator="；", english_separator="; "
                ),
            ),
            code="audit_chain_broken",
            detail={"problems": "\n".join(problems[:50])},
        )
    return uow.audit


def export_settlements(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    start: datetime,
    end: datetime,
    *,
    fmt: str,
    operator_code: str,
) -> tuple[str, int]:
    """Settlements and cancellations settled in ``[start, end)``; returns the text and the count."""
    rows = _export(
        uow_factory,
        clock,
        "settlements",
        lambda uow: [settlement_row(s) for s in uow.settlements.between(start, end)],
        period=(start, end),
        fmt=fmt,
        operator_code=operator_code,
    )
    rows.sort(key=lambda row: (row["settled_at"], row["settlement_id"]))
    return render(rows, SETTLEMENT_FIELDS, fmt), len(rows)


def export_audit(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    start: datetime,
    end: datetime,
    *,
    fmt: str,
    operator_code: str,
) -> tuple[str, int]:
    """Audit rows in ``[start, end)`` (the export itself is recorded after them).

    Raises:
        StoreError: the chain is broken (``audit_chain_broken``): a forged or missing row is never
            exported as if the log were intact.
    """
    rows = _export(
        uow_factory,
        clock,
        "audit",
        lambda uow: [audit_row(r) for r in _verified(uow).between(start, end)],
        period=(start, end),
        fmt=fmt,
        operator_code=operator_code,
    )
    return render(rows, AUDIT_FIELDS, fmt), len(rows)
