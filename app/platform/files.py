"""Platform files (9101 uploads, 9102 downloads): zipped, tab-separated, size-checked."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from app.platform.codec import ProtocolError, loads
from app.platform.fields import money

MAX_FILE_BYTES = 512 * 1024 * 1024

MAX_FILE_MEMBERS = 16


@dataclass(frozen=True)
class FileTicket:
    """Where to fetch a prepared file with 9102."""

    file_query_no: str
    filename: str
    rows: int | None = None


def read_zipped_text(content: bytes) -> str:
    """The one text member of a platform zip (9102), size-checked; UTF-8 or GB18030."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise ProtocolError("file is not a zip archive") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not members or len(members) > MAX_FILE_MEMBERS:
            raise ProtocolError("zip archive has no or too many members")
        member = members[0]
        if member.file_size > MAX_FILE_BYTES:
            raise ProtocolError("zip member is too large")
        try:
            data = archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise ProtocolError("zip member cannot be read") from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ProtocolError("file is neither UTF-8 nor GB18030")


def tab_rows(body: str) -> list[list[str]]:
    """Tab-separated lines without header; ``null`` becomes empty."""
    return [
        ["" if cell == "null" else cell for cell in line.rstrip("\r").split("\t")]
        for line in body.split("\n")
        if line.strip()
    ]


def cell_money(cell: str) -> Decimal:
    parsed = money({"v": loads(cell)} if cell else {"v": None}, "v")
    assert parsed is not None
    return parsed
