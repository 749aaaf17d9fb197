"""Data-source plugins: a package that brings its own data (tables, a sync, fixtures, commands) as well as
tools. Such a plugin's one ``opsbot.tools`` entry point names a :class:`DataSource` instead of a bare list
of tools; the registry takes its ``tools`` and the core calls its hooks:

- ``migrations``: a folder of Alembic revision files for the plugin's own tables, applied by ``open_store``
  after the core's, with the plugin's own version table (``opsbot_<name>_version``) — so the core's history
  never names a plugin revision and uninstalling the plugin leaves a store the core still opens.
- ``tables``: those tables, children first: emptied when the business data is replaced (live over demo).
- ``load_fixtures(FixtureLoad)``: its part of a fixture folder (the demo's ``labor/`` …), moved by the same
  anchor as the orders, after the core has stored locations, menu and orders.
- ``sync_live(LiveSync)``: its live API, after the core's sources, when ``opsbot sync`` runs them.
- ``generate_demo(folder)``: its demo fixtures, written after the core's, read from what the core wrote.
- ``add_commands(subparsers)``: its own ``opsbot NAME …`` sub-commands; each parser's ``handler`` default is
  called as ``handler(CommandContext, args)`` and returns the exit status.

Hooks report what they did as one-line notes (``"labor: 1,204 shifts stored"``) and raise
:class:`SourceError` with a one-line message for anything the user must fix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, select

# The one error a source gives for what the user must fix (core sources and plugins alike).
from tools.sources.api_calls import SourceError as SourceError

log = logging.getLogger("opsbot.plugins")
ENTRY_POINT_GROUP = "opsbot.tools"


@dataclass(frozen=True)
class FixtureLoad:
    """What ``load_fixtures`` gets: the read-write ``engine``, the fixture ``folder``, ``shift_days`` (whole
    weeks the demo is moved by, 0 when not anchored), ``now`` (UTC; nothing after it is stored) and
    ``location_ids`` (Square location id → the store's location id)."""

    engine: Engine
    folder: Path
    shift_days: int
    now: datetime
    location_ids: Mapping[str, int]


@dataclass(frozen=True)
class LiveSync:
    """What ``sync_live`` gets: the read-write ``engine``, the process environment (credentials such as
    ``SQUARE_ACCESS_TOKEN``), ``since`` (re-read from this date; None = incremental), ``now`` (UTC) and
    ``location_ids`` (Square location id → the store's location id)."""

    engine: Engine
    environ: Mapping[str, str]
    since: date | None
    now: datetime
    location_ids: Mapping[str, int]


@dataclass(frozen=True)
class CommandContext:
    """What a plugin command's handler gets: the read-write ``engine`` (opened and migrated), the
    business ``today`` and ``week_start`` (0 = Monday)."""

    engine: Engine
    today: date
    week_start: int = 0


@dataclass(frozen=True)
class DataSource:
    """A data-source plugin: its name (its entry point's), tools and hooks (see the module docstring)."""

    name: str
    tools: Sequence[Callable[..., Any]]
    migrations: Path | None = None
    tables: Sequence[Table] = ()
    load_fixtures: Callable[[FixtureLoad], list[str]] | None = None
    sync_live: Callable[[LiveSync], list[str]] | None = None
    generate_demo: Callable[[Path], list[str]] | None = None
    add_commands: Callable[[Any], None] | None = None
    settings: Mapping[str, str] = field(default_factory=dict)  # environment variable → what it sets

    def __repr__(self) -> str:
        return f"DataSource({self.name!r}, tools={[getattr(t, '__name__', t) for t in self.tools]})"

    @property
    def version_table(self) -> str:
        """The table recording which of its migrations a store has."""
        return f"opsbot_{self.name.replace('-', '_')}_version"


def square_location_ids(engine: Engine) -> dict[str, int]:
    """Square location id → the store's location id, for the locations that have one (what FixtureLoad and
    LiveSync hand a plugin)."""
    from tools.store.models import Location  # here: the store package imports this module

    with engine.connect() as conn:
        rows = conn.execute(select(Location.square_location_id, Location.id)).all()
    return {square_id: location_id for square_id, location_id in rows if square_id}


def _entries() -> list:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def installed_data_sources() -> list[DataSource]:
    """Every installed plugin whose entry point names a DataSource, by name; a plugin that fails to load is
    logged and skipped (the registry reports it too)."""
    sources = []
    for entry_point in _entries():
        if entry_point.name == "builtin":
            continue
        try:
            value = entry_point.load()
        except Exception:
            log.debug("plugin %r could not be loaded", entry_point.name, exc_info=True)
            continue
        if isinstance(value, DataSource):
            sources.append(value)
    return sources
