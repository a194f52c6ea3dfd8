"""The policy for a hospital database URL (hospital mode), standard library only.

Both the configuration (``[hospital_db] url``, checked when the file is read) and the store's
connection code (:mod:`app.store.hospital.connect`) use this one function, so a URL the window
accepts at start-up is exactly one it may connect with.

* The driver is ``postgresql+psycopg`` (PostgreSQL through psycopg 3).
* A password never sits in the URL (it would land in the configuration file and the log): it comes
  from a 0600 file (``password_file``).
* Outside loopback the connection must be ``sslmode=verify-full``: the record holds every window's
  money and (encrypted) personal data, and only verify-full checks the server's name.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, urlsplit

DRIVER = "postgresql+psycopg"


def _loopback(host: str | None) -> bool:
    if not host or host.startswith("/"):
        return True  # a Unix socket on this machine
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> list[str]:
    """What is wrong with a hospital database URL (empty when it may be used)."""
    scheme, sep, _ = url.partition("://")
    if not sep or not scheme or " " in url:
        return ["医院数据库地址格式不对，应为 postgresql+psycopg://用户@服务器:5432/数据库名。"]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return ["医院数据库地址格式不对，应为 postgresql+psycopg://用户@服务器:5432/数据库名。"]
    problems: list[str] = []
    if scheme != DRIVER:
        problems.append(
            "医院数据库地址必须以 postgresql+psycopg:// 开头（PostgreSQL，psycopg 3 驱动）。"
        )
    if parts.password:
        problems.append(
            "医院数据库地址中不能写密码：请把密码放在 password_file 指定的文件中（权限 600）。"
        )
    if not parts.path.strip("/"):
        problems.append("医院数据库地址缺少数据库名。")
    query = parse_qs(parts.query)
    sslmode = (query.get("sslmode") or [""])[0]
    host = parts.hostname or (query.get("host") or [""])[0]
    if not _loopback(host) and sslmode != "verify-full":
        problems.append(
            "连接其他服务器上的医院数据库必须使用 sslmode=verify-full（校验服务器证书和名称），"
            "请在地址末尾加上 ?sslmode=verify-full 并配置证书。"
        )
    return problems
