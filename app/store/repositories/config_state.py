"""The effective configuration's per-key fingerprints at the last start (one encrypted row)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from app.store.models import ConfigStateRow

_ROW = "effective"


class SqlConfigFingerprints:
    """:class:`~app.services.ports.store.ConfigFingerprints` on ``config_state``."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``."""
        self._session = session

    def last(self) -> dict[str, str] | None:
        """The stored fingerprints, or ``None`` when none were recorded yet."""
        row = self._session.get(ConfigStateRow, _ROW)
        if row is None:
            return None
        loaded = json.loads(row.fingerprints)
        return {str(key): str(value) for key, value in loaded.items()}

    def save(self, fingerprints: Mapping[str, str], at: datetime) -> None:
        """Replace the stored fingerprints."""
        text = json.dumps(dict(fingerprints), sort_keys=True, separators=(",", ":"))
        row = self._session.get(ConfigStateRow, _ROW)
        if row is None:
            self._session.add(ConfigStateRow(name=_ROW, fingerprints=text, recorded_at=at))
        else:
            row.fingerprints = text
            row.recorded_at = at
        self._session.flush()
