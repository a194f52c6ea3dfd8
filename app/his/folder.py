"""The folder adapter: ``visit@1`` files in, one result file per result out.

Layout under the configured folder (for the smallest hospitals and for scripts):

* ``in/*.json`` — one unpaid visit per file, format ``settlement-window/visit@1``
  (docs/bill-format.md), optionally with ``charge_id``, ``bill_no`` and ``version`` on each line.
  Without them a line's charge id is ``<outpatient_no>-<line_no>`` and its version a hash of the
  line. A file that disappears, or a line that disappears from it, is a withdrawn charge.
* ``out/<key>.json`` — one result (the JSON of docs/his-integration.md, ``:`` in the key written as
  ``_``), written atomically (temporary file + rename), mode 0600. A result whose file already
  exists was written before: reporting it again changes nothing. A result counts as delivered
  once the HIS has answered it in ``ack/``.
* ``ack/<key>.json`` — written by the HIS side when it has applied (``"status": "applied"``) or
  refused (``"status": "refused"``, ``"message"``) a result.
* ``lock/<charge id>.lock`` — optional (``[his] lock = true``): the lock on one charge line while a
  window settles it, created exclusively (a hard link of a fully written temporary file, or
  ``O_CREAT | O_EXCL`` where there are no hard links: the file system arbitrates between windows
  sharing the folder), holding ``{"window", "claim_id", "visit_no", "since"}``. The window removes its
  files after a cancel or an abandon; the HIS side removes a line's file once it applied its payment.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.domain.his import (
    ChargeResult,
    ChargeStatus,
    CurrentCharge,
    HisAck,
    HisChargeLine,
    HisVisit,
    PatientKey,
    PatientKeyKind,
)
from app.domain.his_codec import lock_file_name, result_to_dict
from app.errors import InputError
from app.services.bill_import import IdentityKind, ImportedVisit, parse_visit
from app.services.ports.his import HisLockHolder, HisRejected, HisUnavailable


def file_name(key: str) -> str:
    """The result file's name for a result key."""
    return key.replace(":", "_") + ".json"


class FolderHis:
    """:class:`~app.services.ports.his.HisGateway` over a folder."""

    def __init__(self, folder: Path) -> None:
        """Use ``folder`` (``in``, ``out`` and ``ack`` below it)."""
        self._root = folder
        self._in = folder / "in"
        self._out = folder / "out"
        self._ack = folder / "ack"

    def _read_all(self) -> list[tuple[ImportedVisit, list[HisChargeLine]]]:
        if not self._in.is_dir():
            raise HisUnavailable(
                f"HIS 交换目录 {self._in} 不存在或无法访问", code="his_unreachable"
            )
        visits = []
        for path in sorted(self._in.glob("*.json")):
            try:
                data = json.loads(path.read_text("utf-8-sig"), parse_float=Decimal)
                visit = parse_visit(data)
            except (OSError, ValueError, InputError):
                continue  # a file being written or a bad file: the HIS fixes it, others still load
            visits.append((visit, _lines(visit, data)))
        return visits

    def unpaid_visits(self, key: PatientKey) -> Sequence[HisVisit]:
        """The visit files naming the patient."""
        found = []
        for visit, lines in self._read_all():
            if _matches(visit, key):
                found.append(_his_visit(visit, lines))
        return found

    def current_charges(self, charge_ids: Sequence[str]) -> Sequence[CurrentCharge]:
        """The lines still in the folder (unpaid); missing ones are left out (withdrawn)."""
        wanted = set(charge_ids)
        return [
            CurrentCharge(line.charge_id, ChargeStatus.UNPAID, line)
            for _, lines in self._read_all()
            for line in lines
            if line.charge_id in wanted
        ]

    def report(self, result: ChargeResult) -> HisAck:
        """Write ``out/<key>.json`` unless it is there already."""
        name = file_name(result.key)
        ack = self._ack_of(name)
        if ack is not None:
            if ack.get("status") == "refused":
                raise HisRejected(str(ack.get("message") or "HIS 拒收该结果"), code="his_rejected")
            return HisAck(result.key, str(ack.get("his_ref", "")), duplicate=True)
        target = self._out / name
        if target.exists():
            raise _waiting()
        try:
            self._out.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = self._out / f".{name}.tmp"
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(result_to_dict(result), handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except OSError as exc:
            raise HisUnavailable(
                f"无法写入 HIS 交换目录 {self._out}（{exc.strerror}）", code="his_unreachable"
            ) from None
        raise _waiting()

    def lock(
        self, visit_no: str, charge_ids: Sequence[str], window: str, claim_id: str
    ) -> list[HisLockHolder]:
        """Create ``lock/<charge id>.lock`` exclusively for each line; all or none."""
        folder = self._root / "lock"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            raise HisUnavailable(
                f"HIS 交换目录 {folder} 无法访问", code="his_unreachable"
            ) from None
        body = json.dumps(
            {"window": window, "claim_id": claim_id, "visit_no": visit_no,
             "since": datetime.now(UTC).isoformat()}, ensure_ascii=False,
        ).encode("utf-8")  # fmt: skip
        created: list[str] = []
        held: list[HisLockHolder] = []
        try:
            for cid in sorted(set(charge_ids)):  # one order for every window: no livelock
                path = folder / lock_file_name(cid)
                if held:  # already refused: only name the other holders, create nothing more
                    if path.exists() and (other := _lock_holder(cid, path)).claim_id != claim_id:
                        held.append(other)
                    continue
                if not _create_exclusive(path, body):
                    holder = _lock_holder(cid, path)
                    if holder.claim_id != claim_id:
                        held.append(holder)
                    continue
                created.append(cid)
        except OSError:
            self._remove(created, claim_id)
            raise HisUnavailable(
                f"HIS 交换目录 {folder} 无法写入", code="his_unreachable"
            ) from None
        if held:
            self._remove(created, claim_id)
        return held

    def unlock(self, charge_ids: Sequence[str], claim_id: str) -> None:
        """Remove ``claim_id``'s lock files on ``charge_ids``."""
        try:
            self._remove(charge_ids, claim_id)
        except OSError:
            raise HisUnavailable(
                f"HIS 交换目录 {self._root} 无法访问", code="his_unreachable"
            ) from None

    def _remove(self, charge_ids: Sequence[str], claim_id: str) -> None:
        for cid in charge_ids:
            path = self._root / "lock" / lock_file_name(cid)
            if path.exists() and _lock_holder(cid, path).claim_id == claim_id:
                path.unlink(missing_ok=True)

    def _ack_of(self, name: str) -> Mapping[str, Any] | None:
        path = self._ack / name
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, Mapping) else None


def _create_exclusive(path: Path, body: bytes) -> bool:
    """Create ``path`` holding ``body`` unless it exists (``False``). The body is written to a
    temporary file first and hard-linked into place, so a reader never sees it half-written; where
    the file system has no hard links, ``O_CREAT | O_EXCL`` then a write."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, body)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError:  # no hard links here
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def _lock_holder(charge_id: str, path: Path) -> HisLockHolder:
    """Who holds a lock file; one being written (empty) or unreadable names nobody we know."""
    try:
        data = json.loads(path.read_text("utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    since: datetime | None = None
    try:
        since = datetime.fromisoformat(str(data["since"])) if data.get("since") else None
    except ValueError:
        since = None
    return HisLockHolder(
        charge_id, str(data.get("window", "")), str(data.get("claim_id", "")), since
    )


def _waiting() -> HisUnavailable:
    # Written, not yet answered in ack/: the outbox asks again later until the HIS answers.
    return HisUnavailable("结果文件已写入，等待 HIS 处理", code="his_pending")


def _lines(visit: ImportedVisit, data: Mapping[str, Any]) -> list[HisChargeLine]:
    raw_lines = data.get("lines") or []
    lines = []
    for line, raw in zip(visit.lines, raw_lines, strict=False):
        raw_map = raw if isinstance(raw, Mapping) else {}
        canonical = json.dumps(raw_map, sort_keys=True, ensure_ascii=False, default=str)
        lines.append(
            HisChargeLine(
                charge_id=str(raw_map.get("charge_id") or f"{visit.outpatient_no}-{line.line_no}"),
                bill_no=str(raw_map.get("bill_no") or visit.outpatient_no),
                item_code=line.hospital_code,
                national_code=line.national_code,
                name=line.name,
                spec=line.spec,
                unit_price=line.unit_price,
                quantity=line.quantity,
                amount=line.amount,
                tag=line.tag,
                version=str(
                    raw_map.get("version") or hashlib.sha256(canonical.encode()).hexdigest()[:16]
                ),
            )
        )
    return lines


def _id_number(visit: ImportedVisit) -> str:
    identity = visit.identity
    if identity.kind is IdentityKind.ID_NUMBER:
        return identity.value
    if identity.kind is IdentityKind.CARD_STRING:
        fields = identity.value.split("|")
        return fields[1] if len(fields) > 1 else ""
    return ""


def _matches(visit: ImportedVisit, key: PatientKey) -> bool:
    if key.kind is PatientKeyKind.OUTPATIENT_NO:
        return visit.outpatient_no == key.value
    if key.kind is PatientKeyKind.ID_NUMBER:
        return _id_number(visit) == key.value
    if key.kind is PatientKeyKind.VOUCHER:
        return visit.identity.kind is IdentityKind.VOUCHER and visit.identity.value == key.value
    fields = visit.identity.value.split("|")
    return (
        visit.identity.kind is IdentityKind.CARD_STRING
        and len(fields) > 2
        and fields[2] == key.value
    )


def _his_visit(visit: ImportedVisit, lines: list[HisChargeLine]) -> HisVisit:
    return HisVisit(
        visit_no=visit.outpatient_no,
        patient_id="",
        id_number=_id_number(visit),
        patient_name="",
        dept_code=visit.dept_code,
        dept_name=visit.dept_name,
        doctor_code=visit.doctor_code,
        doctor_name=visit.doctor_name,
        diagnosis_code=visit.diagnosis_code,
        diagnosis_name=visit.diagnosis_name,
        visit_time=visit.visit_time,
        lines=tuple(lines),
    )
