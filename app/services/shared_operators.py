"""Operators hospital-wide (issue 13 item 3): one account works at every window, local-first.

The hospital's accounts live in PostgreSQL (:class:`~app.services.ports.hospital.OperatorDirectory`);
each window keeps a copy in its own store and logs people in from that copy, so login works while the
hospital database is down.

* **Pull** (the sync loop, :meth:`SharedOperators.pull`): accounts changed since the version this
  window holds are copied in. The first window to join an empty directory brings its own accounts
  (they become the hospital's); a window joining a directory that has accounts disables, locally, the
  accounts the hospital does not have (audited) — the hospital's list is the one list.
* **Changes by an administrator** (``users add|role|disable|enable|reset-password|totp-*`` at any
  window, or ``init-admin``) are made on the local copy, written to the hospital database *before*
  the local commit — refused, and nothing changed, while it is unreachable — and pulled by the other
  windows. The audit row stays in the acting window's audit chain (replicated like any other).
* **Lockout hospital-wide**: before checking a password the account is refreshed from the hospital
  database when it can be reached; a failure is counted there (one atomic update: five wrong
  passwords over two windows lock the account everywhere). While the database is unreachable the
  window counts locally and remembers the failures, which are added to the hospital's count at the
  next successful contact. A one-time code's time step is used up hospital-wide (a code typed at one
  window cannot be replayed at another).

After a failed contact the directory is not asked again for ``OFFLINE_RETRY_S`` seconds, so a login
while the server is down does not wait for a connection timeout every time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from app.errors import InputError, PermissionDenied, StoreError
from app.messages import hospital_shared as words
from app.services.ports.clock import Clock
from app.services.ports.hospital import LockState, OperatorDirectory
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from app.services.auth import LoginPolicy

log = logging.getLogger(__name__)

OFFLINE_RETRY_S = 30.0
SYSTEM_ACTOR = "system"
T = TypeVar("T")


class SharedOperators:
    """This window's side of the hospital's accounts."""

    def __init__(self, directory: OperatorDirectory, clock: Clock) -> None:
        """Use ``directory`` (the hospital database) and ``clock``."""
        self._directory = directory
        self._clock = clock
        self._offline_until = 0.0

    # ------------------------------------------------------------------ best effort (login)

    def _try(self, call: Callable[[], T]) -> T | None:
        """``call()``, or ``None`` while the hospital database is unreachable (then not asked
        again for a while)."""
        if self._clock.monotonic() < self._offline_until:
            return None
        try:
            result = call()
        except StoreError as exc:
            if exc.code != "hospital_unreachable":
                raise
            self._offline_until = self._clock.monotonic() + OFFLINE_RETRY_S
            log.info("hospital accounts unreachable: working from this window's copy")
            return None
        self._offline_until = 0.0
        return result

    def refresh(self, uow_factory: UnitOfWorkFactory, code: str, policy: LoginPolicy) -> None:
        """Before a login: add this window's offline failures of ``code`` to the hospital's count
        and copy the account as the hospital has it now (nothing when unreachable)."""
        with uow_factory() as uow:
            offline = uow.operators.offline_failures().get(code, 0)
        if offline and self._merge(uow_factory, code, offline, policy) is None:
            return
        account = self._try(lambda: self._directory.get(code))
        if account is None:
            return
        with uow_factory() as uow:
            uow.operators.import_shared(account)
            uow.commit()

    def _merge(
        self, uow_factory: UnitOfWorkFactory, code: str, count: int, policy: LoginPolicy
    ) -> LockState | None:
        now = self._clock.now()
        state = self._try(
            lambda: self._directory.count_failures(
                code, count, now, policy.max_failures, now + policy.lockout
            )
        )
        if state is None and self._clock.monotonic() < self._offline_until:
            return None  # unreachable: keep them for later
        with uow_factory() as uow:
            uow.operators.set_offline_failures(code, 0)
            if state is not None:
                uow.operators.set_lock(code, state.failed_attempts, state.locked_until)
                uow.audit.append(
                    now, SYSTEM_ACTOR, "offline_failures_merged", "ok", f"{code} +{count}"
                )
            uow.commit()
        return state or LockState(0, None)

    def count_failure(
        self, uow: UnitOfWork, code: str, now: datetime, policy: LoginPolicy
    ) -> LockState | None:
        """Count one failure hospital-wide and take the result into ``uow``; ``None`` when the
        hospital database is unreachable (then it is remembered as an offline failure, and the
        caller counts locally)."""
        state = self._try(
            lambda: self._directory.count_failures(
                code, 1, now, policy.max_failures, now + policy.lockout
            )
        )
        if state is None:
            pending = uow.operators.offline_failures().get(code, 0)
            uow.operators.set_offline_failures(code, pending + 1)
            return None
        uow.operators.set_lock(code, state.failed_attempts, state.locked_until)
        return state

    def record_success(self, code: str, now: datetime) -> None:
        """A successful login clears the count hospital-wide."""
        self._try(lambda: self._directory.record_success(code, now))

    def use_step(self, code: str, step: int, now: datetime) -> bool:
        """Whether one-time-code step ``step`` is still unused hospital-wide (``True`` when the
        hospital database is unreachable: this window's own check stands)."""
        fresh = self._try(lambda: self._directory.use_step(code, step, now))
        return True if fresh is None else fresh

    # ------------------------------------------------------------------ required (administration)

    def publish(self, uow: UnitOfWork, code: str, *, new: bool = False) -> None:
        """Write the account as changed in ``uow`` to the hospital database, before ``uow`` commits
        (``new``: a created account, refused if the code exists there already).

        Raises:
            InputError: ``new`` and another window created ``code`` meanwhile.
            StoreError: unreachable (``hospital_unreachable``): the caller's change is not committed.
        """
        account = uow.operators.export(code)
        try:
            if not self._directory.put(account, self._clock.now(), new=new):
                raise InputError(words.CODE_TAKEN(code=code), code="operator_exists")
        except StoreError as exc:
            if exc.code != "hospital_unreachable":
                raise
            raise StoreError(
                words.OPERATORS_UNREACHABLE(), code="hospital_unreachable", detail=exc.detail
            ) from exc

    def refuse_second_admin(self) -> None:
        """``init-admin`` in hospital mode: refused when the hospital already has an administrator.

        Raises:
            PermissionDenied: it has one.
            StoreError: unreachable.
        """
        try:
            exists = self._directory.any_admin()
        except StoreError as exc:
            if exc.code != "hospital_unreachable":
                raise
            raise StoreError(
                words.OPERATORS_UNREACHABLE(), code="hospital_unreachable", detail=exc.detail
            ) from exc
        if exists:
            raise PermissionDenied(words.ADMIN_EXISTS_HOSPITAL(), code="admin_exists")

    def refresh_all(self, uow_factory: UnitOfWorkFactory, policy: LoginPolicy) -> None:
        """Before listing accounts: pull, unless the hospital database is unreachable."""
        self._try(lambda: self.pull(uow_factory, policy))

    # ------------------------------------------------------------------ pull (sync loop)

    def pull(
        self, uow_factory: UnitOfWorkFactory, policy: LoginPolicy, *, changed: bool = True
    ) -> int:
        """Copy the accounts changed since this window's version; returns how many (and the offline
        failures merged). ``changed=False``: the caller knows that no account changed in the
        hospital since this window's last complete pull (the directory is not asked, unless this
        window has not joined yet).

        Raises:
            StoreError: the hospital database is unreachable (the local copy stays as it is).
        """
        with uow_factory() as uow:
            since = uow.operators.shared_version()
            offline = uow.operators.offline_failures()
        for code, count in offline.items():
            self._merge(uow_factory, code, count, policy)
        if not changed and since:
            self._offline_until = 0.0  # the caller reached the server
            return len(offline)
        if since == 0:
            self._join(uow_factory)
        changes = self._directory.changes(since)
        self._offline_until = 0.0
        if not changes:
            return 0
        with uow_factory() as uow:
            for account in changes:
                uow.operators.import_shared(account)
            uow.operators.set_shared_version(max(a.version for a in changes))
            uow.commit()
        log.info("hospital accounts: %d pulled", len(changes))
        return len(changes)

    def _join(self, uow_factory: UnitOfWorkFactory) -> None:
        """The first pull: seed an empty directory with this window's accounts, or disable the
        local accounts the hospital does not have."""
        now = self._clock.now()
        with uow_factory() as uow:
            local = [uow.operators.export(a.operator.code) for a in uow.operators.all()]
        if local and self._directory.seed(local, now):
            with uow_factory() as uow:
                uow.audit.append(
                    now, SYSTEM_ACTOR, "operators_seeded", "ok", f"{len(local)} accounts"
                )
                uow.commit()
            log.info("hospital accounts: this window's %d accounts seeded the hospital", len(local))
            return
        hospital = self._directory.codes()
        if not hospital:
            return
        with uow_factory() as uow:
            for account in uow.operators.all():
                code = account.operator.code
                if code not in hospital and account.active:
                    uow.operators.set_active(code, active=False)
                    uow.audit.append(
                        now, SYSTEM_ACTOR, "user_disabled", "ok", f"{code} not a hospital account"
                    )
            uow.commit()
