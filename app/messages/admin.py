"""Administration: purging cached personal data, exports (``services/admin.py``)."""

from __future__ import annotations

from app.messages import Template

RETENTION_TOO_SHORT = Template(
    "admin.retention_too_short",
    zh="保留天数必须至少为 1 天。",
    en="Data must be kept for at least 1 day.",
)
PERIOD_WITHOUT_ZONE = Template(
    "admin.period_without_zone",
    zh="导出时间段必须带时区。",
    en="The export period needs a time zone.",
)
PERIOD_REVERSED = Template(
    "admin.period_reversed",
    zh="导出的结束时间必须晚于开始时间。",
    en="The export's end must be after its start.",
)
BAD_FORMAT = Template(
    "admin.bad_format",
    zh="导出格式“{fmt}”无效，可选：{formats}。",
    en="Export format “{fmt}” is not valid; choose one of: {formats}.",
)
AUDIT_CHAIN_BROKEN = Template(
    "admin.audit_chain_broken",
    zh="审计记录链校验失败（{count} 处）：{problems}记录可能被改动或删除，拒绝导出。"
    "请保留数据库文件，报告信息科和审计人员（settlement-window doctor 列出全部问题）。",
    en="The audit chain does not verify ({count} places): {problems} Records may have been "
    "changed or deleted, so nothing is exported. Keep the database file and report to the IT "
    "staff and the auditors (settlement-window doctor lists every problem).",
)
