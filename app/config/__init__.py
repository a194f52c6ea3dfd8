"""Settings: the list of settings (:mod:`app.config.settings`), each declared once, typed and
validated on load with Chinese errors that name the key (:mod:`app.config.load`).

The example file and ``docs/configuration.md`` are generated from the declarations
(:mod:`app.config.render`).
"""

from app.config.load import (
    INLINE_CREDENTIAL_WARNING,
    effective_values,
    entries,
    known_keys,
    load_settings,
    settings_from_mapping,
)
from app.config.paths import (
    CONFIG_FILE_NAME,
    DATABASE_FILE_NAME,
    LOCK_FILE_NAME,
    RESOURCES_ENV,
    data_dir_of,
    database_path,
    default_config_path,
    default_data_dir,
    example_config_path,
    resources_dir,
)
from app.config.settings import (
    MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    CardReaderSettings,
    HisSettings,
    HospitalDbSettings,
    HospitalSettings,
    LoginSettings,
    LogSettings,
    PlatformSettings,
    PrinterSettings,
    ScannerSettings,
    Settings,
    WindowSettings,
)

__all__ = [
    "CONFIG_FILE_NAME",
    "DATABASE_FILE_NAME",
    "INLINE_CREDENTIAL_WARNING",
    "LOCK_FILE_NAME",
    "MAX_RETENTION_DAYS",
    "MIN_RETENTION_DAYS",
    "RESOURCES_ENV",
    "CardReaderSettings",
    "HisSettings",
    "HospitalDbSettings",
    "HospitalSettings",
    "LogSettings",
    "LoginSettings",
    "PlatformSettings",
    "PrinterSettings",
    "ScannerSettings",
    "Settings",
    "WindowSettings",
    "data_dir_of",
    "database_path",
    "default_config_path",
    "default_data_dir",
    "effective_values",
    "entries",
    "example_config_path",
    "known_keys",
    "load_settings",
    "resources_dir",
    "settings_from_mapping",
]
