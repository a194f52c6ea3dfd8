"""The list of settings: every key of the configuration file, declared once.

Each field below is one key of the TOML file (the section's table + the field name, unless ``key=``
says otherwise) with its default, what it accepts and what it means. ``docs/configuration.md`` and
``resources/config/settlement-window.example.toml`` are generated from this module
(``python -m app.config.render --write``); ``tests/admin/test_config_render.py`` fails when they
drift. Checks that involve several keys are in :mod:`app.config.load`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from app.config.declare import (
    REQUIRED,
    Choice,
    Flag,
    Integer,
    Number,
    Roles,
    Text,
    Url,
    setting,
)
from app.config.values import (
    Coverage,
    DataFolder,
    DiseaseCodes,
    DivisionCode,
    ExistingFile,
    HospitalDbUrl,
    InstitutionCode,
    Pins,
)
from app.domain.hospital import HospitalProfile
from app.domain.operator import Role
from app.domain.scanner import ScannerConfig, Terminator

# Network logs must be kept at least six months (Cybersecurity Law Art. 21, reliability.md §4.5);
# the finance office reconciles monthly, so nothing the window holds may be purged earlier.
MIN_RETENTION_DAYS = 180
MAX_RETENTION_DAYS = 3650

_IDENTIFIER = r"[A-Za-z_]\w*"

# (Chinese, English) heading of each table of the file, in the file's order ("" = the top level).
TABLES: dict[str, tuple[str, str]] = {
    "": ("通用", "General"),
    "platform": (
        "医保平台（或本院前置机）",
        "The platform (or the hospital's front-end processor)",
    ),
    "hospital": ("本院", "This hospital"),
    "window": ("本收费窗口", "This cashier window"),
    "printer": ("票据打印", "Receipt printing"),
    "card_reader": ("读卡器", "Card reader"),
    "scanner": ("扫码枪", "Voucher scanner"),
    "cache": ("缓存与保留期限", "Cache and retention"),
    "ui": ("界面", "User interface"),
    "login": ("登录", "Login"),
    "his": ("医院信息系统（HIS）对接", "The hospital information system (HIS)"),
    "hospital_db": (
        "医院数据库（医院模式：全院各窗口共用一个 PostgreSQL）",
        "The hospital database (hospital mode: every window on one PostgreSQL)",
    ),
    "log": ("日志", "Log file"),
}


@dataclass(frozen=True)
class PlatformSettings:
    """Where and how to reach the platform (``[platform]``)."""

    url: str = setting(
        REQUIRED,
        Url(),
        zh="医保平台（或本院前置机）的接口地址。正式环境应为 https://。",
        en="The platform's (or front-end processor's) address; https:// in production.",
        example="https://ybj.example.cn",
    )
    passid: str = setting(
        REQUIRED,
        Text(required=True),
        zh="平台分配的接入账号（x-tif-paasid）。",
        en="The access account the platform assigned (x-tif-paasid).",
        example="sandbox_paasid_demo",
    )
    ec_url: str = setting(
        "",
        Url(optional=True),
        zh="医保电子凭证中台地址（解码电子凭证二维码）；留空则与 url 相同。",
        en="The e-voucher service's address (decodes voucher QR codes); empty: same as url.",
    )
    token_file: str = setting(
        "",
        Text(),
        zh="推荐：存放平台令牌（paasToken）的文件，只允许本程序的用户读取（chmod 600）。"
        "令牌只能用 token_file、token_keyring、token 三种方式之一给出。",
        en="Recommended: a file holding the platform token, readable by this program's user only "
        "(chmod 600). Give the token in exactly one of token_file, token_keyring, token.",
        example="platform-token.txt",
    )
    token_keyring: str = setting(
        "",
        Text(),
        zh="或者：操作系统密钥库中的服务名（用户名为 passid），需安装 keyring 组件。",
        en="Or: the service name in the OS keyring (user name = passid); needs the keyring extra.",
        example="settlement-window",
        alternative=True,
    )
    token: str = setting(
        "",
        Text(),
        zh="或者：令牌直接写在这里，只允许用于沙箱/培训（doctor 会给出警告）。",
        en="Or: the token inline; sandbox and training only (doctor warns).",
        example="仅沙箱使用",
        alternative=True,
    )
    connect_timeout: float = setting(
        5.0,
        Number(0.5, 60.0),
        zh="连接超时（秒）。",
        en="Connect timeout (seconds).",
    )
    read_timeout: float = setting(
        30.0,
        Number(1.0, 300.0),
        zh="读取超时（秒）。",
        en="Read timeout (seconds).",
    )
    ca_bundle: str = setting(
        "",
        ExistingFile("CA 证书文件"),
        zh="平台证书的 CA 证书文件（PEM）。留空则使用系统证书库。",
        en="CA certificate file (PEM) for the platform; empty: the system's store.",
    )
    pins: tuple[str, ...] = setting(
        (),
        Pins(),
        zh="证书指纹（SHA-256，64 位十六进制，可用冒号分隔）。可同时写当前证书和即将更换的新证书。",
        en="Certificate pins (SHA-256, 64 hex digits, colons allowed); list the next one too.",
    )
    infver: str = setting(
        "V1.0",
        Text(required=True),
        zh="接口版本号，一般不用改。",
        en="Interface version; rarely changed.",
    )
    recer_sys_code: str = setting(
        "YBXT",
        Text(required=True),
        zh="接收方系统代码，一般不用改。",
        en="Receiving system code; rarely changed.",
    )
    allow_http_loopback: bool = setting(
        default=False,
        kind=Flag(),
        zh="只在本院前置机装在本机、以 http:// 监听 127.0.0.1 时设为 true：允许非演示环境使用 http:// "
        "平台地址（只限本机回环地址）。其他情况平台地址必须是 https://。",
        en="Set true only when the hospital's front-end processor runs on this PC and listens "
        "with http:// on loopback: allows an http:// platform URL outside demo (loopback only).",
    )
    # Where the token came from (inline | file | keyring), for doctor; never the token itself.
    credential_source: str = "inline"


@dataclass(frozen=True)
class HospitalSettings:
    """This hospital (``[hospital]``); the engine gets it as a :class:`HospitalProfile`."""

    code: str = setting(
        REQUIRED,
        InstitutionCode(),
        zh="定点医药机构编码（H 加 11 位数字）。",
        en="Designated institution code (H + 11 digits).",
        example="H11010500001",
    )
    name: str = setting(
        REQUIRED,
        Text(required=True),
        zh="定点医药机构名称。",
        en="Institution name.",
        example="演示肿瘤医院（虚构）",
    )
    admdvs: str = setting(
        REQUIRED,
        DivisionCode(),
        zh="本院所在的医保区划代码（就医地，6 位）。",
        en="This hospital's division code (the place of treatment, 6 digits).",
        example="110105",
    )
    opened_diseases: frozenset[str] = setting(
        frozenset(),
        DiseaseCodes(),
        zh="本院已开通跨省直接结算的门诊慢特病编码。",
        en="Chronic/special disease codes opened here for cross-province direct settlement.",
        example=("M03900", "M01600", "M00500", "M07801", "M08301"),
    )
    general_outpatient_open: bool = setting(
        default=True,
        kind=Flag(),
        zh="是否开通跨省普通门诊直接结算。",
        en="Whether cross-province general outpatient settlement is open here.",
    )
    general_coverage: frozenset[tuple[str, str]] = setting(
        frozenset(),
        Coverage(),
        zh='参保地按普通门诊报销的病种：“省份代码:病种编码”，如 ["11:M03900", "11:M01600"]。',
        en='Diseases the insured place pays as general outpatient: "province:disease" pairs.',
    )

    def profile(self) -> HospitalProfile:
        """The domain's view of these settings."""
        return HospitalProfile(**{item.name: getattr(self, item.name) for item in fields(self)})


@dataclass(frozen=True)
class WindowSettings:
    """This cashier window (``[window]``)."""

    device_no: str = setting(
        "W01",
        Text(required=True),
        zh="本窗口的编号（写入每笔交易的终端号）。",
        en="This window's number (sent as the terminal number of every transaction).",
    )
    ip: str = setting("127.0.0.1", Text(), zh="本窗口的 IP 地址。", en="This window's IP address.")
    mac: str = setting("", Text(), zh="本窗口的 MAC 地址。", en="This window's MAC address.")


@dataclass(frozen=True)
class PrinterSettings:
    """Receipt output (``[printer]``)."""

    kind: str = setting(
        "pdf",
        Choice(("pdf", "system", "escpos")),
        zh="打印方式：pdf（生成 PDF 文件）、system（系统打印机，经打印预览）、escpos（热敏小票机）。",
        en="pdf (files), system (the system printer through the preview), escpos (thermal).",
    )
    layout: str = setting(
        "thermal80",
        Choice(("thermal80", "a5", "a4")),
        zh="票据版式：thermal80（80 毫米热敏）、a5、a4。escpos 只支持 thermal80。",
        en="Receipt layout; escpos supports thermal80 only.",
    )
    name: str = setting(
        "",
        Text(),
        zh="系统打印机名称（kind = system 时使用；留空为默认打印机）。",
        en="System printer name (kind = system; empty: the default printer).",
    )
    escpos_device: str = setting(
        "",
        Text(),
        zh="热敏小票机设备（kind = escpos 时必填），如 /dev/usb/lp0 或 COM3。",
        en="Thermal printer device (required with kind = escpos), e.g. /dev/usb/lp0 or COM3.",
    )


@dataclass(frozen=True)
class CardReaderSettings:
    """Card reader adapter (``[card_reader]``)."""

    kind: str = setting(
        "simulated",
        Choice(("simulated", "vendor")),
        zh="读卡器：simulated（模拟，仅培训）或 vendor（厂商读卡库，社保卡的受保护信息只能由它读取）。",
        en="simulated (training only) or vendor (the vendor's library, the only way to read the "
        "card's protected fields).",
    )
    library: str = setting(
        "",
        Text(),
        zh="厂商读卡库的路径（kind = vendor 时必填），或 32 位读卡助手的地址，"
        "如 ws://127.0.0.1:12342。",
        en="The vendor library's path (kind = vendor), or the 32-bit helper's address.",
    )
    function: str = setting(
        "iReadCardBas",
        Text(required=True, pattern=_IDENTIFIER, pattern_zh="不是有效的函数名。"),
        zh="读卡函数名（社保卡一般为 iReadCardBas）。",
        en="The library's read function (usually iReadCardBas).",
    )


@dataclass(frozen=True)
class ScannerSettings:
    """The e-voucher scanner (``[scanner]``): a keyboard wedge, or a serial/USB-CDC port."""

    kind: str = setting(
        "keyboard",
        Choice(("keyboard", "serial")),
        zh="扫码枪接法：keyboard（键盘模式）或 serial（串口/USB 虚拟串口，需要 port）。",
        en="keyboard (keyboard wedge) or serial (serial or USB-CDC port; needs port).",
    )
    port: str = setting(
        "",
        Text(),
        zh="串口扫码枪的端口（kind = serial 时必填），如 /dev/ttyACM0 或 COM4。",
        en="The serial scanner's port (required with kind = serial), e.g. /dev/ttyACM0 or COM4.",
    )
    baudrate: int = setting(
        9600,
        Integer(1200, 921600),
        zh="串口扫码枪的波特率。",
        en="The serial scanner's baud rate.",
    )
    prefix: str = setting(
        "",
        Text(),
        zh="扫码枪在条码前附加的字符。",
        en="Characters the scanner sends before a code.",
    )
    suffix: str = setting(
        "", Text(), zh="扫码枪在条码后附加的字符。", en="Characters the scanner sends after a code."
    )
    terminator: str = setting(
        "CR",
        Choice(("CR", "LF", "CRLF")),
        zh="条码的结束符：CR、LF 或 CRLF。",
        en="The code's terminator.",
    )
    max_interval_ms: int = setting(
        30,
        Integer(5, 500, "毫秒"),
        zh="键盘模式：扫码枪两次按键的最大间隔（毫秒）。",
        en="Keyboard wedge: the longest gap between two keys of one scan (ms).",
    )
    min_length: int = setting(
        16,
        Integer(1, 4096),
        zh="最短条码长度。",
        en="The shortest code.",
    )

    def recogniser(self) -> ScannerConfig:
        """The framing and timing rules of :mod:`app.domain.scanner` from these settings."""
        return ScannerConfig(
            prefix=self.prefix,
            suffix=self.suffix,
            terminator=Terminator(self.terminator),
            max_interval_ms=self.max_interval_ms,
            min_length=self.min_length,
        )


@dataclass(frozen=True)
class LoginSettings:
    """Login-failure handling and the second factor (``[login]``; reliability.md §4.4, S4)."""

    max_failures: int = setting(
        5,
        Integer(3, 10),
        zh="连续登录失败几次后锁定账号。输错动态验证码也计入失败次数。",
        en="Failed logins (wrong one-time codes included) before the account is locked.",
    )
    lockout_minutes: int = setting(
        15, Integer(1, 1440, "分钟"), zh="锁定多少分钟。", en="How long (minutes)."
    )
    second_factor_roles: tuple[Role, ...] = setting(
        (Role.SUPERVISOR, Role.ADMIN),
        Roles(),
        zh="哪些角色必须使用动态验证码（手机验证器应用，每 30 秒一个 6 位数字）作为第二重验证。"
        "列出的角色在信息科为其绑定验证器（users totp-enroll）之前不能登录；"
        "已绑定验证器的账号无论角色如何，登录和授权时都要输入验证码。",
        en="Roles that must give a one-time code (TOTP) after the password; such an account "
        "cannot log in before an authenticator is enrolled (users totp-enroll).",
    )


@dataclass(frozen=True)
class LogSettings:
    """The rotating log file in the data directory (``[log]``)."""

    level: str = setting(
        "INFO",
        Choice(("INFO", "DEBUG", "WARNING", "ERROR")),
        zh="日志级别。日志中的身份证号、卡号、令牌等会被自动遮盖。",
        en="Log level; ID numbers, card numbers and tokens are masked in the log.",
    )
    max_bytes: int = setting(
        5_000_000,
        Integer(100_000, 1_000_000_000),
        zh="单个日志文件的最大字节数。",
        en="Largest size of one log file (bytes).",
    )
    backup_count: int = setting(
        10, Integer(1, 100), zh="保留的日志文件个数。", en="Rotated log files kept."
    )


@dataclass(frozen=True)
class HisSettings:
    """How the window reaches the HIS (``[his]``; docs/his-integration.md)."""

    kind: str = setting(
        "none",
        Choice(("none", "http", "middle", "folder")),
        zh="HIS 对接方式：none（不对接，收费员录入费用）、http（HTTP JSON 接口）、"
        "middle（数据库中间表）、folder（交换目录）。",
        en="none, http (HTTP JSON), middle (database middle tables) or folder (exchange folder).",
    )
    url: str = setting(
        "",
        Text(),
        zh="kind = http：HIS 接口地址，如 http://his.example:8080/settlement-window/；"
        "kind = middle：SQLAlchemy 数据库地址，如 postgresql+psycopg://user@host/db。",
        en="http: the HIS's base URL; middle: the SQLAlchemy database URL.",
    )
    token: str = setting(
        "",
        Text(),
        zh="kind = http：HIS 接口令牌（Bearer），没有则留空。",
        en="http: the bearer token, if the HIS requires one.",
    )
    folder: str = setting(
        "",
        Text(),
        zh="kind = folder：交换目录（其下 in、out、ack 三个子目录）。",
        en="folder: the exchange folder (in, out and ack below it).",
    )
    pending_table: str = setting(
        "his_pending_charges",
        Text(
            required=True, pattern=r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)?", pattern_zh="不是有效的表名。"
        ),
        zh="kind = middle：待收费明细表或视图的名称（可带模式名）。",
        en="middle: the pending-charges table or view (may be schema-qualified).",
    )
    results_table: str = setting(
        "his_settle_results",
        Text(
            required=True, pattern=r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)?", pattern_zh="不是有效的表名。"
        ),
        zh="kind = middle：结算结果表的名称（可带模式名）。",
        en="middle: the results table (may be schema-qualified).",
    )
    timeout: float = setting(
        10.0,
        Number(1.0, 120.0, "秒"),
        zh="等待 HIS 应答的最长时间（秒）。",
        en="How long to wait for the HIS (seconds).",
    )
    lock: bool = setting(
        default=True,
        kind=Flag(),
        zh="HIS 是否提供收费明细锁定（先锁定再缴费；中间表 his_charge_locks、HTTP charges/lock、"
        "交换目录 lock/）。医院模式下医院数据库连不上时，由 HIS 的锁定保证同一明细只在一个窗口结算；"
        "HIS 不提供时设为 false（此时医院数据库连不上则不能结算 HIS 费用）。",
        en="Whether the HIS offers the charge-line lock (lock-then-pay: middle table his_charge_locks, "
        "HTTP charges/lock, folder lock/). In hospital mode it arbitrates between windows while the "
        "hospital database is unreachable; false when the HIS does not offer it (HIS visits are "
        "then refused while the hospital database is unreachable).",
    )


@dataclass(frozen=True)
class HospitalDbSettings:
    """Hospital mode (``[hospital_db]``; docs/hospital-mode.md). An empty ``url`` switches it off."""

    url: str = setting(
        "",
        HospitalDbUrl(),
        zh="医院数据库地址，如 postgresql+psycopg://w01@db.hospital.lan:5432/hospital"
        "?sslmode=verify-full。留空（默认）则不启用医院模式，本窗口只使用本机数据库。"
        "地址中不能写密码；连接其他服务器时必须使用 sslmode=verify-full。",
        en="The hospital database, e.g. postgresql+psycopg://w01@db.hospital.lan:5432/hospital"
        "?sslmode=verify-full. Empty (the default): hospital mode off, the local database only. "
        "No password in the URL; sslmode=verify-full for any server but this machine.",
    )
    password_file: str = setting(
        "",
        ExistingFile("医院数据库密码文件"),
        zh="存放医院数据库密码的文件（第一行为密码，权限 600）；服务器不要求密码时留空。",
        en="A file holding the database password (first line, chmod 600); empty when none.",
    )
    hospital_key_file: str = setting(
        "",
        ExistingFile("医院密钥文件"),
        zh="医院密钥文件（32 字节，权限 600），由信息科用 hospital key-create 生成后复制到每个窗口，"
        "用于加密医院数据库中的个人信息。启用医院模式时必填；窗口不会自动生成它。",
        en="The hospital key (32 bytes, chmod 600) IT creates with hospital key-create and copies "
        "to every window; encrypts personal data in the hospital database. Required with url.",
    )
    sync_interval_seconds: float = setting(
        2.0,
        Number(0.5, 300.0, "秒"),
        zh="没有待上传记录时，多久检查一次并向医院数据库报告本窗口状态（秒）。",
        en="How often the window checks for records to send and reports itself (seconds).",
    )

    @property
    def enabled(self) -> bool:
        """Whether hospital mode is on."""
        return bool(self.url)


def _table(cls: type, *, required: bool = False) -> dict[str, object]:
    """Marks a field of :class:`Settings` as the table of the same name, declared by ``cls``."""
    return {"table": cls, "required": required}


@dataclass(frozen=True)
class Settings:
    """Everything configurable, validated."""

    platform: PlatformSettings = field(metadata=_table(PlatformSettings, required=True))
    hospital: HospitalProfile = field(metadata=_table(HospitalSettings, required=True))
    window: WindowSettings = field(default_factory=WindowSettings, metadata=_table(WindowSettings))
    printer: PrinterSettings = field(
        default_factory=PrinterSettings, metadata=_table(PrinterSettings)
    )
    card_reader: CardReaderSettings = field(
        default_factory=CardReaderSettings, metadata=_table(CardReaderSettings)
    )
    scanner: ScannerSettings = field(
        default_factory=ScannerSettings, metadata=_table(ScannerSettings)
    )
    data_dir: str = setting(
        "",
        DataFolder(),
        zh="数据目录：本地数据库、日志、备份都放在这里。必须是本机磁盘（不要放在网络盘上）。"
        "留空则使用当前用户的默认数据目录。",
        en="The data folder (database, logs, backups); a local disk. Empty: the user's default.",
        example="data",
    )
    cache_max_age_hours: int = setting(
        24,
        Integer(0, 720, "小时"),
        key="cache.max_age_hours",
        zh="参保人信息缓存的有效时间（小时）。缓存只用于显示，不用于结算。",
        en="How long cached insured-person data is shown (hours); never used to settle.",
    )
    retention_days: int = setting(
        MIN_RETENTION_DAYS,
        Integer(MIN_RETENTION_DAYS, MAX_RETENTION_DAYS, "天"),
        key="cache.retention_days",
        zh="缓存的个人信息保留天数；到期由 backup purge 清除。"
        "结算记录和交易日志在对账并导出之前始终保留。",
        en="Days cached personal data is kept (backup purge removes older data); settlements "
        "and the journal are kept until reconciled and exported.",
    )
    language: str = setting(
        "zh_CN", Choice(("zh_CN", "en")), key="ui.language", zh="界面语言。", en="UI language."
    )
    idle_lock_minutes: int = setting(
        15,
        Integer(1, 60, "分钟"),
        key="ui.idle_lock_minutes",
        zh="无操作自动锁屏（分钟）。",
        en="Lock the window after this many idle minutes.",
    )
    demo: bool = setting(
        default=False,
        kind=Flag(),
        zh="演示/培训模式（使用内置沙箱平台）。正式环境必须为 false。",
        en="Demo/training mode (the built-in sandbox); false in production.",
    )
    login: LoginSettings = field(default_factory=LoginSettings, metadata=_table(LoginSettings))
    log: LogSettings = field(default_factory=LogSettings, metadata=_table(LogSettings))
    his: HisSettings = field(default_factory=HisSettings, metadata=_table(HisSettings))
    hospital_db: HospitalDbSettings = field(
        default_factory=HospitalDbSettings, metadata=_table(HospitalDbSettings)
    )
    warnings: tuple[str, ...] = ()
