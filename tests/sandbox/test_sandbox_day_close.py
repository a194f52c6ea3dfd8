"""Day close (3201, 9101 → 3202 → 9102) and catalogue transactions (1312, 1301/1305/1306 via 9102)."""

from __future__ import annotations

import base64
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from helpers.sandbox_fixtures import SandboxClient, Visit, person

from app.sandbox import SandboxServer
from app.sandbox.core import china_now

H = "H11010500001"


def _today() -> str:
    return china_now().date().isoformat()


def _settle_two(sandbox: SandboxServer, client: SandboxClient) -> list[dict[str, Any]]:
    results = []
    for name, lines in (
        ("马秀兰", [(f"{H}XY0022", "38.50", "2")]),
        ("吴秀珍", [(f"{H}XY0051", "520.00", "1")]),
    ):
        visit = Visit(client, person(sandbox, name))
        visit.open(lines)
        result = visit.settle()
        assert result["infcode"] == 0, result["err_msg"]
        results.append(result)
    return results


def _totals(
    client: SandboxClient, insutype: str, medfee: str, fund: str, *, count: int, refunds: str = "0"
) -> dict[str, Any]:
    data = {
        "insutype": insutype, "clr_type": "11", "setl_optins": client.server.hospital.clr_optins,
        "stmt_begndate": _today(), "stmt_enddate": _today(), "medfee_sumamt": Decimal(medfee),
        "fund_pay_sumamt": Decimal(fund), "acct_pay": Decimal("0.00"), "fixmedins_setl_cnt": str(count),
        "refd_setl_flag": refunds,
    }  # fmt: skip
    return client.call("3201", {"data": data})


def test_3201_balanced_and_unbalanced(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    results = _settle_two(sandbox, sandbox_client)
    info = results[0]["output"]["setlinfo"]
    other = results[1]["output"]["setlinfo"]
    medfee = info["medfee_sumamt"] + other["medfee_sumamt"]
    fund = info["fund_pay_sumamt"] + other["fund_pay_sumamt"]
    balanced = _totals(sandbox_client, "390", str(medfee), str(fund), count=2)
    assert balanced["output"]["stmtinfo"]["stmt_rslt"] == "0", balanced["output"]
    unbalanced = _totals(sandbox_client, "390", str(medfee), str(fund), count=1)
    assert unbalanced["output"]["stmtinfo"]["stmt_rslt"] == "1"
    assert "对账不平" in unbalanced["output"]["stmtinfo"]["stmt_rslt_dscr"]
    assert (
        _totals(sandbox_client, "310", "0.00", "0.00", count=0)["output"]["stmtinfo"]["stmt_rslt"]
        == "0"
    )


def test_3201_refunds_flag_counts_cancellations(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "2")])
    setl_id = visit.settle()["output"]["setlinfo"]["setl_id"]
    visit.cancel(setl_id)
    assert (
        _totals(sandbox_client, "390", "0.00", "0.00", count=0)["output"]["stmtinfo"]["stmt_rslt"]
        == "0"
    )
    assert (
        _totals(sandbox_client, "390", "0.00", "0.00", count=2, refunds="1")["output"]["stmtinfo"][
            "stmt_rslt"
        ]
        == "0"
    )


def test_3201_validates_input(sandbox_client: SandboxClient) -> None:
    data = {
        "insutype": "390",
        "clr_type": "11",
        "setl_optins": "110199",
        "stmt_begndate": "2026-02-30",
    }
    assert "对账开始日期" in sandbox_client.rejected("3201", {"data": data})


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("detail.txt", text)
    return buffer.getvalue()


def _unzip(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(archive.namelist()[0]).decode("utf-8")


def _download(client: SandboxClient, number: str, filename: str) -> bytes:
    envelope = client.envelope(
        "9102",
        {"fsDownloadIn": {"file_qury_no": number, "filename": filename, "fixmedins_code": "plc"}},
    )
    response = client.post(envelope)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    return response.content


def test_3202_detail_comparison_gives_rows_0_to_3(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    results = _settle_two(sandbox, sandbox_client)
    lost = Visit(sandbox_client, person(sandbox, "赵龘"))
    lost.open([(f"{H}XY0022", "38.50", "1")])
    lost_result = lost.settle()  # the hospital "never saw" this one: 中心多
    a, b = (r["output"]["setlinfo"] for r in results)
    rows = [
        (
            a["setl_id"],
            a["mdtrt_id"],
            a["psn_no"],
            a["medfee_sumamt"],
            a["fund_pay_sumamt"],
            a["acct_pay"],
            "0",
        ),
        (
            b["setl_id"],
            b["mdtrt_id"],
            b["psn_no"],
            b["medfee_sumamt"],
            b["fund_pay_sumamt"] + 1,
            b["acct_pay"],
            "0",
        ),
        ("4999999", "3999999", "X", Decimal("10.00"), Decimal("5.00"), Decimal("0.00"), "0"),
    ]
    text = "".join("\t".join(map(str, row)) + "\n" for row in rows)
    upload = {
        "fsUploadIn": {
            "in": base64.b64encode(_zip(text)).decode(),
            "filename": "detail.zip",
            "fixmedins_code": H,
        }
    }
    uploaded = sandbox_client.ok("9101", upload)["output"]
    assert uploaded["file_qury_no"]
    data = {
        "setl_optins": sandbox.hospital.clr_optins, "file_qury_no": uploaded["file_qury_no"],
        "stmt_begndate": _today(), "stmt_enddate": _today(),
        "medfee_sumamt": sum(r[3] for r in rows), "fund_pay_sumamt": sum(r[4] for r in rows),
        "cash_payamt": Decimal("0.00"), "fixmedins_setl_cnt": "3", "clr_type": "11", "refd_setl_flag": "1",
    }  # fmt: skip
    fileinfo = sandbox_client.ok("3202", {"data": data})["output"]["fileinfo"]
    result = _unzip(_download(sandbox_client, fileinfo["file_qury_no"], fileinfo["filename"]))
    by_setl = {line.split("\t")[2]: line.split("\t") for line in result.splitlines()}
    assert by_setl[a["setl_id"]][4] == "0"
    assert by_setl[b["setl_id"]][4] == "3"
    assert by_setl["4999999"][4] == "2"
    lost_row = by_setl[lost_result["output"]["setlinfo"]["setl_id"]]
    assert lost_row[4] == "1"
    assert lost_row[3] == lost_result["_msgid"]
    assert all(len(row) == 10 for row in by_setl.values())


def test_3202_refusals(sandbox_client: SandboxClient) -> None:
    data = {
        "setl_optins": "110199", "file_qury_no": "NOPE", "stmt_begndate": _today(), "stmt_enddate": _today(),
        "medfee_sumamt": "0.00", "fund_pay_sumamt": "0.00", "cash_payamt": "0.00", "fixmedins_setl_cnt": "0",
        "clr_type": "11", "refd_setl_flag": "0",
    }  # fmt: skip
    assert "9101" in sandbox_client.rejected("3202", {"data": data})
    bad_upload = {"fsUploadIn": {"in": "%%%", "filename": "x.zip", "fixmedins_code": H}}
    assert "Base64" in sandbox_client.rejected("9101", bad_upload)
    missing = {"fsDownloadIn": {"file_qury_no": "NOPE", "filename": "x", "fixmedins_code": H}}
    assert "不存在" in sandbox_client.rejected("9102", missing)


def test_9101_accepts_a_byte_array(sandbox_client: SandboxClient) -> None:
    upload = {"fsUploadIn": {"in": list(b"abc"), "filename": "a.txt", "fixmedins_code": H}}
    assert sandbox_client.ok("9101", upload)["output"]["filename"] == "a.txt"


@pytest.mark.parametrize(
    ("infno", "list_type"), [("1301", "101"), ("1305", "201"), ("1306", "301")]
)
def test_catalogue_downloads(
    sandbox: SandboxServer, sandbox_client: SandboxClient, infno: str, list_type: str
) -> None:
    output = sandbox_client.ok(infno, {"data": {"ver": "0"}})["output"]
    assert output["filename"] == "plc"
    text = _unzip(_download(sandbox_client, output["file_qury_no"], "plc"))
    rows = [line.split("\t") for line in text.splitlines()]
    expected = [i for i in sandbox.platform.catalogue.items.values() if i.list_type == list_type]
    assert output["data_cn"] == len(rows) == len(expected)
    assert {row[0] for row in rows} == {i.med_list_codg for i in expected}
    assert all(row[13] == "null" for row in rows)
    assert not rows[0][0].startswith("med_list_codg")
    newer = sandbox_client.ok(infno, {"data": {"ver": "99999999999"}})["output"]
    assert newer["data_cn"] == 0


def test_1312_pages_and_filters(sandbox: SandboxServer, sandbox_client: SandboxClient) -> None:
    first = sandbox_client.ok("1312", {"data": {"page_num": "1", "page_size": "10"}})["output"]
    total = len(sandbox.platform.catalogue.items)
    assert first["recordCounts"] == total
    assert len(first["data"]) == 10
    assert first["pages"] == (total + 9) // 10
    assert first["firstPage"] is True
    last = sandbox_client.ok(
        "1312", {"data": {"page_num": str(first["pages"]), "page_size": "10"}}
    )["output"]
    assert last["lastPage"] is True
    insulin = sandbox_client.ok(
        "1312", {"data": {"page_num": "1", "page_size": "50", "hilist_name": "胰岛素"}}
    )["output"]
    assert insulin["recordCounts"] >= 3
    by_pinyin = sandbox_client.ok(
        "1312", {"data": {"page_num": "1", "page_size": "50", "pinyin": "tkmsjn"}}
    )["output"]
    assert [row["hilist_name"] for row in by_pinyin["data"]] == ["他克莫司胶囊"]
    class_c = sandbox_client.ok(
        "1312", {"data": {"page_num": "1", "page_size": "50", "chrgitm_lv": "03"}}
    )["output"]
    assert all(row["chrgitm_lv"] == "03" for row in class_c["data"])
    assert "分页参数" in sandbox_client.rejected(
        "1312", {"data": {"page_num": "0", "page_size": "10"}}
    )
