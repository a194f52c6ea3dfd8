"""Named crash points (FoundationDB's BUGGIFY idea, reliability.md §5.3), for kill/restart tests only.

The environment variable ``SW_CRASH_AT`` names one point, optionally with the hit on which to die:
``SW_CRASH_AT=response:2207`` dies the first time a 2207 answer has come back and not yet been journaled;
``SW_CRASH_AT=response:2207@3`` dies on the third such moment. When the variable is unset (always, in
production) :func:`crash_point` only compares a string and returns.

Dying uses :func:`os._exit`, so no ``finally`` block, no SQLite rollback and no buffered write runs: the
closest a Python process gets to a power cut or ``SIGKILL`` at exactly that line.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

ENV_VAR = "SW_CRASH_AT"
CRASH_EXIT_CODE = 86

# Every point the code calls, in the order a settlement meets them. Kill tests iterate over this list.
CRASH_POINTS: tuple[str, ...] = (
    "msgid_allocated",  # inside the PREPARED transaction, before its commit
    "prepared:2201",  # PREPARED committed, request not yet sent
    "response:2201",  # 2201 answered, answer not yet journaled
    "outcome:2201",  # inside the transaction that journals 2201 OK together with 2203 PREPARED
    "prepared:2203",  # 2201 OK and 2203 PREPARED committed together, 2203 not yet sent
    "prepared:2204",  # 2203 OK and 2204 PREPARED committed together, 2204 not yet sent
    "response:2204",
    "response:2206",  # 2206 answered, preview not stored (it goes with 2207's PREPARED row)
    "prepared:2207",
    "response:2207",  # money moved on the platform, our journal still says PREPARED
    "outcome:2207",  # inside the transaction that journals OK and stores the settlement
    "settlement_stored",  # settlement committed, the caller has not seen it yet
    "prepared:2601",  # recovery: reversal journaled, not sent
    "response:2601",  # recovery: reversal answered, not journaled
    "reversal_recorded",  # recovery: reversal journaled, registration not yet withdrawn
    "response:2208",  # cancellation answered, not journaled
    "cancelled_stored",  # cancellation committed, registration not yet withdrawn
    "response:2202",  # clean-up answered, not journaled
    "day_close:statement",  # day close: 3201 answered, result not stored
)

_lock = threading.Lock()
_hits: dict[str, int] = {}


def _target() -> tuple[str, int] | None:
    spec = os.environ.get(ENV_VAR, "")
    if not spec:
        return None
    name, _, nth = spec.partition("@")
    return name, int(nth) if nth.isdigit() else 1


def crash_point(name: str) -> None:
    """Die here if ``SW_CRASH_AT`` names this point (and this is the chosen hit); else do nothing."""
    target = _target()
    if target is None or target[0] != name:
        return
    with _lock:
        _hits[name] = _hits.get(name, 0) + 1
        hit = _hits[name]
    if hit == target[1]:
        log.warning("crash point %s reached (hit %d): exiting for a kill test", name, hit)
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(CRASH_EXIT_CODE)
