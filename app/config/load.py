"""Reading the file into :class:`~app.config.settings.Settings`, driven by the declarations.

Every key is checked: unknown keys are refused with their name (a typo must not silently fall back to
a default), values are checked by their declared kind, and the rules that involve several keys are
below. Relative paths are taken relative to the configuration file's folder.

Secrets (the platform token) come from exactly one of:

* ``platform.token`` — inline, for the sandbox only (a warning is recorded in ``Settings.warnings``);
* ``platform.token_file`` — a file readable only by the app's user (group/other-readable files are
  refused on POSIX);
* ``platform.token_keyring`` — the OS keyring (service name; the user name is ``platform.passid``),
  through the optional ``keyring`` package, imported only when used.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import ipaddress
import json
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.config.declare import Entry, declared_fields, fail, resolve
from app.config.settings import TABLES, HospitalSettings, PlatformSettings, Settings
from app.errors import ConfigError

INLINE_CREDENTIAL_WARNING = "platform.token 直接写在配置文件里，只适用于沙箱/培训环境；正式环境请改用 token_file 或 token_keyring。"

TOKEN_SOURCES = ("token", "token_file", "token_keyring")


def entries() -> list[Entry]:
    """Every setting, in the file's order (top-level keys first, then table by table)."""
    found = declared_fields(Settings, "")
    for item in dataclasses.fields(Settings):
        if item.metadata.get("table"):
            found += declared_fields(_section_class(item), item.name)
    order = list(TABLES)
    return sorted(found, key=lambda entry: order.index(entry.table))


def _section_class(item: dataclasses.Field[Any]) -> type:
    cls = item.metadata["table"]
    assert isinstance(cls, type)
    return cls


@functools.cache
def known_keys() -> dict[str, frozenset[str]]:
    """The keys each table may hold (the top level also holds the tables' names)."""
    keys: dict[str, set[str]] = {table: set() for table in TABLES}
    for entry in entries():
        keys[entry.table].add(entry.name)
    keys[""] |= set(TABLES) - {""}
    return {table: frozenset(names) for table, names in keys.items()}


def _check_known(section: Mapping[str, Any], table: str, known: frozenset[str]) -> None:
    unknown = sorted(set(section) - known)
    if unknown:
        first = f"{table}.{unknown[0]}" if table else unknown[0]
        where = f"[{table}] 段" if table else "配置文件顶层"
        raise fail(
            first,
            f"配置项 {first} 不认识（{where}没有这个项目，是否拼写错误？）。"
            f"可用的项目：{'、'.join(sorted(known))}。",
        )


def _table(data: Mapping[str, Any], table: str, *, required: bool) -> Mapping[str, Any]:
    value = data.get(table)
    if value is None:
        if required:
            raise fail(table, f"配置缺少 [{table}] 部分。")
        return {}
    if not isinstance(value, Mapping):
        raise fail(table, f"配置项 [{table}] 应为一个表（[{table}] 段）。")
    _check_known(value, table, known_keys()[table])
    return value


def _values(
    owner: type, table: str, tables: Mapping[str, Mapping[str, Any]], base: Path
) -> dict[str, Any]:
    values = {}
    for entry in declared_fields(owner, table):
        section = tables[entry.table]
        if entry.name in section:
            values[entry.attribute] = entry.declared.kind.parse(
                section[entry.name], entry.key, base
            )
        elif entry.required:
            raise fail(entry.key, f"配置缺少 {entry.key}。")
    return values


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
    _check_known(data, "", known_keys()[""])
    tables: dict[str, Mapping[str, Any]] = {"": data}
    values: dict[str, Any] = {}
    for item in dataclasses.fields(Settings):  # table by table, in the order of Settings
        if item.metadata.get("table"):
            cls = _section_class(item)
            tables[item.name] = _table(data, item.name, required=bool(item.metadata["required"]))
            section = cls(**_values(cls, item.name, tables, base))
            if isinstance(section, PlatformSettings):
                section = _platform(section, base)
            if isinstance(section, HospitalSettings):
                section = section.profile()
            values[item.name] = section
    for table in set(TABLES) - set(tables):  # tables of top-level settings (``key=``)
        tables[table] = _table(data, table, required=False)
    values |= _values(Settings, "", tables, base)
    _check_plain_http(values["platform"], demo=values.get("demo", False))
    settings = _check_devices(Settings(**values), base)
    _check_hospital_db(settings)
    if settings.platform.credential_source == "inline":
        settings = dataclasses.replace(settings, warnings=(INLINE_CREDENTIAL_WARNING,))
    return settings


# ---------------------------------------------------------------- rules across several keys


def _platform(platform: PlatformSettings, base: Path) -> PlatformSettings:
    token, source = _token(platform, base)
    return dataclasses.replace(
        platform, ec_url=platform.ec_url or platform.url, token=token, credential_source=source
    )


def _token(platform: PlatformSettings, base: Path) -> tuple[str, str]:
    """The token and where it came from (``inline``, ``file`` or ``keyring``)."""
    given = [name for name in TOKEN_SOURCES if getattr(platform, name)]
    if not given:
        raise fail(
            "platform.token",
            "配置缺少平台令牌：请设置 platform.token_file（推荐）、platform.token_keyring，"
            "或仅在沙箱中使用 platform.token。",
        )
    if len(given) > 1:
        names = "、".join(f"platform.{g}" for g in given)
        raise fail(f"platform.{given[1]}", f"{names} 只能设置其中一个。")
    source = given[0]
    value = getattr(platform, source).strip()
    if not value:
        raise fail(f"platform.{source}", f"配置项 platform.{source} 不能为空。")
    if source == "token_file":
        return _token_from_file(value, base), "file"
    if source == "token_keyring":
        return _token_from_keyring(value, platform.passid), "keyring"
    return value, "inline"


def _token_from_file(value: str, base_dir: Path) -> str:
    key = "platform.token_file"
    path = resolve(base_dir, value)
    try:
        info = path.stat()
    except OSError:
        raise fail(key, f"platform.token_file 指定的文件 {path} 不存在或无法访问。") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise fail(
            key, f"令牌文件 {path} 的权限过宽（其他用户可读）。请执行 chmod 600 {path} 后重试。"
        )
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise fail(key, f"无法读取 platform.token_file 指定的文件 {path}，请检查权限。") from None
    if not token:
        raise fail(key, f"令牌文件 {path} 是空的，请写入平台分配的令牌。")
    return token


def _token_from_keyring(service: str, passid: str) -> str:
    key = "platform.token_keyring"
    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        raise fail(
            key,
            "配置了 platform.token_keyring，但没有安装 keyring 组件。"
            "请安装 settlement-window[keyring]，或改用 token_file。",
        ) from None
    try:
        token = keyring.get_password(service, passid)
    except Exception:  # any backend failure means the same thing to the admin
        raise fail(key, "无法访问系统密钥库，请确认已登录桌面会话或改用 token_file。") from None
    if not isinstance(token, str) or not token:
        raise fail(key, f"系统密钥库中没有服务“{service}”、用户“{passid}”的令牌，请先保存令牌。")
    return token


LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_plain_http(platform: PlatformSettings, *, demo: bool) -> None:
    """Outside demo/training the platform is reached over TLS; plain HTTP only to a front-end
    processor on this PC, and only when ``platform.allow_http_loopback`` says so (issue #11 item 13).
    """
    for name, url in (("url", platform.url), ("ec_url", platform.ec_url)):
        parts = urlsplit(url)
        if demo or parts.scheme.lower() != "http":
            continue
        key = f"platform.{name}"
        if not platform.allow_http_loopback:
            raise fail(
                key,
                f"配置项 {key}“{url}”使用不加密的 http://，正式环境不允许。请改为 https:// 地址；"
                "若本院前置机装在本机、只在 127.0.0.1 上以 http:// 提供服务，"
                "请设置 platform.allow_http_loopback = true。",
            )
        if not _is_loopback(parts.hostname or ""):
            raise fail(
                key,
                f"配置项 {key}“{url}”使用 http://，但主机不是本机回环地址："
                "platform.allow_http_loopback 只允许 127.0.0.1、::1 或 localhost。"
                "其他地址请使用 https://。",
            )


def _check_devices(settings: Settings, base: Path) -> Settings:
    printer = settings.printer
    if printer.kind == "escpos" and not printer.escpos_device.strip():
        raise fail(
            "printer.escpos_device",
            "printer.kind 为 escpos 时必须设置 printer.escpos_device（如 /dev/usb/lp0 或 COM3）。",
        )
    if printer.kind == "escpos" and printer.layout != "thermal80":
        raise fail("printer.layout", 'ESC/POS 热敏打印机只支持 printer.layout = "thermal80"。')
    if settings.scanner.kind == "serial" and not settings.scanner.port.strip():
        raise fail(
            "scanner.port",
            "scanner.kind 为 serial 时必须设置 scanner.port（如 /dev/ttyACM0 或 COM4）。",
        )
    reader = settings.card_reader
    if reader.kind != "vendor":
        return settings
    library = reader.library.strip()
    if not library:
        raise fail(
            "card_reader.library",
            "card_reader.kind 为 vendor 时必须设置 card_reader.library（厂商读卡库的路径，"
            "或 32 位读卡助手的地址 ws://127.0.0.1:端口）。",
        )
    if not library.startswith(("ws://", "http://")):
        path = resolve(base, library)
        if not path.is_file():
            raise fail("card_reader.library", f"card_reader.library 指定的读卡库 {path} 不存在。")
        library = str(path)
    return dataclasses.replace(settings, card_reader=dataclasses.replace(reader, library=library))


def _check_hospital_db(settings: Settings) -> None:
    """Hospital mode needs the hospital key: a window never invents one (docs/hospital-mode.md)."""
    hospital_db = settings.hospital_db
    if hospital_db.url and not hospital_db.hospital_key_file:
        raise fail(
            "hospital_db.hospital_key_file",
            "启用医院模式（设置了 hospital_db.url）时必须设置 hospital_db.hospital_key_file："
            "请向信息科索取医院密钥文件，复制到本机（权限 600）后填写它的路径。",
        )


# ---------------------------------------------------------------- the effective values


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

    Keys are named as in the TOML file (``platform.token`` holds the token however it was given;
    ``platform.credential_source`` says where from). ``warnings`` are not settings. The token is a
    secret: compare these values, never show them.
    """
    values: dict[str, str] = {}
    for entry in entries():
        holder: object = settings
        if entry.owner is not Settings:
            holder = getattr(settings, entry.table)
        values[entry.key] = json.dumps(
            _plain(getattr(holder, entry.attribute)), ensure_ascii=False, sort_keys=True
        )
    values["platform.credential_source"] = json.dumps(settings.platform.credential_source)
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
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"配置文件 {path} 不是 UTF-8 编码（第 {exc.start + 1} 个字节起无法读取）。"
            "请用记事本等编辑器另存为 UTF-8 编码后重试。",
            detail={"key": "(encoding)"},
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"配置文件 {path} 不是有效的 TOML：{_toml_where(exc)}。请检查引号、括号和等号。",
            detail={"key": "(syntax)"},
        ) from None
    return settings_from_mapping(data, base_dir=path.resolve().parent)


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_where(exc: tomllib.TOMLDecodeError) -> str:
    """Where the file breaks, in Chinese (tomllib words its errors in English only)."""
    found = _TOML_AT.search(str(exc))
    if found is not None:
        return f"第 {found.group(1)} 行第 {found.group(2)} 列附近格式有误"
    if "end of document" in str(exc):
        return "文件末尾不完整"
    return "格式有误"
