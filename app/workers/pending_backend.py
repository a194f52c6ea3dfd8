"""A stand-in for the backend while the window's start-up composition runs in the background.

The window is shown at once (so the cashier sees it and can start typing); the store, the platform
client and the devices are built on a worker. Until then, every call explains that the window is
still starting — never a crash, never a half-built engine.
"""

from __future__ import annotations

import threading
from typing import Any

from app.errors import InputError


class PendingBackend:
    """Forwards every attribute to the real backend once :meth:`set_target` was called."""

    def __init__(self) -> None:
        self._target: object | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Whether the real backend is in place."""
        with self._lock:
            return self._target is not None

    def set_target(self, target: object) -> None:
        """Put the real backend in place."""
        with self._lock:
            self._target = target

    def __getattr__(self, name: str) -> Any:
        with self._lock:
            target = self._target
        if target is None:
            raise InputError("收费窗口正在启动，请稍候几秒再操作。", code="starting")
        return getattr(target, name)
