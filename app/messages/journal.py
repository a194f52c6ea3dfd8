"""The journal of platform calls (``domain/journal.py``)."""

from __future__ import annotations

from app.messages import Template

UNKNOWN_OWNER = Template("journal.unknown_owner", zh="未知", en="unknown")
OWNERSHIP_LOST = Template(
    "journal.ownership_lost",
    zh="交易 {msgid} 已被另一个收费程序接管处理（{owner}），本程序不再记录其结果。"
    "请勿重复收费；请检查数据目录中的 leases 文件夹是否被改动，或数据目录是否放在网络共享盘上，"
    "并由收费主管在“交易流水”中核对该笔交易。",
    en="Call {msgid} was taken over by another cashier program ({owner}); this program no longer "
    "records its outcome. Do not charge again; check whether the leases folder in the data folder "
    "was changed or the data folder is on a network share, and have a supervisor check the call in "
    "the journal.",
)
ILLEGAL_TRANSITION = Template(
    "journal.illegal_transition",
    zh="内部错误：流水状态不能从 {current} 变为 {target}。",
    en="Internal error: a journal row cannot go from {current} to {target}.",
)
