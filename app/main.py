"""Entry point and the window's start-up: settings, the data folder's lock, logging, the UI.

The engine, the devices and the window's backend are composed by :mod:`app.wiring` (the same
functions the CLI and the test fixtures use); this module adds the window, :mod:`app.demo` the demo desk.

``settlement-window COMMAND …`` runs a console subcommand (:mod:`app.cli.main`).
``settlement-window [--config FILE] [--data-dir DIR]`` opens the cashier window for the configured
platform. ``settlement-window --demo`` starts the embedded sandbox platform on loopback, a simulated
card reader and demo operators, and shows a 培训/演示 banner on every screen.

Demo operators (fictional; the demo's data folder is a fresh temporary folder each time):

====== ========== =================== =========================
code   name       role                password
====== ========== =================== =========================
C001   收费员甲   cashier             ``demo-cashier-2026``
R001   挂号员丙   registration desk   ``demo-desk-2026``
S001   主管乙     supervisor          ``demo-super-2026``
====== ========== =================== =========================
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only the standard library modules PySide6 imports anyway are imported at module level: this module
# is on the path to the window's first paint (see app/ui/shell.py and docs/performance.md).

if TYPE_CHECKING:
    from argon2 import PasswordHasher
    from PySide6.QtCore import QLockFile
    from PySide6.QtWidgets import QApplication

    from app.config import Settings
    from app.sandbox import SandboxServer
    from app.services.engine import Engine
    from app.services.lookup import LookupEngine
    from app.services.ports.devices import DeviceHandler
    from app.ui.device_handler import QtDeviceHandler
    from app.ui.errors import MessageBridge
    from app.ui.main_window import MainWindow
    from app.ui.shell import StartWindow
    from app.workers.runner import TaskRunner

log = logging.getLogger(__name__)


def _gui_options(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--config")
    parser.add_argument("--data-dir")
    parser.add_argument("--json", action="store_true")
    return parser.parse_known_args(list(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``settlement-window`` and ``python -m app``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    options, rest = _gui_options(args_list)
    if rest:  # a subcommand, --help or --version: the console interface
        from app.cli.main import main  # noqa: PLC0415  (keep the window's start-up lean)

        return main(args_list, EngineWhenNeeded())
    return run_window(options)


class EngineWhenNeeded:
    """The console's engine factory: ``app.wiring.build_engine``, imported only by commands that
    build an engine (``--help`` and ``sandbox`` never load the store, the platform client or the
    PDF library); :meth:`lookup` builds the lighter engine of a command that only identifies.

    A command that logs an operator in says so first (:meth:`expect_login`): the password's
    argon2id check then starts on another thread while the engine's modules load, and the store's
    login uses its answer (:mod:`app.store.login_ahead`; the login itself is unchanged).
    """

    def __init__(self) -> None:
        """No login expected yet."""
        self._hasher: PasswordHasher | None = None

    def expect_login(self, data_dir: Path, code: str, password: str) -> None:
        """Start checking ``password`` for ``code`` in the store of ``data_dir``."""
        from app.config.paths import database_path  # noqa: PLC0415
        from app.store.login_ahead import check_ahead  # noqa: PLC0415

        self._hasher = check_ahead(database_path(data_dir), code, password)

    def __call__(self, settings: Settings, folder: Path) -> Engine:
        """The engine of ``folder``."""
        with _no_collections_while_composing():
            from app.wiring.engine import build_engine  # noqa: PLC0415

            hasher, self._hasher = self._hasher, None
            return build_engine(settings, folder, password_hasher=hasher)

    def lookup(self, settings: Settings, folder: Path) -> LookupEngine:
        """The lighter engine of ``folder`` for a command that only identifies (recovery, login,
        eligibility; :func:`app.wiring.lookup.build_lookup_engine`)."""
        with _no_collections_while_composing():
            from app.wiring.lookup import build_lookup_engine  # noqa: PLC0415

            hasher, self._hasher = self._hasher, None
            return build_lookup_engine(settings, folder, password_hasher=hasher)


@contextmanager
def _no_collections_while_composing() -> Iterator[None]:
    """No garbage collection while the engine's modules load and the engine is composed; what
    they built is then frozen (excluded from later collections), as the window does at start-up
    (:func:`_freeze_start_up_objects`).

    Loading SQLAlchemy, the platform client and the services allocates ≈ 100,000 objects that live
    until the process ends; the collector's full passes over them meanwhile found nothing to free
    and cost ≈ 50-60 ms of ``eligibility``'s ≈ 0.3 s of imports (docs/performance.md, CLI
    start-up). The collector is on again afterwards, so a long command collects its own garbage.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


# ====================================================================== the window
class WindowSession:
    """Everything the running window owns, closed in reverse order on quit.

    The message bridge and the device handler are created on the GUI thread right after the first
    paint (:func:`start_session`), the rest on the STORE lane.
    """

    def __init__(self, app: QApplication) -> None:
        """A session of ``app``; nothing is started yet."""
        self.app = app
        self.bridge: MessageBridge | None = None
        self.device_handler: QtDeviceHandler | None = None
        self.runner: TaskRunner | None = None
        self.engine: Engine | None = None
        self.server: SandboxServer | None = None
        self.lock: QLockFile | None = None
        self.shell: StartWindow | None = None
        self.window: MainWindow | None = None
        self.closers: list[Callable[[], None]] = []
        self.scratch: list[Path] = []  # a demo's throw-away data folder, removed at close

    def close(self) -> None:
        """Stop workers first (they may be using the engine), then the engine, then the sandbox."""
        if self.runner is not None:
            self.runner.shutdown()
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception:
                log.exception("error while closing")
        if self.engine is not None:
            self.engine.close()
        if self.server is not None:
            self.server.stop()
        if self.lock is not None:
            self.lock.unlock()
        if self.scratch:
            import shutil  # noqa: PLC0415

            for folder in self.scratch:
                shutil.rmtree(folder, ignore_errors=True)


def create_application(language: str = "zh_CN") -> QApplication:
    """The QApplication with the bundled Chinese font and the chosen translation."""
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from app.ui.i18n import install_translator, register_ui_font  # noqa: PLC0415

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("settlement-window")
    families = register_ui_font()
    if families:
        font = app.font()
        font.setFamilies([*families, *font.families()])
        app.setFont(font)
    translator = install_translator(app, language)
    app.setProperty("translator_loaded", translator is not None)
    return app


def run_window(options: argparse.Namespace) -> int:
    """Open the window; returns the exit code when it closes."""
    app = create_application()
    session = WindowSession(app)
    _quit_on_termination(app)
    try:
        start_session(session, demo=options.demo, config=options.config, data_dir=options.data_dir)
    except Exception as exc:
        from app.errors import AppError  # noqa: PLC0415  (not needed on the way to the first paint)
        from app.ui.errors import describe  # noqa: PLC0415

        if not isinstance(exc, AppError):
            raise
        message = describe(exc)
        _fatal(message.text if message is not None else exc.text)
        session.close()
        return 2
    try:
        return app.exec()
    finally:
        session.close()


def _quit_on_termination(app: QApplication) -> None:
    """SIGTERM (and SIGHUP) end the window as closing it does: the session is closed, so the
    engine and the sandbox stop cleanly and a demo's temporary folders are removed.

    Python runs a signal handler only between bytecodes; while Qt's event loop waits in C++, a
    timer gives the interpreter that chance every 200 ms. The quit is queued, so a signal during
    start-up ends the window as soon as its event loop runs.
    """
    import signal  # noqa: PLC0415

    from PySide6.QtCore import QTimer  # noqa: PLC0415

    def request_quit(signum: int, frame: object) -> None:
        log.info("signal %d: closing the window", signum)
        QTimer.singleShot(0, app.quit)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), request_quit)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(200)


def _fatal(text: str) -> None:
    from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415

    log.error("start-up refused: %s", text)
    QMessageBox.critical(None, "门诊慢特病结算窗口", text)


class Composition:
    """What the background start-up built for the window."""

    def __init__(self, settings: Settings) -> None:
        """Nothing built yet for ``settings``."""
        self.settings = settings
        self.backend: Any = None
        self.reader: Any = None
        self.cards: tuple[str, ...] = ()
        self.hospital_state: Callable[[], Any] | None = None  # hospital mode's sync snapshot
        self.hospital_wake: Callable[[], None] | None = None  # run a sync round now


def _import_window_modules() -> None:
    """Worker thread: the modules of the real window, imported off the GUI thread (the GUI thread
    still gets the GIL at every switch interval, so the start-up frame keeps answering)."""
    import app.config  # noqa: PLC0415
    import app.services.ports.clock  # noqa: PLC0415
    import app.ui.device_handler  # noqa: PLC0415
    import app.ui.errors  # noqa: PLC0415
    import app.ui.main_window  # noqa: PLC0415
    import app.workers.pending_backend  # noqa: PLC0415
    import app.workers.runner  # noqa: F401, PLC0415


def start_session(
    session: WindowSession,
    *,
    demo: bool,
    config: str | None,
    data_dir: str | None,
    clock: Any = None,
    hasher: Any = None,
) -> StartWindow:
    """Show the start-up frame at once; build the real window and the backend after the first paint.

    Before the first paint only :mod:`app.ui.shell` is imported. Then a worker thread imports the
    real window's modules; back on the GUI thread the message bridge, the device handler and the task
    runner are created, the store, engine and devices start building on the STORE lane, and the real
    window (:class:`MainWindow`) is built and put inside the frame. Logging in is possible once
    ``shell.is_ready``. A failure of the background start-up (data folder in use, store refused) is
    shown and the window closes.

    Raises:
        AppError: the configuration file is wrong (checked before the window opens).
    """
    from PySide6.QtCore import QTimer  # noqa: PLC0415

    from app.ui.i18n import register_full_font, warm_full_font  # noqa: PLC0415
    from app.ui.shell import WINDOW_SIZE, StartWindow  # noqa: PLC0415

    settings = None if demo else _load_settings(config)
    if settings is not None and settings.language != "zh_CN":
        from app.ui.i18n import install_translator  # noqa: PLC0415

        install_translator(session.app, settings.language)
    # A training configuration (``demo = true``) shows the banner: it must never look like production.
    banner = demo or (settings is not None and settings.demo)
    shell = StartWindow(demo=banner)
    session.shell = shell
    shell.resize(*WINDOW_SIZE)
    shell.show()

    def load() -> None:
        try:
            warm_full_font()  # a cold 5 MB read stays off the GUI thread too
            _import_window_modules()
        finally:
            shell.loaded.emit()  # an import error is raised again, with its traceback, below

    def build() -> None:
        try:
            _import_window_modules()  # at once: done (or raises the worker's error again here)
            # On the GUI thread (its font cache is per thread), before the real window's widgets.
            register_full_font()
            _build_window(
                session, settings, demo=demo, data_dir=data_dir, clock=clock, hasher=hasher
            )
        except Exception:
            log.exception("the window could not be built")
            _fatal("收费窗口启动失败（程序错误）。请联系信息科，详情见日志。")
            shell.close()

    shell.loaded.connect(build)
    # After the first paint. The importing thread shares the GIL with the GUI thread, which gets it
    # back at every switch interval, so the frame keeps answering.
    QTimer.singleShot(0, threading.Thread(target=load, name="window-import", daemon=True).start)
    return shell


def _build_window(
    session: WindowSession,
    settings: Settings | None,
    *,
    demo: bool,
    data_dir: str | None,
    clock: Any,
    hasher: Any,
) -> None:
    """GUI thread, after the first paint: the real window, and the backend started on its lane."""
    from app.services.ports.clock import SystemClock  # noqa: PLC0415
    from app.ui.device_handler import QtDeviceHandler  # noqa: PLC0415
    from app.ui.errors import MessageBridge, install_excepthook  # noqa: PLC0415
    from app.ui.main_window import MainWindow  # noqa: PLC0415
    from app.workers.pending_backend import BackendSlot  # noqa: PLC0415
    from app.workers.runner import Lane, TaskRunner  # noqa: PLC0415

    shell = session.shell
    assert shell is not None
    bridge = session.bridge = MessageBridge(
        language=settings.language if settings is not None else "zh_CN"
    )
    install_excepthook(bridge)
    # Created here, on the GUI thread, so their queued signals land there.
    session.device_handler = QtDeviceHandler(bridge)
    session.runner = runner = TaskRunner()
    clock = clock or SystemClock()
    pending = BackendSlot()

    def compose() -> Composition:
        return _compose(session, settings, demo=demo, data_dir=data_dir, clock=clock, hasher=hasher)

    def composed(result: Composition) -> None:
        pending.set(result.backend)
        _install_shift_report(window, session)
        from app.hospital_window import install_hospital_window  # noqa: PLC0415

        install_hospital_window(window, result, session.engine)
        if result.reader is not None:
            window.set_demo_cards(result.cards, result.reader.select)
        _connect_scanner(session, window)
        window.mark_ready(result.settings)

    def failed(exc: BaseException) -> None:
        from app.ui.errors import describe  # noqa: PLC0415

        message = describe(exc)
        _fatal(message.text if message is not None else str(exc))
        shell.close()

    window = MainWindow(
        pending,
        runner,
        bridge,
        clock,
        settings or _demo_placeholder_settings(),
        demo=demo or (settings is not None and settings.demo),
        starting=True,
    )
    session.window = window
    shell.adopt(window)
    runner.submit(compose, composed, failed, lane=Lane.STORE, busy_text=window.starting_text)


def _load_settings(config: str | None) -> Settings:
    from app.config import default_config_path, load_settings  # noqa: PLC0415

    return load_settings(Path(config) if config else default_config_path())


def _demo_placeholder_settings() -> Settings:
    """Window settings until the embedded sandbox has a port (the real ones replace them)."""
    from app.config import settings_from_mapping  # noqa: PLC0415

    return settings_from_mapping(
        {
            "platform": {"url": "http://127.0.0.1:9", "passid": "demo", "token": "demo"},
            "hospital": {"code": "H11010500001", "name": "演示医院", "admdvs": "110105"},
            "demo": True,
        }
    )


def _compose(
    session: WindowSession,
    loaded: Settings | None,
    *,
    demo: bool,
    data_dir: str | None,
    clock: Any,
    hasher: Any,
) -> Composition:
    """Worker thread: sandbox (demo), single-instance lock, logging, engine, devices, receipts."""
    from app.wiring import build_backend, build_engine  # noqa: PLC0415

    settings, folder = _settings_and_folder(session, loaded, demo=demo, data_dir=data_dir)
    session.lock = _single_instance(folder)
    _start_logging(session, folder, settings)
    kwargs: dict[str, Any] = {"clock": clock}
    if hasher is not None:
        kwargs["password_hasher"] = hasher
    session.engine = build_engine(settings, folder, **kwargs)
    composition = Composition(settings)
    handler = session.device_handler
    assert handler is not None
    if demo:
        from app.demo import prepare_demo_desk, warm_up_sandbox  # noqa: PLC0415

        assert session.server is not None
        warm_up_sandbox(session.server)
        desk = prepare_demo_desk(session.engine, handler)
        composition.reader, composition.cards = desk
        session.closers.append(desk.reader.close)
    else:
        composition.reader, composition.cards = configured_card_reader(settings, handler)
        if composition.reader is not None:
            session.closers.append(composition.reader.close)
    _start_his(session, session.engine)
    from app.hospital_window import start_hospital_sync  # noqa: PLC0415

    worker = start_hospital_sync(session, session.engine)
    if worker is not None:
        composition.hospital_state, composition.hospital_wake = worker.state, worker.wake
    _warm_up_receipts(settings)
    composition.backend = build_backend(session.engine, card_reader=composition.reader)
    _freeze_start_up_objects()
    return composition


def _install_shift_report(window: Any, session: Any) -> None:
    """GUI thread: the shift report and the progress dialogs (issue 18) over the composed engine."""
    from app.ui.shift_report_ui import install_shift_report  # noqa: PLC0415
    from app.workers.shift_backend import EngineShiftBackend  # noqa: PLC0415

    install_shift_report(window, EngineShiftBackend(session.engine))


def _freeze_start_up_objects() -> None:
    """Collect once now, then exclude everything start-up built from later garbage collections.

    Start-up leaves a large, long-lived heap (SQLAlchemy mappers, the sandbox, reportlab's font,
    Qt wrappers). A full collection walks all of it, ≈ 100 ms holding the GIL on whichever thread
    triggers it, and the GUI thread cannot run meanwhile: measured inside settlements as event-loop
    stalls of 100-150 ms (benchmarks/ui_stall.py). Frozen objects are never scanned again, so later
    full collections only walk what the cashier's work allocates.
    """
    gc.collect()
    gc.freeze()


def _warm_up_receipts(settings: Settings) -> None:
    """Render one sample receipt now, during start-up.

    reportlab parses the 5 MB bundled font on first use inside long C calls that hold the GIL (about
    200 ms measured by benchmarks/ui_stall.py); doing it here keeps that pause out of the first
    settlement of the day.
    """
    from app.printing.receipt_pdf import ReportlabReceiptRenderer  # noqa: PLC0415
    from app.printing.samples import sample_receipt  # noqa: PLC0415

    ReportlabReceiptRenderer(settings.printer.layout).render(sample_receipt())


def _settings_and_folder(
    session: WindowSession, loaded: Settings | None, *, demo: bool, data_dir: str | None
) -> tuple[Settings, Path]:
    from app.config import data_dir_of, settings_from_mapping  # noqa: PLC0415

    if demo:
        from app.sandbox import SandboxServer, client_config  # noqa: PLC0415
        from app.sandbox.his import start_demo_his  # noqa: PLC0415

        session.server = SandboxServer().start()
        his_server = start_demo_his()
        session.closers.append(his_server.stop)
        config = client_config(session.server)
        config["his"] = {"kind": "http", "url": his_server.url}  # the real adapter, demo HIS
        settings = settings_from_mapping(config)
        if data_dir:
            return settings, Path(data_dir)
        folder = Path(tempfile.mkdtemp(prefix="sw-demo-"))
        session.scratch.append(folder)
        return settings, folder
    assert loaded is not None
    return loaded, data_dir_of(loaded, data_dir)


def _single_instance(folder: Path) -> QLockFile:
    from PySide6.QtCore import QLockFile  # noqa: PLC0415

    from app.config import LOCK_FILE_NAME  # noqa: PLC0415
    from app.errors import ConfigError  # noqa: PLC0415

    # Like the admin commands: the folder holds personal data and the database, so only its owner.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = QLockFile(str(folder / LOCK_FILE_NAME))
    lock.setStaleLockTime(0)
    if not lock.tryLock(100):
        raise ConfigError(
            f"数据目录 {folder} 已被另一个收费窗口使用。同一数据目录只能打开一个窗口，请切换到已打开的窗口。",
            code="single_instance",
        )
    return lock


def _start_logging(session: WindowSession, folder: Path, settings: Settings) -> None:
    from app.log import setup_logging  # noqa: PLC0415

    handle = setup_logging(folder, settings.log)
    session.closers.append(handle.close)


def _connect_scanner(session: WindowSession, window: MainWindow) -> None:
    """Scans become e-voucher codes: a serial scanner's through a pump on its own thread, a keyboard
    wedge's picked out of the key events anywhere in the window; garbled scans are explained."""
    from app.ui.scanner_filter import install_scanner_filter  # noqa: PLC0415

    if window.settings.scanner.kind == "serial":
        from app.hardware.factory import make_voucher_scanner  # noqa: PLC0415
        from app.workers.scanner_pump import ScannerPump  # noqa: PLC0415

        port = make_voucher_scanner(window.settings)
        assert port is not None
        pump = ScannerPump(port)
        pump.scanned.connect(window.on_voucher_scanned)
        pump.failed.connect(window.bridge.info)
        session.closers.append(pump.start().stop)
        return
    scanner = install_scanner_filter(session.app, window.settings.scanner)
    scanner.voucher_scanned.connect(window.on_voucher_scanned)
    scanner.scan_rejected.connect(window.bridge.info)
    session.closers.append(lambda: session.app.removeEventFilter(scanner))


def configured_card_reader(
    settings: Settings, handler: DeviceHandler
) -> tuple[Any, tuple[str, ...]]:
    """The configured card reader and its simulated cards (F6): the vendor library; in a training
    window (``demo = true``) the sandbox people's cards, as ``--demo``; else none (ID, e-voucher)."""
    if settings.card_reader.kind == "vendor":
        from app.hardware.factory import make_card_reader  # noqa: PLC0415

        return make_card_reader(settings, handler), ()
    if not settings.demo:
        return None, ()  # PC/SC alone cannot read the card's protected fields
    from app.demo import demo_card_reader  # noqa: PLC0415

    return demo_card_reader(handler)  # a training window: never a real patient's card


def _start_his(session: WindowSession, engine: Engine) -> None:
    """Deliver HIS results in the background (the window's HIS panel lists unpaid visits)."""
    from app.services.his_outbox import OutboxWorker  # noqa: PLC0415

    if engine.his_outbox is not None:
        worker = OutboxWorker(engine.his_outbox).start()
        session.closers.append(worker.stop)
