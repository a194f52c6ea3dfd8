"""What the window's parts share about the desk right now: the patient on screen, the platform as
last seen, and whether the start-up recovery has run. One plain object, owned by the window and
handed to each part (no globals, no signals: the window refreshes the controls after a change)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Settings
    from app.services.eligibility import EligibilityView
    from app.workers.backend import Connection


@dataclass
class DeskState:
    """The desk's shared state.

    Attributes:
        settings: the window's settings (replaced once the background start-up knows them).
        eligibility: the identified patient's answer (``None``: nobody, or the copy was too old).
        connection: the platform as last checked (``None`` before the first check).
        startup_recovery_done: unknown outcomes left by an earlier run have been examined.
    """

    settings: Settings
    eligibility: EligibilityView | None = None
    connection: Connection | None = None
    startup_recovery_done: bool = False

    @property
    def online(self) -> bool:
        """The platform was reachable at the last check and is not in maintenance."""
        return (
            self.connection is not None
            and self.connection.online
            and not self.connection.maintenance_text
        )
