"""What a sync did: its stages (``StageReport``) in a ``SyncReport``; each source's run in ``sync_runs``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, insert

from tools.secret_masking import mask_secrets
from tools.store.models import SyncRun
from tools.sync.orders.writer import RecordError, WriteCounts


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
                note=mask_secrets("; ".join([failure] * bool(failure) + [str(e) for e in counts.errors[:5]]))
                or None,
            )
        )
