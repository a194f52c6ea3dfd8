"""Operators: login with lockout, idle lock, role checks, supervisor authorisation, user management.

reliability.md §4.4 and goal S4: lock after ``max_failures`` consecutive failed logins for
``lockout`` (5 and 15 minutes by default, configurable); idle lock after ``idle_lock``; passwords only
as argon2id hashes (inside the store's operator repository); cancellations, partial refunds and
reissues need a supervisor's own credential at the window (two-person rule). Every login, logout,
failure, lockout and account change is written to the audit log.

Second factor (S4): an account with an enrolled authenticator must add its one-time code (TOTP,
:mod:`app.services.totp`) to the password — at login and at every supervisor authorisation. The code
is asked for only after the password was right (:class:`~app.errors.SecondFactorNeeded`, which costs
nothing toward the lockout); a wrong or replayed code counts as a failed attempt. Roles in
``LoginPolicy.second_factor_roles`` (supervisor and admin by default) may not log in at all before
IT enrols their authenticator (``users totp-enroll`` then ``users totp-confirm``). Codes never reach
the audit log or the log file.

Failed-login messages never say whether the code exists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from app.domain.operator import (
    NEEDS_SUPERVISOR_AUTHORISATION,
    REQUEST_RIGHT,
    Action,
    Operator,
    Role,
    allows,
)
from app.errors import InputError, PermissionDenied, SecondFactorNeeded
from app.messages import auth as words
from app.services.ports.clock import Clock
from app.services.ports.store import OperatorAccount, UnitOfWork, UnitOfWorkFactory
from app.services.shared_operators import SharedOperators
from app.services.totp import (
    CodeCheck,
    check_code,
    new_secret,
    normalise_code,
    provisioning_uri,
)

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
# China has one time zone and no daylight saving; a fixed offset needs no tz database on Windows.
_LOCAL_TIME = timezone(timedelta(hours=8), "CST")
_BAD_CREDENTIALS = words.BAD_CREDENTIALS()
_CODE_NEEDED = words.CODE_NEEDED()
_BAD_CODE = words.BAD_CODE()
_REPLAYED_CODE = words.REPLAYED_CODE()
DEFAULT_SECOND_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})

ACTION_LABELS: dict[Action, str] = {action: str(words.ACTIONS[action.value]()) for action in Action}


@dataclass(frozen=True)
class LoginPolicy:
    """Login-failure handling and idle lock."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle_lock: timedelta = timedelta(minutes=15)
    second_factor_roles: frozenset[Role] = field(default=DEFAULT_SECOND_FACTOR_ROLES)

    @classmethod
    def of(
        cls,
        max_failures: int,
        lockout_minutes: int,
        idle_lock_minutes: int,
        second_factor_roles: Iterable[Role] = DEFAULT_SECOND_FACTOR_ROLES,
    ) -> LoginPolicy:
        """A policy from the configured numbers and roles."""
        return cls(
            max_failures,
            timedelta(minutes=lockout_minutes),
            timedelta(minutes=idle_lock_minutes),
            frozenset(second_factor_roles),
        )

    def requires_second_factor(self, role: Role) -> bool:
        """Whether accounts of ``role`` must have an enrolled authenticator to log in."""
        return role in self.second_factor_roles

    def idle_expired(self, last_activity: float, now: float) -> bool:
        """Whether the screen must lock (monotonic seconds of the last input and of now)."""
        return now - last_activity >= self.idle_lock.total_seconds()


def check_password_strength(password: str, code: str) -> None:
    """At least 8 characters with letters and digits, and not the operator code itself.

    Raises:
        InputError: saying which rule the password breaks.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(words.PASSWORD_TOO_SHORT(length=MIN_PASSWORD_LENGTH))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise InputError(words.PASSWORD_LETTERS_AND_DIGITS())
    if code and code.casefold() in password.casefold():
        raise InputError(words.PASSWORD_HAS_CODE())


def authorize(operator: Operator, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless ``operator``'s role allows ``action``.

    The one role check of every money action (settle, preview, self-pay, receipts, cancellation
    requests and approvals, day close, journal resolution): the services call this, never
    :func:`~app.domain.operator.allows` with their own wording.
    """
    if not allows(operator.role, action):
        raise PermissionDenied(
            words.NOT_ALLOWED(
                role=words.ROLES[operator.role.value](), action=words.ACTIONS[action.value]()
            ),
            code="permission",
            detail={"role": operator.role.value, "action": action.value},
        )


def _local(moment: datetime) -> str:
    return moment.astimezone(_LOCAL_TIME).strftime("%H:%M")


def not_enrolled_text(code: str) -> str:
    """What a user of a role that needs a second factor, without an authenticator, is told."""
    return str(words.NOT_ENROLLED(code=code))


def missing_second_factor(
    accounts: Iterable[OperatorAccount], policy: LoginPolicy
) -> list[OperatorAccount]:
    """Active accounts whose role needs a second factor and that have no enrolled authenticator."""
    return [
        a
        for a in accounts
        if a.active and policy.requires_second_factor(a.operator.role) and not a.second_factor
    ]


@dataclass(frozen=True)
class Enrolment:
    """A new authenticator secret, shown once to the IT admin (not yet in force).

    Attributes:
        code: the operator code it is for.
        secret: base32, to type into an authenticator app.
        uri: the ``otpauth://`` URI (for a QR code).
    """

    code: str
    secret: str
    uri: str


class AuthService:
    """Authentication and account management over the operator repository and the audit log."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        policy: LoginPolicy,
        *,
        shared: SharedOperators | None = None,
    ) -> None:
        """Use ``uow_factory`` for accounts and audit, ``clock`` for lockout times; ``shared``: the
        hospital's accounts (hospital mode, :mod:`app.services.shared_operators`)."""
        self._uow_factory = uow_factory
        self._clock = clock
        self.policy = policy
        self._shared = shared

    def pull_operators(self, *, changed: bool = True) -> int:
        """Hospital mode: copy the hospital's changed accounts here (0 outside hospital mode);
        ``changed=False``: none changed since the last pull (only offline failures are merged).

        Raises:
            StoreError: the hospital database is unreachable.
        """
        if self._shared is None:
            return 0
        return self._shared.pull(self._uow_factory, self.policy, changed=changed)

    def _publish(self, uow: UnitOfWork, code: str, *, new: bool = False) -> None:
        """Hospital mode: the account as changed in ``uow`` goes to the hospital first (``new``:
        refused if another window created the same code meanwhile)."""
        if self._shared is not None:
            self._shared.publish(uow, code, new=new)

    def _refresh(self, code: str) -> None:
        """Hospital mode: before changing an account, take the hospital's current copy."""
        if self._shared is not None:
            self._shared.refresh(self._uow_factory, code, self.policy)

    # ------------------------------------------------------------------ authentication

    def login(
        self, code: str, password: str, otp: str = "", *, enrolling_self: bool = False
    ) -> Operator:
        """Check a credential; returns the operator or raises :class:`PermissionDenied`.

        Args:
            code: operator code.
            password: the password.
            otp: the one-time code, for accounts with an enrolled authenticator.
            enrolling_self: the CLI's ``users totp-enroll|totp-confirm`` of one's own account: an
                account that needs a second factor and has none may log in with the password alone,
                to enrol (an admin cannot otherwise get past the requirement).

        Raises:
            SecondFactorNeeded: the password was right and ``otp`` is missing (not a failure).
            PermissionDenied: anything else refused.
        """
        return self._verify(code, password, otp, event="login", enrolling_self=enrolling_self)

    def logout(self, operator: Operator, *, reason: str = "manual") -> None:
        """Record a logout (``reason``: manual, idle, shutdown)."""
        with self._uow_factory() as uow:
            uow.audit.append(self._clock.now(), operator.code, "logout", "ok", reason)
            uow.commit()

    def authorize_supervisor(
        self,
        action: Action,
        supervisor_code: str,
        password: str,
        otp: str = "",
        *,
        requested_by: Operator,
    ) -> Operator:
        """Two-person rule: verify a supervisor's own credential for ``action`` at this window.

        ``otp`` is the supervisor's one-time code when they have an authenticator enrolled.

        Raises:
            SecondFactorNeeded: the password was right and the code is missing.
            PermissionDenied: wrong credential, locked account, or a role that may not approve.
        """
        if action not in NEEDS_SUPERVISOR_AUTHORISATION:
            raise PermissionDenied(words.NO_APPROVAL_NEEDED(action=words.ACTIONS[action.value]()))
        # The operator at the window must be allowed to ask for it, whoever approves (#11 item 3).
        authorize(requested_by, REQUEST_RIGHT[action])
        if supervisor_code == requested_by.code:
            raise PermissionDenied(words.APPROVE_OWN())
        supervisor = self._verify(supervisor_code, password, otp, event="supervisor_authorisation")
        if not allows(supervisor.role, action):
            self._audit_only(
                supervisor.code, "supervisor_authorisation", "denied", f"{action.value} role"
            )
            raise PermissionDenied(
                words.CANNOT_APPROVE(
                    name=supervisor.name,
                    role=words.ROLES[supervisor.role.value](),
                    action=words.ACTIONS[action.value](),
                )
            )
        self._audit_only(
            supervisor.code,
            "supervisor_authorisation",
            "ok",
            f"{action.value} for {requested_by.code}",
        )
        return supervisor

    def _verify(
        self, code: str, password: str, otp: str, *, event: str, enrolling_self: bool = False
    ) -> Operator:
        if self._shared is not None:
            self._shared.refresh(self._uow_factory, code, self.policy)
        now = self._clock.now()
        with self._uow_factory() as uow:
            account = uow.operators.get(code)
            if account is None:
                uow.audit.append(now, code, event, "failed", "unknown code")
                empty = not uow.operators.all()
                uow.commit()
                if empty:  # a new installation: say how to start, not "wrong password"
                    hospital = self._shared is not None
                    raise PermissionDenied(
                        words.NO_ACCOUNTS_HOSPITAL() if hospital else words.NO_ACCOUNTS(),
                        code="login_no_accounts",
                    )
                raise PermissionDenied(_BAD_CREDENTIALS, code="login_failed")
            if not account.active:
                uow.audit.append(now, code, event, "failed", "disabled")
                uow.commit()
                raise PermissionDenied(words.DISABLED(), code="login_disabled")
            if account.locked_until is not None and now < account.locked_until:
                uow.audit.append(now, code, event, "failed", "locked")
                uow.commit()
                raise PermissionDenied(
                    words.LOCKED(until=_local(account.locked_until)),
                    code="login_locked",
                )
            if not uow.operators.verify_password(code, password):
                self._count_failure(uow, account, now, event, "bad password")
                uow.commit()
                raise PermissionDenied(_BAD_CREDENTIALS, code="login_failed")
            refusal, detail = self._second_factor(
                uow, account, otp, now=now, event=event, enrolling_self=enrolling_self
            )
            if refusal is None:
                uow.operators.record_login(code, success=True, locked_until=None)
                if self._shared is not None:
                    uow.operators.set_offline_failures(code, 0)
                uow.audit.append(now, code, event, "ok", detail)
            uow.commit()
        if refusal is not None:
            raise refusal
        if self._shared is not None:  # after the local commit: no local lock held over the network
            self._shared.record_success(code, now)
        return account.operator

    def _second_factor(
        self,
        uow: UnitOfWork,
        account: OperatorAccount,
        otp: str,
        *,
        now: datetime,
        event: str,
        enrolling_self: bool,
    ) -> tuple[PermissionDenied | None, str]:
        """After a right password: the refusal to raise (already audited), or the detail of the
        success to audit. Never puts the code itself anywhere."""
        code = account.operator.code
        if not account.second_factor:
            if not self.policy.requires_second_factor(account.operator.role):
                return None, ""
            if enrolling_self:
                return None, "password only, to enrol own second factor"
            uow.audit.append(now, code, event, "refused", "second factor not enrolled")
            log.info("login refused: role needs a second factor and none is enrolled")
            return (
                PermissionDenied(not_enrolled_text(code), code="second_factor_not_enrolled"),
                "",
            )
        if not normalise_code(otp):
            uow.audit.append(now, code, event, "code_needed", "second factor asked")
            return SecondFactorNeeded(_CODE_NEEDED), ""
        state = uow.operators.second_factor(code)
        if state.secret is None:  # read in the same transaction as the account: cannot happen
            return PermissionDenied(_BAD_CODE, code="second_factor_failed"), ""
        result = check_code(state.secret, otp, now, state.last_step)
        if (
            result.check is CodeCheck.OK
            and result.step is not None
            and self._shared is not None
            and not self._shared.use_step(code, result.step, now)
        ):
            result = replace(result, check=CodeCheck.REPLAYED)  # used at another window
        if result.check is CodeCheck.OK and result.step is not None:
            uow.operators.record_second_factor_step(code, result.step)
            return None, "with one-time code"
        if result.check is CodeCheck.REPLAYED:
            self._count_failure(uow, account, now, event, "replayed one-time code")
            return PermissionDenied(_REPLAYED_CODE, code="second_factor_replayed"), ""
        self._count_failure(uow, account, now, event, "bad one-time code")
        return PermissionDenied(_BAD_CODE, code="second_factor_failed"), ""

    def _count_failure(
        self, uow: UnitOfWork, account: OperatorAccount, now: datetime, event: str, reason: str
    ) -> None:
        code = account.operator.code
        shared = self._shared.count_failure(uow, code, now, self.policy) if self._shared else None
        if shared is not None:  # counted hospital-wide
            failures = shared.failed_attempts
            locks = failures % self.policy.max_failures == 0
            locked_until = shared.locked_until if locks else None
        else:
            failures = account.failed_attempts + 1
            # Every run of max_failures consecutive failures locks again, also after a lock expired.
            locks = failures % self.policy.max_failures == 0
            locked_until = now + self.policy.lockout if locks else None
            uow.operators.record_login(code, success=False, locked_until=locked_until)
        uow.audit.append(now, code, event, "failed", f"{reason} ({failures})")
        if locked_until is not None:
            uow.audit.append(now, code, "lockout", "locked", f"until {locked_until.isoformat()}")
            log.warning("operator account locked after %d failed attempts", failures)

    # ------------------------------------------------------------------ account management

    def init_admin(self, code: str, name: str, password: str) -> None:
        """Create the first administrator at install; refused once any admin exists."""
        check_password_strength(password, code)
        with self._uow_factory() as uow:
            if any(a.operator.role is Role.ADMIN for a in uow.operators.all()):
                raise PermissionDenied(
                    words.ADMIN_EXISTS(),
                    code="admin_exists",
                )
            if self._shared is not None:
                self._shared.refuse_second_admin()
            uow.operators.add(code, name, Role.ADMIN, password)
            self._publish(uow, code, new=True)
            uow.audit.append(self._clock.now(), code, "user_added", "ok", f"{code} role=admin init")
            uow.commit()

    def add_user(self, actor: Operator, code: str, name: str, role: Role, password: str) -> None:
        """Create an account (admin only)."""
        authorize(actor, Action.MANAGE_USERS)
        self._refresh(code)
        if not code.strip() or not name.strip():
            raise InputError(words.CODE_AND_NAME_NEEDED())
        check_password_strength(password, code)
        with self._uow_factory() as uow:
            if uow.operators.get(code) is not None:
                raise InputError(words.CODE_EXISTS(code=code))
            uow.operators.add(code, name, role, password)
            self._publish(uow, code, new=True)
            uow.audit.append(
                self._clock.now(), actor.code, "user_added", "ok", f"{code} role={role}"
            )
            uow.commit()

    def set_role(self, actor: Operator, code: str, role: Role) -> None:
        """Change an account's role (admin only; an admin cannot demote themselves)."""
        authorize(actor, Action.MANAGE_USERS)
        self._refresh(code)
        if code == actor.code and role is not Role.ADMIN:
            raise PermissionDenied(words.OWN_ADMIN_ROLE())
        with self._uow_factory() as uow:
            before = self._existing(uow, code)
            uow.operators.set_role(code, role)
            self._publish(uow, code)
            uow.audit.append(
                self._clock.now(),
                actor.code,
                "role_changed",
                "ok",
                f"{code} {before.operator.role}->{role}",
            )
            uow.commit()

    def set_active(self, actor: Operator, code: str, *, active: bool) -> None:
        """Enable or disable an account (admin only; not one's own)."""
        authorize(actor, Action.MANAGE_USERS)
        self._refresh(code)
        if code == actor.code and not active:
            raise PermissionDenied(words.OWN_ACCOUNT_DISABLE())
        with self._uow_factory() as uow:
            self._existing(uow, code)
            uow.operators.set_active(code, active=active)
            self._publish(uow, code)
            event = "user_enabled" if active else "user_disabled"
            uow.audit.append(self._clock.now(), actor.code, event, "ok", code)
            uow.commit()

    def reset_password(self, actor: Operator, code: str, password: str) -> None:
        """Set a new password (admin only); this also clears a lockout."""
        authorize(actor, Action.MANAGE_USERS)
        self._refresh(code)
        check_password_strength(password, code)
        with self._uow_factory() as uow:
            self._existing(uow, code)
            uow.operators.set_password(code, password)
            uow.operators.record_login(code, success=True, locked_until=None)
            self._publish(uow, code)
            uow.audit.append(self._clock.now(), actor.code, "password_reset", "ok", code)
            uow.commit()

    # ------------------------------------------------------------------ second factor

    def begin_second_factor(self, actor: Operator, code: str, *, account: str = "") -> Enrolment:
        """A new authenticator secret for ``code`` (admin only), pending until confirmed.

        An authenticator already in force stays in force until the new one is confirmed.
        ``account`` labels the entry in the authenticator app (default: the operator code).
        """
        authorize(actor, Action.MANAGE_USERS)
        self._refresh(code)
        secret = new_secret()
        with self._uow_factory() as uow:
            self._existing(uow, code)
            uow.operators.set_second_factor_pending(code, secret)
            self._publish(uow, code)
            uow.audit.append(
                self._clock.now(), actor.code, "second_factor_enrolment", "started", code
            )
            uow.commit()
        return Enrolment(code, secret, provisioning_uri(secret, account or code))

    def confirm_second_factor(self, actor: Operator, code: str, otp: str) -> None:
        """Put the pending authenticator of ``code`` in force once ``otp`` is one of its codes.

        Raises:
            InputError: nothing pending, or the code does not match (the enrolment stays pending).
        """
        authorize(actor, Action.MANAGE_USERS)
        self._refresh(code)
        now = self._clock.now()
        with self._uow_factory() as uow:
            self._existing(uow, code)
            state = uow.operators.second_factor(code)
            if state.pending is None:
                raise InputError(
                    words.NOTHING_PENDING(code=code),
                    code="second_factor_not_pending",
                )
            result = check_code(state.pending, otp, now, None)
            if result.check is not CodeCheck.OK or result.step is None:
                uow.audit.append(now, actor.code, "second_factor_enrolment", "failed", code)
                uow.commit()
                raise InputError(
                    words.CONFIRM_FAILED(code=code),
                    code="second_factor_confirm_failed",
                )
            uow.operators.activate_second_factor(code, result.step, now)
            self._publish(uow, code)
            uow.audit.append(now, actor.code, "second_factor_enrolled", "ok", code)
            uow.commit()

    def reset_second_factor(self, actor: Operator, code: str) -> None:
        """Remove ``code``'s authenticator (lost phone); a role that needs one cannot log in
        until enrolled again."""
        authorize(actor, Action.MANAGE_USERS)
        self._refresh(code)
        with self._uow_factory() as uow:
            self._existing(uow, code)
            uow.operators.clear_second_factor(code)
            self._publish(uow, code)
            uow.audit.append(self._clock.now(), actor.code, "second_factor_reset", "ok", code)
            uow.commit()

    def accounts(self, actor: Operator) -> list[OperatorAccount]:
        """Every account, sorted by code (admin or auditor)."""
        if not (allows(actor.role, Action.MANAGE_USERS) or allows(actor.role, Action.VIEW_AUDIT)):
            authorize(actor, Action.MANAGE_USERS)
        if self._shared is not None:
            self._shared.refresh_all(self._uow_factory, self.policy)
        with self._uow_factory() as uow:
            return sorted(uow.operators.all(), key=lambda a: a.operator.code)

    def _existing(self, uow: UnitOfWork, code: str) -> OperatorAccount:
        account = uow.operators.get(code)
        if account is None:
            raise InputError(words.NO_SUCH_CODE(code=code))
        return account

    def _audit_only(self, code: str, event: str, outcome: str, detail: str) -> None:
        with self._uow_factory() as uow:
            uow.audit.append(self._clock.now(), code, event, outcome, detail)
            uow.commit()
