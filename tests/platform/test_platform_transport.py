"""Transport: timeouts that return control (R12), TLS verification and pins (S6), no secrets in logs (S8)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from flow_helpers import QINGHAI_VISIT, card_of, identity, open_group
from tls_helpers import (
    CountingApp,
    ServerCert,
    SilentServer,
    make_authority,
    make_server_cert,
    tls_server,
)

from app.config import Settings
from app.domain.operator import Operator, Role
from app.errors import AppError, OutcomeUnknown, PlatformRejected, PlatformUnavailable
from app.platform.client import PlatformClient
from app.sandbox import SandboxServer
from app.services.ports.platform import CallContext

READ_TIMEOUT = 0.5


def _pointed_at(settings: Settings, url: str, **platform: object) -> Settings:
    return replace(
        settings,
        platform=replace(settings.platform, url=url, read_timeout=READ_TIMEOUT, **platform),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("trickle", [False, True], ids=["never-answers", "trickles-bytes"])
def test_a_silent_platform_returns_control_within_the_timeout(
    make_client: Callable[..., PlatformClient],
    sandbox_settings: Settings,
    cashier: Operator,
    trickle: bool,
) -> None:
    with SilentServer(trickle=trickle) as server:
        client = make_client(_pointed_at(sandbox_settings, server.url), read_attempts=1)
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown):
            client.check_connection(cashier)
        elapsed = time.monotonic() - started
    # A trickle is bounded by connect + 2 × read; silence by the read timeout alone.
    bound = (
        sandbox_settings.platform.connect_timeout + 2 * READ_TIMEOUT if trickle else READ_TIMEOUT
    )
    assert elapsed < bound + 1.0


@dataclass(frozen=True)
class Certificates:
    """A trusted CA with good, expired and wrong-name leaves, and a leaf from an unknown CA."""

    ca_pem: bytes
    leaves: dict[str, ServerCert]


@pytest.fixture(scope="module")
def certificates() -> Certificates:
    """Made once per module: EC keys keep this fast."""
    trusted = make_authority("Test Platform CA")
    stranger = make_authority("Unknown CA")
    leaves = {
        "valid": make_server_cert(trusted),
        "expired": make_server_cert(trusted, expired=True),
        "wrong_host": make_server_cert(trusted, dns=("other.example",), ips=()),
        "unknown_ca": make_server_cert(stranger),
    }
    return Certificates(trusted.pem(), leaves)


@dataclass
class TlsLab:
    """An HTTPS platform on loopback with a chosen certificate, and a client trusting the test CA."""

    folder: Path
    certificates: Certificates
    base: Settings
    make_client: Callable[..., PlatformClient]
    operator: Operator
    app: CountingApp = field(default_factory=CountingApp)

    def sign_in(self, leaf: str, pins: tuple[str, ...] = ()) -> str:
        """Serve ``leaf`` and sign in with the given pin names (``leaf`` names, fingerprints used)."""
        bundle = self.folder / "ca.pem"
        bundle.write_bytes(self.certificates.ca_pem)
        fingerprints = tuple(self.certificates.leaves[name].fingerprint for name in pins)
        with tls_server(self.folder, self.certificates.leaves[leaf], self.app) as url:
            settings = _pointed_at(self.base, url, ca_bundle=str(bundle), pins=fingerprints)
            return self.make_client(settings, read_attempts=1).check_connection(self.operator)


@pytest.fixture
def tls(
    tmp_path: Path,
    certificates: Certificates,
    sandbox_settings: Settings,
    make_client: Callable[..., PlatformClient],
    cashier: Operator,
) -> TlsLab:
    """A fresh HTTPS lab per test."""
    return TlsLab(tmp_path, certificates, sandbox_settings, make_client, cashier)


def test_a_valid_certificate_from_the_configured_ca_is_accepted(tls: TlsLab) -> None:
    assert tls.sign_in("valid") == "S0001"
    assert tls.app.requests == 1


@pytest.mark.parametrize("leaf", ["expired", "wrong_host", "unknown_ca"])
def test_a_bad_certificate_is_refused_before_any_request(tls: TlsLab, leaf: str) -> None:
    with pytest.raises(PlatformUnavailable) as caught:
        tls.sign_in(leaf)
    assert caught.value.code == "platform_tls"
    assert tls.app.requests == 0


@pytest.mark.parametrize(
    ("pins", "accepted"),
    [
        pytest.param(("expired",), False, id="wrong-pin"),
        pytest.param(("expired", "valid"), True, id="next-pin-during-rotation"),
        pytest.param(("valid",), True, id="current-pin"),
    ],
)
def test_certificate_pins(tls: TlsLab, pins: tuple[str, ...], accepted: bool) -> None:
    if accepted:
        tls.sign_in("valid", pins)
    else:
        with pytest.raises(PlatformUnavailable):
            tls.sign_in("valid", pins)
    assert tls.app.requests == (1 if accepted else 0)


def test_a_pinned_certificate_still_needs_a_trusted_chain(tls: TlsLab) -> None:
    with pytest.raises(PlatformUnavailable):
        tls.sign_in("unknown_ca", ("unknown_ca",))
    assert tls.app.requests == 0


def test_no_token_or_personal_data_in_logs_or_errors(
    make_client: Callable[..., PlatformClient],
    sandbox_settings: Settings,
    sandbox: SandboxServer,
    msgids: Callable[[], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cashier = Operator("C0009", "日志检查员", Role.CASHIER)
    caplog.set_level(logging.DEBUG)
    errors: list[AppError] = []
    client = make_client()
    group = open_group(client, sandbox, cashier, msgids, "马秀兰", items=QINGHAI_VISIT)
    client.settle(group.ctx, msgids(), group.settle_request())
    sandbox.set_faults(
        [{"infno": "1101", "kind": "hostile"}, {"infno": "2207", "kind": "truncated"}]
    )
    with pytest.raises(OutcomeUnknown) as unknown:
        client.settle(group.ctx, msgids(), group.settle_request())
    errors.append(unknown.value)
    canary = "CANARY-TOKEN-7f3c9e"
    wrong = replace(sandbox_settings, platform=replace(sandbox_settings.platform, token=canary))
    with pytest.raises(PlatformRejected) as refused:
        make_client(wrong).query_person(CallContext(cashier), card_of(identity(sandbox, "马秀兰")))
    errors.append(refused.value)

    who = identity(sandbox, "马秀兰")
    secrets = [canary, sandbox.token, who["id_number"], who["name"], who["card_sn"], who["card_no"]]
    texts = [caplog.text] + [f"{e.text} {e!r} {vars(e)}" for e in errors]
    for secret in secrets:
        for text in texts:
            assert secret not in text
    assert "2207" in caplog.text  # the log does say what happened
