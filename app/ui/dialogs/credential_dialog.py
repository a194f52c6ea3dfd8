"""Operator code + password: for login, unlocking, and a supervisor's authorisation."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class CredentialAnswer:
    """What was typed."""

    code: str
    password: str


class CredentialDialog(QDialog):
    """Asks for an operator code and password."""

    def __init__(
        self, title: str, prompt: str, code: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("credentialDialog")
        self.code_edit = QLineEdit(code, self)
        self.code_edit.setObjectName("codeEdit")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Operator code"), self.code_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt, self))
        layout.addLayout(form)
        layout.addWidget(buttons)
        (self.password_edit if code else self.code_edit).setFocus()

    @classmethod
    def ask(
        cls, parent: QWidget | None, title: str, prompt: str, code: str = ""
    ) -> CredentialAnswer | None:
        """Show the dialog; ``None`` when cancelled."""
        dialog = cls(title, prompt, code, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return CredentialAnswer(dialog.code_edit.text().strip(), dialog.password_edit.text())
