"""Issue #12 item 4: journal states are compared as enums, never as strings (``== "escalated"``)."""

from __future__ import annotations

import re
from pathlib import Path

from app.domain.journal import JournalState

APP = Path(__file__).resolve().parents[2] / "app"
STATES = "|".join(state.value for state in JournalState)
STRING_COMPARISON = re.compile(rf"""state\)?\s*(?:==|!=|\bin\b)\s*\(?["'](?:{STATES})["']""")


def test_no_journal_state_is_compared_as_a_string() -> None:
    offenders = [
        f"{path.relative_to(APP)}:{number}: {line.strip()}"
        for path in APP.rglob("*.py")
        if "sandbox" not in path.parts  # the sandbox's own platform states are its business
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STRING_COMPARISON.search(line)
    ]
    assert offenders == []


def test_the_pattern_catches_the_old_spelling() -> None:
    assert STRING_COMPARISON.search('if str(row.state) == "escalated":')
    assert STRING_COMPARISON.search("elif state == 'reversed':")
    assert not STRING_COMPARISON.search("if row.state is JournalState.ESCALATED:")
