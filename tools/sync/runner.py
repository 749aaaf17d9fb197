"""Run a sync: reference data first (locations, menu, commission rates), then each source's orders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert

from tools.sources.records import OrderRecord, PayloadError
from tools.store.models import SyncRun
from tools.sync.fixture_source import FixtureSource, ParsedItem, anchor_demo
from tools.sync.order_writer import OrderWriter, RecordError, WriteCounts
from tools.sync.reference_writer import (
    replace_commission_rates,
    set_meta,
    upsert_locations,
    upsert_menu,
)
from tools.sync.store_origin import fixture_sync_refusal

# (stage, fraction done 0..1, orders seen so far)
ProgressCallback = Callable[[str, float, int], None]


@dataclass
class StageReport:
    """What one stage of a sync did."""

    name: str
    counts: WriteCounts
    seconds: float

    @property
    def rate(self) -> float:
        return self.counts.seen / self.seconds if self.seconds else 0.0


@dataclass
class SyncReport:
    """What a sync did, stage by stage."""

    stages: list[StageReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure: str | None = None  # why a live source stopped early (what was stored before it is kept)

    @property
    def errors(self) -> list[RecordError]:
        return [error for stage in self.stages for error in stage.counts.errors]

    @property
    def changed(self) -> int:
        return sum(s.counts.inserted + s.counts.updated for s in self.stages)


def errors_as_records(items: Iterable[ParsedItem], counts: WriteCounts) -> Iterator[tuple[str, OrderRecord]]:
    """The records of ``items``; the errors among them go to ``counts.errors``."""
    for origin, item in items:
        if isinstance(item, PayloadError):
            counts.errors.append(RecordError(origin, str(item)))
        else:
            yield origin, item


def sync_fixtures(
    engine: Engine,
    folder: Path,
    *,
    now: datetime | None = None,
    anchor: bool = True,
    progress: ProgressCallback | None = None,
    batch_size: int = 1000,
) -> SyncReport:
    """Load a fixture folder into the store; ``anchor`` moves the demo so its last full day is yesterday."""
    now = now or datetime.now(UTC)
    report = SyncReport()
    refusal = fixture_sync_refusal(engine)
    if refusal:
        report.failure = refusal
        return report
    source = FixtureSource(folder)
    if anchor:
        source.anchor = anchor_demo(source.period_last_day(), source.timezones(), now)
        report.notes.append(
            f"demo anchored: moved {source.anchor.shift_days:+d} days so its last full day is yesterday "
            f"({max(source.anchor.last_day.values()).isoformat()})"
        )

    started = time.perf_counter()
    counts = upsert_locations(engine, source.locations(), _invert(source.deliverect_locations))
    counts.add(upsert_menu(engine, source.menu()))
    rates_changed = replace_commission_rates(engine, source.commission_rates())
    report.stages.append(StageReport("locations and menu", counts, time.perf_counter() - started))
    set_meta(
        engine,
        {
            "business_name": str(source.business.get("business_name", "")),
            "business_description": str(source.business.get("description", "")),
            "data_source": f"fixtures:{Path(folder).name}",
            "demo_shift_days": str(source.anchor.shift_days if source.anchor else 0),
        },
    )

    writer = OrderWriter(engine, batch_size=batch_size, now=now)
    if rates_changed:
        updated = writer.recompute_commissions()
        if updated:
            report.notes.append(f"commission rates changed: re-estimated {updated} orders")
    for stage, items in (
        ("square orders", source.square_orders),
        ("deliverect orders", source.deliverect_orders),
    ):
        started = time.perf_counter()
        run_started = datetime.now(UTC)
        counts = WriteCounts()

        def tick(done: int, total: int, stage: str = stage, counts: WriteCounts = counts) -> None:
            # Reading runs ahead of writing, so "all read" is not "done": 100% is reported after the write.
            if progress:
                progress(stage, min(done / total, 0.99) if total else 0.99, counts.seen)

        written = writer.write(errors_as_records(items(tick), counts))
        counts.add(written)
        if progress:
            progress(stage, 1.0, counts.seen)
        seconds = time.perf_counter() - started
        report.stages.append(StageReport(stage, counts, seconds))
        record_run(engine, stage.split()[0], run_started, counts)
    return report


def _invert(mapping: dict[str, str]) -> dict[str, str]:
    return {value: key for key, value in mapping.items()}


def record_run(
    engine: Engine, source: str, started: datetime, counts: WriteCounts, failure: str | None = None
) -> None:
    """Store one sync of one source in ``sync_runs``."""
    with engine.begin() as conn:
        conn.execute(
            insert(SyncRun).values(
                source=source,
                started_at=started,
                finished_at=datetime.now(UTC),
                inserted=counts.inserted,
                updated=counts.updated,
                unchanged=counts.unchanged,
                errors=len(counts.errors),
                note="; ".join([failure] * bool(failure) + [str(e) for e in counts.errors[:5]]) or None,
            )
        )
