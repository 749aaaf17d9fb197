"""Open the store: build the engine for a SQLite file or PostgreSQL URL and bring its schema to the newest
migration."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from tools.data_sources import DataSource, installed_data_sources
from tools.store.rollups import ensure_current

MIGRATIONS = str(Path(__file__).with_name("migrations"))
PLUGIN_MIGRATIONS = str(Path(__file__).with_name("plugin_migrations"))


class StoreError(RuntimeError):
    """The store cannot be opened or migrated; the message says what to fix."""


def normalize_url(url: str) -> str:
    """Accept the URLs people paste: ``postgres://`` and ``postgresql://`` use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created if needed."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Plain executemany (pipelined by psycopg) beats multi-row INSERT … VALUES for bulk loads here.
        return create_engine(url, pool_pre_ping=True, use_insertmanyvalues=False)
    raise StoreError(
        f"unsupported DATABASE_URL backend {parsed.get_backend_name()!r} — "
        "use sqlite:///path/to/file.db or postgresql+psycopg://user:pass@host/db"
    )


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_revision() -> str:
    """The newest migration revision shipped with this code."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None when it has no schema yet)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database schema to ``revision`` (idempotent)."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _plugin_config(source: DataSource) -> Config:
    config = Config()
    config.set_main_option("script_location", PLUGIN_MIGRATIONS)
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(source.migrations))
    config.attributes["version_table"] = source.version_table
    return config


def plugin_head_revision(source: DataSource) -> str | None:
    """The newest of a data-source plugin's own migrations (None when it has none)."""
    if source.migrations is None:
        return None
    return ScriptDirectory.from_config(_plugin_config(source)).get_current_head()


def plugin_revision(engine: Engine, source: DataSource) -> str | None:
    """The plugin migration the database is at (None: its tables are not there yet)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": source.version_table})
        return context.get_current_revision()


def migrate_plugins(engine: Engine, sources: list[DataSource]) -> None:
    """Bring every data-source plugin's own tables to its newest migration (after the core's)."""
    for source in sources:
        if source.migrations is None or plugin_revision(engine, source) == plugin_head_revision(source):
            continue
        config = _plugin_config(source)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def open_store(url: str, *, upgrade: bool = True, sources: list[DataSource] | None = None) -> Engine:
    """Open the store at ``url`` and (by default) migrate it to the newest schema: the core's, then each
    data-source plugin's (``sources``; default: the installed ones)."""
    engine = create_store_engine(url)
    try:
        if upgrade and current_revision(engine) != head_revision():
            migrate(engine)
        if upgrade:
            migrate_plugins(engine, installed_data_sources() if sources is None else sources)
            ensure_current(engine)
    except Exception as exc:
        engine.dispose()
        reason = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise StoreError(f"cannot open the store at {make_url(normalize_url(url))!r}: {reason}") from exc
    return engine
