"""Refused by the state of the record: exit 3 with what the record says (who, when, where).

A second cancellation of the same settlement is not an input error (exit 2: "fix the command"); the
command was right, the settlement is no longer in a state that allows it — like settling a visit
whose charges are already settled (``charge_already_settled``, exit 3).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers.engine_fixtures import demo_bill_path

from app.cli.output import EXIT_REJECTED, EXIT_USAGE, exit_code_for
from app.errors import ChargeAlreadySettled, InputError, StateConflict
from app.sandbox import SandboxServer

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


def test_a_second_cancellation_exits_3_naming_when_and_where_the_first_was_made(
    cli: CliRunner, sandbox: SandboxServer
) -> None:
    code, settled = cli(
        "settle", "--bill", str(demo_bill_path("03")), "--yes", "--operator", "C001"
    )
    assert code == 0
    first = settled["bill"]["groups"][0]["settlement_id"]
    code, cancelled = cli("cancel", first, "--operator", "C001", "--supervisor", "S001")
    assert code == 0
    cancellation = cancelled["cancellation"]["cancellation_id"]
    sent = sandbox.request_count("2208")

    code, again = cli("cancel", first, "--operator", "C001", "--supervisor", "S001")

    assert code == EXIT_REJECTED
    assert again["ok"] is False
    assert again["exit_code"] == EXIT_REJECTED
    assert again["error"] == "already_cancelled"
    detail = again["detail"]
    assert detail["cancelled_by"] == cancellation
    assert detail["window"] == "W01"
    assert detail["operator"] == "C001"
    when = datetime.fromisoformat(detail["cancelled_at"])
    assert when.tzinfo is not None
    # The message itself says when (Beijing time, to the second) and at which window.
    assert (
        when.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S") in again["message"]
    )
    assert "窗口 W01" in again["message"]
    assert cancellation in again["message"]
    assert sandbox.request_count("2208") == sent  # nothing sent


def test_a_second_partial_refund_is_refused_the_same_way(cli: CliRunner) -> None:
    code, settled = cli(
        "settle", "--bill", str(demo_bill_path("03")), "--yes", "--operator", "C001"
    )
    assert code == 0
    first = settled["bill"]["groups"][0]["settlement_id"]
    assert cli("cancel", first, "--operator", "C001", "--supervisor", "S001")[0] == 0

    code, again = cli(
        "cancel", first, "--operator", "C001", "--supervisor", "S001", "--refund-lines", "1"
    )

    assert (code, again["error"]) == (EXIT_REJECTED, "already_cancelled")


def test_an_unknown_settlement_is_still_an_input_error(cli: CliRunner) -> None:
    code, refused = cli("cancel", "499999999999", "--operator", "C001", "--supervisor", "S001")

    assert (code, refused["error"]) == (EXIT_USAGE, "settlement_not_found")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (StateConflict("已撤销。", code="already_cancelled"), EXIT_REJECTED),
        (ChargeAlreadySettled("已结算。"), EXIT_REJECTED),
        (InputError("格式不对。"), EXIT_USAGE),
    ],
)
def test_state_conflicts_and_input_errors_have_their_own_exit_codes(
    error: InputError | StateConflict, expected: int
) -> None:
    assert exit_code_for(error) == expected
