"""Root test configuration: offscreen Qt, the automatic ``gui`` marker, hypothesis profiles."""

from __future__ import annotations

import os

# Must happen before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=2000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "nightly", max_examples=20000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

_QT_FIXTURES = {"qtbot", "qapp", "qtmodeltester"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses Qt fixtures as ``gui`` so ``-m 'not gui'`` runs the pure suite; run
    the long ones first (see :func:`_long`)."""
    for item in items:
        if _QT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
    items.sort(key=lambda item: not _long(item))  # stable: otherwise in collection order


def _long(item: pytest.Item) -> bool:
    """Property tests (2,000 examples each under the ``ci`` profile) and campaigns (``slow``) take
    tens of seconds each. Started first, they are spread over the xdist workers while short tests
    fill the gaps; collected last (tests/unit holds most properties), one of them could keep one
    worker busy while the other has nothing left to do."""
    function = getattr(item, "obj", None)
    return (
        getattr(function, "is_hypothesis_test", False)
        or item.get_closest_marker("slow") is not None
    )


# Shared fixtures live in tests/helpers/, one module per area (owned by that area).
pytest_plugins = [
    "helpers.sandbox_fixtures",
    "helpers.store_fixtures",
    "helpers.device_fixtures",
    "helpers.engine_fixtures",
    "helpers.money_fixtures",
    "helpers.pg_fixtures",
    "helpers.hospital_windows",
]
