"""What a tab or panel of the window is given: the backend, the in-flight guard, the message bridge
and the session — injected, never looked up (style.md: no global registry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.operator import Action, Operator
from app.errors import PermissionDenied
from app.ui.action_guard import ActionGuard
from app.ui.errors import MessageBridge, show_error
from app.ui.session import Session
from app.workers.backend import CashierBackend
from app.workers.pending_backend import BackendSlot


@dataclass(frozen=True)
class WindowContext:
    """Shared services of the window's parts.

    Attributes:
        slot: holds the typed use cases (``backend``; every call through ``guard.submit``).
        guard: the one in-flight guard.
        bridge: user-visible messages.
        session: who is logged in and what their role allows.
        platform_failure: how a platform failure is shown (maintenance notice included).
    """

    slot: BackendSlot
    guard: ActionGuard
    bridge: MessageBridge
    session: Session
    platform_failure: Callable[[BaseException], None]

    @property
    def backend(self) -> CashierBackend:
        """The use cases (refuses politely while the window is still starting)."""
        return self.slot.get()

    def guarded(self, action: Action) -> Operator | None:
        """The operator if their role allows ``action``; otherwise say why and return ``None``."""
        try:
            return self.session.require(action)
        except PermissionDenied as exc:
            show_error(self.bridge, exc)
            return None

    def show_error(self, exc: BaseException) -> None:
        """Show an exception through the bridge."""
        show_error(self.bridge, exc)
