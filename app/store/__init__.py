"""The local SQLite store: implements ``app.services.ports.store`` (see :func:`open_store`).

The names below are loaded on first use (PEP 562), so that importing one light module of the
package (e.g. :mod:`app.store.login_ahead`, standard library and argon2 only) does not load
SQLAlchemy and every mapped class: the console reads an operator's hash before that.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.store.crypto import (
        FileKeyProvider,
        KeyProvider,
        KeyringKeyProvider,
        RotatableKeyProvider,
        default_key_provider,
    )
    from app.store.db import Store, open_store, sqlite_version_status
    from app.store.rekey import RotationReport, rotate_data_key
    from app.store.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

_HOME: dict[str, str] = {
    "FileKeyProvider": "app.store.crypto",
    "KeyProvider": "app.store.crypto",
    "KeyringKeyProvider": "app.store.crypto",
    "RotatableKeyProvider": "app.store.crypto",
    "default_key_provider": "app.store.crypto",
    "Store": "app.store.db",
    "open_store": "app.store.db",
    "sqlite_version_status": "app.store.db",
    "RotationReport": "app.store.rekey",
    "rotate_data_key": "app.store.rekey",
    "SqlUnitOfWork": "app.store.uow",
    "SqlUnitOfWorkFactory": "app.store.uow",
}


def __getattr__(name: str) -> Any:
    """Load the module that defines ``name`` on first use."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'app.store' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "FileKeyProvider",
    "KeyProvider",
    "KeyringKeyProvider",
    "RotatableKeyProvider",
    "RotationReport",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "Store",
    "default_key_provider",
    "open_store",
    "rotate_data_key",
    "sqlite_version_status",
]
