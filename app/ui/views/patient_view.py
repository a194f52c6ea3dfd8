"""The patient panel: who, where insured, registration and qualifications — all in text.

Colour only repeats what the text already says (a colour-blind cashier, a monochrome screenshot and a
screen reader all get the same facts). The ID number is masked with the one masking rule.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain.hospital import HospitalProfile
from app.domain.masking import mask_number
from app.domain.person import InsuredPerson, QualificationState, RegistrationStatus
from app.domain.region import province_name
from app.ui.backend import Eligibility
from app.ui.format import LOCAL_ZONE, age_text, local_time, yuan


class PatientView(QWidget):
    """Shows one :class:`Eligibility`; layout and text only, no logic beyond formatting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientView")
        self._label = QLabel(self)
        self._label.setObjectName("patientText")
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._label)
        self.clear()

    def text(self) -> str:
        """The panel's text without markup (for tests and accessibility)."""
        return self._label.text()

    def plain_text(self) -> str:
        """The panel's content as plain text (eligibility slip, tests)."""
        document = QTextDocument()
        document.setHtml(self._label.text())
        return document.toPlainText()

    def clear(self) -> None:
        """No patient yet."""
        self._label.setText(
            "<p>"
            + escape(
                self.tr(
                    "No patient. Press F2 to read the card, scan the e-voucher, or type the ID number (F3)."
                )
            )
            + "</p>"
        )

    def show_hidden_cache(self, age: str) -> None:
        """The only answer is a cache older than the maximum age: say so, show nothing from it."""
        self._label.setText(
            "<p><b>"
            + escape(
                self.tr(
                    "The platform cannot be reached and the saved eligibility is too old ({age}) to be shown. Try again when the connection is back."
                ).format(age=age)
            )
            + "</b></p>"
        )

    def show_eligibility(
        self, eligibility: Eligibility, hospital: HospitalProfile, now: datetime
    ) -> None:
        """Render the patient, their insurance and qualifications."""
        person = eligibility.person
        today = now.astimezone(LOCAL_ZONE).date()
        parts = [self._header(person, today), self._insurance(person)]
        parts.append(self._registration(eligibility.registration))
        parts.append(self._qualifications(person, hospital, today))
        if eligibility.from_cache:
            parts.insert(
                0,
                "<p style='background:#fff3cd'><b>"
                + escape(
                    self.tr(
                        "OFFLINE — saved eligibility as of {time} ({age}); for reference only."
                    ).format(
                        time=local_time(eligibility.fetched_at),
                        age=age_text(eligibility.fetched_at, now),
                    )
                )
                + "</b></p>",
            )
        if eligibility.notice:
            parts.append("<p>" + escape(eligibility.notice) + "</p>")
        if eligibility.platform_text:
            parts.append(
                "<p><i>"
                + escape(self.tr("Platform said: “{text}”").format(text=eligibility.platform_text))
                + "</i></p>"
            )
        self._label.setText("".join(parts))

    def _header(self, person: InsuredPerson, today: date) -> str:
        age = person.age_on(today)
        age_part = (
            self.tr("{age} years").format(age=age) if age is not None else self.tr("age unknown")
        )
        return (
            f"<p style='font-size:16pt'><b>{escape(person.name)}</b>　"
            f"{escape(person.gender.label)}　{escape(age_part)}</p>"
            f"<p>{escape(self.tr('ID number'))}：{escape(mask_number(person.id_number))}</p>"
        )

    def _insurance(self, person: InsuredPerson) -> str:
        rows = []
        for entry in person.insurances:
            state = self.tr("normal") if entry.is_active else self.tr("not active — cannot settle")
            rows.append(
                f"<li>{escape(entry.type_name)}（{escape(state)}）　"
                f"{escape(self.tr('insured in'))} {escape(entry.insured_province)}　"
                f"{escape(self.tr('account balance'))} ¥{escape(yuan(entry.balance))}</li>"
            )
        if not rows:
            rows.append(f"<li>{escape(self.tr('No insurance returned by the platform.'))}</li>")
        return f"<p><b>{escape(self.tr('Insurance'))}</b></p><ul>{''.join(rows)}</ul>"

    def _registration(self, status: RegistrationStatus) -> str:
        text = {
            RegistrationStatus.CONFIRMED: self.tr("Cross-province registration: confirmed"),
            RegistrationStatus.MISSING: self.tr(
                "Cross-province registration: NOT registered — fees must be paid in full and claimed at home"
            ),
            RegistrationStatus.UNKNOWN: self.tr(
                "Cross-province registration: not yet known (confirmed when the visit is registered)"
            ),
        }[status]
        return f"<p>{escape(text)}</p>"

    def _qualifications(self, person: InsuredPerson, hospital: HospitalProfile, today: date) -> str:
        if not person.qualifications:
            return f"<p><b>{escape(self.tr('Chronic-disease qualifications'))}</b>：{escape(self.tr('none on record'))}</p>"
        rows = []
        for q in person.qualifications:
            validity = self.tr("valid {start} to {end}").format(
                start=q.valid_from.isoformat(),
                end=q.valid_to.isoformat() if q.valid_to else self.tr("open-ended"),
            )
            state = q.state_on(today)
            state_text = {
                QualificationState.VALID: self.tr("in force"),
                QualificationState.EXPIRED: self.tr("EXPIRED"),
                QualificationState.NOT_YET_VALID: self.tr("NOT YET VALID"),
            }[state]
            if q.disease is None:
                here = self.tr("not a national pilot disease — cannot be settled directly")
            elif hospital.has_opened(q.code):
                here = self.tr("opened at this hospital")
            else:
                here = self.tr("NOT opened at this hospital — full self-pay")
            rows.append(
                f"<li><b>{escape(q.name)}（{escape(q.code)}）</b>　{escape(validity)}，"
                f"{escape(state_text)}；{escape(here)}</li>"
            )
        title = escape(self.tr("Chronic-disease qualifications"))
        return f"<p><b>{title}</b></p><ul>{''.join(rows)}</ul>"


def insured_place(person: InsuredPerson) -> str:
    """Province name of the insured place, or "" when the platform returned no active row."""
    row = person.settlement_insurance()
    return province_name(row.insured_admdvs) if row else ""
