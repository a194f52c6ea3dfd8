"""Regenerate the golden responses from the sandbox: ``python tests/platform/golden/capture.py``.

Each file holds the raw response text of one transaction plus what the request asked for, so the
parser tests can check echoes. The people and amounts are the sandbox's fictional demo data.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1])]

from helpers.sandbox_fixtures import SandboxClient, Visit, person  # noqa: E402

from app.sandbox import SandboxServer  # noqa: E402

H = "H11010500001"
LINES = [(f"{H}XY0022", "38.50", "2"), (f"{H}XY0028", "2.85", "2"), (f"{H}FW0011", "12.00", "1")]


def _save(name: str, response_text: str, request: dict[str, Any]) -> None:
    golden = {"request": request, "response": response_text}
    (HERE / f"{name}.json").write_text(
        json.dumps(golden, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )


def _raw(
    client: SandboxClient, infno: str, input_: dict[str, Any], insuplc: str = ""
) -> tuple[str, str]:
    envelope = client.envelope(infno, input_, insuplc)
    return envelope["msgid"], client.post(envelope).text


def main() -> None:
    """Run one visit through the sandbox and save every answer."""
    with (
        tempfile.TemporaryDirectory() as folder,
        SandboxServer(Path(folder) / "s.db", seed=7) as server,
    ):
        client = SandboxClient(server)
        who = person(server, "张建国")
        card = {"mdtrt_cert_type": "03", "mdtrt_cert_no": who["card_no"], "card_sn": who["card_sn"]}
        _, text = _raw(
            client, "9001", {"signIn": {"opter_no": "OP001", "mac": "", "ip": "127.0.0.1"}}
        )
        _save("9001", text, {})
        _, text = _raw(client, "1101", {"data": card})
        _save("1101", text, {})
        visit = Visit(client, who)
        _, text = _raw(client, "5301", {"data": {"psn_no": visit.psn_no}}, visit.insuplc)
        _save("5301", text, {})
        visit.register()
        visit.upload_visit()
        lines = [visit.line(code, price, count) for code, price, count in LINES]
        _, text = _raw(client, "2204", {"feedetail": lines}, visit.insuplc)
        visit.lines.extend(lines)
        sent = [
            {"feedetl_sn": line["feedetl_sn"], "amount": str(line["det_item_fee_sumamt"])}
            for line in lines
        ]
        _save("2204", text, {"lines": sent})
        common = {"psn_no": visit.psn_no, "mdtrt_id": visit.mdtrt_id, "total": str(visit.total())}
        _, text = _raw(client, "2206", {"data": visit.settle_data()}, visit.insuplc)
        _save("2206", text, common)
        msgid, text = _raw(client, "2207", {"data": visit.settle_data()}, visit.insuplc)
        setl_id = json.loads(text)["output"]["setlinfo"]["setl_id"]
        _save("2207", text, {**common, "msgid": msgid})
        cancel = {"setl_id": setl_id, "mdtrt_id": visit.mdtrt_id, "psn_no": visit.psn_no}
        msgid, text = _raw(client, "2208", {"data": cancel}, visit.insuplc)
        _save("2208", text, {**common, "msgid": msgid, "setl_id": setl_id})
        page = {"page_num": "1", "page_size": "3"}
        _, text = _raw(client, "1312", {"data": page})
        _save("1312", text, {})
        voucher = client.decode_voucher(who["voucher_code"])
        _save("voucher", json.dumps(voucher, ensure_ascii=False, default=str), {})
        client.close()


if __name__ == "__main__":
    main()
