"""A bill's lifecycle in one place: which step comes next, in which order groups go, when it is done.

The settlement service performs one step at a time (preview = 2201→2206, confirm = 2207, collect =
a full-self-pay group recorded locally); the CLI's ``settle`` and the window's controller both ask
:func:`next_step` what to do next, so the order of groups, what counts as finished and when a bill
is locked are decided here only.

Each step is tried at most once per run (``attempted``): a group that failed is retried by the
next run (the next F8, the next ``settle``), never in a loop.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from app.domain.plan import GroupKind, group_order
from app.domain.visit import GroupState

PAID = frozenset({GroupState.SETTLED, GroupState.SELF_PAY_COLLECTED})
# Nothing more happens to these in this run (FAILED waits for the next run).
FINISHED = PAID | {GroupState.FAILED, GroupState.CANCELLED}
# A direct group in one of these can be (re)sent up to its 2206 preview.
PREVIEWABLE = frozenset(
    {
        GroupState.PLANNED,
        GroupState.REGISTERED,
        GroupState.VISIT_UPLOADED,
        GroupState.FEES_UPLOADED,
        GroupState.FAILED,
    }
)


class StepKind(StrEnum):
    """What the service does for one group."""

    PREVIEW = "preview"  # 2201 → 2203 → 2204 → 2206
    CONFIRM = "confirm"  # 2207
    COLLECT = "collect"  # full self-pay, recorded locally


class Phase(StrEnum):
    """How far a run goes."""

    PREVIEW = "preview"  # the window's F8: preview every direct group, settle nothing
    SETTLE = "settle"  # the window's F9: confirm the previews, collect the self-pay groups
    ALL = "all"  # the CLI: each group previewed then settled, in order


@dataclass(frozen=True)
class Step:
    """One step for one group."""

    kind: StepKind
    group_key: str


class GroupView(Protocol):
    """What the lifecycle needs to know about a group (stored or shown)."""

    @property
    def group_key(self) -> str:
        """The group's key (disease code, ``general`` or a self-pay key)."""
        ...

    @property
    def state(self) -> GroupState:
        """Where it stands."""
        ...

    @property
    def kind(self) -> GroupKind:
        """General, chronic or full self-pay."""
        ...


G = TypeVar("G", bound=GroupView)


def ordered(groups: Iterable[G]) -> list[G]:
    """The groups in settlement order (:func:`app.domain.plan.group_order`)."""
    return sorted(groups, key=lambda g: group_order(g.kind, g.group_key))


def locked(groups: Iterable[GroupView]) -> bool:
    """A group's outcome is unknown: nothing more may be sent for this bill until it is resolved."""
    return any(g.state is GroupState.UNKNOWN for g in groups)


def finished(groups: Collection[GroupView]) -> bool:
    """Every group has a definite outcome for this run."""
    return bool(groups) and all(g.state in FINISHED for g in groups)


def all_paid(groups: Collection[GroupView]) -> bool:
    """Every group was settled or collected."""
    return bool(groups) and all(g.state in PAID for g in groups)


def ready_to_settle(groups: Iterable[GroupView]) -> bool:
    """Something can be confirmed or collected now."""
    return any(_settle_step(g) is not None for g in groups)


def _settle_step(group: GroupView) -> StepKind | None:
    if group.kind is GroupKind.SELF_PAY:
        return StepKind.COLLECT if group.state is GroupState.PLANNED else None
    return StepKind.CONFIRM if group.state is GroupState.PREVIEWED else None


def _preview_step(group: GroupView) -> StepKind | None:
    if group.kind is not GroupKind.SELF_PAY and group.state in PREVIEWABLE:
        return StepKind.PREVIEW
    return None


def next_step(
    groups: Sequence[GroupView], attempted: Collection[Step], phase: Phase
) -> Step | None:
    """The next step of a bill in ``phase``, or ``None`` when this run is over.

    Nothing is proposed while a group's outcome is unknown. A step already in ``attempted`` is not
    proposed again in the same run.
    """
    if locked(groups):
        return None
    for group in ordered(groups):
        kinds: list[StepKind | None] = []
        if phase in (Phase.SETTLE, Phase.ALL):
            kinds.append(_settle_step(group))
        if phase in (Phase.PREVIEW, Phase.ALL):
            kinds.append(_preview_step(group))
        for kind in kinds:
            if kind is None:
                continue
            step = Step(kind, group.group_key)
            if step not in attempted:
                return step
    return None
