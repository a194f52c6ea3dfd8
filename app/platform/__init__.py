"""The national platform over HTTP: :class:`PlatformClient` implements the services' gateway port.

Modules: ``transport`` (session, timeouts, TLS, pins, sent/not-sent tracking), ``signing`` (x-tif
headers), ``envelope`` (18-field envelope, msgid format), ``wire`` (parse, don't trust), ``outcomes``
(errors in plain Chinese), ``profile`` (province deviations), ``client`` (the gateway).
"""

from __future__ import annotations

from app.platform.client import PlatformClient
from app.platform.envelope import format_msgid, parse_msgid
from app.platform.profile import ProvinceProfile

__all__ = ["PlatformClient", "ProvinceProfile", "format_msgid", "parse_msgid"]
