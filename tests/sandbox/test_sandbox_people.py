"""Demo population, 1101 by every credential, the e-voucher decode, 5301."""

from __future__ import annotations

import re

import pytest
from helpers.sandbox_fixtures import SandboxClient, person

from app.domain.disease import PILOT_DISEASES
from app.sandbox import SandboxServer
from app.sandbox.core import china_now
from app.sandbox.data import Person, load_hospital, load_population
from app.validation.id_number import parse_id_number

PEOPLE = load_population()
HOSPITAL = load_hospital()


@pytest.mark.parametrize("who", PEOPLE, ids=lambda p: p.psn_no)
def test_every_demo_id_number_has_a_valid_checksum(who: Person) -> None:
    assert isinstance(who, Person)
    parsed = parse_id_number(who.id_number)
    assert parsed.value == who.id_number
    assert parsed.gender.value == who.gender
    assert parsed.birth_date.isoformat() == who.birthday


def test_population_covers_every_rule_of_the_domain() -> None:
    today = china_now().date()
    assert len(PEOPLE) >= 12
    assert len({p.insurances[0].insured_admdvs[:2] for p in PEOPLE}) >= 6
    pilot = [[q for q in p.qualifications if q.code in PILOT_DISEASES] for p in PEOPLE]
    assert any(len(q) == 1 for q in pilot)
    assert any(len(q) >= 2 for q in pilot)
    assert any(any(not q.valid_on(today) for q in p.qualifications) for p in PEOPLE)
    assert any(
        any(q.code in PILOT_DISEASES and q.code not in HOSPITAL.opened for q in p.qualifications)
        for p in PEOPLE
    )
    assert any(any(q.code not in PILOT_DISEASES for q in p.qualifications) for p in PEOPLE)
    assert any(not p.registered for p in PEOPLE)
    assert any(r.insutype == "310" and r.balance > 0 for p in PEOPLE for r in p.insurances)
    assert any(r.insutype == "390" and r.balance == 0 for p in PEOPLE for r in p.insurances)
    assert any(not r.is_active for p in PEOPLE for r in p.insurances)
    assert any(any(ord(ch) > 0xFFFF or ch == "龘" for ch in p.name) for p in PEOPLE)
    assert "M08303" not in HOSPITAL.opened


@pytest.mark.parametrize("who", PEOPLE, ids=lambda p: p.psn_no)
def test_cards_and_vouchers_have_the_documented_shapes(who: Person) -> None:
    assert isinstance(who, Person)
    assert re.fullmatch(r"[A-Z]\d{8}", who.card_no)
    assert re.fullmatch(r"\d{6}D156000005[0-9A-F]{16}", who.card_sn)
    fields = who.card_string.split("|")
    assert len(fields) == 11
    assert fields[0] == who.card_sn[:6]
    assert fields[1:5] == [who.id_number, who.card_no, who.card_sn, who.name]
    assert re.fullmatch(r"\d{28}", who.voucher_code)


def test_identities_control_view_has_what_the_card_picker_needs(sandbox: SandboxServer) -> None:
    for entry in sandbox.identities():
        assert {
            "name",
            "id_number",
            "card_string",
            "voucher_code",
            "insuplc_admdvs",
            "qualifications",
            "note",
        } <= set(entry)
        assert entry["note"]


def _person_info(
    client: SandboxClient, cert_type: str, number: str, card_sn: str = ""
) -> dict[str, object]:
    data = {
        "mdtrt_cert_type": cert_type,
        "mdtrt_cert_no": number,
        "card_sn": card_sn,
        "psn_cert_type": "01",
    }
    return client.call("1101", {"data": data})


def test_1101_by_id_number_returns_every_insurance_row(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "孙玉梅")
    result = _person_info(sandbox_client, "02", who["id_number"])
    assert result["infcode"] == 0
    output = result["output"]
    assert output["baseinfo"]["psn_no"] == who["psn_no"]
    assert output["baseinfo"]["psn_name"] == "孙玉梅"
    rows = {row["insutype"]: row for row in output["insuinfo"]}
    assert rows["310"]["psn_insu_stas"] == "2"
    assert rows["310"]["paus_insu_date"]
    assert rows["390"]["psn_insu_stas"] == "1"
    assert rows["310"]["insuplc_admdvs"] != rows["390"]["insuplc_admdvs"]


def test_1101_by_card_needs_the_matching_card_sn(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "林𠈌")
    good = _person_info(sandbox_client, "03", who["card_no"], who["card_sn"])
    assert good["output"]["baseinfo"]["psn_name"] == "林𠈌"
    missing = _person_info(sandbox_client, "03", who["card_no"])
    assert "card_sn" in missing["err_msg"]
    wrong = _person_info(sandbox_client, "03", who["card_no"], "0" * 32)
    assert "不匹配" in wrong["err_msg"]


def test_voucher_decode_then_1101_by_token(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "马秀兰")
    decoded = sandbox_client.decode_voucher(who["voucher_code"])
    assert decoded["code"] == 0
    assert decoded["type"] == "success"
    assert decoded["data"]["userName"] == "马秀兰"
    assert decoded["data"]["insuOrg"] == "630102"
    assert "*" in decoded["data"]["idNo"]
    result = _person_info(sandbox_client, "01", decoded["data"]["ecToken"])
    assert result["output"]["baseinfo"]["certno"] == who["id_number"]
    assert sandbox.request_count("ec.query") == 1


def test_voucher_decode_refusals(sandbox_client: SandboxClient) -> None:
    unknown = sandbox_client.decode_voucher("1" * 28)
    assert unknown["code"] != 0
    assert "电子凭证" in unknown["message"]
    empty = sandbox_client.decode_voucher("")
    assert empty["code"] == 500159


@pytest.mark.parametrize(
    ("cert_type", "number", "expected"),
    [
        ("01", "nonsense-token", "ecToken"),
        ("02", "630102197003151221", "校验位"),
        ("02", "110101199001011237", "未查询到"),
        ("04", "X", "就诊凭证类型"),
        ("03", "Z99999999", "未查询到"),
    ],
)
def test_1101_refusals_are_precise(
    sandbox_client: SandboxClient, cert_type: str, number: str, expected: str
) -> None:
    result = _person_info(sandbox_client, cert_type, number, "0" * 32)
    assert result["infcode"] == -1
    assert expected in result["err_msg"]


def test_5301_lists_dated_qualifications(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "李淑芬")
    result = sandbox_client.ok("5301", {"data": {"psn_no": who["psn_no"]}}, who["insuplc_admdvs"])
    rows = result["output"]["feedetail"]
    assert [r["opsp_dise_code"] for r in rows] == ["M03900", "M01600"]
    assert all(r["begndate"] and r["enddate"] for r in rows)


def test_5301_needs_the_insured_region(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "李淑芬")
    assert "insuplc_admdvs" in sandbox_client.rejected("5301", {"data": {"psn_no": who["psn_no"]}})
    assert "不一致" in sandbox_client.rejected(
        "5301", {"data": {"psn_no": who["psn_no"]}}, "630102"
    )
    assert "不存在" in sandbox_client.rejected("5301", {"data": {"psn_no": "NOPE"}}, "630102")
