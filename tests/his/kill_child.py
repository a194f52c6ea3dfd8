"""Child process for the HIS kill tests: load the patient's unpaid HIS visits, settle (and cancel).

``python kill_child.py CONFIG_JSON DATA_DIR settle|cancel ID_NUMBER`` — dies where ``SW_CRASH_AT``
says; exit 0 done, 3 an expected failure, 86 a crash point fired.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers.engine_fixtures import SUPERVISOR_PASSWORD, add_operators, make_engine

from app.config import settings_from_mapping
from app.errors import AppError
from app.services.cancel import SupervisorApproval


def main(argv: list[str]) -> int:
    """Run one scenario."""
    config, data_dir, scenario, id_number = argv
    settings = settings_from_mapping(json.loads(Path(config).read_text("utf-8")))
    engine = make_engine(settings, Path(data_dir))
    try:
        cashier, supervisor = add_operators(engine)
        assert engine.his is not None
        visit = engine.his.load(engine.his.unpaid_for_person(id_number))
        bill = engine.settle_visit(visit, cashier)
        if scenario == "cancel":
            approval = SupervisorApproval(supervisor.code, SUPERVISOR_PASSWORD)
            engine.cancel(bill.groups[0].settlement_id, cashier, approval)
        return 0
    except AppError as exc:
        sys.stdout.write(f"failed: {exc.code}\n")
        return 3
    finally:
        engine.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
