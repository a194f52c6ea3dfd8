"""``doctor``'s hospital-mode checks beside the hospital database line: whether the HIS really offers
its lock (``[his] lock``), the offline charge-claim conflicts a supervisor has not handled yet, and
this window's unresolved rows that wait for the hospital server (or for the window resolving them).
Loaded only when ``doctor`` runs them (the hospital adapters are not needed otherwise)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from app.cli.formatting import LOCAL_ZONE
from app.config import Settings
from app.domain.journal import JournalEntry, JournalState
from app.errors import ConfigError, StoreError
from app.messages import doctor as words
from app.services.doctor import (
    AwaitingRow,
    Finding,
    Status,
    judge_awaiting_hospital,
    judge_charge_conflicts,
    judge_pending_journal,
    probe_his_lock,
)
from app.services.ports.store import UnitOfWorkFactory
from app.wiring import his_gateway_for, his_lock_for, hospital_database, hospital_record

log = logging.getLogger(__name__)


def his_lock_finding(settings: Settings) -> Finding:
    """Not used (no HIS, not hospital mode), switched off (a warning: windows must agree), or the
    configured adapter's lock tried with a test line (:func:`probe_his_lock`)."""
    his = settings.his
    if his.kind == "none":
        return Finding(Status.OK, words.HIS_LOCK_NOT_USED(why=words.HIS_LOCK_NO_HIS()))
    if not settings.hospital_db.enabled:
        return Finding(Status.OK, words.HIS_LOCK_NOT_USED(why=words.HIS_LOCK_STANDALONE()))
    if not his.lock:
        return Finding(Status.WARNING, words.HIS_LOCK_OFF())
    gateway = his_gateway_for(his)
    try:
        lock = his_lock_for(his, gateway)
        if lock is None:
            why = words.HIS_LOCK_ADAPTER(kind=his.kind)
            return Finding(Status.ERROR, words.HIS_LOCK_NOT_USED(why=why))
        return probe_his_lock(lock, his.kind, settings.window.device_no)
    finally:
        close = getattr(gateway, "close", None)
        if callable(close):
            close()


def charge_conflicts_finding(settings: Settings) -> Finding:
    """Open conflicts are an error (a patient may have been charged twice); an unreachable hospital
    database a warning (its own line is the error)."""
    from app.store.hospital.conflicts import PgClaimConflicts  # noqa: PLC0415

    hospital_db = settings.hospital_db
    if not hospital_db.enabled:
        return Finding(Status.OK, words.CONFLICTS_STANDALONE())
    try:
        database = hospital_database(hospital_db)
    except (ConfigError, StoreError):
        return Finding(Status.WARNING, words.CONFLICTS_UNCHECKED())
    try:
        conflicts = PgClaimConflicts(database).conflicts()
    except StoreError as exc:
        log.info("doctor: charge conflicts not read (%s)", exc.detail)
        return Finding(Status.WARNING, words.CONFLICTS_UNCHECKED())
    finally:
        database.dispose()
    return judge_charge_conflicts(conflicts)


def awaiting_rows(
    settings: Settings, uow_factory: UnitOfWorkFactory, rows: Sequence[JournalEntry]
) -> list[AwaitingRow] | None:
    """Which of this window's unresolved ``rows`` wait, as its recovery decides
    (:class:`~app.services.hospital_resolve.HospitalResolutionGate`), asked without claiming
    anything: a row whose record may be in the hospital record waits while the server cannot be
    asked, or while another window holds its resolution claim. ``None``: not hospital mode."""
    if not settings.hospital_db.enabled:
        return None
    calls = sorted({_call(e) for e in rows})  # a reversal waits with the call it reverses
    with uow_factory() as uow:
        offered = [msgid for msgid in calls if uow.replica.offered("journal", msgid)]
    if not offered:
        return []
    try:
        record, database = hospital_record(settings.hospital_db)
    except (ConfigError, StoreError):
        return [AwaitingRow(msgid) for msgid in offered]
    waiting: list[AwaitingRow] = []
    try:
        for msgid in offered:
            remote = record.journal_row(msgid)
            if remote is None or JournalState(remote.state).is_resolved:
                continue  # resolved here at the next pass, or the other window's outcome adopted
            window = settings.window.device_no
            if remote.claim_window and remote.claim_window != window:
                since = remote.claimed_at
                waiting.append(
                    AwaitingRow(
                        msgid,
                        remote.claim_window,
                        remote.claim_operator,
                        since.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M:%S") if since else "",
                    )
                )
    except StoreError as exc:
        log.info("doctor: unresolved rows not asked about (%s)", exc.detail)
        return [AwaitingRow(msgid) for msgid in offered]
    finally:
        database.dispose()
    return waiting


def _call(entry: JournalEntry) -> str:
    """The call a row belongs to: itself, or the call a reversal (2601) reverses."""
    return entry.original_msgid or entry.msgid


def journal_findings(settings: Settings, uow_factory: UnitOfWorkFactory) -> tuple[Finding, Finding]:
    """``doctor``'s lines 未完成交易 (the unresolved rows this window resolves itself) and
    等待医院服务器 (those left for the hospital server or for another window, with what to do)."""
    with uow_factory() as uow:
        rows = list(uow.journal.unresolved())
    waiting = awaiting_rows(settings, uow_factory, rows)
    left = {r.msgid for r in waiting or ()}
    own = [row for row in rows if _call(row) not in left]
    oldest = None
    if own:
        oldest = (datetime.now(UTC) - min(r.created_at for r in own)).total_seconds() / 60
    return (
        judge_pending_journal(len(own), oldest, awaiting=len(left)),
        judge_awaiting_hospital(waiting),
    )
