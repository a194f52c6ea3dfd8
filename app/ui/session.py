"""Who is at the window: log-in, lock, log-out and what the role allows.

A locked screen belongs to the operator who locked it: only that operator unlocks it, or a
supervisor, who thereby logs the first operator out (their unfinished screen is cleared; anything
already sent stays in the store and the journal). Anyone else is refused and the screen stays
locked. The window asks this object; it holds no widgets.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from app.domain.operator import Action, Operator, Role, allows
from app.errors import PermissionDenied


class Admission(StrEnum):
    """How a successful password check enters the window."""

    FRESH = "fresh"  # nobody was logged in
    UNLOCKED = "unlocked"  # the operator who locked the screen is back
    TAKEOVER = "takeover"  # a supervisor logs the locked-out operator out


class Session(QObject):
    """The logged-in operator, the one a locked screen belongs to, and role checks.

    Signals:
        changed(object): the operator now at the window, or ``None`` (locked or logged out).
    """

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._operator: Operator | None = None
        self._locked_by: Operator | None = None

    @property
    def operator(self) -> Operator | None:
        """Who is working now (``None`` while locked or logged out)."""
        return self._operator

    @property
    def locked_by(self) -> Operator | None:
        """Whose locked screen this is (``None`` unless locked)."""
        return self._locked_by

    def can(self, action: Action) -> bool:
        """Whether the operator at the window may do ``action``."""
        return self._operator is not None and allows(self._operator.role, action)

    def require(self, action: Action) -> Operator:
        """The operator, if their role allows ``action``.

        Raises:
            PermissionDenied: nobody is logged in, or the role may not.
        """
        operator = self._operator
        if operator is None:
            raise PermissionDenied("请先登录。", code="not_logged_in")
        if not allows(operator.role, action):
            raise PermissionDenied(
                f"“{operator.role.label}”岗位不能进行此操作。如需收费，请由收费员办理。",
                code="role_refused",
            )
        return operator

    def check_admission(self, operator: Operator) -> Admission:
        """Whether ``operator`` (password already checked) may take the window now.

        Raises:
            PermissionDenied: the screen is locked by someone else and ``operator`` is not a
                supervisor.
        """
        holder = self._locked_by
        if holder is None:
            return Admission.FRESH
        if holder.code == operator.code:
            return Admission.UNLOCKED
        if operator.role is Role.SUPERVISOR:
            return Admission.TAKEOVER
        raise PermissionDenied(
            f"屏幕已由{holder.name}（{holder.code}）锁定，只能由本人解锁，"
            f"或由收费主管登录（登录后{holder.name}将被注销）。",
            code="locked_by_other",
        )

    def admit(self, operator: Operator) -> Admission:
        """Let ``operator`` in (see :meth:`check_admission`)."""
        admission = self.check_admission(operator)
        self._operator = operator
        self._locked_by = None
        self.changed.emit(operator)
        return admission

    def lock(self) -> Operator | None:
        """Lock the screen for the operator at it; returns them (``None`` if nobody was in)."""
        operator = self._operator
        if operator is None:
            return None
        self._locked_by = operator
        self._operator = None
        self.changed.emit(None)
        return operator

    def log_out(self) -> None:
        """End the session: the next log-in starts afresh."""
        self._operator = None
        self._locked_by = None
        self.changed.emit(None)
