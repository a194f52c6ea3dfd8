"""``settlement-window catalog``: sync from the platform, import from a file, search."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.context import CliContext
from app.cli.formatting import items_text
from app.cli.output import EXIT_OK
from app.cli.parser import parsing_language
from app.cli.progress import terminal_progress
from app.domain.operator import Action, allows
from app.errors import PermissionDenied
from app.messages import Message
from app.messages import console as words
from app.messages import console_errors as errors


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``catalog`` subcommand with ``sync``, ``import`` and ``search``."""
    parser = subparsers.add_parser("catalog", help="项目目录：同步、导入、查询", description="目录")
    actions = parser.add_subparsers(dest="catalog_action", metavar="ACTION", required=True)
    sync = actions.add_parser("sync", help="从平台下载目录更新（1301/1305/1306，增量）")
    sync.add_argument("--operator", metavar="CODE", help="工号（或环境变量 SW_OPERATOR）")
    sync.set_defaults(handler=run_sync)
    load = actions.add_parser("import", help="从文件导入院内目录（JSON 或 CSV）")
    load.add_argument("file", metavar="FILE", type=Path)
    load.add_argument("--operator", metavar="CODE", help="工号（或环境变量 SW_OPERATOR）")
    load.set_defaults(handler=run_import)
    search = actions.add_parser("search", help="按编码、拼音首字母或名称查询")
    search.add_argument("text", metavar="TEXT")
    search.add_argument(
        "--limit", type=_limit, default=20, metavar="N", help=f"最多显示 N 条（1～{MAX_LIMIT}）"
    )
    search.set_defaults(handler=run_search)


MAX_LIMIT = 1000


def _said(message: Message) -> str:
    return message.render(parsing_language())


def _limit(text: str) -> int:
    """``--limit``: a whole number from 1 to :data:`MAX_LIMIT` (argparse reports anything else)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_said(errors.NOT_AN_INTEGER(text=text))) from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(_said(errors.OUT_OF_RANGE(limit=MAX_LIMIT)))
    return value


def run_sync(_args: argparse.Namespace, context: CliContext) -> int:
    """Download and apply."""
    operator = context.operator()
    with terminal_progress(json_mode=context.out.json_mode) as progress:
        result = context.engine(recover=False).sync_catalogue(operator, progress)
    context.out.result(
        {"sync": result},
        words.CATALOGUE_SYNCED(
            downloaded=result.downloaded, updated=result.updated, version=result.version
        ).render(context.out.language),
    )
    return EXIT_OK


def run_import(args: argparse.Namespace, context: CliContext) -> int:
    """Import a file (supervisor or administrator)."""
    operator = context.operator()
    if not allows(operator.role, Action.SYNC_CATALOGUE):
        raise PermissionDenied(errors.IMPORT_NOT_ALLOWED())
    engine = context.engine(recover=False)
    with terminal_progress(json_mode=context.out.json_mode) as progress:
        count = engine.import_catalogue(args.file, progress)
    context.out.result(
        {"imported": count},
        words.CATALOGUE_IMPORTED(count=count).render(context.out.language),
    )
    return EXIT_OK


def run_search(args: argparse.Namespace, context: CliContext) -> int:
    """Search."""
    items = context.engine(recover=False).search_catalogue(args.text, args.limit)
    context.out.result({"items": items}, items_text(items, context.out.language))
    return EXIT_OK
