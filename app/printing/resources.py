"""Where the shipped resource files are, in a checkout, an installed tree and a PyInstaller bundle.

Resources live in the top-level ``resources/`` folder next to the ``app`` package. The lookup order is:

1. the ``SETTLEMENT_WINDOW_RESOURCES`` environment variable (an IT override, and for tests);
2. ``sys._MEIPASS/resources`` inside a PyInstaller bundle (the spec must add
   ``("resources", "resources")`` to ``datas``);
3. ``<folder containing app/>/resources`` for a source checkout or an installed tree.

Every module that needs a shipped file (fonts, i18n, icons, config templates) should call
:func:`resource_path` rather than building paths itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.errors import ConfigError

ENV_OVERRIDE = "SETTLEMENT_WINDOW_RESOURCES"


def resources_root() -> Path:
    """The ``resources`` folder (it need not contain any particular file)."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle, str):
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """An existing file or folder under the resources root.

    Raises:
        ConfigError: the file is missing (a broken installation), with the path and what to do.
    """
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise ConfigError(
            f"程序文件缺失：{path}。请重新安装收费窗口程序或联系信息科。",
            code="resource_missing",
            detail={"key": "/".join(parts)},
        )
    return path
