"""Test certificates (made with ``cryptography``) and small loopback servers for transport tests."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server


@dataclass(frozen=True)
class Authority:
    """A certificate authority for tests."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def pem(self) -> bytes:
        """The CA certificate as PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class ServerCert:
    """A server certificate, its key, and the SHA-256 fingerprint a pin would hold."""

    cert_pem: bytes
    key_pem: bytes
    fingerprint: str


CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
    encipher_only=False, decipher_only=False,
)  # fmt: skip


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_authority(common_name: str) -> Authority:
    """A self-signed CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def make_server_cert(
    authority: Authority,
    *,
    dns: Iterable[str] = ("localhost",),
    ips: Iterable[str] = ("127.0.0.1",),
    expired: bool = False,
) -> ServerCert:
    """A leaf certificate for the given names, signed by ``authority``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    start, end = (
        (now - timedelta(days=30), now - timedelta(days=1))
        if expired
        else (now - timedelta(days=1), now + timedelta(days=30))
    )
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("platform.test"))
        .issuer_name(authority.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
        .sign(authority.key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return ServerCert(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        fingerprint=":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()),
    )


class CountingApp:
    """A WSGI platform that answers every POST with a successful 9001 and counts the requests."""

    def __init__(self) -> None:
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        with self._lock:
            self.requests += 1
        body = json.dumps(
            {
                "infcode": 0,
                "err_msg": None,
                "output": {"signinoutb": {"sign_no": "S0001", "sign_time": "2026-01-01 08:00:00"}},
            }
        ).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]


@contextmanager
def tls_server(folder: Path, cert: ServerCert, app: CountingApp) -> Iterator[str]:
    """Serve ``app`` over HTTPS on 127.0.0.1 with ``cert``; yields the base URL."""
    cert_path = folder / "server.pem"
    key_path = folder / "server.key"
    cert_path.write_bytes(cert.cert_pem)
    key_path.write_bytes(cert.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
    server.log = lambda *args, **kwargs: None  # type: ignore[method-assign]  # handshake failures are expected
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class SilentServer:
    """Accepts connections and reads requests; never answers, or trickles bytes forever."""

    def __init__(self, *, trickle: bool = False) -> None:
        self.trickle = trickle
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self._connections:
            connection.close()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._connections.append(connection)
            if self.trickle:
                threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        try:
            connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )
            while not self._stop.wait(0.1):
                connection.sendall(b" ")
        except OSError:
            return
        time.sleep(0)


class ScriptedApp:
    """A WSGI platform answering each infno from a script (then with success), recording requests."""

    def __init__(self, script: dict[str, list[dict[str, Any]]]) -> None:
        self.script = script
        self.calls: list[tuple[str, str]] = []  # (infno, sign_no)
        self.paths: list[str] = []
        self.envelopes: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._signins = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        envelope = json.loads(environ["wsgi.input"].read(length))
        infno = envelope["infno"]
        with self._lock:
            self.calls.append((infno, envelope["sign_no"]))
            self.paths.append(environ["PATH_INFO"])
            self.envelopes.append(envelope)
            queued = self.script.get(infno, [])
            answer = queued.pop(0) if queued else self._success(infno)
        body = json.dumps(answer, ensure_ascii=False).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]

    def _success(self, infno: str) -> dict[str, Any]:
        if infno == "9001":
            self._signins += 1
            output: dict[str, Any] = {
                "signinoutb": {
                    "sign_no": f"S{self._signins:04d}",
                    "sign_time": "2026-01-01 08:00:00",
                }
            }
        elif infno == "5301":
            output = {"feedetail": []}
        else:
            output = {}
        return {"infcode": 0, "err_msg": None, "output": output}


@contextmanager
def http_server(app: Any) -> Iterator[str]:
    """Serve ``app`` over plain HTTP on 127.0.0.1; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.log = lambda *args, **kwargs: None  # type: ignore[method-assign]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
