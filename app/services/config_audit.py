"""Configuration changes, audited at start-up (reliability.md S5).

Settings are only ever read from the TOML file (nothing in the program writes them), so a change can
only be seen at the next start: each start compares a SHA-256 fingerprint of every effective key
(:func:`app.config.effective_values`) with the fingerprints stored at the last start, and writes one
audit record naming the keys that changed — never their values, secret or not. The fingerprints are
stored encrypted in the database (a low-entropy token could otherwise be guessed from its hash).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping

from app.services.ports.clock import Clock
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
CONFIG_RECORDED = "config_recorded"
CONFIG_CHANGED = "config_changed"


def fingerprints(values: Mapping[str, str]) -> dict[str, str]:
    """SHA-256 (hex) per key of ``key NUL value``."""
    return {
        key: hashlib.sha256(f"{key}\x00{value}".encode()).hexdigest()
        for key, value in values.items()
    }


def changed_keys(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Keys added, removed or with another fingerprint, sorted."""
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def record_config_change(
    uow_factory: UnitOfWorkFactory, clock: Clock, values: Mapping[str, str]
) -> list[str] | None:
    """Compare the effective configuration with the last start's and audit a difference.

    Returns:
        The changed keys (empty when nothing changed), or ``None`` at the first start of this
        database (recorded as ``config_recorded``).
    """
    current = fingerprints(values)
    with uow_factory() as uow:
        last = uow.config_state.last()
        if last == current:
            return []
        now = clock.now()
        if last is None:
            changed = None
            uow.audit.append(now, SYSTEM_ACTOR, CONFIG_RECORDED, "ok", f"{len(current)} keys")
        else:
            changed = changed_keys(last, current)
            uow.audit.append(
                now, SYSTEM_ACTOR, CONFIG_CHANGED, "ok", "changed: " + ", ".join(changed)
            )
        uow.config_state.save(current, now)
        uow.commit()
    if changed is None:
        log.info("configuration recorded (%d keys)", len(current))
    else:
        log.info("configuration changed since the last start: %s", ", ".join(changed))
    return changed
