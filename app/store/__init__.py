"""The local SQLite store: implements ``app.services.ports.store`` (see :func:`open_store`)."""

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
