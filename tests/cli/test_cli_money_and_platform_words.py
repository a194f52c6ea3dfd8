"""Exit codes and words: a cached answer is the platform's failure (4), self-pay says what is due,
every summary adds fund + account + cash up to the total, the account can be declined, and the
platform's own words are shown in text and in ``--json``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill_path, make_engine

from app.cli.main import main
from app.config import Settings
from app.sandbox import SandboxServer
from app.services.engine import Engine

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


def _factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


def _text_run(env: tuple[Path, Path], *args: str) -> int:
    config, data_dir = env
    return main(["--config", str(config), "--data-dir", str(data_dir), *args], _factory)


def _card_of(prefix: str) -> str:
    bill = json.loads(demo_bill_path(prefix).read_text(encoding="utf-8"))
    return str(bill["identity"]["card_string"])


def test_maintenance_with_a_cached_answer_exits_4(cli: CliRunner, sandbox: SandboxServer) -> None:
    card = _card_of("01")
    code, fresh = cli("eligibility", "--card-string", card, "--operator", "C001")
    assert (code, fresh["from_cache"]) == (0, False)
    sandbox.set_maintenance(True)

    code, cached = cli("eligibility", "--card-string", card, "--operator", "C001")
    assert code == 4
    assert cached["ok"] is False
    assert cached["from_cache"] is True
    assert cached["error"] == "platform_maintenance"
    assert cached["detail"]["err_msg"].startswith("系统停机维护")

    code, refused = cli(
        "settle", "--bill", str(demo_bill_path("01")), "--yes", "--operator", "C001"
    )
    assert code == 4
    assert refused["error"] == "platform_maintenance"
    assert sandbox.ledger() == []


def test_headless_self_pay_says_what_is_due_not_collected(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    code = _text_run(
        cli_env, "settle", "--bill", str(demo_bill_path("07")), "--yes", "--operator", "C001"
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "已收" not in out
    assert "应向患者收取现金 32.00 元" in out


def test_every_summary_adds_fund_account_and_cash_up_to_the_total(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    code = _text_run(
        cli_env, "settle", "--bill", str(demo_bill_path("02")), "--yes", "--operator", "C001"
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "已结算：总额 195.60 = 统筹基金 55.20 + 个人账户 140.40 + 现金 0.00" in out
    for total, fund, account, cash in re.findall(
        r"总额 ([\d.,]+) = 统筹基金 ([\d.,]+) \+ 个人账户 ([\d.,]+) \+ 现金 ([\d.,]+)", out
    ):
        parts = [float(x.replace(",", "")) for x in (fund, account, cash)]
        assert round(sum(parts), 2) == float(total.replace(",", ""))


def test_the_patient_may_decline_the_personal_account(
    cli: CliRunner, sandbox: SandboxServer
) -> None:
    code, document = cli(
        "settle", "--bill", str(demo_bill_path("08")), "--yes", "--no-account", "--operator", "C001"
    )

    assert code == 0
    (group,) = document["bill"]["groups"]
    assert group["totals"]["account"] == "0.00"
    assert group["totals"]["cash"] == "126.00"
    assert document["settled"]["account"] == "0.00"
    assert document["cash_due"] == "126.00"


def test_a_platform_refusal_shows_the_platforms_words(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = cli_env
    config.write_text(
        re.sub(r'token = ".*"', 'token = "not-the-right-token-0000"', config.read_text("utf-8")),
        encoding="utf-8",
    )
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    code = _text_run(cli_env, "catalog", "sync", "--operator", "S001")
    err = capsys.readouterr().err
    assert code == 3
    assert "平台提示：“网关鉴权失败" in err

    code = _text_run(cli_env, "--json", "catalog", "sync", "--operator", "S001")
    document = json.loads(capsys.readouterr().out)
    assert code == 3
    assert document["detail"]["err_msg"].startswith("网关鉴权失败")
    assert document["detail"]["infno"]
