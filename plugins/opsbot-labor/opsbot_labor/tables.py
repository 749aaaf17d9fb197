"""The plugin's own tables (created by its migrations in ``migrations/``): shifts as worked, each shift's
paid time per local hour, and item costs with the day they take effect. Money is integer minor units."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from tools.plugin_api import NAMING_CONVENTION, UtcDateTime

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# One row per shift (a Square timecard, a CSV row). ``business_date`` is the local date the shift started
# on, in its location's timezone; ``paid_seconds`` is clocked time less unpaid breaks; ``base_cost`` is
# paid time at the hourly rate (no overtime premium: that depends on the week, see labor_math.py).
shifts = Table(
    "labor_shifts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(32), nullable=False),
    Column("source_shift_id", String(128), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("team_member_id", String(128), nullable=False),
    Column("employee_name", String(200)),
    Column("role", String(200), nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime),
    Column("business_date", Date, nullable=False),
    Column("paid_seconds", Integer, nullable=False),
    Column("unpaid_break_seconds", Integer, nullable=False),
    Column("hourly_rate", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("base_cost", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("scheduled_start_at", UtcDateTime),
    Column("scheduled_end_at", UtcDateTime),
    Column("payload_hash", String(64), nullable=False),
    Column("synced_at", UtcDateTime, nullable=False),
    UniqueConstraint("source", "source_shift_id"),
    Index("ix_labor_shifts_business_date_location_id", "business_date", "location_id"),
    Index("ix_labor_shifts_team_member_id_business_date", "team_member_id", "business_date"),
)

# A shift's paid time split into the local clock hours it covers, keyed by the shift's business date:
# what hour-of-day questions ("labor at lunch") read.
shift_hours = Table(
    "labor_shift_hours",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shift_id", Integer, ForeignKey("labor_shifts.id", ondelete="CASCADE"), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("local_hour", Integer, nullable=False),
    Column("role", String(200), nullable=False),
    Column("paid_seconds", Integer, nullable=False),
    Index("ix_labor_shift_hours_business_date_location_id", "business_date", "location_id"),
    Index("ix_labor_shift_hours_shift_id", "shift_id"),
)

# What one unit of a menu item costs to make, from ``effective_date`` on (until a later row for the same
# item and location); ``location_id`` NULL = every location without its own row.
item_costs = Table(
    "labor_item_costs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(32), nullable=False),
    Column("item", String(200), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id")),
    Column("effective_date", Date, nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Index("ix_labor_item_costs_item_effective_date", "item", "effective_date"),
)

# How far the live Square Labor sync has read each Square location: the newest timecard ``updated_at`` seen
# by a sync that read the location to the end. The next sync re-reads a trailing window before it.
sync_marks = Table(
    "labor_sync_marks",
    metadata,
    Column("square_location_id", String(64), primary_key=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("synced_at", UtcDateTime, nullable=False),
)

# Children first: the order the core empties them in when the business data is replaced.
TABLES = (shift_hours, shifts, item_costs, sync_marks)
