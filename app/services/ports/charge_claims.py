"""The durable claim on a visit's charges, as the services see it (issue #11 item 1, R16).

One row per charge line a bill is settling or has settled, keyed by a hash of the HIS visit and the
line's identity. At most one *live* (not released) row per key exists: the store enforces it with a
unique index, so two windows or two processes can never both hold the same charge.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.services.ports.his import LoadedCharge


@dataclass(frozen=True)
class ChargeClaim:
    """A live claim: which bill holds the charge line, since when."""

    charge_key: str
    bill_id: str
    line_no: str
    claimed_at: datetime


class ChargeClaimRepository(Protocol):
    """Live and released claims on charge lines."""

    def live(self, charge_keys: Collection[str]) -> Mapping[str, ChargeClaim]:
        """The live claims among ``charge_keys``, by key."""
        ...

    def add(self, charge_key: str, bill_id: str, line_no: str, at: datetime) -> None:
        """A new live claim (the key must not be held live: the store refuses a second one)."""
        ...

    def add_many(self, bill_id: str, lines: Mapping[str, str], at: datetime) -> None:
        """New live claims of ``bill_id`` (``charge_key → line_no``), all or none."""
        ...

    def release(self, bill_id: str, line_nos: Collection[str], at: datetime, reason: str) -> int:
        """Release ``bill_id``'s live claims on ``line_nos``; returns how many were released."""
        ...


@dataclass(frozen=True)
class HospitalClaimHolder:
    """Another window's (or another bill's) live hospital-wide claim on some of our charges."""

    window: str
    bill_id: str
    settlement_ids: tuple[str, ...]  # its live settlements the hospital record holds (may lag)
    claimed_at: datetime


class HospitalChargeClaims(Protocol):
    """Claims on charge lines across every window of the hospital (hospital mode, PostgreSQL).

    The same keys as the window's own claims (:func:`app.services.charge_claims.charge_key`); one live
    row per key hospital-wide.
    """

    def claim(
        self,
        window: str,
        bill_id: str,
        lines: Mapping[str, str],
        at: datetime,
        *,
        take_over_from: Collection[str] = (),
        stale_before: datetime,
        his: Mapping[str, LoadedCharge] | None = None,
    ) -> list[HospitalClaimHolder]:
        """Claim ``lines`` (charge key → line number) for ``window``'s ``bill_id``, all or nothing.
        ``his`` (by line number): the lines loaded from the HIS, kept with the claim so that any
        window cancelling the settlement can report it to the HIS.

        Claims held by this window, by a bill in ``take_over_from`` (this window's own decision: its
        store released them), or stale ones (claimed before ``stale_before`` by a bill the hospital
        record shows with no live settlement and no unresolved call, its window having synced
        everything since) are taken over. Returns the blocking holders (empty: all claimed).

        Raises:
            StoreError: the hospital database cannot be reached (nothing claimed).
        """
        ...

    def his_charges(self, bill_id: str) -> list[LoadedCharge]:
        """The HIS lines ``bill_id`` claimed (any window's bill).

        Raises:
            StoreError: the hospital database cannot be reached.
        """
        ...

    def release(self, bill_id: str, charge_keys: Collection[str], at: datetime) -> None:
        """Release ``bill_id``'s live claims on ``charge_keys`` (whichever window took them).

        Raises:
            StoreError: the hospital database cannot be reached.
        """
        ...
