"""``settlement-window hospital key-rotate``: re-encrypt the hospital record under a new hospital key.

Run by IT as the schema's owner (like ``init-db``): ``--url`` names the owner role, or the configured
``hospital_db.url`` is used. Resumable: each batch commits on its own, so an interrupted run is simply
started again (docs/hospital-mode.md §2).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.cli.context import CliContext
from app.cli.output import EXIT_OK, EXIT_UNAVAILABLE
from app.config import HospitalDbSettings
from app.errors import StoreError
from app.messages import console_hospital as words
from app.store.hospital.key import read_hospital_key
from app.store.hospital.rekey import KeyRotation
from app.wiring import hospital_database


def register_key_rotate(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``key-rotate`` to the ``hospital`` actions."""
    rotate = actions.add_parser(
        "key-rotate",
        help="把医院数据库中的个人信息改用新医院密钥加密（可中断后重新运行，由信息科用属主账号运行）",
    )
    rotate.add_argument("--old-key", required=True, metavar="FILE", help="旧医院密钥文件")
    rotate.add_argument("--new-key", required=True, metavar="FILE", help="新医院密钥文件")
    rotate.add_argument(
        "--url", default="", help="数据库属主账号的地址（不写则用配置中的 hospital_db.url）"
    )
    rotate.add_argument(
        "--password-file",
        default="",
        help="与 --url 一起使用：存放该账号密码的文件（权限 600），不需要密码时不写",
    )
    rotate.set_defaults(handler=run_key_rotate)


def run_key_rotate(args: argparse.Namespace, context: CliContext) -> int:
    """Rotate; print how many rows moved and what is left."""
    old_key = read_hospital_key(Path(args.old_key))
    new_key = read_hospital_key(Path(args.new_key))
    if args.url:
        settings = HospitalDbSettings(password_file=args.password_file)
    else:
        settings = context.settings().hospital_db
    database = hospital_database(settings, url=args.url)
    show = not context.out.json_mode and sys.stderr.isatty()

    def progress(records: int, operators: int) -> None:
        if show:
            sys.stderr.write(f"\r已重新加密 {records} 条记录、{operators} 个账号……")

    try:
        report = KeyRotation(database, old_key, new_key).run(datetime.now(UTC), progress)
    except StoreError as exc:
        if exc.code != "hospital_unreachable":
            raise
        return context.out.error(exc, exit_code=EXIT_UNAVAILABLE)
    finally:
        database.dispose()
        if show:
            sys.stderr.write("\n")
    language = context.out.language
    text = words.KEY_ROTATED(
        old=report.old_key_id,
        new=report.new_key_id,
        records=report.records,
        operators=report.operators,
    ).render(language)
    if report.left_under_old:
        text += words.KEY_LEFT_UNDER_OLD(count=report.left_under_old).render(language)
    if report.other_keys:
        text += words.KEY_OTHER_KEYS(count=report.other_keys).render(language)
    context.out.result(
        {
            "old_key_id": report.old_key_id,
            "new_key_id": report.new_key_id,
            "records": report.records,
            "operators": report.operators,
            "left_under_old": report.left_under_old,
            "other_keys": report.other_keys,
        },
        text,
    )
    return EXIT_OK
