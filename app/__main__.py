"""``python -m app`` starts the same program as ``settlement-window``."""

from app.main import run

raise SystemExit(run())
