"""A progress dialog for long work run off the GUI thread (issue 18 part 2, R12).

:func:`run_with_progress` submits ``work(sink)`` to a :class:`~app.workers.runner.TaskRunner` lane and
shows a window-modal :class:`QProgressDialog` fed by the sink: the worker thread emits each
:class:`~app.services.ports.progress.ProgressStep` through a queued signal, so the dialog is only
touched on the GUI thread and the window keeps painting. The Cancel button is enabled only while the
current step is cancellable; pressing it asks the service to stop at its next safe point (the dialog
says so and stays up until the work has really ended — cancelling never abandons work half done).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from app.services.ports.progress import ProgressSink, ProgressStep
from app.workers.runner import Lane, TaskHandle, TaskRunner

T = TypeVar("T")


class DialogProgress(QObject):
    """A :class:`ProgressSink` that shows steps in a :class:`QProgressDialog`."""

    stepped = Signal(object)

    def __init__(self, dialog: QProgressDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.steps: list[ProgressStep] = []  # what was shown, in order (for the window's tests)
        self._cancel = threading.Event()
        self.cancel_button = QPushButton(self.tr("Cancel"), dialog)
        self.cancel_button.setObjectName("progressCancelButton")
        self.cancel_button.setEnabled(False)
        dialog.setCancelButton(self.cancel_button)
        # The button must not close the dialog: the work decides when it has stopped.
        self.cancel_button.clicked.disconnect()
        self.cancel_button.clicked.connect(self.request_cancel)
        self.stepped.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def update(self, step: ProgressStep) -> None:
        """Worker thread: hand the step to the GUI thread."""
        self.stepped.emit(step)

    def cancel_requested(self) -> bool:
        """Whether Cancel was pressed (any thread)."""
        return self._cancel.is_set()

    @Slot()
    def request_cancel(self) -> None:
        """Ask the work to stop at its next safe point."""
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.dialog.setLabelText(self.tr("Stopping at a safe point…"))

    @Slot(object)
    def _show(self, step: ProgressStep) -> None:
        self.steps.append(step)
        if self._cancel.is_set():
            return
        self.dialog.setLabelText(step.label)
        if step.total is None:
            self.dialog.setRange(0, 0)  # a busy indicator
        else:
            self.dialog.setRange(0, max(step.total, 1))
            self.dialog.setValue(min(step.done, max(step.total, 1)))
        self.cancel_button.setEnabled(step.cancellable)


def run_with_progress(
    parent: QWidget,
    runner: TaskRunner,
    title: str,
    work: Callable[[ProgressSink], T],
    *,
    on_success: Callable[[T], object],
    on_failure: Callable[[BaseException], object],
    lane: Lane,
) -> tuple[DialogProgress, TaskHandle]:
    """Run ``work(sink)`` on ``lane`` with a progress dialog; one of the callbacks runs at the end,
    on the GUI thread, after the dialog has closed."""
    dialog = QProgressDialog(parent)
    dialog.setObjectName("progressDialog")
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(0)
    dialog.setRange(0, 0)
    sink = DialogProgress(dialog)
    dialog.setLabelText(title)

    def succeeded(value: T) -> None:
        dialog.close()
        on_success(value)

    def failed(exc: BaseException) -> None:
        dialog.close()
        on_failure(exc)

    handle = runner.submit(lambda: work(sink), succeeded, failed, lane=lane, busy_text=title)
    dialog.show()
    return sink, handle
