"""What settlement is handed from outside: recovery, the HIS charge re-check, the cashier's yes/no."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from app.domain.bill import FeeLine
from app.domain.journal import JournalEntry, JournalState
from app.domain.visit import Bill, GroupSettlement

if TYPE_CHECKING:
    from app.services.settlement.results import GroupResult

ChargeCheck = Callable[[Sequence[FeeLine], bool], None]
"""Lines of a group, and whether the HIS must answer (the platform settlement) or may be down."""

ConfirmCallback = Callable[["GroupResult"], bool]
"""Called with a group's 2206 preview; ``False`` abandons that group."""


class RecoveryHook(Protocol):
    """What settlement needs from recovery: one immediate attempt at an unknown row, and whose row
    is whose (issue #16)."""

    def resolve_now(self, msgid: str) -> JournalState:
        """Try once to resolve ``msgid``; return its state afterwards."""
        ...

    def in_other_hands(self, entry: JournalEntry) -> bool:
        """Whether ``entry`` is a call another live process has in flight."""
        ...

    def resolve_orphans(self, rows: Sequence[JournalEntry]) -> bool:
        """If any of ``rows`` was left by a program that has ended, resolve what it left (as the
        next start would); whether anything was run."""
        ...


def check_charges(
    check: ChargeCheck | None, bill: Bill, group: GroupSettlement, *, require_his: bool
) -> None:
    """Run the HIS re-check (if any) on the group's lines; it raises to stop the payment."""
    if check is not None:
        wanted = set(group.line_nos)
        check([line for line in bill.lines if line.line_no in wanted], require_his)
