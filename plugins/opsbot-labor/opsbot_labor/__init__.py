"""opsbot-labor: labor, item costs, prime cost and menu engineering — a data-source plugin.

Sources: Square Labor API timecards (live, through the ``squareup`` SDK, incremental), the same timecard
payloads in a fixture folder's ``labor/`` (the demo), scheduling-app CSV exports (``opsbot labor
import-shifts``) and item-cost CSVs (``opsbot labor import-costs``). Tools: ``labor_report``,
``labor_shifts``, ``prime_cost`` and ``menu_engineering``. It imports nothing from opsbot but
``tools.plugin_api``.
"""

from __future__ import annotations

from pathlib import Path

from opsbot_labor.commands import add_commands
from opsbot_labor.cost_tools import menu_engineering, prime_cost
from opsbot_labor.demo_fixtures import generate_demo, load_fixtures
from opsbot_labor.labor_tools import labor_report, labor_shifts
from opsbot_labor.settings import SETTINGS
from opsbot_labor.square_sync import sync_live
from opsbot_labor.tables import TABLES
from tools.plugin_api import DataSource

TOOLS = [labor_report, labor_shifts, prime_cost, menu_engineering]

PLUGIN = DataSource(
    name="labor",
    tools=TOOLS,
    migrations=Path(__file__).with_name("migrations"),
    tables=TABLES,
    load_fixtures=load_fixtures,
    sync_live=sync_live,
    generate_demo=generate_demo,
    add_commands=add_commands,
    settings=SETTINGS,
)
