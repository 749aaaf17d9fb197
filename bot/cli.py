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
    sources = [args.source] if args.source else settings.sources.configured or ["fixtures"]
    if sources == ["fixtures"]:
        for flag, given in (("--since", args.since), ("--replace-demo", args.replace_demo)):
            if given:
                print(f"opsbot: {flag} is for --source square or deliverect", file=sys.stderr)
                return 2
        return _sync(settings, args.fixtures, anchor=not args.no_anchor, batch_size=args.batch_size)
    from bot.sync_command import run_live_sync

    return run_live_sync(settings, sources, args.since, sys.stdout, replace_demo=args.replace_demo)


def _sync(
    settings: Settings, fixtures: str | None, *, anchor: bool = True, batch_size: int = 1000, out=None
) -> int:
    """Sync a fixture folder (default: the configured one), print the report (to ``out``, default stdout);
    the exit status."""
    from bot.sync_command import print_sync_report
    from tools.sources.fixtures.sync import sync_fixtures
    from tools.sync.store_origin import fixture_sync_refusal

    out = out or sys.stdout
    folder = Path(fixtures) if fixtures else settings.fixtures_dir
    engine = _open_store(settings)
    refusal = fixture_sync_refusal(engine)
    if refusal:
        print(f"opsbot: {refusal}", file=sys.stderr)
        return 2
    anchor = settings.demo_anchor and anchor
    print(f"Syncing {folder} into {engine.url.render_as_string(hide_password=True)}", file=out)
    started = time.perf_counter()
    report = sync_fixtures(engine, folder, anchor=anchor, progress=_progress_printer(), batch_size=batch_size)
    return print_sync_report(report, started, out)


def cmd_repl(settings: Settings, args: argparse.Namespace) -> int:
    """``opsbot`` / ``opsbot repl``: load the demo on first run, then the interactive session (or, with
    stdin or stdout not a terminal, plain question-per-line mode)."""
    from tools.store.summary import summarize
    from tools.sync.store_origin import fixture_business

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    notes = sys.stdout if interactive else sys.stderr  # piped: stdout carries only the answers
    engine = _open_store(settings)
    summary = summarize(engine)
    if not summary.locations and settings.sources.configured:
        print("The store is empty: load your own data with `opsbot sync` first.", file=notes)
    elif settings.sources.configured and (fixtures := fixture_business(engine)):
        print(
            f"Answering from {fixtures}, not your own data: `opsbot sync --replace-demo` replaces it.",
            file=notes,
        )
    elif not summary.locations:
        print(
            "First run: loading the demo business — Copperline Kitchen, a fictional four-location "
            "restaurant chain with in-store (Square) and delivery (Deliverect) orders.",
            file=notes,
        )
        if _sync(settings, None, out=notes) != 0:
            return 1
        print(file=notes)
        summary = summarize(engine)
    from bot.repl.session import ReplSession

    session = ReplSession(settings, engine)
    session.model_name = getattr(args, "model", None) or session.model_name
    conversation = getattr(args, "conversation", None)
    if conversation:
        if not session.conversation_exists(conversation):
            print(
                f"opsbot: no conversation {conversation!r} — /history in the REPL lists them", file=sys.stderr
            )
            return 2
        session.conversation_id = conversation
    if interactive:
        from bot.repl.terminal import run_terminal

        return run_terminal(session, summary)
    from bot.repl.piped import run_piped

    return run_piped(session, sys.stdin, sys.stdout, sys.stderr)


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


def cmd_tools(_settings: Settings, args: argparse.Namespace) -> int:
    from bot.tool_console import describe_tools
    from tools.registry import default_registry

    registry = default_registry()
    if args.json:
        print(json.dumps(registry.schemas(), indent=2))
    else:
        print(describe_tools(registry))
    return 0


def cmd_call(settings: Settings, args: argparse.Namespace) -> int:
    from bot.tool_console import call_tool, readonly_context, result_text
    from tools.registry import ToolError, default_registry

    _open_store(settings).dispose()  # make sure the schema is there
    context = readonly_context(
        settings.database_url,
        settings.week_start,
        date.fromisoformat(args.today) if args.today else None,
        query_timeout_seconds=settings.query_timeout_seconds,
    )
    try:
        result = call_tool(default_registry(), context, args.tool, args.arguments, args.json)
    except (ToolError, SettingsError) as exc:
        print(f"opsbot: {exc}", file=sys.stderr)
        return 2
    finally:
        context.engine.dispose()
    print(result_text(result), file=sys.stdout if result.ok else sys.stderr)
    print(f"({result.tool} · {result.seconds * 1000:.0f} ms)", file=sys.stderr)
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

    from bot.sync_command import parse_since

    sync = sub.add_parser("sync", help="load the configured sources (or the demo fixtures) into the store")
    sync.add_argument(
        "--source",
        choices=["square", "deliverect", "fixtures"],
        help="which source to sync (default: Square and/or Deliverect when configured, else the fixtures)",
    )
    sync.add_argument(
        "--since",
        type=parse_since,
        metavar="DATE",
        help="live sources: read orders updated since this date (default: since the last sync)",
    )
    sync.add_argument(
        "--replace-demo",
        action="store_true",
        help="live sources: first remove the demo (fixture) business from the store; conversations are kept",
    )
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

    from bot.serve_command import add_parser as add_serve_parser

    add_serve_parser(sub)

    from bot.slack_command import add_parser as add_slack_parser

    add_slack_parser(sub)

    repl = sub.add_parser("repl", help="the interactive session (the same as `opsbot` with no command)")
    repl.add_argument("--model", help="the model for this session (default: OPSBOT_MODEL)")
    repl.add_argument("--conversation", metavar="ID", help="continue an earlier conversation")
    repl.set_defaults(handler=cmd_repl)

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
    handler = getattr(args, "handler", None) or cmd_repl
    from tools.sources.records import PayloadError
    from tools.store.database import StoreError
    from tools.top_level_packages import TopLevelNameClash

    try:
        return handler(settings, args)
    except (StoreError, PayloadError, FileNotFoundError, TopLevelNameClash) as exc:
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
