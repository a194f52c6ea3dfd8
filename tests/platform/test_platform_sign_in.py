"""Sign-in per operator per China-local day, and once more when the platform says it expired."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flow_helpers import MsgidCounter
from tls_helpers import ScriptedApp, http_server

from app.config import Settings
from app.domain.operator import Operator, Role
from app.errors import PlatformRejected
from app.platform.client import PlatformClient
from app.platform.profile import ProvinceProfile
from app.services.ports.platform import CallContext

EXPIRED = {"infcode": -1, "err_msg": "签到流水号无效或签到已失效，请重新签到", "output": None}


class MovableClock:
    """A fake clock the test moves forward."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        """Current fake time."""
        return self.current

    def monotonic(self) -> float:
        """Fake monotonic seconds."""
        return self.current.timestamp()


class Rig:
    """A scripted platform, a movable clock and a client wired to both."""

    def __init__(self, settings: Settings, url: str, app: ScriptedApp) -> None:
        self.app = app
        # 23:59:00 China time on 2026-03-01
        self.clock = MovableClock(datetime(2026, 3, 1, 15, 59, tzinfo=UTC))
        platform = replace(settings.platform, url=url)
        self.client = PlatformClient(
            platform, settings.hospital, settings.window, MsgidCounter(settings.hospital.code),
            self.clock, sleep=lambda _: None,
        )  # fmt: skip
        self.operator = Operator("C0001", "收费员", Role.CASHIER)
        self.ctx = CallContext(self.operator, "130399")

    def sign_ins(self) -> int:
        """How many 9001 the platform saw."""
        return sum(1 for infno, _ in self.app.calls if infno == "9001")


@pytest.fixture
def rig(sandbox_settings: Settings, request: pytest.FixtureRequest) -> Iterator[Rig]:
    """The script comes from indirect parametrisation; none means every call succeeds."""
    app = ScriptedApp(getattr(request, "param", {}))
    with http_server(app) as url:
        built = Rig(sandbox_settings, url, app)
        yield built
        built.client.close()


def test_a_new_china_local_day_signs_in_again(rig: Rig) -> None:
    rig.client.query_qualifications(rig.ctx, "P1")
    rig.client.query_qualifications(rig.ctx, "P1")
    assert rig.sign_ins() == 1
    rig.clock.current += timedelta(minutes=2)  # 00:01 the next day in China, still 16:01 UTC
    rig.client.query_qualifications(rig.ctx, "P1")
    assert rig.sign_ins() == 2
    sign_nos = [sign_no for infno, sign_no in rig.app.calls if infno == "5301"]
    assert sign_nos == ["S0001", "S0001", "S0002"]


@pytest.mark.parametrize("rig", [{"5301": [EXPIRED]}], indirect=True)
def test_a_read_refused_for_an_expired_sign_in_signs_in_and_retries_once(rig: Rig) -> None:
    rig.client.check_connection(rig.operator)
    assert rig.client.query_qualifications(rig.ctx, "P1") == ()
    assert [infno for infno, _ in rig.app.calls] == ["9001", "5301", "9001", "5301"]


@pytest.mark.parametrize("rig", [{"2202": [EXPIRED]}], indirect=True)
def test_a_write_refused_for_an_expired_sign_in_is_not_resent_but_the_next_call_signs_in(
    rig: Rig,
) -> None:
    with pytest.raises(PlatformRejected):
        rig.client.cancel_registration(rig.ctx, "H11010500001202603020000000001", "P1", "V1", "MZ1")
    rig.client.cancel_registration(rig.ctx, "H11010500001202603020000000002", "P1", "V1", "MZ1")
    assert [infno for infno, _ in rig.app.calls] == ["9001", "2202", "9001", "2202"]


def test_a_province_profile_routes_per_transaction_and_adds_envelope_keys(
    sandbox_settings: Settings,
) -> None:
    profile = ProvinceProfile(
        paths={
            "9001": "/fsi/api/signInSignOutService/signIn",
            "5301": "/fsi/api/x/queryPsnOpspReg",
        },
        extra_envelope={"fixmedins_soft_fcty": "演示厂商", "infno": "must-not-replace"},
    )
    app = ScriptedApp({})
    with http_server(app) as url:
        platform = replace(sandbox_settings.platform, url=url)
        settings = sandbox_settings
        client = PlatformClient(
            platform, settings.hospital, settings.window, MsgidCounter(settings.hospital.code),
            MovableClock(datetime(2026, 3, 1, 1, 0, tzinfo=UTC)), profile=profile,
        )  # fmt: skip
        with client:
            client.query_qualifications(
                CallContext(Operator("C1", "收费员", Role.CASHIER), "130399"), "P1"
            )
    assert app.paths == ["/fsi/api/signInSignOutService/signIn", "/fsi/api/x/queryPsnOpspReg"]
    assert [e["fixmedins_soft_fcty"] for e in app.envelopes] == ["演示厂商", "演示厂商"]
    assert [e["infno"] for e in app.envelopes] == ["9001", "5301"]
