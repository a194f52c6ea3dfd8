"""Fixtures for the platform client: a real client against the sandbox over loopback HTTP."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from app.config import Settings, settings_from_mapping
from app.domain.operator import Operator, Role
from app.platform.client import PlatformClient
from app.platform.envelope import format_msgid
from app.sandbox import SandboxServer, client_config
from app.services.ports.clock import SystemClock
from app.services.ports.platform import CallContext


class MsgidCounter:
    """Stands in for the store's persisted counter: unique within the test session."""

    _numbers = itertools.count(1)
    _lock = threading.Lock()

    def __init__(self, institution: str) -> None:
        self.institution = institution
        self.issued: list[str] = []

    def __call__(self) -> str:
        with self._lock:
            number = next(self._numbers)
        msgid = format_msgid(self.institution, datetime.now(UTC), number % 10000)
        self.issued.append(msgid)
        return msgid


class RecordingSleep:
    """Records back-off delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def cashier() -> Operator:
    """A cashier whose code and name go into every envelope."""
    return Operator(code="C0001", name="测试收费员", role=Role.CASHIER)


@pytest.fixture
def sandbox_settings(sandbox: SandboxServer) -> Settings:
    """Client settings pointing at the reset sandbox, with short timeouts."""
    config: dict[str, Any] = client_config(sandbox)
    config["platform"]["connect_timeout"] = 2.0
    config["platform"]["read_timeout"] = 2.0
    return settings_from_mapping(config)


@pytest.fixture
def msgids(sandbox_settings: Settings) -> MsgidCounter:
    """The msgid source for the client and for state-changing calls in tests."""
    return MsgidCounter(sandbox_settings.hospital.code)


@pytest.fixture
def sleeps() -> RecordingSleep:
    """Back-off delays the client asked for."""
    return RecordingSleep()


@pytest.fixture
def make_client(
    sandbox_settings: Settings, msgids: MsgidCounter, sleeps: RecordingSleep
) -> Iterator[Callable[..., PlatformClient]]:
    """Build clients (closed after the test); keyword arguments override the settings' platform."""
    made: list[PlatformClient] = []

    def build(settings: Settings | None = None, **overrides: Any) -> PlatformClient:
        chosen = settings or sandbox_settings
        client = PlatformClient(
            chosen.platform,
            chosen.hospital,
            chosen.window,
            msgids,
            SystemClock(),
            sleep=sleeps,
            backoff_seconds=0.01,
            **overrides,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., PlatformClient]) -> PlatformClient:
    """A client against the reset sandbox."""
    return make_client()


@pytest.fixture
def ctx(cashier: Operator) -> CallContext:
    """A call context without an insured place (1101)."""
    return CallContext(operator=cashier)
