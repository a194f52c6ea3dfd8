"""Smoke test of ``benchmarks/hospital_windows.py`` (issue 13, "How it is proven", benchmark): two window
processes × two visits in hospital mode on the real PostgreSQL; its figures must agree with each other
and with the sandbox ledger. Its timings are printed, never asserted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers.pg_fixtures import hospital_test_url

from benchmarks.hospital_window_process import WindowRun
from benchmarks.hospital_windows import (
    Money,
    _quantiles,
    _spread,
    consistency_problems,
    main,
    money_total,
    run,
)


def test_two_windows_two_visits_every_settlement_reaches_postgresql(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = run(
        [2], 2, url=hospital_test_url(), sync_interval=0.5, sqlite_peers=False, baseline_visits=2
    )

    result = results[2]
    local_ids = [key for window in result.windows for key in window.settlement_ids]
    assert [w.error for w in result.windows] == ["", ""]
    assert [w.name for w in result.windows] == ["W01", "W02"]
    assert all(len(w.visit_seconds) == 2 for w in result.windows)
    # Each window is its own process: its CPU per visit is its own, the sync thread's included.
    assert all(w.hospital for w in result.windows)
    assert all(0 < w.mean_cpu_s <= w.process_cpu_per_visit for w in result.windows)
    assert result.problems == []
    assert result.calls_per_visit > 5  # the platform calls the sandbox answered per timed visit
    # Each window: a warm-up visit and two timed ones, every one with at least one settlement.
    assert len(local_ids) >= 2 * 3
    assert result.platform_count == result.hospital_count == len(local_ids)
    assert result.platform_total == result.hospital_total
    assert result.platform_total is not None
    assert result.platform_total[0] > 0
    timed = [k for w in result.windows for k in w.settlement_ids[w.warm_up_settlements :]]
    assert len(result.lags) == len(timed) >= 2 * 2  # the poller saw every timed visit's rows arrive
    # A bill's first group may reach PostgreSQL before its second settles: a lag can be negative.
    assert all(lag < 60 for lag in result.lags)
    out = capsys.readouterr().out
    assert "replication lag: p50" in out
    assert (
        "per window (each window of each round, 2), wall vs 1 SQLite window: hospital mode min"
        in out
    )
    assert "CPU per visit, window process (sync thread included)" in out
    assert f"{len(local_ids)} platform settlements, {len(local_ids)} in PostgreSQL" in out
    assert out.rstrip().endswith("— ok")


def test_main_exits_zero_when_the_records_agree(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--windows", "1", "--visits", "2", "--baseline-visits", "2", "--rounds", "1"]
    argv += ["--sync-interval", "0.5", "--latency-ms", "20", "--pg-url"]
    assert main([*argv, hospital_test_url()]) == 0
    out = capsys.readouterr().out
    assert "MISMATCH" not in out
    assert "× 20 ms = " in out  # the time over the raw platform time: calls × latency


def test_the_distribution_of_window_ratios_is_printed_in_quantiles() -> None:
    assert _quantiles([1.0, 1.2, 1.1, 1.3, 1.05]) == (
        "min 1.00, p25 1.05, median 1.10, p75 1.20, p90 1.26, max 1.30×"
    )
    run = WindowRun("W01", visit_seconds=[1.0, 3.0, 1.0, 3.0, 1.2, 3.2])
    # Pairs (01 + 02) of visits: 2.0, 2.0, 2.2 — the bills' own difference is not counted as noise.
    assert _spread(run) == pytest.approx(0.1154701 / 3**0.5 / (6.2 / 3), rel=1e-4)  # sd / √n / mean


ROWS: dict[str, Money] = {
    "S1": (Decimal("100.00"), Decimal("80.00"), Decimal("10.00"), Decimal("10.00")),
    "S2": (Decimal("55.55"), Decimal("40.00"), Decimal("0.00"), Decimal("15.55")),
}


def test_the_check_agrees_when_everything_matches() -> None:
    assert consistency_problems(["S1", "S2"], ROWS, dict(ROWS)) == []


def test_the_check_fails_on_a_settlement_missing_from_postgresql() -> None:
    hospital = {"S1": ROWS["S1"]}
    problems = consistency_problems(["S1", "S2"], ROWS, hospital)
    assert any("not in PostgreSQL" in p and "S2" in p for p in problems)
    assert any("hospital totals" in p for p in problems)


def test_the_check_fails_on_one_fen() -> None:
    total, fund, account, cash = ROWS["S2"]
    hospital = {**ROWS, "S2": (total, fund, account, cash + Decimal("0.01"))}
    problems = consistency_problems(["S1", "S2"], ROWS, hospital)
    assert any("other amounts" in p for p in problems)
    assert money_total(hospital) != money_total(ROWS)


def test_the_check_fails_on_a_settlement_the_windows_do_not_hold() -> None:
    problems = consistency_problems(["S1"], ROWS, dict(ROWS))
    assert any("differ from the platform" in p for p in problems)
