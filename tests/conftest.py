"""Root test configuration: offscreen Qt, the automatic ``gui`` marker, hypothesis profiles."""

from __future__ import annotations

import os

# Must happen before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from helpers import durations
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
# A test missing from tests/durations.txt that is a property test or a campaign is guessed this long.
_GUESS_LONG_SECONDS = 5.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses Qt fixtures as ``gui`` so ``-m 'not gui'`` runs the pure suite; run
    the long ones first (see :func:`_expected_seconds`)."""
    for item in items:
        if _QT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
    known = durations.load()
    # stable: tests of equal expectation (most of them: 0) stay in collection order
    items.sort(key=lambda item: -_expected_seconds(item, known))


def _expected_seconds(item: pytest.Item, known: dict[str, float]) -> float:
    """How long ``item`` took last time (tests/durations.txt), else a guess. Started first, long
    tests are spread over the xdist workers while short tests fill the gaps; handed out last, one
    of them keeps one worker busy after the other has run out of tests. Property tests (2,000
    examples each under the ``ci`` profile) and campaigns (``slow``) not in the file yet are
    guessed long."""
    if item.nodeid in known:
        return known[item.nodeid]
    function = getattr(item, "obj", None)
    long = getattr(function, "is_hypothesis_test", False) or item.get_closest_marker("slow")
    return _GUESS_LONG_SECONDS if long else 0.0


# Shared fixtures live in tests/helpers/, one module per area (owned by that area).
pytest_plugins = [
    "helpers.sandbox_fixtures",
    "helpers.store_fixtures",
    "helpers.device_fixtures",
    "helpers.engine_fixtures",
    "helpers.money_fixtures",
    "helpers.pg_fixtures",
    "helpers.hospital_windows",
    "helpers.xdist_groups",
]
