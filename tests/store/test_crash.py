"""Crash safety at the store level: a killed writer leaves all or nothing; a failed migration step
leaves the previous version (reliability.md §3.4)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from app.errors import StoreError
from app.store import Store, schema_v1

REPO = Path(__file__).resolve().parents[2]
ITEMS = 20000

WRITER = textwrap.dedent(
    f"""
    import sys
    from decimal import Decimal
    from pathlib import Path
    from app.domain.catalogue import CatalogueItem
    from app.store import FileKeyProvider
    from helpers.store_fixtures import StoreTestClock, open_test_store

    store = open_test_store(Path(sys.argv[1]), FileKeyProvider(Path(sys.argv[2])), StoreTestClock())
    items = [
        CatalogueItem(f"C{{n:06d}}", f"N{{n:06d}}", f"测试药品{{n}}号", "csyp", Decimal("1.25"))
        for n in range({ITEMS})
    ]
    print("ready", flush=True)
    while True:  # rewrite the whole catalogue in one transaction, again and again, until killed
        with store.uow_factory()() as uow:
            uow.catalogue.upsert_many(items)
            uow.commit()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.9])
def test_a_killed_writer_leaves_all_or_nothing(
    store: Store, store_path: Path, tmp_path: Path, reopen_store: Callable[[], Store], delay: float
) -> None:
    store.close()
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests")]))
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store_path), str(tmp_path / "keys" / "store.key")],
        stdout=subprocess.PIPE, env=environment, cwd=REPO, text=True,
    ) as child:  # fmt: skip
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    reopened = reopen_store()
    assert reopened.integrity_check() == "ok"
    with reopened.uow_factory()() as uow:
        assert uow.catalogue.count() in {0, ITEMS}
        # The name index moves with the items: no half-indexed import.
        found = uow.catalogue.search("测试药品", limit=ITEMS + 1)
        assert len(found) == uow.catalogue.count()


def test_a_failing_migration_step_leaves_the_previous_version(
    store_path: Path, reopen_store: Callable[[], Store]
) -> None:
    store_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(store_path, isolation_level=None)) as raw:
        raw.execute("BEGIN")
        for statement in schema_v1.STATEMENTS:
            raw.execute(statement)
        # Something in the way of step 2 (it creates this table).
        raw.execute("CREATE TABLE catalogue_names (x)")
        raw.execute("PRAGMA user_version = 1")
        raw.execute("COMMIT")
    with pytest.raises(StoreError) as raised:
        reopen_store()
    assert raised.value.code == "store_migration_failed"
    assert "没有数据被改动" in raised.value.text
    with closing(sqlite3.connect(store_path)) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert raw.execute("SELECT count(*) FROM store_meta").fetchone()[0] == 0
