"""Composition root: the only place that wires settings, store, client, devices, services and UI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``settlement-window`` and ``python -m app``."""
    from app.cli.main import main  # noqa: PLC0415  (keep start-up imports lazy)

    return main(list(sys.argv[1:] if argv is None else argv))
