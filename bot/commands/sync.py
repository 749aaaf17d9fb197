"""``opsbot sync``: the demo fixtures or the live sources (``--source square|deliverect``) into the store,
and the sync report every source's sync prints."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.application import Application
from bot.commands.progress import page_counter, progress_bar
from bot.services.plugin_sync import sync_data_source_plugins
from bot.settings import Settings
from tools.sources.fixtures.sync import ProgressCallback, sync_fixtures
from tools.sync.report import SyncReport
from tools.sync.store_origin import (
    fixture_business,
    fixture_sync_refusal,
    live_sync_refusal,
    remove_business_data,
)


def cmd_sync(app: Application, args: argparse.Namespace) -> int:
    """``opsbot sync``: the configured live sources, else the fixtures; the exit status."""
    sources = [args.source] if args.source else app.settings.sources.configured or ["fixtures"]
    if sources == ["fixtures"]:
        for flag, given in (("--since", args.since), ("--replace-demo", args.replace_demo)):
            if given:
                print(f"opsbot: {flag} is for --source square or deliverect", file=sys.stderr)
                return 2
        return sync_fixture_folder(app, args.fixtures, anchor=not args.no_anchor, batch_size=args.batch_size)
    return run_live_sync(app, sources, args.since, sys.stdout, replace_demo=args.replace_demo)


def sync_fixture_folder(
    app: Application,
    fixtures: str | None,
    *,
    anchor: bool = True,
    batch_size: int = 1000,
    out=None,
    err=None,
    progress: ProgressCallback | None = None,
) -> int:
    """Sync a fixture folder (default: the configured one), print the report (to ``out``, default stdout;
    errors to ``err``, default stderr); the exit status. ``progress`` (default: a progress bar on a
    terminal's stderr) follows each stage."""
    settings = app.settings
    out = out or sys.stdout
    err = err or sys.stderr
    folder = Path(fixtures) if fixtures else settings.fixtures_dir
    engine = app.store
    refusal = fixture_sync_refusal(engine)
    if refusal:
        print(f"opsbot: {refusal}", file=err)
        return 2
    anchor = settings.demo_anchor and anchor
    print(f"Syncing {folder} into {engine.url.render_as_string(hide_password=True)}", file=out)
    started = time.perf_counter()
    progress = progress or progress_bar()
    report = sync_fixtures(engine, folder, anchor=anchor, progress=progress, batch_size=batch_size)
    return print_sync_report(report, started, out, err)


def parse_since(text: str) -> date:
    """``--since``: a date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date — use YYYY-MM-DD") from None


def print_sync_report(report: SyncReport, started: float, out: TextIO, err: TextIO | None = None) -> int:
    """Print notes, a table of stages and a closing line (errors and a failure on ``err``, default stderr);
    the exit status."""
    err = err or sys.stderr
    for note in report.notes:
        print(f"  {note}", file=out)
    print(
        f"  {'stage':<20} {'seen':>9} {'inserted':>9} {'updated':>8} {'unchanged':>9} {'errors':>6}  time",
        file=out,
    )
    for stage in report.stages:
        c = stage.counts
        rate = f"  ({stage.rate:,.0f}/s)" if stage.name.endswith("orders") and stage.seconds else ""
        print(
            f"  {stage.name:<20} {c.seen:>9,} {c.inserted:>9,} {c.updated:>8,} {c.unchanged:>9,} "
            f"{len(c.errors):>6}  {stage.seconds:.1f} s{rate}",
            file=out,
        )
    if report.failure:
        print("Stopped early; what was read before is stored.", file=out)
    else:
        print(
            "Nothing new."
            if report.changed == 0 and not report.errors
            else f"Done in {time.perf_counter() - started:.1f} s.",
            file=out,
        )
    if report.errors:
        print(f"\n{len(report.errors)} record(s) were not stored:", file=err)
        for error in report.errors[:20]:
            print(f"  {error}", file=err)
        if len(report.errors) > 20:
            print(f"  … and {len(report.errors) - 20} more", file=err)
    if report.failure:
        print(f"opsbot: {report.failure}", file=err)
    return 1 if report.errors or report.failure else 0


def _label(settings: Settings, source: str) -> str:
    if source == "square":
        square = settings.sources.square
        return f"Square ({square.base_url or square.environment})"
    return f"Deliverect ({settings.sources.deliverect.base_url})"


def run_live_sync(
    app: Application, sources: list[str], since: date | None, out: TextIO, *, replace_demo: bool = False
) -> int:
    """Sync each of ``sources`` in turn (incremental, or from ``since``); the exit status. A store holding
    the demo (fixture data) is refused, or with ``replace_demo`` emptied of it first."""
    # Imported here: the live clients (the squareup SDK) take ~0.3 s to import (python -X importtime), which
    # every `opsbot` start, the REPL's included, would pay.
    from bot.services.live_sources import missing_credentials, sync_live_source

    settings = app.settings
    for source in sources:
        problem = missing_credentials(settings, source)
        if problem:
            print(f"opsbot: {problem}", file=sys.stderr)
            return 2
    status = 0
    engine = app.store
    store = engine.url.render_as_string(hide_password=True)
    fixtures = fixture_business(engine)
    if fixtures and replace_demo:
        removed = remove_business_data(engine)
        print(f"Removed {fixtures} ({removed:,} orders) from {store}; conversations are kept.", file=out)
    refusal = live_sync_refusal(engine)
    if refusal:
        print(f"opsbot: {refusal}", file=sys.stderr)
        return 2
    for source in sources:
        print(f"Syncing {_label(settings, source)} into {store}", file=out)
        started = time.perf_counter()
        progress = page_counter()
        report = sync_live_source(settings, engine, source, since=since, progress=progress)
        if progress:
            sys.stderr.write("\n")
        status = max(status, print_sync_report(report, started, out))
    return max(status, sync_plugin_sources(app, since, out))


def sync_plugin_sources(app: Application, since: date | None, out: TextIO) -> int:
    """Each installed data-source plugin's live sync, after the core's sources; the exit status."""
    report = sync_data_source_plugins(app.settings, app.store, since=since)
    for note in report.notes:
        print(f"  {note}", file=out)
    for failure in report.failures:
        print(f"opsbot: {failure}", file=sys.stderr)
    return 1 if report.failures else 0


def add_parser(sub) -> None:
    """Register ``sync`` on the ``opsbot`` sub-command parser."""
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
