"""The visit's diagnosis on the cashier tab (诊断, Alt+D): the code (医保版 ICD-10, checked for its
form as it is typed) and the name, for the general-outpatient group's 2203. A HIS visit's diagnosis
is shown here read-only; without a HIS the cashier types it or picks one of the common outpatient
diagnoses (``resources/diagnoses/common-outpatient.json``) by code or name."""

from __future__ import annotations

import json
from functools import cache

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.config.paths import resources_dir
from app.validation.diagnosis import MAX_NAME, normalized_diagnosis_code
from app.workers.backend import Diagnosis

# The form of app.validation.diagnosis, any case while typing (Qt accepts a prefix as intermediate).
CODE_PATTERN = r"^[A-Za-z][0-9]{2}\.[0-9xX][0-9]{2}([xX][0-9]{3})?$"
_SEPARATOR = "　"


@cache
def common_diagnoses() -> tuple[Diagnosis, ...]:
    """The common outpatient diagnoses offered as completions (empty if the file is missing)."""
    path = resources_dir() / "diagnoses" / "common-outpatient.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["diagnoses"]
    except (OSError, ValueError, KeyError):
        return ()
    return tuple(Diagnosis(str(row["code"]), str(row["name"])) for row in rows)


class DiagnosisField(QWidget):
    """Code and name of the visit's diagnosis, with completions from the common diagnoses.

    Attributes:
        code_edit, name_edit: the two entries (the label's buddy is the code: Alt+D).
        source_label: says the diagnosis came from the HIS visit (then both are read-only).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diagnosisField")
        self._from_his = False
        self._editable = True
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self.tr("&Diagnosis (general outpatient):"), self)
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("diagnosisCode")
        self.code_edit.setPlaceholderText(self.tr("ICD-10 code, e.g. J06.900"))
        self.code_edit.setValidator(QRegularExpressionValidator(CODE_PATTERN, self.code_edit))
        hint = self.code_edit.fontMetrics().horizontalAdvance(self.code_edit.placeholderText())
        self.code_edit.setMinimumWidth(hint + 16)  # the placeholder is read in full
        self.label.setBuddy(self.code_edit)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("diagnosisName")
        self.name_edit.setPlaceholderText(self.tr("Diagnosis name (type to pick a common one)"))
        self.name_edit.setMaxLength(MAX_NAME)
        self.source_label = QLabel(self.tr("(from the HIS visit)"), self)
        policy = self.source_label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # shown or hidden, the row keeps its layout
        self.source_label.setSizePolicy(policy)
        self.source_label.hide()
        choices = [f"{d.code}{_SEPARATOR}{d.name}" for d in common_diagnoses()]
        for edit in (self.code_edit, self.name_edit):
            completer = QCompleter(QStringListModel(choices, self), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.activated.connect(self._picked)
            edit.setCompleter(completer)
        self.code_edit.textEdited.connect(self._code_edited)
        layout.addWidget(self.label)
        layout.addWidget(self.code_edit)
        layout.addWidget(self.name_edit, 1)
        layout.addWidget(self.source_label)

    # ------------------------------------------------------------------ what the bill sends
    def diagnosis(self) -> Diagnosis | None:
        """The typed diagnosis (``None``: nothing typed, or the HIS visit's is shown)."""
        code, name = self.code_edit.text().strip(), self.name_edit.text().strip()
        if self._from_his or not (code or name):
            return None
        return Diagnosis(normalized_diagnosis_code(code), name)

    def show_his(self, diagnosis: Diagnosis) -> None:
        """The HIS visit's diagnosis: shown, not editable (the HIS owns it)."""
        self._from_his = True
        self.code_edit.setText(diagnosis.code)
        self.name_edit.setText(diagnosis.name)
        self.source_label.show()
        self._apply_editable()

    def clear(self) -> None:
        """Nobody's diagnosis: empty and editable again."""
        self._from_his = False
        for edit in (self.code_edit, self.name_edit):
            if edit.text():
                edit.clear()
        self.source_label.hide()
        self._apply_editable()

    def set_editable(self, editable: bool) -> None:
        """Editable while the bill is (and never when the HIS gave the diagnosis)."""
        self._editable = editable
        self._apply_editable()

    def focus(self) -> None:
        """Put the cursor in the code (after a refusal that names this field)."""
        target = self.name_edit if self.code_edit.hasAcceptableInput() else self.code_edit
        target.setFocus()
        target.selectAll()

    def _apply_editable(self) -> None:
        read_only = self._from_his or not self._editable
        for edit in (self.code_edit, self.name_edit):
            if edit.isReadOnly() != read_only:  # each change re-polishes the entry's style
                edit.setReadOnly(read_only)

    # ------------------------------------------------------------------ completions
    def _picked(self, text: str) -> None:
        code, _, name = text.partition(_SEPARATOR)
        # The completer writes its whole text into the entry after this signal: set ours after it.
        QTimer.singleShot(0, lambda: self._set_pair(code, name))

    def _set_pair(self, code: str, name: str) -> None:
        self.code_edit.setText(code)
        self.name_edit.setText(name)
        self.name_edit.setFocus()

    def _code_edited(self, text: str) -> None:
        """Typed in the catalogue's form as it goes (``j06.x`` → ``J06.x``); a known code typed in
        full fills in its name when none was typed."""
        code = normalized_diagnosis_code(text)
        if code != text:
            cursor = self.code_edit.cursorPosition()
            self.code_edit.setText(code)
            self.code_edit.setCursorPosition(cursor)
        if self.name_edit.text().strip():
            return
        known = next((d for d in common_diagnoses() if d.code == code), None)
        if known is not None:
            self.name_edit.setText(known.name)
