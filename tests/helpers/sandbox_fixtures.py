"""Shared pytest fixtures for the sandbox platform, plus a tiny signing client for tests.

* ``sandbox_server`` (session): one in-process :class:`app.sandbox.SandboxServer` on 127.0.0.1:0 with a
  temporary state file.
* ``sandbox`` (function): the same server after :meth:`SandboxServer.reset` (state, faults, maintenance,
  latency, counters).
* ``sandbox_client``: a :class:`SandboxClient` speaking Part A with plain ``requests`` (no app.platform).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from app.domain.settlement import FundPayment, SettlementTotals
from app.sandbox import SandboxServer
from app.sandbox.core import CHINA_TIME

CALL_PATH = "/fsi/api/rsfComIfsService/callService"
VOUCHER_PATH = "/localcfc/api/hsecfc/localQrCodeQuery"

_sequence = itertools.count(1)
_sequence_lock = threading.Lock()


def _now() -> datetime:
    """Beijing wall-clock time, as the platform uses it (the host may run UTC)."""
    return datetime.now(CHINA_TIME)


def new_msgid(institution: str) -> str:
    """institution(12) + yyyyMMddHHmmss + 4 digits, unique within the test session."""
    with _sequence_lock:
        number = next(_sequence)
    # An engine under test issues msgids for the same institution in the same Beijing second,
    # counting up from 0001: the tests' own direct calls keep to 5000-9999 so the two never meet.
    return f"{institution}{_now():%Y%m%d%H%M%S}{5000 + number % 5000:04d}"


def sign_headers(
    passid: str, token: str, *, timestamp: int | None = None, nonce: str | None = None
) -> dict[str, str]:
    """x-tif headers of Part A §1."""
    stamp = str(int(_now().timestamp()) if timestamp is None else timestamp)
    nonce = nonce or uuid.uuid4().hex
    signature = hashlib.sha256(f"{stamp}{token}{nonce}{stamp}".encode()).hexdigest()
    return {
        "Content-Type": "application/json; charset=utf-8",
        "x-tif-paasid": passid,
        "x-tif-timestamp": stamp,
        "x-tif-nonce": nonce,
        "x-tif-signature": signature,
    }


def parse_json(text: str) -> Any:
    """JSON with exact decimals."""
    return json.loads(text, parse_float=Decimal)


def totals_of(
    info: dict[str, object], details: list[dict[str, object]] | None = None
) -> SettlementTotals:
    """SettlementTotals from a setlinfo output."""
    d = {k: v for k, v in info.items()}

    def money(name: str) -> Decimal:
        value = d[name]
        assert isinstance(value, Decimal | int), (name, value)
        return Decimal(value)

    funds = tuple(
        FundPayment(str(r["fund_pay_type"]), Decimal(str(r["fund_payamt"]))) for r in details or []
    )
    return SettlementTotals(
        total=money("medfee_sumamt"), full_self_pay=money("fulamt_ownpay_amt"),
        over_limit=money("overlmt_selfpay"), first_self_pay=money("preselfpay_amt"),
        in_scope=money("inscp_scp_amt"), deductible=money("act_pay_dedc"), fund=money("fund_pay_sumamt"),
        account=money("acct_pay"), cash=money("psn_cash_pay"), hospital=money("hosp_part_amt"),
        pool_ratio=money("pool_prop_selfpay"), funds=funds,
    )  # fmt: skip


class SandboxClient:
    """Speaks Part A to a sandbox over real HTTP."""

    def __init__(self, server: SandboxServer, timeout: float = 10.0) -> None:
        self.server = server
        self.timeout = timeout
        self.http = requests.Session()

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()

    def envelope(
        self, infno: str, input_: Mapping[str, Any], insuplc: str = "", msgid: str | None = None
    ) -> dict[str, Any]:
        """The 18-field request envelope."""
        hospital = self.server.hospital
        return {
            "infno": infno,
            "msgid": msgid or new_msgid(hospital.code),
            "mdtrtarea_admvs": hospital.admdvs,
            "insuplc_admdvs": insuplc,
            "recer_sys_code": "YBXT",
            "dev_no": "",
            "dev_safe_info": "",
            "cainfo": "",
            "signtype": "",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "OP001",
            "opter_name": "测试收费员",
            "inf_time": f"{_now():%Y-%m-%d %H:%M:%S}",
            "fixmedins_code": hospital.code,
            "fixmedins_name": hospital.name,
            "sign_no": "",
            "input": dict(input_),
        }

    def post(
        self, envelope: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> requests.Response:
        """POST an envelope (signed unless headers are given)."""
        body = json.dumps(envelope, ensure_ascii=False, default=str).encode("utf-8")
        return self.http.post(
            self.server.url + CALL_PATH,
            data=body,
            headers=dict(headers)
            if headers is not None
            else sign_headers(self.server.passid, self.server.token),
            timeout=self.timeout,
        )

    def call(
        self, infno: str, input_: Mapping[str, Any], insuplc: str = "", msgid: str | None = None
    ) -> dict[str, Any]:
        """Send one transaction and return the parsed envelope (msgid added under ``_msgid``)."""
        envelope = self.envelope(infno, input_, insuplc, msgid)
        response = self.post(envelope)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = parse_json(response.text)
        result["_msgid"] = envelope["msgid"]
        return result

    def ok(
        self, infno: str, input_: Mapping[str, Any], insuplc: str = "", msgid: str | None = None
    ) -> dict[str, Any]:
        """Like :meth:`call` but asserts ``infcode`` 0."""
        result = self.call(infno, input_, insuplc, msgid)
        assert result["infcode"] == 0, result["err_msg"]
        return result

    def rejected(self, infno: str, input_: Mapping[str, Any], insuplc: str = "") -> str:
        """Like :meth:`call` but asserts a rejection and returns ``err_msg``."""
        result = self.call(infno, input_, insuplc)
        assert result["infcode"] == -1, result
        assert result["output"] is None
        return str(result["err_msg"])

    def decode_voucher(self, code: str) -> dict[str, Any]:
        """Part A §11."""
        org = self.server.hospital.code
        body = {
            "transType": "ec.query",
            "orgId": org,
            "data": {
                "orgId": org,
                "businessType": "01301",
                "operatorId": "OP001",
                "operatorName": "测试收费员",
                "officeId": "0101",
                "officeName": "门诊收费处",
                "ecQrCode": code,
            },
        }
        response = self.http.post(
            self.server.ec_url + VOUCHER_PATH, json=body, timeout=self.timeout
        )
        result: dict[str, Any] = parse_json(response.text)
        return result


def person(server: SandboxServer, name: str) -> dict[str, Any]:
    """A demo identity by name."""
    return next(p for p in server.identities() if p["name"] == name)


class Visit:
    """Drives one settlement group through 2201 → 2203 → 2204 for a demo person."""

    def __init__(
        self,
        client: SandboxClient,
        who: Mapping[str, Any],
        *,
        insutype: str | None = None,
        med_type: str = "14",
        disease: str | None = None,
    ) -> None:
        self.client = client
        self.who = who
        active = [row for row in who["insutypes"] if row["status"] == "1"]
        row = (
            next((r for r in active if r["insutype"] == insutype), active[0])
            if insutype
            else active[0]
        )
        self.insutype = str(row["insutype"])
        self.insuplc = str(row["insuplc_admdvs"])
        self.med_type = med_type
        self.disease = (
            disease
            if disease is not None
            else (who["qualifications"][0] if med_type == "14" else "")
        )
        self.mdtrt_id = ""
        self.batch = f"B{uuid.uuid4().hex[:12]}"
        self.lines: list[dict[str, Any]] = []
        self._line_no = itertools.count(1)

    @property
    def psn_no(self) -> str:
        """The person's platform number."""
        return str(self.who["psn_no"])

    def cert(self) -> dict[str, str]:
        """ID-number credential."""
        return {"mdtrt_cert_type": "02", "mdtrt_cert_no": str(self.who["id_number"])}

    def register(self) -> dict[str, Any]:
        """2201."""
        data = {
            "psn_no": self.psn_no,
            "insutype": self.insutype,
            "begntime": f"{_now():%Y-%m-%d %H:%M:%S}",
            **self.cert(),
            "ipt_otp_no": f"MZ{uuid.uuid4().hex[:10]}",
            "atddr_no": "D110105000001",
            "dr_name": "王医生",
            "dept_code": "A03",
            "dept_name": "肿瘤内科",
            "caty": "A03",
        }
        result = self.client.call("2201", {"data": data}, self.insuplc)
        if result["infcode"] == 0:
            self.mdtrt_id = result["output"]["data"]["mdtrt_id"]
            self.ipt_otp_no = data["ipt_otp_no"]
        return result

    def upload_visit(self) -> dict[str, Any]:
        """2203."""
        info = {
            "mdtrt_id": self.mdtrt_id,
            "psn_no": self.psn_no,
            "med_type": self.med_type,
            "begntime": f"{_now():%Y-%m-%d %H:%M:%S}",
            "main_cond_dscr": "复诊",
            "dise_codg": self.disease,
            "dise_name": "",
        }
        diagnosis = {
            "diag_type": "1",
            "diag_srt_no": "1",
            "diag_code": "C50.900",
            "diag_name": "乳腺恶性肿瘤",
            "diag_dept": "肿瘤内科",
            "dise_dor_no": "D110105000001",
            "dise_dor_name": "王医生",
            "diag_time": f"{_now():%Y-%m-%d %H:%M:%S}",
            "vali_flag": "1",
        }
        return self.client.call("2203", {"mdtrtinfo": info, "diseinfo": [diagnosis]}, self.insuplc)

    def line(
        self,
        hospital_code: str,
        price: str | Decimal,
        count: str | Decimal = "1",
        *,
        amount: str | Decimal | None = None,
        national: str | None = None,
        appr: str = "1",
        dise_codg: str | None = None,
        batch: str | None = None,
    ) -> dict[str, Any]:
        """A 2204 line for a catalogue item (price × count unless ``amount`` is given)."""
        catalogue = self.client.server.platform.catalogue
        item = catalogue.items.get(hospital_code)
        pric, cnt = Decimal(str(price)), Decimal(str(count))
        total = (
            Decimal(str(amount))
            if amount is not None
            else (pric * cnt).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        )
        return {
            "feedetl_sn": f"F{next(self._line_no):04d}{uuid.uuid4().hex[:6]}",
            "mdtrt_id": self.mdtrt_id,
            "psn_no": self.psn_no,
            "chrg_bchno": batch or self.batch,
            "dise_codg": self.disease if dise_codg is None else dise_codg,
            "rxno": "",
            "rx_circ_flag": "0",
            "fee_ocur_time": f"{_now():%Y-%m-%d %H:%M:%S}",
            "med_list_codg": national or (item.med_list_codg if item else "XUNKNOWN"),
            "medins_list_codg": hospital_code,
            "det_item_fee_sumamt": total,
            "cnt": cnt,
            "pric": pric,
            "bilg_dept_codg": "A03",
            "bilg_dept_name": "肿瘤内科",
            "bilg_dr_codg": "D110105000001",
            "bilg_dr_name": "王医生",
            "hosp_appr_flag": appr,
        }

    def upload_lines(self, lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """2204."""
        result = self.client.call(
            "2204", {"feedetail": [dict(line) for line in lines]}, self.insuplc
        )
        if result["infcode"] == 0:
            self.lines.extend(dict(line) for line in lines)
        return result

    def total(self) -> Decimal:
        """Sum of the uploaded lines."""
        return sum(
            (Decimal(str(line["det_item_fee_sumamt"])) for line in self.lines), Decimal("0.00")
        )

    def settle_data(self, account: bool = True, total: Decimal | None = None) -> dict[str, Any]:
        """Input of 2206/2207."""
        return {
            "psn_no": self.psn_no,
            **self.cert(),
            "med_type": self.med_type,
            "medfee_sumamt": self.total() if total is None else total,
            "psn_setlway": "01",
            "mdtrt_id": self.mdtrt_id,
            "chrg_bchno": self.batch,
            "acct_used_flag": "1" if account else "0",
            "insutype": self.insutype,
        }

    def preview(self, account: bool = True) -> dict[str, Any]:
        """2206."""
        return self.client.call("2206", {"data": self.settle_data(account)}, self.insuplc)

    def settle(self, account: bool = True, msgid: str | None = None) -> dict[str, Any]:
        """2207."""
        return self.client.call("2207", {"data": self.settle_data(account)}, self.insuplc, msgid)

    def cancel(self, setl_id: str) -> dict[str, Any]:
        """2208."""
        data = {"setl_id": setl_id, "mdtrt_id": self.mdtrt_id, "psn_no": self.psn_no}
        return self.client.call("2208", {"data": data}, self.insuplc)

    def reverse(self, omsgid: str, oinfno: str) -> dict[str, Any]:
        """2601."""
        data = {"psn_no": self.psn_no, "omsgid": omsgid, "oinfno": oinfno}
        return self.client.call("2601", {"data": data}, self.insuplc)

    def open(self, lines: Sequence[tuple[str, str, str]]) -> None:
        """2201 + 2203 + 2204 with ``(hospital code, price, count)`` lines; asserts success."""
        for step in (self.register, self.upload_visit):
            result = step()
            assert result["infcode"] == 0, result["err_msg"]
        result = self.upload_lines([self.line(code, price, count) for code, price, count in lines])
        assert result["infcode"] == 0, result["err_msg"]


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """One sandbox for the whole session on 127.0.0.1 with a temporary state file."""
    state: Path = tmp_path_factory.mktemp("sandbox") / "sandbox-state.sqlite3"
    server = SandboxServer(state_path=state, seed=20260101)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The session sandbox, reset: empty state, shipped data, no faults/maintenance/latency."""
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture
def sandbox_client(sandbox: SandboxServer) -> Iterator[SandboxClient]:
    """A signing Part A client for the reset sandbox."""
    client = SandboxClient(sandbox)
    try:
        yield client
    finally:
        client.close()
