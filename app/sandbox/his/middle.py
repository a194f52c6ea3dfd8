"""The reference HIS behind database middle tables: it publishes its charges into
``his_pending_charges`` and, like a HIS job, applies new rows of ``his_settle_results``.

The tables are created from the published DDL (``resources/his/middle-tables.sql``), so the tests
prove the DDL and the adapter agree, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from app.config.paths import resources_dir
from app.domain.his import ChargeStatus
from app.domain.his_codec import HisDataError, result_from_dict
from app.sandbox.his.state import HisRefusal, ReferenceHis

DDL_FILE = resources_dir() / "his" / "middle-tables.sql"
BEIJING = ZoneInfo("Asia/Shanghai")
_CODE = {ChargeStatus.UNPAID: "0", ChargeStatus.PAID: "1", ChargeStatus.WITHDRAWN: "2"}


def ddl() -> list[str]:
    """The published DDL's statements."""
    lines = [
        ln for ln in DDL_FILE.read_text("utf-8").splitlines() if not ln.lstrip().startswith("--")
    ]
    return [chunk.strip() for chunk in "\n".join(lines).split("\n;") if chunk.strip()]


def _local(moment: datetime | None) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


class MiddleTablesJob:
    """Keeps the middle tables of ``url`` in step with a :class:`ReferenceHis`."""

    def __init__(self, his: ReferenceHis, url: str = "", *, engine: Engine | None = None) -> None:
        """Work on ``url`` (or an existing engine)."""
        self.his = his
        self.engine = engine or create_engine(url)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def create_tables(self) -> None:
        """Run the published DDL."""
        with self.engine.begin() as connection:
            for statement in ddl():
                connection.exec_driver_sql(statement)

    def publish(self) -> None:
        """Rewrite ``his_pending_charges`` from the HIS's state (a real HIS would use a view)."""
        rows = [_row(visit, line, status) for visit, line, status in self.his.snapshot()]
        with self.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM his_pending_charges")
            if rows:
                names = ", ".join(rows[0])
                marks = ", ".join(f":{n}" for n in rows[0])
                connection.execute(
                    text(f"INSERT INTO his_pending_charges ({names}) VALUES ({marks})"),  # noqa: S608
                    rows,
                )

    def apply_results(self) -> int:
        """Apply new result rows in insertion order; mark them applied ('1') or refused ('2')."""
        with self.engine.begin() as connection:
            rows = list(
                connection.execute(
                    text("SELECT * FROM his_settle_results WHERE his_status = '0'")
                ).mappings()
            )
            for row in rows:
                status, message, ref = "1", "", ""
                try:
                    ack = self.his.report(result_from_dict(_result_data(row)))
                    ref = ack.his_ref
                    if row["kind"] != "cancelled":  # paid: the paid state guards from now on
                        connection.execute(
                            text("DELETE FROM his_charge_locks WHERE charge_id = :c"),
                            {"c": row["charge_id"]},
                        )
                except (HisRefusal, HisDataError) as exc:
                    status, message = "2", str(exc)[:200]
                connection.execute(
                    text(
                        "UPDATE his_settle_results SET his_status = :s, his_msg = :m,"
                        " his_ref = :r, his_time = :t WHERE result_key = :k"
                    ),
                    {"s": status, "m": message, "r": ref, "t": _local(datetime.now(UTC)),
                     "k": row["result_key"]},
                )  # fmt: skip
        if rows:
            self.publish()
        return len(rows)

    def start(self, interval: float = 0.5) -> MiddleTablesJob:
        """Publish and apply every ``interval`` seconds on a daemon thread."""
        self.publish()

        def run() -> None:
            while not self._stop.wait(interval):
                self.apply_results()
                self.publish()

        self._thread = threading.Thread(target=run, name="his-middle-job", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and release the connections."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.engine.dispose()


def _row(visit: Any, line: Any, status: ChargeStatus) -> dict[str, Any]:
    return {
        "charge_id": line.charge_id,
        "bill_no": line.bill_no,
        "visit_no": visit.visit_no,
        "patient_id": visit.patient_id,
        "id_number": visit.id_number,
        "card_no": "",
        "voucher_id": "",
        "patient_name": visit.patient_name,
        "dept_code": visit.dept_code,
        "dept_name": visit.dept_name,
        "doctor_code": visit.doctor_code,
        "doctor_name": visit.doctor_name,
        "diagnosis_code": visit.diagnosis_code,
        "diagnosis_name": visit.diagnosis_name,
        "visit_time": _local(visit.visit_time),
        "item_code": line.item_code,
        "national_code": line.national_code,
        "item_name": line.name,
        "spec": line.spec,
        "unit_price": str(line.unit_price),
        "quantity": str(line.quantity),
        "amount": str(line.amount),
        "tag": "" if str(line.tag) == "untagged" else str(line.tag),
        "charge_status": _CODE[status],
        "row_version": line.version,
    }


def _result_data(row: Any) -> dict[str, Any]:
    def text_of(name: str) -> str:
        value = row[name]
        return "" if value is None else str(value).strip()

    occurred = datetime.strptime(text_of("occurred_at"), "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=BEIJING
    )
    data = {name: text_of(name) for name in (
        "result_key", "kind", "charge_id", "visit_no", "setl_id", "orig_setl_id", "receipt_no",
        "fee_category", "fee_category_name", "disease_code", "amount", "fund", "account", "cash",
        "hospital", "operator_code", "window_no",
    )}  # fmt: skip
    for name in ("amount", "fund", "account", "cash", "hospital"):
        data[name] = _two_places(data[name])
    data["key"] = data.pop("result_key")
    data["operator"] = data.pop("operator_code")
    data["window"] = data.pop("window_no")
    data["occurred_at"] = occurred.isoformat()
    return data


def _two_places(value: str) -> str:
    from decimal import Decimal  # noqa: PLC0415

    return str(Decimal(value).quantize(Decimal("0.01")))
