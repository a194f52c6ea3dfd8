"""Settlement overhead: a 2-group, 200-line visit through the services vs the same calls made raw.

Both sides talk to the same in-process sandbox over loopback: 1101 + 5301, then per group 2201 → 2203 →
2204 (100 lines) → 2206 → 2207, with the same request bodies (the raw side also sums the 2204 split
totals that 2206/2207 carry). The services side also journals every state-changing call (two
``synchronous=FULL`` commits each), stores bill, groups and settlements, and checks every answer.
Target (issue 4): ratio ≤ 1.05. Measured with no added platform latency and with 100 ms per call
(see ``engine_common.DEFAULT_LATENCIES_MS``).

    .venv/bin/python -m benchmarks.engine_settlement [--runs 7] [--latency-ms 0 100]
"""

from __future__ import annotations

import argparse
import logging
import uuid
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.domain.bill import FeeLine, Tag
from app.domain.disease import pilot_disease
from app.sandbox import SandboxServer
from app.services.bill_import import IdentityInput, IdentityKind, ImportedVisit
from benchmarks.engine_common import (
    RawClient,
    add_latency_argument,
    at_latency,
    bench_setup,
    compare,
    load_average,
    store_counts,
    verdict,
)

TARGET_RATIO = 1.05
PERSON = "李淑芬"  # two qualifications (M03900, M01600), both opened at the demo hospital
LINES_PER_GROUP = 100


def _items(server: SandboxServer, disease: str) -> list[Any]:
    return [
        item
        for item in server.platform.catalogue.items.values()
        if disease in item.diseases and item.chrgitm_lv != "03"
    ]


def visit_of(server: SandboxServer) -> ImportedVisit:
    """The 200-line visit: 100 lines per disease, cycling through that disease's catalogue items."""
    who = next(p for p in server.identities() if p["name"] == PERSON)
    lines: list[FeeLine] = []
    for disease in ("M03900", "M01600"):
        items = _items(server, disease)
        for n in range(LINES_PER_GROUP):
            item = items[n % len(items)]
            lines.append(
                FeeLine.create(
                    line_no=f"{disease}-{n:03d}",
                    hospital_code=item.medins_list_codg,
                    national_code=item.med_list_codg,
                    name=item.name,
                    unit_price=item.price,
                    quantity=1,
                    tag=Tag.disease(disease),
                )
            )
    return ImportedVisit(
        identity=IdentityInput(IdentityKind.ID_NUMBER, who["id_number"]),
        outpatient_no="MZBENCH",
        dept_code="A02",
        dept_name="心血管内科",
        doctor_code="D110105000001",
        doctor_name="王医生",
        lines=tuple(lines),
    )


def raw_visit(client: RawClient, visit: ImportedVisit) -> None:
    """The same platform calls with plain requests."""
    now = f"{datetime.now():%Y-%m-%d %H:%M:%S}"  # noqa: DTZ005
    id_number = visit.identity.value
    info, insuplc = client.person(id_number)
    psn_no = info["baseinfo"]["psn_no"]
    insutype = next(r["insutype"] for r in info["insuinfo"] if r["psn_insu_stas"] == "1")
    cert = {"mdtrt_cert_type": "02", "mdtrt_cert_no": id_number}
    for disease in ("M03900", "M01600"):
        lines = [line for line in visit.lines if line.tag.disease_code == disease]
        known = pilot_disease(disease)
        name = known.name if known else disease
        register = {"psn_no": psn_no, "insutype": insutype, "begntime": now, **cert, "card_sn": "",
                    "ipt_otp_no": visit.outpatient_no, "atddr_no": visit.doctor_code,
                    "dr_name": visit.doctor_name, "dept_code": visit.dept_code,
                    "dept_name": visit.dept_name, "caty": visit.dept_code}  # fmt: skip
        mdtrt_id = client.call("2201", {"data": register}, insuplc)["output"]["data"]["mdtrt_id"]
        info_node = {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": "14", "begntime": now,
                     "main_cond_dscr": "", "dise_codg": disease, "dise_name": name}  # fmt: skip
        diagnosis = {"diag_type": "1", "diag_srt_no": "1", "diag_code": disease, "diag_name": name,
                     "diag_dept": visit.dept_name, "dise_dor_no": visit.doctor_code,
                     "dise_dor_name": visit.doctor_name, "diag_time": now, "vali_flag": "1"}  # fmt: skip
        client.call("2203", {"mdtrtinfo": info_node, "diseinfo": [diagnosis]}, insuplc)
        batch = uuid.uuid4().hex[:20].upper()
        details = [
            {"feedetl_sn": line.line_no, "mdtrt_id": mdtrt_id, "psn_no": psn_no, "chrg_bchno": batch,
             "dise_codg": disease, "rxno": "", "rx_circ_flag": "0", "fee_ocur_time": now,
             "med_list_codg": line.national_code, "medins_list_codg": line.hospital_code,
             "det_item_fee_sumamt": line.amount, "cnt": line.quantity, "pric": line.unit_price,
             "bilg_dept_codg": visit.dept_code, "bilg_dept_name": visit.dept_name,
             "bilg_dr_codg": visit.doctor_code, "bilg_dr_name": visit.doctor_name,
             "hosp_appr_flag": "1"}
            for line in lines
        ]  # fmt: skip
        splits = client.call("2204", {"feedetail": details}, insuplc)["output"]["result"]
        total = sum((line.amount for line in lines), Decimal("0.00"))
        settle = {"psn_no": psn_no, **cert, "med_type": "14", "medfee_sumamt": total,
                  "psn_setlway": "01", "mdtrt_id": mdtrt_id, "chrg_bchno": batch,
                  "acct_used_flag": "1" if insutype == "310" else "0", "insutype": insutype,
                  **_split_totals(splits)}  # fmt: skip
        client.call("2206", {"data": settle}, insuplc)
        client.call("2207", {"data": {**settle, "invono": ""}}, insuplc)


def _split_totals(splits: list[dict[str, Any]]) -> dict[str, Decimal]:
    """The four 2204 batch totals the services also send with 2206/2207 (like for like)."""
    sums = {"fulamt_ownpay_amt": "fulamt_ownpay_amt", "overlmt_selfpay": "overlmt_amt",
            "preselfpay_amt": "preselfpay_amt", "inscp_scp_amt": "inscp_scp_amt"}  # fmt: skip
    return {
        field: sum((Decimal(str(row.get(source) or 0)) for row in splits), Decimal("0.00"))
        for field, source in sums.items()
    }


def main(argv: list[str] | None = None) -> int:
    """Alternate raw and services runs; print medians and the ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    add_latency_argument(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with bench_setup() as bench:
        visit = visit_of(bench.server)
        client = RawClient(bench.server)
        client.sign_in()
        try:
            raw_visit(client, visit)  # warm both sides up
            _settle(bench.engine, visit, bench.cashier)
            for latency_ms in args.latency_ms:
                at_latency(bench, latency_ms)
                load = load_average()
                with store_counts(bench.folder / "data") as counts:
                    found = compare(
                        lambda: raw_visit(client, visit),
                        lambda: _settle(bench.engine, visit, bench.cashier),
                        args.runs,
                    )
                per_visit = {name: count / args.runs for name, count in counts.items()}
                print(
                    f"engine_settlement: platform latency {latency_ms} ms, 2 groups × "
                    f"{LINES_PER_GROUP} lines, {args.runs} runs, load {load}–{load_average()} — "
                    f"raw {found.raw * 1000:.1f} ms, services {found.ours * 1000:.1f} ms, "
                    f"extra {found.extra_ms:.1f} ms, ratio {found.ratio:.3f} "
                    f"(target ≤ {TARGET_RATIO}) {verdict(found.ratio, TARGET_RATIO)}; "
                    f"{found.line()}; per visit {per_visit['statements']:.1f} SQL statements, "
                    f"{per_visit['transactions']:.1f} transactions, {per_visit['commits']:.1f} commits"
                )
        finally:
            client.close()
    return 0


def _settle(engine: Any, visit: ImportedVisit, cashier: Any) -> None:
    # Each run is another HIS visit: the same one is settled only once (issue #11 item 1).
    bill = engine.settle_visit(replace(visit, outpatient_no=f"MZB{uuid.uuid4().hex[:12]}"), cashier)
    if any(group.state.value != "settled" for group in bill.groups):
        raise RuntimeError(f"benchmark visit did not settle: {bill}")


if __name__ == "__main__":
    raise SystemExit(main())
