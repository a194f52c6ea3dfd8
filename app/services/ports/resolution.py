"""Who may resolve an unresolved journal row (hospital mode: issue 13 item 5).

A stand-alone window resolves every row it owns. In hospital mode a row whose record may already be
in the hospital record may also have been resolved by a supervisor at another window (a dead window's
row); such a row is resolved only by the window holding the hospital's resolution claim, and waits
while the hospital server cannot be asked. Recovery asks a :class:`ResolutionGate` before it sends a
reversal or a clean-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from app.domain.journal import JournalEntry, JournalState


class Verdict(Enum):
    """What recovery does with a row."""

    HERE = "here"  # resolve it now, at this window
    ADOPT = "adopt"  # another window resolved it: take its outcome, send nothing
    AWAIT = "await"  # leave it unresolved and ask again later


@dataclass(frozen=True)
class Admission:
    """The gate's answer for one row. ``outcome``: the other window's definite state (``ADOPT``);
    ``holder``: the window that holds the row's claim, or ``""`` when the hospital server could not
    be asked (``AWAIT``)."""

    verdict: Verdict
    outcome: JournalState | None = None
    holder: str = ""


RESOLVE_HERE = Admission(Verdict.HERE)


class ResolutionGate(Protocol):
    """Asked by recovery before it acts on a row it owns."""

    def admit(self, entry: JournalEntry) -> Admission:
        """Whether this window may resolve ``entry`` now (may reach the hospital server)."""
        ...

    def fresh_pass(self) -> None:
        """A new pass over the rows begins: ask the server again even if it was just away."""
        ...
