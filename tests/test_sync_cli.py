"""``opsbot sync`` with live sources, run as a user runs it (a subprocess) against the fake Square and
Deliverect APIs: sources chosen by configuration, --source and --since, the summary, and one clear line for
a bad credential."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.agent.conversation_store import ConversationStore
from tests.fakes.deliverect_api import CLIENT_ID, CLIENT_SECRET, FakeDeliverect
from tests.fakes.square_api import VALID_TOKEN, FakeSquare
from tests.support.cli import opsbot
from tools.store.database import open_store
from tools.store.models import Location, Order
from tools.sync.reference_writer import get_meta


@pytest.fixture
def fakes(live_business):
    with (
        FakeSquare(live_business.locations, live_business.catalog, live_business.square_orders) as square,
        FakeDeliverect(list(live_business.deliverect_orders.values())) as deliverect,
    ):
        square.business = live_business
        yield square, deliverect


def live_env(tmp_path, square, deliverect, **extra) -> dict:
    business = square.business
    return {
        # Not every Deliverect order names its Square location (posLocationId): the mapping places the rest.
        "DELIVERECT_LOCATIONS": ",".join(f"{d}={s}" for d, s in business.deliverect_locations.items()),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "SQUARE_ACCESS_TOKEN": VALID_TOKEN,
        "SQUARE_BASE_URL": square.url,
        "DELIVERECT_CLIENT_ID": CLIENT_ID,
        "DELIVERECT_CLIENT_SECRET": CLIENT_SECRET,
        "DELIVERECT_BASE_URL": deliverect.url,
        "OPSBOT_SYNC_INITIAL_DAYS": "3650",
        **extra,
    }


def stage_row(stdout: str, stage: str) -> list[str]:
    """The summary table's row of ``stage`` (not the notes that start with its name)."""
    rows = (line.split() for line in stdout.splitlines() if line.strip().startswith(stage))
    return next(row for row in rows if row[2].replace(",", "").isdigit())


def test_configured_sources_are_synced_by_default_with_a_summary(tmp_path, fakes):
    square, deliverect = fakes
    result = opsbot("sync", cwd=tmp_path, env=live_env(tmp_path, square, deliverect))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Syncing Square ({square.url}) into sqlite:///{tmp_path / 'store.db'}"
    assert f"Syncing Deliverect ({deliverect.url}) into sqlite:///{tmp_path / 'store.db'}" in lines
    # stage, seen, inserted, updated, unchanged, errors
    assert stage_row(result.stdout, "square orders")[2:7] == ["111", "111", "0", "0", "0"]
    assert stage_row(result.stdout, "deliverect orders")[2:7] == ["43", "43", "0", "0", "0"]
    assert result.stderr == ""

    again = opsbot("sync", "--source", "square", cwd=tmp_path, env=live_env(tmp_path, square, deliverect))
    assert again.returncode == 0, again.stderr
    assert stage_row(again.stdout, "square orders")[3] == "0"  # nothing inserted the second time
    assert "Nothing new." in again.stdout


def test_a_deliverect_backfill_since_a_date(tmp_path, fakes):
    square, deliverect = fakes
    env = live_env(tmp_path, square, deliverect)
    assert opsbot("sync", "--source", "square", cwd=tmp_path, env=env).returncode == 0
    result = opsbot("sync", "--source", "deliverect", "--since", "2026-11-18", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "deliverect orders updated from 2026-11-18 05:00 UTC" in result.stdout
    after = sum(1 for body in deliverect.orders.values() if body["_updated"] >= "2026-11-18T05:00:00")
    assert stage_row(result.stdout, "deliverect orders")[3] == str(after)
    assert 0 < after < 43


def test_a_revoked_square_token_is_one_clear_line(tmp_path, fakes):
    square, deliverect = fakes
    env = live_env(tmp_path, square, deliverect, SQUARE_ACCESS_TOKEN="EAAA-revoked")
    result = opsbot("sync", "--source", "square", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "opsbot: Square rejected the access token (401 UNAUTHORIZED: This request could not be authorized.) "
        "— check SQUARE_ACCESS_TOKEN; it may be revoked or be for another environment (this is production: "
        "SQUARE_ENVIRONMENT)"
    ]


def test_bad_deliverect_credentials_are_one_clear_line(tmp_path, fakes):
    square, deliverect = fakes
    env = live_env(tmp_path, square, deliverect, DELIVERECT_CLIENT_SECRET="wrong")
    assert opsbot("sync", "--source", "square", cwd=tmp_path, env=env).returncode == 0
    result = opsbot("sync", "--source", "deliverect", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("opsbot: Deliverect rejected the client credentials (401 Unauthorized)")


def test_a_source_without_credentials_and_since_without_a_live_source_are_refused(tmp_path):
    result = opsbot("sync", "--source", "square", cwd=tmp_path, env={"OPSBOT_DATA_DIR": str(tmp_path)})
    assert (result.returncode, result.stderr) == (
        2,
        "opsbot: Square is not configured — set SQUARE_ACCESS_TOKEN (see README: Connect a Square account)\n",
    )
    result = opsbot("sync", "--since", "2026-11-01", cwd=tmp_path, env={"OPSBOT_DATA_DIR": str(tmp_path)})
    assert (result.returncode, result.stderr) == (2, "opsbot: --since is for --source square or deliverect\n")
    assert not (tmp_path / "opsbot.db").exists()


def test_live_data_never_mixes_with_the_demo(tmp_path, fakes, small_fixtures):
    """The path a new user takes: `opsbot` loads the demo, then they set up Square and sync. Refused with one
    line and nothing changed; with --replace-demo the demo goes (its conversations stay) and the live business
    comes in; then the demo cannot be loaded on top of it."""
    square, deliverect = fakes
    env = live_env(tmp_path, square, deliverect)
    demo = opsbot("sync", "--source", "fixtures", "--fixtures", str(small_fixtures), cwd=tmp_path, env=env)
    assert demo.returncode == 0, demo.stderr
    engine = open_store(env["DATABASE_URL"])
    demo_name = get_meta(engine)["business_name"]
    demo_orders = store_counts(engine)[0]
    ConversationStore(engine).ensure("c-demo", "repl", "What sold best yesterday?")

    refused = opsbot("sync", cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"opsbot: the store holds {demo_name}, from fixtures '{small_fixtures.name}'; live data would be "
        "mixed with it — run `opsbot sync --replace-demo` to remove it from this store first (conversations "
        "are kept), or set DATABASE_URL to a new database\n"
    )
    assert store_counts(engine) == (demo_orders, 4) and square.requests == []
    repl = opsbot("repl", cwd=tmp_path, env=env, input="")
    assert repl.returncode == 0, repl.stderr
    assert repl.stderr.splitlines()[0] == (
        f"Answering from {demo_name}, from fixtures '{small_fixtures.name}', not your own data: "
        "`opsbot sync --replace-demo` replaces it."
    )

    replaced = opsbot("sync", "--replace-demo", cwd=tmp_path, env=env)
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.splitlines()[0] == (
        f"Removed {demo_name}, from fixtures '{small_fixtures.name}' ({demo_orders:,} orders) from "
        f"{env['DATABASE_URL']}; conversations are kept."
    )
    assert store_counts(engine) == (111 + 43, len(square.business.locations))
    assert get_meta(engine)["data_source"] == "square"
    assert ConversationStore(engine).exists("c-demo")

    again = opsbot("sync", "--source", "fixtures", "--fixtures", str(small_fixtures), cwd=tmp_path, env=env)
    assert again.returncode == 2
    assert again.stderr == (
        "opsbot: the store holds live data (deliverect, square); fixtures loaded into it would be mixed with "
        "it — set DATABASE_URL to another database to try the demo\n"
    )
    assert store_counts(engine) == (111 + 43, len(square.business.locations))
    engine.dispose()


def store_counts(engine) -> tuple[int, int]:
    """(orders, locations) in the store."""
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(Order)),
            conn.scalar(select(func.count()).select_from(Location)),
        )
