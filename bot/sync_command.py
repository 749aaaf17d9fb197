"""``opsbot sync`` for the live sources (``--source square|deliverect``), and the sync report every source's
sync prints."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from typing import TextIO

from bot.settings import Settings
from tools.sync.report import SyncReport


def parse_since(text: str) -> date:
    """``--since``: a date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date — use YYYY-MM-DD") from None


def print_sync_report(report: SyncReport, started: float, out: TextIO) -> int:
    """Print notes, a table of stages and a closing line (errors and a failure on stderr); the exit status."""
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
        print(f"\n{len(report.errors)} record(s) were not stored:", file=sys.stderr)
        for error in report.errors[:20]:
            print(f"  {error}", file=sys.stderr)
        if len(report.errors) > 20:
            print(f"  … and {len(report.errors) - 20} more", file=sys.stderr)
    if report.failure:
        print(f"opsbot: {report.failure}", file=sys.stderr)
    return 1 if report.errors or report.failure else 0


def _page_printer(stream: TextIO = sys.stderr):
    """A one-line page counter on a terminal; silent when output is redirected."""
    if not stream.isatty():
        return None

    def show(stage: str, pages: int, seen: int) -> None:
        stream.write(f"\r  {stage:<20} page {pages:,} · {seen:,} orders")
        stream.flush()

    return show


def _label(settings: Settings, source: str) -> str:
    if source == "square":
        square = settings.sources.square
        return f"Square ({square.base_url or square.environment})"
    return f"Deliverect ({settings.sources.deliverect.base_url})"


def run_live_sync(
    settings: Settings, sources: list[str], since: date | None, out: TextIO, *, replace_demo: bool = False
) -> int:
    """Sync each of ``sources`` in turn (incremental, or from ``since``); the exit status. A store holding
    the demo (fixture data) is refused, or with ``replace_demo`` emptied of it first."""
    from bot.live_sources import missing_credentials, sync_live_source
    from tools.store.database import open_store
    from tools.sync.store_origin import fixture_business, live_sync_refusal, remove_business_data

    for source in sources:
        problem = missing_credentials(settings, source)
        if problem:
            print(f"opsbot: {problem}", file=sys.stderr)
            return 2
    status = 0
    engine = open_store(settings.database_url)
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
        progress = _page_printer()
        report = sync_live_source(settings, engine, source, since=since, progress=progress)
        if progress:
            sys.stderr.write("\n")
        status = max(status, print_sync_report(report, started, out))
    return status
