"""Settling a visit: plan → per group 2201 → 2203 → 2204 → 2206 preview → confirm → 2207.

Groups are independent: each has its own registration, batch and settlement, and one group's failure
leaves the others settled. Every state-changing call goes through :class:`JournaledCaller` (journal
first, send once). A 2207 result is stored in the same transaction as its journal ``OK`` row; its
differences from the 2206 preview are recorded on the group and shown. The full-self-pay group is
recorded locally without any platform call (convention: ``ZF`` + local number). A 2201 refused with
未备案 turns the person's direct groups into full self-pay with the reason.

An unknown outcome is never retried: it is handed to recovery at once (one attempt), and if that does
not settle it the bill stays locked until recovery does.

Modules:

* :mod:`.results` — what is shown and stored: :class:`GroupResult`, :class:`BillResult`,
  :func:`new_bill`, the planned groups, :func:`status_of`;
* :mod:`.requests` — the platform requests of a group (pure);
* :mod:`.steps` — one group's platform steps (2201 → 2206, and 2207);
* :mod:`.failures` — a failed step: recovery at once, clean-up (2205/2202), 未备案 → self-pay;
* :mod:`.bills` — bills read back, with a bounded cache of their contents;
* :mod:`.service` — :class:`SettlementService`, the public API;
* :mod:`.hooks` — what is handed in from outside (recovery, the HIS re-check, the confirmation).
"""

from app.services.settlement.hooks import ChargeCheck, ConfirmCallback, RecoveryHook
from app.services.settlement.requests import split_totals
from app.services.settlement.results import (
    SELF_PAY_KEY,
    SELF_PAY_PREFIX,
    BillResult,
    GroupResult,
    new_bill,
    status_of,
)
from app.services.settlement.service import SettlementService

__all__ = [
    "SELF_PAY_KEY",
    "SELF_PAY_PREFIX",
    "BillResult",
    "ChargeCheck",
    "ConfirmCallback",
    "GroupResult",
    "RecoveryHook",
    "SettlementService",
    "new_bill",
    "split_totals",
    "status_of",
]
