"""What walking every command of docs/cli.md on a fresh data folder, in both languages, found.

Each test failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


def test_hospital_status_outside_hospital_mode_says_so(cli: CliRunner) -> None:
    # It said "cannot read the hospital key file ." (exit 1), the key being looked for first.
    code, refused = cli("hospital", "status")

    assert code == 2
    assert refused["error"] == "config"
    assert "医院模式" in refused["message"]


def test_a_hospital_key_is_never_overwritten_and_that_is_an_input_error(
    cli: CliRunner, tmp_path: Path
) -> None:
    # The refusal exited 1 ("a bug: send the log to IT"); it asks for another file name.
    key = tmp_path / "hospital.key"
    code, created = cli("hospital", "key-create", str(key))
    assert code == 0
    before = key.read_bytes()

    code, refused = cli("hospital", "key-create", str(key))

    assert (code, refused["error"]) == (2, "hospital_key_exists")
    assert key.read_bytes() == before
    assert created["key_id"]
