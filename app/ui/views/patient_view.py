"""The patient panel: who, where insured, registration and qualifications — all in text.

Colour only repeats what the text already says (a colour-blind cashier, a monochrome screenshot and a
screen reader all get the same facts). The ID number is masked with the one masking rule.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.domain.masking import mask_number
from app.domain.person import InsuredPerson, QualificationState
from app.ui.format import LOCAL_ZONE, age_text, local_time, screen_text, yuan

if TYPE_CHECKING:
    from app.services.eligibility import EligibilityView


class PatientView(QWidget):
    """Shows one :class:`Eligibility`; layout and text only, no logic beyond formatting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientView")
        # A long answer (offline, several qualifications) scrolls instead of being cut at 1366×768.
        scroll = QScrollArea(self)
        scroll.setObjectName("patientScroll")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._label = QLabel(scroll)
        self._label.setObjectName("patientText")
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll.setWidget(self._label)
        # The panel's own background shows through, as before the scroll area.
        scroll.setStyleSheet(
            "#patientScroll, #patientScroll > #qt_scrollarea_viewport, #patientText"
            " { background: transparent; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
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

    def show_eligibility(self, view: EligibilityView, now: datetime) -> None:
        """Render the patient, their insurance and qualifications."""
        person = view.person
        today = now.astimezone(LOCAL_ZONE).date()
        parts = [
            self._header(person, today),
            self._place(view),
            self._insurance(person),
            self._registration(view),
            self._qualifications(view),
        ]
        if view.from_cache:
            banner = self.tr(
                "OFFLINE — saved eligibility as of {time} ({age}); for reference only."
            ).format(time=local_time(view.fetched_at), age=age_text(view.fetched_at, now))
            parts.insert(0, f"<p style='background:#fff3cd'><b>{escape(banner)}</b></p>")
        if view.notice:
            parts.append(f"<p>{escape(view.notice)}</p>")
        self._label.setText("".join(parts))

    def _header(self, person: InsuredPerson, today: date) -> str:
        age = person.age_on(today)
        age_part = (
            self.tr("{age} years").format(age=age) if age is not None else self.tr("age unknown")
        )
        id_label = self.tr("ID number")
        shown = screen_text(person.name)
        note = ""
        if shown != person.name:  # the receipt's placeholder, explained as on the receipt
            note = (
                "<p style='font-size:9pt'>"
                + escape(
                    self.tr(
                        "〔U+xxxx〕 marks a rare character this computer's font cannot show; "
                        "the brackets hold its Unicode number."
                    )
                )
                + "</p>"
            )
        return (
            f"<p style='font-size:16pt'><b>{escape(shown)}</b>　"
            f"{escape(person.gender.label)}　{escape(age_part)}</p>{note}"
            "<p>"
            + self.tr("{label}: {value}").format(
                label=escape(id_label), value=escape(mask_number(person.id_number))
            )
            + "</p>"
        )

    def _place(self, view: EligibilityView) -> str:
        place = view.insured_province or self.tr("unknown")
        scope = (
            self.tr("cross-province patient")
            if view.cross_province
            else self.tr("NOT cross-province — use the local insurance procedure")
        )
        label = self.tr("Insured place")
        text = self.tr("{label}: {place} ({scope})").format(
            label=escape(label), place=f"<b>{escape(place)}</b>", scope=escape(scope)
        )
        return f"<p>{text}</p>"

    def _insurance(self, person: InsuredPerson) -> str:
        rows = []
        balance_label = self.tr("account balance")
        for entry in person.insurances:
            state = self.tr("normal") if entry.is_active else self.tr("not active — cannot settle")
            rows.append(
                "<li>"
                + self.tr("{insurance} ({state})").format(
                    insurance=escape(entry.type_name), state=escape(state)
                )
                + "　"
                + f"{escape(balance_label)} ¥{escape(yuan(entry.balance))}</li>"
            )
        if not rows:
            nothing = self.tr("No insurance returned by the platform.")
            rows.append(f"<li>{escape(nothing)}</li>")
        title = self.tr("Insurance")
        return f"<p><b>{escape(title)}</b></p><ul>{''.join(rows)}</ul>"

    def _registration(self, view: EligibilityView) -> str:
        if not view.cross_province:
            return ""
        text = self.tr(
            "Cross-province registration: checked by the platform when the visit is registered; without it the fees are paid in full and claimed at home."
        )
        return f"<p>{escape(text)}</p>"

    def _qualifications(self, view: EligibilityView) -> str:
        title = escape(self.tr("Chronic-disease qualifications"))
        if not view.qualifications:
            none = escape(self.tr("none on record"))
            text = self.tr("{label}: {value}").format(label=f"<b>{title}</b>", value=none)
            return f"<p>{text}</p>"
        rows = []
        for q in view.qualifications:
            validity = self.tr("valid {start} to {end}").format(
                start=q.valid_from.isoformat(),
                end=q.valid_to.isoformat() if q.valid_to else self.tr("open-ended"),
            )
            state_text = {
                QualificationState.VALID: self.tr("in force"),
                QualificationState.EXPIRED: self.tr("EXPIRED"),
                QualificationState.NOT_YET_VALID: self.tr("NOT YET VALID"),
            }[q.state]
            if not q.pilot:
                here = self.tr("not a national pilot disease — cannot be settled directly")
            elif q.opened_here:
                here = self.tr("opened at this hospital")
            else:
                here = self.tr("NOT opened at this hospital — full self-pay")
            judged = self.tr("{validity}, {state}; {here}").format(
                validity=escape(validity), state=escape(state_text), here=escape(here)
            )
            rows.append(f"<li><b>{escape(q.name)}（{escape(q.code)}）</b>　{judged}</li>")
        return f"<p><b>{title}</b></p><ul>{''.join(rows)}</ul>"
