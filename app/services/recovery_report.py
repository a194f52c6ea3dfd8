"""What recovery reports: the journal rows as the supervisor queue shows them, and a run's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.domain.journal import JournalEntry, JournalState
from app.domain.masking import mask_number
from app.services.abandoned import WithdrawReport


@dataclass(frozen=True)
class QueueRow:
    """A journal row as the supervisor queue and the CLI show it (person number masked)."""

    msgid: str
    infno: str
    state: JournalState
    bill_id: str
    group_key: str
    masked_person_no: str
    amount: Decimal | None
    created_at: datetime
    updated_at: datetime
    attempts: int
    last_error: str
    original_msgid: str = ""

    @classmethod
    def of(cls, entry: JournalEntry) -> QueueRow:
        """From a journal entry."""
        return cls(
            msgid=entry.msgid,
            infno=entry.infno,
            state=entry.state,
            bill_id=entry.bill_id,
            group_key=entry.group_key,
            masked_person_no=mask_number(entry.person_no),
            amount=entry.amount,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            attempts=entry.attempts,
            last_error=entry.last_error,
            original_msgid=entry.original_msgid,
        )


@dataclass(frozen=True)
class RecoverySummary:
    """What a recovery run did."""

    examined: int = 0
    reversed: int = 0
    void: int = 0
    cleaned: int = 0
    closed: int = 0
    escalated: tuple[QueueRow, ...] = ()
    pending: tuple[QueueRow, ...] = ()
    elsewhere: tuple[QueueRow, ...] = ()
    visits: WithdrawReport = field(default_factory=WithdrawReport)

    @property
    def clear(self) -> bool:
        """Nothing this process may act on is left unresolved (escalated rows count as unresolved;
        calls in flight in other live processes are theirs)."""
        return not self.escalated and not self.pending

    def text(self) -> str:
        """One Chinese sentence for the status bar or the console."""
        quiet = not (self.elsewhere or self.escalated or self.visits.withdrawn)
        if self.examined == 0 and quiet and not self.visits.left_open:
            return "没有需要恢复的医保交易。"
        parts = [
            f"检查 {self.examined} 笔",
            f"冲正 {self.reversed} 笔",
            f"无需冲正 {self.void} 笔",
            f"撤销登记/明细 {self.cleaned} 笔",
        ]
        if self.visits.withdrawn:
            parts.append(f"撤销未完成就诊 {self.visits.withdrawn} 个")
        if self.elsewhere:
            parts.append(
                f"{len(self.elsewhere)} 笔正由运行中的其他收费程序办理，未触碰（其结束后再处理）"
            )
        if self.visits.elsewhere or self.visits.in_use:
            parts.append(
                f"{self.visits.elsewhere + self.visits.in_use} 个就诊登记正在办理中，未撤销"
            )
        if self.visits.failed:
            parts.append(f"{self.visits.failed} 个就诊登记暂未能撤销（平台不可用），稍后重试")
        if self.escalated:
            parts.append(f"{len(self.escalated)} 笔多次冲正失败，已转收费主管处理")
        if self.pending:
            parts.append(f"{len(self.pending)} 笔暂未能处理（平台不可用），稍后自动重试")
        return "，".join(parts) + "。"
