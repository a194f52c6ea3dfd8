"""Every table model passes qtmodeltester and shows formatted text with raw values alongside."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.bill import FeeLine, Tag
from app.domain.catalogue import CatalogueItem
from app.domain.hospital import HospitalProfile
from app.domain.journal import JournalState
from app.domain.person import Gender, InsuranceEntry, InsuranceStatus, InsuredPerson, Qualification
from app.domain.plan import GroupKind, PlanContext, RegistrationStatus, group_label
from app.domain.visit import GroupState
from app.services.recovery import QueueRow
from app.services.settlement import GroupResult
from app.ui.models.bill_model import RAW_ROLE, BillColumn, BillModel
from app.ui.models.catalogue_model import CatalogueModel
from app.ui.models.group_model import GroupModel
from app.ui.models.history_model import HistoryModel, JournalModel
from app.workers.backend import SettledRow

HOSPITAL = HospitalProfile(
    code="H11010500001",
    name="演示医院",
    admdvs="110105",
    opened_diseases=frozenset({"M03900", "M01600"}),
)
PERSON = InsuredPerson(
    person_no="41000000000000000003",
    name="李淑芬",
    id_number="410102196805120029",
    gender=Gender.FEMALE,
    birth_date=date(1968, 5, 12),
    insurances=(InsuranceEntry("310", InsuranceStatus.NORMAL, "410102", Decimal("800.00")),),
    qualifications=(
        Qualification("M03900", "高血压", date(2024, 1, 1)),
        Qualification("M08303", "心移植抗排异治疗", date(2024, 1, 1)),
    ),
)


def _line(no: str, price: str, qty: str, tag: Tag) -> FeeLine:
    return FeeLine.create(
        line_no=no,
        hospital_code=f"H{no}",
        national_code=f"N{no}",
        name=f"项目{no}",
        unit_price=price,
        quantity=qty,
        tag=tag,
    )


def _bill_model() -> BillModel:
    model = BillModel()
    model.set_lines(
        [
            _line("1", "3.50", "2", Tag.disease("M03900")),
            _line("2", "520.00", "1", Tag.disease("M08303")),
            _line("3", "8.60", "1", Tag.general()),
            _line("4", "1.00", "1", Tag.untagged()),
        ]
    )
    model.set_context(PlanContext(PERSON, HOSPITAL, date(2026, 11, 23), RegistrationStatus.UNKNOWN))
    return model


def test_bill_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(_bill_model(), force_py=True)


def test_bill_model_shows_self_pay_with_the_reason_before_sending(qtbot: QtBot) -> None:
    model = _bill_model()
    route = model.index(1, BillColumn.ROUTE)
    assert "全额自费" in model.data(route) or "Full self-pay" in model.data(route)
    assert "本院尚未开通" in model.data(route)
    assert model.data(model.index(0, BillColumn.AMOUNT)) == "7.00"
    assert model.data(model.index(0, BillColumn.AMOUNT), RAW_ROLE) == Decimal("7.00")
    totals = {g.key: g.total for g in model.group_totals()}
    assert totals == {
        "M03900": Decimal("7.00"),
        "general": Decimal("8.60"),
        "self_pay": Decimal("520.00"),
        "untagged": Decimal("1.00"),
    }


def test_bill_model_validates_edits_as_decimal(qtbot: QtBot) -> None:
    model = _bill_model()
    refused: list[object] = []
    model.edit_refused.connect(refused.append)
    quantity = model.index(0, BillColumn.QUANTITY)
    assert model.flags(quantity) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(quantity, "3")
    assert model.data(model.index(0, BillColumn.AMOUNT), RAW_ROLE) == Decimal("10.50")
    assert not model.setData(quantity, "1e400")
    assert not model.setData(quantity, "-1")
    assert len(refused) == 2
    assert model.data(model.index(0, BillColumn.AMOUNT), RAW_ROLE) == Decimal("10.50")
    model.set_locked(True)
    assert not model.flags(quantity) & Qt.ItemFlag.ItemIsEditable


def test_group_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = GroupModel()
    model.show_live_totals(_bill_model().group_totals())
    qtmodeltester.check(model, force_py=True)
    model.show_groups(
        [
            GroupResult(
                group_key="M03900",
                label="门诊慢特病 高血压（M03900）",
                state=GroupState.UNKNOWN,
                total=Decimal("7.00"),
                line_nos=("1",),
                kind=GroupKind.CHRONIC,
                disease_code="M03900",
            )
        ]
    )
    qtmodeltester.check(model, force_py=True)


def test_a_group_reads_the_same_live_and_stored(qtbot: QtBot) -> None:
    """One label for a group: the live total, the 结算方式 column and the stored group after the
    bill is opened all show the domain's label (issue 14: labels built once)."""
    bill = _bill_model()
    live = {g.key: g.label for g in bill.group_totals()}
    assert live["M03900"].endswith(" 高血压（M03900）")
    assert bill.data(bill.index(0, BillColumn.ROUTE)) == live["M03900"]
    groups = GroupModel()
    groups.show_live_totals(bill.group_totals())
    shown_live = {row.key: row.label for row in groups.rows}
    groups.show_groups(
        [
            GroupResult(
                group_key="M03900",
                label="门诊慢特病 高血压（M03900）",
                state=GroupState.PREVIEWED,
                total=Decimal("7.00"),
                line_nos=("1",),
                kind=GroupKind.CHRONIC,
                disease_code="M03900",
            )
        ]
    )
    assert shown_live["M03900"] == live["M03900"] == groups.rows[0].label
    # With the kind's Chinese word (the default language) it is the receipt's label exactly.
    assert group_label(GroupKind.CHRONIC, "M03900", kind_text=lambda k: k.label) == (
        "门诊慢特病 高血压（M03900）"
    )


def test_catalogue_history_and_journal_models_pass_the_model_tester(
    qtmodeltester: ModelTester,
) -> None:
    catalogue = CatalogueModel()
    catalogue.set_items(
        [CatalogueItem("H1", "N1", "苯磺酸氨氯地平片", "BHSALDPP", Decimal("3.50"), spec="5mg*7片")]
    )
    qtmodeltester.check(catalogue, force_py=True)
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    history = HistoryModel()
    history.set_rows(
        [
            SettledRow(
                "S1", "B1", now, "410***********0003", "普通门诊", Decimal("8.60"),
                Decimal("6.00"), Decimal("0.00"), Decimal("2.60"), "C001",
            )
        ]
    )  # fmt: skip
    qtmodeltester.check(history, force_py=True)
    history.set_filter("nothing-matches")
    assert history.rowCount() == 0
    journal = JournalModel()
    journal.set_rows(
        [
            QueueRow(
                "M1", "2207", JournalState.UNKNOWN, "B1", "M03900", "410***03",
                Decimal("7.00"), now, now, 2, "",
            )
        ]
    )  # fmt: skip
    qtmodeltester.check(journal, force_py=True)
