"""The console's ``doctor`` lines that ``app/cli/doctor.py`` words itself (the judgements shared with
the window are in :mod:`app.messages.doctor`). The Chinese is what ``doctor`` printed before, word for
word; the English is shown with ``[ui] language = "en"``.
"""

from __future__ import annotations

from app.messages import Template

TITLES: dict[str, Template] = {
    key: Template(f"console_doctor.title_{key}", zh=zh, en=en)
    for key, zh, en in (
        ("config", "配置", "Configuration"),
        ("data_dir", "数据目录", "Data folder"),
        ("database", "数据库", "Database"),
        ("sqlite", "SQLite 版本", "SQLite version"),
        ("platform", "平台连通", "Platform reachable"),
        ("sign_in", "TLS 和签名", "TLS and signature"),
        ("clock", "时钟", "Clock"),
        ("voucher", "电子凭证服务", "E-voucher service"),
        ("card_reader", "读卡器", "Card reader"),
        ("printer", "打印机", "Printer"),
        ("fonts", "字体", "Fonts"),
        ("journal", "未完成交易", "Unfinished calls"),
        ("journal_awaiting", "等待医院服务器", "Waiting for the hospital server"),
        ("his", "HIS 连通", "HIS reachable"),
        ("audit", "审计记录链", "Audit chain"),
        ("his_outbox", "HIS 结果回传", "Results to the HIS"),
        ("second_factor", "动态验证码", "One-time codes"),
        ("hospital_db", "医院数据库", "Hospital database"),
        ("his_lock", "HIS 锁定", "HIS lock"),
        ("charge_conflicts", "重复收费冲突", "Charge conflicts"),
    )
}
NEEDS_CONFIG = Template(
    "console_doctor.needs_config",
    zh="配置有误，无法检查此项（见“配置”一行）。",
    en="The configuration is wrong, so this cannot be checked (see the Configuration line).",
)
NEEDS_DATABASE = Template(
    "console_doctor.needs_database",
    zh="数据库没有打开，无法检查此项（见“数据库”一行）。",
    en="The database is not open, so this cannot be checked (see the Database line).",
)
CONFIG_OK = Template(
    "console_doctor.config_ok", zh="{hospital}，窗口 {window}。", en="{hospital}, window {window}."
)
DATA_DIR_UNWRITABLE = Template(
    "console_doctor.data_dir_unwritable",
    zh="数据目录 {folder} 无法写入，请检查权限或磁盘。",
    en="The data folder {folder} cannot be written; check its permissions or the disk.",
)
DATA_DIR_SPACE = Template(
    "console_doctor.data_dir_space", zh="{folder}：{space}", en="{folder}: {space}"
)
DATA_DIR_OPEN = Template(
    "console_doctor.data_dir_open",
    zh="数据目录 {folder} 其他用户也可访问，建议执行 chmod 700 {folder}。{space}",
    en="Other accounts can open the data folder {folder}; run chmod 700 {folder}. {space}",
)
DATA_DIR_OK = Template(
    "console_doctor.data_dir_ok", zh="{folder} 可写，{space}", en="{folder} is writable, {space}"
)
DATABASE_DAMAGED = Template(
    "console_doctor.database_damaged",
    zh="数据库完整性检查失败（{result}）。请停止收费，从最近的备份恢复并联系信息科。",
    en="The database's integrity check failed ({result}). Stop charging, restore the latest "
    "backup and call the IT staff.",
)
DATABASE_NEW = Template("console_doctor.database_new", zh="（新建）", en=" (new)")
DATABASE_OK = Template(
    "console_doctor.database_ok",
    zh="{name}{new} 完整性正常，journal_mode={journal_mode}，synchronous=FULL。",
    en="{name}{new}: integrity OK, journal_mode={journal_mode}, synchronous=FULL.",
)
REACHABLE = Template(
    "console_doctor.reachable",
    zh="{url} 可以连通（HTTP {status}）。",
    en="{url} answers (HTTP {status}).",
)
PLAIN_HTTP = Template(
    "console_doctor.plain_http",
    zh="HTTP（未加密，仅限内网/沙箱）",
    en="HTTP (not encrypted: internal network or sandbox only)",
)
PINS = Template("console_doctor.pins", zh="，证书指纹 {count} 个", en=", {count} certificate pins")
SIGNED_IN = Template(
    "console_doctor.signed_in",
    zh="签到（9001）成功，{tls}{pins}，签名被平台接受。",
    en="Sign-in (9001) succeeded, {tls}{pins}; the platform accepted the signature.",
)
NO_SERVER_TIME = Template(
    "console_doctor.no_server_time",
    zh="平台没有返回时间，无法比较时钟（见“平台连通”一行）。",
    en="The platform sent no time, so the clocks cannot be compared (see the Platform line).",
)
SIMULATED_READER = Template(
    "console_doctor.simulated_reader",
    zh="未配置读卡器（card_reader.kind = simulated：模拟卡只在培训窗口 demo = true 或 --demo 演示模式中提供），"
    "本窗口只能用电子凭证或身份证号识别患者；正式收费请配置厂商读卡库（kind = vendor）。",
    en="No card reader is configured (card_reader.kind = simulated: simulated cards exist only in a "
    "training window, demo = true, or the --demo mode); this window identifies patients by "
    "e-voucher or ID number only. To charge, configure the vendor's card library (kind = vendor).",
)
SIMULATED_READER_TRAINING = Template(
    "console_doctor.simulated_reader_training",
    zh="模拟读卡器（培训窗口）：F6 选择沙箱人员的模拟卡，F2 读卡；正式收费请配置厂商读卡库（kind = vendor）。",
    en="Simulated card reader (training window): F6 picks a sandbox person's simulated card, F2 "
    "reads it. To charge, configure the vendor's card library (kind = vendor).",
)
READER_HELPER = Template(
    "console_doctor.reader_helper",
    zh="使用读卡助手 {library}（请插卡试读一次）。",
    en="Card reader helper {library} (insert a card once to try it).",
)
READER_LIBRARY = Template(
    "console_doctor.reader_library",
    zh="读卡库 {library} 已找到，函数 {function}（请插卡试读一次）。",
    en="Card reader library {library} found, function {function} (insert a card once to try it).",
)
PRINTER_PDF = Template(
    "console_doctor.printer_pdf",
    zh="票据保存为 PDF（{layout}）。",
    en="Receipts are saved as PDF ({layout}).",
)
PRINTER_MISSING = Template(
    "console_doctor.printer_missing",
    zh="热敏打印机设备 {device} 不存在，请检查连接。",
    en="The thermal printer device {device} does not exist; check its connection.",
)
PRINTER_THERMAL = Template(
    "console_doctor.printer_thermal",
    zh="热敏打印机 {device}（请打印测试页确认）。",
    en="Thermal printer {device} (print a test page to make sure).",
)
DEFAULT_PRINTER = Template(
    "console_doctor.default_printer", zh="系统默认打印机", en="the system's default printer"
)
PRINTER_SYSTEM = Template(
    "console_doctor.printer_system",
    zh="使用 {name}（{layout}，请打印测试页确认）。",
    en="Using {name} ({layout}; print a test page to make sure).",
)
NO_FONTS = Template(
    "console_doctor.no_fonts",
    zh="{folder} 中没有字体文件，票据上的中文会无法显示。请重新安装。",
    en="{folder} holds no font file: Chinese on the receipts cannot be shown. Install again.",
)
FONTS = Template(
    "console_doctor.fonts", zh="已带中文字体：{files}。", en="Chinese fonts included: {files}."
)
HOSPITAL_OFF = Template(
    "console_doctor.hospital_off",
    zh="未启用医院模式（[hospital_db] url 为空），只使用本机数据库。",
    en="Hospital mode is off ([hospital_db] url is empty): this machine's database only.",
)
NOT_BUILT_YET = Template("console_doctor.not_built_yet", zh="尚未建立", en="not created yet")
HOSPITAL_SCHEMA_OLD = Template(
    "console_doctor.hospital_schema_old",
    zh="医院数据库的表结构不是当前版本（{revision}），请信息科用数据库属主账号运行 hospital init-db。",
    en="The hospital database's schema is not the current one ({revision}): IT runs hospital "
    "init-db as the schema's owner.",
)
HOSPITAL_NOT_STARTED = Template(
    "console_doctor.hospital_not_started",
    zh="医院数据库可以连接，但本窗口尚未开始同步：打开收费窗口或运行 hospital sync 后开始。",
    en="The hospital database answers but this window has not started syncing: open the window "
    "or run hospital sync.",
)
NO_HIS = Template(
    "console_doctor.no_his",
    zh="未对接 HIS（his.kind = none），收费员录入费用。",
    en="No HIS (his.kind = none): the cashiers enter the fees.",
)
HIS_UNREACHABLE = Template(
    "console_doctor.his_unreachable",
    zh="HIS（{kind}）无法访问：{error} 请检查 [his] 配置、网络和 HIS 服务。",
    en="The HIS ({kind}) cannot be reached: {error} Check [his], the network and the HIS service.",
)
HIS_REACHABLE = Template(
    "console_doctor.his_reachable", zh="HIS（{kind}）可以访问。", en="The HIS ({kind}) answers."
)
CERTIFICATE_REFUSED = Template(
    "console_doctor.certificate_refused",
    zh="{url} 的证书校验失败，请检查 platform.ca_bundle。",
    en="{url}'s certificate was refused; check platform.ca_bundle.",
)
CANNOT_CONNECT = Template(
    "console_doctor.cannot_connect",
    zh="无法连接 {url}（{kind}）。请检查网络、前置机和地址配置。",
    en="Cannot connect to {url} ({kind}). Check the network, the front-end processor and the URL.",
)
INLINE_TOKEN = Template(
    "console_doctor.inline_token",
    zh="platform.token 直接写在配置文件里，只适用于沙箱/培训环境；正式环境请改用 token_file 或 "
    "token_keyring。",
    en="platform.token is written in the configuration file, which is for the sandbox and training "
    "only; in production use token_file or token_keyring.",
)
WARNINGS = Template("console_doctor.warnings", zh="{warnings}", en="{warnings}")
