"""Each fault kind does what its name says; plans are seeded and deterministic; the log tells."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import requests
from helpers.sandbox_fixtures import SandboxClient, Visit, parse_json, person

from app.sandbox import SandboxServer

H = "H11010500001"
SIGN_IN = {"signIn": {"opter_no": "OP001", "mac": "", "ip": "127.0.0.1"}}


def _ready_visit(sandbox: SandboxServer, client: SandboxClient) -> Visit:
    visit = Visit(client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "2")])
    return visit


def _settle_raw(client: SandboxClient, visit: Visit) -> tuple[str, requests.Response | Exception]:
    envelope = client.envelope("2207", {"data": visit.settle_data()}, visit.insuplc)
    try:
        return envelope["msgid"], client.post(envelope)
    except requests.RequestException as exc:
        return envelope["msgid"], exc


def test_refuse_resets_the_connection_before_anything_is_read(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": "refuse"}])
    before = sandbox.request_count()
    msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.ConnectionError)
    assert sandbox.request_count() == before
    assert sandbox.ledger() == []
    assert sandbox.fault_log()[-1] | {"time": None} == {
        "seq": 1, "time": None, "msgid": msgid, "infno": "2207", "kind": "refuse", "processed": False, "detail": "{}",
    }  # fmt: skip


def test_drop_before_processing_leaves_no_settlement(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": "drop_before"}])
    msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.ConnectionError)
    assert sandbox.ledger() == []
    sandbox.set_faults([])
    assert "原交易不存在" in visit.reverse(msgid, "2207")["err_msg"]


def test_drop_after_processing_keeps_the_settlement_until_reversed(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": "drop_after"}])
    msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.ConnectionError)
    assert [row["msgid"] for row in sandbox.ledger()] == [msgid]
    assert sandbox.fault_log()[-1]["processed"] is True
    assert visit.reverse(msgid, "2207")["infcode"] == 0
    assert [row["status"] for row in sandbox.ledger() if row["infno"] == "2207"] == ["reversed"]


def test_delay_after_processing_outlasts_the_client_timeout(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": "delay_after", "params": {"seconds": 1.0}}])
    sandbox_client.timeout = 0.3
    _msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.ReadTimeout)
    assert len(sandbox.ledger()) == 1


@pytest.mark.parametrize(
    ("kind", "status", "processed"),
    [("http_error_before", 503, False), ("http_error_after", 502, True)],
)
def test_5xx_before_or_after_processing(
    sandbox: SandboxServer, sandbox_client: SandboxClient, kind: str, status: int, processed: bool
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": kind, "params": {"status": status}}])
    _msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.Response)
    assert outcome.status_code == status
    assert outcome.headers["Content-Type"].startswith("text/html")
    assert len(sandbox.ledger()) == (1 if processed else 0)


def test_truncated_body_breaks_off_mid_json(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": "truncated"}])
    _msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.exceptions.ChunkedEncodingError)
    assert len(sandbox.ledger()) == 1


def test_non_json_and_wrong_content_type(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    sandbox.set_faults(
        [
            {"infno": "9001", "kind": "non_json", "nth": [1]},
            {"infno": "9001", "kind": "wrong_content_type", "nth": [2]},
        ]
    )
    html = sandbox_client.post(sandbox_client.envelope("9001", SIGN_IN))
    assert html.status_code == 200
    assert html.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError, match="Expecting value"):
        parse_json(html.text)
    mislabelled = sandbox_client.post(sandbox_client.envelope("9001", SIGN_IN))
    assert mislabelled.headers["Content-Type"].startswith("text/html")
    assert parse_json(mislabelled.text)["infcode"] == 0


@pytest.mark.parametrize(
    ("variant", "check"),
    [
        ("negative", lambda info: info["fund_pay_sumamt"] < 0),
        ("huge", lambda info: info["medfee_sumamt"] > Decimal("1e16")),
        ("nan", lambda info: str(info["psn_cash_pay"]).lower() == "nan"),
        ("string_amount", lambda info: isinstance(info["fund_pay_sumamt"], str)),
        (
            "unbalanced",
            lambda info: (
                info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"]
                != info["medfee_sumamt"]
            ),
        ),
        ("wrong_msgid", lambda info: info["medins_setl_id"] != ""),
    ],
)
def test_hostile_values(
    sandbox: SandboxServer, sandbox_client: SandboxClient, variant: str, check: object
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": "hostile", "params": {"variant": variant}}])
    msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.Response)
    info = parse_json(outcome.text)["output"]["setlinfo"]
    assert callable(check)
    assert check(info)
    if variant == "wrong_msgid":
        assert info["medins_setl_id"] != msgid
    assert len(sandbox.ledger()) == 1


def test_hostile_wrong_infno_answers_with_another_transactions_shape(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _ready_visit(sandbox, sandbox_client)
    sandbox.set_faults([{"infno": "2207", "kind": "hostile", "params": {"variant": "wrong_infno"}}])
    _msgid, outcome = _settle_raw(sandbox_client, visit)
    assert isinstance(outcome, requests.Response)
    output = parse_json(outcome.text)["output"]
    assert "setlinfo" not in output
    assert "baseinfo" in output


def test_maintenance_notice_fault(sandbox: SandboxServer, sandbox_client: SandboxClient) -> None:
    sandbox.set_faults(
        [{"infno": "*", "kind": "maintenance", "params": {"window": "12:00 至 12:30"}}]
    )
    result = sandbox_client.call("9001", SIGN_IN)
    assert result["err_msg"].startswith("系统停机维护")
    assert "12:00 至 12:30" in result["err_msg"]
    assert sandbox.fault_log()[-1]["processed"] is False


def test_latency_fault_and_global_latency(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    sandbox.set_faults([{"infno": "9001", "kind": "latency", "params": {"seconds": 0.3}}])
    started = time.monotonic()
    assert sandbox_client.call("9001", SIGN_IN)["infcode"] == 0
    assert time.monotonic() - started >= 0.3
    sandbox.set_faults([])
    sandbox.set_latency(low=0.1, high=0.2)
    started = time.monotonic()
    sandbox_client.call("9001", SIGN_IN)
    assert 0.1 <= time.monotonic() - started < 1.0
    sandbox.set_latency(fixed=0.15)
    started = time.monotonic()
    sandbox_client.call("9001", SIGN_IN)
    assert time.monotonic() - started >= 0.15


def _firing_pattern(sandbox: SandboxServer, client: SandboxClient, seed: int) -> list[bool]:
    sandbox.reset()
    sandbox.set_faults(
        [{"infno": "9001", "kind": "http_error_before", "probability": 0.5}], seed=seed
    )
    return [client.post(client.envelope("9001", SIGN_IN)).status_code == 503 for _ in range(16)]


def test_probability_plans_are_deterministic_by_seed(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    first = _firing_pattern(sandbox, sandbox_client, 11)
    again = _firing_pattern(sandbox, sandbox_client, 11)
    other = _firing_pattern(sandbox, sandbox_client, 12)
    assert first == again
    assert any(first)
    assert not all(first)
    assert first != other


def test_nth_occurrence_and_times_limit(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    sandbox.set_faults(
        [
            {"infno": "9001", "kind": "http_error_before", "nth": [2, 4]},
            {"infno": "1101", "kind": "http_error_before", "times": 1},
        ]
    )
    codes = [
        sandbox_client.post(sandbox_client.envelope("9001", SIGN_IN)).status_code for _ in range(5)
    ]
    assert codes == [200, 503, 200, 503, 200]
    person_codes = [
        sandbox_client.post(sandbox_client.envelope("1101", {"data": {}})).status_code
        for _ in range(3)
    ]
    assert person_codes == [503, 200, 200]
    assert [entry["infno"] for entry in sandbox.fault_log()] == ["9001", "9001", "1101"]
    assert sandbox.fault_plan()[0]["fired"] == 2


def test_voucher_endpoint_faults(sandbox: SandboxServer, sandbox_client: SandboxClient) -> None:
    sandbox.set_faults([{"infno": "ec.query", "kind": "drop_before"}])
    with pytest.raises(requests.ConnectionError):
        sandbox_client.decode_voucher(person(sandbox, "马秀兰")["voucher_code"])
    assert sandbox.fault_log()[-1]["infno"] == "ec.query"


def test_unknown_fault_kind_is_refused(sandbox: SandboxServer) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        sandbox.set_faults([{"infno": "2207", "kind": "explode"}])


def test_refuse_for_every_transaction_spares_the_control_api(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    sandbox.set_faults([{"infno": "*", "kind": "refuse", "probability": 1.0}])
    with pytest.raises(requests.ConnectionError):
        sandbox_client.call("9001", SIGN_IN)
    with pytest.raises(requests.ConnectionError):
        sandbox_client.decode_voucher(person(sandbox, "马秀兰")["voucher_code"])
    control = requests.get(sandbox.url + "/sandbox/faultlog", timeout=5)
    assert [entry["infno"] for entry in parse_json(control.text)] == ["9001", "ec.query"]
    assert sandbox.request_count() == 0
