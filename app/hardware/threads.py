"""One thread per physical device (style.md §3.7; Electrum's ``runs_in_hwd_thread`` pattern).

Vendor libraries and serial ports are rarely thread-safe, so each adapter owns a :class:`DeviceThread`,
a single-worker executor. Public adapter methods hand their work to it with :meth:`DeviceThread.call`
and wait; the private methods that touch the device start with :meth:`DeviceThread.assert_on_thread`,
so a call from the wrong thread fails loudly in tests instead of corrupting the device state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class DeviceThread:
    """A named single-worker executor for one device."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._ident: int | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"device-{name}", initializer=self._remember
        )

    def _remember(self) -> None:
        self._ident = threading.get_ident()

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on the device thread and wait for its result (exceptions propagate)."""
        if self.on_thread():
            return fn(*args, **kwargs)
        return self._executor.submit(fn, *args, **kwargs).result()

    def on_thread(self) -> bool:
        """Whether the caller is this device's thread."""
        return self._ident is not None and threading.get_ident() == self._ident

    def assert_on_thread(self) -> None:
        """Fail if the caller is not this device's thread."""
        if not self.on_thread():
            raise AssertionError(f"device {self.name} used outside its own thread")

    def shutdown(self) -> None:
        """Finish queued work and stop the thread."""
        self._executor.shutdown(wait=True)
