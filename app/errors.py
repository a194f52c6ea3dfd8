"""The error taxonomy shared by every layer.

Only ``app.ui`` and ``app.cli`` turn these into dialogs or console text. Every error carries a stable
``code`` (for logs, tests and translation tables) and ``text``: plain Simplified Chinese that says what
happened and what to do next, fit to be read out to a cashier. Text from the platform is never put into
``text`` unchecked; it is kept apart in ``platform_text`` and shown only as a quoted detail.

Services and the domain raise these with a :class:`~app.messages.Message` from the message catalogue
(``app/messages/``), never with words of their own: ``message`` keeps the template and its data so the
edge can show it in the window's language, and ``text`` is its Chinese rendering.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from app.messages import CHINESE, Message
from app.messages.errors import CANCELLED as _CANCELLED


class AppError(Exception):
    """Base of every error the program expects and knows how to explain."""

    code: str = "app_error"

    def __init__(
        self,
        text: str | Message,
        *,
        code: str | None = None,
        detail: Mapping[str, str] | None = None,
    ):
        self.message: Message | None = text if isinstance(text, Message) else None
        self.text = text.render(CHINESE) if isinstance(text, Message) else text
        super().__init__(self.text)
        if code is not None:
            self.code = code
        self.detail: dict[str, str] = dict(detail or {})

    def __str__(self) -> str:
        return self.text

    @property
    def words(self) -> Message | str:
        """What to quote inside another message: the catalogue message, or the text as written."""
        return self.message if self.message is not None else self.text

    def render(self, language: str = CHINESE) -> str:
        """The text in ``language`` (English where it came from the catalogue; otherwise as written)."""
        return self.message.render(language) if self.message is not None else self.text


class InputError(AppError):
    """Bad input the operator can correct (card data, scan, amount, quantity). Nothing was changed."""

    code = "input"


class ConfigError(AppError):
    """The configuration file is wrong; ``detail['key']`` names the key."""

    code = "config"


class PermissionDenied(AppError):
    """The logged-in operator's role does not allow this action."""

    code = "permission"


class SecondFactorNeeded(PermissionDenied):
    """The password was right and the account uses a one-time code: ask for it and try again."""

    code = "second_factor_needed"


class UserCancelled(AppError):
    """The operator backed out. Never shown."""

    code = "cancelled"

    def __init__(self) -> None:
        super().__init__(_CANCELLED())


class BillLocked(AppError):
    """A bill has an unresolved platform call; no new money action may start on it."""

    code = "bill_locked"


class RecoveryPending(AppError):
    """Unresolved journal rows block new settlements or the day close until recovery finishes."""

    code = "recovery_pending"


class StoreError(AppError):
    """The local database failed for a reason of the environment (disk full, read-only, locked)."""

    code = "store"


class DeviceError(AppError):
    """A card reader, scanner or printer is missing or failing."""

    code = "device"


class PlatformCategory(StrEnum):
    """Our own plain-language category of a platform refusal (interface.md Part B §3.12)."""

    NETWORK = "network"
    MAINTENANCE = "maintenance"
    SIGNATURE = "signature"
    PERSON = "person"
    REGISTRATION = "registration"
    QUALIFICATION = "qualification"
    CATALOGUE = "catalogue"
    AMOUNT = "amount"
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"
    ALREADY_UNDONE = "already_undone"
    BUSY = "busy"
    REQUEST = "request"
    IN_HOSPITAL = "in_hospital"
    LIMIT = "limit"
    OTHER = "other"


@dataclass(frozen=True)
class PlatformFailure:
    """What the platform said, kept apart from our own wording."""

    infno: str
    msgid: str | None = None
    platform_text: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


class PlatformError(AppError):
    """Base of the outcomes of a platform call that are not ``ok``."""

    code = "platform"

    def __init__(self, text: str | Message, failure: PlatformFailure, *, code: str | None = None):
        super().__init__(text, code=code)
        self.failure = failure


class PlatformRejected(PlatformError):
    """The platform answered and said no (``infcode`` ≠ 0). Nothing happened on the platform."""

    code = "platform_rejected"

    def __init__(self, text: str | Message, failure: PlatformFailure, category: PlatformCategory):
        super().__init__(text, failure)
        self.category = category


class PlatformMaintenance(PlatformRejected):
    """The platform is in maintenance (``err_msg`` starts with 系统停机维护). Nothing happened."""

    code = "platform_maintenance"

    def __init__(self, text: str | Message, failure: PlatformFailure):
        super().__init__(text, failure, PlatformCategory.MAINTENANCE)


class PlatformUnavailable(PlatformError):
    """The request provably never reached the platform (connection refused, DNS, TLS before send)."""

    code = "platform_unavailable"


class OutcomeUnknown(PlatformError):
    """The request was sent and no valid answer came back. It may or may not have taken effect."""

    code = "outcome_unknown"


class StateConflict(AppError):
    """Refused by the state of the record, not by the input: the request is well formed, but what it
    acts on is already (or still) in a state that does not allow it — a settlement already cancelled,
    a visit already settled, a conflict already handled, a row another window holds. Nothing was
    changed. Unlike :class:`InputError` the operator cannot fix it by correcting the command; the
    message says what the record's state is (who, when, where) and what to do (CLI exit code 3).
    """

    code = "state_conflict"


class ChargeAlreadySettled(StateConflict):
    """The visit's charges are settled, or being settled, under another bill. Nothing was sent.

    ``detail``: ``bill_id`` (the bill holding them), ``settlement_ids`` (comma-separated, empty while
    that bill is still in flight) and ``outpatient_no``.
    """

    code = "charge_already_settled"
