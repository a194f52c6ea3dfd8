"""What walking every command of docs/cli.md on a fresh data folder, in both languages, found.

Each test failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


def test_hospital_status_outside_hospital_mode_says_so(cli: CliRunner) -> None:
    # It said "cannot read the hospital key file ." (exit 1), the key being looked for first.
    code, refused = cli("hospital", "status")

    assert code == 2
    assert refused["error"] == "config"
    assert "医院模式" in refused["message"]
