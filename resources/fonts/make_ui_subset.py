"""Make ``wqy-microhei-ui.ttf``: the bundled font cut down to the characters of the window's own texts.

The window registers this small file (≈ 90 KB) before its first paint, and the full 5 MB collection
right after it (``app/ui/i18n.py``); patient names and catalogue items with rarer characters are drawn
by the full font through the application font's family list. The subset has its own family name
(``WenQuanYi Micro Hei UI``) so Qt never takes one file for the other.

Characters kept: printable ASCII, common full-width punctuation, every character of the translations
in ``resources/i18n/*.ts``, and every non-ASCII character of the string literals (docstrings
left out) in ``app/ui`` and ``app/main.py``. Run it after changing the translations or the window's fixed texts (the test
``tests/gui/test_fonts.py`` fails when a character is missing)::

    .venv/bin/pip install -e '.[tools]'
    .venv/bin/python resources/fonts/make_ui_subset.py

Licence: the output is a modified version of WenQuanYi Micro Hei (subset and renamed), under the same
Apache-2.0 licence; its name table says so.
"""

from __future__ import annotations

import ast
import re
import sys
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fontTools is a tools extra; tests import ui_characters() without it
    from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCE = HERE / "wqy-microhei.ttc"
OUTPUT = HERE / "wqy-microhei-ui.ttf"
FAMILY = "WenQuanYi Micro Hei UI"
POSTSCRIPT_NAME = "WenQuanYiMicroHeiUI"
# Full-width punctuation and symbols the texts may use even where no current text does.
EXTRA = "，。、；：？！“”‘’（）《》【】〔〕…—·￥¥°±×÷→←↑↓　"
_TRANSLATION = re.compile(r"<translation[^>]*>(.*?)</translation>", re.DOTALL)


def ui_characters() -> set[str]:
    """Every character the window's own texts can show."""
    chars = {chr(code) for code in range(0x20, 0x7F)} | set(EXTRA)
    for ts_file in sorted((ROOT / "resources" / "i18n").glob("*.ts")):
        for match in _TRANSLATION.finditer(ts_file.read_text(encoding="utf-8")):
            chars |= set(unescape(match.group(1)))
    sources = [*sorted((ROOT / "app" / "ui").rglob("*.py")), ROOT / "app" / "main.py"]
    for source in sources:
        for text in _string_literals(source.read_text(encoding="utf-8")):
            chars |= {ch for ch in text if ord(ch) > 0x7F}
    return {ch for ch in chars if ch.isprintable()}


def _string_literals(source: str) -> list[str]:
    """The string constants of a Python source, without docstrings (comments are not strings)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _rename(font: TTFont) -> None:
    table = font["name"]
    kept = {0, 2, 5, 7, 8, 11, 12, 13, 14}  # copyright, style, version, trademark, vendor, licence
    table.names = [
        record
        for record in table.names
        if record.nameID in kept and (record.platformID, record.langID) in ((1, 0), (3, 0x409))
    ]
    for name_id, text in (
        (1, FAMILY),
        (3, f"{FAMILY}; subset of WenQuanYi Micro Hei 0.2.0-beta"),
        (4, FAMILY),
        (6, POSTSCRIPT_NAME),
        (
            10,
            "Modified version of WenQuanYi Micro Hei: cut down to the characters of the "
            "settlement window's own texts, and renamed (resources/fonts/make_ui_subset.py).",
        ),
    ):
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)


def main() -> int:
    """Write the subset and print what it holds."""
    from fontTools import subset  # noqa: PLC0415
    from fontTools.ttLib import TTCollection  # noqa: PLC0415

    chars = ui_characters()
    font = TTCollection(str(SOURCE)).fonts[0]
    missing = sorted(ch for ch in chars if ord(ch) not in font.getBestCmap())
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(ch) for ch in chars))
    subsetter.subset(font)
    _rename(font)
    font.recalcTimestamp = False  # the same input gives the same file
    font.save(str(OUTPUT))
    print(f"{OUTPUT.name}: {len(chars)} characters, {OUTPUT.stat().st_size:,} bytes")  # noqa: T201
    if missing:
        print(f"not in the source font either: {''.join(missing)!r}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
