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

from app.cli.backup import cli_data_dir, ensure_private_dir, load_cli_settings
from app.config import (
    Settings,
    database_path,
    example_config_path,
    resources_dir,
    settings_from_mapping,
)
from app.domain.operator import Operator, Role
from app.errors import AppError, ConfigError, StoreError
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
            raise ConfigError("配置有误，无法检查此项（见“配置”一行）。")
        return self._settings

    def _need_store(self) -> Store:
        if self._store is None:
            raise AppError("数据库没有打开，无法检查此项（见“数据库”一行）。")
        return self._store

    # -------------------------------------------------------------- checks

    def configuration(self) -> Finding:
        try:
            self._settings = load_cli_settings(self._args)
        except ConfigError as exc:
            self._config_error = exc.text
            raise
        if self._settings.warnings:
            return Finding(Status.WARNING, "；".join(self._settings.warnings))
        return Finding(
            Status.OK, f"{self._settings.hospital.name}，窗口 {self._settings.window.device_no}。"
        )

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
            return Finding(Status.ERROR, f"数据目录 {data_dir} 无法写入，请检查权限或磁盘。")
        space = judge_free_space(shutil.disk_usage(data_dir).free)
        if space.status is not Status.OK:
            return Finding(space.status, f"{data_dir}：{space.text}")
        mode = data_dir.stat().st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            return Finding(
                Status.WARNING,
                f"数据目录 {data_dir} 其他用户也可访问，建议执行 chmod 700 {data_dir}。{space.text}",
            )
        return Finding(Status.OK, f"{data_dir} 可写，{space.text}")

    def database(self) -> Finding:
        data_dir = cli_data_dir(self._args, self._need_settings())
        path = database_path(data_dir)
        existed = path.exists()
        store = open_store(path, default_key_provider(data_dir), SystemClock())
        self._stack.callback(store.close)
        self._store = store
        result = store.integrity_check()
        if result != "ok":
            return Finding(
                Status.ERROR,
                f"数据库完整性检查失败（{result.splitlines()[0]}）。请停止收费，从最近的备份恢复并联系信息科。",
            )
        pragmas = f"journal_mode={store.pragmas.get('journal_mode')}，synchronous=FULL"
        created = "" if existed else "（新建）"
        return Finding(Status.OK, f"{path.name}{created} 完整性正常，{pragmas}。")

    def sqlite_version(self) -> Finding:
        status = sqlite_version_status()
        return judge_sqlite_version(status.version, affected=status.affected)

    def platform_reachable(self) -> Finding:
        settings = self._need_settings().platform
        response = self._head(settings.url)
        self._server_date = _date_header(response)
        return Finding(Status.OK, f"{settings.url} 可以连通（HTTP {response.status_code}）。")

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
        tls = (
            "HTTPS"
            if settings.platform.url.startswith("https://")
            else "HTTP（未加密，仅限内网/沙箱）"
        )
        pins = f"，证书指纹 {len(settings.platform.pins)} 个" if settings.platform.pins else ""
        finding_status = (
            Status.OK if settings.platform.url.startswith("https://") else Status.WARNING
        )
        if (
            settings.demo
            or "127.0.0.1" in settings.platform.url
            or "localhost" in settings.platform.url
        ):
            finding_status = Status.OK
        return Finding(finding_status, f"签到（9001）成功，{tls}{pins}，签名被平台接受。")

    def clock_skew(self) -> Finding:
        self._need_settings()
        if self._server_date is None:
            raise AppError("平台没有返回时间，无法比较时钟（见“平台连通”一行）。")
        local = self._local_at_response or datetime.now(UTC)
        return judge_clock_skew((local - self._server_date).total_seconds())

    def voucher_endpoint(self) -> Finding:
        settings = self._need_settings().platform
        response = self._head(settings.ec_url)
        return Finding(Status.OK, f"{settings.ec_url} 可以连通（HTTP {response.status_code}）。")

    def card_reader(self) -> Finding:
        reader = self._need_settings().card_reader
        if reader.kind == "simulated":
            demo = self._need_settings().demo
            status = Status.OK if demo else Status.WARNING
            return Finding(  # the window reads cards only through a vendor library
                status,
                "未配置读卡器（card_reader.kind = simulated：模拟卡只在 --demo 演示模式中提供），"
                "本窗口只能用电子凭证或身份证号识别患者；正式收费请配置厂商读卡库（kind = vendor）。",
            )
        if reader.library.startswith(("ws://", "http://")):
            return Finding(Status.OK, f"使用读卡助手 {reader.library}（请插卡试读一次）。")
        return Finding(
            Status.OK,
            f"读卡库 {Path(reader.library).name} 已找到，函数 {reader.function}（请插卡试读一次）。",
        )

    def printer(self) -> Finding:
        printer = self._need_settings().printer
        if printer.kind == "pdf":
            return Finding(Status.OK, f"票据保存为 PDF（{printer.layout}）。")
        if printer.kind == "escpos":
            device = printer.escpos_device
            if device.startswith("/dev/") and not Path(device).exists():
                return Finding(Status.ERROR, f"热敏打印机设备 {device} 不存在，请检查连接。")
            return Finding(Status.OK, f"热敏打印机 {device}（请打印测试页确认）。")
        name = printer.name or "系统默认打印机"
        return Finding(Status.OK, f"使用 {name}（{printer.layout}，请打印测试页确认）。")

    def fonts(self) -> Finding:
        files = _font_files()
        if not files:
            return Finding(
                Status.ERROR,
                f"{resources_dir() / 'fonts'} 中没有字体文件，票据上的中文会无法显示。请重新安装。",
            )
        return Finding(Status.OK, "已带中文字体：" + "、".join(p.name for p in files) + "。")

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
            return Finding(
                Status.OK, "未启用医院模式（[hospital_db] url 为空），只使用本机数据库。"
            )
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
            return Finding(
                Status.ERROR,
                f"医院数据库的表结构不是当前版本（{revision or '尚未建立'}），"
                "请信息科用数据库属主账号运行 hospital init-db。",
            )
        if not started:
            return Finding(
                Status.WARNING,
                "医院数据库可以连接，但本窗口尚未开始同步：打开收费窗口或运行 hospital sync 后开始。",
            )
        return judge_hospital_sync(stats.pending, stats.lag_seconds(now), last)

    def his_reachable(self) -> Finding:
        from app.domain.his import PatientKey, PatientKeyKind  # noqa: PLC0415
        from app.services.ports.his import HisRejected, HisUnavailable  # noqa: PLC0415
        from app.wiring import his_gateway_for  # noqa: PLC0415

        his = self._need_settings().his
        gateway = his_gateway_for(his)
        if gateway is None:
            return Finding(Status.OK, "未对接 HIS（his.kind = none），收费员录入费用。")
        try:
            # A harmless read through the configured adapter: an outpatient number no HIS uses.
            gateway.unpaid_visits(PatientKey(PatientKeyKind.OUTPATIENT_NO, "DOCTOR-PROBE"))
        except (HisUnavailable, HisRejected) as exc:
            return Finding(
                Status.ERROR,
                f"HIS（{his.kind}）无法访问：{exc.text} 请检查 [his] 配置、网络和 HIS 服务。",
            )
        finally:
            close = getattr(gateway, "close", None)
            if callable(close):
                close()
        return Finding(Status.OK, f"HIS（{his.kind}）可以访问。")

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
            raise AppError(f"{url} 的证书校验失败，请检查 platform.ca_bundle。") from None
        except requests.exceptions.RequestException as exc:
            raise AppError(
                f"无法连接 {url}（{type(exc).__name__}）。请检查网络、前置机和地址配置。"
            ) from None
        self._local_at_response = datetime.now(UTC)
        response.close()
        return response

    def checks(self) -> list[Check]:
        return [
            Check("config", "配置", self.configuration),
            Check("data_dir", "数据目录", self.data_directory),
            Check("database", "数据库", self.database),
            Check("sqlite", "SQLite 版本", self.sqlite_version),
            Check("platform", "平台连通", self.platform_reachable),
            Check("sign_in", "TLS 和签名", self.sign_in),
            Check("clock", "时钟", self.clock_skew),
            Check("voucher", "电子凭证服务", self.voucher_endpoint),
            Check("card_reader", "读卡器", self.card_reader),
            Check("printer", "打印机", self.printer),
            Check("fonts", "字体", self.fonts),
            Check("journal", "未完成交易", self.pending_journal),
            Check("journal_awaiting", "等待医院服务器", self.awaiting_hospital),
            Check("his", "HIS 连通", self.his_reachable),
            Check("audit", "审计记录链", self.audit_chain),
            Check("his_outbox", "HIS 结果回传", self.his_outbox),
            Check("second_factor", "动态验证码", self.second_factor),
            Check("hospital_db", "医院数据库", self.hospital_db),
            Check("his_lock", "HIS 锁定", self.his_lock),
            Check("charge_conflicts", "重复收费冲突", self.charge_conflicts),
        ]


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


def run_doctor(args: argparse.Namespace) -> int:
    """Run every check, print the report, return 1 if any check is 错误."""
    with ExitStack() as stack:
        results = run_checks(_Doctor(args, stack).checks())
    _print_report(args, as_json(results), format_lines(results))
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
