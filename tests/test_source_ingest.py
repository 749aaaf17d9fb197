"""Each source has one ingest path: the same Deliverect payloads stored through the webhook, through backfill
pages and through the fixture sync leave identical rows (orders, their child rows, POS-copy links, rollups);
and the source folders stay apart (no source imports another's folder; orders are parsed only by a source's
ingest function and written only through the order writer)."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, Table, select

from tests.fakes.deliverect_api import CLIENT_ID, CLIENT_SECRET, FakeDeliverect
from tests.fakes.square_api import VALID_TOKEN, FakeSquare
from tests.support.live_business import NOW
from tools.sources.api_calls import RetryPolicy
from tools.sources.deliverect.backfill import sync_deliverect
from tools.sources.deliverect.client import DeliverectClient
from tools.sources.deliverect.signature import sign
from tools.sources.deliverect.webhook import receive_order
from tools.sources.fixtures.sync import sync_fixtures
from tools.sources.square.client import SquareClient
from tools.sources.square.sync import sync_square
from tools.store.database import open_store
from tools.store.models import (
    DailyDiscounts,
    DailyItemSales,
    DailySales,
    Location,
    MenuItem,
    Order,
    OrderDiscount,
    OrderLineItem,
    OrderLineModifier,
    Payment,
    Refund,
)
from tools.sync.live_stage import LiveSyncOptions

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "tools" / "sources"
SECRET = "whsec-test-ingest"
UNCOMPARED = {"id", "synced_at"}  # row ids and write times differ between stores by nature


def square_synced(url: str, live_business) -> Engine:
    """A store after a live Square sync of the business, with the fixture folder's commission rates."""
    engine = open_store(url)
    options = LiveSyncOptions(
        deliverect_locations=live_business.deliverect_locations,
        commission_rates_file=live_business.folder / "business.json",
    )
    with FakeSquare(live_business.locations, live_business.catalog, live_business.square_orders) as square:
        client = SquareClient(VALID_TOKEN, base_url=square.url, policy=RetryPolicy(sleep=lambda _s: None))
        assert sync_square(engine, client, options, now=NOW).failure is None
    return engine


ORDER_TABLES: list[Table] = [
    model.__table__  # type: ignore[misc]
    for model in (
        Order,
        OrderLineItem,
        OrderLineModifier,
        OrderDiscount,
        Payment,
        Refund,
        DailySales,
        DailyDiscounts,
        DailyItemSales,
    )
]


def stored_rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every order-derived row, its foreign keys replaced by the natural keys of the rows they point at."""
    with engine.connect() as conn:
        orders = {row.id: (row.source, row.source_order_id) for row in conn.execute(select(Order.__table__))}
        keys: dict[str, dict[int, object]] = {
            "locations": {row.id: row.square_location_id for row in conn.execute(select(Location.__table__))},
            "menu_items": {
                row.id: row.square_variation_id for row in conn.execute(select(MenuItem.__table__))
            },
            "orders": dict(orders),
            "order_line_items": {
                row.id: (orders[row.order_id], row.line_no)
                for row in conn.execute(select(OrderLineItem.__table__))
            },
        }

        def natural(column, value) -> str:
            foreign = next(iter(column.foreign_keys), None)
            if foreign is not None and value is not None:
                value = keys[foreign.column.table.name][value]
            return repr(value)

        return {
            table.name: sorted(
                tuple(natural(c, row[c.name]) for c in table.columns if c.name not in UNCOMPARED)
                for row in conn.execute(select(table)).mappings()
            )
            for table in ORDER_TABLES
        }


def test_the_same_deliverect_payloads_give_the_same_rows_through_webhook_backfill_and_fixtures(
    tmp_path, live_business
):
    via_fixtures = open_store(f"sqlite:///{tmp_path / 'fixtures.db'}")
    report = sync_fixtures(via_fixtures, live_business.folder, anchor=False, now=NOW)
    assert report.failure is None and report.errors == []

    via_backfill = square_synced(f"sqlite:///{tmp_path / 'backfill.db'}", live_business)
    with FakeDeliverect(list(live_business.deliverect_orders.values())) as fake:
        client = DeliverectClient(CLIENT_ID, CLIENT_SECRET, base_url=fake.url, page_size=10)
        report = sync_deliverect(via_backfill, client, LiveSyncOptions(since=date(2026, 11, 16)), now=NOW)
        client.close()
    assert report.failure is None and report.errors == []
    assert report.stages[0].counts.inserted == len(live_business.deliverect_orders)

    via_webhook = square_synced(f"sqlite:///{tmp_path / 'webhook.db'}", live_business)
    for body in live_business.deliverect_bodies:
        raw = json.dumps(body).encode()
        assert receive_order(via_webhook, raw, sign(raw, SECRET), SECRET).status == 200

    expected = stored_rows(via_fixtures)
    assert len(expected["orders"]) > len(live_business.deliverect_orders) > 0
    assert stored_rows(via_backfill) == expected
    assert stored_rows(via_webhook) == expected
    for engine in (via_fixtures, via_backfill, via_webhook):
        engine.dispose()


def _modules(folder: Path) -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in sorted(folder.rglob("*.py"))]


def _imported(tree: ast.Module) -> set[str]:
    """Every module a module imports, with ``from package import module`` as ``package.module``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _source_folders() -> list[str]:
    return sorted(p.name for p in SOURCES.iterdir() if (p / "__init__.py").is_file())


def test_no_source_folder_imports_another_and_the_sync_plumbing_imports_none():
    folders = _source_folders()
    assert {"square", "deliverect", "fixtures"} <= set(folders)
    # The fixtures replay recorded Square and Deliverect payloads through their ingest functions; the live
    # sources know nothing of each other or of the fixtures.
    allowed = {"fixtures": {"square", "deliverect"}}
    offences = []
    for folder in folders:
        for path, tree in _modules(SOURCES / folder):
            for name in _imported(tree):
                parts = name.split(".")
                other = parts[2] if parts[:2] == ["tools", "sources"] and len(parts) > 2 else None
                if other in folders and other != folder and other not in allowed.get(folder, set()):
                    offences.append(f"{path.relative_to(REPO)} imports {name}")
    for path, tree in _modules(REPO / "tools" / "sync"):
        offences += [
            f"{path.relative_to(REPO)} imports {name}"
            for name in _imported(tree)
            if name.split(".")[:3] in (["tools", "sources", folder] for folder in folders)
        ]
    assert offences == []


def test_orders_are_parsed_only_by_their_sources_ingest_function_and_written_only_by_the_writer():
    """The webhook, the backfill, the live sync and the fixture sync cannot parse or write orders their own
    way: ``parse_order`` is named only in each source's parser and ingest modules, ``write_batch`` only in the
    order writer's package."""
    offences = []
    for folder in ("bot", "tools"):
        for path, tree in _modules(REPO / folder):
            relative = path.relative_to(REPO).as_posix()
            named = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
            named |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
            named |= {
                a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for a in node.names
            }
            source_module = relative.removeprefix("tools/sources/").split("/")
            if "parse_order" in named and source_module[-1] not in ("parser.py", "ingest.py"):
                offences.append(f"{relative} parses orders")
            if "write_batch" in named and not relative.startswith("tools/sync/orders/"):
                offences.append(f"{relative} writes order batches")
    assert offences == []
