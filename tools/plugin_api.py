"""The public plugin API: everything a plugin package imports from opsbot, and nothing else.

A tool is a plain typed function. Its name is the tool's name, its docstring the description the model
reads, and every parameter is ``Annotated[type, Param("what it means")]`` (``str``, ``int``, ``float``,
``bool``, ``datetime.date``, ``Literal[...]``, lists of those, ``X | None``). A first parameter named
``ctx`` receives a :class:`ToolContext`: a read-only SQLAlchemy ``engine`` on the store, ``today`` in the
business timezone and ``week_start``. Raise :class:`ToolError` ("what was wrong — what to do") for anything
the model should correct; any other exception is logged and reported to the model as an internal error.
Return a compact JSON-able dict (aggregates and top-N, a few KB at most) and never write to the store.

Register the tools with one entry point naming a list of them::

    [project.entry-points."opsbot.tools"]
    reservations = "opsbot_reservations:TOOLS"

A data-source tool that answers "for a period, at some locations" takes the built-in tools' own
parameters and resolves them the way they do::

    @activity("adding up labor")
    def labor_report(ctx: ToolContext, period: PeriodArg = None, locations: LocationsArg = None,
                     start_date: StartArg = None, end_date: EndArg = None) -> dict:
        \"\"\"Labor hours and cost for a period.\"\"\"
        scope = build_scope(ctx, period=period, start_date=start_date, end_date=end_date,
                            locations=locations)   # ToolError names bad periods and unknown locations
        ...  # query your tables through ctx.engine for scope.period.start..end and scope.places
        net_sales = order_totals(ctx.engine, scope)["net_sales"]   # minor units, counted as sales_report
        return {**scope.coverage(), "labor_cost": format_money(cost, scope.currency),
                "labor_percent_of_net_sales": percent(cost, net_sales)}

A name the caller got wrong in the tool's own data (a table, a supplier) is an error naming the closest
known ones: ``raise unknown_name_error("table", wanted, known_names)`` reads "unknown table 'patio' — did
you mean Patio A or Patio B? known: …"; :func:`close_matches` gives the matches alone.

Money is kept in integer minor units of the location's currency (cents, yen, fils: see
:func:`minor_unit_digits`) and shown with :func:`format_money`. Every result states what it covers:
:meth:`Scope.coverage` gives the period, locations, timezone and currency; :meth:`Scope.describe` adds
what counts as a sale, for results built on sales.

A plugin that brings its own data registers a :class:`DataSource` instead of a bare list: its tools, the
Alembic migrations of its own tables (their columns may use :class:`UtcDateTime` and reference
``locations.id``), and hooks that load its part of a fixture folder, sync its live API, write its demo
fixtures and add ``opsbot NAME …`` commands (see ``tools/data_sources.py``). Its tools read its tables and
the sales rollups in :data:`SALES_TABLES` through ``ctx.engine``, filtered by ``scope.rollup_conditions``;
only its hooks write, and only to its own tables. Rows grouped by the built-in dimensions (day, week,
weekday, hour, location…) are named and ordered as the built-in tools do it with :func:`dimension_label`
and :func:`dimension_order`. A live API client retries what :class:`TransientError` marks (429, 5xx, a
dropped connection) with :func:`retrying` and a :class:`RetryPolicy`, honouring
:func:`retry_after_seconds`. ``ctx.options`` holds the values of the environment variables it declares in
``DataSource.settings``.

Everything else in ``tools`` and ``bot`` is internal and may change; a test keeps the repository's own
plugins (``examples/``, ``plugins/``) to this module.
"""

from __future__ import annotations

from tools.analytics.arguments import EndArg, LocationsArg, PeriodArg, StartArg
from tools.analytics.breakdowns import label as dimension_label
from tools.analytics.breakdowns import natural_order as dimension_order
from tools.analytics.business_calendar import Period
from tools.analytics.names import close_matches, unknown_name_error
from tools.analytics.sales import order_totals
from tools.analytics.scope import Place, Scope, build_scope, load_places, percent, resolve_location
from tools.analytics.shared_tables import SALES_TABLES, SalesTables
from tools.currencies import divide_half_up, format_money, minor_unit_digits
from tools.data_sources import CommandContext, DataSource, FixtureLoad, LiveSync, SourceError
from tools.registry import Param, ToolContext, ToolError, activity
from tools.sources.api_calls import RetryPolicy, TransientError, retry_after_seconds, retrying
from tools.store.models import NAMING as NAMING_CONVENTION
from tools.store.models import UtcDateTime

__all__ = [
    "NAMING_CONVENTION",
    "SALES_TABLES",
    "CommandContext",
    "DataSource",
    "EndArg",
    "FixtureLoad",
    "LiveSync",
    "LocationsArg",
    "Param",
    "Period",
    "PeriodArg",
    "Place",
    "RetryPolicy",
    "SalesTables",
    "Scope",
    "SourceError",
    "StartArg",
    "ToolContext",
    "ToolError",
    "TransientError",
    "UtcDateTime",
    "activity",
    "build_scope",
    "close_matches",
    "dimension_label",
    "dimension_order",
    "divide_half_up",
    "format_money",
    "load_places",
    "minor_unit_digits",
    "order_totals",
    "percent",
    "resolve_location",
    "retry_after_seconds",
    "retrying",
    "unknown_name_error",
]
