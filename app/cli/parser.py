"""argparse in the app's language: its own words ("usage:", "options", its error messages) in Chinese
by default, English when the configuration's ``[ui] language`` is ``en``.

argparse looks its words up through the module-level ``gettext`` functions ``argparse._`` and
``argparse.ngettext`` each time it formats help or an error; :func:`argparse_language` swaps them
for a table lookup while the command line is parsed and puts the originals back afterwards.

Usage errors do not exit from inside argparse: :class:`CliParser` raises :class:`UsageProblem`, so
the caller can print one JSON document under ``--json`` (or the usage and a Chinese line otherwise).
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, NoReturn

from app.cli.help_en import EN

ENGLISH = "en"

# argparse's own messages (Python 3.11-3.13), keyed by the English text argparse asks for.
ZH_CN: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的 %(type)s 值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出参数 %s 之一",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "ignored explicit argument %r": "选项不接受值 %r",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unexpected option string: %s": "意外的选项：%s",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}


class _Texts:
    """The translation of the program's own help texts in effect while parsing (none: Chinese)."""

    current: ClassVar[dict[str, str]] = {}


class TranslatingFormatter(argparse.HelpFormatter):
    """Help formatter that shows the program's own texts in the chosen language."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        return _Texts.current.get(text, text) if text else text

    def add_text(self, text: str | None) -> None:
        """A description or epilog, translated when a translation exists."""
        super().add_text(_Texts.current.get(text, text) if text else text)


class UsageProblem(Exception):
    """The command line is wrong; ``parser`` is the (sub)parser that noticed."""

    def __init__(self, message: str, parser: argparse.ArgumentParser):
        super().__init__(message)
        self.message = message
        self.parser = parser


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser (and the class of its subparsers) that raises instead of exiting and
    formats its help in the chosen language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As ArgumentParser; subparsers get the translating formatter too."""
        kwargs.setdefault("formatter_class", TranslatingFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Raise :class:`UsageProblem` (argparse would print and exit with code 2)."""
        raise UsageProblem(message, self)


def configured_language(argv: Sequence[str]) -> str:
    """``[ui] language`` of the configuration file the command line points at, read cheaply (no
    validation: a broken file is reported by the command itself); ``zh_CN`` when unknown."""
    path = _config_path(argv)
    if path is None:
        return "zh_CN"
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return "zh_CN"
    ui = document.get("ui")
    language = ui.get("language") if isinstance(ui, dict) else None
    return language if isinstance(language, str) else "zh_CN"


def _config_path(argv: Sequence[str]) -> Path | None:
    for index, word in enumerate(argv):
        if word == "--config" and index + 1 < len(argv):
            return Path(argv[index + 1])
        if word.startswith("--config="):
            return Path(word.partition("=")[2])
    from_env = os.environ.get("SETTLEMENT_WINDOW_CONFIG", "")
    if from_env:
        return Path(from_env)
    # The rule of app.config.paths.default_config_path (a test keeps the two equal), without
    # importing the configuration package, which ``--help`` does not otherwise need.
    import platformdirs  # noqa: PLC0415

    folder = platformdirs.user_config_dir("settlement-window", appauthor=False)
    return Path(folder) / "settlement-window.toml"


def parsing_language() -> str:
    """The language argparse speaks at the moment (for the program's own argument errors)."""
    return ENGLISH if _Texts.current else "zh_CN"


@contextmanager
def argparse_language(language: str) -> Iterator[None]:
    """argparse speaks ``language`` inside the block (Chinese unless it is ``en``)."""
    if language == ENGLISH:
        _Texts.current = EN
        try:
            yield
        finally:
            _Texts.current = {}
        return
    original: Callable[[str], str] = argparse._  # type: ignore[attr-defined]
    original_plural: Callable[[str, str, int], str] = argparse.ngettext  # type: ignore[attr-defined]

    def translate(text: str) -> str:
        return ZH_CN.get(text, original(text))

    def translate_plural(singular: str, plural: str, count: int) -> str:
        chosen = singular if count == 1 else plural
        return ZH_CN.get(chosen, original_plural(singular, plural, count))

    argparse._ = translate  # type: ignore[attr-defined]
    argparse.ngettext = translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = original  # type: ignore[attr-defined]
        argparse.ngettext = original_plural  # type: ignore[attr-defined]


def add_global_options(parser: argparse.ArgumentParser, version: str) -> None:
    """The options every command accepts before its name."""
    # The version action's default help is looked up when argparse is imported, not at use.
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {version}",
        help=argparse._("show program's version number and exit"),  # type: ignore[attr-defined]
    )
    parser.add_argument("--demo", action="store_true", help="演示/培训模式：使用内置沙箱平台")
    parser.add_argument("--config", metavar="FILE", help="配置文件（TOML）")
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录（默认：用户数据目录）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（供程序读取）")


def command_word(argv: Sequence[str]) -> str | None:
    """The subcommand's name in ``argv`` (the first word that is not a global option or its value)."""
    takes_value = {"--config", "--data-dir"}
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token in takes_value:
            skip = True
            continue
        if token.startswith("-"):
            continue
        return token
    return None


def json_requested(argv: Sequence[str]) -> bool:
    """Whether ``--json`` was given among the global options (before the command's name)."""
    word = command_word(argv)
    head = list(argv) if word is None else list(argv[: list(argv).index(word)])
    return "--json" in head
