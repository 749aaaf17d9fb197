"""The live syncs of the installed data-source plugins (the labor plugin's Square Labor timecards), run after
the core's sources by ``opsbot sync`` and by the periodic sync inside ``opsbot serve``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from bot.settings import Settings
from tools.data_sources import LiveSync, SourceError, installed_data_sources, square_location_ids


@dataclass
class PluginSyncReport:
    """What the plugins' syncs said: notes, and one line per plugin that stopped."""

    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def sync_data_source_plugins(
    settings: Settings, engine: Engine, *, since: date | None = None, now: datetime | None = None
) -> PluginSyncReport:
    """Each installed data-source plugin's live sync, with the credentials the settings hold."""
    report = PluginSyncReport()
    plugins = [source for source in installed_data_sources() if source.sync_live is not None]
    if not plugins:
        return report
    location_ids = square_location_ids(engine)
    live = LiveSync(
        engine=engine,
        environ=settings.environ,
        since=since,
        now=now or datetime.now(UTC),
        location_ids=location_ids,
    )
    for source in plugins:
        assert source.sync_live is not None
        try:
            report.notes.extend(source.sync_live(live))
        except SourceError as exc:
            report.failures.append(f"{source.name}: {' '.join(str(exc).split())}")
    return report
