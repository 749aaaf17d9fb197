"""The built demo: ``opsbot demo prepare`` syncs the fixtures into a store kept in the demo cache, and a first
run in a new folder copies it in — loaded at once, holding exactly what a sync of the same fixtures stores,
brought up to date behind the prompt by an ordinary sync — but only while everything its contents depend on
is the same; otherwise the demo loads from its fixtures as before, and that load is kept for the next one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from benchmarks.reference_loader import store_rows
from bot.application import Application
from bot.repl import demo_template
from bot.repl.demo_load import DemoLoad
from bot.settings import load_settings
from tests.support.cli import opsbot
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store


def settings_for(folder: Path, fixtures: Path, cache: Path | str) -> dict:
    return {
        "OPSBOT_DATA_DIR": str(folder),
        "OPSBOT_FIXTURES_DIR": str(fixtures),
        "OPSBOT_DEMO_ANCHOR": "false",
        "OPSBOT_DEMO_CACHE": str(cache),
    }


def comparable(engine) -> dict[str, list[tuple]]:
    """The store's rows without the one column that says when a sync ran (orders.synced_at)."""
    rows = store_rows(engine)
    names = [column["name"] for column in inspect(engine).get_columns("orders")]
    at = names.index("synced_at")
    rows["orders"] = [row[:at] + row[at + 1 :] for row in rows["orders"]]
    return rows


def rows_of(path: Path) -> dict[str, list[tuple]]:
    engine = open_store(f"sqlite:///{path}", upgrade=False)
    try:
        return comparable(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def built(small_fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """``opsbot demo prepare`` of the small fixtures: the cache folder, the built file and its orders."""
    cache = tmp_path_factory.mktemp("demo-cache")
    where = tmp_path_factory.mktemp("prepare")
    done = opsbot("demo", "prepare", cwd=where, env=settings_for(where, small_fixtures, cache))
    assert done.returncode == 0, done.stderr
    (file,) = cache.iterdir()  # one self-contained file: no -wal or -shm beside it
    assert done.stdout.startswith("Built the demo (") and str(file) in done.stdout
    orders = int(done.stdout.split("(", 1)[1].split(" orders", 1)[0].replace(",", ""))
    return cache, file, orders


def test_the_built_demo_holds_what_a_sync_of_the_fixtures_stores(built, small_fixtures, tmp_path):
    _, file, orders = built
    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    report = sync_fixtures(reference, small_fixtures, anchor=False)
    assert not report.errors and not report.failure
    assert comparable(reference) == rows_of(file)
    with reference.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM orders")) == orders > 300
    reference.dispose()


def test_a_first_run_copies_the_built_demo_in_and_is_loaded_at_once(built, small_fixtures, tmp_path):
    cache, file, orders = built
    app = Application(load_settings(env_file=None, environ=settings_for(tmp_path, small_fixtures, cache)))
    demo = DemoLoad(app)
    assert demo.wait(60) and demo.ok and demo.copied
    assert demo.orders == orders
    assert demo.outcome().startswith(f"The demo is loaded: {orders:,} orders of Copperline Kitchen, copied")
    assert app.summary().locations
    assert demo.wait_caught_up(300)  # the catch-up sync (its own process) finished
    assert comparable(app.store) == rows_of(file)  # nothing had happened since: it changed nothing
    with app.store.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM sync_runs")) > 2  # the build's runs and the catch-up's
    with app.store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"  # the store's own mode again
    app.close()
    assert list(cache.iterdir()) == [file]  # a copy is not kept again, and reading it made no files


def test_a_built_demo_of_other_fixtures_is_not_used_and_the_load_from_the_fixtures_is_kept(
    built, small_fixtures, tmp_path
):
    cache, file, _ = built
    other_cache = tmp_path / "cache"
    shutil.copytree(cache, other_cache)
    changed = tmp_path / "fixtures"
    shutil.copytree(small_fixtures, changed)
    business = changed / "business.json"
    business.write_text(business.read_text().replace("Copperline Kitchen", "Copperline Kitchens"))

    app = Application(
        load_settings(env_file=None, environ=settings_for(tmp_path / "a", changed, other_cache))
    )
    demo = DemoLoad(app)
    assert demo.wait(300) and demo.ok and not demo.copied
    assert "Done in" in demo.report()
    app.close()
    (kept,) = other_cache.glob("demo-*.db")  # this load replaced the other fixtures' built demo
    assert kept.name != file.name
    assert kept.name == f"demo-{demo_template.template_key(changed, anchor=False)}.db"
    assert rows_of(kept) == rows_of(tmp_path / "a" / "opsbot.db")
    assert ("business_name", "Copperline Kitchens") in rows_of(kept)["store_meta"]


def test_without_a_demo_cache_nothing_is_copied_or_kept(built, small_fixtures, tmp_path):
    for cache in ("off", str(tmp_path / "not-made")):
        folder = tmp_path / cache.replace("/", "_")
        app = Application(load_settings(env_file=None, environ=settings_for(folder, small_fixtures, cache)))
        demo = DemoLoad(app)
        assert demo.wait(300) and demo.ok and not demo.copied
        app.close()
    assert not (tmp_path / "not-made").exists()  # only a folder the install made is filled


def test_the_key_follows_the_fixtures_the_code_revision_and_the_anchor(small_fixtures, tmp_path, monkeypatch):
    key = demo_template.template_key(small_fixtures, anchor=False)
    assert key == demo_template.template_key(small_fixtures, anchor=False)
    assert key != demo_template.template_key(small_fixtures, anchor=True)
    monkeypatch.setattr(demo_template, "head_revision", lambda: "9999")
    assert key != demo_template.template_key(small_fixtures, anchor=False)
    monkeypatch.undo()
    monkeypatch.setattr(demo_template, "_code_digest", lambda: "other code")
    assert key != demo_template.template_key(small_fixtures, anchor=False)


def test_prepare_without_a_cache_folder_says_how_to_name_one(small_fixtures, tmp_path):
    done = opsbot("demo", "prepare", cwd=tmp_path, env={"OPSBOT_FIXTURES_DIR": str(small_fixtures)})
    assert done.returncode == 2
    assert done.stderr == "opsbot: say where to keep it: --cache FOLDER or OPSBOT_DEMO_CACHE\n"


def test_a_store_that_holds_a_conversation_is_not_replaced_by_the_built_demo(built, small_fixtures, tmp_path):
    cache, _, _ = built
    settings = load_settings(env_file=None, environ=settings_for(tmp_path, small_fixtures, cache))
    app = Application(settings)
    with app.store.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO conversations (id, source, created_at, updated_at) "
                "VALUES ('repl:kept', 'repl', '2026-11-24', '2026-11-24')"
            )
        )
    assert demo_template.load_built_demo(settings, app.store, small_fixtures) is None
    with app.store.connect() as conn:
        assert conn.scalar(text("SELECT id FROM conversations")) == "repl:kept"
        assert conn.scalar(text("SELECT count(*) FROM orders")) == 0
    app.close()
