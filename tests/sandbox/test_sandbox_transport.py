"""Part A transport: x-tif signature, replay, skew, msgid format and duplicates, envelope, maintenance."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal

import pytest
import requests
from helpers.sandbox_fixtures import CALL_PATH, SandboxClient, parse_json, sign_headers

from app.sandbox import SandboxServer
from app.sandbox.data import POLICIES_FILE

SIGN_IN = {"signIn": {"opter_no": "OP001", "mac": "", "ip": "127.0.0.1"}}


def test_good_signature_is_accepted_and_envelope_has_every_field(
    sandbox_client: SandboxClient,
) -> None:
    result = sandbox_client.ok("9001", SIGN_IN)
    assert set(result) >= {
        "infcode", "inf_refmsgid", "refmsg_time", "respond_time", "err_msg", "output", "warn_msg",
        "cainfo", "signtype", "enctype",
    }  # fmt: skip
    assert len(result["inf_refmsgid"]) == 30
    assert len(result["refmsg_time"]) == 17
    assert len(result["output"]["signinoutb"]["sign_no"]) == 30


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("signature", "签名校验不通过"),
        ("paasid", "x-tif-paasid 无效"),
        ("skew_past", "超过 300 秒"),
        ("skew_future", "超过 300 秒"),
        ("missing", "缺少请求头"),
        ("not_a_number", "Unix 秒数"),
    ],
)
def test_bad_gateway_headers_are_refused_with_401(
    sandbox: SandboxServer, sandbox_client: SandboxClient, tamper: str, expected: str
) -> None:
    headers = sign_headers(sandbox.passid, sandbox.token)
    now = int(time.time())
    if tamper == "signature":
        headers["x-tif-signature"] = "0" * 64
    elif tamper == "paasid":
        headers = sign_headers("someone_else", sandbox.token)
    elif tamper == "skew_past":
        headers = sign_headers(sandbox.passid, sandbox.token, timestamp=now - 400)
    elif tamper == "skew_future":
        headers = sign_headers(sandbox.passid, sandbox.token, timestamp=now + 400)
    elif tamper == "missing":
        del headers["x-tif-nonce"]
    else:
        headers["x-tif-timestamp"] = "yesterday"

    response = sandbox_client.post(sandbox_client.envelope("9001", SIGN_IN), headers=headers)

    assert response.status_code == 401
    body = parse_json(response.text)
    assert body["infcode"] == -1
    assert expected in body["err_msg"]
    assert sandbox.request_count("9001") == 1


def test_skew_within_300_seconds_is_accepted(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    headers = sign_headers(sandbox.passid, sandbox.token, timestamp=int(time.time()) - 250)
    response = sandbox_client.post(sandbox_client.envelope("9001", SIGN_IN), headers=headers)
    assert response.status_code == 200


def test_replayed_nonce_is_refused(sandbox: SandboxServer, sandbox_client: SandboxClient) -> None:
    nonce = uuid.uuid4().hex
    first = sandbox_client.post(
        sandbox_client.envelope("9001", SIGN_IN),
        headers=sign_headers(sandbox.passid, sandbox.token, nonce=nonce),
    )
    replay = sandbox_client.post(
        sandbox_client.envelope("9001", SIGN_IN),
        headers=sign_headers(sandbox.passid, sandbox.token, nonce=nonce),
    )
    assert first.status_code == 200
    assert replay.status_code == 401
    assert "nonce 重复" in parse_json(replay.text)["err_msg"]


def test_duplicate_msgid_is_not_executed_again(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    first = sandbox_client.ok("9001", SIGN_IN)
    again = sandbox_client.call("9001", SIGN_IN, msgid=first["_msgid"])
    assert again["infcode"] == -1
    assert "报文重复" in again["err_msg"]
    assert again["output"] is None


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("H1101050000120260101", "格式错误"),
        ("H99999999999202601011200000001", "前 12 位"),
        ("H11010500001202613011200000001", "时间"),
        ("H1101050000120260101120000000X", "格式错误"),
    ],
)
def test_malformed_msgid_is_refused(
    sandbox_client: SandboxClient, msgid: str, expected: str
) -> None:
    result = sandbox_client.call("9001", SIGN_IN, msgid=msgid)
    assert result["infcode"] == -1
    assert "msgid" in result["err_msg"]
    assert expected in result["err_msg"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("infver", "", "接口版本号（infver）不能为空"),
        ("opter_name", "名" * 51, "长度超过 50 位"),
        ("fixmedins_code", "H99999999999", "定点医药机构编号"),
        ("mdtrtarea_admvs", "310101", "就医地医保区划"),
        ("opter_type", "7", "经办人类别"),
        ("inf_time", "2026/01/01", "交易时间"),
        ("infno", "7777", "7777 不存在"),
    ],
)
def test_envelope_fields_are_validated(
    sandbox_client: SandboxClient, field: str, value: str, expected: str
) -> None:
    envelope = sandbox_client.envelope("9001", SIGN_IN)
    envelope[field] = value
    result = parse_json(sandbox_client.post(envelope).text)
    assert result["infcode"] == -1
    assert expected in result["err_msg"]


def test_non_json_request_body_is_refused(sandbox: SandboxServer) -> None:
    headers = sign_headers(sandbox.passid, sandbox.token)
    response = requests.post(sandbox.url + CALL_PATH, data=b"{not json", headers=headers, timeout=5)
    assert response.status_code == 200
    assert "报文格式错误" in parse_json(response.text)["err_msg"]


def test_maintenance_answers_every_transaction_with_the_window(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    sandbox.set_maintenance(on=True, window="2026-11-23 22:00 至 2026-11-24 02:00")
    for infno, data in (("9001", SIGN_IN), ("1101", {"data": {}}), ("2207", {"data": {}})):
        result = sandbox_client.call(infno, data)
        assert result["infcode"] == -1
        assert result["err_msg"].startswith("系统停机维护")
        assert "2026-11-23 22:00 至 2026-11-24 02:00" in result["err_msg"]
    sandbox.set_maintenance(on=False)
    assert sandbox_client.call("9001", SIGN_IN)["infcode"] == 0


def test_sign_out_closes_the_sign_in(sandbox_client: SandboxClient) -> None:
    sign_no = sandbox_client.ok("9001", SIGN_IN)["output"]["signinoutb"]["sign_no"]
    out = sandbox_client.ok("9002", {"signOut": {"sign_no": sign_no, "opter_no": "OP001"}})
    assert out["output"]["signoutoutb"]["sign_time"]
    assert "不存在" in sandbox_client.rejected(
        "9002", {"signOut": {"sign_no": "X1", "opter_no": "OP001"}}
    )


def test_control_api_over_http(sandbox: SandboxServer) -> None:
    base = sandbox.url + "/sandbox"
    identities = parse_json(requests.get(base + "/identities", timeout=5).text)
    assert len(identities) >= 12
    assert (
        requests.post(
            base + "/maintenance", json={"on": True, "window": "今晚"}, timeout=5
        ).status_code
        == 200
    )
    assert sandbox.gateway.maintenance_window == "今晚"
    assert requests.post(base + "/latency", json={"fixed": 0.01}, timeout=5).status_code == 200
    assert sandbox.gateway.latency_fixed == 0.01
    plan = {"seed": 7, "rules": [{"infno": "2207", "kind": "drop_after", "nth": [2]}]}
    assert requests.post(base + "/faults", json=plan, timeout=5).status_code == 200
    assert parse_json(requests.get(base + "/faults", timeout=5).text)[0]["kind"] == "drop_after"
    bad = requests.post(base + "/faults", json={"rules": [{"kind": "explode"}]}, timeout=5)
    assert bad.status_code == 400
    assert requests.post(base + "/reset", timeout=5).status_code == 200
    assert sandbox.gateway.maintenance_window is None
    assert parse_json(requests.get(base + "/ledger", timeout=5).text) == []
    assert parse_json(requests.get(base + "/faultlog", timeout=5).text) == []
    counts = parse_json(requests.get(base + "/requests", timeout=5).text)
    assert counts == {}
    hospital = parse_json(requests.get(base + "/hospital", timeout=5).text)
    assert hospital["code"] == "H11010500001"
    assert "M08303" not in hospital["opened"]


def test_request_counter_counts_per_infno(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    assert sandbox.request_count() == 0
    sandbox_client.call("9001", SIGN_IN)
    sandbox_client.call("9001", SIGN_IN)
    sandbox_client.call("1101", {"data": {}})
    assert sandbox.request_count("9001") == 2
    assert sandbox.request_count("1101") == 1
    assert sandbox.request_count() == 3


def test_loading_policies_changes_the_arithmetic(sandbox: SandboxServer) -> None:
    data = json.loads(POLICIES_FILE.read_text(encoding="utf-8"))
    data["regions"]["630000"]["insutypes"]["390"]["chronic"]["M00500"]["deductible"] = "10.00"
    requests.post(sandbox.url + "/sandbox/policies", json=data, timeout=5).raise_for_status()
    rule = sandbox.platform.policies.for_region("630102")
    assert rule is not None
    assert rule.insurance_types["390"].chronic["M00500"].deductible == Decimal("10.00")
