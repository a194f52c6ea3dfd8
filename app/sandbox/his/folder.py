"""The reference HIS behind a folder: it writes one ``visit@1`` file per visit with unpaid lines into
``in/`` and applies the result files of ``out/``, answering each in ``ack/``."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.domain.his import ChargeStatus, HisChargeLine, HisVisit, ResultKind
from app.domain.his_codec import HisDataError, lock_file_name, result_from_dict
from app.sandbox.his.state import HisRefusal, ReferenceHis

FORMAT_ID = "settlement-window/visit@1"


class FolderJob:
    """Keeps ``folder`` in step with a :class:`ReferenceHis`."""

    def __init__(self, his: ReferenceHis, folder: Path) -> None:
        """Use ``folder`` (``in``, ``out``, ``ack`` are created)."""
        self.his = his
        self.folder = folder
        for name in ("in", "out", "ack"):
            (folder / name).mkdir(mode=0o700, parents=True, exist_ok=True)

    def publish(self) -> None:
        """One file per visit with unpaid lines; files of visits without any are removed."""
        unpaid: dict[str, list[HisChargeLine]] = defaultdict(list)
        heads: dict[str, HisVisit] = {}
        for visit, line, status in self.his.snapshot():
            heads[visit.visit_no] = visit
            if status is ChargeStatus.UNPAID:
                unpaid[visit.visit_no].append(line)
        for visit_no, visit in heads.items():
            path = self.folder / "in" / f"{visit_no}.json"
            if unpaid.get(visit_no):
                path.write_text(
                    json.dumps(_document(visit, unpaid[visit_no]), ensure_ascii=False, indent=1),
                    "utf-8",
                )
            elif path.exists():
                path.unlink()

    def apply_results(self) -> int:
        """Apply result files that have no answer yet, in name order; returns how many."""
        applied = 0
        for path in sorted((self.folder / "out").glob("*.json")):
            ack_path = self.folder / "ack" / path.name
            if ack_path.exists():
                continue
            answer: dict[str, Any]
            try:
                data = json.loads(path.read_text("utf-8"), parse_float=Decimal)
                result = result_from_dict(data)
                ack = self.his.report(result)
                if result.kind is not ResultKind.CANCELLED:  # paid: the paid state guards now
                    (self.folder / "lock" / lock_file_name(result.charge_id)).unlink(
                        missing_ok=True
                    )
                answer = {"key": ack.key, "status": "applied", "his_ref": ack.his_ref}
            except (HisRefusal, HisDataError, ValueError) as exc:
                answer = {"key": path.stem, "status": "refused", "message": str(exc)}
            ack_path.write_text(json.dumps(answer, ensure_ascii=False), "utf-8")
            applied += 1
        if applied:
            self.publish()
        return applied


def _document(visit: HisVisit, lines: list[HisChargeLine]) -> dict[str, Any]:
    return {
        "format": FORMAT_ID,
        "identity": {"id_number": visit.id_number},
        "outpatient_no": visit.visit_no,
        "dept": {"code": visit.dept_code, "name": visit.dept_name},
        "doctor": {"code": visit.doctor_code, "name": visit.doctor_name},
        "diagnosis": {"code": visit.diagnosis_code, "name": visit.diagnosis_name},
        "visit_time": visit.visit_time.isoformat() if visit.visit_time else None,
        "lines": [
            {
                "line_no": line.charge_id.rsplit("-", 1)[-1],
                "charge_id": line.charge_id,
                "bill_no": line.bill_no,
                "version": line.version,
                "hospital_code": line.item_code,
                "national_code": line.national_code,
                "name": line.name,
                "spec": line.spec,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
                "tag": "" if str(line.tag) == "untagged" else str(line.tag),
            }
            for line in lines
        ],
    }
