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

    def release(self, bill_id: str, line_nos: Collection[str], at: datetime, reason: str) -> int:
        """Release ``bill_id``'s live claims on ``line_nos``; returns how many were released."""
        ...
