"""Operators: lockout with a fake clock, role checks, the two-person rule, account management, audit.

Real store (SQLite in tmp_path, argon2id with cheap parameters); only the clock is fake.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import cast

import pytest
from helpers.store_fixtures import StoreTestClock

from app.domain.operator import NEEDS_SUPERVISOR_AUTHORISATION, Action, Operator, Role, allows
from app.errors import InputError, PermissionDenied
from app.services.auth import (
    ACTION_LABELS,
    AuthService,
    LoginPolicy,
    authorize,
    check_password_strength,
)
from app.services.ports.store import AuditRecord, UnitOfWorkFactory
from app.services.shared_operators import SharedOperators
from app.store import SqlUnitOfWorkFactory

ADMIN_PASSWORD = "Admin-2026x"
GOOD_PASSWORD = "Cashier-2026x"


@pytest.fixture
def factory(uow_factory: SqlUnitOfWorkFactory) -> UnitOfWorkFactory:
    return cast(UnitOfWorkFactory, uow_factory)


@pytest.fixture
def auth(factory: UnitOfWorkFactory, store_clock: StoreTestClock) -> AuthService:
    # No role needs a second factor here; tests/admin/test_second_factor.py covers that.
    return AuthService(factory, store_clock, LoginPolicy(second_factor_roles=frozenset()))


@pytest.fixture
def admin(auth: AuthService) -> Operator:
    auth.init_admin("A001", "管理员甲", ADMIN_PASSWORD)
    return auth.login("A001", ADMIN_PASSWORD)


@pytest.fixture
def cashier(auth: AuthService, admin: Operator) -> str:
    auth.add_user(admin, "C001", "收费员乙", Role.CASHIER, GOOD_PASSWORD)
    return "C001"


@pytest.fixture
def audit_events(
    factory: UnitOfWorkFactory, store_clock: StoreTestClock
) -> Callable[[], list[AuditRecord]]:
    """Every audit row of the test (the fake clock stays within a day)."""

    def read() -> list[AuditRecord]:
        now = store_clock.now()
        with factory() as uow:
            return list(uow.audit.between(now - timedelta(days=1), now + timedelta(days=1)))

    return read


def test_five_failures_lock_for_fifteen_minutes(
    auth: AuthService,
    cashier: str,
    store_clock: StoreTestClock,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    for _ in range(4):
        with pytest.raises(PermissionDenied, match="工号或密码不正确"):
            auth.login(cashier, "wrong-1234")
    with pytest.raises(PermissionDenied) as fifth:
        auth.login(cashier, "wrong-1234")
    assert fifth.value.code == "login_failed"
    # Locked: even the right password is refused until the lock ends.
    with pytest.raises(PermissionDenied, match="已锁定") as locked:
        auth.login(cashier, GOOD_PASSWORD)
    assert locked.value.code == "login_locked"
    store_clock.advance(14 * 60 + 59)
    with pytest.raises(PermissionDenied, match="已锁定"):
        auth.login(cashier, GOOD_PASSWORD)
    store_clock.advance(1)
    assert auth.login(cashier, GOOD_PASSWORD).code == cashier
    events = [(r.event, r.outcome) for r in audit_events() if r.operator_code == cashier]
    assert events.count(("login", "failed")) == 7
    assert events.count(("lockout", "locked")) == 1
    assert events[-1] == ("login", "ok")


def test_a_success_resets_the_failure_count(
    auth: AuthService, cashier: str, store_clock: StoreTestClock
) -> None:
    for _ in range(4):
        with pytest.raises(PermissionDenied):
            auth.login(cashier, "wrong-1234")
    auth.login(cashier, GOOD_PASSWORD)
    for _ in range(4):
        with pytest.raises(PermissionDenied, match="工号或密码不正确"):
            auth.login(cashier, "wrong-1234")
    assert auth.login(cashier, GOOD_PASSWORD).role is Role.CASHIER


def test_after_a_lock_expires_five_more_failures_lock_again(
    auth: AuthService, cashier: str, store_clock: StoreTestClock
) -> None:
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            auth.login(cashier, "wrong-1234")
    store_clock.advance(15 * 60)
    for _ in range(4):
        with pytest.raises(PermissionDenied, match="工号或密码不正确"):
            auth.login(cashier, "wrong-1234")
    with pytest.raises(PermissionDenied):
        auth.login(cashier, "wrong-1234")
    with pytest.raises(PermissionDenied, match="已锁定"):
        auth.login(cashier, GOOD_PASSWORD)


def test_configured_policy_is_used(
    factory: UnitOfWorkFactory, store_clock: StoreTestClock, cashier: str
) -> None:
    strict = AuthService(factory, store_clock, LoginPolicy.of(3, 60, 10))
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            strict.login(cashier, "wrong-1234")
    store_clock.advance(59 * 60)
    with pytest.raises(PermissionDenied, match="已锁定"):
        strict.login(cashier, GOOD_PASSWORD)
    store_clock.advance(60)
    strict.login(cashier, GOOD_PASSWORD)
    assert strict.policy.idle_expired(last_activity=0.0, now=600.0)
    assert not strict.policy.idle_expired(last_activity=0.0, now=599.0)


def test_unknown_code_and_wrong_password_read_the_same(auth: AuthService, cashier: str) -> None:
    with pytest.raises(PermissionDenied) as unknown:
        auth.login("NOPE", GOOD_PASSWORD)
    with pytest.raises(PermissionDenied) as wrong:
        auth.login(cashier, "wrong-1234")
    assert unknown.value.text == wrong.value.text


def test_a_store_without_any_account_says_to_create_the_first_administrator(
    auth: AuthService, audit_events: Callable[[], list[AuditRecord]]
) -> None:
    """Field test: a window on a new data folder answered every login "工号或密码不正确", leaving a new
    admin to guess; with no account at all it says how to create the first one."""
    with pytest.raises(PermissionDenied) as refused:
        auth.login("C001", GOOD_PASSWORD)

    assert refused.value.code == "login_no_accounts"
    assert "users init-admin" in refused.value.text
    assert "init-admin" in refused.value.render("en")
    assert audit_events()[-1].detail == "unknown code"


class _ServerWithoutTheAccount:
    """The hospital's accounts as a window sees them when the server does not give this one."""

    def refresh(self, *_: object) -> None:
        return None


def test_a_hospital_window_without_any_account_says_to_reach_the_hospital_database(
    factory: UnitOfWorkFactory, store_clock: StoreTestClock
) -> None:
    shared = cast(SharedOperators, _ServerWithoutTheAccount())
    auth = AuthService(factory, store_clock, LoginPolicy(), shared=shared)

    with pytest.raises(PermissionDenied) as refused:
        auth.login("C001", GOOD_PASSWORD)

    assert refused.value.code == "login_no_accounts"
    assert "医院数据库" in refused.value.text


def test_disabled_account_cannot_log_in_until_enabled(
    auth: AuthService, admin: Operator, cashier: str
) -> None:
    auth.set_active(admin, cashier, active=False)
    with pytest.raises(PermissionDenied, match="已停用"):
        auth.login(cashier, GOOD_PASSWORD)
    auth.set_active(admin, cashier, active=True)
    assert auth.login(cashier, GOOD_PASSWORD).code == cashier


def test_reset_password_clears_a_lock(auth: AuthService, admin: Operator, cashier: str) -> None:
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            auth.login(cashier, "wrong-1234")
    auth.reset_password(admin, cashier, "Renewed-2026")
    assert auth.login(cashier, "Renewed-2026").code == cashier
    with pytest.raises(PermissionDenied):
        auth.login(cashier, GOOD_PASSWORD)


def test_first_admin_only_once(auth: AuthService, admin: Operator) -> None:
    with pytest.raises(PermissionDenied, match="已有管理员") as caught:
        auth.init_admin("A002", "管理员丙", ADMIN_PASSWORD)
    assert caught.value.code == "admin_exists"


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab1", "至少需要 8 位"),
        ("abcdefgh", "字母和数字"),
        ("12345678", "字母和数字"),
        ("xC001x99", "工号"),
    ],
)
def test_weak_passwords_are_refused(password: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        check_password_strength(password, "C001")


def test_only_admins_manage_accounts(auth: AuthService, cashier: str) -> None:
    clerk = auth.login(cashier, GOOD_PASSWORD)
    with pytest.raises(PermissionDenied, match="管理操作员"):
        auth.add_user(clerk, "C002", "收费员丁", Role.CASHIER, GOOD_PASSWORD)
    with pytest.raises(PermissionDenied):
        auth.set_role(clerk, cashier, Role.SUPERVISOR)


def test_role_change_is_audited_and_takes_effect(
    auth: AuthService,
    admin: Operator,
    cashier: str,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    auth.set_role(admin, cashier, Role.SUPERVISOR)
    assert auth.login(cashier, GOOD_PASSWORD).role is Role.SUPERVISOR
    changes = [r for r in audit_events() if r.event == "role_changed"]
    assert len(changes) == 1
    assert changes[0].operator_code == admin.code
    assert changes[0].detail == f"{cashier} cashier->supervisor"


def test_admin_cannot_demote_or_disable_themselves(auth: AuthService, admin: Operator) -> None:
    with pytest.raises(PermissionDenied):
        auth.set_role(admin, admin.code, Role.CASHIER)
    with pytest.raises(PermissionDenied):
        auth.set_active(admin, admin.code, active=False)


def test_logout_is_audited(
    auth: AuthService, cashier: str, audit_events: Callable[[], list[AuditRecord]]
) -> None:
    auth.logout(auth.login(cashier, GOOD_PASSWORD), reason="idle")
    last = audit_events()[-1]
    assert (last.event, last.outcome, last.detail, last.operator_code) == (
        "logout",
        "ok",
        "idle",
        cashier,
    )


# ---------------------------------------------------------------------- authorisation


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_authorize_follows_the_role_matrix(role: Role, action: Action) -> None:
    operator = Operator("X1", "某人", role)
    if allows(role, action):
        authorize(operator, action)
    else:
        with pytest.raises(PermissionDenied) as caught:
            authorize(operator, action)
        assert role.label in caught.value.text
        assert ACTION_LABELS[action] in caught.value.text


@pytest.fixture
def supervisor(auth: AuthService, admin: Operator) -> str:
    auth.add_user(admin, "S001", "主管戊", Role.SUPERVISOR, "Super-2026x")
    return "S001"


@pytest.mark.parametrize("action", sorted(NEEDS_SUPERVISOR_AUTHORISATION))
def test_supervisor_authorises_with_their_own_credential(
    auth: AuthService,
    cashier: str,
    supervisor: str,
    action: Action,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    clerk = auth.login(cashier, GOOD_PASSWORD)
    approved = auth.authorize_supervisor(action, supervisor, "Super-2026x", requested_by=clerk)
    assert approved.code == supervisor
    last = audit_events()[-1]
    assert (last.event, last.outcome, last.operator_code) == (
        "supervisor_authorisation",
        "ok",
        supervisor,
    )
    assert action.value in last.detail


def test_supervisor_authorisation_refusals(
    auth: AuthService, admin: Operator, cashier: str, supervisor: str
) -> None:
    clerk = auth.login(cashier, GOOD_PASSWORD)
    with pytest.raises(PermissionDenied, match="工号或密码不正确"):
        auth.authorize_supervisor(
            Action.CANCEL_SETTLEMENT, supervisor, "wrong-1234", requested_by=clerk
        )
    with pytest.raises(PermissionDenied, match="收费主管授权"):
        auth.authorize_supervisor(
            Action.CANCEL_SETTLEMENT, admin.code, ADMIN_PASSWORD, requested_by=clerk
        )
    boss = auth.login(supervisor, "Super-2026x")
    with pytest.raises(PermissionDenied, match="另一位"):
        auth.authorize_supervisor(
            Action.CANCEL_SETTLEMENT, supervisor, "Super-2026x", requested_by=boss
        )
    with pytest.raises(PermissionDenied, match="不需要主管授权"):
        auth.authorize_supervisor(Action.SETTLE, supervisor, "Super-2026x", requested_by=clerk)
