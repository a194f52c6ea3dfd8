"""``python -m app.sandbox.his``: the reference HIS on its own, for a HIS vendor's engineer or training.

Serves the demo HIS over HTTP on loopback and, when asked, keeps database middle tables and an
exchange folder in step with it. ``--once`` publishes (and applies waiting results) once and exits.
Fictional data only (虚构数据，仅供培训测试).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from app.log import RedactingFilter
from app.sandbox.his.demo import demo_his
from app.sandbox.his.folder import FolderJob
from app.sandbox.his.http import HisHttpServer
from app.sandbox.his.middle import MiddleTablesJob


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.sandbox.his", description="参考 HIS（虚构数据，仅供培训测试）"
    )
    parser.add_argument("--host", default="127.0.0.1", help="HTTP 监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8090, help="HTTP 端口（默认 8090，0 为任意）")
    parser.add_argument("--middle", metavar="URL", help="同步中间表的数据库地址（SQLAlchemy URL）")
    parser.add_argument("--create-tables", action="store_true", help="按 DDL 在 --middle 中建表")
    parser.add_argument("--folder", type=Path, help="同步的交换目录（in/out/ack）")
    parser.add_argument("--copies", type=int, default=1, help="每位演示人员的待缴费就诊数")
    parser.add_argument("--once", action="store_true", help="同步一次后退出（不启动 HTTP）")
    return parser


def main(argv: list[str]) -> int:
    """Run the reference HIS until interrupted (or once)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    args = _parser().parse_args(argv)
    his = demo_his(copies=max(1, args.copies))
    middle = MiddleTablesJob(his, args.middle) if args.middle else None
    folder = FolderJob(his, args.folder) if args.folder else None
    if middle is not None and args.create_tables:
        middle.create_tables()
    if args.once:
        _sync(middle, folder)
        if middle is not None:
            middle.stop()
        sys.stdout.write(f"已同步 {len(his.visit_numbers())} 个就诊。\n")
        return 0
    server = HisHttpServer(his, host=args.host, port=args.port).start()
    sys.stdout.write(f"参考 HIS 已启动：{server.url}（Ctrl+C 退出）\n")
    sys.stdout.flush()
    try:
        while True:
            _sync(middle, folder)
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        if middle is not None:
            middle.stop()


def _sync(middle: MiddleTablesJob | None, folder: FolderJob | None) -> None:
    if middle is not None:
        middle.apply_results()
        middle.publish()
    if folder is not None:
        folder.apply_results()
        folder.publish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
