"""The bundled receipt font: registration with reportlab, coverage, and the rare-character fallback.

A fresh machine has no Chinese fonts, and some CJK fallback fonts have no Latin glyphs (digits would
vanish), so receipts always use the shipped WenQuanYi Micro Hei, embedded as a subset.

A character the font lacks (e.g. CJK Extension B 𠈌 in a name) must not silently disappear from a
receipt the patient claims with. :func:`printable` replaces each such character with a marked
placeholder carrying its code point, ``〔U+2020C〕``; the renderer then adds a footnote explaining the
mark, so the insured place can still identify the character.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.printing.resources import resource_path

FONT_NAME = "WenQuanYiMicroHei"
FONT_FILE = ("fonts", "wqy-microhei.ttc")
MISSING_GLYPH_NOTE = "注：〔U+xxxx〕为本机字体无法显示的生僻字，括号内为该字的统一码编号。"

_lock = threading.Lock()


@cache
def _font() -> TTFont:
    # reportlab keeps a process-wide registry; registering once per process is enough.
    font = TTFont(FONT_NAME, str(resource_path(*FONT_FILE)), subfontIndex=0)
    pdfmetrics.registerFont(font)
    return font


def receipt_font() -> str:
    """Register the bundled font (once, thread-safe) and return its reportlab name."""
    with _lock:
        _font()
    return FONT_NAME


@cache
def _glyphs() -> frozenset[int]:
    with _lock:
        return frozenset(_font().face.charToGlyph)


def covers(char: str) -> bool:
    """Whether the bundled font has a glyph for ``char``."""
    return ord(char) in _glyphs()


@dataclass(frozen=True)
class PrintableText:
    """Text safe to draw with the bundled font, and whether anything had to be marked."""

    text: str
    marked: bool


def printable(text: str) -> PrintableText:
    """Replace characters the font lacks with ``〔U+XXXX〕``; control characters become spaces."""
    glyphs = _glyphs()
    if text.isprintable() and all(ord(char) in glyphs for char in text):
        return PrintableText(text, marked=False)
    out: list[str] = []
    marked = False
    for char in text:
        if char.isspace() or not char.isprintable():
            out.append(" ")
        elif ord(char) in glyphs:
            out.append(char)
        else:
            out.append(f"〔U+{ord(char):04X}〕")
            marked = True
    return PrintableText("".join(out), marked)
