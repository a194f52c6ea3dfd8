"""Configuration: every key validated, named in a Chinese error; secrets from file or keyring only."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.config import (
    INLINE_CREDENTIAL_WARNING,
    MIN_RETENTION_DAYS,
    Settings,
    effective_values,
    entries,
    example_config_path,
    known_keys,
    load_settings,
    settings_from_mapping,
)
from app.domain.operator import Role
from app.errors import ConfigError

TOKEN = "file-token-0123456789"


def base_mapping() -> dict[str, Any]:
    """A minimal valid configuration with the token inline."""
    return {
        "platform": {"url": "https://ybj.example.cn", "passid": "pass01", "token": "t0ken"},
        "hospital": {"code": "H11010500001", "name": "测试医院", "admdvs": "110105"},
    }


def with_value(section: str, key: str, value: object) -> dict[str, Any]:
    """``base_mapping()`` with ``[section] key = value`` (section "" = top level)."""
    data = base_mapping()
    if section:
        data.setdefault(section, {})[key] = value
    else:
        data[key] = value
    return data


def key_of(error: ConfigError) -> str:
    return error.detail["key"]


def test_minimal_configuration_gets_documented_defaults() -> None:
    settings = settings_from_mapping(base_mapping())
    assert settings.platform.ec_url == "https://ybj.example.cn"
    assert settings.platform.connect_timeout == 5.0
    assert settings.retention_days == MIN_RETENTION_DAYS
    assert settings.login.max_failures == 5
    assert settings.login.lockout_minutes == 15
    assert settings.login.second_factor_roles == (Role.SUPERVISOR, Role.ADMIN)
    assert settings.warnings == (INLINE_CREDENTIAL_WARNING,)


# (section, key, good value, what the settings hold)
GOOD: list[tuple[str, str, object, Callable[[Settings], object], object]] = [
    (
        "platform",
        "url",
        "https://10.1.2.3:8080/",
        lambda s: s.platform.url,
        "https://10.1.2.3:8080",
    ),
    (
        "platform",
        "ec_url",
        "https://ec.example.cn",
        lambda s: s.platform.ec_url,
        "https://ec.example.cn",
    ),
    ("platform", "connect_timeout", 3, lambda s: s.platform.connect_timeout, 3.0),
    ("platform", "read_timeout", 45.5, lambda s: s.platform.read_timeout, 45.5),
    ("platform", "pins", ["AB:" * 31 + "CD"], lambda s: s.platform.pins, ("ab" * 31 + "cd",)),
    ("platform", "infver", "V2.0", lambda s: s.platform.infver, "V2.0"),
    ("platform", "recer_sys_code", "HIS1", lambda s: s.platform.recer_sys_code, "HIS1"),
    (
        "hospital",
        "opened_diseases",
        ["M03900", "M00500"],
        lambda s: s.hospital.opened_diseases,
        frozenset({"M03900", "M00500"}),
    ),
    (
        "hospital",
        "general_outpatient_open",
        False,
        lambda s: s.hospital.general_outpatient_open,
        False,
    ),
    (
        "hospital",
        "general_coverage",
        ["11:M03900"],
        lambda s: s.hospital.general_coverage,
        frozenset({("11", "M03900")}),
    ),
    ("window", "device_no", "W07", lambda s: s.window.device_no, "W07"),
    ("window", "ip", "10.0.0.7", lambda s: s.window.ip, "10.0.0.7"),
    ("window", "mac", "00:11:22:33:44:55", lambda s: s.window.mac, "00:11:22:33:44:55"),
    ("printer", "kind", "system", lambda s: s.printer.kind, "system"),
    ("printer", "layout", "a5", lambda s: s.printer.layout, "a5"),
    ("printer", "name", "前台打印机", lambda s: s.printer.name, "前台打印机"),
    ("scanner", "port", "/dev/ttyACM0", lambda s: s.scanner.port, "/dev/ttyACM0"),
    ("scanner", "baudrate", 115200, lambda s: s.scanner.baudrate, 115200),
    (
        "card_reader",
        "function",
        "iReadCardBasExt",
        lambda s: s.card_reader.function,
        "iReadCardBasExt",
    ),
    ("scanner", "prefix", "]Q", lambda s: s.scanner.prefix, "]Q"),
    ("scanner", "suffix", "#", lambda s: s.scanner.suffix, "#"),
    ("scanner", "terminator", "CRLF", lambda s: s.scanner.terminator, "CRLF"),
    ("scanner", "max_interval_ms", 50, lambda s: s.scanner.max_interval_ms, 50),
    ("scanner", "min_length", 20, lambda s: s.scanner.min_length, 20),
    ("cache", "max_age_hours", 0, lambda s: s.cache_max_age_hours, 0),
    ("cache", "retention_days", 365, lambda s: s.retention_days, 365),
    ("ui", "language", "en", lambda s: s.language, "en"),
    ("ui", "idle_lock_minutes", 10, lambda s: s.idle_lock_minutes, 10),
    ("login", "max_failures", 3, lambda s: s.login.max_failures, 3),
    ("login", "lockout_minutes", 30, lambda s: s.login.lockout_minutes, 30),
    (
        "login",
        "second_factor_roles",
        ["admin", "cashier", "admin"],
        lambda s: s.login.second_factor_roles,
        (Role.CASHIER, Role.ADMIN),
    ),
    ("login", "second_factor_roles", [], lambda s: s.login.second_factor_roles, ()),
    ("log", "level", "DEBUG", lambda s: s.log.level, "DEBUG"),
    ("log", "max_bytes", 1_000_000, lambda s: s.log.max_bytes, 1_000_000),
    ("log", "backup_count", 3, lambda s: s.log.backup_count, 3),
    ("", "demo", True, lambda s: s.demo, True),
]


@pytest.mark.parametrize(("section", "key", "value", "read", "expected"), GOOD)
def test_good_value_is_taken(
    section: str, key: str, value: object, read: Callable[[Settings], object], expected: object
) -> None:
    assert read(settings_from_mapping(with_value(section, key, value))) == expected


# (section, key, bad value, a fragment the message must contain)
BAD: list[tuple[str, str, object, str]] = [
    ("platform", "url", "ftp://ybj.example.cn", "http://"),
    ("platform", "url", "ybj.example.cn", "http://"),
    ("platform", "url", 8080, "文字"),
    ("platform", "ec_url", "https://", "网址"),
    ("platform", "passid", "", "不能为空"),
    ("platform", "connect_timeout", 0, "0.5"),
    ("platform", "connect_timeout", 61, "超出范围"),
    ("platform", "connect_timeout", "5", "数字"),
    ("platform", "read_timeout", 0.5, "超出范围"),
    ("platform", "read_timeout", True, "数字"),
    ("platform", "pins", "ab" * 32, "列表"),
    ("platform", "pins", ["abc"], "SHA-256"),
    ("platform", "pins", ["g" * 64], "SHA-256"),
    ("platform", "infver", "", "不能为空"),
    ("platform", "ca_bundle", "/nonexistent/ca.pem", "不存在"),
    ("platform", "tokn", "x", "platform.tokn"),
    ("hospital", "code", "12345", "H 加 11 位数字"),
    ("hospital", "admdvs", "11010", "区划"),
    ("hospital", "name", " ", "不能为空"),
    ("hospital", "opened_diseases", ["M99999"], "M99999"),
    ("hospital", "opened_diseases", "M03900", "列表"),
    ("hospital", "general_outpatient_open", "yes", "true 或 false"),
    ("hospital", "general_coverage", ["11-M03900"], "省份代码:病种编码"),
    ("hospital", "general_coverage", ["11:X"], "省份代码:病种编码"),
    ("window", "device_no", "", "不能为空"),
    ("window", "ip", 127, "文字"),
    ("printer", "kind", "laser", "pdf、system、escpos"),
    ("printer", "layout", "a3", "thermal80"),
    ("card_reader", "kind", "magic", "simulated"),
    ("card_reader", "function", "read card", "函数名"),
    ("scanner", "terminator", "TAB", "CR"),
    ("scanner", "kind", "hid", "keyboard、serial"),
    ("scanner", "baudrate", 100, "超出范围"),
    ("card_reader", "kind", "pcsc", "simulated、vendor"),
    ("scanner", "max_interval_ms", 1, "超出范围"),
    ("scanner", "min_length", "16", "整数"),
    ("cache", "max_age_hours", -1, "超出范围"),
    ("cache", "retention_days", 30, "180"),
    ("cache", "retention_days", 4000, "超出范围"),
    ("ui", "language", "fr", "zh_CN"),
    ("ui", "idle_lock_minutes", 0, "超出范围"),
    ("ui", "idle_lock_minutes", 120, "超出范围"),
    ("login", "max_failures", 1, "超出范围"),
    ("login", "lockout_minutes", 0, "超出范围"),
    ("login", "second_factor_roles", "supervisor", "角色列表"),
    ("login", "second_factor_roles", ["supervisor", "boss"], "“boss”不是有效的角色"),
    ("log", "level", "TRACE", "INFO"),
    ("log", "max_bytes", 10, "超出范围"),
    ("log", "backup_count", 0, "超出范围"),
    ("", "demo", "false", "true 或 false"),
    ("", "data_dir", 5, "文字"),
    ("", "platfrom", {}, "platfrom"),
]


@pytest.mark.parametrize(("section", "key", "value", "fragment"), BAD)
def test_bad_value_is_refused_naming_the_key(
    section: str, key: str, value: object, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(with_value(section, key, value))
    full_key = f"{section}.{key}" if section else key
    assert key_of(caught.value) == full_key
    assert full_key in caught.value.text
    assert fragment in caught.value.text


@pytest.mark.parametrize("section", ["platform", "hospital"])
def test_missing_required_section_is_named(section: str) -> None:
    data = base_mapping()
    del data[section]
    with pytest.raises(ConfigError, match=section) as caught:
        settings_from_mapping(data)
    assert key_of(caught.value) == section


def test_section_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\[window\]"):
        settings_from_mapping(with_value("", "window", "W01"))


def test_escpos_printer_needs_a_device_and_the_thermal_layout() -> None:
    data = with_value("printer", "kind", "escpos")
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(data)
    assert key_of(caught.value) == "printer.escpos_device"
    data["printer"].update(escpos_device="/dev/usb/lp0", layout="a4")
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(data)
    assert key_of(caught.value) == "printer.layout"
    data["printer"]["layout"] = "thermal80"
    assert settings_from_mapping(data).printer.escpos_device == "/dev/usb/lp0"


@pytest.mark.parametrize("key", ["url", "ec_url"])
def test_plain_http_outside_demo_is_refused_and_says_how_to_allow_a_local_processor(
    key: str,
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(with_value("platform", key, "http://127.0.0.1:8080"))
    assert key_of(caught.value) == f"platform.{key}"
    assert "https://" in caught.value.text
    assert "platform.allow_http_loopback = true" in caught.value.text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.0.0.2:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
    ],
)
def test_the_named_setting_allows_plain_http_to_this_pc_only(url: str) -> None:
    data = with_value("platform", "url", url)
    data["platform"]["allow_http_loopback"] = True
    assert settings_from_mapping(data).platform.url == url


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3:8080", "http://fep.hospital.local", "http://0.0.0.0"]
)
def test_the_named_setting_never_allows_plain_http_to_another_host(url: str) -> None:
    data = with_value("platform", "url", url)
    data["platform"]["allow_http_loopback"] = True
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(data)
    assert key_of(caught.value) == "platform.url"
    assert "回环" in caught.value.text


def test_demo_and_the_sandbox_config_may_use_plain_http() -> None:
    data = with_value("platform", "url", "http://127.0.0.1:8765")
    data["demo"] = True
    assert settings_from_mapping(data).platform.url == "http://127.0.0.1:8765"


def test_serial_scanner_needs_a_port() -> None:
    data = with_value("scanner", "kind", "serial")
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(data)
    assert key_of(caught.value) == "scanner.port"
    data["scanner"]["port"] = "/dev/ttyACM0"
    scanner = settings_from_mapping(data).scanner
    assert (scanner.kind, scanner.port, scanner.baudrate) == ("serial", "/dev/ttyACM0", 9600)


def test_vendor_card_reader_needs_an_existing_library_or_a_helper_address(tmp_path: Path) -> None:
    data = with_value("card_reader", "kind", "vendor")
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(data)
    assert key_of(caught.value) == "card_reader.library"
    data["card_reader"]["library"] = "SSCardDriver.dll"
    with pytest.raises(ConfigError, match="不存在"):
        settings_from_mapping(data, base_dir=tmp_path)
    (tmp_path / "SSCardDriver.dll").write_bytes(b"MZ")
    found = settings_from_mapping(data, base_dir=tmp_path).card_reader.library
    assert found == str(tmp_path / "SSCardDriver.dll")
    data["card_reader"]["library"] = "ws://127.0.0.1:12342"
    assert settings_from_mapping(data).card_reader.library == "ws://127.0.0.1:12342"


def test_ca_bundle_is_resolved_relative_to_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    data = with_value("platform", "ca_bundle", "ca.pem")
    assert settings_from_mapping(data, base_dir=tmp_path).platform.ca_bundle == str(
        tmp_path / "ca.pem"
    )


def test_data_dir_may_be_created_but_must_be_a_writable_folder(tmp_path: Path) -> None:
    data = with_value("", "data_dir", "new/sub")
    assert settings_from_mapping(data, base_dir=tmp_path).data_dir == str(tmp_path / "new" / "sub")
    (tmp_path / "file").write_text("x", encoding="ascii")
    with pytest.raises(ConfigError, match="不是文件夹"):
        settings_from_mapping(with_value("", "data_dir", "file"), base_dir=tmp_path)


_CHECK_DATA_DIR = """
import json, sys
from app.config import settings_from_mapping
from app.errors import ConfigError
try:
    settings_from_mapping(json.loads(sys.argv[1]))
except ConfigError as error:
    print(error.text)
"""


def data_dir_error_without_root_override(mapping: dict[str, Any]) -> str:
    """The configuration error for ``mapping`` as a user whom file modes bind.

    Root passes every permission check through CAP_DAC_OVERRIDE, so under root (CI, containers) the
    check runs in a child without that capability (util-linux ``setpriv``): still uid 0, now bound
    by the owner's mode bits like any cashier's account.
    """
    command = [sys.executable, "-c", _CHECK_DATA_DIR, json.dumps(mapping)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "as root this test needs setpriv (Debian: util-linux) to drop the override"
        drop = "-dac_override,-dac_read_search"
        command = [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", *command]
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, check=True)
    return done.stdout


@pytest.mark.skipif(
    os.name != "posix", reason="POSIX mode bits (NTFS ACLs are the installer's job)"
)
def test_read_only_data_dir_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert "没有写入权限" in data_dir_error_without_root_override(
        with_value("", "data_dir", str(locked))
    )
    assert "无法" in data_dir_error_without_root_override(
        with_value("", "data_dir", str(locked / "inner"))
    )
    writable = tmp_path / "writable"
    writable.mkdir(mode=0o700)
    assert data_dir_error_without_root_override(with_value("", "data_dir", str(writable))) == ""


# ---------------------------------------------------------------------- secrets


def token_file(tmp_path: Path, mode: int = 0o600, text: str = TOKEN + "\n") -> Path:
    path = tmp_path / "token.txt"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def with_token_source(**source: str) -> dict[str, Any]:
    data = base_mapping()
    del data["platform"]["token"]
    data["platform"].update(source)
    return data


def test_token_from_a_private_file_gives_no_warning(tmp_path: Path) -> None:
    path = token_file(tmp_path)
    settings = settings_from_mapping(with_token_source(token_file="token.txt"), base_dir=tmp_path)
    assert settings.platform.token == TOKEN
    assert settings.platform.credential_source == "file"
    assert settings.warnings == ()
    assert path.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_token_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    token_file(tmp_path, mode)
    with pytest.raises(ConfigError, match="chmod 600") as caught:
        settings_from_mapping(with_token_source(token_file="token.txt"), base_dir=tmp_path)
    assert key_of(caught.value) == "platform.token_file"
    assert TOKEN not in caught.value.text


def test_missing_or_empty_token_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="不存在"):
        settings_from_mapping(with_token_source(token_file="none.txt"), base_dir=tmp_path)
    token_file(tmp_path, text="\n")
    with pytest.raises(ConfigError, match="空的"):
        settings_from_mapping(with_token_source(token_file="token.txt"), base_dir=tmp_path)


def test_exactly_one_token_source_is_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="令牌") as caught:
        settings_from_mapping(with_token_source())
    assert key_of(caught.value) == "platform.token"
    token_file(tmp_path)
    with pytest.raises(ConfigError, match="只能设置其中一个"):
        settings_from_mapping(
            with_token_source(token="x", token_file="token.txt"), base_dir=tmp_path
        )


class _MemoryKeyring:
    """A stand-in for the OS keyring module (an external system, like a device)."""

    def __init__(self, secrets: dict[tuple[str, str], str]) -> None:
        self.secrets = secrets

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))


def test_token_from_the_os_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        sys.modules, "keyring", _MemoryKeyring({("settlement-window", "pass01"): TOKEN})
    )
    settings = settings_from_mapping(with_token_source(token_keyring="settlement-window"))
    assert settings.platform.token == TOKEN
    assert settings.platform.credential_source == "keyring"
    with pytest.raises(ConfigError, match="没有服务“other”") as caught:
        settings_from_mapping(with_token_source(token_keyring="other"))
    assert key_of(caught.value) == "platform.token_keyring"


def test_keyring_source_without_the_package_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # makes "import keyring" fail
    with pytest.raises(ConfigError, match=r"settlement-window\[keyring\]"):
        settings_from_mapping(with_token_source(token_keyring="settlement-window"))


# ---------------------------------------------------------------------- files and the template


def test_unreadable_and_malformed_files_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="无法读取配置文件"):
        load_settings(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text('[platform\nurl = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="不是有效的 TOML"):
        load_settings(broken)


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"demo = tru\n", "第 1 行第 8 列附近"),
        (b'[window]\ndevice_no = "W01\n', "第 2 行第 17 列附近"),
        (b"\xff\xfedemo = true\n", "不是 UTF-8 编码"),
    ],
    ids=["bad-value", "unclosed-quote", "not-utf8"],
)
def test_a_malformed_file_is_explained_in_chinese(
    tmp_path: Path, content: bytes, where: str
) -> None:
    """The parser's English ("Invalid value (at line 1, column 8)", "'utf-8' codec can't decode
    byte 0xff…") never reaches the IT admin: the message says where the file breaks, in Chinese."""
    broken = tmp_path / "broken.toml"
    broken.write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        load_settings(broken)
    assert where in raised.value.text
    english = re.findall(r"[A-Za-z]{4,}", raised.value.text.replace(str(broken), ""))
    assert set(english) <= {"TOML"}, raised.value.text


def _template_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in data.items():
        if isinstance(value, dict):
            keys |= _template_keys(value, f"{prefix}{key}.")
        else:
            keys.add(prefix + key)
    return keys


def test_template_loads_with_a_token_file_next_to_it(tmp_path: Path) -> None:
    copy = tmp_path / "settlement-window.toml"
    copy.write_text(example_config_path().read_text(encoding="utf-8"), encoding="utf-8")
    token_file(tmp_path).rename(tmp_path / "platform-token.txt")
    settings = load_settings(copy)
    assert settings.platform.token == TOKEN
    assert settings.data_dir == str(tmp_path / "data")
    assert settings.hospital.code == "H11010500001"
    assert settings.warnings == ()


def test_template_documents_every_key_and_every_key_is_known() -> None:
    text = example_config_path().read_text(encoding="utf-8")
    data = tomllib.loads(text)
    active = _template_keys(data)
    # The alternative token sources are shown commented out.
    commented = {"platform.token_keyring", "platform.token"}
    known = {entry.key for entry in entries()}
    assert active | commented == known
    for key in commented:
        assert f"# {key.split('.')[1]} = " in text
    # Every key is explained by a comment line directly above it.
    assert text.count("\n#") >= len(known)


def test_effective_values_name_every_file_key_and_hold_the_token_only_as_a_value() -> None:
    settings = settings_from_mapping(base_mapping())
    values = effective_values(settings)
    in_file = {entry.key for entry in entries()}
    assert set(values) - in_file == {"platform.credential_source"}
    assert in_file - set(values) == set()
    assert values["platform.token"] == '"t0ken"'
    changed = effective_values(
        settings_from_mapping(with_value("login", "second_factor_roles", ["admin"]))
    )
    assert {k for k in values if values[k] != changed[k]} == {"login.second_factor_roles"}


def test_every_table_and_key_of_the_file_is_declared_once() -> None:
    keys = [entry.key for entry in entries()]
    assert len(keys) == len(set(keys))
    tables = known_keys()
    assert {f"{t}.{k}" if t else k for t, names in tables.items() for k in names} - set(keys) == {
        table for table in tables if table
    }
