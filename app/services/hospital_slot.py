"""Hospital mode: this window's msgid slot (issue 13).

The windows of one hospital share its msgid space; each keeps to its own slot of 100 sequences, held
in the hospital database. The slot is kept in the local store once obtained, so later starts (also
offline ones) reuse it without asking the server. A window that never obtained one is marked: its
state-changing platform calls are refused (``JournaledCaller``) until it connects once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from app.errors import StoreError
from app.services.ports.clock import Clock
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

SlotClaim = Callable[[str, datetime], int]


def apply_msgid_slot(
    uow_factory: UnitOfWorkFactory, claim: SlotClaim, device_no: str, clock: Clock
) -> int | None:
    """This window's slot, applied to the local msgid counter; ``None`` if none could be obtained.

    Only a window without a stored slot reaches the server; an unreachable server leaves it without
    one (money calls refused) and the next start tries again.
    """
    with uow_factory() as uow:
        uow.msgids.require_window_slot()
        slot = uow.msgids.window_slot()
        uow.commit()
    if slot is not None:
        return slot
    try:
        slot = claim(device_no, clock.now())
    except StoreError as exc:
        log.warning("no msgid slot for window %s yet (%s)", device_no, exc.code)
        return None
    with uow_factory() as uow:
        uow.msgids.use_window_slot(slot)
        uow.commit()
    log.info("window %s uses msgid slot %d", device_no, slot)
    return slot
