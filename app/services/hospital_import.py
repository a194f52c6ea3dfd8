"""Hospital mode: bring another window's settlement, its bill and its receipts into this window's store.

补打, 重打 and partial refunds work on local records (the receipt service and the refund dialog read
this window's store). For a settlement made at another window the acting window first imports what
the hospital record holds of it; the copy or the reissue is then this window's record (audited here,
delivered to the hospital record like any other). A receipt already here that another window has since
voided (重打 there) is marked voided here too, so a 补打 never prints a number that is no longer valid.

Nothing is imported for a settlement this window made itself (its own store is the source), nor
without the hospital database (the caller gets a plain error and the local store is unchanged).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from app.errors import InputError, StoreError
from app.messages import hospital_window as words
from app.services.ports.hospital import HospitalRecord
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

# Records are stamped by the clock of the window that delivers them, the settlement's time may come
# from another window or the platform: look back this much further so a skewed clock loses nothing.
CLOCK_MARGIN = timedelta(hours=1)


@runtime_checkable
class HospitalPayloads(Protocol):
    """Records of every window by kind, decrypted (the hospital record's adapter has it)."""

    def payloads_since(
        self, kind: str, since: datetime, window: str | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """``(window, record)`` of ``kind`` delivered at or after ``since``."""
        ...


@runtime_checkable
class HospitalRecordWithPayloads(HospitalRecord, HospitalPayloads, Protocol):
    """The hospital record as the window's hospital actions use it."""


class HospitalImport:
    """Imports another window's settlement (bill, settlement, receipts) into this window's store."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, record: HospitalRecordWithPayloads, window: str
    ) -> None:
        """Import into the store behind ``uow_factory`` from ``record``; this is ``window``."""
        self._uow_factory = uow_factory
        self._record = record
        self._window = window

    def settlement(self, settlement_id: str) -> bool:
        """Make ``settlement_id`` workable here; returns whether anything was imported or updated.

        For this window's own settlement only the receipts' state is brought up to date (a 重打 at
        another window), and an unreachable hospital database changes nothing (local-first).

        Raises:
            InputError: another window's settlement while the hospital database is unreachable, or
                its records have not reached it yet (the message says from which window), or are
                under another hospital key (a key rotation not finished, ``hospital_key_mismatch``).
        """
        with self._uow_factory() as uow:
            here = uow.settlements.get(settlement_id)
        own = here is not None and here.window in ("", self._window)
        try:
            if here is not None and own:
                return self._receipts(settlement_id, here.record.settled_at)
            return self._import(settlement_id)
        except StoreError as exc:
            if own:
                log.warning("receipts of %s not checked with the hospital (%s)", settlement_id, exc)
                return False
            if exc.code == "hospital_key_mismatch":  # reached, but under another hospital key
                raise InputError(exc.text, code=exc.code, detail=exc.detail) from exc
            raise InputError(
                words.IMPORT_UNREACHABLE(settlement_id=settlement_id),
                code="hospital_unreachable",
                detail=exc.detail,
            ) from exc

    def _import(self, settlement_id: str) -> bool:
        found = self._record.find_settlement(settlement_id)
        if found is None:
            return False  # the caller's own lookup says it is not found
        settlement = self._record.record_payload(found.window, "settlement", settlement_id)
        bill = self._record.record_payload(found.window, "bill", found.bill_id)
        if settlement is None or bill is None:
            raise InputError(
                words.IMPORT_NOT_SYNCED(settlement_id=settlement_id, window=found.window),
                code="record_not_synced",
            )
        with self._uow_factory() as uow:
            changed = uow.imports.import_record("bill", bill)
            changed |= uow.imports.import_record("settlement", settlement)
            uow.commit()
        changed |= self._receipts(settlement_id, found.settled_at)
        if changed:
            log.info("imported settlement %s of window %s", settlement_id, found.window)
        return changed

    def _receipts(self, settlement_id: str, settled_at: datetime) -> bool:
        """Every window's receipts of the settlement: import the missing, mark the voided."""
        receipts = [
            payload
            for _window, payload in self._record.payloads_since(
                "receipt", settled_at - CLOCK_MARGIN
            )
            if payload.get("settlement_id") == settlement_id
        ]
        changed = False
        with self._uow_factory() as uow:
            for payload in receipts:
                if uow.imports.import_record("receipt", payload):
                    changed = True
                    continue
                local = uow.receipts.get(str(payload["receipt_no"]))
                voided_by = str(payload.get("voided_by") or "")
                if local is not None and voided_by and not local.voided_by:
                    uow.receipts.void(local.receipt_no, voided_by)  # reissued at another window
                    changed = True
            uow.commit()
        return changed
