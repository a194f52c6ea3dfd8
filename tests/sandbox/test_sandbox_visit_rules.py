"""2201–2207 rejections: every rule of domain.md the platform enforces, and input validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers.sandbox_fixtures import SandboxClient, Visit, person

from app.domain.settlement import LineSplit, check_split
from app.sandbox import SandboxServer

H = "H11010500001"


def test_2201_refuses_people_without_cross_province_registration(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    result = Visit(sandbox_client, person(sandbox, "黄丽华")).register()
    assert result["infcode"] == -1
    assert "未备案" in result["err_msg"]


def test_2201_refuses_a_suspended_insurance_row(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "孙玉梅")
    visit = Visit(sandbox_client, who)
    visit.insutype, visit.insuplc = "310", "230100"
    result = visit.register()
    assert result["infcode"] == -1
    assert "暂停" in result["err_msg"]
    assert Visit(sandbox_client, who, insutype="390").register()["infcode"] == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"insutype": "320"}, "未参加险种"),
        ({"begntime": "2026-13-01 00:00:00"}, "开始时间"),
        ({"dr_name": ""}, "医师姓名（dr_name）不能为空"),
        ({"mdtrt_cert_no": "130302195808222357"}, "不属于同一参保人"),
        ({"ipt_otp_no": "M" * 31}, "长度超过 30 位"),
    ],
)
def test_2201_validates_its_input(
    sandbox: SandboxServer, sandbox_client: SandboxClient, change: dict[str, str], expected: str
) -> None:
    who = person(sandbox, "马秀兰")
    data = {
        "psn_no": who["psn_no"], "insutype": "390", "begntime": "2026-01-05 09:00:00",
        "mdtrt_cert_type": "02", "mdtrt_cert_no": who["id_number"], "ipt_otp_no": "MZ1", "atddr_no": "D1",
        "dr_name": "王医生", "dept_code": "A03", "dept_name": "肿瘤内科", "caty": "A03",
    }  # fmt: skip
    data.update(change)
    assert expected in sandbox_client.rejected("2201", {"data": data}, "630102")


@pytest.mark.parametrize(
    ("name", "disease", "expected"),
    [
        ("王志强", "M01600", "不在有效期内"),
        ("刘桂英", "M08303", "未开通"),
        ("陈明", "M04800", "不是跨省门诊慢特病直接结算病种"),
        ("马秀兰", "M03900", "无 高血压（M03900） 的门诊慢特病资格认定".replace(" ", "")),
    ],
)
def test_2203_refuses_chronic_visits_the_rules_forbid(
    sandbox: SandboxServer, sandbox_client: SandboxClient, name: str, disease: str, expected: str
) -> None:
    visit = Visit(sandbox_client, person(sandbox, name), disease=disease)
    assert visit.register()["infcode"] == 0
    result = visit.upload_visit()
    assert result["infcode"] == -1
    assert expected in result["err_msg"].replace(" ", "")


def test_general_outpatient_cannot_carry_a_chronic_code(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "郑国华"), med_type="11", disease="")
    visit.open([(f"{H}XY0061", "8.60", "2")])
    bad = visit.upload_lines([visit.line(f"{H}XY0022", "38.50", dise_codg="M00500", batch="B2")])
    assert "不得转为普通门诊" in bad["err_msg"]
    result = visit.settle()
    assert result["infcode"] == 0, result["err_msg"]


def _opened(sandbox: SandboxServer, client: SandboxClient) -> Visit:
    visit = Visit(client, person(sandbox, "马秀兰"))
    assert visit.register()["infcode"] == 0
    assert visit.upload_visit()["infcode"] == 0
    return visit


def test_2204_refuses_lines_of_one_batch_with_different_diseases(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "李淑芬"), disease="M03900")
    assert visit.register()["infcode"] == 0
    assert visit.upload_visit()["infcode"] == 0
    lines = [visit.line(f"{H}XY0001", "3.50"), visit.line(f"{H}XY0011", "5.60", dise_codg="M01600")]
    result = visit.upload_lines(lines)
    assert result["infcode"] == -1
    assert "病种编码不一致" in result["err_msg"] or "不一致" in result["err_msg"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"national": "XNOTINCATALOGUE0000001"}, "不在就医地医保目录中"),
        ({"national": "XC08CAA055A001010100101"}, "不一致"),
        ({"amount": "77.01"}, "四舍五入到分"),
        ({"count": "0"}, "必须大于零"),
        ({"amount": "77.001"}, "两位小数"),
    ],
)
def test_2204_validates_each_line(
    sandbox: SandboxServer, sandbox_client: SandboxClient, kwargs: dict[str, str], expected: str
) -> None:
    visit = _opened(sandbox, sandbox_client)
    count = kwargs.pop("count", "2")
    line = visit.line(f"{H}XY0022", "38.50", count, **kwargs)  # type: ignore[arg-type]
    result = visit.upload_lines([line])
    assert result["infcode"] == -1
    assert expected in result["err_msg"]
    assert line["feedetl_sn"] in result["err_msg"]


def test_2204_refuses_unmapped_hospital_codes_and_duplicate_serials(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _opened(sandbox, sandbox_client)
    unmapped = visit.line(f"{H}ZZ9999", "1.00", national="XC08CAA055A001010100101")
    assert "未做目录对照" in visit.upload_lines([unmapped])["err_msg"]
    line = visit.line(f"{H}XY0022", "38.50")
    assert visit.upload_lines([line])["infcode"] == 0
    assert "重复" in visit.upload_lines([line])["err_msg"]


def test_2204_split_follows_the_catalogue(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = _opened(sandbox, sandbox_client)
    lines = [
        visit.line(f"{H}XY0022", "38.50", "2"),  # 甲
        visit.line(f"{H}XY0023", "96.00", "1"),  # 乙 10 %, restricted, approved
        visit.line(f"{H}XY0021", "780.00", "1", appr="2"),  # restricted, not approved → self-pay
        visit.line(f"{H}HC0007", "3800.00", "1"),  # above the ceiling 3500
        visit.line(f"{H}FW0003", "1.00", "1", dise_codg="M00500"),  # 丙
    ]
    result = visit.upload_lines(lines)
    assert result["infcode"] == 0, result["err_msg"]
    rows = {row["feedetl_sn"]: row for row in result["output"]["result"]}
    a, b, c, d, e = (rows[line["feedetl_sn"]] for line in lines)
    assert (a["chrgitm_lv"], a["selfpay_prop"], a["inscp_scp_amt"]) == (
        "01",
        Decimal(0),
        Decimal("77.00"),
    )
    assert (b["preselfpay_amt"], b["inscp_scp_amt"], b["lmt_used_flag"]) == (
        Decimal("9.60"),
        Decimal("86.40"),
        "1",
    )
    assert c["fulamt_ownpay_amt"] == Decimal("780.00")
    assert d["overlmt_amt"] == Decimal("300.00")
    assert d["preselfpay_amt"] == Decimal("1050.00")
    assert (e["fulamt_ownpay_amt"], e["selfpay_prop"]) == (Decimal("1.00"), Decimal(1))
    for row in rows.values():
        split = LineSplit(
            row["feedetl_sn"], row["det_item_fee_sumamt"], row["fulamt_ownpay_amt"], row["overlmt_amt"],
            row["preselfpay_amt"], row["inscp_scp_amt"], row["selfpay_prop"],
        )  # fmt: skip
        assert check_split(split) == []


def test_2204_needs_2203_first(sandbox: SandboxServer, sandbox_client: SandboxClient) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    assert visit.register()["infcode"] == 0
    assert "2203" in visit.upload_lines([visit.line(f"{H}XY0022", "38.50")])["err_msg"]


def test_2205_removes_unsettled_lines_and_refuses_settled_ones(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "1")])
    data = {"mdtrt_id": visit.mdtrt_id, "chrg_bchno": visit.batch, "psn_no": visit.psn_no}
    settled = visit.settle()
    assert "2208" in sandbox_client.rejected("2205", {"data": data}, visit.insuplc)
    visit.cancel(settled["output"]["setlinfo"]["setl_id"])
    assert (
        sandbox_client.call("2205", {"data": {**data, "chrg_bchno": "0000"}}, visit.insuplc)[
            "infcode"
        ]
        == 0
    )
    assert "没有可撤销" in sandbox_client.rejected("2205", {"data": data}, visit.insuplc)
    assert "没有可结算" in visit.settle()["err_msg"]


def test_2202_cancels_a_registration_without_settlement(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "1")])
    data = {"psn_no": visit.psn_no, "mdtrt_id": visit.mdtrt_id, "ipt_otp_no": visit.ipt_otp_no}
    settled = visit.settle()
    assert "2208" in sandbox_client.rejected("2202", {"data": data}, visit.insuplc)
    visit.cancel(settled["output"]["setlinfo"]["setl_id"])
    assert sandbox_client.call("2202", {"data": data}, visit.insuplc)["infcode"] == 0
    assert "已撤销" in sandbox_client.rejected("2202", {"data": data}, visit.insuplc)


def test_2206_is_a_preview_without_state(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "2")])
    first = visit.preview()["output"]["setlinfo"]
    second = visit.preview()["output"]["setlinfo"]
    assert first["act_pay_dedc"] == second["act_pay_dedc"] == Decimal("50.00")
    assert first["clr_way"] is None
    assert sandbox.ledger() == []


def test_2207_refuses_a_total_that_does_not_match_the_batch(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "2")])
    data = visit.settle_data(total=Decimal("77.01"))
    assert "明细合计 77.00 不一致" in sandbox_client.rejected("2207", {"data": data}, visit.insuplc)
    data = {**visit.settle_data(), "inscp_scp_amt": Decimal("1.00")}
    assert "符合政策范围金额" in sandbox_client.rejected("2207", {"data": data}, visit.insuplc)
    data = {**visit.settle_data(), "med_type": "11"}
    assert "医疗类别" in sandbox_client.rejected("2207", {"data": data}, visit.insuplc)
    assert sandbox.ledger() == []


def test_2207_twice_on_one_batch_is_refused(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "2")])
    assert visit.settle()["infcode"] == 0
    assert "已结算" in visit.settle()["err_msg"]


def test_two_qualifications_settle_separately(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "李淑芬")
    hypertension = Visit(sandbox_client, who, disease="M03900")
    hypertension.open([(f"{H}XY0001", "3.50", "4")])
    diabetes = Visit(sandbox_client, who, disease="M01600")
    diabetes.open([(f"{H}XY0011", "5.60", "3")])
    a = hypertension.settle()["output"]["setlinfo"]
    b = diabetes.settle()["output"]["setlinfo"]
    assert a["fund_pay_sumamt"] == Decimal("10.50")  # ratio 0.75, no deductible
    assert b["fund_pay_sumamt"] == Decimal("12.60")
    assert {row["dise_codg"] for row in sandbox.ledger()} == {"M03900", "M01600"}


def test_5203_returns_the_settlement(sandbox: SandboxServer, sandbox_client: SandboxClient) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open([(f"{H}XY0022", "38.50", "2")])
    setl_id = visit.settle()["output"]["setlinfo"]["setl_id"]
    data = {"psn_no": visit.psn_no, "setl_id": setl_id, "mdtrt_id": visit.mdtrt_id}
    found = sandbox_client.ok("5203", {"data": data}, visit.insuplc)
    assert found["output"]["setlinfo"]["setl_id"] == setl_id
    assert found["output"]["setlinfo"]["setl_stas"] == "settled"
    assert "未查询到" in sandbox_client.rejected(
        "5203", {"data": {**data, "setl_id": "4999"}}, visit.insuplc
    )


def test_2601_refuses_transactions_that_cannot_be_reversed(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    registered = visit.register()
    result = visit.reverse(registered["_msgid"], "2201")
    assert result["infcode"] == -1
    assert "不支持冲正" in result["err_msg"]


def test_annual_cap_limits_the_fund(sandbox: SandboxServer, sandbox_client: SandboxClient) -> None:
    who = person(sandbox, "张建国")  # Hebei 310 M03900: deductible 100, ratio 0.8, cap 4000
    visit = Visit(sandbox_client, who)
    visit.open([(f"{H}FW0019", "180.00", "40")])  # 7200.00, 乙 10 % → inscp 6480.00
    info = visit.settle(account=False)["output"]["setlinfo"]
    assert info["act_pay_dedc"] == Decimal("100.00")
    assert info["fund_pay_sumamt"] == Decimal("4000.00")
    assert info["psn_cash_pay"] == Decimal("3200.00")
    second = Visit(sandbox_client, who)
    second.open([(f"{H}XY0001", "3.50", "1")])
    assert second.settle(account=False)["output"]["setlinfo"]["fund_pay_sumamt"] == Decimal("0.00")


def test_account_not_used_across_provinces_where_the_policy_forbids(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "韩德福"))
    visit.open([(f"{H}FW0023", "410.00", "1")])
    info = visit.settle(account=True)["output"]["setlinfo"]
    assert info["acct_pay"] == Decimal("0.00")
    assert info["balc"] == Decimal("5300.00")
