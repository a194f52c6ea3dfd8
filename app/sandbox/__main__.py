"""``python -m app.sandbox``: the ``sandbox`` subcommand on its own (same options)."""

from __future__ import annotations

import argparse
import logging
import sys

from app.log import RedactingFilter
from app.sandbox.cli import register


def configure_logging() -> None:
    """INFO and above to stderr through the program's redaction, like every other entry point."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    redaction = RedactingFilter()
    for handler in logging.getLogger().handlers:
        handler.addFilter(redaction)


def main(argv: list[str]) -> int:
    """Parse ``argv`` as ``settlement-window sandbox`` would and run."""
    configure_logging()
    parser = argparse.ArgumentParser(prog="python -m app.sandbox")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sandbox", *argv])
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
