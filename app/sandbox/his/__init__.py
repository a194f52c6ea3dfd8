"""The reference HIS: a small, fictional hospital information system beside the sandbox platform.

It holds unpaid visits for every demo person, applies settlement results idempotently (by their key),
and serves them through each adapter's contract: HTTP JSON (:mod:`.http`), database middle tables
(:mod:`.middle`) and a folder of files (:mod:`.folder`). Fault switches (down, slow, errors, lost
answers) make it a test bed for the outbox. For demo, training and tests only (虚构数据).
"""

from __future__ import annotations

from app.sandbox.his.state import Faults, ReferenceHis

__all__ = ["Faults", "ReferenceHis"]
