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

# services/journaling.py: the write-ahead journal of platform calls
NO_MSGID_SLOT = Template(
    "journal.no_msgid_slot",
    zh="本窗口还没有从医院数据库取得交易流水号段，为避免与其他窗口流水号重复，暂不能办理医保结算或退费。"
    "请确认网络正常后连接一次医院数据库（重新启动本程序即可自动获取）；自费收费和读卡查询不受影响。",
    en="This window has no message-number range from the hospital database yet, so to avoid "
    "repeating another window's numbers it cannot settle or refund. Check the network and connect "
    "to the hospital database once (restarting the program does it); self-pay and card queries "
    "still work.",
)
WRITE_FAILED = Template(
    "journal.write_failed",
    zh="本地数据库写入失败（可能磁盘已满或文件只读），本次操作没有发送到医保平台。"
    "请联系信息科检查磁盘空间后重试。",
    en="Writing the local database failed (the disk may be full or the file read-only); nothing "
    "was sent to the platform. Ask the IT staff to check the disk space, then try again.",
)
WITH_PLATFORM_TEXT = Template(
    "journal.with_platform_text",
    zh="{text}（平台原文：“{platform_text}”）",
    en="{text} (the platform said: “{platform_text}”)",
)
