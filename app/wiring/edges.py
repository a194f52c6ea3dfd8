"""The edges chosen by the settings: the HIS adapter and its lock, the receipt printer, the platform
probe, and the window's backend over an engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.config import (
    HisSettings,
    Settings,
)
from app.errors import ConfigError
from app.services.ports.his import HisChargeLock, HisGateway

# The HIS adapters, the printer factory and the window's backend are imported when used: a console
# command on a window without a HIS loads no HIS client (docs/performance.md, CLI start-up).
if TYPE_CHECKING:
    from app.services.engine import Engine
    from app.services.ports.devices import CardReader, ReceiptPrinter
    from app.workers.engine_backend import EngineBackend, HandOff

PROBE_TIMEOUT_S = 1.0


def his_lock_for(his: HisSettings, gateway: HisGateway | None) -> HisChargeLock | None:
    """The HIS's lock (lock-then-pay) when the adapter has it and ``[his] lock`` says the HIS
    offers it; ``None`` otherwise."""
    if gateway is None or not his.lock or not isinstance(gateway, HisChargeLock):
        return None
    return gateway


def his_gateway_for(his: HisSettings) -> HisGateway | None:
    """The configured HIS adapter (``[his] kind``), or ``None`` when the window has no HIS.

    Raises:
        ConfigError: the kind needs an address or folder that is not set.
    """
    if his.kind == "none":
        return None
    if his.kind == "folder":
        if not his.folder:
            raise ConfigError("配置项 his.folder 不能为空（his.kind = folder）。", code="config")
        from app.his.folder import FolderHis  # noqa: PLC0415

        return FolderHis(Path(his.folder))
    if not his.url:
        raise ConfigError(f"配置项 his.url 不能为空（his.kind = {his.kind}）。", code="config")
    if his.kind == "http":
        from app.his.http import HttpHis  # noqa: PLC0415

        return HttpHis(his.url, token=his.token, read_timeout=his.timeout)
    from app.his.middle import MiddleTablesHis  # noqa: PLC0415

    return MiddleTablesHis(
        his.url,
        pending_table=his.pending_table,
        results_table=his.results_table,
        timeout=his.timeout,
    )


def receipt_printer(settings: Settings, data_dir: Path) -> ReceiptPrinter:
    """The configured receipt printer; the only place the printer is chosen.

    ``pdf`` saves each receipt in ``data_dir/receipts``; ``escpos`` sends it to the thermal printer;
    ``system`` sends it to the operating system's printer ``printer.name`` (the default one when
    empty), the same pages the window's preview shows.
    """
    if settings.printer.kind == "system":
        # Qt's print support is loaded only when this kind is configured.
        from app.printing.system_printer import SystemReceiptPrinter  # noqa: PLC0415

        return SystemReceiptPrinter(settings.printer.name)
    from app.hardware.factory import make_receipt_printer  # noqa: PLC0415

    return make_receipt_printer(settings, data_dir / "receipts")


def probe_for(url: str) -> Callable[[], bool]:
    """A cheap reachability check: can a TCP connection be opened to the platform's host?"""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)

    def probe() -> bool:
        import socket  # noqa: PLC0415  (not on the way to the window's first paint)

        try:
            with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
                return True
        except OSError:
            return False

    return probe


def build_backend(
    engine: Engine, *, card_reader: CardReader | None, hand_off: HandOff | None = None
) -> EngineBackend:
    """The window's backend over ``engine`` (receipts and the HIS through the engine's use cases)
    with a probe of the configured platform."""
    from app.workers.engine_backend import EngineBackend  # noqa: PLC0415

    return EngineBackend(
        engine,
        card_reader=card_reader,
        hand_off=hand_off,
        probe=probe_for(engine.settings.platform.url),
    )
