"""Eligibility overhead: ``Engine.identify`` (1101 + 5301, judged, cached encrypted) vs raw 1101 + 5301.

Target (issue 4): ratio ≤ 1.10.

    .venv/bin/python -m benchmarks.engine_eligibility [--runs 50]
"""

from __future__ import annotations

import argparse
import logging

from app.services.bill_import import IdentityInput, IdentityKind
from benchmarks.engine_common import RawClient, bench_setup, median_ratio

TARGET_RATIO = 1.10
PERSON = "李淑芬"


def main(argv: list[str] | None = None) -> int:
    """Alternate raw and services lookups; print medians and the ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with bench_setup() as bench:
        who = next(p for p in bench.server.identities() if p["name"] == PERSON)
        identity = IdentityInput(IdentityKind.ID_NUMBER, who["id_number"])
        client = RawClient(bench.server)
        client.sign_in()
        try:
            client.person(who["id_number"])
            bench.engine.identify(identity, bench.cashier)
            raw, ours, ratio = median_ratio(
                lambda: client.person(who["id_number"]),
                lambda: bench.engine.identify(identity, bench.cashier),
                args.runs,
            )
        finally:
            client.close()
    verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(
        f"engine_eligibility: {args.runs} runs — raw {raw * 1000:.1f} ms, services "
        f"{ours * 1000:.1f} ms, ratio {ratio:.3f} (target ≤ {TARGET_RATIO}) {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
