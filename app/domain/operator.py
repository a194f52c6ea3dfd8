"""Operators (staff) and what each role may do (reliability.md §4.4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Staff roles."""

    CASHIER = "cashier"
    REGISTRATION = "registration"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        """Chinese name."""
        return {
            "cashier": "收费员",
            "registration": "挂号/导诊",
            "supervisor": "收费主管",
            "admin": "系统管理员",
            "auditor": "审计员",
        }[self.value]


class Action(StrEnum):
    """Actions checked against roles."""

    IDENTIFY = "identify"
    CHECK_ELIGIBILITY = "check_eligibility"
    PRINT_ELIGIBILITY_SLIP = "print_eligibility_slip"
    EDIT_BILL = "edit_bill"
    PRE_SETTLE = "pre_settle"
    SETTLE = "settle"
    COLLECT_SELF_PAY = "collect_self_pay"
    PRINT_RECEIPT = "print_receipt"
    COPY_RECEIPT = "copy_receipt"
    REISSUE_RECEIPT = "reissue_receipt"
    CANCEL_SETTLEMENT = "cancel_settlement"
    PARTIAL_REFUND = "partial_refund"
    REQUEST_CANCELLATION = "request_cancellation"
    REQUEST_PARTIAL_REFUND = "request_partial_refund"
    REQUEST_REISSUE = "request_reissue"
    VIEW_HISTORY = "view_history"
    VIEW_JOURNAL = "view_journal"
    RESOLVE_JOURNAL = "resolve_journal"
    HANDLE_CHARGE_CONFLICT = "handle_charge_conflict"
    DAY_CLOSE = "day_close"
    SYNC_CATALOGUE = "sync_catalogue"
    MANAGE_USERS = "manage_users"
    CONFIGURE = "configure"
    BACKUP = "backup"
    VIEW_AUDIT = "view_audit"
    EXPORT = "export"


_MONEY = frozenset(
    {Action.PRE_SETTLE, Action.SETTLE, Action.COLLECT_SELF_PAY, Action.EDIT_BILL,
     Action.PRINT_RECEIPT, Action.COPY_RECEIPT, Action.REQUEST_CANCELLATION,
     Action.REQUEST_PARTIAL_REFUND, Action.REQUEST_REISSUE}
)  # fmt: skip
_LOOKUP = frozenset({Action.IDENTIFY, Action.CHECK_ELIGIBILITY, Action.PRINT_ELIGIBILITY_SLIP})

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.REGISTRATION: _LOOKUP,
    Role.CASHIER: _LOOKUP | _MONEY | {Action.VIEW_HISTORY, Action.VIEW_JOURNAL},
    Role.SUPERVISOR: _LOOKUP
    | _MONEY
    | {
        Action.VIEW_HISTORY,
        Action.VIEW_JOURNAL,
        Action.RESOLVE_JOURNAL,
        Action.HANDLE_CHARGE_CONFLICT,
        Action.REISSUE_RECEIPT,
        Action.CANCEL_SETTLEMENT,
        Action.PARTIAL_REFUND,
        Action.DAY_CLOSE,
        Action.SYNC_CATALOGUE,
        Action.EXPORT,
    },
    Role.ADMIN: frozenset(
        {
            Action.MANAGE_USERS,
            Action.CONFIGURE,
            Action.BACKUP,
            Action.SYNC_CATALOGUE,
            Action.VIEW_JOURNAL,
        }
    ),
    Role.AUDITOR: frozenset(
        {Action.VIEW_AUDIT, Action.VIEW_HISTORY, Action.VIEW_JOURNAL, Action.EXPORT}
    ),
}

# Actions that need a supervisor's credential at the window even when a supervisor is logged in
# elsewhere (two-person rule for cancellations and reprints with a new number).
NEEDS_SUPERVISOR_AUTHORISATION = frozenset(
    {Action.CANCEL_SETTLEMENT, Action.PARTIAL_REFUND, Action.REISSUE_RECEIPT}
)

# Two rights per two-person action: the operator at the window must hold the right to *request* it,
# the supervisor who types their credential the right to *approve* it (issue #11 item 3).
REQUEST_RIGHT: dict[Action, Action] = {
    Action.CANCEL_SETTLEMENT: Action.REQUEST_CANCELLATION,
    Action.PARTIAL_REFUND: Action.REQUEST_PARTIAL_REFUND,
    Action.REISSUE_RECEIPT: Action.REQUEST_REISSUE,
}


def allows(role: Role, action: Action) -> bool:
    """Whether ``role`` may perform ``action``."""
    return action in PERMISSIONS[role]


@dataclass(frozen=True)
class Operator:
    """A logged-in member of staff; its code and name go into every platform envelope."""

    code: str
    name: str
    role: Role
