"""Progress of long work (issue 18 part 2): what the services report and how a person stops them.

Long services (catalogue import and sync, the day close's chain of calls, recovery waiting with
back-off, backup and restore) take an optional :class:`ProgressSink`. They report :class:`ProgressStep`
s as they go; at the points where stopping changes nothing that matters — before anything is written,
or while only waiting — a step is marked ``cancellable`` and :class:`Progress` asks the sink whether the
person pressed Cancel, raising :class:`app.errors.UserCancelled` if so. Where stopping is not safe (a
settlement call in flight, a transaction committing) steps are not cancellable and the work finishes.

The CLI draws a progress bar (``app.cli.progress``); the window shows a ``QProgressDialog``
(``app.ui.progress_dialog``). Without a sink nothing is reported and nothing can be cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.errors import UserCancelled


@dataclass(frozen=True)
class ProgressStep:
    """Where the work stands.

    Attributes:
        label: what is being done, in Chinese for the person watching (e.g. ``写入本地目录``).
        done: units finished.
        total: units in all; ``None`` when unknown (a busy indicator instead of a bar).
        cancellable: whether stopping here is safe (the Cancel button is enabled only then).
    """

    label: str
    done: int = 0
    total: int | None = None
    cancellable: bool = False


class ProgressSink(Protocol):
    """Where progress goes: a terminal bar, a dialog, a test's list."""

    def update(self, step: ProgressStep) -> None:
        """Show ``step`` (called from the worker thread doing the work)."""
        ...

    def cancel_requested(self) -> bool:
        """Whether the person asked to stop (thread-safe)."""
        ...


class Progress:
    """What a service holds: reports to an optional sink and stops at safe points when asked."""

    def __init__(self, sink: ProgressSink | None = None) -> None:
        self._sink = sink

    def step(
        self, label: str, done: int = 0, total: int | None = None, *, cancellable: bool = False
    ) -> None:
        """Report a step; at a ``cancellable`` step, stop if the person asked to.

        Raises:
            UserCancelled: at a cancellable step after Cancel was pressed.
        """
        if self._sink is None:
            return
        self._sink.update(ProgressStep(label, done, total, cancellable))
        if cancellable and self._sink.cancel_requested():
            raise UserCancelled

    def checkpoint(self) -> None:
        """A safe point without a new step: stop if the person asked to.

        Raises:
            UserCancelled: Cancel was pressed.
        """
        if self._sink is not None and self._sink.cancel_requested():
            raise UserCancelled


NO_PROGRESS = Progress()
