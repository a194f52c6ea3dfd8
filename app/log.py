"""Logging for the window: a rotating file in the data folder, with personal data and secrets redacted.

Redaction (reliability.md §4.8, goal S8) works twice over:

* **by field name** — ``token=…``, ``"password": "…"``, ``certno: …`` and the like: the value is
  replaced whatever it looks like;
* **by pattern** — 18-character ID numbers, social-security card numbers (``X12345678``), 32-character
  card identification codes (card_sn) and e-voucher tokens are masked with the one masking rule
  (:func:`app.domain.masking.mask_number`) wherever they appear.

The :class:`RedactingFilter` is attached to every handler of the root logger, so the console, the file
and anything the UI adds all see the same scrubbed text, including tracebacks. Crash reports written
with :func:`write_crash_report` go through the same function.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from app.config import LogSettings
from app.domain.masking import mask_number
from app.private_files import private_file, private_folder

LOG_FILE_NAME = "settlement-window.log"
REDACTED_VALUE = "******"

# Field names whose values are secrets or personal data, whatever the value looks like.
SECRET_FIELDS = (
    "password",
    "passwd",
    "pwd",
    "token",
    "paastoken",
    "pass_token",
    "ectoken",
    "ec_token",
    "secret",
    "api_key",
    "private_key",
    "x-tif-signature",
    "signature",
    "authorization",
)
PERSONAL_FIELDS = (
    "certno",
    "cert_no",
    "mdtrt_cert_no",
    "id_number",
    "idno",
    "id_no",
    "psn_cert_no",
    "card_no",
    "card_sn",
    "psn_name",
    "username",
    "user_name",
    "diag_name",
    "tel",
    "phone",
)

_NOT_WORD_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_WORD_AFTER = r"(?![0-9A-Za-z])"
_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(_NOT_WORD_BEFORE + body + _NOT_WORD_AFTER)
    for body in (
        r"\d{6}ec[0-9A-Za-z]{8,}",  # e-voucher ecToken: division + "ec" + opaque part
        r"[0-9A-Za-z]{32}",  # card_sn (32 chars); also catches 32-char hex keys and hashes
        r"\d{17}[\dXx]",  # 18-character resident ID number
        r"[A-Za-z]\d{8}",  # social-security card number
    )
)
_FIELD_NAMES = "|".join(re.escape(name) for name in SECRET_FIELDS + PERSONAL_FIELDS)
# key=value, key: value, "key": "value", 'key': 'value' (value up to a delimiter).
_FIELD = re.compile(
    r"(?P<key>[\"']?(?<![0-9A-Za-z_-])(?:[0-9A-Za-z]+[_-]){0,3}(?:" + _FIELD_NAMES + r")"
    r"(?![0-9A-Za-z])[\"']?)"
    r"(?P<sep>\s*[:=]\s*)"
    r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;&}\])]+)",
    re.IGNORECASE,
)


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group('key')}{match.group('sep')}{quote}{REDACTED_VALUE}{quote}"


def redact(text: str) -> str:
    """Text with secrets and personal data removed: named fields blanked, numbers masked."""
    text = _FIELD.sub(_mask_value, text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: mask_number(m.group(0)), text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record in place so no handler can see the unredacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message, its arguments, the traceback and the stack; always keeps the record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (the first and each one after a rollover) is 0600."""

    def _open(self) -> io.TextIOWrapper:
        private_file(Path(self.baseFilename))
        return super()._open()


@dataclass
class LoggingHandle:
    """What :func:`setup_logging` installed, so it can be removed again (tests, shutdown)."""

    file_handler: logging.handlers.RotatingFileHandler
    redaction: RedactingFilter
    log_file: Path
    previous_level: int = logging.WARNING

    def protect(self, handler: logging.Handler) -> logging.Handler:
        """Add the redaction to a handler attached after set-up (e.g. a UI log view); returns it."""
        handler.addFilter(self.redaction)
        return handler

    def close(self) -> None:
        """Detach and close the file handler, remove the filter, restore the root level."""
        root = logging.getLogger()
        root.removeHandler(self.file_handler)
        self.file_handler.close()
        for handler in root.handlers:
            handler.removeFilter(self.redaction)
        root.setLevel(self.previous_level)


def setup_logging(data_dir: Path, settings: LogSettings | None = None) -> LoggingHandle:
    """Log to ``<data_dir>/logs/settlement-window.log`` (rotating) with redaction on every handler.

    Args:
        data_dir: the window's data folder.
        settings: level and rotation; defaults when not given.

    Returns:
        A handle whose ``close()`` undoes the set-up.
    """
    chosen = settings or LogSettings()
    log_dir = data_dir / "logs"
    private_folder(log_dir)
    log_file = log_dir / LOG_FILE_NAME
    handler = PrivateRotatingFileHandler(
        log_file, maxBytes=chosen.max_bytes, backupCount=chosen.backup_count, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    redaction = RedactingFilter()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(chosen.level)
    for each in root.handlers:
        each.addFilter(redaction)
    # http.client debug output would print headers (the token signature) to stdout.
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.level))
    return LoggingHandle(handler, redaction, log_file, previous_level)


def format_crash_report(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    """A redacted crash report: time, program version, Python and the traceback."""
    from app import __version__  # noqa: PLC0415  (avoid a cycle at import time)

    lines = [
        f"time: {datetime.now(UTC).isoformat()}",
        f"version: {__version__}",
        f"python: {sys.version.split()[0]} on {sys.platform}",
        "",
        *traceback.format_exception(exc_type, exc, tb),
    ]
    return redact("\n".join(line.rstrip("\n") for line in lines)) + "\n"


def write_crash_report(
    data_dir: Path,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Path:
    """Write a redacted crash report under ``<data_dir>/crash`` and return its path."""
    crash_dir = data_dir / "crash"
    private_folder(crash_dir)
    path = crash_dir / f"crash-{now().strftime('%Y%m%dT%H%M%S%fZ')}.txt"
    private_file(path)
    path.write_text(format_crash_report(exc_type, exc, tb), encoding="utf-8")
    return path
