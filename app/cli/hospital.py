"""``settlement-window hospital``: hospital mode from the console (docs/hospital-mode.md).

* ``init-db [--url URL]`` — bring the hospital database's schema to the newest revision (run once by
  IT with the owner role; the windows' role cannot create tables) and print the revision.
* ``sync`` — deliver this window's pending records to the hospital database now.
* ``status [--json]`` — every window as the hospital database sees it: last sync, lag, pending,
  unresolved journal rows and today's totals (fund + account + cash = total); then the offline
  charge-claim conflicts waiting for a supervisor.
* ``conflicts`` / ``conflict-handled ID`` — those conflicts in full, and a supervisor marking one
  handled (:mod:`app.cli.hospital_conflicts`).
* ``key-create PATH`` — write a new hospital key (0600) for IT to copy to every window;
  ``key-rotate`` re-encrypts the record under a new one (:mod:`app.cli.hospital_key`).
* ``unresolved`` / ``resolve MSGID`` — every window's unresolved calls; a supervisor resolving a dead
  window's call here (:mod:`app.cli.hospital_journal`).
* ``day-close`` / ``history`` — the whole hospital's day close and every window's settlements
  (:mod:`app.cli.hospital_day`).
* ``report shift`` — the supervisor's hospital-wide shift report, per window and per operator
  (:mod:`app.cli.hospital_report`).
"""

from __future__ import annotations

import argparse
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine as SqlEngine
from sqlalchemy.exc import DBAPIError

from app.cli.context import CliContext
from app.cli.hospital_conflicts import conflict_data, conflicts_text
from app.cli.hospital_conflicts import register_actions as register_conflict_actions
from app.cli.hospital_day import register_actions as register_day_actions
from app.cli.hospital_journal import register_actions
from app.cli.hospital_key import register_key_rotate
from app.cli.hospital_report import register_actions as register_report_actions
from app.cli.output import EXIT_OK, EXIT_UNAVAILABLE, Output
from app.config import HospitalDbSettings
from app.errors import InputError, StoreError
from app.messages import CHINESE
from app.messages import console_hospital as words
from app.services.hospital_sync import SyncReport
from app.services.ports.hospital import WindowStatus
from app.store.hospital.connect import current_revision, head_revision, unreachable, upgrade
from app.store.hospital.key import create_hospital_key, read_hospital_key
from app.store.hospital.record import key_id
from app.wiring import hospital_database, hospital_link, hospital_record

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``hospital`` subcommand and its actions."""
    parser = subparsers.add_parser(
        "hospital",
        help="医院模式：初始化医院数据库、立即同步、各窗口状态、生成医院密钥",
        description="医院模式：全院各窗口共用一个 PostgreSQL（docs/hospital-mode.md）",
    )
    actions = parser.add_subparsers(dest="hospital_action", metavar="ACTION", required=True)
    init_db = actions.add_parser(
        "init-db", help="建立或升级医院数据库的表结构（由信息科用数据库属主账号运行）"
    )
    init_db.add_argument(
        "--url", default="", help="数据库属主账号的地址（不写则用配置中的 hospital_db.url）"
    )
    init_db.add_argument(
        "--password-file",
        default="",
        help="与 --url 一起使用：存放该账号密码的文件（权限 600），不需要密码时不写",
    )
    init_db.set_defaults(handler=run_init_db)
    sync = actions.add_parser("sync", help="立即把本窗口待上传的记录同步到医院数据库")
    sync.set_defaults(handler=run_sync)
    status = actions.add_parser("status", help="各窗口的同步延迟、未确认交易和今日合计")
    status.add_argument(
        "--json", dest="status_json", action="store_true", help="以 JSON 输出（供程序读取）"
    )
    status.set_defaults(handler=run_status)
    key_create = actions.add_parser(
        "key-create", help="生成新的医院密钥文件（权限 600），由信息科分发到各窗口"
    )
    key_create.add_argument("path", metavar="PATH", help="新密钥文件的路径（不会覆盖已有文件）")
    key_create.set_defaults(handler=run_key_create)
    register_key_rotate(actions)
    register_actions(actions)
    register_day_actions(actions)
    register_report_actions(actions)
    register_conflict_actions(actions)


def _unavailable(context: CliContext, exc: StoreError) -> int:
    """The hospital database is unreachable: exit 4 like an unreachable platform; else re-raise."""
    if exc.code != "hospital_unreachable":
        raise exc
    return context.out.error(exc, exit_code=EXIT_UNAVAILABLE)


def run_init_db(args: argparse.Namespace, context: CliContext) -> int:
    """Upgrade the schema to the newest revision and print it."""
    try:
        return _init_db(args, context)
    except StoreError as exc:
        return _unavailable(context, exc)


def _init_db(args: argparse.Namespace, context: CliContext) -> int:
    # With --url no configuration file is needed: IT runs this once, from any machine.
    if args.url:
        hospital_db = HospitalDbSettings(password_file=args.password_file)
    else:
        hospital_db = context.settings().hospital_db
    database = hospital_database(hospital_db, url=args.url)
    try:
        before = current_revision_or_unreachable(database)
        upgrade(database)
        after = current_revision_or_unreachable(database)
    finally:
        database.dispose()
    text = (
        words.SCHEMA_CURRENT(revision=after)
        if before == after
        else words.SCHEMA_UPGRADED(before=before or words.EMPTY_DATABASE(), after=after)
    )
    context.out.result(
        {"revision": after, "previous": before, "head": head_revision()},
        text.render(context.out.language),
    )
    return EXIT_OK


def current_revision_or_unreachable(database: SqlEngine) -> str | None:
    """The schema's revision, with the plain "cannot reach the hospital database" error."""
    try:
        return current_revision(database)
    except DBAPIError as exc:
        raise unreachable(exc) from exc


def run_sync(_args: argparse.Namespace, context: CliContext) -> int:
    """Drain this window's outbox now."""
    link = hospital_link(context.engine(recover=False))
    if link is None:
        hospital_database(context.settings().hospital_db)  # raises: hospital mode is off
        return EXIT_OK
    try:
        report = link.sync.drain()
    finally:
        link.close()
    text = _sync_text(report, context.out.language)
    context.out.result(_sync_data(report), text, ok=not report.error)
    return EXIT_UNAVAILABLE if report.error else EXIT_OK


def _sync_data(report: SyncReport) -> dict[str, Any]:
    return {"delivered": report.delivered, "pending": report.pending, "error": report.error}


def _sync_text(report: SyncReport, language: str) -> str:
    text = words.SYNCED(delivered=report.delivered, pending=report.pending).render(language)
    return f"{text}\n{report.error}" if report.error else text


def run_status(args: argparse.Namespace, context: CliContext) -> int:
    """Every window's sync state and today's totals."""
    if args.status_json:
        context.out.json_mode = True
    try:
        return _status(context)
    except StoreError as exc:
        return _unavailable(context, exc)


def _status(context: CliContext) -> int:
    from app.store.hospital.conflicts import PgClaimConflicts  # noqa: PLC0415

    hospital_db = context.settings().hospital_db
    if not hospital_db.enabled:
        hospital_database(hospital_db)  # raises: hospital mode is off (not "no hospital key")
    record, database = hospital_record(hospital_db)
    today = datetime.now(LOCAL_ZONE).date()
    try:
        windows = record.windows(today)
        since = datetime.combine(today, time.min, LOCAL_ZONE)  # and those closed today as obsolete
        conflicts = PgClaimConflicts(database).conflicts(obsolete_since=since)
    finally:
        database.dispose()
    language = context.out.language
    text = _status_text(windows, language) + "\n" + conflicts_text(conflicts, language)
    context.out.result(
        {
            "day": today,
            "windows": [_window_data(w) for w in windows],
            "conflicts": [conflict_data(c) for c in conflicts],
        },
        text,
    )
    return EXIT_OK


def _window_data(window: WindowStatus) -> dict[str, Any]:
    return {
        "device_no": window.device_no,
        "last_sync_at": window.last_sync_at,
        "lag_seconds": round(window.lag_seconds, 1),
        "pending": window.pending,
        "unresolved": window.unresolved,
        "settlements_today": window.settlements_today,
        "fund_today": window.fund_today,
        "account_today": window.account_today,
        "cash_today": window.cash_today,
        "total_today": window.total_today,
    }


def _when(moment: datetime | None, language: str) -> str:
    if moment is None:
        return words.NEVER_SYNCED().render(language)
    return moment.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M:%S")


def _status_text(windows: list[WindowStatus], language: str) -> str:
    if not windows:
        return words.NO_WINDOWS().render(language)
    lines = [words.STATUS_HEAD().render(language)]
    for w in windows:
        lines.append(
            f"{w.device_no:<7} {_when(w.last_sync_at, language):<16} {w.lag_seconds:>8.1f}  {w.pending:>6}  "
            f"{w.unresolved:>6}  {w.settlements_today:>4}  {w.fund_today}  {w.account_today}  "
            f"{w.cash_today}  {w.total_today}"
        )
    return "\n".join(lines)


def run_key_create(args: argparse.Namespace) -> int:
    """Write a new hospital key; print its public id (to compare copies, never the key)."""
    path = Path(args.path)
    try:
        create_hospital_key(path)
    except StoreError as exc:
        if exc.code != "hospital_key_exists":
            raise
        raise InputError(exc.words, code=exc.code) from None  # choose another name: exit 2
    identity = key_id(read_hospital_key(path))
    language = str(getattr(args, "ui_language", CHINESE))
    Output(json_mode=bool(args.json), language=language).result(
        {"path": str(path), "key_id": identity},
        words.KEY_CREATED(path=path, key_id=identity).render(language),
    )
    return EXIT_OK
