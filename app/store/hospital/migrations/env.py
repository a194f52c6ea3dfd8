"""Alembic environment for the hospital record: always run programmatically with a connection
(``app.store.hospital.connect.upgrade``), never from an ``alembic.ini``."""

from __future__ import annotations

from alembic import context

from app.store.hospital.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
