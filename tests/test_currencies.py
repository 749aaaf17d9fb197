"""Money as people read it, in each currency's own minor unit."""

from __future__ import annotations

import pytest

from tools.currencies import LocationCurrencies, format_money, minor_unit_digits


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (123456, "USD", "$1,234.56"),
        (-1200, "USD", "-$12.00"),
        (123456, "EUR", "€1,234.56"),
        (123456, "JPY", "¥123,456"),
        (1250, "KWD", "KWD 1.250"),
        (500, "CHF", "CHF 5.00"),
        (1234.6, "USD", "$12.35"),
    ],
)
def test_amounts_are_shown_with_the_currency_decimals(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_minor_unit_digits_follow_iso_4217_and_default_to_two():
    assert [minor_unit_digits(c) for c in ("USD", "jpy", "KRW", "BHD", "XYZ", None)] == [2, 0, 0, 3, 2, 2]


def test_an_order_is_placed_by_its_pos_location_before_its_deliverect_location():
    currencies = LocationCurrencies({"SQ-TOKYO": "JPY"}, {"DL-TOKYO": "JPY", "DL-NY": "USD"})
    assert currencies.of("SQ-TOKYO", "DL-NY") == "JPY"
    assert currencies.of("SQ-UNKNOWN", "DL-NY") == "USD"
    assert currencies.of(None, "DL-TOKYO") == "JPY"
    assert currencies.of(None, None) is None and currencies.of("SQ-UNKNOWN", "DL-UNKNOWN") is None
