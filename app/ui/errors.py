"""The one path from an exception to what staff see (style.md §3.8).

* :class:`MessageBridge` carries every user-visible message as a signal, buffering until the window is
  ready (qutebrowser's ``message.py``). Tests connect to it and assert on exactly what was shown.
* :func:`describe` turns an exception into a :class:`ShownMessage`: our plain-Chinese text (what
  happened, what to do; English in an English window, from the message catalogue ``app.messages``),
  plus the platform's own words only as a quoted detail.
* :func:`show_error` is the only function that builds a message from an exception.
* :func:`install_excepthook` sends bugs to a crash dialog on the GUI thread and to the log.
"""

from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import (
    AppError,
    InputError,
    OutcomeUnknown,
    PlatformError,
    PlatformMaintenance,
    PlatformUnavailable,
    UserCancelled,
)
from app.messages import CHINESE

log = logging.getLogger(__name__)

_MAX_QUOTED = 120


class Level(StrEnum):
    """How loud a message is."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    BUG = "bug"


@dataclass(frozen=True)
class ShownMessage:
    """A message as staff see it.

    Attributes:
        level: info (status bar), warning/error (dialog), bug (crash dialog).
        text: plain Chinese (or English when selected): what happened and what to do.
        code: the error's stable code, for tests and logs.
        detail: the platform's own words, quoted and cleaned, or "".
    """

    level: Level
    text: str
    code: str = ""
    detail: str = ""


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def quote_platform_text(text: str) -> str:
    """The platform's words made safe to show as a detail: one line, printable, bounded."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(cleaned) > _MAX_QUOTED:
        cleaned = cleaned[:_MAX_QUOTED] + "…"
    return cleaned


def describe(exc: BaseException, language: str = CHINESE) -> ShownMessage | None:
    """What to show for ``exc`` in ``language``; ``None`` when nothing is shown (the operator
    cancelled)."""
    if isinstance(exc, UserCancelled):
        return None
    if not isinstance(exc, AppError):
        return ShownMessage(
            Level.BUG,
            QCoreApplication.translate(
                "errors",
                "An internal program error occurred. The current operation has stopped; nothing "
                "was charged twice. Please tell the IT staff; the details are in the log.",
            ),
            "bug",
        )
    text = exc.render(language)
    if isinstance(exc, InputError):
        return ShownMessage(Level.INFO, text, exc.code)
    if isinstance(exc, PlatformError):
        detail = quote_platform_text(exc.failure.platform_text)
        if isinstance(exc, PlatformMaintenance):
            text = QCoreApplication.translate(
                "errors", "The national platform is down for maintenance. {text}"
            ).format(text=text)
            return ShownMessage(Level.WARNING, text, exc.code, detail)
        if isinstance(exc, OutcomeUnknown | PlatformUnavailable):
            return ShownMessage(Level.WARNING, text, exc.code, detail)
        return ShownMessage(Level.ERROR, text, exc.code, detail)
    return ShownMessage(Level.ERROR, text, exc.code)


class MessageBridge(QObject):
    """Carries user-visible messages; buffers them until a receiver is attached.

    Signals:
        shown(object): a :class:`ShownMessage` to display.
        cleared(): the status bar's last message no longer applies.

    Attributes:
        language: the window's language (``[ui] language``); errors are worded in it.
    """

    shown = Signal(object)
    cleared = Signal()

    def __init__(self, parent: QObject | None = None, *, language: str = CHINESE) -> None:
        super().__init__(parent)
        self.language = language
        self._buffer: list[ShownMessage] = []
        self._ready = False

    def post(self, message: ShownMessage) -> None:
        """Show a message now, or as soon as the window is ready."""
        if self._ready:
            self.shown.emit(message)
        else:
            self._buffer.append(message)

    def info(self, text: str) -> None:
        """A status-bar message."""
        self.post(ShownMessage(Level.INFO, text))

    def overtaken(self) -> None:
        """The status bar's last message no longer applies (a failed card read, once the patient was
        identified another way): clear it rather than leave a stale error beside the new patient.
        Not a message: nothing is shown or logged, and nothing buffered is dropped."""
        if self._ready:
            self.cleared.emit()

    def flush(self) -> None:
        """Mark the receiver ready and deliver what was buffered."""
        self._ready = True
        buffered, self._buffer = self._buffer, []
        for message in buffered:
            self.shown.emit(message)


def show_error(bridge: MessageBridge, exc: BaseException) -> ShownMessage | None:
    """The only way an exception becomes a message. Bugs are logged with their traceback."""
    message = describe(exc, bridge.language)
    if message is None:
        return None
    if message.level is Level.BUG:
        log.error(
            "unexpected error", exc_info=(type(exc), exc, exc.__traceback__)
        )  # the log, not the screen, gets the traceback
    else:
        log.info("shown to operator: %s (%s)", message.code, type(exc).__name__)
    bridge.post(message)
    return message


def present(parent: QWidget | None, message: ShownMessage) -> None:
    """Modal dialog for warnings, errors and bugs (info goes to the status bar by the caller)."""
    icon = {
        Level.WARNING: QMessageBox.Icon.Warning,
        Level.ERROR: QMessageBox.Icon.Critical,
        Level.BUG: QMessageBox.Icon.Critical,
    }.get(message.level, QMessageBox.Icon.Information)
    box = QMessageBox(
        icon,
        QCoreApplication.translate("errors", "Settlement window"),
        message.text,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    if message.detail:
        box.setInformativeText(
            QCoreApplication.translate("errors", "Platform said: “{detail}”").format(
                detail=message.detail
            )
        )
    box.exec()


def install_excepthook(bridge: MessageBridge) -> None:
    """Route uncaught exceptions (bugs) to the log and a crash message on the GUI thread.

    The bridge's signal is emitted from whatever thread failed; Qt queues it to the GUI thread.
    """
    shown_kinds: set[str] = set()

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.critical("uncaught exception:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        if kind.__name__ in shown_kinds:
            return  # one crash dialog per kind of bug, not a cascade
        shown_kinds.add(kind.__name__)
        message = describe(exc, bridge.language)
        if message is not None:
            bridge.post(message)

    sys.excepthook = hook
