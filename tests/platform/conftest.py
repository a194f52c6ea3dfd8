"""Fixtures for the platform client: a real client against the sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flow_helpers import MsgidCounter, RecordingSleep

from app.config import Settings, settings_from_mapping
from app.domain.operator import Operator, Role
from app.platform.client import PlatformClient
from app.sandbox import SandboxServer, client_config
from app.services.ports.clock import SystemClock
from app.services.ports.platform import CallContext


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
