"""``opsbot db upgrade``: apply pending schema migrations."""

from __future__ import annotations

import argparse

from bot.application import Application
from tools.store.database import current_revision


def cmd_db_upgrade(app: Application, _args: argparse.Namespace) -> int:
    """Open (and so migrate) the store and print the revision it is at."""
    engine = app.store
    print(
        f"{engine.url.render_as_string(hide_password=True)} is at schema revision {current_revision(engine)}"
    )
    return 0


def add_parser(sub) -> None:
    """Register ``db upgrade`` on the ``opsbot`` sub-command parser."""
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=cmd_db_upgrade)
