"""A receipt renderer that loads reportlab on its first receipt, not when the engine is built.

reportlab and its font machinery take ≈ 0.2 s to import; console commands that never print (most of
them: eligibility, journal, catalog …) build the same engine as the window and should not pay for it.
The window warms the real renderer up during its start-up anyway (app/main.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.receipt import EligibilitySlip, ReceiptData

if TYPE_CHECKING:
    from app.printing.receipt_pdf import ReportlabReceiptRenderer


class DeferredReceiptRenderer:
    """:class:`app.services.ports.devices.ReceiptRenderer` creating the reportlab one on first use."""

    def __init__(self, layout: str = "thermal80") -> None:
        """Remember the layout; nothing is imported yet."""
        self._layout = layout
        self._renderer: ReportlabReceiptRenderer | None = None

    def _real(self) -> ReportlabReceiptRenderer:
        if self._renderer is None:
            from app.printing.receipt_pdf import ReportlabReceiptRenderer  # noqa: PLC0415

            self._renderer = ReportlabReceiptRenderer(self._layout)
        return self._renderer

    def render(self, receipt: ReceiptData) -> bytes:
        """A PDF of one receipt."""
        return self._real().render(receipt)

    def render_slip(self, slip: EligibilitySlip) -> bytes:
        """A PDF of the registration desk's eligibility slip."""
        return self._real().render_slip(slip)
