"""The normalized store's tables (SQLAlchemy 2.x). Money columns are integer minor units; times are UTC.

The schema is created and upgraded only through the Alembic migrations in ``migrations/versions``; a test
checks that the migrated schema matches these models.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = BigInteger


class UtcDateTime(TypeDecorator):
    """A UTC timestamp: aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = UtcDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Location(Base):
    """A restaurant location; ``position`` is its 1-based number ("Location 3")."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    business_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="ACTIVE")
    square_location_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    deliverect_location_id: Mapped[str | None] = mapped_column(String(64), unique=True)


class MenuItem(Base):
    """A sellable variation from the POS catalog, with its category; Deliverect PLUs match ``sku``."""

    __tablename__ = "menu_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    square_item_id: Mapped[str | None] = mapped_column(String(64))
    square_variation_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    item_name: Mapped[str] = mapped_column(String(200))
    variation_name: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64), index=True)
    price: Mapped[int | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))


class Order(Base):
    """One order from one source; ``duplicate_of_id`` marks an uncounted POS copy of an aggregator order."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("source", "source_order_id"),
        Index("ix_orders_location_business_date", "location_id", "business_date"),
        Index("ix_orders_business_date", "business_date"),
        Index("ix_orders_pos_order_id", "pos_order_id"),
        Index("ix_orders_source_created_at", "source", "created_at"),  # each source's newest order
        Index("ix_orders_source_order_id", "source_order_id"),  # order_details by a source's order id
        # … and by display id, or by a ticket that repeats, with its day and location
        Index("ix_orders_display_id_business_date_location_id", "display_id", "business_date", "location_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    source_order_id: Mapped[str] = mapped_column(String(128))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    display_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str | None] = mapped_column(String(32))
    order_type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    raw_status: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcTime)
    canceled_at: Mapped[datetime | None] = mapped_column(UtcTime)
    source_updated_at: Mapped[datetime | None] = mapped_column(UtcTime)
    business_date: Mapped[date] = mapped_column(Date)
    local_hour: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    gross_sales: Mapped[int] = mapped_column(Money)
    discounts: Mapped[int] = mapped_column(Money)
    net_sales: Mapped[int] = mapped_column(Money)
    tax: Mapped[int] = mapped_column(Money)
    tips: Mapped[int] = mapped_column(Money)  # the restaurant's tips
    courier_tips: Mapped[int] = mapped_column(Money, default=0)  # a platform driver's, not the restaurant's
    service_charge: Mapped[int] = mapped_column(Money)
    delivery_fee: Mapped[int] = mapped_column(Money)
    other_fees: Mapped[int] = mapped_column(Money)
    total_collected: Mapped[int] = mapped_column(Money)
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, default=False)
    commission: Mapped[int | None] = mapped_column(Money)
    commission_is_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    pickup_at: Mapped[datetime | None] = mapped_column(UtcTime)
    delivery_at: Mapped[datetime | None] = mapped_column(UtcTime)
    pos_order_id: Mapped[str | None] = mapped_column(String(128))
    injected_by: Mapped[str | None] = mapped_column(String(32))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    payload_hash: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(UtcTime)


class OrderLineItem(Base):
    """An ordered item; ``gross_sales`` includes modifiers, ``net_sales`` is after discounts, before tax."""

    __tablename__ = "order_line_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    menu_item_id: Mapped[int | None] = mapped_column(ForeignKey("menu_items.id"))
    item_name: Mapped[str] = mapped_column(String(200))
    variation_name: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[int] = mapped_column(Money)
    modifiers_total: Mapped[int] = mapped_column(Money)
    gross_sales: Mapped[int] = mapped_column(Money)
    discounts: Mapped[int] = mapped_column(Money)
    net_sales: Mapped[int] = mapped_column(Money)
    tax: Mapped[int] = mapped_column(Money)


class OrderLineModifier(Base):
    """A modifier or sub-item on a line item; ``total_price`` covers every unit of the line."""

    __tablename__ = "order_line_modifiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_item_id: Mapped[int] = mapped_column(
        ForeignKey("order_line_items.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[int] = mapped_column(Money)
    total_price: Mapped[int] = mapped_column(Money)


class OrderDiscount(Base):
    """A discount on an order, with the amount it took off."""

    __tablename__ = "order_discounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str | None] = mapped_column(String(32))
    provider: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Money)


class Payment(Base):
    """A payment on an order; ``amount`` includes ``tip``."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("order_id", "source_payment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    source_payment_id: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(32))
    card_brand: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Money)
    tip: Mapped[int] = mapped_column(Money)
    processing_fee: Mapped[int] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime | None] = mapped_column(UtcTime)


class Refund(Base):
    """Money returned for an order; ``business_date`` is the refund's own day in the location's timezone."""

    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("order_id", "source_refund_id"),
        Index("ix_refunds_business_date", "business_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    source_refund_id: Mapped[str] = mapped_column(String(128))
    source_payment_id: Mapped[str | None] = mapped_column(String(128))
    amount: Mapped[int] = mapped_column(Money)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcTime)
    business_date: Mapped[date] = mapped_column(Date)


class PlatformCommissionRate(Base):
    """A delivery platform's commission for a location (NULL = every location) over a validity window."""

    __tablename__ = "platform_commission_rates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    platform: Mapped[str] = mapped_column(String(32))
    rate_bps: Mapped[int] = mapped_column(Integer)
    fixed_fee: Mapped[int] = mapped_column(Money, default=0)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class StoreMeta(Base):
    """Small key/value facts about the store (business name, demo anchoring)."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncRun(Base):
    """One ``opsbot sync`` of one source, with what it changed."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcTime)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)


class SyncMark(Base):
    """How far a live source has been read: its high-water mark per scope (a Square location id, or a
    Deliverect account). The next incremental sync starts a trailing window before it."""

    __tablename__ = "sync_marks"
    __table_args__ = (UniqueConstraint("source", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64))
    high_water: Mapped[datetime] = mapped_column(UtcTime)
    updated_at: Mapped[datetime] = mapped_column(UtcTime)


class _DayKeys:
    """What every rollup row is keyed by: a location and a business day."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    business_date: Mapped[date] = mapped_column(Date)


class _RollupKeys(_DayKeys):
    """A location, a business day, a channel and a platform ('' = none)."""

    channel: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(32))


class _SalesMeasures:
    """The measures the sales rollups keep: counted sales, that slice's canceled orders, pickup minutes."""

    orders: Mapped[int] = mapped_column(Integer)
    gross_sales: Mapped[int] = mapped_column(Money)
    discounts: Mapped[int] = mapped_column(Money)
    net_sales: Mapped[int] = mapped_column(Money)
    tax: Mapped[int] = mapped_column(Money)
    tips: Mapped[int] = mapped_column(Money)
    courier_tips: Mapped[int] = mapped_column(Money, default=0)
    total_collected: Mapped[int] = mapped_column(Money)
    commission: Mapped[int] = mapped_column(Money)
    items_sold: Mapped[float] = mapped_column(Float)
    canceled_orders: Mapped[int] = mapped_column(Integer, default=0)
    canceled_value: Mapped[int] = mapped_column(Money, default=0)  # gross item value of canceled orders
    canceled_net: Mapped[int] = mapped_column(Money, default=0)  # the same after their discounts
    pickup_minutes: Mapped[float] = mapped_column(Float, default=0.0)  # summed over pickup_orders
    pickup_orders: Mapped[int] = mapped_column(Integer, default=0)


class DailySales(_SalesMeasures, _RollupKeys, Base):
    """Counted sales pre-aggregated per location, business day, channel and platform ('' = none), with the
    canceled orders of the same day and the minutes from order to pickup.

    Kept in step with ``orders`` by the sync writer, in the same transaction; the analytics tools read it
    instead of scanning orders."""

    __tablename__ = "daily_sales"
    __table_args__ = (UniqueConstraint("business_date", "location_id", "channel", "platform"),)


class HourlySales(_SalesMeasures, _RollupKeys, Base):
    """The same measures as ``DailySales`` per local hour of the order too: what questions about hours or
    day parts ("lunch", "after 9 pm") read."""

    __tablename__ = "hourly_sales"
    __table_args__ = (
        Index("ix_hourly_sales_business_date_location_id", "business_date", "location_id"),
        # "delivery at dinner": the hours first, so a month reads only those hours' rows
        Index("ix_hourly_sales_local_hour_business_date", "local_hour", "business_date"),
    )

    local_hour: Mapped[int] = mapped_column(Integer)


class DailyDiscounts(_RollupKeys, Base):
    """Discounts on counted sales per location, business day, channel, platform and discount name."""

    __tablename__ = "daily_discounts"
    __table_args__ = (Index("ix_daily_discounts_business_date_location_id", "business_date", "location_id"),)

    name: Mapped[str] = mapped_column(String(200))
    times_used: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Money)


class _ItemMeasures:
    """What the item rollups keep per menu item: its category, units, gross item sales and the orders
    holding it."""

    item: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Float)
    gross_sales: Mapped[int] = mapped_column(Money)
    orders: Mapped[int] = mapped_column(Integer)


class DailyItemSales(_ItemMeasures, _RollupKeys, Base):
    """Counted item sales per location, business day, channel, platform and menu item."""

    __tablename__ = "daily_item_sales"
    __table_args__ = (Index("ix_daily_item_sales_business_date_location_id", "business_date", "location_id"),)


class HourlyItemSales(_ItemMeasures, _RollupKeys, Base):
    """The same as ``DailyItemSales`` per local hour of the order too: items at lunch, after 9 pm."""

    __tablename__ = "hourly_item_sales"
    __table_args__ = (
        Index("ix_hourly_item_sales_business_date_location_id", "business_date", "location_id"),
    )

    local_hour: Mapped[int] = mapped_column(Integer)


class DailyPayments(_RollupKeys, Base):
    """Payments on counted sales per location, business day, channel, platform and payment method."""

    __tablename__ = "daily_payments"
    __table_args__ = (Index("ix_daily_payments_business_date_location_id", "business_date", "location_id"),)

    method: Mapped[str] = mapped_column(String(32))
    payments: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Money)
    tips: Mapped[int] = mapped_column(Money)


class HourlyPayments(_RollupKeys, Base):
    """``DailyPayments`` per local hour of the order too: payment methods at lunch, after 9 pm."""

    __tablename__ = "hourly_payments"
    __table_args__ = (
        Index("ix_hourly_payments_business_date_location_id", "business_date", "location_id"),
        Index("ix_hourly_payments_local_hour_business_date", "local_hour", "business_date"),
    )

    local_hour: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32))
    payments: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Money)
    tips: Mapped[int] = mapped_column(Money)


class HourlySalesAllChannels(_SalesMeasures, _DayKeys, Base):
    """``HourlySales`` without the channel and platform split (5× fewer rows): what hour and day-part
    questions without a channel or platform filter read."""

    __tablename__ = "hourly_sales_all_channels"
    __table_args__ = (
        Index("ix_hourly_sales_all_channels_business_date_location_id", "business_date", "location_id"),
    )

    local_hour: Mapped[int] = mapped_column(Integer)


class DailyItemsAllChannels(_ItemMeasures, _DayKeys, Base):
    """``DailyItemSales`` without the channel and platform split: item questions without those filters."""

    __tablename__ = "daily_items_all_channels"
    __table_args__ = (
        Index("ix_daily_items_all_channels_business_date_location_id", "business_date", "location_id"),
    )


class HourlyItemsAllChannels(_ItemMeasures, _DayKeys, Base):
    """``HourlyItemSales`` without the channel and platform split."""

    __tablename__ = "hourly_items_all_channels"
    __table_args__ = (
        Index("ix_hourly_items_all_channels_business_date_location_id", "business_date", "location_id"),
        # "items at dinner": the hours first, so a month reads only those hours' rows
        Index("ix_hourly_items_all_channels_local_hour_business_date", "local_hour", "business_date"),
    )

    local_hour: Mapped[int] = mapped_column(Integer)


class _BusinessDay:
    """What the all-locations rollups are keyed by: a business day (each location's own local day)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_date: Mapped[date] = mapped_column(Date)


class HourlySalesAllLocations(_SalesMeasures, _BusinessDay, Base):
    """``HourlySalesAllChannels`` summed over the locations: hour and day-part questions about the whole
    business (10× fewer rows for ten locations). Built from that rollup, in the same refresh."""

    __tablename__ = "hourly_sales_all_locations"
    __table_args__ = (Index("ix_hourly_sales_all_locations_business_date", "business_date"),)

    local_hour: Mapped[int] = mapped_column(Integer)


class HourlyChannelSalesAllLocations(_SalesMeasures, _BusinessDay, Base):
    """``HourlySales`` summed over the locations, keeping the channel and platform ('' = none): questions
    about the whole business within some hours split or filtered by them ("delivery at dinner"), whose cost
    then does not grow with the number of locations. Built from that rollup, in the same refresh."""

    __tablename__ = "hourly_channel_sales_all_locations"
    __table_args__ = (
        Index("ix_hourly_channel_sales_all_locations_business_date", "business_date"),
        # "delivery at dinner": the hours first, so a month reads only those hours' rows
        Index(
            "ix_hourly_channel_sales_all_locations_local_hour_business_date", "local_hour", "business_date"
        ),
    )

    local_hour: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(32))


class DailyItemsAllLocations(_ItemMeasures, _BusinessDay, Base):
    """``DailyItemsAllChannels`` summed over the locations: item questions about the whole business."""

    __tablename__ = "daily_items_all_locations"
    __table_args__ = (Index("ix_daily_items_all_locations_business_date", "business_date"),)


class HourlyItemsAllLocations(_ItemMeasures, _BusinessDay, Base):
    """``HourlyItemsAllChannels`` summed over the locations: "the best sellers at dinner"."""

    __tablename__ = "hourly_items_all_locations"
    __table_args__ = (
        Index("ix_hourly_items_all_locations_business_date", "business_date"),
        Index("ix_hourly_items_all_locations_local_hour_business_date", "local_hour", "business_date"),
    )

    local_hour: Mapped[int] = mapped_column(Integer)


class DailyRefunds(Base):
    """Refunds of counted orders' sources (approved or completed, not on a POS copy) per location, the
    refund's own business day and local hour, the order's channel and platform ('' = none) and the reason
    ('' = none given). ``order_date`` is the order's business day: the (location, day) the sync refreshes."""

    __tablename__ = "daily_refunds"
    __table_args__ = (
        Index("ix_daily_refunds_business_date_location_id", "business_date", "location_id"),
        Index("ix_daily_refunds_order_date_location_id", "order_date", "location_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    order_date: Mapped[date] = mapped_column(Date)
    business_date: Mapped[date] = mapped_column(Date)
    local_hour: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    refunds: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Money)
