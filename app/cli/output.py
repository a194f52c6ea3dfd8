"""Console output: readable Chinese for people, ``--json`` for machines, and the exit codes.

Exit codes (docs/cli.md): 0 ok; 1 a bug or local failure; 2 usage, configuration or input; 3 refused
(by the platform, by a rule, by the state of the record or for lack of permission); 4 platform
unavailable, offline or in maintenance; 5 outcome unknown or recovery pending (do not charge again).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO

from app.errors import (
    AppError,
    BillLocked,
    ConfigError,
    InputError,
    OutcomeUnknown,
    PermissionDenied,
    PlatformFailure,
    PlatformMaintenance,
    PlatformRejected,
    PlatformUnavailable,
    RecoveryPending,
    StateConflict,
    UserCancelled,
)
from app.messages import CHINESE, ENGLISH
from app.messages import console_errors as errors

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_UNAVAILABLE = 4
EXIT_UNKNOWN = 5


def exit_code_for(exc: AppError) -> int:
    """The documented exit code of an expected failure."""
    if isinstance(exc, OutcomeUnknown | RecoveryPending | BillLocked):
        return EXIT_UNKNOWN
    if isinstance(exc, PlatformUnavailable | PlatformMaintenance):
        return EXIT_UNAVAILABLE
    if exc.code == "hospital_unreachable":  # nothing sent; try again when the server is back
        return EXIT_UNAVAILABLE
    if isinstance(exc, PlatformRejected | PermissionDenied | UserCancelled | StateConflict):
        return EXIT_REJECTED
    if isinstance(exc, ConfigError | InputError):
        return EXIT_USAGE
    return EXIT_BUG


def platform_words(exc: AppError) -> str:
    """What the platform itself said (its ``err_msg``), when the error came from the platform."""
    failure = getattr(exc, "failure", None)
    return failure.platform_text if isinstance(failure, PlatformFailure) else ""


def platform_detail(exc: AppError) -> dict[str, str]:
    """The error's detail for ``--json``: its own fields and, for a platform failure, the
    transaction, the message id and the platform's ``err_msg`` word for word."""
    detail = dict(exc.detail)
    failure = getattr(exc, "failure", None)
    if isinstance(failure, PlatformFailure):
        detail.update({str(k): str(v) for k, v in failure.extra.items()})
        detail["infno"] = failure.infno
        if failure.msgid:
            detail["msgid"] = failure.msgid
        if failure.platform_text:
            detail["err_msg"] = failure.platform_text
    return detail


def to_jsonable(value: Any) -> Any:
    """Dataclasses, Decimals (as exact strings), dates, enums and tuples as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


class Output:
    """Writes results and errors in the chosen mode."""

    def __init__(
        self,
        *,
        json_mode: bool,
        out: TextIO | None = None,
        err: TextIO | None = None,
        language: str = CHINESE,
    ):
        """``json_mode`` prints one JSON document per command on stdout; ``language`` (``[ui]
        language``) words the errors people read (JSON keeps the Chinese text)."""
        self.json_mode = json_mode
        self.language = language
        self._out = out or sys.stdout
        self._err = err or sys.stderr

    def result(self, data: Mapping[str, Any], text: str, *, ok: bool = True) -> None:
        """The command's result: ``data`` as JSON, or ``text`` for people. ``ok=False`` marks a
        result that is shown although the command did not fully succeed (e.g. cached)."""
        if self.json_mode:
            document = {"ok": ok, **{k: to_jsonable(v) for k, v in data.items()}}
            self._out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        else:
            self._out.write(text.rstrip("\n") + "\n")
        self._out.flush()

    def note(self, text: str) -> None:
        """A side remark for people (stderr, so JSON on stdout stays clean)."""
        self._err.write(text + "\n")
        self._err.flush()

    def error(self, exc: AppError, *, exit_code: int | None = None) -> int:
        """Report an expected failure; returns its exit code (``exit_code`` overrides the usual
        one, for the admin commands whose refusals are documented as 2)."""
        code = exit_code_for(exc) if exit_code is None else exit_code
        if self.json_mode:
            document = {
                "ok": False,
                "exit_code": code,
                "error": exc.code,
                "message": exc.text,
                "detail": platform_detail(exc),
            }
            self._out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            self._out.flush()
        else:
            english = self.language == ENGLISH
            self._err.write(("Error: " if english else "错误：") + exc.render(self.language) + "\n")
            words = platform_words(exc)
            if words and words not in exc.text:
                said = f"The platform said: “{words}”" if english else f"平台提示：“{words}”"
                self._err.write(said + "\n")
            self._err.flush()
        return code

    def internal_error(self) -> int:
        """Report an unexpected failure (already logged with its traceback); returns 1."""
        message = errors.INTERNAL()
        text = message.render(CHINESE)
        if self.json_mode:
            document = {
                "ok": False,
                "exit_code": EXIT_BUG,
                "error": "internal",
                "message": text,
                "detail": {},
            }
            self._out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            self._out.flush()
        else:
            self.note(message.render(self.language))
        return EXIT_BUG
