"""Pieces of recovery that hold no state (``app.services.recovery``): the back-off between reversal
attempts, the withdrawal calls, the order rows are resolved in, and the state moves that adopt another
window's outcome (hospital mode)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.domain.journal import REVERSIBLE_INFNOS, JournalEntry, JournalState
from app.errors import PlatformError, PlatformRejected
from app.messages import recovery as words
from app.services.ports.platform import CallContext, PlatformGateway
from app.services.ports.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)

# 2202/2205 refusals that mean the registration is already gone: the withdrawal has its answer.
ALREADY_WITHDRAWN_TEXTS = ("挂号已撤销",)
WAIT_SLICE_SECONDS = 0.2  # how often a watched back-off wait looks at the Cancel button


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off with jitter between reversal attempts."""

    base_seconds: float = 1.0
    cap_seconds: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (full jitter over the upper half)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** max(attempt - 1, 0))
        return ceiling * (0.5 + rng.random() / 2)


def adoption_path(current: JournalState, target: JournalState) -> list[JournalState]:
    """The state moves that bring a local row from ``current`` to another window's definite outcome."""
    steps: list[JournalState] = []
    state = current
    if state in (JournalState.PREPARED, JournalState.SENT):
        state = JournalState.UNKNOWN
        steps.append(state)
    if target in (JournalState.REVERSED, JournalState.VOID) and state is JournalState.UNKNOWN:
        steps.append(JournalState.REVERSING)
    if target is not state:
        steps.append(target)
    return steps


def withdraw_call(
    gateway: PlatformGateway, ctx: CallContext, entry: JournalEntry, infno: str, outpatient_no: str
) -> Callable[[str], None]:
    if infno == "2205":
        return lambda msgid: gateway.cancel_fees(
            ctx, msgid, entry.person_no, entry.visit_id, "0000"
        )
    return lambda msgid: _already_withdrawn_is_done(
        lambda: gateway.cancel_registration(
            ctx, msgid, entry.person_no, entry.visit_id, outpatient_no
        )
    )


def _already_withdrawn_is_done(send: Callable[[], None]) -> None:
    """A 2202 refused because the registration is already cancelled has reached its goal."""
    try:
        send()
    except PlatformRejected as exc:
        if not any(text in exc.failure.platform_text for text in ALREADY_WITHDRAWN_TEXTS):
            raise
        log.info("registration already withdrawn: %s", exc.failure.platform_text[:80])


def originals_first(rows: Sequence[JournalEntry]) -> list[JournalEntry]:
    """Money rows first, then clean-ups, then 2601 rows (closed once their original is settled)."""

    def order(entry: JournalEntry) -> int:
        if entry.infno in REVERSIBLE_INFNOS:
            return 0
        if entry.infno == "2601":
            return 2
        return 1

    return sorted(rows, key=order)


def needs_a_person(error: PlatformError | None) -> bool:
    """A refused 2601 whose text the platform's refusal table reads as "escalate" (issue #17)."""
    return isinstance(error, PlatformRejected) and error.failure.extra.get("journal") == "escalate"


def watched_wait(
    sleep: Callable[[float], None], seconds: float, entry: JournalEntry, steps: Progress
) -> None:
    """Back-off before the next 2601; with someone watching, in short slices so Cancel is quick
    (stopping a wait is safe: the row stays REVERSING for the next run)."""
    if steps is NO_PROGRESS:
        sleep(seconds)
        return
    steps.step(
        str(words.STEP_WAIT(attempt=entry.attempts, seconds=f"{seconds:.1f}")), cancellable=True
    )
    remaining = seconds
    while remaining > 0:
        sleep(min(WAIT_SLICE_SECONDS, remaining))
        remaining -= WAIT_SLICE_SECONDS
        steps.checkpoint()


def reversed_text(final: JournalState) -> str:
    """A reversed (or never arrived) 2207's note on its group."""
    reversed_ = final is JournalState.REVERSED
    return str(words.GROUP_REVERSED() if reversed_ else words.GROUP_NEVER_ARRIVED())
