"""A built copy of the demo store, so a first run in a new folder starts with the demo loaded.

The install (``./opsbot``'s first run, ``opsbot demo prepare``) syncs the bundled fixtures through the real
parsers into a scratch SQLite store and keeps it in the demo cache (``Settings.demo_cache``); a first run
whose store is an empty SQLite file copies it in (SQLite's online backup) instead of parsing 40k orders.
A copy is only used when everything its contents depend on is the same: the fixture files, the code that
parses and stores them (the ``tools`` package and the data-source plugins), the store's schema revision and
the anchor (the days the demo is moved by and each location's yesterday). Anchoring also keeps refunds and
cancellations that lie after "now" out, so a copy built earlier the same day is brought up to date by an
ordinary fixtures sync behind the prompt, as any later sync would.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

import tools
from bot.settings import Settings
from tools.data_sources import installed_data_sources
from tools.sources.fixtures.folder import FixtureSource, anchor_demo
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import head_revision, open_store

PREFIX = "demo-"


def template_key(folder: Path, *, anchor: bool, now: datetime | None = None) -> str:
    """What a built demo store's contents depend on, as one hex digest."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(_code_digest().encode())
    digest.update(head_revision().encode())
    if anchor:
        source = FixtureSource(Path(folder))
        moved = anchor_demo(source.period_last_day(), source.timezones(), now or datetime.now(UTC))
        days = ",".join(f"{loc}={day.isoformat()}" for loc, day in sorted(moved.last_day.items()))
        digest.update(f"anchored {moved.shift_days} {days}".encode())
    else:
        digest.update(b"not anchored")
    return digest.hexdigest()[:24]


@cache
def _code_digest() -> str:
    """The source of the code that parses and stores the fixtures: ``tools`` and every data-source plugin."""
    digest = hashlib.sha256()
    roots = {Path(tools.__file__).parent}
    for plugin in installed_data_sources():
        if plugin.load_fixtures is None:
            continue
        package = sys.modules.get(plugin.load_fixtures.__module__.split(".")[0])
        if package is not None and getattr(package, "__file__", None):
            roots.add(Path(package.__file__).parent)
    for root in sorted(roots):
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def sqlite_file(engine: Engine) -> Path | None:
    """The store's file when it is a SQLite file named by its path (not in memory, not a URI), else None."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def find_template(cache_dir: Path, key: str) -> Path | None:
    """The built demo for ``key`` in ``cache_dir``, if there is one."""
    path = cache_dir / f"{PREFIX}{key}.db"
    return path if path.is_file() else None


def _read_only(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def copy_into(template: Path, store: Path) -> None:
    """Replace one SQLite file's contents (the empty store's, a scratch file's) with another's, through
    SQLite's online backup."""
    with _read_only(template) as source, closing(sqlite3.connect(store)) as target:
        source.backup(target)


def save_template(store: Path, cache_dir: Path, key: str) -> Path:
    """Keep a copy of the freshly loaded store as the built demo for ``key`` (written aside, then renamed
    into place, so a reader never sees half a file); older built demos are removed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / f"{PREFIX}{key}.db"
    handle, scratch = tempfile.mkstemp(prefix=".building-", suffix=".db", dir=cache_dir)
    os.close(handle)
    try:
        copy_into(store, Path(scratch))
        _one_file(Path(scratch))
        os.replace(scratch, final)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    for old in cache_dir.glob(f"{PREFIX}*"):  # with any -wal or -shm a reader left beside it
        if old != final:
            old.unlink(missing_ok=True)
    return final


def orders_in(path: Path) -> int:
    """How many orders a built demo holds (for the line telling the user it is loaded)."""
    with _read_only(path) as connection:
        return int(connection.execute("SELECT count(*) FROM orders").fetchone()[0])


def load_built_demo(settings: Settings, engine: Engine, folder: Path, key: str | None = None) -> int | None:
    """Copy the built demo into the store if one matches (the store an empty SQLite file); the orders it
    holds, or None when there is none to use. ``key``: the folder's ``template_key``, if the caller has it."""
    store = sqlite_file(engine)
    if store is None or settings.demo_cache is None:
        return None
    template = find_template(settings.demo_cache, key or template_key(folder, anchor=settings.demo_anchor))
    if template is None or not _holds_nothing(store):
        return None
    engine.dispose()  # no pooled connection holds the file while its pages are replaced
    copy_into(template, store)
    return orders_in(template)


def _one_file(path: Path) -> None:
    """Take the copy out of WAL mode (the store's), so it is one self-contained file that read-only
    readers open without making -wal and -shm files beside it; a store copied from it is put back in WAL
    mode by the store's own connections."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")


def _holds_nothing(store: Path) -> bool:
    """Whether the store has no orders and no conversations (a copy replaces the whole file)."""
    with _read_only(store) as connection:
        return not any(
            connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
            for table in ("orders", "conversations")
        )


def keep_built_demo(settings: Settings, engine: Engine, folder: Path, key: str) -> Path | None:
    """After a first run loaded the demo from its fixtures: keep it as the built demo for later first runs
    (when the demo cache folder exists and the key is still today's); the file, or None."""
    store = sqlite_file(engine)
    if store is None or settings.demo_cache is None or not settings.demo_cache.is_dir():
        return None  # only where the install (``opsbot demo prepare``) made the demo cache
    if key != template_key(folder, anchor=settings.demo_anchor):
        return None  # the day turned while it loaded: its contents belong to neither day's key
    return save_template(store, settings.demo_cache, key)


def build_demo(settings: Settings, folder: Path, cache_dir: Path) -> tuple[Path, int]:
    """Sync the fixtures into a scratch SQLite store and keep it as the built demo in ``cache_dir``: the
    file and its orders (``opsbot demo prepare``; the install runs it)."""
    now = datetime.now(UTC)
    key = template_key(folder, anchor=settings.demo_anchor, now=now)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".scratch-", dir=cache_dir) as scratch:
        path = Path(scratch) / "demo.db"
        engine = open_store(f"sqlite:///{path}")
        try:
            report = sync_fixtures(engine, folder, now=now, anchor=settings.demo_anchor)
        finally:
            engine.dispose()
        if report.failure or report.errors:
            raise RuntimeError(report.failure or f"{len(report.errors)} payloads were refused")
        built = save_template(path, cache_dir, key)
    return built, orders_in(built)
