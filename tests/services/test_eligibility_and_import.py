"""Eligibility (live, cached when offline, refused when too old), the HIS hand-off format, catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, demo_bill, make_engine
from helpers.store_fixtures import counting_commits
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from app.config import Settings
from app.domain.operator import Operator
from app.domain.person import QualificationState
from app.errors import InputError, PlatformError
from app.sandbox import SandboxServer
from app.services.bill_import import BillFormatError, IdentityKind, parse_visit_text
from app.services.engine import Engine


@dataclass
class OffsetClock:
    """The real clock moved by ``offset`` (the platform signs with real time; the cache ages)."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        """Real UTC time plus the offset."""
        return datetime.now(UTC) + self.offset

    def monotonic(self) -> float:
        """Seconds, never going back."""
        return self.now().timestamp()


def test_eligibility_judges_each_qualification_for_this_hospital(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    view = engine.identify(demo_bill("03").identity, cashier)  # two diseases, both opened here

    assert not view.from_cache
    assert view.cross_province
    assert {q.code for q in view.qualifications} == {"M03900", "M01600"}
    assert all(q.settleable for q in view.qualifications)
    assert "*" in view.masked_id

    expired = engine.identify(demo_bill("04").identity, cashier)
    assert [q.state for q in expired.qualifications] == [QualificationState.EXPIRED]
    not_opened = engine.identify(demo_bill("05").identity, cashier)
    assert [q.opened_here for q in not_opened.qualifications] == [False]
    non_pilot = engine.identify(demo_bill("06").identity, cashier)
    assert [q.pilot for q in non_pilot.qualifications] == [False]


def test_offline_answers_from_the_cache_with_its_age_and_refuses_when_too_old(
    engine_settings: Settings, sandbox: SandboxServer, tmp_path: Path
) -> None:
    clock = OffsetClock()
    engine = make_engine(engine_settings, tmp_path / "offline", clock=clock)
    try:
        cashier, _ = add_operators(engine)
        identity = demo_bill("01").identity
        live = engine.identify(identity, cashier)
        sandbox.set_faults([{"infno": "*", "kind": "refuse", "probability": 1.0}])
        clock.offset = timedelta(hours=3)

        cached = engine.identify(identity, cashier)

        assert cached.from_cache
        assert cached.person.person_no == live.person.person_no
        assert timedelta(hours=3) <= cached.age < timedelta(hours=3, minutes=5)
        assert "缓存" in cached.notice
        assert "不能用于结算" in cached.notice
        with pytest.raises(InputError, match="离线"):
            engine.open_bill(demo_bill("01"), cached, cashier)

        clock.offset = timedelta(hours=engine_settings.cache_max_age_hours + 1)
        with pytest.raises(PlatformError, match="超过允许"):
            engine.identify(identity, cashier)
    finally:
        engine.close()


@contextmanager
def writes_to(table: str) -> Iterator[list[int]]:
    """How many statements write to ``table`` inside the block."""
    writes = [0]

    def on_statement(*args: object) -> None:
        if str(args[2]).startswith(f"INSERT INTO {table} "):
            writes[0] += 1

    event.listen(SqlEngine, "before_cursor_execute", on_statement)
    try:
        yield writes
    finally:
        event.remove(SqlEngine, "before_cursor_execute", on_statement)


def test_the_answer_is_cached_without_a_commit_of_its_own_and_kept_when_the_store_closes(
    engine_settings: Settings, sandbox: SandboxServer, tmp_path: Path
) -> None:
    folder = tmp_path / "kept"
    engine = make_engine(engine_settings, folder)
    try:
        cashier, _ = add_operators(engine)
        with counting_commits(folder) as commits, writes_to("persons") as cached_now:
            live = engine.identify(demo_bill("01").identity, cashier)
    finally:
        engine.close()  # nothing committed since: the close stores it
    assert cached_now == [0]  # the answer is shown before the cache is written
    assert commits[0] <= 1  # at most the read-only calls' msgid block
    sandbox.set_faults([{"infno": "*", "kind": "refuse", "probability": 1.0}])

    engine = make_engine(engine_settings, folder)
    try:
        cached = engine.identify(demo_bill("01").identity, engine.operator("C001"))
    finally:
        engine.close()

    assert cached.from_cache
    assert cached.person == live.person


def test_voucher_and_id_number_identify_the_same_person(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    by_voucher = engine.identify(demo_bill("02").identity, cashier)
    assert demo_bill("02").identity.kind is IdentityKind.VOUCHER
    person = next(p for p in sandbox.identities() if p["psn_no"] == by_voucher.person.person_no)
    assert by_voucher.person.id_number == person["id_number"]


VALID = {
    "format": "settlement-window/visit@1",
    "identity": {"id_number": "63010219700315122X"},
    "outpatient_no": "MZ1",
    "dept": {"code": "A03", "name": "肿瘤内科"},
    "doctor": {"code": "D1", "name": "王医生"},
    "lines": [
        {
            "hospital_code": "H1",
            "national_code": "N1",
            "name": "药",
            "quantity": 3,
            "unit_price": 0.1,
            "tag": "M00500",
        },
    ],
}


def _with(**changes: object) -> str:
    document = json.loads(json.dumps(VALID))
    document.update(changes)
    return json.dumps(document, ensure_ascii=False)


def test_hand_off_numbers_are_read_exactly() -> None:
    visit = parse_visit_text(json.dumps(VALID))

    (line,) = visit.lines
    assert line.amount == Decimal("0.30")  # 0.1 × 3 in binary floating point would not be
    assert line.tag.disease_code == "M00500"
    assert line.line_no == "1"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{not json", "(json)"),
        (_with(format="other@2"), "format"),
        (_with(identity={"id_number": "1", "voucher": "2"}), "identity"),
        (_with(lines=[]), "lines"),
        (_with(dept="肿瘤内科"), "dept"),
        (_with(lines=[{"hospital_code": "H1", "quantity": "1"}]), "quantity"),
        (
            _with(
                lines=[
                    {"hospital_code": "H1", "quantity": "1", "unit_price": "2.00", "amount": "3.00"}
                ]
            ),
            "lines",
        ),
        (_with(lines=[{"hospital_code": "H1", "quantity": True, "unit_price": "2"}]), "quantity"),
        (_with(visit_time="2026-11-23T09:00:00"), "visit_time"),
    ],
)
def test_bad_hand_off_is_refused_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(BillFormatError) as caught:
        parse_visit_text(text)
    assert caught.value.detail["field"] == field
    assert caught.value.text


def test_catalogue_import_and_search(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "hospital_code,national_code,name,unit_price,item_class\n"
        "H001,N001,苯磺酸氨氯地平片,3.50,01\n"
        "H002,N002,盐酸二甲双胍片,5.60,01\n",
        encoding="utf-8",
    )

    assert engine.catalogue.import_file(path) == 2

    assert [i.hospital_code for i in engine.catalogue.search("bhs")] == ["H001"]
    assert [i.national_code for i in engine.catalogue.search("H002")] == ["N002"]
    assert engine.catalogue.search("二甲双胍")[0].unit_price == Decimal("5.60")


def test_catalogue_sync_applies_the_platform_download_and_remembers_the_version(
    engine: Engine, supervisor: Operator, sandbox: SandboxServer
) -> None:
    shipped = Path(__file__).resolve().parents[2] / "resources" / "sandbox" / "catalogue.json"
    imported = engine.catalogue.import_file(shipped)  # the sandbox's own field names are accepted

    result = engine.catalogue.sync(supervisor)

    assert result.downloaded == imported
    assert result.updated == imported
    assert result.version not in ("", "0")
    again = engine.catalogue.sync(supervisor)  # incremental: nothing newer
    assert again.downloaded == 0
    assert again.version == result.version
