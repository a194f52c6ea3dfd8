"""Disk full (RLIMIT_FSIZE in a child process): a clean StoreError, committed rows intact (R6 helper)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from app.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # failed writes return EFBIG instead of killing us
    from app.errors import StoreError
    from app.store import FileKeyProvider
    from helpers.store_fixtures import StoreTestClock, open_test_store
    from store.builders import entry

    path, key, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    store = open_test_store(path, FileKeyProvider(key), StoreTestClock())
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    committed = 0
    outcome = {"code": "none"}
    try:
        for index in range(1, 20000):
            with store.uow_factory()() as uow:
                msgid = f"H63010500001{20261123100000 + index // 10000:014d}{index % 10000:04d}"
                uow.journal.add(entry(msgid))
                uow.audit.append(entry(msgid).created_at, "C001", "settle", "ok", "x" * 2000)
                uow.commit()
            committed += 1
    except StoreError as exc:
        outcome = {"code": exc.code, "text": exc.text}
    outcome["committed"] = committed
    print(json.dumps(outcome, ensure_ascii=False))
    store.close()
    """
)


# CI: a few limits; STORE_FSIZE_LIMITS=50 for the nightly spread (reliability.md R6).
_LIMIT_COUNT = int(os.environ.get("STORE_FSIZE_LIMITS", "3"))
LIMITS_KIB = sorted(
    {384 + (2048 - 384) * n // max(1, _LIMIT_COUNT - 1) for n in range(_LIMIT_COUNT)}
)


@pytest.mark.parametrize("limit_kib", LIMITS_KIB)
def test_a_full_disk_gives_a_store_error_and_keeps_the_database_sound(
    store: Store,
    store_path: Path,
    tmp_path: Path,
    reopen_store: Callable[[], Store],
    limit_kib: int,
) -> None:
    store.close()  # the child is the only user of the file
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests")]))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(store_path), str(tmp_path / "keys" / "store.key"),
         str(limit_kib * 1024)],
        capture_output=True, text=True, timeout=120, env=environment, check=False, cwd=REPO,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr[-2000:]
    outcome = json.loads(child.stdout.strip().splitlines()[-1])
    assert outcome["code"] in {"store_disk_full", "store_io"}, outcome
    assert "本次操作没有完成" in outcome["text"]
    assert outcome["committed"] > 0
    reopened = reopen_store()
    assert reopened.integrity_check() == "ok"
    with reopened.uow_factory()() as uow:
        assert len(uow.journal.unresolved()) == outcome["committed"]
        assert uow.audit.verify() == []
