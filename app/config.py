"""Settings: declared once, typed, validated on load with Chinese errors that name the key.

The file is TOML (read with stdlib ``tomllib``). Secrets (the platform token) may be given inline for
the sandbox, or — for real deployments — read from a file readable only by the app's user
(``token_file``) or from the OS keyring (``token_keyring``); never from the repository.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.disease import is_pilot
from app.domain.hospital import HospitalProfile, is_institution_code
from app.domain.region import is_division_code
from app.errors import ConfigError

RECEIPT_LAYOUTS = ("thermal80", "a5", "a4")
PRINTER_KINDS = ("pdf", "system", "escpos")
CARD_READER_KINDS = ("simulated", "vendor", "pcsc")


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


def _table(data: Mapping[str, Any], key: str, *, required: bool = False) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise ConfigError(f"配置缺少 [{key}] 部分。", detail={"key": key})
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"配置项 [{key}] 应为一个表（[{key}] 段）。", detail={"key": key})
    return value


def _str(section: Mapping[str, Any], name: str, key: str, default: str | None = None) -> str:
    value = section.get(name, default)
    if value is None:
        raise ConfigError(f"配置缺少 {key}。", detail={"key": key})
    if not isinstance(value, str):
        raise ConfigError(f"配置项 {key} 应为文字（加引号）。", detail={"key": key})
    return value


def _number(section: Mapping[str, Any], name: str, key: str, default: float) -> float:
    value = section.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"配置项 {key} 应为大于 0 的数字。", detail={"key": key})
    return float(value)


def _int(section: Mapping[str, Any], name: str, key: str, default: int) -> int:
    value = section.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"配置项 {key} 应为不小于 0 的整数。", detail={"key": key})
    return value


def _choice(section: Mapping[str, Any], name: str, key: str, choices: tuple[str, ...]) -> str:
    value = _str(section, name, key, choices[0])
    if value not in choices:
        raise ConfigError(
            f"配置项 {key} 的值“{value}”无效，可选：{'、'.join(choices)}。", detail={"key": key}
        )
    return value


def _token(section: Mapping[str, Any]) -> str:
    inline = section.get("token")
    token_file = section.get("token_file")
    if isinstance(token_file, str) and token_file:
        path = Path(token_file)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError:
            raise ConfigError(
                f"无法读取 platform.token_file 指定的文件 {path}，请检查路径和权限。",
                detail={"key": "platform.token_file"},
            ) from None
    return _str(section, "token", "platform.token", None if inline is None else str(inline))


def _platform(data: Mapping[str, Any]) -> PlatformSettings:
    section = _table(data, "platform", required=True)
    url = _str(section, "url", "platform.url").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(
            "配置项 platform.url 应以 http:// 或 https:// 开头。", detail={"key": "platform.url"}
        )
    pins = section.get("pins", [])
    if not isinstance(pins, list) or not all(isinstance(p, str) for p in pins):
        raise ConfigError("配置项 platform.pins 应为文字列表。", detail={"key": "platform.pins"})
    return PlatformSettings(
        url=url,
        ec_url=_str(section, "ec_url", "platform.ec_url", url).rstrip("/"),
        passid=_str(section, "passid", "platform.passid"),
        token=_token(section),
        connect_timeout=_number(section, "connect_timeout", "platform.connect_timeout", 5.0),
        read_timeout=_number(section, "read_timeout", "platform.read_timeout", 30.0),
        ca_bundle=_str(section, "ca_bundle", "platform.ca_bundle", ""),
        pins=tuple(pins),
        infver=_str(section, "infver", "platform.infver", "V1.0"),
        recer_sys_code=_str(section, "recer_sys_code", "platform.recer_sys_code", "YBXT"),
    )


def _hospital(data: Mapping[str, Any]) -> HospitalProfile:
    section = _table(data, "hospital", required=True)
    code = _str(section, "code", "hospital.code")
    if not is_institution_code(code):
        raise ConfigError(
            f"配置项 hospital.code“{code}”格式不对，应为 H 加 11 位数字。",
            detail={"key": "hospital.code"},
        )
    admdvs = _str(section, "admdvs", "hospital.admdvs")
    if not is_division_code(admdvs):
        raise ConfigError(
            f"配置项 hospital.admdvs“{admdvs}”不是有效的 6 位医保区划代码。",
            detail={"key": "hospital.admdvs"},
        )
    opened = section.get("opened_diseases", [])
    if not isinstance(opened, list) or not all(isinstance(c, str) for c in opened):
        raise ConfigError(
            "配置项 hospital.opened_diseases 应为病种编码列表。",
            detail={"key": "hospital.opened_diseases"},
        )
    unknown = [c for c in opened if not is_pilot(c)]
    if unknown:
        raise ConfigError(
            f"hospital.opened_diseases 中的 {'、'.join(unknown)} 不是国家跨省直接结算的门诊慢特病编码。",
            detail={"key": "hospital.opened_diseases"},
        )
    general_open = section.get("general_outpatient_open", True)
    if not isinstance(general_open, bool):
        raise ConfigError(
            "配置项 hospital.general_outpatient_open 应为 true 或 false。",
            detail={"key": "hospital.general_outpatient_open"},
        )
    coverage = section.get("general_coverage", [])
    if not isinstance(coverage, list) or not all(
        isinstance(c, str) and len(c.split(":")) == 2 for c in coverage
    ):
        raise ConfigError(
            '配置项 hospital.general_coverage 应为“省份代码:病种编码”列表，如 "11:M03900"。',
            detail={"key": "hospital.general_coverage"},
        )
    pairs = frozenset((c.split(":")[0][:2], c.split(":")[1]) for c in coverage)
    return HospitalProfile(
        code=code,
        name=_str(section, "name", "hospital.name"),
        admdvs=admdvs,
        opened_diseases=frozenset(opened),
        general_outpatient_open=general_open,
        general_coverage=pairs,
    )


def settings_from_mapping(data: Mapping[str, Any]) -> Settings:
    """Validate a parsed TOML mapping into :class:`Settings`."""
    window = _table(data, "window")
    printer = _table(data, "printer")
    reader = _table(data, "card_reader")
    scanner = _table(data, "scanner")
    cache = _table(data, "cache")
    ui = _table(data, "ui")
    return Settings(
        platform=_platform(data),
        hospital=_hospital(data),
        window=WindowSettings(
            device_no=_str(window, "device_no", "window.device_no", "W01"),
            ip=_str(window, "ip", "window.ip", "127.0.0.1"),
            mac=_str(window, "mac", "window.mac", ""),
        ),
        printer=PrinterSettings(
            kind=_choice(printer, "kind", "printer.kind", PRINTER_KINDS),
            layout=_choice(printer, "layout", "printer.layout", RECEIPT_LAYOUTS),
            name=_str(printer, "name", "printer.name", ""),
            escpos_device=_str(printer, "escpos_device", "printer.escpos_device", ""),
        ),
        card_reader=CardReaderSettings(
            kind=_choice(reader, "kind", "card_reader.kind", CARD_READER_KINDS),
            library=_str(reader, "library", "card_reader.library", ""),
            function=_str(reader, "function", "card_reader.function", "iReadCardBas"),
        ),
        scanner=ScannerSettings(
            prefix=_str(scanner, "prefix", "scanner.prefix", ""),
            suffix=_str(scanner, "suffix", "scanner.suffix", ""),
            terminator=_choice(scanner, "terminator", "scanner.terminator", ("CR", "LF", "CRLF")),
            max_interval_ms=_int(scanner, "max_interval_ms", "scanner.max_interval_ms", 30),
            min_length=_int(scanner, "min_length", "scanner.min_length", 16),
        ),
        data_dir=_str(data, "data_dir", "data_dir", ""),
        cache_max_age_hours=_int(cache, "max_age_hours", "cache.max_age_hours", 24),
        retention_days=_int(cache, "retention_days", "cache.retention_days", 180),
        language=_choice(ui, "language", "ui.language", ("zh_CN", "en")),
        idle_lock_minutes=_int(ui, "idle_lock_minutes", "ui.idle_lock_minutes", 15),
    )


def load_settings(path: Path) -> Settings:
    """Read and validate a TOML configuration file."""
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
    return settings_from_mapping(data)
