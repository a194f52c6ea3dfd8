"""The local SQLite store: implements ``app.services.ports.store`` (see :func:`open_store`)."""

from app.store.crypto import FileKeyProvider, KeyProvider, KeyringKeyProvider, default_key_provider
from app.store.db import Store, open_store, sqlite_version_status
from app.store.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = [
    "FileKeyProvider",
    "KeyProvider",
    "KeyringKeyProvider",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "Store",
    "default_key_provider",
    "open_store",
    "sqlite_version_status",
]
