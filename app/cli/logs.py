"""Logging of one console command: the same redacted log file as the window, plus warnings on stderr.

Without this, Python's last-resort handler would print warnings and errors to stderr unredacted and
nothing would reach ``<data folder>/logs``. :func:`start_console` runs before the command (a redacted
stderr handler for warnings); :func:`log_to` adds the data folder's rotating file as soon as a command
knows its folder (:func:`app.log.setup_logging`, the window's own set-up); :func:`stop` undoes both.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from app.config import LogSettings
from app.errors import StoreError
from app.log import LoggingHandle, RedactingFilter, setup_logging
from app.private_files import secure_data_folder

_FORMAT = "%(levelname)s %(name)s: %(message)s"


class _WithoutTraceback(logging.Formatter):
    """One line per record: the traceback belongs in the log file, not on the console."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


# Records the store writes just before it raises the StoreError the command then reports in its own
# words ("错误：本地数据库正被占用…"): on the console each would say the same thing twice, once as a
# log line with SQLite's own text. The log file keeps them.
_REPORTED_BY_THE_COMMAND: tuple[tuple[str, str], ...] = (
    ("app.store.db", "store environment error"),
    ("app.store.db", "SQLite settings differ"),
)


class _NotReportedTwice(logging.Filter):
    """Keeps off the console the records that :data:`_REPORTED_BY_THE_COMMAND` names."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(
            record.name == name and message.startswith(start)
            for name, start in _REPORTED_BY_THE_COMMAND
        )


class _Once(logging.Filter):
    """Each console line once per command: the same record twice (a provincial answer's unread
    details, read in the 2206 preview and again in the 2207 settlement) would print twice."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.getMessage())
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


class _Session:
    console: logging.Handler | None = None
    file: LoggingHandle | None = None


_session = _Session()


def start_console() -> None:
    """Warnings and errors to stderr, redacted and without tracebacks (replaces Python's
    unfiltered last resort)."""
    stop()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_WithoutTraceback(_FORMAT))
    handler.addFilter(RedactingFilter())
    handler.addFilter(_NotReportedTwice())
    handler.addFilter(_Once())
    logging.getLogger().addHandler(handler)
    _session.console = handler


def log_to(data_dir: Path, settings: LogSettings) -> Path:
    """Log this command to ``<data_dir>/logs`` too (once per command); returns the log file."""
    if _session.file is None:
        _session.file = setup_logging(data_dir, settings)
    return _session.file.log_file


def use_data_dir(folder: Path, settings: LogSettings) -> Path:
    """Prepare the command's data folder: created or tightened to 0700 (refused when it is a file
    or cannot be made private), and this command's log file opened in it. Returns ``folder``.

    Raises:
        ConfigError: the folder names a file, or is too open and cannot be fixed.
        StoreError: the folder or its log cannot be created.
    """
    try:
        secure_data_folder(folder)
        log_to(folder, settings)
    except OSError as exc:
        raise StoreError(
            f"无法使用数据目录 {folder}（{exc.strerror or exc}）。请检查路径、权限和磁盘空间。",
            code="data_dir_create",
        ) from None
    return folder


def stop() -> None:
    """Detach and close what :func:`start_console` and :func:`log_to` attached."""
    if _session.file is not None:
        _session.file.close()
        _session.file = None
    if _session.console is not None:
        logging.getLogger().removeHandler(_session.console)
        _session.console = None
