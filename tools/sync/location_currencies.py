"""Which currency each stored location's money is in, for parsing Deliverect orders into its minor units."""

from __future__ import annotations

from sqlalchemy import Engine, select

from tools.currencies import LocationCurrencies
from tools.store.models import Location


def stored_location_currencies(engine: Engine) -> LocationCurrencies:
    """The store's locations' currencies by their Square and their Deliverect location ids."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Location.square_location_id, Location.deliverect_location_id, Location.currency)
        ).all()
    return LocationCurrencies(
        by_square_location={row.square_location_id: row.currency for row in rows if row.square_location_id},
        by_deliverect_location={
            row.deliverect_location_id: row.currency for row in rows if row.deliverect_location_id
        },
    )
