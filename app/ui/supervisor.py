"""The one way the window asks for a supervisor's authorisation (two-person rule).

Cancel, partial refund, reissue, retrying an escalated reversal and a day close at a cashier's window
all ask the same way: the supervisor types their own code and password; when the service answers
that the account uses an authenticator, the dialog comes back with the code field and the action is
retried (nothing was done yet). The services check the credential and the roles, not this module.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from app.errors import SecondFactorNeeded
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog


def ask_one_time_code(
    parent: QWidget, title: str, code: str, password: str
) -> CredentialAnswer | None:
    """The credential dialog again, with the one-time code field shown and focused."""
    return CredentialDialog.ask(
        parent,
        title,
        QCoreApplication.translate(
            "Supervisor",
            "This account uses an authenticator app. Type the 6-digit code it shows now.",
        ),
        code,
        password=password,
        with_otp=True,
    )


def with_supervisor(
    parent: QWidget,
    prompt: str,
    start: Callable[[CredentialAnswer], object],
) -> None:
    """Ask a supervisor for their credential, then ``start(answer)``; nothing if they cancel."""
    answer = CredentialDialog.ask(
        parent, QCoreApplication.translate("Supervisor", "Supervisor authorisation"), prompt
    )
    if answer is not None:
        start(answer)


def on_failure(
    parent: QWidget,
    answer: CredentialAnswer,
    retry: Callable[[CredentialAnswer], object],
    otherwise: Callable[[BaseException], object],
) -> Callable[[BaseException], None]:
    """The failure handler of an authorised action: ask for the one-time code and ``retry`` when
    the service asked for it, else ``otherwise(exc)``."""

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, SecondFactorNeeded):
            otherwise(exc)
            return
        again = ask_one_time_code(
            parent,
            QCoreApplication.translate("Supervisor", "Supervisor authorisation"),
            answer.code,
            answer.password,
        )
        if again is not None:
            retry(again)

    return failed
