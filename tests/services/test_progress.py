"""Progress of long work (issue 18 part 2): catalogue import and sync, the day close's chain, recovery
waiting and backup report their steps; Cancel stops them only where stopping is safe, and then
nothing is half done."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.engine_fixtures import demo_bill

from app.domain.journal import JournalState
from app.domain.operator import Operator
from app.errors import UserCancelled
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.ports.progress import ProgressStep
from app.store.backup import backup_store
from app.store.db import Store


class Recorder:
    """A progress sink that keeps every step and asks to cancel when ``cancel_when`` says so."""

    def __init__(self, cancel_when: Callable[[ProgressStep], bool] = lambda _: False) -> None:
        self.steps: list[ProgressStep] = []
        self._cancel_when = cancel_when
        self._cancel = threading.Event()

    def update(self, step: ProgressStep) -> None:
        self.steps.append(step)
        if self._cancel_when(step):
            self._cancel.set()

    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def labels(self) -> list[str]:
        return [s.label for s in self.steps]


def _catalogue_file(tmp_path: Path, count: int) -> Path:
    # The pinyin column is given: working out 45,000 names' initials would be two thirds of the
    # import's CPU, and these tests are about the progress of reading and writing in chunks.
    lines = ["hospital_code,national_code,name,pinyin,unit_price,item_class"]
    lines += [f"H{n:06d},N{n:06d},测试药品{n}号,csyp{n}h,{n % 90 + 1}.25,01" for n in range(count)]
    path = tmp_path / "catalogue.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_catalogue_import_reports_reading_and_writing_in_order(
    engine: Engine, tmp_path: Path
) -> None:
    recorder = Recorder()

    count = engine.catalogue.import_file(_catalogue_file(tmp_path, 45_000), recorder)

    assert count == engine.catalogue.count() == 45_000
    writes = [s for s in recorder.steps if s.label == "写入本地目录"]
    assert [s.done for s in writes] == [0, 20_000, 40_000, 45_000]
    assert all(s.total == 45_000 and s.cancellable for s in writes)
    assert any(s.label == "读取目录文件" and s.done == 5_000 for s in recorder.steps)
    assert recorder.steps[-1] == ProgressStep("保存", 45_000, 45_000, cancellable=False)


def test_a_cancelled_import_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    engine.catalogue.import_file(_catalogue_file(tmp_path, 3))
    recorder = Recorder(lambda step: step.label == "写入本地目录" and step.done >= 20_000)

    with pytest.raises(UserCancelled):
        engine.catalogue.import_file(_catalogue_file(tmp_path, 45_000), recorder)

    assert engine.catalogue.count() == 3  # the half-written import was rolled back


def test_catalogue_sync_can_be_cancelled_between_downloads(
    engine: Engine, supervisor: Operator, sandbox: SandboxServer
) -> None:
    recorder = Recorder(lambda step: step.done == 1)

    with pytest.raises(UserCancelled):
        engine.catalogue.sync(supervisor, recorder)

    assert recorder.labels() == ["下载目录（1301）", "下载目录（1305）"]
    assert sandbox.request_count("1305") == 0


def test_the_day_close_reports_each_reconciliation_call(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    engine.settle_visit(demo_bill("01"), cashier)  # 城乡居民
    engine.settle_visit(demo_bill("13"), cashier)  # 职工
    recorder = Recorder()

    report = engine.close_day(engine.day_close.today(), supervisor, recorder)

    assert len(report.groups) == 2
    assert [s.label[:12] for s in recorder.steps] == ["总额对账（3201）险种"] * 2 + ["保存日结结果"]
    assert [s.cancellable for s in recorder.steps] == [True, True, False]


def test_a_day_close_cancelled_before_the_first_call_stores_nothing(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    engine.settle_visit(demo_bill("01"), cashier)
    before = sandbox.request_count("3201")

    with pytest.raises(UserCancelled):
        engine.close_day(engine.day_close.today(), supervisor, Recorder(lambda _: True))

    assert sandbox.request_count("3201") == before
    with engine.uow_factory() as uow:
        assert uow.day_closes.get(engine.day_close.today()) is None


def test_recovery_waiting_with_back_off_can_be_cancelled_and_leaves_the_row_for_later(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
        ]
    )
    engine.settle_visit(demo_bill("01"), cashier)  # the 2207 answer is lost; 2601 keeps failing
    recorder = Recorder(lambda step: "后重试" in step.label)

    with pytest.raises(UserCancelled):
        engine.recovery.recover_all(wait=True, progress=recorder)

    assert recorder.labels()[0] == "处理未确认交易 2207"
    assert "后重试" in recorder.labels()[-1]
    left = engine.journal()
    assert [row.state for row in left if row.infno == "2207"] == [JournalState.REVERSING]
    sandbox.set_faults([])
    assert engine.recovery.recover_all(wait=True).reversed == 1  # resolved on the next run


def test_backup_reports_its_stages(store: Store, tmp_path: Path) -> None:
    recorder = Recorder()

    backup_store(store, tmp_path / "copy.sqlite", recorder)

    assert [(s.label, s.done, s.total) for s in recorder.steps] == [
        ("复制数据库", 0, 3), ("校验备份", 1, 3), ("计算校验值", 2, 3), ("完成", 3, 3),
    ]  # fmt: skip
    assert [s.cancellable for s in recorder.steps] == [True, False, False, False]
