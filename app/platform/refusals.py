"""The platform's known refusal texts and what they mean (data: ``refusals.toml``).

``err_msg`` is free text (interface.md B §3.12). One table, read once, says for each known text our
plain-language category and, for a refused 2601, what the journal does: nothing to undo, retry, or
escalate to a person (A §7, A §10).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from app.errors import PlatformCategory


class JournalMeaning(StrEnum):
    """What a refused reversal (2601) means for the journal row of the original call."""

    NOTHING_TO_UNDO = "nothing_to_undo"
    RETRY = "retry"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Refusal:
    """One row of the table."""

    marks: tuple[str, ...]
    category: PlatformCategory
    journal: JournalMeaning
    example: str
    only_reversing: frozenset[str] | None = None

    def matches(self, err_msg: str) -> bool:
        """Whether ``err_msg`` holds one of the marks."""
        return any(mark in err_msg for mark in self.marks)

    def journal_for(self, reversed_infno: str | None) -> JournalMeaning:
        """The journal meaning when the refused 2601 reversed ``reversed_infno`` (None: unknown).

        A row limited to some reversed transactions escalates for the others: "already
        cancelled" empties a 2207 but means a 2208 stands.
        """
        if self.only_reversing is not None and reversed_infno not in self.only_reversing:
            return JournalMeaning.ESCALATE
        return self.journal


UNKNOWN_REFUSAL = Refusal((), PlatformCategory.OTHER, JournalMeaning.RETRY, "")


@cache
def known_refusals() -> tuple[Refusal, ...]:
    """The table, in order (the first match decides)."""
    text = resources.files("app.platform").joinpath("refusals.toml").read_text(encoding="utf-8")
    return tuple(
        Refusal(
            marks=tuple(row["marks"]),
            category=PlatformCategory(row["category"]),
            journal=JournalMeaning(row["journal"]),
            example=row["example"],
            only_reversing=frozenset(row["only_reversing"]) if "only_reversing" in row else None,
        )
        for row in tomllib.loads(text)["refusal"]
    )


def refusal_for(err_msg: str) -> Refusal:
    """The first row matching ``err_msg``, or the unknown-refusal default."""
    for refusal in known_refusals():
        if refusal.matches(err_msg):
            return refusal
    return UNKNOWN_REFUSAL
