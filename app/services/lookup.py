"""The identification part of the engine: recovery at start, the login and identifying a patient.

:class:`LookupEngine` holds the use cases that need no money service; :class:`app.services.engine.
Engine` extends it with the rest, so each use case is still written once. A console command that only
identifies (``eligibility``) is given a :class:`LookupEngine` built by
:func:`app.wiring.lookup.build_lookup_engine`: the same store, platform client, recovery, login and
eligibility service, wired by the same code as the full engine's, without importing the settlement,
cancel, day-close, catalogue, receipt and hospital services it does not use (docs/performance.md,
CLI start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings
from app.domain.operator import Action, Operator
from app.errors import PermissionDenied
from app.messages import settlement as words
from app.services.auth import AuthService
from app.services.bill_import import IdentityInput
from app.services.eligibility import EligibilityService, EligibilityView
from app.services.ports.clock import Clock
from app.services.ports.progress import ProgressSink
from app.services.ports.store import UnitOfWorkFactory
from app.services.recovery import RecoveryService, RecoverySummary


@dataclass
class LookupEngine:
    """Recovery, the login and identification over the services it is built with; the fields are
    the composition's wiring, the methods are the API (see :mod:`app.services.engine`)."""

    settings: Settings
    clock: Clock
    data_dir: Path
    uow_factory: UnitOfWorkFactory
    eligibility: EligibilityService
    recovery: RecoveryService
    auth: AuthService
    closer: Callable[[], None]

    # ------------------------------------------------------------------ life cycle

    def start(self, *, wait: bool = True, progress: ProgressSink | None = None) -> RecoverySummary:
        """Resolve every unresolved journal row before any settlement (reliability.md §2.2).

        ``wait=False`` gives each row one attempt instead of retrying reversals with back-off;
        ``progress`` sees each row and each wait (Cancel leaves the rest unresolved).
        """
        return self.recovery.recover_all(wait=wait, progress=progress)

    def close(self) -> None:
        """Release the database and the HTTP session."""
        self.closer()

    # ------------------------------------------------------------------ people

    def operator(self, code: str) -> Operator:
        """An active operator by code (the CLI acts as a stored operator).

        Raises:
            PermissionDenied: unknown or disabled code.
        """
        with self.uow_factory() as uow:
            account = uow.operators.get(code)
        if account is None or not account.active:
            raise PermissionDenied(words.OPERATOR_UNKNOWN(code=code))
        return account.operator

    def login(self, code: str, password: str, otp: str = "") -> Operator:
        """Check a credential (one-time code when enrolled); lockout applies.

        Raises:
            PermissionDenied: wrong, locked or disabled.
        """
        return self.auth.login(code, password, otp)

    def authorize_supervisor(
        self, action: Action, code: str, password: str, otp: str, *, requested_by: Operator
    ) -> Operator:
        """Another person's supervisor credential allowing ``action`` for ``requested_by``."""
        return self.auth.authorize_supervisor(
            action, code, password, otp, requested_by=requested_by
        )

    def idle_expired(self, last_activity: float, now: float) -> bool:
        """Whether the window should lock after this idle time (``ui.idle_lock_minutes``)."""
        return self.auth.policy.idle_expired(last_activity, now)

    def identify(self, identity: IdentityInput, operator: Operator) -> EligibilityView:
        """Identification and eligibility (cache fallback when offline)."""
        return self.eligibility.identify(identity, operator)
