"""The reference HIS: a small, fictional hospital information system beside the sandbox platform.

It holds unpaid visits for every demo person, applies settlement results idempotently (by their key),
and serves them through each adapter's contract: HTTP JSON (:mod:`.http`), database middle tables
(:mod:`.middle`) and a folder of files (:mod:`.folder`). Fault switches (down, slow, errors, lost
answers) make it a test bed for the outbox. For demo, training and tests only (虚构数据).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sandbox.his.state import Faults, ReferenceHis

if TYPE_CHECKING:
    from app.sandbox.his.http import HisHttpServer

__all__ = ["Faults", "ReferenceHis", "start_demo_his"]


def start_demo_his(port: int = 0) -> HisHttpServer:
    """The reference HIS with every demo visit unpaid, served over HTTP on loopback."""
    from app.sandbox.his.demo import demo_his  # noqa: PLC0415  (flask only when used)
    from app.sandbox.his.http import HisHttpServer  # noqa: PLC0415

    return HisHttpServer(demo_his(), port=port).start()
