"""Test modules whose tests must share one xdist worker, because they share an expensive module fixture.

Under ``--dist loadgroup`` (tests/check.py), a module listed in :data:`ONE_WORKER_MODULES` is one unit
of work: all its tests go to one worker, which builds the fixture once. Any other test is a unit of its
own, handed out one at a time in collection order (longest first, see tests/conftest.py), which is
what ``--dist load`` does with less of a queue at the end.

Why not ``@pytest.mark.xdist_group``: with pytest 9.2 the mark has no effect (xdist 3.8 tags a grouped
test by rewriting its node id, which pytest 9.2 no longer reads back; pytest-xdist issue #1386), so the
two bundle tests were built on both workers, about 35 s of CPU each time. Grouping by module here
needs nothing from the worker: the controller sees the node ids only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from xdist.remote import Producer

ONE_WORKER_MODULES = frozenset(
    {
        # the PyInstaller build (module fixture ``bundle``): 50 s and 35 s of CPU per build
        "tests/packaging/test_bundle.py",
    }
)


def work_unit(nodeid: str) -> str:
    """The unit of work ``nodeid`` belongs to: its module when listed, else the test itself."""
    module = nodeid.split("::", 1)[0]
    return module if module in ONE_WORKER_MODULES else nodeid


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Any:
    """``--dist loadgroup``: xdist's own scheduler, grouping by :func:`work_unit` as well."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling  # noqa: PLC0415 - only under xdist

    class ModuleGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            unit = work_unit(nodeid)
            return unit if unit != nodeid else super()._split_scope(nodeid)

    return ModuleGroupScheduling(config, log)
