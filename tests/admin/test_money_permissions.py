"""Every money action × every role, through the engine API the window uses and through the CLI
(issue #11 item 3, reliability.md S3).

The expected table is written out here, not derived from ``PERMISSIONS``, so a change of the table
in the code shows up as a failing case. A two-person action has two rows: the operator at the window
needs the right to *request* it, the person typing their credential the right to *approve* it.
"Allowed" means the role check passed: the call then fails for another reason (the bill or
settlement does not exist) or succeeds, but never with ``PermissionDenied``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import (
    CASHIER_PASSWORD,
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    demo_bill_path,
)
from helpers.money_fixtures import run_json

from app.domain.operator import Operator, Role
from app.errors import AppError, PermissionDenied
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval
from app.services.engine import Engine

PASSWORD = "Role-pass-2026"
ACTORS = {
    Role.CASHIER: "C101",
    Role.REGISTRATION: "R101",
    Role.SUPERVISOR: "S101",
    Role.ADMIN: "A101",
    Role.AUDITOR: "U101",
}
MONEY = {Role.CASHIER, Role.SUPERVISOR}
SUPERVISOR = {Role.SUPERVISOR}

# action → roles that may do it (requests and approvals are separate rows).
EXPECTED: dict[str, set[Role]] = {
    "preview": MONEY,
    "settle": MONEY,
    "confirm": MONEY,
    "collect_self_pay": MONEY,
    "offline_self_pay": MONEY,
    "print_receipt": MONEY,
    "copy_receipt": MONEY,
    "request_cancellation": MONEY,
    "approve_cancellation": SUPERVISOR,
    "request_partial_refund": MONEY,
    "approve_partial_refund": SUPERVISOR,
    "request_reissue": MONEY,
    "approve_reissue": SUPERVISOR,
    "day_close": SUPERVISOR,
    "resolve_journal": SUPERVISOR,
}
NO_BILL = "NOSUCHBILL0000000000"
NO_SETTLEMENT = "999999999999"


def _add_role_accounts(engine: Engine) -> None:
    with engine.uow_factory() as uow:
        for role, code in ACTORS.items():
            if uow.operators.get(code) is None:
                uow.operators.add(code, f"{role.label}甲", role, PASSWORD)
        uow.commit()


def _engine_action(name: str, engine: Engine, actor: Operator, cashier: Operator) -> None:
    """Run action ``name`` with ``actor`` in the role the action's row is about."""
    other_supervisor = SupervisorApproval("S001", SUPERVISOR_PASSWORD)
    by_actor = SupervisorApproval(actor.code, PASSWORD)
    actions: dict[str, Callable[[], object]] = {
        "preview": lambda: engine.settlement.preview(NO_BILL, "general", actor),
        "settle": lambda: engine.settle(NO_BILL, actor),
        "confirm": lambda: engine.settlement.confirm(NO_BILL, "general", actor),
        "collect_self_pay": lambda: engine.settlement.collect_self_pay(NO_BILL, "self_pay", actor),
        "offline_self_pay": lambda: engine.collect_offline_self_pay(
            demo_bill("01"), engine.identify(demo_bill("01").identity, cashier), actor
        ),
        "print_receipt": lambda: _receipts(engine).issue(NO_SETTLEMENT, actor),
        "copy_receipt": lambda: _receipts(engine).copy("R-NONE", actor),
        "request_cancellation": lambda: engine.cancel(NO_SETTLEMENT, actor, other_supervisor),
        "approve_cancellation": lambda: engine.cancel(NO_SETTLEMENT, cashier, by_actor),
        "request_partial_refund": lambda: engine.partial_refund(
            NO_SETTLEMENT, ["1"], actor, other_supervisor
        ),
        "approve_partial_refund": lambda: engine.partial_refund(
            NO_SETTLEMENT, ["1"], cashier, by_actor
        ),
        "request_reissue": lambda: _receipts(engine).reissue(
            "R-NONE", actor, engine.operator("S001")
        ),
        "approve_reissue": lambda: _receipts(engine).reissue("R-NONE", cashier, actor),
        "day_close": lambda: engine.close_day(engine.day_close.today(), actor),
        "resolve_journal": lambda: engine.resolve("0" * 30, actor),
    }
    actions[name]()


def _receipts(engine: Engine) -> Any:
    assert engine.receipts is not None
    return engine.receipts


def _denied(run: Callable[[], None]) -> bool:
    try:
        run()
    except PermissionDenied:
        return True
    except AppError:
        return False
    return False


@pytest.mark.parametrize("role", list(ACTORS), ids=str)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_engine_money_action_by_role(
    action: str, role: Role, engine: Engine, sandbox: SandboxServer
) -> None:
    cashier, _ = add_operators(engine)
    _add_role_accounts(engine)
    actor = engine.operator(ACTORS[role])  # never C001, the requester of the approve_ rows

    denied = _denied(lambda: _engine_action(action, engine, actor, cashier))

    assert denied == (role not in EXPECTED[action]), f"{role} {action}"


def test_the_matrix_covers_every_role_and_request_approval_pair() -> None:
    assert set(ACTORS) == set(Role)
    for kind in ("cancellation", "partial_refund", "reissue"):
        assert {f"request_{kind}", f"approve_{kind}"} <= set(EXPECTED)


# ---------------------------------------------------------------------------------- the CLI

CLI_EXPECTED: dict[str, set[Role]] = {
    "settle": MONEY,
    "request_cancellation": MONEY,
    "approve_cancellation": SUPERVISOR,
    "request_partial_refund": MONEY,
    "approve_partial_refund": SUPERVISOR,
    "day_close": SUPERVISOR,
    "resolve_journal": SUPERVISOR,
}


def _cli_args(action: str, code: str, tmp_path: Path) -> tuple[list[str], str]:
    """(arguments, the operator whose password goes in SW_OPERATOR_PASSWORD)."""
    if action == "settle":
        document = json.loads(demo_bill_path("01").read_text(encoding="utf-8"))
        document["outpatient_no"] = f"MZP{code}"
        bill = tmp_path / f"{code}.json"
        bill.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return ["settle", "--bill", str(bill), "--yes", "--operator", code], code
    if action == "request_cancellation":
        return ["cancel", NO_SETTLEMENT, "--operator", code, "--supervisor", "S001"], code
    if action == "approve_cancellation":
        return ["cancel", NO_SETTLEMENT, "--operator", "C001", "--supervisor", code], "C001"
    if action == "request_partial_refund":
        return [
            "cancel", NO_SETTLEMENT, "--refund-lines", "1", "--operator", code,
            "--supervisor", "S001",
        ], code  # fmt: skip
    if action == "approve_partial_refund":
        return [
            "cancel", NO_SETTLEMENT, "--refund-lines", "1", "--operator", "C001",
            "--supervisor", code,
        ], "C001"  # fmt: skip
    if action == "day_close":
        return ["day-close", "--date", date.today().isoformat(), "--operator", code], code  # noqa: DTZ011
    assert action == "resolve_journal"
    return ["journal", "resolve", "0" * 30, "--operator", code], code


@pytest.mark.parametrize("role", list(ACTORS), ids=str)
@pytest.mark.parametrize("action", list(CLI_EXPECTED))
def test_cli_money_action_by_role(
    action: str,
    role: Role,
    money_cli: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from helpers.engine_fixtures import make_engine  # noqa: PLC0415

    from app.config import load_settings  # noqa: PLC0415

    config, data_dir = money_cli
    built = make_engine(load_settings(config), data_dir)
    _add_role_accounts(built)
    built.close()
    args, acting = _cli_args(action, ACTORS[role], config.parent)
    operator_password = CASHIER_PASSWORD if acting == "C001" else PASSWORD
    supervisor_password = PASSWORD if action.startswith("approve_") else SUPERVISOR_PASSWORD
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", operator_password)
    monkeypatch.setenv("SW_SUPERVISOR_PASSWORD", supervisor_password)

    code, document = run_json(capsys, money_cli, *args)

    denied = document.get("error") == "permission"
    assert denied == (role not in CLI_EXPECTED[action]), (role, action, document)
    if denied:
        assert code == 3
        assert "权限" in document["message"] or "授权" in document["message"]
