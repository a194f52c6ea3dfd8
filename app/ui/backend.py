"""What the window needs from the layers below it, as one typed Protocol.

The composition root (:mod:`app.main`) adapts the settlement engine, the authentication service, the
receipt service and the device adapters to :class:`CashierBackend`. Every method is synchronous and
blocking; the window only ever calls them through :class:`app.workers.runner.TaskRunner` on the lane
named in the method's docstring. Results are frozen domain values; failures are
:class:`app.errors.AppError` subclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from app.domain.bill import FeeLine
from app.domain.catalogue import CatalogueItem
from app.domain.hospital import HospitalProfile
from app.domain.operator import Operator
from app.domain.person import InsuredPerson, RegistrationStatus
from app.domain.visit import Credential, GroupSettlement
from app.errors import ConfigError


@dataclass(frozen=True)
class Eligibility:
    """Who the patient is and what they may settle, with where the answer came from.

    Attributes:
        person: 1101 + 5301 as domain values.
        registration: cross-province registration as far as known.
        fetched_at: when the platform gave this answer (aware UTC).
        from_cache: ``True`` when the platform could not be asked and this is the cached answer.
        notice: our plain-Chinese explanation when the answer is degraded (why, what to do).
        platform_text: the platform's own message, shown only as a quoted detail.
    """

    person: InsuredPerson
    registration: RegistrationStatus
    fetched_at: datetime
    from_cache: bool = False
    notice: str = ""
    platform_text: str = ""


@dataclass(frozen=True)
class Connection:
    """The platform as last seen, and the journal rows still open.

    Attributes:
        online: the last call (or probe) reached the platform.
        maintenance_text: the platform's downtime notice, if it is in maintenance.
        unresolved: journal rows whose outcome is still being established.
        checked_at: when this was established (aware UTC).
    """

    online: bool
    unresolved: int
    checked_at: datetime
    maintenance_text: str = ""


@dataclass(frozen=True)
class PreSettlement:
    """A bill saved and pre-settled group by group (2201 → 2203 → 2204 → 2206 for each group)."""

    bill_id: str
    groups: tuple[GroupSettlement, ...]


@dataclass(frozen=True)
class SettledRow:
    """One settlement of the day, for the history list."""

    settlement_id: str
    bill_id: str
    settled_at: datetime
    person_name: str
    id_number_masked: str
    category: str
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal
    operator_code: str
    cancelled: bool = False


@dataclass(frozen=True)
class JournalRow:
    """An unresolved platform call and what is being done about it."""

    msgid: str
    infno: str
    bill_id: str
    state: str
    since: datetime
    action: str
    attempts: int = 0


@dataclass(frozen=True)
class DayCloseOutcome:
    """The reconciliation result of a day close."""

    balanced: bool
    summary: str
    lines: tuple[str, ...] = field(default=())


class CashierBackend(Protocol):
    """Blocking operations behind the window (each names its lane)."""

    @property
    def hospital(self) -> HospitalProfile:
        """This hospital's profile (no I/O)."""
        ...

    def login(self, code: str, password: str) -> Operator:
        """STORE. Check a password (lockout applies); raise PermissionDenied when refused."""
        ...

    def authorise(self, code: str, password: str) -> Operator:
        """STORE. A supervisor's credential for one action (two-person rule)."""
        ...

    def read_card(self) -> Credential:
        """DEVICE. Read the social-security card in the reader."""
        ...

    def identify(self, operator: Operator, credential: Credential) -> Eligibility:
        """NETWORK. 1101 + 5301, falling back to the cache when the platform cannot be reached."""
        ...

    def search_catalogue(self, text: str, limit: int) -> Sequence[CatalogueItem]:
        """STORE. Cached catalogue by hospital code, name or pinyin initials."""
        ...

    def demo_lines(self, person: InsuredPerson) -> tuple[FeeLine, ...]:
        """STORE. The HIS hand-off for this patient's current visit (empty when there is none)."""
        ...

    def pre_settle(
        self,
        operator: Operator,
        eligibility: Eligibility,
        credential: Credential,
        lines: Sequence[FeeLine],
    ) -> PreSettlement:
        """NETWORK. Save the bill and pre-settle every group; self-pay groups make no call."""
        ...

    def settle_group(self, operator: Operator, bill_id: str, group_key: str) -> GroupSettlement:
        """NETWORK. Settle one group (2207) or collect a self-pay group locally."""
        ...

    def collect_self_pay(
        self,
        operator: Operator,
        eligibility: Eligibility | None,
        credential: Credential | None,
        lines: Sequence[FeeLine],
    ) -> PreSettlement:
        """STORE. Record the whole bill as full self-pay (no platform call; works offline)."""
        ...

    def bill_groups(self, bill_id: str) -> tuple[GroupSettlement, ...]:
        """STORE. Where each group of a bill stands now (after recovery, for instance)."""
        ...

    def recover(self, operator: Operator) -> int:
        """NETWORK. Resolve unknown outcomes (query/reversal); return how many stay unresolved."""
        ...

    def connection(self) -> Connection:
        """NETWORK. Probe the platform and count unresolved journal rows."""
        ...

    def receipts(self, operator: Operator, bill_id: str, *, reprint: bool) -> tuple[Path, ...]:
        """PRINT. Render (and print, as configured) the receipts of a bill; returns the PDFs."""
        ...

    def today(self) -> tuple[SettledRow, ...]:
        """STORE. Today's settlements, newest first."""
        ...

    def cancel_settlement(
        self, operator: Operator, supervisor: Operator, settlement_id: str
    ) -> None:
        """NETWORK. 2208 with a supervisor's authorisation."""
        ...

    def journal(self) -> tuple[JournalRow, ...]:
        """STORE. Unresolved journal rows with the action under way."""
        ...

    def day_close(self, operator: Operator) -> DayCloseOutcome:
        """NETWORK. 3201/3202 for today; refused while rows are unresolved."""
        ...


class UnavailableBackend:
    """Stands in when the engine could not be built: every action explains why and what to do."""

    def __init__(self, hospital: HospitalProfile, reason: str) -> None:
        self._hospital = hospital
        self._reason = reason

    @property
    def hospital(self) -> HospitalProfile:
        """This hospital's profile."""
        return self._hospital

    def _refuse(self) -> ConfigError:
        return ConfigError(self._reason, code="backend_unavailable")

    def login(self, code: str, password: str) -> Operator:
        """Refused: no engine."""
        raise self._refuse()

    def authorise(self, code: str, password: str) -> Operator:
        """Refused: no engine."""
        raise self._refuse()

    def read_card(self) -> Credential:
        """Refused: no engine."""
        raise self._refuse()

    def identify(self, operator: Operator, credential: Credential) -> Eligibility:
        """Refused: no engine."""
        raise self._refuse()

    def search_catalogue(self, text: str, limit: int) -> Sequence[CatalogueItem]:
        """Refused: no engine."""
        raise self._refuse()

    def demo_lines(self, person: InsuredPerson) -> tuple[FeeLine, ...]:
        """No hand-off without an engine."""
        return ()

    def pre_settle(
        self,
        operator: Operator,
        eligibility: Eligibility,
        credential: Credential,
        lines: Sequence[FeeLine],
    ) -> PreSettlement:
        """Refused: no engine."""
        raise self._refuse()

    def settle_group(self, operator: Operator, bill_id: str, group_key: str) -> GroupSettlement:
        """Refused: no engine."""
        raise self._refuse()

    def collect_self_pay(
        self,
        operator: Operator,
        eligibility: Eligibility | None,
        credential: Credential | None,
        lines: Sequence[FeeLine],
    ) -> PreSettlement:
        """Refused: no engine."""
        raise self._refuse()

    def bill_groups(self, bill_id: str) -> tuple[GroupSettlement, ...]:
        """Refused: no engine."""
        raise self._refuse()

    def recover(self, operator: Operator) -> int:
        """Nothing to recover without an engine."""
        return 0

    def connection(self) -> Connection:
        """Refused: no engine."""
        raise self._refuse()

    def receipts(self, operator: Operator, bill_id: str, *, reprint: bool) -> tuple[Path, ...]:
        """Refused: no engine."""
        raise self._refuse()

    def today(self) -> tuple[SettledRow, ...]:
        """Nothing settled without an engine."""
        return ()

    def cancel_settlement(
        self, operator: Operator, supervisor: Operator, settlement_id: str
    ) -> None:
        """Refused: no engine."""
        raise self._refuse()

    def journal(self) -> tuple[JournalRow, ...]:
        """No journal without an engine."""
        return ()

    def day_close(self, operator: Operator) -> DayCloseOutcome:
        """Refused: no engine."""
        raise self._refuse()
