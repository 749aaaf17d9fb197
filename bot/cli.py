"""The ``opsbot`` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from datetime import date
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings


def _progress_printer(stream=sys.stderr):
    """A one-line progress bar on a terminal; silent when output is redirected."""
    if not stream.isatty():
        return None
    state = {"last": 0.0}

    def show(stage: str, fraction: float, _seen: int = 0) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - state["last"] < 0.1:
            return
        state["last"] = now
        filled = int(fraction * 30)
        stream.write(f"\r  {stage:<20} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}")
        if fraction >= 1.0:
            stream.write("\n")
        stream.flush()

    return show


def _open_store(settings: Settings):
    from tools.store.database import open_store

    return open_store(settings.database_url)


def cmd_sync(settings: Settings, args: argparse.Namespace) -> int:
    return _sync(settings, args.fixtures, anchor=not args.no_anchor, batch_size=args.batch_size)


def _sync(settings: Settings, fixtures: str | None, *, anchor: bool = True, batch_size: int = 1000) -> int:
    """Sync a fixture folder (default: the configured one), print the report; the exit status."""
    from tools.sync.runner import sync_fixtures

    folder = Path(fixtures) if fixtures else settings.fixtures_dir
    engine = _open_store(settings)
    anchor = settings.demo_anchor and anchor
    print(f"Syncing {folder} into {engine.url.render_as_string(hide_password=True)}")
    started = time.perf_counter()
    report = sync_fixtures(engine, folder, anchor=anchor, progress=_progress_printer(), batch_size=batch_size)
    for note in report.notes:
        print(f"  {note}")
    print(f"  {'stage':<20} {'seen':>9} {'inserted':>9} {'updated':>8} {'unchanged':>9} {'errors':>6}  time")
    for stage in report.stages:
        c = stage.counts
        rate = f"  ({stage.rate:,.0f}/s)" if stage.name.endswith("orders") and stage.seconds else ""
        print(
            f"  {stage.name:<20} {c.seen:>9,} {c.inserted:>9,} {c.updated:>8,} {c.unchanged:>9,} "
            f"{len(c.errors):>6}  {stage.seconds:.1f} s{rate}"
        )
    print(
        "Nothing new."
        if report.changed == 0 and not report.errors
        else f"Done in {time.perf_counter() - started:.1f} s."
    )
    if report.errors:
        print(f"\n{len(report.errors)} record(s) were not stored:", file=sys.stderr)
        for error in report.errors[:20]:
            print(f"  {error}", file=sys.stderr)
        if len(report.errors) > 20:
            print(f"  … and {len(report.errors) - 20} more", file=sys.stderr)
        return 1
    return 0


def cmd_home(settings: Settings, args: argparse.Namespace) -> int:
    """``opsbot`` with no command: load the demo on first run, then show what the store holds."""
    from tools.store.summary import summarize

    engine = _open_store(settings)
    if not summarize(engine).locations:
        print(
            "First run: loading the demo business — Copperline Kitchen, a fictional four-location "
            "restaurant chain with in-store (Square) and delivery (Deliverect) orders."
        )
        if _sync(settings, None) != 0:
            return 1
        print()
    status = cmd_status(settings, args)
    print(
        '\nCommands: opsbot ask "QUESTION" · opsbot call TOOL · opsbot tools · opsbot trace · '
        "opsbot status · opsbot --help"
    )
    return status


def cmd_status(settings: Settings, _args: argparse.Namespace) -> int:
    from tools.store.summary import summarize

    engine = _open_store(settings)
    summary = summarize(engine)
    print(f"Store: {engine.url.render_as_string(hide_password=True)}")
    if not summary.locations:
        print("The store is empty. Load the demo business with `opsbot sync`.")
        return 0
    print(f"Business: {summary.business_name or '(unnamed)'}")
    for loc in summary.locations:
        span = f"{loc.first_day} … {loc.last_day}" if loc.first_day else "no orders"
        print(
            f"  Location {loc.position}: {loc.name:<12} {loc.timezone:<22} {loc.currency}  "
            f"{loc.orders:>8,} orders  {span}"
        )
    sources = ", ".join(f"{name} {count:,}" for name, count in sorted(summary.orders_by_source.items()))
    print(
        f"Orders: {summary.counted_orders:,} counted ({summary.orders:,} stored: {sources}); "
        f"line items {summary.line_items:,}; refunds {summary.refunds:,}; menu items {summary.menu_items}"
    )
    return 0


def _tool_context(settings: Settings, today: str | None):
    from tools.analytics.readonly import open_readonly
    from tools.analytics.scope import business_today
    from tools.registry import ToolContext

    _open_store(settings).dispose()  # make sure the schema is there
    engine = open_readonly(settings.database_url)
    return ToolContext(
        engine=engine,
        today=date.fromisoformat(today) if today else business_today(engine),
        week_start=settings.week_start,
    )


def cmd_tools(_settings: Settings, args: argparse.Namespace) -> int:
    from tools.registry import default_registry

    registry = default_registry()
    if args.json:
        print(json.dumps(registry.schemas(), indent=2))
        return 0
    for tool in registry.tools():
        summary = " ".join(tool.description.split()).split(". ")[0].rstrip(".") + "."
        print(f"{tool.name}  [{tool.source}]\n    {summary}")
        required = set(tool.input_schema.get("required", []))
        for name, schema in tool.input_schema.get("properties", {}).items():
            kind = schema.get("type", "")
            if "enum" in schema:
                kind = "|".join(schema["enum"])
            elif kind == "array" and "enum" in schema.get("items", {}):
                kind = "list of " + "|".join(schema["items"]["enum"])
            flag = (
                "required"
                if name in required
                else f"default {schema['default']!r}"
                if "default" in schema
                else ""
            )
            print(f"    {name} ({kind}{', ' + flag if flag else ''}): {schema.get('description', '')}")
        print()
    return 0


def _parse_call_arguments(pairs: list[str], schema: dict) -> dict:
    """``key=value`` pairs → arguments; values are JSON when they parse, lists may be comma-separated."""
    arguments = {}
    properties = schema.get("properties", {})
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise SettingsError(f"argument {pair!r} is not key=value")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        if properties.get(key, {}).get("type") == "array" and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        elif properties.get(key, {}).get("type") == "string" and not isinstance(value, str):
            value = raw
        arguments[key] = value
    return arguments


def cmd_call(settings: Settings, args: argparse.Namespace) -> int:
    from tools.registry import ToolError, default_registry

    registry = default_registry()
    try:
        tool = registry.get(args.tool)
    except ToolError as exc:
        print(f"opsbot: {exc}", file=sys.stderr)
        return 2
    arguments = json.loads(args.json) if args.json else {}
    arguments.update(_parse_call_arguments(args.arguments, tool.input_schema))
    context = _tool_context(settings, args.today)
    result = registry.call(tool.name, arguments, context)
    if result.ok:
        print(json.dumps(result.content, indent=2, default=str, ensure_ascii=False))
    else:
        print(f"error: {result.error}", file=sys.stderr)
    print(f"({tool.name} · {result.seconds * 1000:.0f} ms)", file=sys.stderr)
    return 0 if result.ok else 1


def cmd_demo_generate(_settings: Settings, args: argparse.Namespace) -> int:
    from tools.demo.generator import DemoGenerator, GeneratorParams

    params = GeneratorParams(
        locations=args.locations,
        first_day=date.fromisoformat(args.first_day),
        days=args.days,
        orders_per_day=args.orders_per_day,
        seed=args.seed,
    )
    started = time.perf_counter()
    progress = _progress_printer()
    counts = DemoGenerator(params).write(
        Path(args.folder), (lambda done, total: progress("generating", done / total)) if progress else None
    )
    size = sum(f.stat().st_size for f in Path(args.folder).rglob("*") if f.is_file())
    print(
        f"Wrote {args.folder}: {counts.square_orders:,} Square orders, {counts.deliverect_orders:,} "
        f"Deliverect orders ({counts.deliverect_events:,} webhook bodies), {size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from tools.store.database import current_revision

    engine = _open_store(settings)
    print(
        f"{engine.url.render_as_string(hide_password=True)} is at schema revision {current_revision(engine)}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    from tools.demo.generator import (
        DEFAULT_DAYS,
        DEFAULT_FIRST_DAY,
        DEFAULT_ORDERS_PER_DAY,
        DEFAULT_SEED,
    )

    parser = argparse.ArgumentParser(
        prog="opsbot", description="A chat-based operations assistant for multi-location restaurants."
    )
    sub = parser.add_subparsers(dest="command")

    sync = sub.add_parser("sync", help="load the configured sources (the demo fixtures) into the store")
    sync.add_argument("--source", choices=["fixtures"], default="fixtures", help="which source to sync")
    sync.add_argument("--fixtures", help="fixture folder (default: OPSBOT_FIXTURES_DIR or fixtures/demo)")
    sync.add_argument("--no-anchor", action="store_true", help="keep the fixtures' own dates")
    sync.add_argument("--batch-size", type=int, default=1000, help="orders per transaction")
    sync.set_defaults(handler=cmd_sync)

    tools = sub.add_parser("tools", help="list the analytics tools the model can call")
    tools.add_argument("--json", action="store_true", help="print the JSON schemas the model sees")
    tools.set_defaults(handler=cmd_tools)

    call = sub.add_parser("call", help="run one tool against the store (no model needed)")
    call.add_argument("tool", help="tool name (see `opsbot tools`)")
    call.add_argument("arguments", nargs="*", help="key=value arguments, e.g. period='last Saturday'")
    call.add_argument("--json", help="arguments as one JSON object")
    call.add_argument("--today", help="pretend today is this date (YYYY-MM-DD) in the business timezone")
    call.set_defaults(handler=cmd_call)

    from bot.ask_command import add_parsers

    add_parsers(sub)

    status = sub.add_parser("status", help="show what the store holds")
    status.set_defaults(handler=cmd_status)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=cmd_db_upgrade)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"opsbot: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    handler = getattr(args, "handler", None) or cmd_home
    from tools.sources.records import PayloadError
    from tools.store.database import StoreError

    try:
        return handler(settings, args)
    except (StoreError, PayloadError, FileNotFoundError) as exc:
        print(f"opsbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nopsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
