"""``doctor``: a list of checks, each giving 正常/警告/错误 with one line of plain Chinese.

The checks themselves need the adapters (the store, the platform client, the file system) and are
wired in ``app.cli.doctor``; this module holds what does not: running the checks so that one failing
check never hides the others, the judgements with their thresholds, and the report formats
(one line each for people, JSON for monitoring).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum

from app.errors import AppError

log = logging.getLogger(__name__)

MIB = 1024 * 1024
FREE_SPACE_ERROR_BYTES = 200 * MIB
FREE_SPACE_WARNING_BYTES = 1024 * MIB
# The gateway rejects timestamps more than 300 s off (interface.md Part A §1); warn well before.
CLOCK_SKEW_WARNING_SECONDS = 30.0
CLOCK_SKEW_ERROR_SECONDS = 240.0


class Status(StrEnum):
    """Outcome of one check, worst last."""

    OK = "正常"
    WARNING = "警告"
    ERROR = "错误"

    @property
    def rank(self) -> int:
        """0 ok, 1 warning, 2 error."""
        return (Status.OK, Status.WARNING, Status.ERROR).index(self)


@dataclass(frozen=True)
class Finding:
    """What a check found."""

    status: Status
    text: str


@dataclass(frozen=True)
class CheckResult:
    """One line of the report."""

    key: str
    title: str
    status: Status
    text: str


@dataclass(frozen=True)
class Check:
    """A named check; ``run`` returns a :class:`Finding` or raises :class:`AppError`."""

    key: str
    title: str
    run: Callable[[], Finding]


def run_checks(checks: Sequence[Check]) -> list[CheckResult]:
    """Run every check; an error in one becomes its 错误 line and the rest still run."""
    results = []
    for check in checks:
        try:
            finding = check.run()
        except AppError as exc:
            finding = Finding(Status.ERROR, exc.text)
        except Exception as exc:  # a bug in a probe must not stop the report
            log.exception("doctor check %s failed unexpectedly", check.key)
            finding = Finding(
                Status.ERROR, f"检查时出现意外错误（{type(exc).__name__}），详情见日志。"
            )
        results.append(CheckResult(check.key, check.title, finding.status, finding.text))
    return results


def exit_code(results: Sequence[CheckResult]) -> int:
    """0 when nothing is 错误 (warnings allowed), else 1."""
    return 1 if any(r.status is Status.ERROR for r in results) else 0


def overall(results: Sequence[CheckResult]) -> Status:
    """The worst status."""
    return max((r.status for r in results), key=lambda s: s.rank, default=Status.OK)


def format_lines(results: Sequence[CheckResult]) -> list[str]:
    """``[正常] 配置：…`` one per check, then a summary line."""
    lines = [f"[{r.status.value}] {r.title}：{r.text}" for r in results]
    errors = sum(r.status is Status.ERROR for r in results)
    warnings = sum(r.status is Status.WARNING for r in results)
    lines.append(f"共 {len(results)} 项检查：{errors} 项错误，{warnings} 项警告。")
    return lines


def as_json(results: Sequence[CheckResult]) -> dict[str, object]:
    """The report for monitoring: overall status and every check."""
    return {
        "status": overall(results).name.lower(),
        "checks": [
            {**asdict(r), "status": r.status.name.lower(), "status_text": r.status.value}
            for r in results
        ],
    }


def judge_free_space(free_bytes: int) -> Finding:
    """Below 200 MiB is an error (a full disk stops settlements), below 1 GiB a warning."""
    free_mib = free_bytes // MIB
    if free_bytes < FREE_SPACE_ERROR_BYTES:
        return Finding(Status.ERROR, f"剩余空间只有 {free_mib} MB，请立即清理磁盘。")
    if free_bytes < FREE_SPACE_WARNING_BYTES:
        return Finding(Status.WARNING, f"剩余空间 {free_mib} MB，偏少，请尽快清理。")
    return Finding(Status.OK, f"剩余空间 {free_mib} MB。")


def judge_clock_skew(skew_seconds: float) -> Finding:
    """Local clock minus the platform's (from the HTTP ``Date`` header)."""
    direction = "快" if skew_seconds > 0 else "慢"
    size = abs(skew_seconds)
    if size >= CLOCK_SKEW_ERROR_SECONDS:
        return Finding(
            Status.ERROR,
            f"本机时间比医保平台{direction} {size:.0f} 秒，平台会拒绝请求。请校准本机时间（开启自动对时）。",
        )
    if size >= CLOCK_SKEW_WARNING_SECONDS:
        return Finding(
            Status.WARNING, f"本机时间比医保平台{direction} {size:.0f} 秒，请开启自动对时。"
        )
    return Finding(Status.OK, f"与医保平台时间相差 {size:.0f} 秒。")


def judge_sqlite_version(version: str, *, affected: bool) -> Finding:
    """reliability.md §3.2: the WAL-reset bug (3.7.0–3.51.2; fixed 3.51.3, 3.44.6, 3.50.7)."""
    if affected:
        return Finding(
            Status.WARNING,
            f"SQLite {version} 在 WAL 重置缺陷的影响范围内（3.7.0–3.51.2），"
            "程序已自动改为单连接运行以避免该缺陷；升级到包含 3.51.3 或更高版本的安装包可消除此警告。",
        )
    return Finding(Status.OK, f"SQLite {version}，不受 WAL 重置缺陷影响。")


def judge_pending_journal(count: int, oldest_minutes: float | None) -> Finding:
    """Unresolved journal rows: money whose outcome is not yet known."""
    if count == 0:
        return Finding(Status.OK, "没有未完成的交易。")
    age = "" if oldest_minutes is None else f"，最早的已过去 {oldest_minutes:.0f} 分钟"
    return Finding(
        Status.WARNING,
        f"有 {count} 笔交易结果未明{age}。请在收费程序的“交易日志”中处理，处理前不要日结。",
    )


def judge_audit_chain(problems: list[str], head_seq: int) -> Finding:
    """The audit log's hash chain (issue #11 item 5): any break is an error someone must look at."""
    if not problems:
        return Finding(Status.OK, f"审计记录链完整（共 {head_seq} 条）。")
    shown = "；".join(problems[:5]) + ("……" if len(problems) > 5 else "")
    return Finding(
        Status.ERROR,
        f"审计记录被改动或删除（{len(problems)} 处）：{shown}"
        "请保留数据库文件不要改动，立即报告信息科和审计人员。",
    )


def judge_his_outbox(pending: int, refused: int, oldest_minutes: float | None) -> Finding:
    """Results not yet acknowledged by the HIS: refused ones need a supervisor; old ones a look."""
    if refused:
        return Finding(
            Status.ERROR,
            f"{refused} 条结算结果被 HIS 拒收，HIS 中这些费用的缴费状态与本窗口不一致，请主管核对处理。",
        )
    if pending == 0:
        return Finding(Status.OK, "结算结果已全部回传 HIS。")
    age = f"，最早的已等待 {oldest_minutes:.0f} 分钟" if oldest_minutes is not None else ""
    status = Status.WARNING if oldest_minutes is None or oldest_minutes >= 10 else Status.OK
    return Finding(status, f"{pending} 条结算结果等待回传 HIS{age}；HIS 恢复后会自动补传。")


def judge_hospital_sync(
    pending: int, lag_seconds: float, last_sync: str, unreachable: str = ""
) -> Finding:
    """Hospital mode: what waits for the hospital database, for how long, and whether it answers.

    Args:
        pending: records in the window's outbox.
        lag_seconds: how long the oldest of them has waited.
        last_sync: the last successful sync as local time ("" if never).
        unreachable: the plain error when the hospital database cannot be reached now.
    """
    figures = (
        f"待同步 {pending} 条，未同步时长 {lag_seconds:.0f} 秒，上次同步 {last_sync or '尚无'}"
    )
    if unreachable:
        return Finding(Status.ERROR, f"{unreachable}（{figures}）")
    if lag_seconds >= 60:
        return Finding(
            Status.WARNING,
            f"已连接，但同步落后：{figures}。收费窗口运行时会自动补传；"
            "也可运行 hospital sync 立即同步。",
        )
    return Finding(Status.OK, f"已连接；{figures}。")


def judge_second_factor(
    required_roles: Sequence[str], missing: Sequence[tuple[str, str]], enrolled: int
) -> Finding:
    """Accounts whose role must use a one-time code but have no authenticator cannot log in.

    Args:
        required_roles: Chinese names of the roles ``login.second_factor_roles`` lists.
        missing: (code, name) of active accounts of those roles without an authenticator.
        enrolled: how many accounts have an authenticator.
    """
    if missing:
        who = "、".join(f"{code}（{name}）" for code, name in missing)
        return Finding(
            Status.WARNING,
            f"以下账号必须使用动态验证码，但还没有绑定验证器，暂时不能登录：{who}。"
            "请用 users totp-enroll 为他们绑定。",
        )
    if not required_roles:
        return Finding(
            Status.WARNING,
            f"没有角色必须使用动态验证码（login.second_factor_roles 为空），{enrolled} 个账号"
            "已绑定验证器。正式环境建议至少要求收费主管和系统管理员使用。",
        )
    return Finding(
        Status.OK,
        f"{'、'.join(required_roles)}必须使用动态验证码；{enrolled} 个账号已绑定验证器。",
    )
