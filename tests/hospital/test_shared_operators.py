"""Operators hospital-wide (issue 13 item 3), on the real PostgreSQL: an account made at one window
logs in at another, a lockout counts failures from every window, a window logs in from its copy while
the server is down and adds its offline failures on return, the second factor is one secret and one
use of each code for the whole hospital, and administrators' changes are refused (nothing changed)
while the server is down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.engine_fixtures import CASHIER_PASSWORD, SUPERVISOR_PASSWORD
from helpers.hospital_windows import Window, open_window
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from sqlalchemy import Engine, select

from app.domain.operator import Operator, Role
from app.errors import InputError, PermissionDenied, SecondFactorNeeded, StoreError
from app.sandbox import SandboxServer
from app.services.auth import AuthService, LoginPolicy
from app.services.ports.clock import SystemClock
from app.services.shared_operators import SharedOperators
from app.services.totp import code_at
from app.store.hospital import schema
from app.store.hospital.connect import open_hospital_engine
from app.store.hospital.operators import PgOperatorDirectory
from app.store.hospital.rekey import KeyRotation

ADMIN_PASSWORD = "admin-pass-2026"
NEW_PASSWORD = "new-cashier-77"
POLICY = LoginPolicy(second_factor_roles=frozenset())


def auth_on(window: Window, database: Engine) -> AuthService:
    """``window``'s login and accounts on the hospital's accounts in ``database``."""
    shared = SharedOperators(PgOperatorDirectory(database, HOSPITAL_KEY), SystemClock())
    return AuthService(window.engine.uow_factory, SystemClock(), POLICY, shared=shared)


@dataclass
class Hospital:
    w1: Window
    w2: Window
    auth1: AuthService
    auth2: AuthService
    admin: Operator
    db: HospitalDb


@pytest.fixture
def hospital(two_windows: tuple[Window, Window], hospital_db: HospitalDb) -> Hospital:
    """W01 joins first (its C001 and S001 become the hospital's), W02 joins, A001 is made at W01."""
    w1, w2 = two_windows
    auth1, auth2 = auth_on(w1, hospital_db.engine), auth_on(w2, hospital_db.engine)
    assert auth1.pull_operators() == 2
    auth2.pull_operators()
    auth1.init_admin("A001", "信息科", ADMIN_PASSWORD)
    admin = auth1.login("A001", ADMIN_PASSWORD)
    return Hospital(w1, w2, auth1, auth2, admin, hospital_db)


def unreachable() -> Engine:
    return open_hospital_engine("postgresql+psycopg://postgres@127.0.0.1:1/test")


def test_an_account_made_at_w01_logs_in_at_w02(hospital: Hospital) -> None:
    hospital.auth1.add_user(hospital.admin, "C777", "新收费员", Role.CASHIER, NEW_PASSWORD)

    assert hospital.auth2.login("C777", NEW_PASSWORD).code == "C777", "refreshed at login"
    assert hospital.auth2.login("A001", ADMIN_PASSWORD).role is Role.ADMIN
    hospital.auth2.pull_operators()
    codes = [a.operator.code for a in hospital.auth2.accounts(hospital.admin)]
    assert codes == ["A001", "C001", "C777", "S001"]
    with hospital.w1.engine.uow_factory() as uow:
        since = datetime(2000, 1, 1, tzinfo=UTC)
        events = [(r.event, r.detail) for r in uow.audit.between(since, datetime.now(UTC))]
        assert ("user_added", "C777 role=cashier") in events, "audited in W01's own chain"
        assert uow.audit.verify() == []


def test_a_window_joining_late_disables_accounts_the_hospital_does_not_have(
    hospital: Hospital, sandbox: SandboxServer, tmp_path: Path
) -> None:
    w3 = open_window("W03", sandbox, hospital.db, tmp_path / "w03")
    try:
        with w3.engine.uow_factory() as uow:
            uow.operators.add("X001", "本机旧账号", Role.CASHIER, "local-only-2026")
            uow.commit()
        auth3 = auth_on(w3, hospital.db.engine)
        auth3.pull_operators()
        with pytest.raises(PermissionDenied) as refused:
            auth3.login("X001", "local-only-2026")
        assert refused.value.code == "login_disabled"
        assert auth3.login("A001", ADMIN_PASSWORD).code == "A001"
    finally:
        w3.engine.close()


def test_five_wrong_passwords_over_two_windows_lock_the_account_everywhere(
    hospital: Hospital,
) -> None:
    for auth in (hospital.auth1, hospital.auth1, hospital.auth1, hospital.auth2):
        with pytest.raises(PermissionDenied) as wrong:
            auth.login("C001", "wrong-password-1")
        assert wrong.value.code == "login_failed"
    with pytest.raises(PermissionDenied):
        hospital.auth2.login("C001", "wrong-password-1")

    for auth in (hospital.auth1, hospital.auth2):
        with pytest.raises(PermissionDenied) as locked:
            auth.login("C001", CASHIER_PASSWORD)
        assert locked.value.code == "login_locked"
    account = PgOperatorDirectory(hospital.db.engine, HOSPITAL_KEY).get("C001")
    assert account is not None
    assert account.failed_attempts == 5
    assert account.locked_until is not None


def test_login_works_offline_and_offline_failures_count_hospital_wide_on_return(
    hospital: Hospital,
) -> None:
    down = unreachable()
    try:
        offline = auth_on(hospital.w2, down)
        started = datetime.now(UTC)
        assert offline.login("C001", CASHIER_PASSWORD).code == "C001"
        for _ in range(2):
            with pytest.raises(PermissionDenied):
                offline.login("C001", "wrong-password-1")
        assert (datetime.now(UTC) - started).total_seconds() < 10, "one timeout, not one per try"
        with pytest.raises(StoreError) as refused:
            offline.add_user(hospital.admin, "C888", "离线添加", Role.CASHIER, NEW_PASSWORD)
        assert refused.value.code == "hospital_unreachable"
        assert "本次修改没有生效" in refused.value.text
    finally:
        down.dispose()
    with hospital.w2.engine.uow_factory() as uow:
        assert uow.operators.get("C888") is None
        assert uow.operators.offline_failures() == {"C001": 2}

    for _ in range(3):  # three more at W01, online: 2 + 3 = 5
        with pytest.raises(PermissionDenied):
            hospital.auth1.login("C001", "wrong-password-1")
    hospital.auth2.pull_operators()  # W02 back online: its two are added

    account = PgOperatorDirectory(hospital.db.engine, HOSPITAL_KEY).get("C001")
    assert account is not None
    assert account.failed_attempts == 5
    assert account.locked_until is not None
    with pytest.raises(PermissionDenied) as locked:
        hospital.auth1.login("C001", CASHIER_PASSWORD)
    assert locked.value.code == "login_locked"


def test_disabled_at_w01_refused_at_w02(hospital: Hospital) -> None:
    hospital.auth1.set_active(hospital.admin, "C001", active=False)
    with pytest.raises(PermissionDenied) as refused:
        hospital.auth2.login("C001", CASHIER_PASSWORD)
    assert refused.value.code == "login_disabled"
    hospital.auth1.reset_password(hospital.admin, "C001", NEW_PASSWORD)
    hospital.auth1.set_active(hospital.admin, "C001", active=True)
    assert hospital.auth2.login("C001", NEW_PASSWORD).code == "C001"


def test_one_authenticator_for_the_hospital_a_code_used_once_and_rotated_with_the_key(
    hospital: Hospital,
) -> None:
    enrolment = hospital.auth1.begin_second_factor(hospital.admin, "S001")
    now = datetime.now(UTC)
    hospital.auth1.confirm_second_factor(hospital.admin, "S001", code_at(enrolment.secret, now))
    with hospital.db.engine.connect() as connection:
        blob = connection.execute(
            select(schema.operators.c.totp_secret).where(schema.operators.c.code == "S001")
        ).scalar_one()
    assert enrolment.secret.encode() not in bytes(blob), "encrypted under the hospital key"

    with pytest.raises(SecondFactorNeeded):
        hospital.auth2.login("S001", SUPERVISOR_PASSWORD)
    with pytest.raises(PermissionDenied) as replayed:  # the confirming code's step is used up
        hospital.auth2.login("S001", SUPERVISOR_PASSWORD, code_at(enrolment.secret, now))
    assert replayed.value.code == "second_factor_replayed"

    new_key = bytes(range(50, 82))
    report = KeyRotation(hospital.db.engine, HOSPITAL_KEY, new_key).run(now)
    assert report.operators == 1
    rotated = PgOperatorDirectory(hospital.db.engine, new_key).get("S001")
    assert rotated is not None
    assert rotated.totp_secret == enrolment.secret
    assert PgOperatorDirectory(hospital.db.engine, HOSPITAL_KEY).get("S001") is None, (
        "the old key no longer reads the account's secret"
    )


def test_an_enrolment_begun_at_w01_is_confirmed_at_w02_and_a_code_is_not_made_twice(
    hospital: Hospital,
) -> None:
    enrolment = hospital.auth1.begin_second_factor(hospital.admin, "C001")
    admin_at_w2 = hospital.auth2.login("A001", ADMIN_PASSWORD)

    hospital.auth2.confirm_second_factor(
        admin_at_w2, "C001", code_at(enrolment.secret, datetime.now(UTC))
    )

    account = PgOperatorDirectory(hospital.db.engine, HOSPITAL_KEY).get("C001")
    assert account is not None
    assert account.totp_secret == enrolment.secret
    assert account.totp_pending is None
    hospital.auth1.add_user(hospital.admin, "C555", "甲", Role.CASHIER, NEW_PASSWORD)
    with pytest.raises(InputError):
        hospital.auth2.add_user(admin_at_w2, "C555", "乙", Role.CASHIER, "other-pass-99")
    assert hospital.auth1.login("C555", NEW_PASSWORD).name == "甲"
