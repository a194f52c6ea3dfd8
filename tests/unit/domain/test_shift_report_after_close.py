"""A shift report never cites a day close as covering the day when records of the day were made after
it (field test, 2026-12-07: a partial refund two minutes after a balanced close)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.domain.shift_report import Reconciliation, ReconciliationState, after_close
from app.messages import ENGLISH

DAY = date(2026, 12, 7)
START = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)  # 00:00 in China
END = START + timedelta(days=1)
CLOSED = datetime(2026, 12, 6, 22, 47, tzinfo=UTC)  # 06:47 in China


def closed(state: ReconciliationState = ReconciliationState.BALANCED) -> Reconciliation:
    return Reconciliation(DAY, state, CLOSED, "S001")


def test_records_after_the_close_are_counted_with_their_signed_total() -> None:
    made = [
        (CLOSED - timedelta(minutes=5), Decimal("100.00")),  # covered by the close
        (CLOSED, Decimal("7.00")),  # at the close's own instant: covered
        (CLOSED + timedelta(minutes=2), Decimal("-100.00")),  # partial refund: cancellation
        (CLOSED + timedelta(minutes=2), Decimal("60.00")),  # … and the settlement again
        (END, Decimal("9.00")),  # the next day
    ]

    recon = after_close(closed(), made, START, END)

    assert recon.changed_count == 2
    assert recon.changed_total == Decimal("-40.00")
    assert recon.outdated
    assert not recon.covers_day
    words = recon.changed_words()
    assert words is not None
    assert str(words) == "日结后又有 2 笔变动（合计 ¥-40.00），日结结果不再覆盖全天，请重新日结"
    english = words.render(ENGLISH)
    assert "2 record(s) made after the day close (total ¥-40.00)" in english
    assert "close the day again" in english


def test_nothing_after_the_close_or_no_close_says_nothing() -> None:
    before = [(CLOSED - timedelta(minutes=1), Decimal("5.00"))]
    quiet = after_close(closed(ReconciliationState.UNBALANCED), before, START, END)
    assert quiet.covers_day
    assert quiet.changed_words() is None

    none = Reconciliation(DAY, ReconciliationState.NOT_CLOSED)
    later = [(CLOSED + timedelta(hours=1), Decimal("5.00"))]
    assert after_close(none, later, START, END) == none
    assert not none.covers_day
    assert not none.outdated
