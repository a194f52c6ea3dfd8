"""Kinds of value particular to this program: certificate pins, disease codes, paths on this PC."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config.declare import Kind, fail, resolve, text_list
from app.config.hospital_url import check_url
from app.domain.disease import is_pilot
from app.domain.hospital import is_institution_code
from app.domain.region import is_division_code

_PIN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Pins(Kind):
    """SHA-256 certificate fingerprints, 64 hex digits (colons allowed), kept in lower case."""

    def parse(self, value: object, key: str, base: Path) -> tuple[str, ...]:
        """The pins."""
        pins = []
        for raw in text_list(value, key, "证书指纹"):
            pin = raw.replace(":", "").strip().lower()
            if not _PIN.match(pin):
                raise fail(
                    key,
                    f"{key} 中的“{raw}”不是 SHA-256 证书指纹：应为 64 位十六进制数字"
                    "（可用冒号分隔）。",
                )
            pins.append(pin)
        return tuple(pins)

    def describe(self) -> tuple[str, str]:
        """Fingerprints."""
        return "SHA-256 指纹列表", "list of SHA-256 fingerprints"


@dataclass(frozen=True)
class InstitutionCode(Kind):
    """``H`` + 11 digits."""

    def parse(self, value: object, key: str, base: Path) -> str:
        """The code."""
        code = super().parse(value, key, base)
        if not is_institution_code(code):
            raise fail(key, f"配置项 {key}“{code}”格式不对，应为 H 加 11 位数字。")
        return str(code)

    def describe(self) -> tuple[str, str]:
        """The format."""
        return "H 加 11 位数字", "H + 11 digits"


@dataclass(frozen=True)
class DivisionCode(Kind):
    """A 6-digit medical-insurance division code."""

    def parse(self, value: object, key: str, base: Path) -> str:
        """The code."""
        code = super().parse(value, key, base)
        if not is_division_code(code):
            raise fail(key, f"配置项 {key}“{code}”不是有效的 6 位医保区划代码。")
        return str(code)

    def describe(self) -> tuple[str, str]:
        """The format."""
        return "6 位区划代码", "6-digit division code"


@dataclass(frozen=True)
class DiseaseCodes(Kind):
    """National cross-province chronic/special disease codes."""

    def parse(self, value: object, key: str, base: Path) -> frozenset[str]:
        """The codes."""
        codes = text_list(value, key, "病种编码")
        unknown = [c for c in codes if not is_pilot(c)]
        if unknown:
            raise fail(
                key, f"{key} 中的 {'、'.join(unknown)} 不是国家跨省直接结算的门诊慢特病编码。"
            )
        return frozenset(codes)

    def describe(self) -> tuple[str, str]:
        """Codes."""
        return "病种编码列表", "list of disease codes"


@dataclass(frozen=True)
class Coverage(Kind):
    """``"province:disease"`` pairs, e.g. ``"11:M03900"``."""

    def parse(self, value: object, key: str, base: Path) -> frozenset[tuple[str, str]]:
        """The (province prefix, disease) pairs."""
        pairs = []
        for item in text_list(value, key, "文字"):
            province, sep, disease = item.partition(":")
            if not sep or not re.fullmatch(r"\d{2}(\d{4})?", province) or not is_pilot(disease):
                raise fail(
                    key,
                    f'{key} 中的“{item}”格式不对，应为“省份代码:病种编码”，如 "11:M03900"。',
                )
            pairs.append((province[:2], disease))
        return frozenset(pairs)

    def describe(self) -> tuple[str, str]:
        """Pairs."""
        return "“省份代码:病种编码”列表", 'list of "province:disease"'

    def file_value(self, value: Any) -> object:
        """Back to ``"province:disease"`` strings."""
        return sorted(f"{province}:{disease}" for province, disease in value)


@dataclass(frozen=True)
class HospitalDbUrl(Kind):
    """A hospital database URL under :func:`app.config.hospital_url.check_url`; empty means off."""

    def parse(self, value: object, key: str, base: Path) -> str:
        """The URL, or ""."""
        url = str(super().parse(value, key, base)).strip()
        if url:
            problems = check_url(url)
            if problems:
                raise fail(key, f"配置项 {key}：{problems[0]}")
        return url

    def describe(self) -> tuple[str, str]:
        """A PostgreSQL URL."""
        return (
            "PostgreSQL 地址（postgresql+psycopg://，可留空）",
            "PostgreSQL URL (postgresql+psycopg://; may be empty)",
        )


@dataclass(frozen=True)
class ExistingFile(Kind):
    """A file that must exist (relative to the configuration's folder); empty means none."""

    what: str = "文件"

    def parse(self, value: object, key: str, base: Path) -> str:
        """The absolute path, or ""."""
        text = super().parse(value, key, base).strip()
        if not text:
            return ""
        path = resolve(base, text)
        if not path.is_file():
            raise fail(key, f"{key} 指定的{self.what} {path} 不存在，请检查路径。")
        return str(path)

    def describe(self) -> tuple[str, str]:
        """A path."""
        return "文件路径（可留空）", "file path (may be empty)"


@dataclass(frozen=True)
class DataFolder(Kind):
    """A folder this program's user can write, or can create; empty means the default one."""

    def parse(self, value: object, key: str, base: Path) -> str:
        """The absolute path, or ""."""
        text = super().parse(value, key, base).strip()
        if not text:
            return ""
        path = resolve(base, text)
        if path.exists():
            if not path.is_dir():
                raise fail(key, f"{key} 指定的 {path} 不是文件夹。")
            if not os.access(path, os.W_OK | os.X_OK):
                raise fail(key, f"数据目录 {path} 没有写入权限，请让本程序的用户可写。")
            return str(path)
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise fail(key, f"数据目录 {path} 不存在，且无法在 {parent} 下创建（没有写入权限）。")
        return str(path)

    def describe(self) -> tuple[str, str]:
        """A folder."""
        return "文件夹路径（可留空）", "folder path (may be empty)"
