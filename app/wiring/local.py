"""The local store of a data folder and the login over it, with the engine's policy (the admin commands
use these without building an engine)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from argon2 import PasswordHasher
from sqlalchemy import Engine as SqlEngine

from app.config import (
    Settings,
    database_path,
)
from app.errors import StoreError
from app.private_files import secure_data_folder
from app.services.auth import AuthService, LoginPolicy
from app.services.ports.clock import Clock, SystemClock
from app.services.ports.store import UnitOfWorkFactory
from app.store import KeyProvider, Store, default_key_provider, open_store

if TYPE_CHECKING:
    from app.services.shared_operators import SharedOperators


def open_local_store(
    data_dir: Path,
    clock: Clock,
    *,
    key_provider: KeyProvider | None = None,
    password_hasher: PasswordHasher | None = None,
) -> Store:
    """The store of ``data_dir`` (created 0700 if missing, migrated), with its key.

    Raises:
        StoreError: the folder cannot be created or the database cannot be opened safely.
    """
    try:
        secure_data_folder(data_dir)
    except OSError:
        raise StoreError(
            f"无法创建数据目录 {data_dir}，请检查权限或磁盘。", code="data_dir_create"
        ) from None
    return open_store(
        database_path(data_dir),
        key_provider or default_key_provider(data_dir),
        clock,
        password_hasher=password_hasher,
    )


def port_of(store: Store) -> UnitOfWorkFactory:
    """The store's unit-of-work factory as the services' port.

    The store's unit of work binds concrete repository classes, narrower than the port's mutable
    attributes (which mypy treats as invariant); the structure is the same.
    """
    return cast(UnitOfWorkFactory, store.uow_factory())


def login_policy(settings: Settings) -> LoginPolicy:
    """``[login]`` and ``ui.idle_lock_minutes`` as the auth service's policy."""
    return LoginPolicy.of(
        settings.login.max_failures,
        settings.login.lockout_minutes,
        settings.idle_lock_minutes,
        settings.login.second_factor_roles,
    )


def shared_operators(
    settings: Settings, clock: Clock
) -> tuple[SharedOperators | None, SqlEngine | None]:
    """Hospital mode's accounts and their pool (:func:`app.wiring.hospital.shared_operators_for`);
    ``(None, None)`` for a stand-alone window, which then never imports hospital mode's wiring."""
    if not settings.hospital_db.enabled:
        return None, None
    from app.wiring.hospital import shared_operators_for  # noqa: PLC0415

    return shared_operators_for(settings, clock)


def auth_service(store: Store, settings: Settings, clock: Clock | None = None) -> AuthService:
    """Login and user management over ``store``, with the engine's policy (the admin commands);
    in hospital mode on the hospital's accounts (the pool lives as long as the process)."""
    clock = clock or SystemClock()
    shared, _pool = shared_operators(settings, clock)
    return AuthService(port_of(store), clock, login_policy(settings), shared=shared)


def engine_auth(
    settings: Settings, uow_factory: UnitOfWorkFactory, clock: Clock
) -> tuple[AuthService, SqlEngine | None]:
    """The engine's login and accounts (hospital-wide in hospital mode), and the pool to close."""
    shared, pool = shared_operators(settings, clock)
    return AuthService(uow_factory, clock, login_policy(settings), shared=shared), pool
