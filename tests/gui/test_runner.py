"""The background-work runner: exactly one callback, on the GUI thread, per task."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.errors import InputError, UserCancelled
from app.workers.runner import Lane, TaskRunner


@pytest.fixture
def runner(qapp: object) -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown()


def test_success_calls_on_success_once_on_the_gui_thread(runner: TaskRunner, qtbot: QtBot) -> None:
    calls: list[tuple[str, object, threading.Thread]] = []
    worker_threads: list[str] = []

    def work() -> int:
        worker_threads.append(threading.current_thread().name)
        return 41 + 1

    handle = runner.submit(
        work,
        lambda value: calls.append(("ok", value, threading.current_thread())),
        lambda exc: calls.append(("failed", exc, threading.current_thread())),
        lane=Lane.STORE,
    )
    with qtbot.waitSignal(handle.succeeded) as blocker:
        pass
    assert blocker.args == [42]
    assert calls == [("ok", 42, threading.main_thread())]
    assert worker_threads[0].startswith("store_lane")
    assert handle.done


def test_failure_calls_on_failure_once_with_the_exception(runner: TaskRunner, qtbot: QtBot) -> None:
    calls: list[tuple[str, object]] = []
    problem = InputError("数量不对")

    def work() -> None:
        raise problem

    handle = runner.submit(
        work,
        lambda value: calls.append(("ok", value)),
        lambda exc: calls.append(("failed", exc)),
        lane=Lane.NETWORK,
    )
    with qtbot.waitSignal(handle.finished):
        pass
    assert calls == [("failed", problem)]


def test_a_bug_in_the_work_still_ends_in_on_failure(runner: TaskRunner, qtbot: QtBot) -> None:
    seen: list[BaseException] = []
    handle = runner.submit(lambda: 1 // 0, lambda _: None, seen.append, lane=Lane.NETWORK)
    with qtbot.waitSignal(handle.failed):
        pass
    assert len(seen) == 1
    assert isinstance(seen[0], ZeroDivisionError)


def test_cancel_answers_at_once_and_drops_the_late_result(runner: TaskRunner, qtbot: QtBot) -> None:
    release = threading.Event()
    calls: list[object] = []

    def slow() -> str:
        release.wait(5)
        return "late"

    handle = runner.submit(slow, calls.append, calls.append, lane=Lane.NETWORK)
    assert handle.cancel() is True
    assert len(calls) == 1
    assert isinstance(calls[0], UserCancelled)
    release.set()
    follower = runner.submit(lambda: "next", calls.append, calls.append, lane=Lane.NETWORK)
    with qtbot.waitSignal(follower.succeeded):
        pass
    qtbot.wait(50)  # give a (wrongly) delivered late result the chance to show up
    assert calls[1:] == ["next"]
    assert handle.cancel() is False


def test_store_lane_runs_one_task_at_a_time_in_order(runner: TaskRunner, qtbot: QtBot) -> None:
    active = 0
    most_active = 0
    order: list[int] = []
    guard = threading.Lock()

    def work(n: int) -> int:
        nonlocal active, most_active
        with guard:
            active += 1
            most_active = max(most_active, active)
        threading.Event().wait(0.01)
        with guard:
            active -= 1
        return n

    handles = [
        runner.submit(lambda n=n: work(n), order.append, pytest.fail, lane=Lane.STORE)
        for n in range(5)
    ]
    qtbot.waitUntil(lambda: all(h.done for h in handles))
    assert order == [0, 1, 2, 3, 4]
    assert most_active == 1


def test_busy_text_is_announced_and_cleared(runner: TaskRunner, qtbot: QtBot) -> None:
    texts: list[str] = []
    runner.busy_changed.connect(texts.append)
    handle = runner.submit(
        lambda: None, lambda _: None, pytest.fail, lane=Lane.STORE, busy_text="读卡中"
    )
    with qtbot.waitSignal(handle.finished):
        pass
    assert texts[0] == "读卡中"
    assert texts[-1] == ""
    assert runner.pending_count == 0


def test_shutdown_waits_for_workers_and_refuses_new_work(qapp: object) -> None:
    task_runner = TaskRunner()
    finished = threading.Event()

    def work() -> None:
        threading.Event().wait(0.05)
        finished.set()

    task_runner.submit(work, lambda _: None, lambda _: None, lane=Lane.PRINT)
    task_runner.shutdown()
    assert finished.is_set()
    with pytest.raises(RuntimeError):
        task_runner.submit(work, lambda _: None, lambda _: None, lane=Lane.PRINT)
