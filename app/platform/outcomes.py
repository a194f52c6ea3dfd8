"""Turning what happened on the wire into the error taxonomy of :mod:`app.errors`, in plain Chinese.

The platform's ``err_msg`` is free text (interface.md B §3.12). We keep it, sanitised, in
``PlatformFailure.platform_text`` and say in our own words what it means and what to do.
"""

from __future__ import annotations

from datetime import datetime

from app.errors import (
    OutcomeUnknown,
    PlatformCategory,
    PlatformFailure,
    PlatformMaintenance,
    PlatformRejected,
    PlatformUnavailable,
)
from app.messages import Message
from app.messages import platform as words
from app.platform.codec import sanitise
from app.platform.refusals import JournalMeaning, refusal_for

MAINTENANCE_PREFIX = "系统停机维护"
SKEW_LIMIT_SECONDS = 300
# Above this the clock is named as the likely cause even when the platform does not say so.
SKEW_WARNING_SECONDS = 60


def transaction_name(infno: str) -> str:
    """Chinese name of a transaction, for messages."""
    return str(_name(infno))


def _name(infno: str) -> Message:
    template = words.TRANSACTIONS.get(infno)
    return template() if template is not None else words.TRANSACTION(infno=infno)


def classify(err_msg: str) -> PlatformCategory:
    """Our category for a refusal text, by its meaning (the table in ``refusals.toml``)."""
    if err_msg.startswith(MAINTENANCE_PREFIX):
        return PlatformCategory.MAINTENANCE
    return refusal_for(err_msg).category


def reversal_meaning(err_msg: str, reversed_infno: str | None = None) -> JournalMeaning:
    """What a refused 2601 of ``reversed_infno`` means for the journal (A §7).

    Nothing to undo, retry, or escalate; a text that means "nothing to undo" only for some reversed
    transactions escalates when the reversed one is not known.
    """
    if err_msg.startswith(MAINTENANCE_PREFIX):
        return JournalMeaning.RETRY
    return refusal_for(err_msg).journal_for(reversed_infno)


def rejected(
    infno: str, msgid: str | None, err_msg: str, *, reversed_infno: str | None = None
) -> PlatformRejected:
    """``infcode`` ≠ 0: maintenance notice or a categorised refusal (for 2601: of ``reversed_infno``)."""
    platform_text = sanitise(err_msg)
    extra = (
        {"journal": reversal_meaning(platform_text, reversed_infno).value}
        if infno == "2601"
        else {}
    )
    failure = PlatformFailure(infno=infno, msgid=msgid, platform_text=platform_text, extra=extra)
    category = classify(platform_text)
    name = _name(infno)
    if category is PlatformCategory.MAINTENANCE:
        return PlatformMaintenance(
            words.MAINTENANCE(name=name, platform_text=platform_text), failure
        )
    reason = words.CATEGORIES[category.value]()
    return PlatformRejected(words.REFUSED(name=name, reason=reason), failure, category)


def signature_refused(
    infno: str, msgid: str | None, err_msg: str, server_date: datetime | None, local_now: datetime
) -> PlatformRejected:
    """HTTP 401 from the gateway: signature, replayed nonce or clock skew (Part A §1)."""
    platform_text = sanitise(err_msg) or str(words.GATEWAY_REFUSED())
    failure = PlatformFailure(infno=infno, msgid=msgid, platform_text=platform_text)
    name = _name(infno)
    skew = None if server_date is None else round((local_now - server_date).total_seconds())
    if skew is not None and abs(skew) > SKEW_WARNING_SECONDS:
        text = words.CLOCK_SKEW(
            name=name,
            direction=words.AHEAD() if skew > 0 else words.BEHIND(),
            seconds=abs(skew),
            limit=SKEW_LIMIT_SECONDS,
        )
    else:
        text = words.SIGNATURE(name=name)
    return PlatformRejected(text, failure, PlatformCategory.SIGNATURE)


def unavailable(infno: str, msgid: str | None, reason: str) -> PlatformUnavailable:
    """Provably not sent."""
    failure = PlatformFailure(infno=infno, msgid=msgid, extra={"cause": reason})
    name = _name(infno)
    if "SSL" in reason or "Certificate" in reason:
        return PlatformUnavailable(words.TLS(name=name), failure, code="platform_tls")
    return PlatformUnavailable(words.UNREACHABLE(name=name), failure)


def unknown(infno: str, msgid: str | None, reason: str, *, state_changing: bool) -> OutcomeUnknown:
    """Sent, but no valid answer. For a state-changing call the effect on the platform is unknown."""
    failure = PlatformFailure(infno=infno, msgid=msgid, extra={"cause": reason})
    name = _name(infno)
    if state_changing:
        return OutcomeUnknown(words.UNKNOWN_STATE_CHANGING(name=name), failure)
    return OutcomeUnknown(words.UNKNOWN_QUERY(name=name), failure, code="platform_bad_answer")


def voucher_refused(code: str, message: str) -> PlatformRejected:
    """The e-voucher centre refused: a stale or wrong QR code, or our own request (configuration)."""
    platform_text = sanitise(message)
    failure = PlatformFailure(infno="ec.query", platform_text=platform_text, extra={"code": code})
    if "二维码" in platform_text or "凭证" in platform_text:
        return PlatformRejected(words.VOUCHER_INVALID(), failure, PlatformCategory.PERSON)
    return PlatformRejected(words.VOUCHER_REFUSED(), failure, PlatformCategory.OTHER)
