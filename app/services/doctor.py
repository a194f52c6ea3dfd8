"""``doctor``: a list of checks, each giving 正常/警告/错误 with one line of plain Chinese.

The words are in ``app/messages/doctor.py``; a finding carries a catalogue message, rendered in
the console's language by the report.

The checks themselves need the adapters (the store, the platform client, the file system) and are
wired in ``app.cli.doctor``; this module holds what does not: running the checks so that one failing
check never hides the others, the judgements with their thresholds, and the report formats
(one line each for people, JSON for monitoring).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum

from app.errors import AppError
from app.messages import CHINESE, Listing, Message, render
from app.messages import doctor as words
from app.services.ports.claim_conflicts import ClaimConflict
from app.services.ports.his import HisChargeLock, HisRejected, HisUnavailable

log = logging.getLogger(__name__)

MIB = 1024 * 1024
FREE_SPACE_ERROR_BYTES = 200 * MIB
FREE_SPACE_WARNING_BYTES = 1024 * MIB
# The gateway rejects timestamps more than 300 s off (interface.md Part A §1); warn well before.
CLOCK_SKEW_WARNING_SECONDS = 30.0
CLOCK_SKEW_ERROR_SECONDS = 240.0


class Status(StrEnum):
    """Outcome of one check, worst last."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"

    @property
    def label(self) -> Message:
        """正常 / 警告 / 错误."""
        return {
            Status.OK: words.STATUS_OK,
            Status.WARNING: words.STATUS_WARNING,
            Status.ERROR: words.STATUS_ERROR,
        }[self]()

    @property
    def rank(self) -> int:
        """0 ok, 1 warning, 2 error."""
        return (Status.OK, Status.WARNING, Status.ERROR).index(self)


@dataclass(frozen=True)
class Finding:
    """What a check found."""

    status: Status
    text: str | Message


@dataclass(frozen=True)
class CheckResult:
    """One line of the report."""

    key: str
    title: str
    status: Status
    text: str


@dataclass(frozen=True)
class Check:
    """A named check; ``run`` returns a :class:`Finding` or raises :class:`AppError`."""

    key: str
    title: str
    run: Callable[[], Finding]


def run_checks(checks: Sequence[Check], language: str = CHINESE) -> list[CheckResult]:
    """Run every check; an error in one becomes its 错误 line and the rest still run. The
    findings are worded in ``language``."""
    results = []
    for check in checks:
        try:
            finding = check.run()
        except AppError as exc:
            finding = Finding(Status.ERROR, exc.words)
        except Exception as exc:  # a bug in a probe must not stop the report
            log.exception("doctor check %s failed unexpectedly", check.key)
            finding = Finding(Status.ERROR, words.CHECK_CRASHED(kind=type(exc).__name__))
        results.append(
            CheckResult(check.key, check.title, finding.status, render(finding.text, language))
        )
    return results


def exit_code(results: Sequence[CheckResult]) -> int:
    """0 when nothing is 错误 (warnings allowed), else 1."""
    return 1 if any(r.status is Status.ERROR for r in results) else 0


def overall(results: Sequence[CheckResult]) -> Status:
    """The worst status."""
    return max((r.status for r in results), key=lambda s: s.rank, default=Status.OK)


def format_lines(results: Sequence[CheckResult], language: str = CHINESE) -> list[str]:
    """``[正常] 配置：…`` one per check, then a summary line."""
    lines = [
        words.LINE(status=r.status.label, title=r.title, text=r.text).render(language)
        for r in results
    ]
    errors = sum(r.status is Status.ERROR for r in results)
    warnings = sum(r.status is Status.WARNING for r in results)
    summary = words.SUMMARY(checks=len(results), errors=errors, warnings=warnings)
    lines.append(summary.render(language))
    return lines


def as_json(results: Sequence[CheckResult], language: str = CHINESE) -> dict[str, object]:
    """The report for monitoring: overall status and every check."""
    return {
        "status": overall(results).name.lower(),
        "checks": [
            {
                **asdict(r),
                "status": r.status.name.lower(),
                "status_text": r.status.label.render(language),
            }
            for r in results
        ],
    }


def judge_free_space(free_bytes: int) -> Finding:
    """Below 200 MiB is an error (a full disk stops settlements), below 1 GiB a warning."""
    free_mib = free_bytes // MIB
    if free_bytes < FREE_SPACE_ERROR_BYTES:
        return Finding(Status.ERROR, words.FREE_SPACE_ERROR(mib=free_mib))
    if free_bytes < FREE_SPACE_WARNING_BYTES:
        return Finding(Status.WARNING, words.FREE_SPACE_WARNING(mib=free_mib))
    return Finding(Status.OK, words.FREE_SPACE_OK(mib=free_mib))


def judge_clock_skew(skew_seconds: float) -> Finding:
    """Local clock minus the platform's (from the HTTP ``Date`` header)."""
    direction = words.FAST() if skew_seconds > 0 else words.SLOW()
    size = abs(skew_seconds)
    seconds = f"{size:.0f}"
    if size >= CLOCK_SKEW_ERROR_SECONDS:
        return Finding(Status.ERROR, words.CLOCK_ERROR(direction=direction, seconds=seconds))
    if size >= CLOCK_SKEW_WARNING_SECONDS:
        return Finding(Status.WARNING, words.CLOCK_WARNING(direction=direction, seconds=seconds))
    return Finding(Status.OK, words.CLOCK_OK(seconds=seconds))


def judge_sqlite_version(version: str, *, affected: bool) -> Finding:
    """reliability.md §3.2: the WAL-reset bug (3.7.0–3.51.2; fixed 3.51.3, 3.44.6, 3.50.7)."""
    if affected:
        return Finding(Status.WARNING, words.SQLITE_AFFECTED(version=version))
    return Finding(Status.OK, words.SQLITE_OK(version=version))


def judge_pending_journal(
    count: int, oldest_minutes: float | None, *, awaiting: int = 0
) -> Finding:
    """Unresolved journal rows: money whose outcome is not yet known (``count`` of them besides
    the ``awaiting`` ones, which :func:`judge_awaiting_hospital` shows on their own line)."""
    if count == 0:
        return Finding(
            Status.OK, words.JOURNAL_OK_BUT_AWAITING() if awaiting else words.JOURNAL_OK()
        )
    age: Message | str = (
        "" if oldest_minutes is None else words.JOURNAL_AGE(minutes=f"{oldest_minutes:.0f}")
    )
    return Finding(Status.WARNING, words.JOURNAL_PENDING(count=count, age=age))


def judge_audit_chain(problems: list[str], head_seq: int) -> Finding:
    """The audit log's hash chain (issue #11 item 5): any break is an error someone must look at."""
    if not problems:
        return Finding(Status.OK, words.AUDIT_OK(count=head_seq))
    shown = Listing(
        (*problems[:5], *(("……",) if len(problems) > 5 else ())),
        chinese_separator="；",
        english_separator="; ",
    )
    return Finding(Status.ERROR, words.AUDIT_BROKEN(count=len(problems), shown=shown))


def judge_his_outbox(pending: int, refused: int, oldest_minutes: float | None) -> Finding:
    """Results not yet acknowledged by the HIS: refused ones need a supervisor; old ones a look."""
    if refused:
        return Finding(Status.ERROR, words.HIS_REFUSED(refused=refused))
    if pending == 0:
        return Finding(Status.OK, words.HIS_ALL_SENT())
    age: Message | str = (
        words.HIS_AGE(minutes=f"{oldest_minutes:.0f}") if oldest_minutes is not None else ""
    )
    status = Status.WARNING if oldest_minutes is None or oldest_minutes >= 10 else Status.OK
    return Finding(status, words.HIS_PENDING(pending=pending, age=age))


def judge_hospital_sync(
    pending: int, lag_seconds: float, last_sync: str, unreachable: str = ""
) -> Finding:
    """Hospital mode: what waits for the hospital database, for how long, and whether it answers.

    Args:
        pending: records in the window's outbox.
        lag_seconds: how long the oldest of them has waited.
        last_sync: the last successful sync as local time ("" if never).
        unreachable: the plain error when the hospital database cannot be reached now.
    """
    figures = words.SYNC_FIGURES(
        pending=pending, lag=f"{lag_seconds:.0f}", last=last_sync or words.NEVER()
    )
    if unreachable:
        return Finding(Status.ERROR, words.SYNC_UNREACHABLE(reason=unreachable, figures=figures))
    if lag_seconds >= 60:
        return Finding(Status.WARNING, words.SYNC_BEHIND(figures=figures))
    return Finding(Status.OK, words.SYNC_OK(figures=figures))


def judge_second_factor(
    required_roles: Sequence[str | Message], missing: Sequence[tuple[str, str]], enrolled: int
) -> Finding:
    """Accounts whose role must use a one-time code but have no authenticator cannot log in.

    Args:
        required_roles: Chinese names of the roles ``login.second_factor_roles`` lists.
        missing: (code, name) of active accounts of those roles without an authenticator.
        enrolled: how many accounts have an authenticator.
    """
    if missing:
        who = Listing(tuple(words.ACCOUNT(code=code, name=name) for code, name in missing))
        return Finding(Status.WARNING, words.SECOND_FACTOR_MISSING(who=who))
    if not required_roles:
        return Finding(Status.WARNING, words.SECOND_FACTOR_NONE_REQUIRED(enrolled=enrolled))
    return Finding(
        Status.OK, words.SECOND_FACTOR_OK(roles=Listing(tuple(required_roles)), enrolled=enrolled)
    )


# ------------------------------------------------------------------ hospital mode: the HIS lock

PROBE_VISIT = "SW-DOCTOR-PROBE"
_LOCK_FIX = {
    "http": words.HIS_LOCK_WHAT_HTTP,
    "middle": words.HIS_LOCK_WHAT_MIDDLE,
    "folder": words.HIS_LOCK_WHAT_FOLDER,
}


def probe_his_lock(lock: HisChargeLock, kind: str, window: str) -> Finding:
    """Whether the HIS really offers its lock (``[his] lock = true`` in hospital mode).

    Locks a test line no real charge uses (``SW-DOCTOR-PROBE-<window>``) for one claim, checks a
    second claim is refused it, unlocks it and checks the second claim is then granted it, and
    unlocks again. A HIS that checks its lines refuses to lock the test line: the calls answered,
    so the lock is there (its unlock is still called). A call the HIS does not have, or a lock
    that cannot be reached, is an error saying what to ask the HIS vendor for.
    """
    probe = f"{PROBE_VISIT}-{window}"
    first, second = f"doctor-{window}-1", f"doctor-{window}-2"
    what = _LOCK_FIX.get(kind, words.HIS_LOCK_WHAT_HTTP)()
    try:
        held = lock.lock(PROBE_VISIT, [probe], window, first)
        if held and all(h.claim_id in {first, second} for h in held):  # left by an earlier run
            lock.unlock([probe], second)
            held = lock.lock(PROBE_VISIT, [probe], window, first)
    except HisRejected as exc:
        if exc.code == "his_no_such_call":
            return Finding(
                Status.ERROR, words.HIS_LOCK_MISSING(kind=kind, reason=exc.text, what=what)
            )
        return _refused_probe(lock, kind, probe, exc.text)
    except HisUnavailable as exc:
        return Finding(Status.ERROR, words.HIS_LOCK_MISSING(kind=kind, reason=exc.text, what=what))
    if held:
        holder = Listing(tuple(f"{h.window} {h.claim_id}" for h in held))
        return Finding(
            Status.WARNING, words.HIS_LOCK_HELD_ELSEWHERE(kind=kind, probe=probe, holder=holder)
        )
    try:
        if not lock.lock(PROBE_VISIT, [probe], window, second):
            lock.unlock([probe], second)
            lock.unlock([probe], first)
            return Finding(
                Status.ERROR,
                words.HIS_LOCK_BROKEN(kind=kind, reason=words.HIS_LOCK_NOT_HELD(), what=what),
            )
        lock.unlock([probe], first)
        if lock.lock(PROBE_VISIT, [probe], window, second):
            lock.unlock([probe], first)
            return Finding(
                Status.ERROR,
                words.HIS_LOCK_BROKEN(kind=kind, reason=words.HIS_LOCK_NOT_RELEASED(), what=what),
            )
        lock.unlock([probe], second)
    except (HisRejected, HisUnavailable) as exc:
        return Finding(Status.ERROR, words.HIS_LOCK_BROKEN(kind=kind, reason=exc.text, what=what))
    return Finding(Status.OK, words.HIS_LOCK_OK(kind=kind, probe=probe))


def _refused_probe(lock: HisChargeLock, kind: str, probe: str, reason: str) -> Finding:
    """The HIS refused to lock the test line (it checks its lines): its unlock must answer too."""
    what = _LOCK_FIX.get(kind, words.HIS_LOCK_WHAT_HTTP)()
    try:
        lock.unlock([probe], f"doctor-{probe}")
    except (HisRejected, HisUnavailable) as exc:
        return Finding(Status.ERROR, words.HIS_LOCK_MISSING(kind=kind, reason=exc.text, what=what))
    return Finding(Status.OK, words.HIS_LOCK_ANSWERED(kind=kind, probe=probe, reason=reason))


def judge_charge_conflicts(conflicts: Sequence[ClaimConflict]) -> Finding:
    """Open offline charge-claim conflicts: a patient may have been charged twice — an error
    until a supervisor has handled each."""
    if not conflicts:
        return Finding(Status.OK, words.CONFLICTS_NONE())
    shown = Listing(
        tuple(
            words.CONFLICT_SHORT(
                conflict_id=c.conflict_id,
                window=c.offline.window,
                other_window=c.other.window,
                outpatient_no=c.outpatient_no,
            )
            for c in conflicts[:5]
        )
        + (("……",) if len(conflicts) > 5 else ()),
        chinese_separator="；",
        english_separator="; ",
    )
    return Finding(Status.ERROR, words.CONFLICTS_OPEN(count=len(conflicts), shown=shown))


@dataclass(frozen=True)
class AwaitingRow:
    """Hospital mode: an unresolved row of this window left for the hospital server or for the
    window holding its resolution claim (``window`` empty: the server could not be asked)."""

    msgid: str
    window: str = ""
    operator: str = ""
    since: str = ""  # local time the claim was taken


def judge_awaiting_hospital(rows: Sequence[AwaitingRow] | None) -> Finding:
    """Rows that may already be resolved elsewhere wait instead of being reversed here: say why
    and what to do (``None``: not hospital mode)."""
    if rows is None:
        return Finding(Status.OK, words.AWAITING_STANDALONE())
    if not rows:
        return Finding(Status.OK, words.AWAITING_NONE())
    server = [r.msgid for r in rows if not r.window]
    elsewhere = [r for r in rows if r.window]
    waiting = words.AWAITING_SERVER(count=len(server), msgids=_some(server))
    if not elsewhere:
        return Finding(Status.WARNING, waiting)
    shown = _some(
        [
            words.AWAITING_HOLDER(
                msgid=r.msgid, window=r.window, operator=r.operator or "-", since=r.since
            )
            for r in elsewhere
        ]
    )
    held = words.AWAITING_WINDOW(count=len(elsewhere), shown=shown)
    said = words.AWAITING_BOTH(server=waiting, elsewhere=held) if server else held
    return Finding(Status.WARNING, said)


def _some(items: Sequence[object]) -> Listing:
    return Listing(
        (*items[:5], *(("……",) if len(items) > 5 else ())),
        chinese_separator="；",
        english_separator="; ",
    )
