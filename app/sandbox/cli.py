"""``settlement-window sandbox``: run the sandbox platform in the foreground."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import tomli_w

from app.messages import CHINESE
from app.messages import console as words
from app.private_files import make_private_folders, private_file
from app.sandbox.server import SandboxServer, client_config
from app.sandbox.variants import ANSWER_VARIANTS

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sandbox`` subcommand."""
    parser = subparsers.add_parser(
        "sandbox",
        help="运行沙箱医保平台（虚构数据，仅供培训测试）",
        description="运行沙箱医保平台：按 interface.md Part A 应答，数据均为虚构，仅供培训测试。",
    )
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument(
        "--port", type=int, default=8080, help="监听端口（默认 8080，0 = 任意空闲端口）"
    )
    parser.add_argument(
        "--state", metavar="FILE", type=Path, help="沙箱状态库（SQLite）文件；默认临时文件"
    )
    parser.add_argument("--seed", type=int, default=0, help="故障注入随机种子")
    parser.add_argument(
        "--write-config", metavar="FILE", type=Path, help="写出客户端配置文件（TOML）"
    )
    parser.add_argument(
        "--allow-non-loopback", action="store_true", help="允许监听非本机回环地址（默认拒绝）"
    )
    parser.add_argument(
        "--answer-variant",
        choices=ANSWER_VARIANTS,
        help="按其他省份平台的写法应答（含义不变，见 docs/sandbox.md 的 variant 故障），如 province",
    )
    parser.add_argument(
        "--catalogue-size", type=int, metavar="N", help="生成 N 条目录（基准测试用）代替内置目录"
    )
    parser.set_defaults(handler=run)


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted. Returns the exit code."""
    language = str(getattr(args, "ui_language", CHINESE))  # set by app.cli.main
    if not is_loopback(args.host) and not args.allow_non_loopback:
        log.info("refusing to bind %s: not a loopback address", args.host)
        _say(words.SANDBOX_NOT_LOOPBACK(host=args.host).render(language), error=True)
        return 2
    server = SandboxServer(state_path=args.state, seed=args.seed, host=args.host, port=args.port)
    if args.catalogue_size:
        from app.sandbox.catalogue_gen import generate_catalogue  # noqa: PLC0415 - benchmarks only

        server.platform.catalogue = generate_catalogue(args.catalogue_size, seed=args.seed)
    if args.answer_variant:
        # A standing rule: every answer in that dialect (the control API can still replace it).
        server.set_faults(
            [{"infno": "*", "kind": "variant", "params": {"variant": args.answer_variant}}]
        )
    # Handlers first: a script that sees the configuration file may stop the sandbox at once.
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        server.start()
    except OSError as exc:
        log.info("cannot listen on %s:%s: %s", args.host, args.port, exc)
        reason = exc.strerror or exc
        cannot = words.SANDBOX_CANNOT_LISTEN(host=args.host, port=args.port, reason=reason)
        _say(cannot.render(language), error=True)
        server.state.close()
        return 1
    if args.write_config:
        write_config(server, args.write_config)
    _say(words.SANDBOX_LISTENING(url=server.url).render(language))
    if args.write_config:
        written = words.SANDBOX_CONFIG_WRITTEN(path=args.write_config.resolve())
        _say(written.render(language))
    log.info("sandbox platform (FICTIONAL data) at %s — Ctrl+C to stop", server.url)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


def _say(text: str, *, error: bool = False) -> None:
    """A line for the person who started the sandbox (flushed: the output may be piped)."""
    stream = sys.stderr if error else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def write_config(server: SandboxServer, path: Path) -> None:
    """Write the client TOML configuration for ``server``: 0600, since it holds the token."""
    make_private_folders(path.parent)
    # Written whole under a temporary name, then renamed: a script waiting for the file never
    # reads it half-written (or empty).
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)  # created 0600 before the token is written into it
    partial.write_text(tomli_w.dumps(client_config(server)), encoding="utf-8")
    os.replace(partial, path)
    log.info("client configuration written to %s", path)
