"""Connecting a window to the hospital's PostgreSQL: URL policy, password, engine, schema upgrade.

* The URL names ``postgresql+psycopg://user@host:port/db``; a password never sits in it (it would land
  in the configuration file and the log) but comes from a 0600 file or the keyring, like the
  platform token.
* Outside loopback the connection must be ``sslmode=verify-full``: the record holds every window's
  money and (encrypted) personal data, and only verify-full checks the server's name.
* The schema is brought to the newest revision of the Alembic history in ``migrations/`` at start;
  PostgreSQL runs DDL transactionally, so a failed step leaves the previous revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError

from app.config.hospital_url import check_url
from app.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (≈ 0.1 s to import) is loaded only to migrate or read a revision, never by a window's
# or a command's start-up that merely composes hospital mode (docs/performance.md).

_MIGRATIONS = Path(__file__).with_name("migrations")
CONNECT_TIMEOUT_S = 5


def read_password(path: Path | None) -> str | None:
    """The database password from its file (first line), or ``None`` when no file is set."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StoreError(
            f"无法读取医院数据库密码文件 {path}，请检查文件是否存在、权限是否为 600。",
            code="hospital_password_unreadable",
        ) from exc
    return text.splitlines()[0].strip() if text.strip() else None


def open_hospital_engine(
    url: str, *, password: str | None = None, search_path: str | None = None
) -> Engine:
    """An engine on the hospital database (not yet connected). ``search_path`` isolates a schema."""
    problems = check_url(url)
    if problems:
        raise StoreError(problems[0], code="hospital_url", detail={"problems": " ".join(problems)})
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S}
    if password is not None:
        connect_args["password"] = password
    if search_path:
        connect_args["options"] = f"-c search_path={search_path}"
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, pool_size=2)


def _config(connection: Any) -> Config:
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the hospital record's schema history."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    script = ScriptDirectory.from_config(_config(None))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the hospital record to the newest revision (in one transaction)."""
    from alembic import command  # noqa: PLC0415

    try:
        with engine.begin() as connection:
            command.upgrade(_config(connection), "head")
    except DBAPIError as exc:
        raise unreachable(exc) from exc


def unreachable(exc: Exception) -> StoreError:
    """The error shown when the hospital database cannot be used right now."""
    return StoreError(
        "暂时无法连接医院数据库：本窗口继续在本机记账和结算，恢复连接后自动补传。"
        "如持续出现，请联系信息科检查数据库服务器和网络。",
        code="hospital_unreachable",
        detail={"reason": str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__},
    )
