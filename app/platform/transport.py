"""HTTP transport: one ``requests.Session``, explicit timeouts, verified TLS, optional pins.

The transport knows one thing the journal depends on: whether any byte of the request was written
to the socket. Our connection classes mark the moment of the first write, so a failure before it
(connection refused, DNS, TLS handshake, certificate or pin rejected, connect timeout) is
:class:`NotSent` — provably never reached the platform — and any failure after it is
:class:`MaybeSent`. There are no transport-level retries and no redirects; retries of read-only calls
live in the session (:mod:`app.platform.session`), each with a new msgid.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from app.config import PlatformSettings

log = logging.getLogger(__name__)

MAX_JSON_BODY = 8 * 1024 * 1024
MAX_FILE_BODY = 256 * 1024 * 1024
_CHUNK = 64 * 1024


class TransportError(Exception):
    """A request that produced no HTTP answer; ``reason`` is a short English cause for logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotSent(TransportError):
    """No byte of the request was written: the platform provably did not receive it."""


class MaybeSent(TransportError):
    """The request may have reached the platform, but no complete answer came back."""


@dataclass(frozen=True)
class RawResponse:
    """An HTTP answer as bytes, with what the parser and the skew check need."""

    status: int
    content_type: str
    body: bytes
    server_date: datetime | None
    seconds: float


class _WriteMark:
    written = False


_CURRENT_MARK: ContextVar[_WriteMark | None] = ContextVar("platform_write_mark", default=None)


def _mark_written() -> None:
    mark = _CURRENT_MARK.get()
    if mark is not None:
        mark.written = True


class _MarkingHTTPConnection(HTTPConnection):
    """Plain HTTP connection that records the first write of a request."""

    def send(self, data: Any) -> None:
        if self.sock is None:
            self.connect()  # a refused connection raises here, before anything is marked
        _mark_written()
        super().send(data)


class _MarkingHTTPSConnection(HTTPSConnection):
    """HTTPS connection that records the first write and checks certificate pins after the handshake.

    The chain and the hostname are verified by the normal TLS context first; the pin check is an
    additional requirement, so a pinned certificate from an unknown CA is still refused.
    """

    pins: frozenset[str] = frozenset()

    def connect(self) -> None:
        super().connect()
        if not self.pins:
            return
        assert self.sock is not None  # connected above
        der = self.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
        fingerprint = hashlib.sha256(der or b"").hexdigest()
        if fingerprint not in self.pins:
            self.close()
            raise urllib3.exceptions.SSLError("server certificate does not match any pin")

    def send(self, data: Any) -> None:
        if self.sock is None:
            self.connect()
        _mark_written()
        super().send(data)


def normalise_pin(pin: str) -> str:
    """``AB:CD:…`` or ``abcd…`` → lowercase hex SHA-256 without separators.

    Raises:
        ValueError: not a SHA-256 fingerprint.
    """
    text = pin.replace(":", "").strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(
            "a pin is the SHA-256 fingerprint of the server certificate (64 hex digits)"
        )
    return text


class _PlatformAdapter(HTTPAdapter):
    """No retries, our marking connections, and the pins for this platform."""

    def __init__(self, pins: frozenset[str]) -> None:
        self._pins = pins
        super().__init__(max_retries=Retry(total=0, connect=0, read=0, redirect=0, status=0))

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        https_connection = type(
            "PinnedConnection", (_MarkingHTTPSConnection,), {"pins": self._pins}
        )

        class _HTTPPool(HTTPConnectionPool):
            ConnectionCls = _MarkingHTTPConnection

        class _HTTPSPool(HTTPSConnectionPool):
            ConnectionCls = https_connection

        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


_FAILURES: tuple[type[BaseException], ...] = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


class Transport:
    """Posts bodies to the platform and returns the raw answer or a :class:`TransportError`."""

    def __init__(self, settings: PlatformSettings) -> None:
        """Build the session from the platform settings (CA bundle, pins, timeouts)."""
        self._settings = settings
        self._verify: bool | str = settings.ca_bundle or True
        pins = frozenset(normalise_pin(pin) for pin in settings.pins)
        self._session = requests.Session()
        # Proxies and CA bundles come from the configuration file, not from the environment.
        self._session.trust_env = False
        adapter = _PlatformAdapter(pins)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        read_timeout: float | None = None,
        max_body: int = MAX_JSON_BODY,
    ) -> RawResponse:
        """POST ``body`` and read the whole answer.

        Raises:
            NotSent: nothing was written (refused, DNS, TLS, pin, connect timeout, bad URL).
            MaybeSent: a failure after the first byte was written (timeout, reset, truncation,
                too large or too slow an answer).
        """
        read = read_timeout if read_timeout is not None else self._settings.read_timeout
        connect = self._settings.connect_timeout
        started = time.monotonic()
        # A server that trickles bytes must not hold the window longer than one read timeout extra.
        deadline = started + connect + 2 * read
        mark = _WriteMark()
        token = _CURRENT_MARK.set(mark)
        try:
            response = self._session.post(
                url,
                data=body,
                headers=dict(headers),
                timeout=(connect, read),
                verify=self._verify,
                allow_redirects=False,
                stream=True,
            )
            with response:
                content = self._read_body(response, deadline, max_body)
        except TransportError:
            raise
        except _FAILURES as exc:
            reason = _describe(exc)
            if mark.written:
                raise MaybeSent(reason) from None
            raise NotSent(reason) from None
        finally:
            _CURRENT_MARK.reset(token)
        return RawResponse(
            status=response.status_code,
            content_type=response.headers.get("Content-Type", ""),
            body=content,
            server_date=_server_date(response.headers.get("Date")),
            seconds=time.monotonic() - started,
        )

    @staticmethod
    def _read_body(response: requests.Response, deadline: float, max_body: int) -> bytes:
        # read1 returns whatever has arrived, so a server trickling bytes cannot hold the loop
        # (iter_content would wait for a full chunk) and the deadline is checked after every read.
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = response.raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > max_body:
                raise MaybeSent("answer larger than allowed")
            if time.monotonic() > deadline:
                raise MaybeSent("answer arrived too slowly")
            chunks.append(chunk)


def _describe(exc: BaseException) -> str:
    """Exception class names only: the message may carry URLs, hosts or certificate details."""
    names = [type(exc).__name__]
    cause: BaseException | None = exc.__cause__ or exc.__context__
    while cause is not None and len(names) < 4:
        names.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    return " <- ".join(names)


def _server_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
