"""Settings: declared once, typed, validated on load with Chinese errors that name the key.

The file is TOML (read with stdlib ``tomllib``). Every key is checked: unknown keys are refused with
their name (a typo must not silently fall back to a default), values are checked for type and range,
and paths are checked against the file system. Relative paths are taken relative to the configuration
file's folder.

Secrets (the platform token) come from exactly one of:

* ``platform.token`` — inline, for the sandbox only (a warning is recorded in ``Settings.warnings``);
* ``platform.token_file`` — a file readable only by the app's user (group/other-readable files are
  refused on POSIX);
* ``platform.token_keyring`` — the OS keyring (service name; the user name is ``platform.passid``),
  through the optional ``keyring`` package, imported only when used.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import platformdirs

from app.domain.disease import is_pilot
from app.domain.hospital import HospitalProfile, is_institution_code
from app.domain.operator import Role
from app.domain.region import is_division_code
from app.errors import ConfigError

RECEIPT_LAYOUTS = ("thermal80", "a5", "a4")
PRINTER_KINDS = ("pdf", "system", "escpos")
CARD_READER_KINDS = ("simulated", "vendor", "pcsc")
SCANNER_TERMINATORS = ("CR", "LF", "CRLF")
LANGUAGES = ("zh_CN", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# Network logs must be kept at least six months (Cybersecurity Law Art. 21, reliability.md §4.5);
# the finance office reconciles monthly, so nothing the window holds may be purged earlier.
MIN_RETENTION_DAYS = 180
MAX_RETENTION_DAYS = 3650

CONNECT_TIMEOUT_RANGE = (0.5, 60.0)
READ_TIMEOUT_RANGE = (1.0, 300.0)
IDLE_LOCK_RANGE = (1, 60)
CACHE_AGE_RANGE = (0, 720)

INLINE_CREDENTIAL_WARNING = "platform.token 直接写在配置文件里，只适用于沙箱/培训环境；正式环境请改用 token_file 或 token_keyring。"

_PIN = re.compile(r"^[0-9a-f]{64}$")

# Every key the file may contain, per table; anything else is a typo and refused.
_KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "platform",
            "hospital",
            "window",
            "printer",
            "card_reader",
            "scanner",
            "cache",
            "ui",
            "login",
            "log",
            "data_dir",
            "demo",
        }
    ),
    "platform": frozenset(
        {
            "url",
            "ec_url",
            "passid",
            "token",
            "token_file",
            "token_keyring",
            "connect_timeout",
            "read_timeout",
            "ca_bundle",
            "pins",
            "infver",
            "recer_sys_code",
        }
    ),
    "hospital": frozenset(
        {"code", "name", "admdvs", "opened_diseases", "general_outpatient_open", "general_coverage"}
    ),
    "window": frozenset({"device_no", "ip", "mac"}),
    "printer": frozenset({"kind", "layout", "name", "escpos_device"}),
    "card_reader": frozenset({"kind", "library", "function"}),
    "scanner": frozenset({"prefix", "suffix", "terminator", "max_interval_ms", "min_length"}),
    "cache": frozenset({"max_age_hours", "retention_days"}),
    "ui": frozenset({"language", "idle_lock_minutes"}),
    "login": frozenset({"max_failures", "lockout_minutes", "second_factor_roles"}),
    "log": frozenset({"level", "max_bytes", "backup_count"}),
}


@dataclass(frozen=True)
class PlatformSettings:
    """Where and how to reach the platform."""

    url: str
    ec_url: str
    passid: str
    token: str
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    ca_bundle: str = ""
    pins: tuple[str, ...] = ()
    infver: str = "V1.0"
    recer_sys_code: str = "YBXT"
    credential_source: str = (
        "inline"  # inline | file | keyring (for doctor; never the token itself)
    )


@dataclass(frozen=True)
class WindowSettings:
    """This cashier window."""

    device_no: str = "W01"
    ip: str = "127.0.0.1"
    mac: str = ""


@dataclass(frozen=True)
class PrinterSettings:
    """Receipt output."""

    kind: str = "pdf"
    layout: str = "thermal80"
    name: str = ""
    escpos_device: str = ""


@dataclass(frozen=True)
class CardReaderSettings:
    """Card reader adapter."""

    kind: str = "simulated"
    library: str = ""
    function: str = "iReadCardBas"


@dataclass(frozen=True)
class ScannerSettings:
    """Keyboard-wedge scanner recognition."""

    prefix: str = ""
    suffix: str = ""
    terminator: str = "CR"
    max_interval_ms: int = 30
    min_length: int = 16


DEFAULT_SECOND_FACTOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class LoginSettings:
    """Login-failure handling and the second factor (reliability.md §4.4, S4).

    ``second_factor_roles``: roles that must give a one-time code (TOTP) after the password; an
    account of such a role without an enrolled authenticator cannot log in.
    """

    max_failures: int = 5
    lockout_minutes: int = 15
    second_factor_roles: tuple[Role, ...] = DEFAULT_SECOND_FACTOR_ROLES


@dataclass(frozen=True)
class LogSettings:
    """The rotating log file in the data directory."""

    level: str = "INFO"
    max_bytes: int = 5_000_000
    backup_count: int = 10


@dataclass(frozen=True)
class Settings:
    """Everything configurable, validated."""

    platform: PlatformSettings
    hospital: HospitalProfile
    window: WindowSettings = field(default_factory=WindowSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    card_reader: CardReaderSettings = field(default_factory=CardReaderSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    data_dir: str = ""
    cache_max_age_hours: int = 24
    retention_days: int = 180
    language: str = "zh_CN"
    idle_lock_minutes: int = 15
    demo: bool = False
    login: LoginSettings = field(default_factory=LoginSettings)
    log: LogSettings = field(default_factory=LogSettings)
    warnings: tuple[str, ...] = ()


def _fail(key: str, text: str) -> ConfigError:
    return ConfigError(text, detail={"key": key})


def _check_known(section: Mapping[str, Any], table: str) -> None:
    unknown = sorted(set(section) - _KNOWN_KEYS[table])
    if unknown:
        first = f"{table}.{unknown[0]}" if table else unknown[0]
        where = f"[{table}] 段" if table else "配置文件顶层"
        raise _fail(
            first,
            f"配置项 {first} 不认识（{where}没有这个项目，是否拼写错误？）。"
            f"可用的项目：{'、'.join(sorted(_KNOWN_KEYS[table]))}。",
        )


def _table(data: Mapping[str, Any], key: str, *, required: bool = False) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise _fail(key, f"配置缺少 [{key}] 部分。")
        return {}
    if not isinstance(value, Mapping):
        raise _fail(key, f"配置项 [{key}] 应为一个表（[{key}] 段）。")
    _check_known(value, key)
    return value


def _str(section: Mapping[str, Any], name: str, key: str, default: str | None = None) -> str:
    value = section.get(name, default)
    if value is None:
        raise _fail(key, f"配置缺少 {key}。")
    if not isinstance(value, str):
        raise _fail(key, f"配置项 {key} 应为文字（加引号）。")
    return value


def _required_text(section: Mapping[str, Any], name: str, key: str) -> str:
    value = _str(section, name, key).strip()
    if not value:
        raise _fail(key, f"配置项 {key} 不能为空。")
    return value


def _number(
    section: Mapping[str, Any], name: str, key: str, default: float, bounds: tuple[float, float]
) -> float:
    value = section.get(name, default)
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(key, f"配置项 {key} 应为数字（单位：秒），范围 {low:g}–{high:g}。")
    if not low <= value <= high:
        raise _fail(key, f"配置项 {key} 的值 {value:g} 超出范围，应在 {low:g}–{high:g} 之间。")
    return float(value)


def _int(
    section: Mapping[str, Any],
    name: str,
    key: str,
    default: int,
    bounds: tuple[int, int] = (0, 2**31 - 1),
) -> int:
    value = section.get(name, default)
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(key, f"配置项 {key} 应为整数（不加引号），范围 {low}–{high}。")
    if not low <= value <= high:
        raise _fail(key, f"配置项 {key} 的值 {value} 超出范围，应在 {low}–{high} 之间。")
    return value


def _bool(section: Mapping[str, Any], name: str, key: str, *, default: bool) -> bool:
    value = section.get(name, default)
    if not isinstance(value, bool):
        raise _fail(key, f"配置项 {key} 应为 true 或 false（不加引号）。")
    return value


def _choice(section: Mapping[str, Any], name: str, key: str, choices: tuple[str, ...]) -> str:
    value = _str(section, name, key, choices[0])
    if value not in choices:
        raise _fail(key, f"配置项 {key} 的值“{value}”无效，可选：{'、'.join(choices)}。")
    return value


def _str_list(section: Mapping[str, Any], name: str, key: str, what: str) -> list[str]:
    value = section.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(key, f'配置项 {key} 应为{what}列表，如 ["…", "…"]。')
    return list(value)


def _roles(
    section: Mapping[str, Any], name: str, key: str, default: tuple[Role, ...]
) -> tuple[Role, ...]:
    if name not in section:
        return default
    choices = "、".join(f'"{r.value}"（{r.label}）' for r in Role)
    value = section[name]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(
            key, f'配置项 {key} 应为角色列表，如 ["supervisor", "admin"]；可选：{choices}。'
        )
    roles = []
    for text in value:
        try:
            role = Role(text.strip())
        except ValueError:
            raise _fail(
                key, f"配置项 {key} 中的“{text}”不是有效的角色，可选：{choices}。"
            ) from None
        if role not in roles:
            roles.append(role)
    return tuple(sorted(roles, key=list(Role).index))


def _resolve(base_dir: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base_dir / path


def _url(section: Mapping[str, Any], name: str, key: str, default: str | None = None) -> str:
    url = _str(section, name, key, default).strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or " " in url:
        raise _fail(
            key, f"配置项 {key}“{url}”不是有效的网址，应以 http:// 或 https:// 开头并带主机名。"
        )
    return url


def _pins(section: Mapping[str, Any]) -> tuple[str, ...]:
    key = "platform.pins"
    pins = []
    for raw in _str_list(section, "pins", key, "证书指纹"):
        pin = raw.replace(":", "").strip().lower()
        if not _PIN.match(pin):
            raise _fail(
                key,
                f"platform.pins 中的“{raw}”不是 SHA-256 证书指纹：应为 64 位十六进制数字"
                "（可用冒号分隔）。",
            )
        pins.append(pin)
    return tuple(pins)


def _ca_bundle(section: Mapping[str, Any], base_dir: Path) -> str:
    value = _str(section, "ca_bundle", "platform.ca_bundle", "").strip()
    if not value:
        return ""
    path = _resolve(base_dir, value)
    if not path.is_file():
        raise _fail(
            "platform.ca_bundle",
            f"platform.ca_bundle 指定的 CA 证书文件 {path} 不存在，请检查路径。",
        )
    return str(path)


def _token_from_file(value: str, base_dir: Path) -> str:
    key = "platform.token_file"
    path = _resolve(base_dir, value)
    try:
        info = path.stat()
    except OSError:
        raise _fail(key, f"platform.token_file 指定的文件 {path} 不存在或无法访问。") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise _fail(
            key,
            f"令牌文件 {path} 的权限过宽（其他用户可读）。请执行 chmod 600 {path} 后重试。",
        )
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise _fail(key, f"无法读取 platform.token_file 指定的文件 {path}，请检查权限。") from None
    if not token:
        raise _fail(key, f"令牌文件 {path} 是空的，请写入平台分配的令牌。")
    return token


def _token_from_keyring(service: str, passid: str) -> str:
    key = "platform.token_keyring"
    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        raise _fail(
            key,
            "配置了 platform.token_keyring，但没有安装 keyring 组件。"
            "请安装 settlement-window[keyring]，或改用 token_file。",
        ) from None
    try:
        token = keyring.get_password(service, passid)
    except Exception:  # any backend failure means the same thing to the admin
        raise _fail(key, "无法访问系统密钥库，请确认已登录桌面会话或改用 token_file。") from None
    if not isinstance(token, str) or not token:
        raise _fail(
            key,
            f"系统密钥库中没有服务“{service}”、用户“{passid}”的令牌，请先保存令牌。",
        )
    return token


def _token(section: Mapping[str, Any], passid: str, base_dir: Path) -> tuple[str, str]:
    """The token and where it came from (``inline``, ``file`` or ``keyring``)."""
    given = [name for name in ("token", "token_file", "token_keyring") if name in section]
    if not given:
        raise _fail(
            "platform.token",
            "配置缺少平台令牌：请设置 platform.token_file（推荐）、platform.token_keyring，"
            "或仅在沙箱中使用 platform.token。",
        )
    if len(given) > 1:
        names = "、".join(f"platform.{g}" for g in given)
        raise _fail(f"platform.{given[1]}", f"{names} 只能设置其中一个。")
    source = given[0]
    value = _required_text(section, source, f"platform.{source}")
    if source == "token_file":
        return _token_from_file(value, base_dir), "file"
    if source == "token_keyring":
        return _token_from_keyring(value, passid), "keyring"
    return value, "inline"


def _platform(data: Mapping[str, Any], base_dir: Path) -> PlatformSettings:
    section = _table(data, "platform", required=True)
    url = _url(section, "url", "platform.url")
    passid = _required_text(section, "passid", "platform.passid")
    token, origin = _token(section, passid, base_dir)
    return PlatformSettings(
        url=url,
        ec_url=_url(section, "ec_url", "platform.ec_url", url),
        passid=passid,
        token=token,
        connect_timeout=_number(
            section, "connect_timeout", "platform.connect_timeout", 5.0, CONNECT_TIMEOUT_RANGE
        ),
        read_timeout=_number(
            section, "read_timeout", "platform.read_timeout", 30.0, READ_TIMEOUT_RANGE
        ),
        ca_bundle=_ca_bundle(section, base_dir),
        pins=_pins(section),
        infver=_required_text(
            {"infver": section.get("infver", "V1.0")}, "infver", "platform.infver"
        ),
        recer_sys_code=_required_text(
            {"v": section.get("recer_sys_code", "YBXT")}, "v", "platform.recer_sys_code"
        ),
        credential_source=origin,
    )


def _hospital(data: Mapping[str, Any]) -> HospitalProfile:
    section = _table(data, "hospital", required=True)
    code = _str(section, "code", "hospital.code")
    if not is_institution_code(code):
        raise _fail("hospital.code", f"配置项 hospital.code“{code}”格式不对，应为 H 加 11 位数字。")
    admdvs = _str(section, "admdvs", "hospital.admdvs")
    if not is_division_code(admdvs):
        raise _fail(
            "hospital.admdvs", f"配置项 hospital.admdvs“{admdvs}”不是有效的 6 位医保区划代码。"
        )
    opened = _str_list(section, "opened_diseases", "hospital.opened_diseases", "病种编码")
    unknown = [c for c in opened if not is_pilot(c)]
    if unknown:
        raise _fail(
            "hospital.opened_diseases",
            f"hospital.opened_diseases 中的 {'、'.join(unknown)} 不是国家跨省直接结算的门诊慢特病编码。",
        )
    coverage = _str_list(section, "general_coverage", "hospital.general_coverage", "文字")
    pairs = []
    for item in coverage:
        province, sep, disease = item.partition(":")
        if not sep or not re.fullmatch(r"\d{2}(\d{4})?", province) or not is_pilot(disease):
            raise _fail(
                "hospital.general_coverage",
                f"hospital.general_coverage 中的“{item}”格式不对，应为“省份代码:病种编码”，"
                '如 "11:M03900"。',
            )
        pairs.append((province[:2], disease))
    return HospitalProfile(
        code=code,
        name=_required_text(section, "name", "hospital.name"),
        admdvs=admdvs,
        opened_diseases=frozenset(opened),
        general_outpatient_open=_bool(
            section, "general_outpatient_open", "hospital.general_outpatient_open", default=True
        ),
        general_coverage=frozenset(pairs),
    )


def _printer(data: Mapping[str, Any]) -> PrinterSettings:
    section = _table(data, "printer")
    printer = PrinterSettings(
        kind=_choice(section, "kind", "printer.kind", PRINTER_KINDS),
        layout=_choice(section, "layout", "printer.layout", RECEIPT_LAYOUTS),
        name=_str(section, "name", "printer.name", ""),
        escpos_device=_str(section, "escpos_device", "printer.escpos_device", ""),
    )
    if printer.kind == "escpos" and not printer.escpos_device.strip():
        raise _fail(
            "printer.escpos_device",
            "printer.kind 为 escpos 时必须设置 printer.escpos_device（如 /dev/usb/lp0 或 COM3）。",
        )
    if printer.kind == "escpos" and printer.layout != "thermal80":
        raise _fail("printer.layout", 'ESC/POS 热敏打印机只支持 printer.layout = "thermal80"。')
    return printer


def _card_reader(data: Mapping[str, Any], base_dir: Path) -> CardReaderSettings:
    section = _table(data, "card_reader")
    kind = _choice(section, "kind", "card_reader.kind", CARD_READER_KINDS)
    library = _str(section, "library", "card_reader.library", "").strip()
    function = _required_text(
        {"f": section.get("function", "iReadCardBas")}, "f", "card_reader.function"
    )
    if not re.fullmatch(r"[A-Za-z_]\w*", function):
        raise _fail("card_reader.function", f"card_reader.function“{function}”不是有效的函数名。")
    if kind == "vendor":
        if not library:
            raise _fail(
                "card_reader.library",
                "card_reader.kind 为 vendor 时必须设置 card_reader.library（厂商读卡库的路径，"
                "或 32 位读卡助手的地址 ws://127.0.0.1:端口）。",
            )
        if not library.startswith(("ws://", "http://")):
            path = _resolve(base_dir, library)
            if not path.is_file():
                raise _fail(
                    "card_reader.library", f"card_reader.library 指定的读卡库 {path} 不存在。"
                )
            library = str(path)
    return CardReaderSettings(kind=kind, library=library, function=function)


def _scanner(data: Mapping[str, Any]) -> ScannerSettings:
    section = _table(data, "scanner")
    return ScannerSettings(
        prefix=_str(section, "prefix", "scanner.prefix", ""),
        suffix=_str(section, "suffix", "scanner.suffix", ""),
        terminator=_choice(section, "terminator", "scanner.terminator", SCANNER_TERMINATORS),
        max_interval_ms=_int(section, "max_interval_ms", "scanner.max_interval_ms", 30, (5, 500)),
        min_length=_int(section, "min_length", "scanner.min_length", 16, (1, 4096)),
    )


def _data_dir(data: Mapping[str, Any], base_dir: Path) -> str:
    value = _str(data, "data_dir", "data_dir", "").strip()
    if not value:
        return ""
    path = _resolve(base_dir, value)
    if path.exists():
        if not path.is_dir():
            raise _fail("data_dir", f"data_dir 指定的 {path} 不是文件夹。")
        if not os.access(path, os.W_OK | os.X_OK):
            raise _fail("data_dir", f"数据目录 {path} 没有写入权限，请让本程序的用户可写。")
        return str(path)
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise _fail(
            "data_dir", f"数据目录 {path} 不存在，且无法在 {parent} 下创建（没有写入权限）。"
        )
    return str(path)


def settings_from_mapping(data: Mapping[str, Any], *, base_dir: Path | None = None) -> Settings:
    """Validate a parsed TOML mapping into :class:`Settings`.

    Args:
        data: the parsed file.
        base_dir: folder that relative paths (token file, CA bundle, data directory, card library)
            are resolved against; the current directory when not given.

    Raises:
        ConfigError: naming the first wrong key in ``detail['key']``.
    """
    base = base_dir if base_dir is not None else Path.cwd()
    _check_known(data, "")
    window = _table(data, "window")
    cache = _table(data, "cache")
    ui = _table(data, "ui")
    login = _table(data, "login")
    log = _table(data, "log")
    platform = _platform(data, base)
    return Settings(
        platform=platform,
        hospital=_hospital(data),
        window=WindowSettings(
            device_no=_required_text(
                {"d": window.get("device_no", "W01")}, "d", "window.device_no"
            ),
            ip=_str(window, "ip", "window.ip", "127.0.0.1"),
            mac=_str(window, "mac", "window.mac", ""),
        ),
        printer=_printer(data),
        card_reader=_card_reader(data, base),
        scanner=_scanner(data),
        data_dir=_data_dir(data, base),
        cache_max_age_hours=_int(
            cache, "max_age_hours", "cache.max_age_hours", 24, CACHE_AGE_RANGE
        ),
        retention_days=_int(
            cache,
            "retention_days",
            "cache.retention_days",
            MIN_RETENTION_DAYS,
            (MIN_RETENTION_DAYS, MAX_RETENTION_DAYS),
        ),
        language=_choice(ui, "language", "ui.language", LANGUAGES),
        idle_lock_minutes=_int(
            ui, "idle_lock_minutes", "ui.idle_lock_minutes", 15, IDLE_LOCK_RANGE
        ),
        demo=_bool(data, "demo", "demo", default=False),
        login=LoginSettings(
            max_failures=_int(login, "max_failures", "login.max_failures", 5, (3, 10)),
            lockout_minutes=_int(login, "lockout_minutes", "login.lockout_minutes", 15, (1, 1440)),
            second_factor_roles=_roles(
                login,
                "second_factor_roles",
                "login.second_factor_roles",
                DEFAULT_SECOND_FACTOR_ROLES,
            ),
        ),
        log=LogSettings(
            level=_choice(log, "level", "log.level", ("INFO", "DEBUG", "WARNING", "ERROR")),
            max_bytes=_int(log, "max_bytes", "log.max_bytes", 5_000_000, (100_000, 1_000_000_000)),
            backup_count=_int(log, "backup_count", "log.backup_count", 10, (1, 100)),
        ),
        warnings=(INLINE_CREDENTIAL_WARNING,) if platform.credential_source == "inline" else (),
    )


# Settings attributes that live in a table of the file under another name.
_FILE_KEYS = {
    "cache_max_age_hours": "cache.max_age_hours",
    "retention_days": "cache.retention_days",
    "language": "ui.language",
    "idle_lock_minutes": "ui.idle_lock_minutes",
}


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def effective_values(settings: Settings) -> dict[str, str]:
    """The effective configuration as ``{"table.key": canonical JSON text}``, defaults included.

    Keys are named as in the TOML file where one exists (``platform.token`` holds the token however
    it was given; ``platform.credential_source`` says where from). ``warnings`` are not settings.
    The token is a secret: compare these values, never show them.
    """
    values: dict[str, str] = {}

    def put(key: str, value: object) -> None:
        values[key] = json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)

    for item in fields(settings):
        value = getattr(settings, item.name)
        if item.name == "warnings":
            continue
        if is_dataclass(value) and not isinstance(value, type):
            for inner in fields(value):
                put(f"{item.name}.{inner.name}", getattr(value, inner.name))
        else:
            put(_FILE_KEYS.get(item.name, item.name), value)
    return values


def load_settings(path: Path) -> Settings:
    """Read and validate a TOML configuration file (relative paths are relative to its folder)."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise ConfigError(
            f"无法读取配置文件 {path}，请检查路径和权限。", detail={"key": "(file)"}
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"配置文件 {path} 不是有效的 TOML：{exc}。请检查引号、括号和等号。",
            detail={"key": "(syntax)"},
        ) from None
    return settings_from_mapping(data, base_dir=path.resolve().parent)


def default_data_dir() -> Path:
    """The per-user data folder used when ``data_dir`` is not set."""
    return Path(platformdirs.user_data_dir("settlement-window", appauthor=False))


def data_dir_of(settings: Settings, override: str | None = None) -> Path:
    """The data folder to use: ``--data-dir``, else ``data_dir`` from the file, else the default."""
    if override:
        return Path(override).expanduser()
    if settings.data_dir:
        return Path(settings.data_dir)
    return default_data_dir()


DATABASE_FILE_NAME = "settlement-window.sqlite3"
# Held (QLockFile) by the running window; admin commands that replace or rewrite the database take it.
LOCK_FILE_NAME = "window.lock"
CONFIG_FILE_NAME = "settlement-window.toml"


def database_path(data_dir: Path) -> Path:
    """The local database file inside the data folder."""
    return data_dir / DATABASE_FILE_NAME


def default_config_path() -> Path:
    """Where the configuration is looked for when ``--config`` is not given.

    ``SETTLEMENT_WINDOW_CONFIG`` wins; else the per-user configuration folder.
    """
    from_env = os.environ.get("SETTLEMENT_WINDOW_CONFIG", "")
    if from_env:
        return Path(from_env)
    return (
        Path(platformdirs.user_config_dir("settlement-window", appauthor=False)) / CONFIG_FILE_NAME
    )


RESOURCES_ENV = "SETTLEMENT_WINDOW_RESOURCES"


def resources_dir() -> Path:
    """The ``resources`` folder: ``$SETTLEMENT_WINDOW_RESOURCES`` if set, else next to ``app``.

    "Next to ``app``" holds in a checkout, an installed tree and the PyInstaller bundle (whose
    ``app`` package lives in the bundle folder); the same rule as ``app.printing.resources``.
    """
    override = os.environ.get(RESOURCES_ENV, "")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "resources"


def example_config_path() -> Path:
    """The commented configuration template shipped with the program."""
    return resources_dir() / "config" / "settlement-window.example.toml"
