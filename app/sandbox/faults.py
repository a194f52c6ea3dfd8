"""Seeded, deterministic fault injection: the plan, its rules and the fault log.

A rule matches a transaction (``infno`` or ``"*"``) and fires on given occurrences (``nth``), with a
probability drawn from the plan's seeded generator, or every time. At most one rule fires per request:
the first in plan order. See docs/sandbox.md for the kinds.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.sandbox.core import china_now
from app.sandbox.variants import ANSWER_VARIANTS

# kind → (stage, processed): stage "connection" acts before HTTP is read, "before" before processing,
# "after" once the transaction has been executed.
KINDS: dict[str, tuple[str, bool]] = {
    "refuse": ("connection", False),
    "drop_before": ("before", False),
    "http_error_before": ("before", False),
    "maintenance": ("before", False),
    "reject": ("before", False),
    "latency": ("before", True),
    "drop_after": ("after", True),
    "delay_after": ("after", True),
    "http_error_after": ("after", True),
    "truncated": ("after", True),
    "non_json": ("after", True),
    "wrong_content_type": ("after", True),
    "hostile": ("after", True),
    "variant": ("after", True),
}
HOSTILE_VARIANTS = (
    "negative",
    "huge",
    "nan",
    "string_amount",
    "unbalanced",
    "wrong_msgid",
    "wrong_infno",
)


class FaultPlanError(ValueError):
    """A fault plan that cannot be understood."""


@dataclass
class FaultRule:
    """One rule of the plan."""

    infno: str
    kind: str
    probability: float | None = None
    nth: tuple[int, ...] = ()
    times: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    @property
    def stage(self) -> str:
        """When the rule acts."""
        return KINDS[self.kind][0]

    def describe(self) -> dict[str, Any]:
        """The rule as JSON."""
        return {
            "infno": self.infno, "kind": self.kind, "probability": self.probability,
            "nth": list(self.nth), "times": self.times, "params": dict(self.params),
            "seen": self.seen, "fired": self.fired,
        }  # fmt: skip


def parse_rule(raw: Mapping[str, Any]) -> FaultRule:
    """A rule from its JSON form; raises :class:`FaultPlanError`."""
    kind = str(raw.get("kind", ""))
    if kind not in KINDS:
        raise FaultPlanError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
    nth_raw = raw.get("nth", ())
    nth = (nth_raw,) if isinstance(nth_raw, int) else tuple(int(n) for n in nth_raw)
    probability = raw.get("probability")
    if probability is not None and not 0 <= float(probability) <= 1:
        raise FaultPlanError("probability must be within 0..1")
    params = raw.get("params", {})
    if not isinstance(params, Mapping):
        raise FaultPlanError("params must be an object")
    if kind == "hostile" and params.get("variant") not in (None, *HOSTILE_VARIANTS):
        raise FaultPlanError(f"unknown hostile variant; known: {', '.join(HOSTILE_VARIANTS)}")
    if kind == "variant" and params.get("variant", "province") not in ANSWER_VARIANTS:
        raise FaultPlanError(f"unknown answer variant; known: {', '.join(ANSWER_VARIANTS)}")
    times = raw.get("times")
    return FaultRule(
        infno=str(raw.get("infno", "*")),
        kind=kind,
        probability=None if probability is None else float(probability),
        nth=nth,
        times=None if times is None else int(times),
        params=dict(params),
    )


@dataclass(frozen=True)
class Injection:
    """What a fired rule asks for."""

    kind: str
    params: Mapping[str, Any]
    rng: random.Random


class FaultInjector:
    """The current plan, the fault log and the per-infno request counters."""

    def __init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self.rules: list[FaultRule] = []
        self._rng = random.Random(seed)  # noqa: S311 - simulation, not security
        self.log: list[dict[str, Any]] = []
        self.requests: dict[str, int] = {}

    def set_plan(self, rules: Sequence[Mapping[str, Any]], seed: int | None = None) -> None:
        """Replace the plan; the generator restarts from ``seed`` (default: the server's seed)."""
        parsed = [parse_rule(rule) for rule in rules]
        with self._lock:
            self.rules = parsed
            self._rng = random.Random(self.seed if seed is None else seed)  # noqa: S311

    def clear(self) -> None:
        """No faults, empty log, zero counters."""
        with self._lock:
            self.rules = []
            self._rng = random.Random(self.seed)  # noqa: S311
            self.log = []
            self.requests = {}

    def latency_draw(self) -> float:
        """A uniform draw in [0, 1) for random latency, from the seeded generator."""
        with self._lock:
            return self._rng.random()

    def count_request(self, infno: str) -> None:
        """One more request of ``infno`` reached the server."""
        with self._lock:
            self.requests[infno] = self.requests.get(infno, 0) + 1

    def request_count(self, infno: str | None = None) -> int:
        """Requests received (all, or of one transaction)."""
        with self._lock:
            if infno is None:
                return sum(self.requests.values())
            return self.requests.get(infno, 0)

    def has_connection_rules(self) -> bool:
        """Whether any rule acts on the raw connection (so the server must peek at it)."""
        with self._lock:
            return any(rule.stage == "connection" for rule in self.rules)

    def pick(self, infno: str, *, connection: bool) -> Injection | None:
        """The first rule that fires for this request, counted and drawn deterministically."""
        with self._lock:
            chosen: FaultRule | None = None
            for rule in self.rules:
                if (rule.stage == "connection") != connection or rule.infno not in ("*", infno):
                    continue
                # Every matching rule counts the occurrence, so "nth" means the nth such request.
                rule.seen += 1
                exhausted = rule.times is not None and rule.fired >= rule.times
                if chosen is None and not exhausted and self._fires(rule):
                    chosen = rule
            if chosen is None:
                return None
            chosen.fired += 1
            return Injection(chosen.kind, chosen.params, self._rng)

    def _fires(self, rule: FaultRule) -> bool:
        if rule.nth:
            return rule.seen in rule.nth
        if rule.probability is not None:
            return self._rng.random() < rule.probability
        return True

    def record(
        self, *, msgid: str, infno: str, kind: str, processed: bool, detail: str = ""
    ) -> None:
        """Append to the fault log."""
        with self._lock:
            self.log.append(
                {
                    "seq": len(self.log) + 1,
                    "time": china_now().strftime("%Y-%m-%d %H:%M:%S.%f")[:23],
                    "msgid": msgid,
                    "infno": infno,
                    "kind": kind,
                    "processed": processed,
                    "detail": detail,
                }
            )

    def fault_log(self) -> list[dict[str, Any]]:
        """A copy of the log."""
        with self._lock:
            return [dict(entry) for entry in self.log]
