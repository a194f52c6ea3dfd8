"""The national platform over HTTP: :class:`PlatformClient` implements the services' gateway port.

The transactions, one module per family, each holding its requests and the parsing of its answers:
``person`` (1101, 5301), ``voucher`` (e-voucher decode), ``visit`` (2201-2205), ``settle`` (2206,
2207, 2208, 2601, 5203), ``reconcile`` (3201, 9101/3202/9102), ``catalogue`` (1301/1305/1306, 1312).

Under them a small core: ``session`` (sign-in, signed exchange, outcomes, retries), ``codec`` (JSON,
the response envelope), ``fields`` (checked field readers), ``files`` (zipped tab files),
``envelope`` (the 18-field request envelope, msgid), ``signing`` (x-tif headers), ``transport``
(HTTP, TLS, sent/not-sent), ``outcomes`` (errors in plain Chinese) with ``refusals`` (the table of
known refusal texts), ``profile`` (province gateway deviations) and ``answer_profile`` (how insured
places write settlement answers). ``client`` is the thin face the services use.
"""

from __future__ import annotations

from app.platform.client import PlatformClient
from app.platform.envelope import format_msgid, parse_msgid
from app.platform.profile import ProvinceProfile

__all__ = ["PlatformClient", "ProvinceProfile", "format_msgid", "parse_msgid"]
