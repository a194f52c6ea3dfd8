"""Yes/no confirmation with a summary (settle, cancel, day close)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class ConfirmDialog:
    """A question with a summary text."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str) -> bool:
        """``True`` when the operator confirmed (Enter), ``False`` on Esc/No."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            parent,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        return box.exec() == QMessageBox.StandardButton.Yes


class InfoDialog:
    """A result to read (day-close reconciliation, receipt paths)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str) -> None:
        """Show the text until the operator closes it."""
        QMessageBox.information(parent, title, text)
