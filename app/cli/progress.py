"""A progress bar for long CLI commands (catalogue import and sync, day close, journal resolve,
backup and restore), drawn with rich.

Why rich: a maintained library (not a hand-drawn bar), already in the environment through
import-linter, and it measures East Asian wide characters, so Chinese step labels do not break the
bar's layout (tqdm pads by code points). The bar goes to stderr and disappears when the work ends;
there is none under ``--json`` or when stdout is not a terminal (scripts, pipes, cron).

Ctrl+C during the work asks to stop instead of killing the process mid-way: the service stops at
its next safe point (:class:`app.services.ports.progress.Progress`) and the command ends with
"操作已取消"; a second Ctrl+C interrupts at once, as usual.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from app.services.ports.progress import ProgressSink, ProgressStep


class TerminalProgress:
    """A :class:`ProgressSink` drawing one rich task."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._cancel = threading.Event()
        self.cancellable = False

    def __enter__(self) -> TerminalProgress:
        self._bar.start()
        self._task = self._bar.add_task("准备", total=None)
        return self

    def __exit__(self, *_: object) -> None:
        self._bar.stop()

    def update(self, step: ProgressStep) -> None:
        """Show the step (a bar when the total is known, a spinner otherwise)."""
        if self._task is None:
            return
        label = step.label if step.cancellable else f"{step.label}（请稍候，不可中断）"
        self.cancellable = step.cancellable
        self._bar.update(self._task, description=label, total=step.total, completed=step.done)
        self._bar.refresh()  # steps are seconds apart: draw each at once

    def cancel_requested(self) -> bool:
        """Whether Ctrl+C was pressed."""
        return self._cancel.is_set()

    def request_cancel(self) -> None:
        """Ask the work to stop at its next safe point."""
        self._cancel.set()
        self._bar.console.print("[已请求取消，将在可以安全停止时结束……再按一次 Ctrl+C 立即中断]")


def wants_progress(*, json_mode: bool, stdout: TextIO | None = None) -> bool:
    """A bar only for a person at a terminal: not under ``--json``, not when stdout is redirected."""
    stream = stdout if stdout is not None else sys.stdout
    return not json_mode and stream.isatty()


@contextmanager
def terminal_progress(
    *, json_mode: bool, stdout: TextIO | None = None, console: Console | None = None
) -> Iterator[ProgressSink | None]:
    """The sink to hand to a long service call, or ``None`` when no bar should be drawn."""
    if not wants_progress(json_mode=json_mode, stdout=stdout):
        yield None
        return
    with TerminalProgress(console or Console(stderr=True)) as sink, _ctrl_c_asks_to_stop(sink):
        yield sink


@contextmanager
def _ctrl_c_asks_to_stop(sink: TerminalProgress) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: FrameType | None) -> None:
        if sink.cancel_requested():
            signal.default_int_handler(signum, frame)  # the second Ctrl+C: stop at once
        sink.request_cancel()

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
