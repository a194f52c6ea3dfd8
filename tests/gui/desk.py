"""GUI test helpers: the real window on a real engine (SQLite in tmp_path) against the real sandbox.

Only the card reader (simulated) and, where a test needs it, the clock are fakes. Dialogs are answered
by monkeypatching their ``ask`` classmethods; messages are captured from the message bridge.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.demo import DEMO_OPERATORS
from app.services.engine import Engine
from app.ui import errors as ui_errors
from app.ui.errors import ShownMessage
from app.ui.main_window import MainWindow
from app.ui.timing import Timing

PASSWORDS = {code: password for code, _, _, password in DEMO_OPERATORS}
FAST = Timing(search_debounce_ms=50, connection_poll_ms=60_000, recovery_retry_ms=200)


class FakeClock:
    """A movable clock (aware UTC) for cache ages and the idle lock."""

    def __init__(self) -> None:
        self._now = datetime.now(UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, delta: timedelta) -> None:
        self._now += delta
        self._mono += delta.total_seconds()


@dataclass
class Desk:
    """A running window and what it is built on."""

    window: MainWindow
    engine: Engine
    reader: Any
    clock: FakeClock
    messages: list[ShownMessage] = field(default_factory=list)

    def errors(self) -> list[ShownMessage]:
        return [m for m in self.messages if m.level is not ui_errors.Level.INFO]


def login(qtbot: QtBot, desk: Desk, code: str) -> None:
    """Log in and wait until start-up recovery and the first connection check are done."""
    window = desk.window
    with qtbot.waitSignal(window.operator_changed, timeout=10_000):
        window.login(code, PASSWORDS[code])
    qtbot.waitUntil(lambda: window.connection is not None and not window.busy, timeout=10_000)


def insert_card(desk: Desk, name: str) -> None:
    """Put a demo person's card into the simulated reader (the demo combo box)."""
    combo = desk.window.identify_panel.demo_cards
    index = next(i for i in range(combo.count()) if combo.itemData(i) == name)
    combo.setCurrentIndex(index)


class TickProbe:
    """Records when a short GUI-thread timer fires; the largest gap between ticks is the longest time
    the event loop could not react (R12 in reliability.md: never more than 100 ms).

    Use as a context manager around the flow to observe; then read :attr:`max_gap`.
    """

    def __init__(self, interval_ms: int = 10) -> None:
        """A probe ticking every ``interval_ms``."""
        self.ticks: list[float] = []
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def __enter__(self) -> TickProbe:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.stop()

    @property
    def gaps(self) -> list[float]:
        """Seconds between consecutive ticks."""
        return [later - earlier for earlier, later in itertools.pairwise(self.ticks)]

    @property
    def max_gap(self) -> float:
        """The largest gap between ticks, in seconds."""
        return max(self.gaps)

    @property
    def elapsed(self) -> float:
        """Seconds from the first tick to the last."""
        return self.ticks[-1] - self.ticks[0]
