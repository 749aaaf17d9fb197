"""The demo business in a temporary SQLite store, for the benchmarks that start opsbot as a user would."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store

ROOT = Path(__file__).resolve().parents[1]


def load_demo_store(prefix: str) -> tuple[Path, str]:
    """A new temporary folder and the URL of a SQLite store in it holding the anchored demo business."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    url = f"sqlite:///{folder / 'opsbot.db'}"
    print(f"Loading the demo business into {url} …")
    engine = open_store(url)
    sync_fixtures(engine, ROOT / "fixtures" / "demo", anchor=True)
    engine.dispose()
    return folder, url
