"""Operator code + password (+ one-time code): for login, unlocking, and a supervisor's authorisation.

The one-time code row is shown only when it is needed: the service says so after a right password
(:class:`app.errors.SecondFactorNeeded`), and the window asks again with the code and password kept
and the cursor in the code field.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

OTP_PATTERN = r"^\d{0,6}$"


@dataclass(frozen=True)
class CredentialAnswer:
    """What was typed (``otp`` is empty unless the code field was shown)."""

    code: str
    password: str
    otp: str = ""


class CredentialDialog(QDialog):
    """Asks for an operator code and password, and the one-time code when ``with_otp``."""

    def __init__(
        self,
        title: str,
        prompt: str,
        code: str = "",
        parent: QWidget | None = None,
        *,
        password: str = "",
        with_otp: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("credentialDialog")
        self.with_otp = with_otp
        self.code_edit = QLineEdit(code, self)
        self.code_edit.setObjectName("codeEdit")
        self.password_edit = QLineEdit(password, self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.otp_edit = QLineEdit(self)
        self.otp_edit.setObjectName("otpEdit")
        self.otp_edit.setMaxLength(6)
        self.otp_edit.setValidator(QRegularExpressionValidator(OTP_PATTERN, self.otp_edit))
        self.otp_edit.setPlaceholderText(self.tr("6 digits from the authenticator app"))
        form = QFormLayout()
        form.addRow(self.tr("Operator code"), self.code_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        form.addRow(self.tr("One-time code"), self.otp_edit)
        form.setRowVisible(self.otp_edit, with_otp)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        label = QLabel(prompt, self)
        label.setObjectName("credentialPrompt")
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(buttons)
        if with_otp:
            self.otp_edit.setFocus()
        else:
            (self.password_edit if code else self.code_edit).setFocus()

    def answer(self) -> CredentialAnswer:
        """What is typed now (the code field only counts when it is shown)."""
        otp = self.otp_edit.text().strip() if self.with_otp else ""
        return CredentialAnswer(self.code_edit.text().strip(), self.password_edit.text(), otp)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        title: str,
        prompt: str,
        code: str = "",
        *,
        password: str = "",
        with_otp: bool = False,
    ) -> CredentialAnswer | None:
        """Show the dialog; ``None`` when cancelled."""
        dialog = cls(title, prompt, code, parent, password=password, with_otp=with_otp)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()
