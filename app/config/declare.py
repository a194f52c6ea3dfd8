"""How a setting is declared: one dataclass field carries its key, type, default, meaning and check.

A settings section is a frozen dataclass whose fields are made with :func:`setting`::

    read_timeout: float = setting(30.0, Number(1.0, 300.0, "秒"), zh="读取超时", en="Read timeout")

The field's name is the key inside the section's TOML table (``key=`` places it elsewhere), its
default is the default, the :class:`Kind` parses and checks a value from the file and says how it
is written, and ``zh``/``en`` say what it means. The loader (:mod:`app.config.load`), the example
file and the documentation table (:mod:`app.config.render`) are all generated from these fields,
as Electrum's ``ConfigVar`` or qutebrowser's ``configdata.yml`` do.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, Field, dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any

from app.domain.operator import Role
from app.errors import ConfigError

REQUIRED: Any = MISSING  # a setting without a default must be in the file


def fail(key: str, text: str) -> ConfigError:
    """The error for a wrong value of ``key`` (the key is in ``detail`` for doctor and tests)."""
    return ConfigError(text, detail={"key": key})


class Kind:
    """Parses one value from the file; says in words (for the documentation) what it accepts."""

    zh = "文字"
    en = "text"

    def parse(self, value: object, key: str, base: Path) -> Any:
        """The checked value; ``base`` is the folder relative paths are taken from.

        Raises:
            ConfigError: naming ``key``.
        """
        return _text(value, key)

    def describe(self) -> tuple[str, str]:
        """What the value may be (Chinese, English)."""
        return self.zh, self.en

    def file_value(self, value: Any) -> object:
        """``value`` as the file writes it (the inverse of :meth:`parse`)."""
        return value


def _text(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise fail(key, f"配置项 {key} 应为文字（加引号）。")
    return value


@dataclass(frozen=True)
class Text(Kind):
    """A string. ``required``: stripped and non-empty. ``pattern``: must match it fully."""

    required: bool = False
    pattern: str = ""
    pattern_zh: str = ""

    def parse(self, value: object, key: str, base: Path) -> str:
        """The string, stripped when required."""
        text = _text(value, key)
        if self.required:
            text = text.strip()
            if not text:
                raise fail(key, f"配置项 {key} 不能为空。")
        if self.pattern and not re.fullmatch(self.pattern, text):
            raise fail(key, f"配置项 {key}“{text}”{self.pattern_zh}")
        return text

    def describe(self) -> tuple[str, str]:
        """Text, non-empty when required."""
        if self.required:
            return "文字（不能为空）", "text (not empty)"
        return self.zh, self.en


@dataclass(frozen=True)
class Url(Kind):
    """An ``http://`` or ``https://`` address with a host; the trailing ``/`` is dropped.

    ``optional``: an empty value is allowed (the loader then fills in another setting's value).
    """

    optional: bool = False

    def parse(self, value: object, key: str, base: Path) -> str:
        """The address without its trailing slash."""
        url = _text(value, key).strip().rstrip("/")
        if self.optional and not url:
            return ""
        scheme, sep, rest = url.partition("://")
        if not sep or scheme.lower() not in ("http", "https") or not rest or " " in url:
            raise fail(
                key,
                f"配置项 {key}“{url}”不是有效的网址，应以 http:// 或 https:// 开头并带主机名。",
            )
        return url

    def describe(self) -> tuple[str, str]:
        """A web address."""
        return "网址（http:// 或 https://）", "URL (http:// or https://)"


@dataclass(frozen=True)
class Choice(Kind):
    """One of a few words."""

    choices: tuple[str, ...]

    def parse(self, value: object, key: str, base: Path) -> str:
        """The chosen word."""
        text = _text(value, key)
        if text not in self.choices:
            raise fail(key, f"配置项 {key} 的值“{text}”无效，可选：{'、'.join(self.choices)}。")
        return text

    def describe(self) -> tuple[str, str]:
        """The words."""
        words = " | ".join(self.choices)
        return f"其一：{words}", f"one of: {words}"


@dataclass(frozen=True)
class Integer(Kind):
    """A whole number within ``low``–``high``."""

    low: int
    high: int
    unit: str = ""

    def parse(self, value: object, key: str, base: Path) -> int:
        """The number."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(key, f"配置项 {key} 应为整数（不加引号），范围 {self.low}–{self.high}。")
        if not self.low <= value <= self.high:
            raise fail(
                key, f"配置项 {key} 的值 {value} 超出范围，应在 {self.low}–{self.high} 之间。"
            )
        return value

    def describe(self) -> tuple[str, str]:
        """Integer and range."""
        unit = f" {self.unit}" if self.unit else ""
        return f"整数 {self.low}–{self.high}{unit}", f"integer {self.low}–{self.high}"


@dataclass(frozen=True)
class Number(Kind):
    """A number (integer or decimal) within ``low``–``high``, held as a float."""

    low: float
    high: float
    unit: str = "秒"

    def parse(self, value: object, key: str, base: Path) -> float:
        """The number as a float."""
        low, high = self.low, self.high
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(key, f"配置项 {key} 应为数字（单位：{self.unit}），范围 {low:g}–{high:g}。")
        if not low <= value <= high:
            raise fail(key, f"配置项 {key} 的值 {value:g} 超出范围，应在 {low:g}–{high:g} 之间。")
        return float(value)

    def describe(self) -> tuple[str, str]:
        """Number and range."""
        return f"数字 {self.low:g}–{self.high:g} {self.unit}", f"number {self.low:g}–{self.high:g}"


@dataclass(frozen=True)
class Flag(Kind):
    """``true`` or ``false``."""

    def parse(self, value: object, key: str, base: Path) -> bool:
        """The flag."""
        if not isinstance(value, bool):
            raise fail(key, f"配置项 {key} 应为 true 或 false（不加引号）。")
        return value

    def describe(self) -> tuple[str, str]:
        """Boolean."""
        return "true 或 false", "true or false"


def text_list(value: object, key: str, what: str) -> list[str]:
    """A TOML array of strings, or an error saying what the items are."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f'配置项 {key} 应为{what}列表，如 ["…", "…"]。')
    return list(value)


@dataclass(frozen=True)
class Roles(Kind):
    """A list of staff roles, kept in the order of :class:`Role`, without repeats."""

    def parse(self, value: object, key: str, base: Path) -> tuple[Role, ...]:
        """The roles."""
        choices = "、".join(f'"{r.value}"（{r.label}）' for r in Role)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(
                key, f'配置项 {key} 应为角色列表，如 ["supervisor", "admin"]；可选：{choices}。'
            )
        roles = set()
        for text in value:
            try:
                roles.add(Role(text.strip()))
            except ValueError:
                raise fail(
                    key, f"配置项 {key} 中的“{text}”不是有效的角色，可选：{choices}。"
                ) from None
        return tuple(role for role in Role if role in roles)

    def describe(self) -> tuple[str, str]:
        """Role names."""
        names = " ".join(role.value for role in Role)
        return f"角色列表（{names}）", f"list of roles ({names})"


def resolve(base: Path, value: str) -> Path:
    """``value`` as a path; relative paths are relative to ``base`` (the configuration's folder)."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


@dataclass(frozen=True)
class Declared:
    """What :func:`setting` records about a field (see the module docstring)."""

    kind: Kind
    zh: str
    en: str
    key: str = ""
    example: object = None  # the value the example file shows, when not the default
    alternative: bool = False  # shown commented out in the example file (one of several ways)


def setting(
    default: Any,
    kind: Kind,
    *,
    zh: str,
    en: str,
    key: str = "",
    example: object = None,
    alternative: bool = False,
) -> Any:
    """A settings field: see the module docstring. ``default=REQUIRED`` makes it mandatory."""
    metadata = {"setting": Declared(kind, zh, en, key, example, alternative)}
    if default is MISSING:
        return field(metadata=metadata)
    if isinstance(default, list | set | dict):
        raise TypeError("mutable defaults are not allowed; use a tuple or frozenset")
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Entry:
    """One setting as found in the declarations: its file key, field and declaration."""

    key: str
    attribute: str
    owner: type
    field: Field[Any]
    declared: Declared

    @property
    def table(self) -> str:
        """The TOML table it lives in ("" for the top level)."""
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        """Its name inside the table."""
        return self.key.rpartition(".")[2]

    @property
    def required(self) -> bool:
        """Whether the file must give it."""
        return self.field.default is MISSING and self.field.default_factory is MISSING

    @property
    def default(self) -> object:
        """The default value (``MISSING`` for a required setting)."""
        if self.field.default_factory is not MISSING:
            return self.field.default_factory()
        return self.field.default


def declared_fields(cls: type, table: str) -> list[Entry]:
    """The settings declared on the dataclass ``cls`` whose keys live in ``table``."""
    entries = []
    for item in fields(cls):
        declared = item.metadata.get("setting")
        if isinstance(declared, Declared):
            key = declared.key or (f"{table}.{item.name}" if table else item.name)
            entries.append(Entry(key, item.name, cls, item, declared))
    return entries


def toml_literal(value: object) -> str:
    """``value`` written as TOML (strings as basic strings, arrays inline, enums by value)."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=repr) if isinstance(value, frozenset | set) else value
        return "[" + ", ".join(toml_literal(item) for item in items) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")
