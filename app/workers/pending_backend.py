"""The window's backend while the start-up composition runs in the background.

The window is shown at once (so the cashier sees it and can start typing); the store, the platform
client and the devices are built on a worker. Until then, asking for the backend explains that the
window is still starting — never a crash, never a half-built engine. Typed: the window holds a
:class:`BackendSlot` and gets a :class:`~app.workers.backend.CashierBackend` from it.
"""

from __future__ import annotations

import threading

from app.errors import InputError
from app.messages import window as words
from app.workers.backend import CashierBackend


class BackendSlot:
    """Holds the real backend once :meth:`set` was called (thread-safe)."""

    def __init__(self, backend: CashierBackend | None = None) -> None:
        """Empty, or already holding ``backend``."""
        self._backend = backend
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Whether the real backend is in place."""
        with self._lock:
            return self._backend is not None

    def set(self, backend: CashierBackend) -> None:
        """Put the real backend in place."""
        with self._lock:
            self._backend = backend

    def get(self) -> CashierBackend:
        """The backend.

        Raises:
            InputError: the window is still starting.
        """
        with self._lock:
            backend = self._backend
        if backend is None:
            raise InputError(words.STARTING(), code="starting")
        return backend
