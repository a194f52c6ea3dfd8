"""Every sandbox fault kind maps to the outcome the journal needs: unavailable, unknown or rejected.

For 2207 the proof is end to end: after the OutcomeUnknown, 2601 with the same msgid answers
REVERSED when the sandbox had processed the settlement and NOTHING_TO_UNDO when it had not.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from flow_helpers import OpenGroup, RecordingSleep, card_of, identity, open_group

from app.config import Settings
from app.domain.operator import Operator
from app.errors import OutcomeUnknown, PlatformCategory, PlatformMaintenance, PlatformUnavailable
from app.platform.client import PlatformClient
from app.sandbox import SandboxServer
from app.services.ports.platform import CallContext, ReversalOutcome

# kind → whether the sandbox executed the transaction before the fault (its KINDS table).
UNKNOWN_AFTER_SEND = {
    "refuse": False,  # RST after the request bytes were accepted: the client cannot know
    "drop_before": False,
    "http_error_before": False,
    "drop_after": True,
    "http_error_after": True,
    "truncated": True,
    "non_json": True,
    "wrong_content_type": True,
    "delay_after": True,
}
HOSTILE_VARIANTS = (
    "negative", "huge", "nan", "string_amount", "unbalanced", "wrong_msgid", "wrong_infno",
)  # fmt: skip


@dataclass(frozen=True)
class SettleGroup:
    """A client with the suite's usual timeouts, a group ready for 2207, and a ``delay_after``
    that outlasts the client's read timeout by a clear margin."""

    client: PlatformClient
    group: OpenGroup
    delay_past_timeout: float


@pytest.fixture
def settle_group(
    client: PlatformClient,
    sandbox_settings: Settings,
    sandbox: SandboxServer,
    cashier: Operator,
    msgids: Callable[[], str],
) -> SettleGroup:
    """Not a shortened read timeout: it would apply to the sign-in, the group's opening and the
    reversal too, which a loaded machine's sandbox (SQLite fsyncs) does not always answer in time."""
    return SettleGroup(
        client,
        open_group(client, sandbox, cashier, msgids, "张建国"),
        2 * sandbox_settings.platform.read_timeout,
    )


def _finished_with(sandbox: SandboxServer, msgid: str) -> bool:
    """Whether the sandbox has logged its fault for ``msgid``: it logs after processing, so the
    transaction is settled (or refused) for good before a reversal looks for it."""
    return any(entry["msgid"] == msgid for entry in sandbox.fault_log())


def _wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the sandbox never finished the faulted request"
        time.sleep(0.02)


def _fault(kind: str, **params: object) -> dict[str, object]:
    return {"infno": "2207", "kind": kind, "times": 1, "params": params}


@pytest.mark.parametrize(
    ("rule", "processed"),
    [
        *[
            pytest.param(
                _fault(kind),  # delay_after: its seconds come from the client's timeout
                processed,
                id=kind,
            )
            for kind, processed in UNKNOWN_AFTER_SEND.items()
        ],
        *[
            pytest.param(_fault("hostile", variant=v), True, id=f"hostile-{v}")
            for v in HOSTILE_VARIANTS
        ],
    ],
)
def test_a_settlement_fault_is_an_unknown_outcome_that_reversal_resolves(
    settle_group: SettleGroup,
    sandbox: SandboxServer,
    msgids: Callable[[], str],
    rule: dict[str, object],
    processed: bool,
) -> None:
    client, group = settle_group.client, settle_group.group
    if rule["kind"] == "delay_after":
        rule = _fault("delay_after", seconds=settle_group.delay_past_timeout)
    sandbox.set_faults([rule])
    msgid = msgids()

    with pytest.raises(OutcomeUnknown) as caught:
        client.settle(group.ctx, msgid, group.settle_request())

    assert caught.value.failure.msgid == msgid
    assert "请勿重复收费" in caught.value.text
    sandbox.set_faults([])
    # A client that gave up waiting (delay_after) may be ahead of the sandbox's processing.
    _wait_until(lambda: _finished_with(sandbox, msgid))
    outcome = client.reverse(group.ctx, msgids(), group.person_no, msgid, "2207")
    expected = ReversalOutcome.REVERSED if processed else ReversalOutcome.NOTHING_TO_UNDO
    assert outcome is expected
    assert not [r for r in sandbox.ledger() if r["msgid"] == msgid and r["status"] == "settled"]


def test_maintenance_is_a_notice_with_the_platform_window(
    client: PlatformClient, sandbox: SandboxServer, ctx: CallContext
) -> None:
    sandbox.set_maintenance(window="2026-11-23 22:00 至 2026-11-24 02:00")
    with pytest.raises(PlatformMaintenance) as caught:
        client.query_person(ctx, card_of(identity(sandbox, "张建国")))
    assert caught.value.category is PlatformCategory.MAINTENANCE
    assert "2026-11-23 22:00 至 2026-11-24 02:00" in caught.value.text
    assert "停机维护" in caught.value.text
    assert caught.value.failure.platform_text.startswith("系统停机维护")


def test_the_maintenance_fault_on_a_settlement_is_rejected_not_unknown(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    group = open_group(client, sandbox, cashier, msgids, "张建国")
    sandbox.set_faults([_fault("maintenance")])
    with pytest.raises(PlatformMaintenance):
        client.settle(group.ctx, msgids(), group.settle_request())
    assert [r for r in sandbox.ledger() if r["infno"] == "2207"] == []


def test_a_closed_port_is_unavailable_and_nothing_is_sent(
    make_client: Callable[..., PlatformClient],
    sandbox_settings: Settings,
    cashier: Operator,
    msgids: Callable[[], str],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = make_client(
        replace(sandbox_settings, platform=replace(sandbox_settings.platform, url=closed))
    )
    msgid = msgids()
    with pytest.raises(PlatformUnavailable) as caught:
        client.reverse(CallContext(cashier, "130399"), msgid, "P1", msgids(), "2207")
    assert caught.value.failure.infno == "2601"  # the sign-in failed, so 2601 was never sent
    assert caught.value.failure.msgid == msgid
    assert "没有发出" in caught.value.text


def test_reads_are_retried_with_a_new_msgid_after_an_unknown_outcome(
    client: PlatformClient,
    sandbox: SandboxServer,
    ctx: CallContext,
    sleeps: RecordingSleep,
) -> None:
    client.check_connection(ctx.operator)
    sandbox.set_faults([{"infno": "1101", "kind": "drop_after", "times": 1}])
    person = client.query_person(ctx, card_of(identity(sandbox, "张建国")))
    assert person.person_no == identity(sandbox, "张建国")["psn_no"]
    assert sandbox.request_count("1101") == 2
    assert len(sleeps.delays) == 1


def test_reads_give_up_after_the_configured_attempts(
    make_client: Callable[..., PlatformClient], sandbox: SandboxServer, ctx: CallContext
) -> None:
    client = make_client(read_attempts=3)
    client.check_connection(ctx.operator)
    sandbox.set_faults([{"infno": "1101", "kind": "http_error_before", "params": {"status": 503}}])
    with pytest.raises(OutcomeUnknown) as caught:
        client.query_person(ctx, card_of(identity(sandbox, "张建国")))
    assert sandbox.request_count("1101") == 3
    assert caught.value.code == "platform_bad_answer"
    assert "不影响任何费用" in caught.value.text


def test_state_changing_calls_are_never_retried(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    group = open_group(client, sandbox, cashier, msgids, "张建国")
    sandbox.set_faults([_fault("http_error_before")])
    with pytest.raises(OutcomeUnknown):
        client.settle(group.ctx, msgids(), group.settle_request())
    assert sandbox.request_count("2207") == 1
