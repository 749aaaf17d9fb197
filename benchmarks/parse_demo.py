"""How long the demo's order payloads take to read, parse and anchor — the per-payload work of a first run,
nothing stored.

    .venv/bin/python benchmarks/parse_demo.py [--folder fixtures/demo] [--rounds 3] [--profile 25]

Each round reads every line of the folder's order files and, in the same run, as the reference: only reads
them (gzip and ``json.loads``, what any loader must do). Then the full per-payload path as the fixtures sync
takes it: each payload parsed by its source's ``parse_order`` (validation, parsing, fingerprint) and moved
by the demo anchor. It prints CPU seconds (best of the rounds) of each, the ratio full ÷ read-only, and
with ``--profile N`` the N functions costing most, cumulative, under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tools.currencies import LocationCurrencies
from tools.sources.deliverect.parser import parse_order as parse_deliverect
from tools.sources.deliverect.schema import is_test_order
from tools.sources.fixtures.folder import FixtureSource, anchor_demo
from tools.sources.records import PayloadError
from tools.sources.square.parser import parse_order as parse_square

ROOT = Path(__file__).resolve().parent.parent


def fixture_currencies(source: FixtureSource) -> LocationCurrencies:
    """The folder's locations' currencies, as the store would give them to the Deliverect parser."""
    by_square = {loc.square_location_id: loc.currency for loc in source.locations()}
    by_deliverect = {
        deliverect: by_square[square]
        for deliverect, square in source.deliverect_locations.items()
        if square in by_square
    }
    return LocationCurrencies(by_square_location=by_square, by_deliverect_location=by_deliverect)


def read_only(folder: Path) -> int:
    """Every payload read, nothing else: the reference."""
    source = FixtureSource(folder)
    payloads = 0
    for _, order in source.square_order_payloads():
        payloads += not isinstance(order, PayloadError)
    for _, body in source.deliverect_order_payloads():
        payloads += not isinstance(body, PayloadError)
    return payloads


def parse_and_anchor(folder: Path) -> int:
    """Every payload read, parsed and anchored as ``sync_fixtures`` does; the records kept are counted."""
    source = FixtureSource(folder)
    source.anchor = anchor_demo(source.period_last_day(), source.timezones(), datetime.now(UTC))
    currencies = fixture_currencies(source)
    kept = 0
    for _, order in source.square_order_payloads():
        if not isinstance(order, PayloadError):
            kept += source.anchored(parse_square(order)) is not None
    for _, body in source.deliverect_order_payloads():
        if not isinstance(body, PayloadError) and not is_test_order(body):
            kept += source.anchored_delivery(parse_deliverect(body, currencies)) is not None
    return kept


def cpu_seconds(run: Callable[[Path], int], folder: Path) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, count) of one run."""
    cpu, wall = time.process_time(), time.perf_counter()
    count = run(folder)
    return time.process_time() - cpu, time.perf_counter() - wall, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "fixtures" / "demo")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    args = parser.parse_args()

    best: dict[str, tuple[float, float, int]] = {}
    for round_no in range(1, args.rounds + 1):
        for name, run in (("read only", read_only), ("read, parse, anchor", parse_and_anchor)):
            figures = cpu_seconds(run, args.folder)
            if name not in best or figures[0] < best[name][0]:
                best[name] = figures
            cpu, wall, count = figures
            print(f"round {round_no}: {name:<20} {cpu:6.2f} s CPU ({wall:.2f} s wall, {count})")
    reference, full = best["read only"], best["read, parse, anchor"]
    print(f"best: read only {reference[0]:.2f} s CPU for {reference[2]} payloads")
    print(f"best: read, parse, anchor {full[0]:.2f} s CPU for {full[2]} orders kept")
    print(f"full / read only (CPU): {full[0] / reference[0]:.2f}")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(parse_and_anchor, args.folder)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
