"""The doctor's thresholds and report format (pure; the checks themselves run in
test_deployment_steps.py against the sandbox)."""

from __future__ import annotations

import json

import pytest

from app.errors import AppError
from app.services.doctor import (
    CLOCK_SKEW_ERROR_SECONDS,
    CLOCK_SKEW_WARNING_SECONDS,
    FREE_SPACE_ERROR_BYTES,
    FREE_SPACE_WARNING_BYTES,
    Check,
    Finding,
    Status,
    as_json,
    exit_code,
    format_lines,
    judge_clock_skew,
    judge_free_space,
    judge_pending_journal,
    judge_second_factor,
    judge_sqlite_version,
    run_checks,
)


@pytest.mark.parametrize(
    ("free", "status"),
    [
        (FREE_SPACE_ERROR_BYTES - 1, Status.ERROR),
        (FREE_SPACE_ERROR_BYTES, Status.WARNING),
        (FREE_SPACE_WARNING_BYTES - 1, Status.WARNING),
        (FREE_SPACE_WARNING_BYTES, Status.OK),
    ],
)
def test_free_space_thresholds(free: int, status: Status) -> None:
    assert judge_free_space(free).status is status


@pytest.mark.parametrize(
    ("skew", "status", "word"),
    [
        (0.0, Status.OK, "相差"),
        (CLOCK_SKEW_WARNING_SECONDS - 0.5, Status.OK, "相差"),
        (CLOCK_SKEW_WARNING_SECONDS, Status.WARNING, "快"),
        (-CLOCK_SKEW_WARNING_SECONDS, Status.WARNING, "慢"),
        (CLOCK_SKEW_ERROR_SECONDS, Status.ERROR, "快"),
        (-CLOCK_SKEW_ERROR_SECONDS - 100, Status.ERROR, "慢"),
    ],
)
def test_clock_skew_thresholds_and_direction(skew: float, status: Status, word: str) -> None:
    finding = judge_clock_skew(skew)
    assert finding.status is status
    assert word in str(finding.text)


def test_sqlite_version_and_journal_judgements() -> None:
    assert judge_sqlite_version("3.40.1", affected=True).status is Status.WARNING
    assert "单连接" in str(judge_sqlite_version("3.40.1", affected=True).text)
    assert judge_sqlite_version("3.51.3", affected=False).status is Status.OK
    assert judge_pending_journal(0, None).status is Status.OK
    pending = judge_pending_journal(2, 42.4)
    assert pending.status is Status.WARNING
    assert "2 笔" in str(pending.text)
    assert "42 分钟" in str(pending.text)


def test_one_failing_check_never_hides_the_others() -> None:
    def refuses() -> Finding:
        raise AppError("平台不可达。")

    def crashes() -> Finding:
        raise KeyError("bug")

    results = run_checks(
        [
            Check("a", "甲", lambda: Finding(Status.OK, "好")),
            Check("b", "乙", refuses),
            Check("c", "丙", crashes),
            Check("d", "丁", lambda: Finding(Status.WARNING, "注意")),
        ]
    )
    assert [(r.key, r.status) for r in results] == [
        ("a", Status.OK),
        ("b", Status.ERROR),
        ("c", Status.ERROR),
        ("d", Status.WARNING),
    ]
    assert results[1].text == "平台不可达。"
    assert "KeyError" in results[2].text
    assert exit_code(results) == 1
    assert exit_code(results[:1] + results[3:]) == 0
    lines = format_lines(results)
    assert lines[0] == "[正常] 甲：好"
    assert lines[-1] == "共 4 项检查：2 项错误，1 项警告。"
    payload = json.loads(json.dumps(as_json(results), ensure_ascii=False))
    assert payload["status"] == "error"
    assert payload["checks"][3] == {
        "key": "d",
        "title": "丁",
        "status": "warning",
        "text": "注意",
        "status_text": "警告",
    }


@pytest.mark.parametrize(
    ("roles", "missing", "status", "fragment"),
    [
        (["收费主管", "系统管理员"], [], Status.OK, "收费主管、系统管理员必须使用动态验证码；2 个"),
        (["收费主管"], [("S001", "主管乙")], Status.WARNING, "暂时不能登录：S001（主管乙）"),
        ([], [], Status.WARNING, "建议至少要求收费主管和系统管理员"),
    ],
)
def test_second_factor_judgement(
    roles: list[str], missing: list[tuple[str, str]], status: Status, fragment: str
) -> None:
    finding = judge_second_factor(roles, missing, enrolled=2)
    assert finding.status is status
    assert fragment in str(finding.text)
