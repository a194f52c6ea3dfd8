"""The intervals the window's timers use (tests shorten them)."""

from __future__ import annotations

from dataclasses import dataclass

SEARCH_DEBOUNCE_MS = 200
CONNECTION_POLL_MS = 15_000
RECOVERY_RETRY_MS = 3_000
IDLE_CHECK_MS = 1_000


@dataclass(frozen=True)
class Timing:
    """Intervals the window uses (tests shorten them)."""

    search_debounce_ms: int = SEARCH_DEBOUNCE_MS
    connection_poll_ms: int = CONNECTION_POLL_MS
    recovery_retry_ms: int = RECOVERY_RETRY_MS
    idle_check_ms: int = IDLE_CHECK_MS
