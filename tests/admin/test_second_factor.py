"""Second factor (reliability.md S4): RFC 6238 codes, enrolment, login and supervisor authorisation.

Real store (SQLite in tmp_path); only the clock is fake, so time steps are exact. Codes are computed
from the enrolled secret the way an authenticator app does (``cryptography``'s TOTP).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from helpers.store_fixtures import STORE_TEST_START, StoreTestClock

from app.domain.operator import Action, Operator, Role
from app.errors import InputError, PermissionDenied, SecondFactorNeeded
from app.services.auth import AuthService, LoginPolicy, missing_second_factor
from app.services.ports.store import AuditRecord, UnitOfWorkFactory
from app.services.totp import (
    CodeCheck,
    check_code,
    code_at,
    new_secret,
    provisioning_uri,
    time_step,
)
from app.store import SqlUnitOfWorkFactory

ADMIN_PASSWORD = "Admin-2026x"
SUPER_PASSWORD = "Super-2026x"
CASHIER_PASSWORD = "Cashier-2026x"
# RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890" as base32.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# ---------------------------------------------------------------------- the codes themselves


@pytest.mark.parametrize(
    ("unix", "code"),
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
        (20000000000, "353130"),
    ],
)
def test_rfc_6238_known_answers(unix: int, code: str) -> None:
    # The RFC lists 8 digits; 6-digit codes are their last 6 (the same dynamic truncation mod 10^6).
    assert code_at(RFC_SECRET, at(unix)) == code
    assert check_code(RFC_SECRET, code, at(unix), None).check is CodeCheck.OK


def test_one_step_either_side_is_accepted_two_are_not() -> None:
    now = at(1_800_000_000)
    for offset, expected in [
        (-60, CodeCheck.WRONG),
        (-30, CodeCheck.OK),
        (0, CodeCheck.OK),
        (30, CodeCheck.OK),
        (60, CodeCheck.WRONG),
    ]:
        code = code_at(RFC_SECRET, now + timedelta(seconds=offset))
        assert check_code(RFC_SECRET, code, now, None).check is expected, offset


def test_a_code_is_accepted_once_and_older_steps_never_after_a_newer_one() -> None:
    now = at(1_800_000_000)
    code = code_at(RFC_SECRET, now)
    first = check_code(RFC_SECRET, code, now, None)
    assert first.check is CodeCheck.OK
    assert first.step == time_step(now)
    assert check_code(RFC_SECRET, code, now, first.step).check is CodeCheck.REPLAYED
    earlier = code_at(RFC_SECRET, now - timedelta(seconds=30))
    assert check_code(RFC_SECRET, earlier, now, first.step).check is CodeCheck.REPLAYED
    later = code_at(RFC_SECRET, now + timedelta(seconds=30))
    assert check_code(RFC_SECRET, later, now, first.step).step == first.step + 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_wrong(typed: str) -> None:
    assert check_code(RFC_SECRET, typed, at(59), None).check is CodeCheck.WRONG


def test_spaces_inside_a_typed_code_are_ignored() -> None:
    assert check_code(RFC_SECRET, " 287 082 ", at(59), None).check is CodeCheck.OK


def test_new_secrets_are_160_bit_base32_and_the_uri_is_what_apps_import() -> None:
    secrets = {new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(s) == 32 and s.isalnum() and s.upper() == s for s in secrets)
    uri = provisioning_uri(RFC_SECRET, "S001@H11010500001")
    assert uri.startswith("otpauth://totp/settlement-window:S001%40H11010500001?")
    for part in (f"secret={RFC_SECRET}", "digits=6", "period=30", "algorithm=SHA1"):
        assert part in uri


# ---------------------------------------------------------------------- the service


@pytest.fixture
def factory(uow_factory: SqlUnitOfWorkFactory) -> UnitOfWorkFactory:
    return cast(UnitOfWorkFactory, uow_factory)


@pytest.fixture
def auth(factory: UnitOfWorkFactory, store_clock: StoreTestClock) -> AuthService:
    """The default policy: supervisors and admins need a second factor."""
    return AuthService(factory, store_clock, LoginPolicy())


@pytest.fixture
def audit_events(
    factory: UnitOfWorkFactory, store_clock: StoreTestClock
) -> Callable[[], list[AuditRecord]]:
    def read() -> list[AuditRecord]:
        now = store_clock.now()
        with factory() as uow:
            return list(uow.audit.between(now - timedelta(days=1), now + timedelta(days=1)))

    return read


@pytest.fixture
def admin(auth: AuthService) -> Operator:
    """A001, first admin, not enrolled: may log in with the password only to enrol themself."""
    auth.init_admin("A001", "管理员甲", ADMIN_PASSWORD)
    return auth.login("A001", ADMIN_PASSWORD, enrolling_self=True)


def enrol(auth: AuthService, admin: Operator, code: str, clock: StoreTestClock) -> str:
    """Enrol ``code`` and confirm with the current code; returns the secret. Moves on one step,
    as the confirming code is used up."""
    enrolment = auth.begin_second_factor(admin, code)
    auth.confirm_second_factor(admin, code, code_at(enrolment.secret, clock.now()))
    clock.advance(30)
    return enrolment.secret


@pytest.fixture
def supervisor(auth: AuthService, admin: Operator) -> str:
    auth.add_user(admin, "S001", "主管乙", Role.SUPERVISOR, SUPER_PASSWORD)
    return "S001"


def test_default_policy_covers_supervisors_and_admins_only() -> None:
    policy = LoginPolicy()
    assert {r for r in Role if policy.requires_second_factor(r)} == {Role.SUPERVISOR, Role.ADMIN}


def test_a_supervisor_without_an_authenticator_is_refused_and_told_to_ask_it(
    auth: AuthService,
    supervisor: str,
    admin: Operator,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    for _ in range(6):  # never a lockout: the password was right
        with pytest.raises(PermissionDenied) as refused:
            auth.login(supervisor, SUPER_PASSWORD)
        assert refused.value.code == "second_factor_not_enrolled"
    assert "请联系信息科为您绑定验证器" in refused.value.text
    cashier = Operator("C001", "收费员甲", Role.CASHIER)  # an administrator may not even ask
    with pytest.raises(PermissionDenied, match="请联系信息科"):
        auth.authorize_supervisor(
            Action.CANCEL_SETTLEMENT, supervisor, SUPER_PASSWORD, requested_by=cashier
        )
    # The password was right every time: nothing counted toward the lockout.
    account = next(a for a in auth.accounts(admin) if a.operator.code == supervisor)
    assert account.failed_attempts == 0
    assert [a.operator.code for a in missing_second_factor(auth.accounts(admin), auth.policy)] == [
        "A001",
        supervisor,
    ]
    refusals = [r for r in audit_events() if r.operator_code == supervisor]
    assert {(r.outcome, r.detail) for r in refusals if r.event == "login"} == {
        ("refused", "second factor not enrolled")
    }


def test_roles_outside_the_policy_log_in_with_the_password(
    auth: AuthService,
    admin: Operator,
    factory: UnitOfWorkFactory,
    store_clock: StoreTestClock,
) -> None:
    auth.add_user(admin, "C001", "收费员甲", Role.CASHIER, CASHIER_PASSWORD)
    assert auth.login("C001", CASHIER_PASSWORD).code == "C001"
    relaxed = AuthService(factory, store_clock, LoginPolicy(second_factor_roles=frozenset()))
    assert relaxed.login("A001", ADMIN_PASSWORD).role is Role.ADMIN


def test_enrolment_takes_effect_only_after_a_confirming_code(
    auth: AuthService,
    admin: Operator,
    supervisor: str,
    store_clock: StoreTestClock,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    enrolment = auth.begin_second_factor(admin, supervisor, account="S001@H11010500001")
    assert enrolment.secret in enrolment.uri
    pending = next(a for a in auth.accounts(admin) if a.operator.code == supervisor)
    assert (pending.second_factor, pending.second_factor_pending) == (False, True)
    with pytest.raises(PermissionDenied, match="请联系信息科"):  # pending is not in force
        auth.login(supervisor, SUPER_PASSWORD, code_at(enrolment.secret, store_clock.now()))

    wrong = code_at(enrolment.secret, store_clock.now() + timedelta(minutes=5))
    with pytest.raises(InputError, match="绑定尚未生效") as failed:
        auth.confirm_second_factor(admin, supervisor, wrong)
    assert failed.value.code == "second_factor_confirm_failed"

    confirming = code_at(enrolment.secret, store_clock.now())
    auth.confirm_second_factor(admin, supervisor, confirming)
    enrolled = next(a for a in auth.accounts(admin) if a.operator.code == supervisor)
    assert (enrolled.second_factor, enrolled.second_factor_pending) == (True, False)
    # The confirming code is used up: it cannot log in as well.
    with pytest.raises(PermissionDenied) as replayed:
        auth.login(supervisor, SUPER_PASSWORD, confirming)
    assert replayed.value.code == "second_factor_replayed"
    store_clock.advance(30)
    assert auth.login(supervisor, SUPER_PASSWORD, code_at(enrolment.secret, store_clock.now()))

    events = [(r.event, r.outcome, r.detail) for r in audit_events() if r.operator_code == "A001"]
    assert ("second_factor_enrolment", "started", supervisor) in events
    assert ("second_factor_enrolment", "failed", supervisor) in events
    assert ("second_factor_enrolled", "ok", supervisor) in events


def test_confirming_without_a_pending_enrolment_is_refused(
    auth: AuthService, admin: Operator, supervisor: str
) -> None:
    with pytest.raises(InputError, match="totp-enroll"):
        auth.confirm_second_factor(admin, supervisor, "123456")


def test_login_asks_for_the_code_after_the_password_and_accepts_each_code_once(
    auth: AuthService,
    admin: Operator,
    supervisor: str,
    store_clock: StoreTestClock,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    secret = enrol(auth, admin, supervisor, store_clock)
    # A wrong password is a wrong password, code or not.
    with pytest.raises(PermissionDenied) as bad_password:
        auth.login(supervisor, "wrong-1234", code_at(secret, store_clock.now()))
    assert bad_password.value.code == "login_failed"
    for _ in range(6):  # asking for the code is not a failure
        with pytest.raises(SecondFactorNeeded):
            auth.login(supervisor, SUPER_PASSWORD)
    code = code_at(secret, store_clock.now())
    assert auth.login(supervisor, SUPER_PASSWORD, code).code == supervisor
    with pytest.raises(PermissionDenied, match="已经用过"):
        auth.login(supervisor, SUPER_PASSWORD, code)
    store_clock.advance(30)
    assert auth.login(supervisor, SUPER_PASSWORD, code_at(secret, store_clock.now()))

    rows = [r for r in audit_events() if r.operator_code == supervisor and r.event == "login"]
    outcomes = [(r.outcome, r.detail) for r in rows]
    assert outcomes.count(("code_needed", "second factor asked")) == 6
    assert ("ok", "with one-time code") in outcomes
    assert ("failed", "replayed one-time code (1)") in outcomes  # the success reset the count
    every_code = {code_at(secret, STORE_TEST_START + timedelta(seconds=30 * k)) for k in range(8)}
    assert not any(c in r.detail for r in audit_events() for c in every_code)


def test_wrong_codes_count_toward_the_lockout(
    auth: AuthService,
    admin: Operator,
    supervisor: str,
    store_clock: StoreTestClock,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    secret = enrol(auth, admin, supervisor, store_clock)
    wrong = code_at(secret, store_clock.now() + timedelta(minutes=10))
    for _ in range(4):
        with pytest.raises(PermissionDenied, match="动态验证码不正确") as failed:
            auth.login(supervisor, SUPER_PASSWORD, wrong)
        assert failed.value.code == "second_factor_failed"
    with pytest.raises(PermissionDenied):
        auth.login(supervisor, "wrong-1234")  # the fifth failure, of another kind
    with pytest.raises(PermissionDenied, match="已锁定") as locked:
        auth.login(supervisor, SUPER_PASSWORD, code_at(secret, store_clock.now()))
    assert locked.value.code == "login_locked"
    store_clock.advance(15 * 60)
    assert auth.login(supervisor, SUPER_PASSWORD, code_at(secret, store_clock.now()))
    lockouts = [r for r in audit_events() if r.event == "lockout"]
    assert [r.operator_code for r in lockouts] == [supervisor]


def test_a_phone_clock_one_step_off_is_tolerated(
    auth: AuthService, admin: Operator, supervisor: str, store_clock: StoreTestClock
) -> None:
    secret = enrol(auth, admin, supervisor, store_clock)
    store_clock.advance(60)
    slow_phone = code_at(secret, store_clock.now() - timedelta(seconds=30))
    assert auth.login(supervisor, SUPER_PASSWORD, slow_phone)
    store_clock.advance(60)
    too_slow = code_at(secret, store_clock.now() - timedelta(seconds=60))
    with pytest.raises(PermissionDenied, match="动态验证码不正确"):
        auth.login(supervisor, SUPER_PASSWORD, too_slow)
    fast_phone = code_at(secret, store_clock.now() + timedelta(seconds=30))
    assert auth.login(supervisor, SUPER_PASSWORD, fast_phone)


@pytest.mark.parametrize(
    "action", [Action.CANCEL_SETTLEMENT, Action.PARTIAL_REFUND, Action.REISSUE_RECEIPT]
)
def test_supervisor_authorisation_needs_the_code_too(
    auth: AuthService,
    admin: Operator,
    supervisor: str,
    store_clock: StoreTestClock,
    *,
    action: Action,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    secret = enrol(auth, admin, supervisor, store_clock)
    auth.add_user(admin, "C001", "收费员甲", Role.CASHIER, CASHIER_PASSWORD)
    clerk = auth.login("C001", CASHIER_PASSWORD)
    with pytest.raises(SecondFactorNeeded):
        auth.authorize_supervisor(action, supervisor, SUPER_PASSWORD, requested_by=clerk)
    code = code_at(secret, store_clock.now())
    approved = auth.authorize_supervisor(
        action, supervisor, SUPER_PASSWORD, code, requested_by=clerk
    )
    assert approved.code == supervisor
    with pytest.raises(PermissionDenied, match="已经用过"):
        auth.authorize_supervisor(action, supervisor, SUPER_PASSWORD, code, requested_by=clerk)
    rows = [
        (r.outcome, r.detail)
        for r in audit_events()
        if r.operator_code == supervisor and r.event == "supervisor_authorisation"
    ]
    assert rows[0] == ("code_needed", "second factor asked")
    assert ("ok", "with one-time code") in rows
    assert ("ok", f"{action.value} for C001") in rows
    assert rows[-1] == ("failed", "replayed one-time code (1)")


def test_an_enrolled_account_is_asked_for_its_code_whatever_its_role(
    auth: AuthService, admin: Operator, store_clock: StoreTestClock
) -> None:
    auth.add_user(admin, "C001", "收费员甲", Role.CASHIER, CASHIER_PASSWORD)
    secret = enrol(auth, admin, "C001", store_clock)
    with pytest.raises(SecondFactorNeeded):
        auth.login("C001", CASHIER_PASSWORD)
    assert auth.login("C001", CASHIER_PASSWORD, code_at(secret, store_clock.now()))


def test_self_enrolment_login_does_not_bypass_an_enrolled_code(
    auth: AuthService, admin: Operator, store_clock: StoreTestClock
) -> None:
    secret = enrol(auth, admin, "A001", store_clock)
    with pytest.raises(SecondFactorNeeded):
        auth.login("A001", ADMIN_PASSWORD, enrolling_self=True)
    assert auth.login("A001", ADMIN_PASSWORD, code_at(secret, store_clock.now())).role is Role.ADMIN


def test_reset_removes_the_authenticator_and_a_new_one_replaces_the_old(
    auth: AuthService,
    admin: Operator,
    supervisor: str,
    store_clock: StoreTestClock,
    audit_events: Callable[[], list[AuditRecord]],
) -> None:
    old = enrol(auth, admin, supervisor, store_clock)
    # Re-enrolling (new phone): the old authenticator stays in force until the new is confirmed.
    new = auth.begin_second_factor(admin, supervisor)
    assert auth.login(supervisor, SUPER_PASSWORD, code_at(old, store_clock.now()))
    store_clock.advance(30)
    auth.confirm_second_factor(admin, supervisor, code_at(new.secret, store_clock.now()))
    store_clock.advance(30)
    with pytest.raises(PermissionDenied, match="动态验证码不正确"):
        auth.login(supervisor, SUPER_PASSWORD, code_at(old, store_clock.now()))
    assert auth.login(supervisor, SUPER_PASSWORD, code_at(new.secret, store_clock.now()))

    auth.reset_second_factor(admin, supervisor)
    with pytest.raises(PermissionDenied, match="请联系信息科"):
        auth.login(supervisor, SUPER_PASSWORD)
    assert ("second_factor_reset", "ok", supervisor) in [
        (r.event, r.outcome, r.detail) for r in audit_events()
    ]


def test_only_admins_enrol_and_reset(
    auth: AuthService, admin: Operator, store_clock: StoreTestClock
) -> None:
    auth.add_user(admin, "C001", "收费员甲", Role.CASHIER, CASHIER_PASSWORD)
    clerk = auth.login("C001", CASHIER_PASSWORD)
    with pytest.raises(PermissionDenied, match="管理操作员"):
        auth.begin_second_factor(clerk, "C001")
    with pytest.raises(PermissionDenied, match="管理操作员"):
        auth.reset_second_factor(clerk, "A001")
    with pytest.raises(InputError, match="没有工号为 X9"):
        auth.begin_second_factor(admin, "X9")
