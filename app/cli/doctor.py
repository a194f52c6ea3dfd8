"""``settlement-window doctor`` and ``settlement-window selfcheck``.

``doctor`` wires the real adapters into the checks of :mod:`app.services.doctor`: configuration,
data folder, database, SQLite version, platform reachability, TLS and signature (a harmless 9001
sign-in), clock skew, e-voucher endpoint, card reader, printer, fonts, pending journal rows, and
accounts that must use a one-time code but have no authenticator yet.

``selfcheck`` proves an installed or frozen program works without any configuration: offscreen Qt, the
bundled configuration template, the sandbox platform in-process, a signed sign-in, the bundled font
and one receipt PDF. The bundle test runs it from the frozen executable.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import stat
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from app.cli.backup import cli_data_dir, ensure_private_dir, language_of, load_cli_settings
from app.config import (
    INLINE_CREDENTIAL_WARNING,
    Settings,
    database_path,
    example_config_path,
    resources_dir,
    settings_from_mapping,
)
from app.domain.operator import Operator, Role
from app.errors import AppError, ConfigError, StoreError
from app.messages import CHINESE, Listing
from app.messages import console_doctor as words
from app.services.auth import missing_second_factor
from app.services.doctor import (
    Check,
    Finding,
    Status,
    as_json,
    exit_code,
    format_lines,
    judge_audit_chain,
    judge_clock_skew,
    judge_free_space,
    judge_his_outbox,
    judge_hospital_sync,
    judge_second_factor,
    judge_sqlite_version,
    run_checks,
)
from app.services.ports.clock import SystemClock
from app.services.ports.his import OutboxState
from app.store.crypto import default_key_provider
from app.store.db import Store, open_store, sqlite_version_status

log = logging.getLogger(__name__)
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")

DOCTOR_OPERATOR = Operator(code="doctor", name="系统自检", role=Role.ADMIN)
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")


def _font_files() -> list[Path]:
    folder = resources_dir() / "fonts"
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in FONT_SUFFIXES)


class _Doctor:
    """The probes, sharing the loaded settings and the opened store."""

    def __init__(self, args: argparse.Namespace, stack: ExitStack) -> None:
        self._args = args
        self._stack = stack
        self._settings: Settings | None = None
        self._config_error = ""
        self._store: Store | None = None
        self._server_date: datetime | None = None
        self._local_at_response: datetime | None = None
        self._journal_found: tuple[Finding, Finding] | None = None

    # -------------------------------------------------------------- prerequisites

    def _need_settings(self) -> Settings:
        if self._settings is None:
            raise ConfigError(words.NEEDS_CONFIG())
        return self._settings

    def _need_store(self) -> Store:
        if self._store is None:
            raise AppError(words.NEEDS_DATABASE())
        return self._store

    # -------------------------------------------------------------- checks

    def configuration(self) -> Finding:
        try:
            self._settings = load_cli_settings(self._args)
        except ConfigError as exc:
            self._config_error = exc.text
            raise
        if self._settings.warnings:
            known = {INLINE_CREDENTIAL_WARNING: words.INLINE_TOKEN()}
            said = tuple(known.get(w, w) for w in self._settings.warnings)
            warnings = Listing(said, chinese_separator="；", english_separator=" ")
            return Finding(Status.WARNING, words.WARNINGS(warnings=warnings))
        hospital, window = self._settings.hospital.name, self._settings.window.device_no
        return Finding(Status.OK, words.CONFIG_OK(hospital=hospital, window=window))

    def data_directory(self) -> Finding:
        settings = self._need_settings()
        try:
            data_dir = cli_data_dir(self._args, settings)  # also tightens a looser folder
        except (ConfigError, StoreError) as exc:
            return Finding(Status.ERROR, exc.text)
        try:
            ensure_private_dir(data_dir)
            with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-"):
                pass
        except (OSError, StoreError):
            return Finding(Status.ERROR, words.DATA_DIR_UNWRITABLE(folder=data_dir))
        space = judge_free_space(shutil.disk_usage(data_dir).free)
        if space.status is not Status.OK:
            return Finding(space.status, words.DATA_DIR_SPACE(folder=data_dir, space=space.text))
        mode = data_dir.stat().st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            return Finding(Status.WARNING, words.DATA_DIR_OPEN(folder=data_dir, space=space.text))
        return Finding(Status.OK, words.DATA_DIR_OK(folder=data_dir, space=space.text))

    def database(self) -> Finding:
        data_dir = cli_data_dir(self._args, self._need_settings())
        path = database_path(data_dir)
        existed = path.exists()
        store = open_store(path, default_key_provider(data_dir), SystemClock())
        self._stack.callback(store.close)
        self._store = store
        result = store.integrity_check()
        if result != "ok":
            return Finding(Status.ERROR, words.DATABASE_DAMAGED(result=result.splitlines()[0]))
        journal_mode = store.pragmas.get("journal_mode")
        new = "" if existed else words.DATABASE_NEW()
        return Finding(
            Status.OK, words.DATABASE_OK(name=path.name, new=new, journal_mode=journal_mode)
        )

    def sqlite_version(self) -> Finding:
        status = sqlite_version_status()
        return judge_sqlite_version(status.version, affected=status.affected)

    def platform_reachable(self) -> Finding:
        settings = self._need_settings().platform
        response = self._head(settings.url)
        self._server_date = _date_header(response)
        return Finding(Status.OK, words.REACHABLE(url=settings.url, status=response.status_code))

    def sign_in(self) -> Finding:
        settings = self._need_settings()
        store = self._need_store()
        from app.platform.client import PlatformClient  # noqa: PLC0415 - only when checking

        def next_msgid() -> str:
            with store.uow_factory()() as uow:
                msgid = uow.msgids.next_msgid(settings.hospital.code, SystemClock().now())
                uow.commit()
            return msgid

        with PlatformClient(
            settings.platform,
            settings.hospital,
            settings.window,
            next_msgid,
            SystemClock(),
            read_attempts=1,
        ) as client:
            client.check_connection(DOCTOR_OPERATOR)
        tls = "HTTPS" if settings.platform.url.startswith("https://") else words.PLAIN_HTTP()
        pins = words.PINS(count=len(settings.platform.pins)) if settings.platform.pins else ""
        finding_status = (
            Status.OK if settings.platform.url.startswith("https://") else Status.WARNING
        )
        if (
            settings.demo
            or "127.0.0.1" in settings.platform.url
            or "localhost" in settings.platform.url
        ):
            finding_status = Status.OK
        return Finding(finding_status, words.SIGNED_IN(tls=tls, pins=pins))

    def clock_skew(self) -> Finding:
        self._need_settings()
        if self._server_date is None:
            raise AppError(words.NO_SERVER_TIME())
        local = self._local_at_response or datetime.now(UTC)
        return judge_clock_skew((local - self._server_date).total_seconds())

    def voucher_endpoint(self) -> Finding:
        settings = self._need_settings().platform
        response = self._head(settings.ec_url)
        return Finding(Status.OK, words.REACHABLE(url=settings.ec_url, status=response.status_code))

    def card_reader(self) -> Finding:
        return card_reader_finding(self._need_settings())

    def printer(self) -> Finding:
        printer = self._need_settings().printer
        if printer.kind == "pdf":
            return Finding(Status.OK, words.PRINTER_PDF(layout=printer.layout))
        if printer.kind == "escpos":
            device = printer.escpos_device
            if device.startswith("/dev/") and not Path(device).exists():
                return Finding(Status.ERROR, words.PRINTER_MISSING(device=device))
            return Finding(Status.OK, words.PRINTER_THERMAL(device=device))
        name = printer.name or words.DEFAULT_PRINTER()
        return Finding(Status.OK, words.PRINTER_SYSTEM(name=name, layout=printer.layout))

    def fonts(self) -> Finding:
        files = _font_files()
        if not files:
            return Finding(Status.ERROR, words.NO_FONTS(folder=resources_dir() / "fonts"))
        return Finding(Status.OK, words.FONTS(files=Listing(tuple(p.name for p in files))))

    def second_factor(self) -> Finding:
        settings = self._need_settings()
        store = self._need_store()
        from app.wiring import login_policy  # noqa: PLC0415 - the engine's policy, built in one place

        policy = login_policy(settings)
        with store.uow_factory()() as uow:
            accounts = list(uow.operators.all())
        missing = missing_second_factor(accounts, policy)
        return judge_second_factor(
            [role.label for role in settings.login.second_factor_roles],
            [(a.operator.code, a.operator.name) for a in missing],
            sum(a.second_factor for a in accounts),
        )

    def pending_journal(self) -> Finding:
        """Unresolved rows, besides those waiting in hospital mode (:meth:`awaiting_hospital`)."""
        return self._journal()[0]

    def awaiting_hospital(self) -> Finding:
        """Hospital mode: unresolved rows left for the hospital server or another window."""
        return self._journal()[1]

    def _journal(self) -> tuple[Finding, Finding]:
        if self._journal_found is None:  # one look at the rows (and the server) for both lines
            from app.cli.doctor_hospital import journal_findings  # noqa: PLC0415

            store = self._need_store().uow_factory()
            self._journal_found = journal_findings(self._need_settings(), store)
        return self._journal_found

    def audit_chain(self) -> Finding:
        """From the stored checkpoint to the head, so it stays fast at a year of rows."""
        store = self._need_store()
        with store.uow_factory()() as uow:
            problems = uow.audit.verify_incremental()
            head, _ = uow.audit.head()
            uow.commit()  # the checkpoint moved only if the chain is intact
        return judge_audit_chain(problems, head)

    def his_outbox(self) -> Finding:
        store = self._need_store()
        with store.uow_factory()() as uow:
            waiting = list(uow.his.due(datetime.now(UTC), 10_000))
        refused = sum(1 for item in waiting if item.state is OutboxState.REFUSED)
        oldest = None
        if waiting:
            first = min(item.result.occurred_at for item in waiting)
            oldest = (datetime.now(UTC) - first).total_seconds() / 60
        return judge_his_outbox(len(waiting), refused, oldest)

    def hospital_db(self) -> Finding:
        """Hospital mode: the outbox's figures (local) and whether the hospital database answers."""
        from app.store.hospital.connect import (  # noqa: PLC0415 - hospital mode only
            current_revision,
            head_revision,
            unreachable,
        )
        from app.wiring import hospital_record  # noqa: PLC0415

        hospital_db = self._need_settings().hospital_db
        if not hospital_db.enabled:
            return Finding(Status.OK, words.HOSPITAL_OFF())
        with self._need_store().uow_factory()() as uow:
            stats = uow.replica.stats()
            started = uow.replica.enabled()
        now = datetime.now(UTC)
        last = (
            stats.last_sync_at.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S")
            if (stats.last_sync_at)
            else ""
        )
        try:
            _record, database = hospital_record(hospital_db)
        except (ConfigError, StoreError) as exc:
            return judge_hospital_sync(stats.pending, stats.lag_seconds(now), last, exc.text)
        try:
            revision = current_revision(database)
        except Exception as exc:  # any driver failure means the same thing to the admin
            log.info("doctor: hospital database unreachable (%s)", type(exc).__name__)
            text = unreachable(exc).text
            return judge_hospital_sync(stats.pending, stats.lag_seconds(now), last, text)
        finally:
            database.dispose()
        if revision != head_revision():
            revision_text = revision or words.NOT_BUILT_YET()
            return Finding(Status.ERROR, words.HOSPITAL_SCHEMA_OLD(revision=revision_text))
        if not started:
            return Finding(Status.WARNING, words.HOSPITAL_NOT_STARTED())
        return judge_hospital_sync(stats.pending, stats.lag_seconds(now), last)

    def his_reachable(self) -> Finding:
        from app.domain.his import PatientKey, PatientKeyKind  # noqa: PLC0415
        from app.services.ports.his import HisRejected, HisUnavailable  # noqa: PLC0415
        from app.wiring import his_gateway_for  # noqa: PLC0415

        his = self._need_settings().his
        gateway = his_gateway_for(his)
        if gateway is None:
            return Finding(Status.OK, words.NO_HIS())
        try:
            # A harmless read through the configured adapter: an outpatient number no HIS uses.
            gateway.unpaid_visits(PatientKey(PatientKeyKind.OUTPATIENT_NO, "DOCTOR-PROBE"))
        except (HisUnavailable, HisRejected) as exc:
            return Finding(Status.ERROR, words.HIS_UNREACHABLE(kind=his.kind, error=exc.words))
        finally:
            close = getattr(gateway, "close", None)
            if callable(close):
                close()
        return Finding(Status.OK, words.HIS_REACHABLE(kind=his.kind))

    def his_lock(self) -> Finding:
        """Hospital mode with ``[his] lock = true``: whether the HIS really offers its lock."""
        from app.cli.doctor_hospital import his_lock_finding  # noqa: PLC0415

        return his_lock_finding(self._need_settings())

    def charge_conflicts(self) -> Finding:
        """Hospital mode: offline charge-claim conflicts no supervisor has handled yet."""
        from app.cli.doctor_hospital import charge_conflicts_finding  # noqa: PLC0415

        return charge_conflicts_finding(self._need_settings())

    # -------------------------------------------------------------- helpers

    def _head(self, url: str) -> requests.Response:
        platform = self._need_settings().platform
        verify: str | bool = platform.ca_bundle or True
        try:
            response = requests.head(
                url,
                timeout=(platform.connect_timeout, min(platform.read_timeout, 10.0)),
                verify=verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError:
            raise AppError(words.CERTIFICATE_REFUSED(url=url)) from None
        except requests.exceptions.RequestException as exc:
            raise AppError(words.CANNOT_CONNECT(url=url, kind=type(exc).__name__)) from None
        self._local_at_response = datetime.now(UTC)
        response.close()
        return response

    def checks(self) -> list[Check]:
        language = _language(self._args)
        probes = (
            ("config", self.configuration),
            ("data_dir", self.data_directory),
            ("database", self.database),
            ("sqlite", self.sqlite_version),
            ("platform", self.platform_reachable),
            ("sign_in", self.sign_in),
            ("clock", self.clock_skew),
            ("voucher", self.voucher_endpoint),
            ("card_reader", self.card_reader),
            ("printer", self.printer),
            ("fonts", self.fonts),
            ("journal", self.pending_journal),
            ("journal_awaiting", self.awaiting_hospital),
            ("his", self.his_reachable),
            ("audit", self.audit_chain),
            ("his_outbox", self.his_outbox),
            ("second_factor", self.second_factor),
            ("hospital_db", self.hospital_db),
            ("his_lock", self.his_lock),
            ("charge_conflicts", self.charge_conflicts),
        )
        return [Check(key, words.TITLES[key]().render(language), run) for key, run in probes]


def _date_header(response: requests.Response) -> datetime | None:
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _print_report(args: argparse.Namespace, payload: dict[str, Any], lines: list[str]) -> None:
    if getattr(args, "json", False) or getattr(args, "doctor_json", False):
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + "\n")


def _language(args: argparse.Namespace) -> str:
    """The report's language: ``[ui] language``; JSON keeps the Chinese, like every command's."""
    json_wanted = getattr(args, "json", False) or getattr(args, "doctor_json", False)
    return CHINESE if json_wanted else language_of(args)


def run_doctor(args: argparse.Namespace) -> int:
    """Run every check, print the report, return 1 if any check is 错误."""
    language = _language(args)
    with ExitStack() as stack:
        results = run_checks(_Doctor(args, stack).checks(), language)
    _print_report(args, as_json(results), format_lines(results, language))
    return exit_code(results)


# ---------------------------------------------------------------------------- selfcheck


@contextmanager
def _sandbox() -> Iterator[Any]:
    from app.sandbox import SandboxServer  # noqa: PLC0415 - only the self-check needs it

    server = SandboxServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _selfcheck_settings(server: Any, data_dir: Path) -> Settings:
    """The bundled template, pointed at the in-process sandbox and a temporary data folder."""
    data = tomllib.loads(example_config_path().read_text(encoding="utf-8"))
    platform = data["platform"]
    for name in ("token_file", "token_keyring", "token"):
        platform.pop(name, None)
    platform.update(url=server.url, ec_url=server.ec_url, passid=server.passid, token=server.token)
    data["data_dir"] = str(data_dir)
    data["demo"] = True
    return settings_from_mapping(data, base_dir=data_dir)


def _render_receipt_pdf(settings: Settings) -> bytes:
    """The fictional sample receipt through the real receipt renderer, in the configured layout."""
    from app.printing.receipt_pdf import ReportlabReceiptRenderer  # noqa: PLC0415
    from app.printing.samples import sample_receipt  # noqa: PLC0415

    return ReportlabReceiptRenderer(settings.printer.layout).render(sample_receipt())


def _qt_check() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QFontDatabase, QGuiApplication  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication, QLabel  # noqa: PLC0415

    _app = QApplication.instance() or QApplication(["settlement-window-selfcheck"])
    font_id = QFontDatabase.addApplicationFont(str(_font_files()[0]))
    if font_id < 0:
        raise AppError("Qt 无法加载自带的中文字体。")
    label = QLabel("门诊慢特病")
    label.resize(label.sizeHint())
    image = label.grab()
    label.deleteLater()
    if image.isNull():
        raise AppError("Qt 无法绘制窗口。")
    return f"{QGuiApplication.platformName()} 平台，字体 {', '.join(QFontDatabase.applicationFontFamilies(font_id))}"


def run_selfcheck(args: argparse.Namespace) -> int:
    """Offscreen start-up proof for installers and the frozen bundle; exit 0 when all is well."""
    steps: list[tuple[str, Callable[[], str]]] = []
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sw-selfcheck-") as tmp, _sandbox() as server:
        data_dir = Path(tmp) / "data"
        holder: dict[str, Any] = {}

        def config() -> str:
            holder["settings"] = _selfcheck_settings(server, data_dir)
            return f"模板 {example_config_path()} 加载成功"

        def store() -> str:
            store = open_store(
                database_path(data_dir), default_key_provider(data_dir), SystemClock()
            )
            holder["store"] = store
            return f"数据库完整性 {store.integrity_check()}"

        def sign_in() -> str:
            settings: Settings = holder["settings"]
            store: Store = holder["store"]
            from app.platform.client import PlatformClient  # noqa: PLC0415

            def next_msgid() -> str:
                with store.uow_factory()() as uow:
                    msgid = uow.msgids.next_msgid(settings.hospital.code, SystemClock().now())
                    uow.commit()
                return msgid

            with PlatformClient(
                settings.platform, settings.hospital, settings.window, next_msgid, SystemClock()
            ) as client:
                client.check_connection(DOCTOR_OPERATOR)
            return "沙箱签到（9001）成功"

        def qt() -> str:
            return "Qt " + _qt_check()

        def receipt() -> str:
            pdf = _render_receipt_pdf(holder["settings"])
            if not pdf.startswith(b"%PDF") or b"/FontFile2" not in pdf:
                raise AppError("票据 PDF 生成失败（或没有嵌入中文字体）。")
            (Path(tmp) / "selfcheck-receipt.pdf").write_bytes(pdf)
            return f"票据 PDF {len(pdf)} 字节"

        steps = [
            ("配置", config),
            ("数据库", store),
            ("签到", sign_in),
            ("界面", qt),
            ("票据", receipt),
        ]
        failed = False
        try:
            for title, step in steps:
                try:
                    lines.append(f"[正常] {title}：{step()}")
                except AppError as exc:
                    lines.append(f"[错误] {title}：{exc.text}")
                    failed = True
                    break
        finally:
            if "store" in holder:
                holder["store"].close()
    lines.append("自检失败。" if failed else "自检通过。")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``doctor`` and ``selfcheck``."""
    doctor = subparsers.add_parser("doctor", help="检查本窗口的配置、数据库、平台连接和设备")
    doctor.add_argument(
        "--json", dest="doctor_json", action="store_true", help="以 JSON 输出（供监控）"
    )
    doctor.set_defaults(handler=run_doctor)
    selfcheck = subparsers.add_parser(
        "selfcheck", help="安装/打包自检：离屏界面、内置沙箱、签到和票据 PDF（无需配置）"
    )
    selfcheck.set_defaults(handler=run_selfcheck)


def card_reader_finding(settings: Settings) -> Finding:
    """What card reader the window started from ``settings`` has (``app.main`` builds it)."""
    reader = settings.card_reader
    if reader.kind == "simulated":
        if settings.demo:  # a training window: the sandbox people's simulated cards (F6)
            return Finding(Status.OK, words.SIMULATED_READER_TRAINING())
        return Finding(Status.WARNING, words.SIMULATED_READER())  # vendor libraries only
    if reader.library.startswith(("ws://", "http://")):
        return Finding(Status.OK, words.READER_HELPER(library=reader.library))
    library = Path(reader.library).name
    return Finding(Status.OK, words.READER_LIBRARY(library=library, function=reader.function))
