"""A window's lock survives the end of the session holding it (a server restart, a network cut): the
sync thread takes it again, so other windows never take a running window for dead for long."""

from __future__ import annotations

import secrets
import time

from helpers.pg_fixtures import HospitalDb
from sqlalchemy import text

from app.store.hospital.presence import WindowPresence, window_lock_key


def test_a_lock_lost_with_its_session_is_taken_again_by_keep(hospital_db: HospitalDb) -> None:
    window = f"WK{secrets.token_hex(4)}"  # advisory locks are server-wide: a name of its own
    mine, other = WindowPresence(hospital_db.engine), WindowPresence(hospital_db.engine)
    mine.hold(window)
    try:
        assert other.is_alive(window)
        assert mine.keep(window), "a live session: nothing to do"
        with hospital_db.engine.connect() as connection:
            ended = (
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks "
                        "WHERE locktype = 'advisory' AND granted AND "
                        "((classid::bigint << 32) | objid::bigint) = (:key)::bigint"
                    ),
                    {"key": window_lock_key(window, hospital_db.schema)},
                )
                .scalars()
                .all()
            )
            connection.commit()
        assert ended == [True], "the session holding the lock was ended"
        # pg_terminate_backend only signals the session; its locks go when its process has exited.
        deadline = time.monotonic() + 10
        while other.is_alive(window) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not other.is_alive(window), "the server dropped the lock with the session"

        assert mine.keep(window)

        assert other.is_alive(window)
    finally:
        mine.release()
