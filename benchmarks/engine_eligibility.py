"""Eligibility overhead: ``Engine.identify`` (1101 + 5301, judged, cached encrypted) vs raw 1101 + 5301.

Target (issue 4): ratio ≤ 1.10. Measured with no added platform latency and with 100 ms per call
(see ``engine_common.DEFAULT_LATENCIES_MS``).

    .venv/bin/python -m benchmarks.engine_eligibility [--runs 50] [--latency-ms 0 100]
"""

from __future__ import annotations

import argparse
import logging

from app.services.bill_import import IdentityInput, IdentityKind
from benchmarks.engine_common import (
    RawClient,
    add_latency_argument,
    at_latency,
    bench_setup,
    median_ratio,
    verdict,
)

TARGET_RATIO = 1.10
PERSON = "李淑芬"


def main(argv: list[str] | None = None) -> int:
    """Alternate raw and services lookups; print medians and the ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    add_latency_argument(parser)
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
            for latency_ms in args.latency_ms:
                at_latency(bench, latency_ms)
                raw, ours, ratio = median_ratio(
                    lambda: client.person(who["id_number"]),
                    lambda: bench.engine.identify(identity, bench.cashier),
                    args.runs,
                )
                print(
                    f"engine_eligibility: platform latency {latency_ms} ms, {args.runs} runs — "
                    f"raw {raw * 1000:.1f} ms, services {ours * 1000:.1f} ms, "
                    f"extra {(ours - raw) * 1000:.2f} ms, ratio {ratio:.3f} "
                    f"(target ≤ {TARGET_RATIO}) {verdict(ratio, TARGET_RATIO)}"
                )
        finally:
            client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
