"""The effective configuration's per-key fingerprints at the last start (one encrypted row)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.store.tables import Connected, config_state

_ROW = "effective"
_READ = select(config_state.c.fingerprints).where(config_state.c.name == _ROW)
_insert = sqlite_insert(config_state)
_UPSERT = _insert.on_conflict_do_update(
    index_elements=[config_state.c.name],
    set_={
        "fingerprints": _insert.excluded.fingerprints,
        "recorded_at": _insert.excluded.recorded_at,
    },
)


class SqlConfigFingerprints:
    """:class:`~app.services.ports.store.ConfigFingerprints` on ``config_state`` (Core statements
    through the column types: the fingerprints are encrypted)."""

    def __init__(self, session: Connected) -> None:
        """Work inside ``session`` (the unit of work's transaction)."""
        self._session = session

    def last(self) -> dict[str, str] | None:
        """The stored fingerprints, or ``None`` when none were recorded yet."""
        stored = self._session.connection().execute(_READ).scalar()
        if stored is None:
            return None
        loaded = json.loads(stored)
        return {str(key): str(value) for key, value in loaded.items()}

    def save(self, fingerprints: Mapping[str, str], at: datetime) -> None:
        """Replace the stored fingerprints."""
        text = json.dumps(dict(fingerprints), sort_keys=True, separators=(",", ":"))
        self._session.connection().execute(
            _UPSERT, {"name": _ROW, "fingerprints": text, "recorded_at": at}
        )
