"""``settle --json`` of a bill whose one group the platform refuses: the document says ``"ok":
false`` with the exit code 3 (it said ``"ok": true`` while the command exited 3)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from helpers.engine_fixtures import demo_bill_path

from app.sandbox import SandboxServer

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


def test_a_partly_settled_bill_is_not_ok_and_names_its_exit_code(
    cli: CliRunner, sandbox: SandboxServer
) -> None:
    sandbox.set_faults(
        [{"infno": "2207", "kind": "reject", "nth": [2], "params": {"err_msg": "结算被拒绝"}}]
    )
    code, document = cli(
        "settle", "--bill", str(demo_bill_path("03")), "--yes", "--operator", "C001"
    )
    states = sorted(g["state"] for g in document["bill"]["groups"])
    assert states == ["failed", "settled", "settled"]
    assert code == 3
    assert document["ok"] is False
    assert document["exit_code"] == 3
    settled = [g for g in document["bill"]["groups"] if g["state"] == "settled"]
    # The split of what went through stays in the document.
    assert Decimal(document["settled"]["total"]) == sum(Decimal(g["total"]) for g in settled)


def test_a_fully_settled_bill_is_ok_with_exit_code_0(
    cli: CliRunner, sandbox: SandboxServer
) -> None:
    code, document = cli(
        "settle", "--bill", str(demo_bill_path("03")), "--yes", "--operator", "C001"
    )
    assert (code, document["ok"], document["exit_code"]) == (0, True, 0)
