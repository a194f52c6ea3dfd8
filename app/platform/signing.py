"""Gateway request signing: the ``x-tif-*`` headers of interface.md Part A §1 (B §1.4 b).

The signature is lowercase hex SHA-256 of ``timestamp + token + nonce + timestamp``. The token never
leaves this module except inside that digest.
"""

from __future__ import annotations

import hashlib
import secrets

NONCE_BYTES = 16
SIGNATURE_HEADERS = ("x-tif-paasid", "x-tif-timestamp", "x-tif-nonce", "x-tif-signature")


def new_nonce() -> str:
    """A fresh random nonce (32 hex characters from :mod:`secrets`)."""
    return secrets.token_hex(NONCE_BYTES)


def signature(timestamp: str, token: str, nonce: str) -> str:
    """Lowercase hex SHA-256 of ``timestamp + token + nonce + timestamp``."""
    material = f"{timestamp}{token}{nonce}{timestamp}".encode()
    return hashlib.sha256(material).hexdigest()


def signed_headers(
    passid: str, token: str, unix_seconds: int, nonce: str | None = None
) -> dict[str, str]:
    """The four gateway headers for one request.

    Args:
        passid: the passid issued to the hospital.
        token: the secret issued with the passid.
        unix_seconds: current Unix time in seconds (from the injected clock).
        nonce: a nonce to use; a fresh one from :func:`new_nonce` when omitted.
    """
    timestamp = str(unix_seconds)
    used_nonce = nonce if nonce is not None else new_nonce()
    return {
        "x-tif-paasid": passid,
        "x-tif-timestamp": timestamp,
        "x-tif-nonce": used_nonce,
        "x-tif-signature": signature(timestamp, token, used_nonce),
    }
