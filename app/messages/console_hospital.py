"""The console's result lines of the hospital-mode commands (``app/cli/hospital*.py``).

As in :mod:`app.messages.console`: the Chinese is what the commands printed before, word for word;
the English is shown with ``[ui] language = "en"``.
"""

from __future__ import annotations

from app.messages import Template

SCHEMA_CURRENT = Template(
    "console_hospital.schema_current",
    zh="医院数据库已是最新结构（版本 {revision}）。",
    en="The hospital database's schema is current (revision {revision}).",
)
SCHEMA_UPGRADED = Template(
    "console_hospital.schema_upgraded",
    zh="医院数据库结构已升级：{before} → {after}。",
    en="The hospital database's schema was upgraded: {before} → {after}.",
)
EMPTY_DATABASE = Template("console_hospital.empty_database", zh="（空库）", en="(empty)")
SYNCED = Template(
    "console_hospital.synced",
    zh="本次同步 {delivered} 条，尚待同步 {pending} 条。",
    en="{delivered} records sent now, {pending} still waiting.",
)
NEVER_SYNCED = Template("console_hospital.never_synced", zh="从未同步", en="never")
NO_WINDOWS = Template(
    "console_hospital.no_windows",
    zh="医院数据库中还没有任何窗口的记录。",
    en="The hospital database holds no window's records yet.",
)
STATUS_HEAD = Template(
    "console_hospital.status_head",
    zh="窗口    上次同步          延迟(秒)  待同步  未确认  笔数  统筹基金  个人账户  现金  合计",
    en="Window  Last sync         Lag (s)   Waiting Unres.  Count Fund  Account  Cash  Total",
)
KEY_CREATED = Template(
    "console_hospital.key_created",
    zh="已生成医院密钥 {path}（权限 600，密钥编号 {key_id}）。\n"
    "请通过安全途径复制到每个窗口，并在其配置的 hospital_db.hospital_key_file 中填写路径；"
    "另在安全处离线保存一份：丢失后医院数据库中的个人信息将无法解密。",
    en="Hospital key {path} written (mode 600, key id {key_id}).\nCopy it safely to every window "
    "and name it in their hospital_db.hospital_key_file; keep one copy offline in a safe place: "
    "without it the personal data in the hospital database cannot be decrypted.",
)
KEY_ROTATED = Template(
    "console_hospital.key_rotated",
    zh="密钥轮换 {old} → {new}：本次重新加密 {records} 条记录、{operators} 个账号。",
    en="Key rotation {old} → {new}: {records} records and {operators} accounts re-encrypted now.",
)
KEY_LEFT_UNDER_OLD = Template(
    "console_hospital.key_left_under_old",
    zh="\n仍有 {count} 条由旧密钥加密（有窗口仍在使用旧密钥写入）："
    "请确认每个窗口都已换用新密钥并重启后，再运行一次本命令。",
    en="\n{count} are still under the old key (a window still writes with it): make sure every "
    "window uses the new key and was restarted, then run this command again.",
)
KEY_OTHER_KEYS = Template(
    "console_hospital.key_other_keys",
    zh="\n另有 {count} 条由其他密钥加密（以前的轮换未完成）：请用那把密钥作为 --old-key 再运行一次。",
    en="\n{count} more are under another key (an earlier rotation did not finish): run again with "
    "that key as --old-key.",
)
DAY_TOTAL = Template(
    "console_hospital.day_total",
    zh="全院合计 {total} = 统筹 {fund} + 个人账户 {account} + 现金 {cash}",
    en="Hospital total {total} = fund {fund} + account {account} + cash {cash}",
)
DAY_LINE = Template(
    "console_hospital.day_line",
    zh="  窗口 {window} 收费员 {operator}：{count} 笔，合计 {total} = 统筹 {fund} + 个人账户 {account} + "
    "现金 {cash}",
    en="  window {window} cashier {operator}: {count}, total {total} = fund {fund} + account "
    "{account} + cash {cash}",
)
HISTORY_HEAD = Template(
    "console_hospital.history_head",
    zh="{day} 全院结算记录 {count} 笔：",
    en="{day}: {count} settlements in the hospital:",
)
HISTORY_LINE = Template(
    "console_hospital.history_line",
    zh="  {settlement_id}  窗口 {window}  {kind}  合计 {total} = 统筹 {fund} + 个人账户 {account} + "
    "现金 {cash}{pending}",
    en="  {settlement_id}  window {window}  {kind}  total {total} = fund {fund} + account {account} "
    "+ cash {cash}{pending}",
)
KIND_CANCELLATION = Template("console_hospital.kind_cancellation", zh="撤销", en="cancellation")
KIND_CANCELLED = Template("console_hospital.kind_cancelled", zh="已撤销", en="cancelled")
KIND_SETTLEMENT = Template("console_hospital.kind_settlement", zh="结算", en="settlement")
NOT_SYNCED_YET = Template(
    "console_hospital.not_synced_yet",
    zh="（本窗口，尚未同步）",
    en=" (this window, not synced yet)",
)
NO_UNRESOLVED = Template(
    "console_hospital.no_unresolved",
    zh="全院没有未确认结果的交易。",
    en="No call without a confirmed outcome in the hospital.",
)
UNRESOLVED_HEAD = Template(
    "console_hospital.unresolved_head",
    zh="全院未确认结果的交易 {count} 笔：",
    en="{count} calls without a confirmed outcome in the hospital:",
)
UNRESOLVED_LINE = Template(
    "console_hospital.unresolved_line",
    zh="  {msgid}  窗口 {window}  {infno}  {state}  （{where}）",
    en="  {msgid}  window {window}  {infno}  {state}  ({where})",
)
WINDOW_RUNNING = Template(
    "console_hospital.window_running",
    zh="窗口运行中，由该窗口自行处理",
    en="the window runs and resolves it itself",
)
WINDOW_DOWN = Template(
    "console_hospital.window_down",
    zh="窗口未运行，可由主管在此处理",
    en="the window is not running; a supervisor may resolve it here",
)
CLAIM_WHO = Template("console_hospital.claim_who", zh="窗口 {window}", en="window {window}")
CLAIM_WHO_OPERATOR = Template(
    "console_hospital.claim_who_operator",
    zh="窗口 {window} 的 {operator}",
    en="{operator} at window {window}",
)
CLAIM_SINCE = Template("console_hospital.claim_since", zh="，自 {at} 起", en=" since {at}")
CLAIM_OWN = Template(
    "console_hospital.claim_own",
    zh="处理中：该交易所属的{who}已自行接手处理{since}；等待其结果，其他窗口不要再处理",
    en="being resolved: its own {who} took it over{since}; wait for the outcome, no other "
    "window should resolve it",
)
CLAIM_OTHER = Template(
    "console_hospital.claim_other",
    zh="处理中：{who}已接手处理{since}；等待其结果，其他窗口不要再处理",
    en="being resolved: {who} took it over{since}; wait for the outcome, no other window should "
    "resolve it",
)
DISCREPANCY = Template(
    "console_hospital.discrepancy",
    zh="  差异：{kind}  结算号 {settlement_id}  报文 {msgid}  总额 {total}  {where}",
    en="  difference: {kind}  settlement {settlement_id}  message {msgid}  total {total}  {where}",
)
