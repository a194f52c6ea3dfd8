"""The sandbox platform: a faithful, fictional stand-in for the national insurance platform.

It speaks interface.md Part A over HTTP (Flask on werkzeug's threaded server), keeps its own SQLite
state and ships with fictional demo data (虚构，仅供培训测试). See docs/sandbox.md.
"""

from __future__ import annotations

from app.sandbox.server import SandboxServer, client_config

__all__ = ["SandboxServer", "client_config"]
