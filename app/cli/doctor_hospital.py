"""``doctor``'s hospital-mode checks beside the hospital database line: whether the HIS really offers
its lock (``[his] lock``), and the offline charge-claim conflicts a supervisor has not handled yet.
Loaded only when ``doctor`` runs them (the hospital adapters are not needed otherwise)."""

from __future__ import annotations

import logging

from app.config import Settings
from app.errors import ConfigError, StoreError
from app.messages import doctor as words
from app.services.doctor import Finding, Status, judge_charge_conflicts, probe_his_lock
from app.wiring import his_gateway_for, his_lock_for, hospital_database

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
