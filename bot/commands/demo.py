"""``opsbot demo generate``: demo fixtures of any size; ``opsbot demo prepare``: the built demo a first run
copies in."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from bot.application import Application
from bot.commands.progress import progress_bar
from bot.repl.demo_template import build_demo
from tools.data_sources import installed_data_sources
from tools.demo.generator import (
    DEFAULT_DAYS,
    DEFAULT_FIRST_DAY,
    DEFAULT_ORDERS_PER_DAY,
    DEFAULT_SEED,
    DemoGenerator,
    GeneratorParams,
)


def cmd_demo_generate(_app: Application, args: argparse.Namespace) -> int:
    """Write the demo business's payloads into ``args.folder`` and say how much."""
    params = GeneratorParams(
        locations=args.locations,
        first_day=date.fromisoformat(args.first_day),
        days=args.days,
        orders_per_day=args.orders_per_day,
        seed=args.seed,
    )
    started = time.perf_counter()
    progress = progress_bar()
    counts = DemoGenerator(params).write(
        Path(args.folder), (lambda done, total: progress("generating", done / total)) if progress else None
    )
    for source in installed_data_sources():
        if source.generate_demo is not None:
            for note in source.generate_demo(Path(args.folder)):
                print(note)
    size = sum(f.stat().st_size for f in Path(args.folder).rglob("*") if f.is_file())
    print(
        f"Wrote {args.folder}: {counts.square_orders:,} Square orders, {counts.deliverect_orders:,} "
        f"Deliverect orders ({counts.deliverect_events:,} webhook bodies), {size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


def cmd_demo_prepare(app: Application, args: argparse.Namespace) -> int:
    """Build the demo store from the configured fixtures into the demo cache, for first runs to copy."""
    settings = app.settings
    cache = Path(args.cache).expanduser() if args.cache else settings.demo_cache
    if cache is None:
        print("opsbot: say where to keep it: --cache FOLDER or OPSBOT_DEMO_CACHE", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        built, orders = build_demo(settings, settings.fixtures_dir, cache)
    except (OSError, RuntimeError) as exc:
        print(f"opsbot: the demo was not built: {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(
        f"Built the demo ({orders:,} orders from {settings.fixtures_dir}) in {seconds:.1f} s: {built} — a "
        "first run in a new folder copies it in"
    )
    return 0


def add_parser(sub) -> None:
    """Register ``demo generate`` and ``demo prepare`` on the ``opsbot`` sub-command parser."""
    demo = sub.add_parser("demo", help="the demo business")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    generate = demo_sub.add_parser("generate", help="generate demo fixtures (any size) into FOLDER")
    generate.add_argument("folder")
    generate.add_argument("--locations", type=int, default=4)
    generate.add_argument("--days", type=int, default=DEFAULT_DAYS)
    generate.add_argument("--orders-per-day", type=int, default=DEFAULT_ORDERS_PER_DAY)
    generate.add_argument("--first-day", default=DEFAULT_FIRST_DAY.isoformat())
    generate.add_argument("--seed", type=int, default=DEFAULT_SEED)
    generate.set_defaults(handler=cmd_demo_generate)
    prepare = demo_sub.add_parser(
        "prepare", help="build the demo store once, so a first run in a new folder starts with it loaded"
    )
    prepare.add_argument("--cache", help="where to keep it (default: OPSBOT_DEMO_CACHE)")
    prepare.set_defaults(handler=cmd_demo_prepare)
