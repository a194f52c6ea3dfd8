"""Time-based one-time codes (RFC 6238): 6 digits, 30-second steps, HMAC-SHA1.

The arithmetic is ``cryptography``'s :class:`~cryptography.hazmat.primitives.twofactor.totp.TOTP`
(constant-time comparison inside); this module only decides which time steps are acceptable: the
current one and one step either side (clock tolerance), and only steps after the last accepted one,
so that a code is accepted once (replay refused). Secrets are 20 random bytes (160 bits, the HMAC-SHA1
block recommended by RFC 4226), kept as unpadded base32 — the form authenticator apps take.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
TOLERANCE_STEPS = 1
SECRET_BYTES = 20
ISSUER = "settlement-window"

_CODE = re.compile(rf"^\d{{{DIGITS}}}$")


class CodeCheck(StrEnum):
    """What a typed code turned out to be."""

    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"


@dataclass(frozen=True)
class CodeResult:
    """The verdict and, when accepted, the time step the code belongs to."""

    check: CodeCheck
    step: int | None = None


def new_secret() -> str:
    """A fresh random secret as unpadded base32 (32 characters)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _totp(secret: str) -> TOTP:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    try:
        key = base64.b32decode(padded)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("stored second-factor secret is not base32") from exc
    # HMAC-SHA1 is what authenticator apps implement (RFC 6238 default); SHA-1's collision weakness
    # does not affect HMAC.
    return TOTP(key, DIGITS, SHA1(), STEP_SECONDS, enforce_key_length=True)  # noqa: S303


def time_step(at: datetime) -> int:
    """The RFC 6238 time step (``T``) of an aware datetime."""
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, at: datetime) -> str:
    """The code an authenticator shows at ``at`` (for tests and the enrolment check)."""
    return _totp(secret).generate(time_step(at) * STEP_SECONDS).decode("ascii")


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app imports (as text or a QR code)."""
    return _totp(secret).get_provisioning_uri(account, issuer)


def normalise_code(typed: str) -> str:
    """The code as typed, without spaces (apps often show ``123 456``)."""
    return "".join(typed.split())


def check_code(secret: str, typed: str, at: datetime, last_step: int | None) -> CodeResult:
    """Accept ``typed`` if it is the code of the current step or one step either side, and of a
    step after ``last_step`` (the last one accepted for this secret).

    Every candidate step is compared (in constant time, by ``cryptography``), so the answer takes
    the same time whichever step matches.
    """
    code = normalise_code(typed)
    if not _CODE.match(code):
        return CodeResult(CodeCheck.WRONG)
    totp = _totp(secret)
    current = time_step(at)
    matched = []
    for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1):
        try:
            totp.verify(code.encode("ascii"), step * STEP_SECONDS)
        except InvalidToken:
            continue
        matched.append(step)
    fresh = [step for step in matched if last_step is None or step > last_step]
    if fresh:
        return CodeResult(CodeCheck.OK, max(fresh))
    if matched:
        return CodeResult(CodeCheck.REPLAYED)
    return CodeResult(CodeCheck.WRONG)
