"""The parameters the tools share, typed once and described once: in ``CONVENTIONS``, which the stable system
prompt carries. They are ``Param(COMMON, shared=True)``: the model's schema gives each only its type and
default, the full schema (``opsbot tools``, validation) describes it as ``COMMON``, a word pointing here."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, get_args

from tools.analytics.breakdowns import Dimension
from tools.registry import Param

Channel = Literal["in_store", "delivery", "pickup", "online"]
Metric = Literal["net_sales", "gross_sales", "orders", "items_sold", "tips", "average_ticket"]

COMMON = "Common."
"""The description of a shared parameter in the full schema (``opsbot tools``): it is described once, in
``CONVENTIONS``; the model's schema gives it only its type (see ``Param.shared``)."""


def _values(kind: object) -> str:
    return ", ".join(get_args(kind))


CONVENTIONS = f"""\
Common parameters (a tool parameter without a description is one of these; lists take one value or several):
- period: the owner's words or ISO dates — 'yesterday' (the default), 'today', 'last week', 'this month', \
'month to date', 'last 7 days', 'last Saturday', 'Q3', 'October', '2026-10-03', '2026-10-01..2026-10-31' — \
resolved in code. start_date, end_date: YYYY-MM-DD, inclusive, instead of period.
- locations (list): names or numbers ('Downtown', 'Location 3', '3'); default all.
- Days, weekdays and hours are each location's local ones. weekdays (list): e.g. 'Saturday', 'weekdays', \
'weekends'. hours: a day part (breakfast, lunch, afternoon, dinner, late_night) or local hours '11-14' \
(11:00–13:59), '21-', '-11'.
- channels (list): {_values(Channel)}; delivery = delivered, pickup includes platform pickups. \
platforms (list): uber_eats, doordash…, or 'any' (every platform order).
- items (list): menu items — their units and item sales, not whole orders.
- group_by (list): one or two of {_values(Dimension)}; rows carry share_percent of the metric's total \
(comparisons: one, rows ranked by change). metric: {_values(Metric)} — what rows are ranked by and \
compared on.
- limit: at most this many rows (1–100); default 40, 20 for two dimensions."""

PeriodArg = Annotated[str | None, Param(COMMON, shared=True)]
LocationsArg = Annotated[list[str] | None, Param(COMMON, shared=True)]
ChannelsArg = Annotated[list[Channel] | None, Param(COMMON, shared=True)]
PlatformsArg = Annotated[list[str] | None, Param(COMMON, shared=True)]
StartArg = Annotated[date | None, Param(COMMON, shared=True)]
EndArg = Annotated[date | None, Param(COMMON, shared=True)]
WeekdaysArg = Annotated[list[str] | None, Param(COMMON, shared=True)]
HoursArg = Annotated[str | None, Param(COMMON, shared=True)]
GroupByArg = Annotated[list[Dimension] | None, Param(COMMON, shared=True)]
MetricArg = Annotated[Metric, Param(COMMON, shared=True)]
LimitArg = Annotated[int | None, Param(COMMON, shared=True)]
ItemsArg = Annotated[list[str] | None, Param(COMMON, shared=True)]
