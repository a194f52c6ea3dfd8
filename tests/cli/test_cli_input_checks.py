"""Bad input on the command line: a typed error, exit 2, one JSON document, nothing sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.sandbox import SandboxServer

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


@pytest.mark.parametrize(
    "voucher",
    [
        "1" * 100_000,
        "1234567890123\x07456789012345678",
        "\u202e1234567890123456789012345678",
        "12345678901234567890123456789",
    ],
    ids=["100000-digits", "control-character", "rtl-override", "29-digits"],
)
def test_a_malformed_voucher_is_refused_before_anything_is_sent(
    cli: CliRunner, sandbox: SandboxServer, voucher: str
) -> None:
    code, document = cli("eligibility", "--voucher", voucher, "--operator", "C001")

    assert code == 2
    assert document["error"].startswith("voucher")
    assert "电子凭证" in document["message"]
    assert sandbox.request_count("ec.query") == 0
    assert sandbox.request_count() == 0
