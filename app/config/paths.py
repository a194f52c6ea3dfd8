"""Where things are: the data folder, the database, the configuration file, the resources."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.config.settings import Settings

DATABASE_FILE_NAME = "settlement-window.sqlite3"
# Held (QLockFile) by the running window; admin commands that replace or rewrite the database take it.
LOCK_FILE_NAME = "window.lock"
CONFIG_FILE_NAME = "settlement-window.toml"
RESOURCES_ENV = "SETTLEMENT_WINDOW_RESOURCES"


def default_data_dir() -> Path:
    """The per-user data folder used when ``data_dir`` is not set."""
    return Path(platformdirs.user_data_dir("settlement-window", appauthor=False))


def data_dir_of(settings: Settings, override: str | None = None) -> Path:
    """The data folder to use: ``--data-dir``, else ``data_dir`` from the file, else the default."""
    if override:
        return Path(override).expanduser()
    if settings.data_dir:
        return Path(settings.data_dir)
    return default_data_dir()


def database_path(data_dir: Path) -> Path:
    """The local database file inside the data folder."""
    return data_dir / DATABASE_FILE_NAME


def default_config_path() -> Path:
    """Where the configuration is looked for when ``--config`` is not given.

    ``SETTLEMENT_WINDOW_CONFIG`` wins; else the per-user configuration folder.
    """
    from_env = os.environ.get("SETTLEMENT_WINDOW_CONFIG", "")
    if from_env:
        return Path(from_env)
    return (
        Path(platformdirs.user_config_dir("settlement-window", appauthor=False)) / CONFIG_FILE_NAME
    )


def resources_dir() -> Path:
    """The ``resources`` folder: ``$SETTLEMENT_WINDOW_RESOURCES`` if set, else next to ``app``.

    "Next to ``app``" holds in a checkout, an installed tree and the PyInstaller bundle (whose
    ``app`` package lives in the bundle folder); the same rule as ``app.printing.resources``.
    """
    override = os.environ.get(RESOURCES_ENV, "")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def example_config_path() -> Path:
    """The commented configuration template shipped with the program."""
    return resources_dir() / "config" / "settlement-window.example.toml"
