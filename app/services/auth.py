"""Operators: login with lockout, idle lock, role checks, supervisor authorisation, user management.

reliability.md §4.4 and goal S4: lock after ``max_failures`` consecutive failed logins for
``lockout`` (5 and 15 minutes by default, configurable); idle lock after ``idle_lock``; passwords only
as argon2id hashes (inside the store's operator repository); cancellations, partial refunds and
reissues need a supervisor's own credential at the window (two-person rule). Every login, logout,
failure, lockout and account change is written to the audit log.

Failed-login messages never say whether the code exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from app.domain.operator import NEEDS_SUPERVISOR_AUTHORISATION, Action, Operator, Role, allows
from app.errors import InputError, PermissionDenied
from app.services.ports.clock import Clock
from app.services.ports.store import OperatorAccount, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
# China has one time zone and no daylight saving; a fixed offset needs no tz database on Windows.
_LOCAL_TIME = timezone(timedelta(hours=8), "CST")
_BAD_CREDENTIALS = "工号或密码不正确。请重新输入；连续输错多次账号会被锁定。"

ACTION_LABELS: dict[Action, str] = {
    Action.IDENTIFY: "读卡识别",
    Action.CHECK_ELIGIBILITY: "查询参保和待遇资格",
    Action.PRINT_ELIGIBILITY_SLIP: "打印资格凭条",
    Action.EDIT_BILL: "修改费用明细",
    Action.PRE_SETTLE: "预结算",
    Action.SETTLE: "结算",
    Action.COLLECT_SELF_PAY: "收取自费",
    Action.PRINT_RECEIPT: "打印票据",
    Action.COPY_RECEIPT: "补打票据",
    Action.REISSUE_RECEIPT: "重打票据（换号）",
    Action.CANCEL_SETTLEMENT: "撤销结算",
    Action.PARTIAL_REFUND: "部分退费",
    Action.VIEW_HISTORY: "查看结算记录",
    Action.VIEW_JOURNAL: "查看交易日志",
    Action.RESOLVE_JOURNAL: "处理未明交易",
    Action.DAY_CLOSE: "日结对账",
    Action.SYNC_CATALOGUE: "同步目录",
    Action.MANAGE_USERS: "管理操作员",
    Action.CONFIGURE: "修改配置",
    Action.BACKUP: "备份和恢复",
    Action.VIEW_AUDIT: "查看审计日志",
    Action.EXPORT: "导出数据",
}


@dataclass(frozen=True)
class LoginPolicy:
    """Login-failure handling and idle lock."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle_lock: timedelta = timedelta(minutes=15)

    @classmethod
    def of(cls, max_failures: int, lockout_minutes: int, idle_lock_minutes: int) -> LoginPolicy:
        """A policy from the configured numbers."""
        return cls(
            max_failures, timedelta(minutes=lockout_minutes), timedelta(minutes=idle_lock_minutes)
        )

    def idle_expired(self, last_activity: float, now: float) -> bool:
        """Whether the screen must lock (monotonic seconds of the last input and of now)."""
        return now - last_activity >= self.idle_lock.total_seconds()


def check_password_strength(password: str, code: str) -> None:
    """At least 8 characters with letters and digits, and not the operator code itself.

    Raises:
        InputError: saying which rule the password breaks.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 位。请换一个更长的密码。")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise InputError("密码必须同时包含字母和数字。请换一个密码。")
    if code and code.casefold() in password.casefold():
        raise InputError("密码不能包含工号。请换一个密码。")


def authorize(operator: Operator, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless ``operator``'s role allows ``action``."""
    if not allows(operator.role, action):
        raise PermissionDenied(
            f"{operator.role.label}没有“{ACTION_LABELS[action]}”的权限。请由有权限的人员操作。",
            code="permission",
            detail={"role": operator.role.value, "action": action.value},
        )


def _local(moment: datetime) -> str:
    return moment.astimezone(_LOCAL_TIME).strftime("%H:%M")


class AuthService:
    """Authentication and account management over the operator repository and the audit log."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, policy: LoginPolicy) -> None:
        """Use ``uow_factory`` for accounts and audit, ``clock`` for lockout times."""
        self._uow_factory = uow_factory
        self._clock = clock
        self.policy = policy

    # ------------------------------------------------------------------ authentication

    def login(self, code: str, password: str) -> Operator:
        """Check a credential; returns the operator or raises :class:`PermissionDenied`."""
        return self._verify(code, password, event="login")

    def logout(self, operator: Operator, *, reason: str = "manual") -> None:
        """Record a logout (``reason``: manual, idle, shutdown)."""
        with self._uow_factory() as uow:
            uow.audit.append(self._clock.now(), operator.code, "logout", "ok", reason)
            uow.commit()

    def authorize_supervisor(
        self, action: Action, supervisor_code: str, password: str, *, requested_by: Operator
    ) -> Operator:
        """Two-person rule: verify a supervisor's own credential for ``action`` at this window.

        Raises:
            PermissionDenied: wrong credential, locked account, or a role that may not approve.
        """
        if action not in NEEDS_SUPERVISOR_AUTHORISATION:
            raise PermissionDenied(f"“{ACTION_LABELS[action]}”不需要主管授权。")
        if supervisor_code == requested_by.code:
            raise PermissionDenied("授权必须由另一位收费主管输入自己的工号和密码。")
        supervisor = self._verify(supervisor_code, password, event="supervisor_authorisation")
        if supervisor.role is not Role.SUPERVISOR or not allows(supervisor.role, action):
            self._audit_only(
                supervisor.code, "supervisor_authorisation", "denied", f"{action.value} role"
            )
            raise PermissionDenied(
                f"{supervisor.name}（{supervisor.role.label}）不能授权“{ACTION_LABELS[action]}”，"
                "请由收费主管授权。"
            )
        self._audit_only(
            supervisor.code,
            "supervisor_authorisation",
            "ok",
            f"{action.value} for {requested_by.code}",
        )
        return supervisor

    def _verify(self, code: str, password: str, *, event: str) -> Operator:
        now = self._clock.now()
        with self._uow_factory() as uow:
            account = uow.operators.get(code)
            if account is None:
                uow.audit.append(now, code, event, "failed", "unknown code")
                uow.commit()
                raise PermissionDenied(_BAD_CREDENTIALS, code="login_failed")
            if not account.active:
                uow.audit.append(now, code, event, "failed", "disabled")
                uow.commit()
                raise PermissionDenied("该账号已停用。请联系系统管理员。", code="login_disabled")
            if account.locked_until is not None and now < account.locked_until:
                uow.audit.append(now, code, event, "failed", "locked")
                uow.commit()
                raise PermissionDenied(
                    f"连续输错密码次数过多，账号已锁定到 {_local(account.locked_until)}。"
                    "请稍后再试，或请系统管理员重置密码。",
                    code="login_locked",
                )
            if uow.operators.verify_password(code, password):
                uow.operators.record_login(code, success=True, locked_until=None)
                uow.audit.append(now, code, event, "ok")
                uow.commit()
                return account.operator
            self._count_failure(uow, account, now, event)
            uow.commit()
        raise PermissionDenied(_BAD_CREDENTIALS, code="login_failed")

    def _count_failure(
        self, uow: UnitOfWork, account: OperatorAccount, now: datetime, event: str
    ) -> None:
        code = account.operator.code
        failures = account.failed_attempts + 1
        # Every run of max_failures consecutive failures locks again, also after a lock expired.
        locks = failures % self.policy.max_failures == 0
        locked_until = now + self.policy.lockout if locks else None
        uow.operators.record_login(code, success=False, locked_until=locked_until)
        uow.audit.append(now, code, event, "failed", f"bad password ({failures})")
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
                    "系统中已有管理员账号，不能再次初始化。请用已有管理员账号添加用户。",
                    code="admin_exists",
                )
            uow.operators.add(code, name, Role.ADMIN, password)
            uow.audit.append(self._clock.now(), code, "user_added", "ok", f"{code} role=admin init")
            uow.commit()

    def add_user(self, actor: Operator, code: str, name: str, role: Role, password: str) -> None:
        """Create an account (admin only)."""
        authorize(actor, Action.MANAGE_USERS)
        if not code.strip() or not name.strip():
            raise InputError("工号和姓名都不能为空。")
        check_password_strength(password, code)
        with self._uow_factory() as uow:
            if uow.operators.get(code) is not None:
                raise InputError(f"工号 {code} 已存在。请换一个工号，或修改已有账号。")
            uow.operators.add(code, name, role, password)
            uow.audit.append(
                self._clock.now(), actor.code, "user_added", "ok", f"{code} role={role}"
            )
            uow.commit()

    def set_role(self, actor: Operator, code: str, role: Role) -> None:
        """Change an account's role (admin only; an admin cannot demote themselves)."""
        authorize(actor, Action.MANAGE_USERS)
        if code == actor.code and role is not Role.ADMIN:
            raise PermissionDenied("不能修改自己的管理员角色。请由另一位管理员操作。")
        with self._uow_factory() as uow:
            before = self._existing(uow, code)
            uow.operators.set_role(code, role)
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
        if code == actor.code and not active:
            raise PermissionDenied("不能停用自己的账号。")
        with self._uow_factory() as uow:
            self._existing(uow, code)
            uow.operators.set_active(code, active=active)
            event = "user_enabled" if active else "user_disabled"
            uow.audit.append(self._clock.now(), actor.code, event, "ok", code)
            uow.commit()

    def reset_password(self, actor: Operator, code: str, password: str) -> None:
        """Set a new password (admin only); this also clears a lockout."""
        authorize(actor, Action.MANAGE_USERS)
        check_password_strength(password, code)
        with self._uow_factory() as uow:
            self._existing(uow, code)
            uow.operators.set_password(code, password)
            uow.operators.record_login(code, success=True, locked_until=None)
            uow.audit.append(self._clock.now(), actor.code, "password_reset", "ok", code)
            uow.commit()

    def accounts(self, actor: Operator) -> list[OperatorAccount]:
        """Every account, sorted by code (admin or auditor)."""
        if not (allows(actor.role, Action.MANAGE_USERS) or allows(actor.role, Action.VIEW_AUDIT)):
            authorize(actor, Action.MANAGE_USERS)
        with self._uow_factory() as uow:
            return sorted(uow.operators.all(), key=lambda a: a.operator.code)

    def _existing(self, uow: UnitOfWork, code: str) -> OperatorAccount:
        account = uow.operators.get(code)
        if account is None:
            raise InputError(f"没有工号为 {code} 的账号。请检查工号。")
        return account

    def _audit_only(self, code: str, event: str, outcome: str, detail: str) -> None:
        with self._uow_factory() as uow:
            uow.audit.append(self._clock.now(), code, event, outcome, detail)
            uow.commit()
