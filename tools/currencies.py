"""Currencies: how many decimal places each one's minor unit has, how amounts are shown, and which currency
each location's money is in.

The store keeps money as integers in the currency's minor unit (ISO 4217): cents for USD, yen for JPY (no
decimals), fils for KWD (three). Square already sends amounts that way; Deliverect sends integers scaled by
its own ``decimalDigits``, which the parser converts using the location's currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# ISO 4217 currencies whose minor unit is not the hundredth.
_NO_DECIMALS = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMALS = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


def minor_unit_digits(currency: str | None) -> int:
    """Decimal places of ``currency``'s minor unit: 0 for JPY, 3 for KWD, 2 for the rest (and for unknown)."""
    code = (currency or "").upper()
    if code in _NO_DECIMALS:
        return 0
    if code in _THREE_DECIMALS:
        return 3
    return 2


def divide_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to a whole minor unit, halves away from zero — the one rounding
    rule for money opsbot derives (commission estimates, average tickets): 0.5 cent → 1 cent, −0.5 → −1."""
    if denominator == 0:
        raise ZeroDivisionError("divide_half_up by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient = (2 * abs(numerator) + denominator) // (2 * denominator)
    return quotient if numerator >= 0 else -quotient


def format_money(amount: int | float, currency: str) -> str:
    """Minor units → "$1,234.56", "¥1,235", "KWD 1.250" (negative amounts as "-$12.00")."""
    digits = minor_unit_digits(currency)
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency, currency + " ")
    return f"{sign}{symbol}{abs(amount) / 10**digits:,.{digits}f}"


@dataclass(frozen=True)
class LocationCurrencies:
    """Each location's currency by its Square location id and by its Deliverect location id; an order is
    placed by its Square (POS) location first, as the store writer places it."""

    by_square_location: Mapping[str, str] = field(default_factory=dict)
    by_deliverect_location: Mapping[str, str] = field(default_factory=dict)

    def of(self, square_location_id: str | None, deliverect_location_id: str | None) -> str | None:
        """The currency of the location an order names; None when neither id is known."""
        if square_location_id and square_location_id in self.by_square_location:
            return self.by_square_location[square_location_id]
        if deliverect_location_id:
            return self.by_deliverect_location.get(deliverect_location_id)
        return None
