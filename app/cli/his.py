"""``settlement-window his``: results waiting for the HIS, and delivering them now.

``his status`` lists the results not yet acknowledged (waiting, or refused by the HIS) without
touching them; ``his deliver [--refused]`` makes the waiting ones due now (refused ones too with
``--refused``, after the cause was fixed in the HIS) and delivers until nothing more moves. The
window's outbox worker does the same in the background; this is for scripts, checks and supervisors.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CliContext
from app.cli.output import EXIT_OK, EXIT_REJECTED, EXIT_UNAVAILABLE
from app.messages import Template
from app.messages import console as words
from app.messages import engine as engine_words
from app.messages import his as his_words
from app.services.engine import Engine
from app.services.ports.his import OutboxItem, OutboxState


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``his`` subcommand with ``status`` and ``deliver``."""
    parser = subparsers.add_parser(
        "his",
        help="HIS 结果回传：待回传列表、立即回传",
        description="HIS 结果回传（docs/his-integration.md）",
    )
    actions = parser.add_subparsers(dest="his_action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="列出尚未被 HIS 确认的结算结果")
    status.set_defaults(handler=run_status)
    deliver = actions.add_parser("deliver", help="立即回传等待中的结果")
    deliver.add_argument("--refused", action="store_true", help="连同被 HIS 拒收的结果一起重传")
    deliver.set_defaults(handler=run_deliver)


def _rows(engine: Engine) -> list[OutboxItem]:
    return list(engine.his_results())


def _as_data(item: OutboxItem) -> dict[str, Any]:
    return {
        "key": item.result.key,
        "kind": item.result.kind.value,
        "charge_id": item.result.charge_id,
        "state": item.state.value,
        "attempts": item.attempts,
        "last_error": item.last_error,
    }


_RESULT_KINDS: dict[str, Template] = {
    "settled": his_words.RESULT_SETTLED,
    "cancelled": his_words.RESULT_CANCELLED,
    "partly_refunded": his_words.RESULT_PARTLY_REFUNDED,
    "self_pay_collected": his_words.RESULT_SELF_PAY_COLLECTED,
}


def _text(rows: list[OutboxItem], language: str) -> str:
    """The waiting results (the last error is the row's record, as it was written)."""
    if not rows:
        return words.HIS_ALL_DELIVERED().render(language)
    lines = [words.HIS_WAITING_HEAD(count=len(rows)).render(language)]
    for item in rows:
        state = words.HIS_REFUSED() if item.state is OutboxState.REFUSED else words.HIS_WAITING()
        kind = _RESULT_KINDS.get(item.result.kind.value)
        lines.append(
            words.HIS_ROW(
                key=item.result.key,
                kind=kind() if kind is not None else item.result.kind.label,
                state=state,
                attempts=item.attempts,
                error=item.last_error,
            ).render(language)
        )
    return "\n".join(lines)


def _exit_code(rows: list[OutboxItem]) -> int:
    if any(item.state is OutboxState.REFUSED for item in rows):
        return EXIT_REJECTED
    return EXIT_UNAVAILABLE if rows else EXIT_OK


def run_status(_args: argparse.Namespace, context: CliContext) -> int:
    """Print the waiting and refused results (or that no HIS is configured, when none waits)."""
    rows = _rows(context.engine(recover=False))
    kind = context.settings().his.kind
    text = _text(rows, context.out.language)
    if kind == "none" and not rows:
        text = engine_words.HIS_NOT_CONFIGURED().render(context.out.language)
    context.out.result({"his": kind, "pending": [_as_data(r) for r in rows]}, text)
    return _exit_code(rows)


def run_deliver(args: argparse.Namespace, context: CliContext) -> int:
    """Deliver now, pass after pass, until nothing more is acknowledged."""
    engine = context.engine(recover=False)
    delivered = engine.deliver_his_results(refused_too=bool(args.refused))
    rows = _rows(engine)
    context.out.result(
        {"delivered": delivered, "pending": [_as_data(r) for r in rows]},
        words.HIS_DELIVERED(count=delivered).render(context.out.language)
        + "\n"
        + _text(rows, context.out.language),
    )
    return _exit_code(rows)
