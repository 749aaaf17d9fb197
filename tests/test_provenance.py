"""The provenance check: which figures an answer states, and which of them the tool results explain. Classes
of input are proven with Hypothesis (any tool value in any supported writing is explained; a figure off by
more than its rounding is flagged; times, years, names and list markers are never figures), then exact
examples over a real ``sales_report`` result."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.agent.provenance import Figure, Provenance, check_answer, figures_in, tool_values

# Copied from `opsbot call sales_report period="last week" group_by=location` (trimmed to two rows).
ROWS = [
    {"location": "Location 1 (Downtown)", "orders": 816, "net_sales": "$25,556.18", "share_percent": 30.2},
    {"location": "Location 2 (Harbor)", "orders": 677, "net_sales": "$21,507.11", "share_percent": 25.4},
]
SALES = {
    "period": {
        "start": "2026-11-23",
        "end": "2026-11-29",
        "days": 7,
        "label": "last week (Mon 23 Nov 2026 – Sun 29 Nov 2026)",
    },
    "locations": "all",
    "currency": "USD",
    "totals": {
        "orders": 2661,
        "gross_sales": "$85,583.15",
        "discounts": "$1,001.88",
        "net_sales": "$84,581.27",
        "tax": "$7,634.90",
        "tips": "$6,713.70",
        "average_ticket": "$31.79",
        "items_sold": 7672,
        "refunds": {"count": 18, "value": "$360.94"},
    },
    "group_by": ["location"],
    "rows": ROWS,
    "definitions": {"average_ticket": "net sales ÷ orders, half up to the cent"},
}
COMPARISON = {
    "period": {"start": "2026-11-23", "end": "2026-11-29", "days": 7},
    "change": {
        "net_sales": {"change": "-$7,612.78", "percent": -8.3},
        "tips": {"change": "+$193.32", "percent": 3.0},
    },
}
TODAY = "Today is Tuesday 2026-12-01 (America/New_York, Location 1's timezone)."


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def _rounded(value: Decimal, step: Decimal, truncate: bool) -> Decimal:
    return value.quantize(step, ROUND_DOWN if truncate else ROUND_HALF_UP)


def _strip(number: Decimal) -> str:
    """``84.60`` → ``84.6``: the digits as a person writes them."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@st.composite
def money_writings(draw) -> tuple[int, str]:
    """A money amount (cents) and one way an answer may write it, rounded or truncated."""
    cents = draw(st.integers(min_value=-(10**10), max_value=10**10))
    amount = Decimal(abs(cents)).scaleb(-2)
    sign = "-" if cents < 0 and draw(st.booleans()) else ""
    truncate = draw(st.booleans())
    style = draw(st.sampled_from(["exact", "whole", "k", "M", "thousand", "code"]))
    if style == "exact":
        text = f"{sign}${amount:,.2f}"
    elif style == "whole":
        text = f"{sign}${_rounded(amount, Decimal(1), truncate):,.0f}"
    elif style == "code":
        text = f"{amount:,.2f} USD"
    else:
        exponent = 6 if style == "M" else 3
        places = draw(st.integers(min_value=0, max_value=2))
        scaled = _rounded(amount.scaleb(-exponent), Decimal(1).scaleb(-places), truncate)
        number = f"{scaled:.{places}f}"
        text = {
            "k": f"{sign}${number}k",
            "M": f"{sign}${number}M",
            "thousand": f"{number} thousand dollars",
        }[style]
    return cents, text


@given(money_writings())
def test_a_money_amount_a_tool_returned_is_explained_however_the_answer_writes_it(case):
    cents, text = case
    result = {"totals": {"net_sales": _money(cents)}}
    provenance = check_answer(f"Net sales were {text} last week.", [result])
    assert provenance == Provenance(1, ())


@given(
    st.integers(min_value=-999_9, max_value=999_9),
    st.sampled_from(["{}%", "{} percent", "{} pp"]),
    st.integers(min_value=0, max_value=1),
    st.booleans(),
)
def test_a_percentage_a_tool_returned_is_explained_rounded_to_any_precision(tenths, form, places, truncate):
    value = Decimal(tenths).scaleb(-1)
    written = _rounded(abs(value), Decimal(1).scaleb(-places), truncate)
    text = form.format(f"{written:.{places}f}")
    provenance = check_answer(f"Net sales were down {text} on the week.", [{"percent": float(value)}])
    assert provenance == Provenance(1, ())


@given(st.integers(min_value=10, max_value=10**9), st.sampled_from(["comma", "plain", "k"]), st.booleans())
def test_a_count_a_tool_returned_is_explained_with_separators_without_or_in_thousands(count, style, truncate):
    if style == "k":
        assume(count >= 1000)
        text = f"{_strip(_rounded(Decimal(count).scaleb(-3), Decimal('0.1'), truncate))}k"
    else:
        text = f"{count:,}" if style == "comma" else str(count)
    provenance = check_answer(f"There were {text} orders.", [{"orders": count}])
    assert provenance == Provenance(1, ())


ORDINALS = {1: "st", 2: "nd", 3: "rd"}
DATE_FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.day} {d:%b}",
    lambda d: f"{d:%b} {d.day}",
    lambda d: f"{d:%B} {d.day}{'th' if 11 <= d.day <= 13 else ORDINALS.get(d.day % 10, 'th')}",
    lambda d: f"{d:%a} {d.day} {d:%b %Y}",
    lambda d: f"{d.month}/{d.day}",
]


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.sampled_from(DATE_FORMS),
)
def test_a_day_inside_a_period_a_tool_returned_is_explained_in_every_date_form(start, length, offset, form):
    assume(offset <= length)
    end, day = start + timedelta(days=length), start + timedelta(days=offset)
    result = {"period": {"start": start.isoformat(), "end": end.isoformat()}}
    provenance = check_answer(f"On {form(day)} the rush came early.", [result])
    assert provenance == Provenance(1, ())


@st.composite
def far_money(draw) -> tuple[list[int], str]:
    """Tool amounts (cents) and a money figure farther from every one of them than its written step."""
    values = draw(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8))
    style = draw(st.sampled_from([(2, ""), (0, ""), (1, "k"), (0, "k"), (2, "M")]))
    places, scale = style
    exponent = {"": 0, "k": 3, "M": 6}[scale]
    mantissa = draw(st.integers(min_value=1, max_value=10**7))
    number = Decimal(mantissa).scaleb(-places)
    value = number.scaleb(exponent)
    step = Decimal(1).scaleb(exponent - places)
    assume(all(abs(Decimal(v).scaleb(-2) - value) >= step for v in values))
    return values, f"${number:,.{places}f}{scale}"


@given(far_money())
def test_a_money_figure_off_by_more_than_its_rounding_is_flagged(case):
    values, text = case
    results = [{"rows": [{"net_sales": _money(v)} for v in values]}]
    provenance = check_answer(f"Net sales were {text}.", results)
    assert provenance.checked == 1 and provenance.unmatched_texts() == [text]


@given(
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8),
    st.integers(min_value=10, max_value=10**6),
)
def test_a_count_no_tool_returned_is_flagged(values, count):
    assume(count not in values)
    provenance = check_answer(f"We had {count:,} orders.", [{"orders": v} for v in values])
    assert provenance.unmatched_texts() == [f"{count:,}"]


@given(
    st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=8),
    st.integers(min_value=-1000, max_value=1000),
)
def test_a_percentage_off_by_a_tenth_or_more_is_flagged(tenths, figure):
    assume(all(abs(abs(t) - abs(figure)) >= 1 for t in tenths))
    text = f"{abs(figure) / 10:.1f}%"
    provenance = check_answer(f"Sales grew {text}.", [{"percent": t / 10} for t in tenths])
    assert provenance.unmatched_texts() == [text]


YEARS = {"min_value": date(1950, 1, 1), "max_value": date(2090, 12, 31)}


@given(st.dates(**YEARS), st.dates(**YEARS), st.integers(min_value=0, max_value=30))
def test_a_day_outside_every_period_is_flagged(day, start, length):
    end = start + timedelta(days=length)
    assume(not start <= day <= end)
    provenance = check_answer(f"On {day.isoformat()} it rained.", [{"start": str(start), "end": str(end)}])
    assert provenance.unmatched_texts() == [day.isoformat()]


@given(
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=12),
)
def test_times_of_day_and_hour_ranges_are_never_figures(hour, minute, start, end):
    text = (
        f"The rush ran {hour}:{minute:02d} to {hour:02d}:{minute:02d}, busiest {start}am–{end}pm, "
        f"quiet at {end} pm and {start} a.m., from {start} to {end} pm, and {hour}:{minute:02d}–{hour}:59."
    )
    assert figures_in(text) == []


@given(st.integers(min_value=1900, max_value=2100))
def test_years_alone_are_never_figures(year):
    assert figures_in(f"In {year} we opened; {year} was good, and so was fall {year}.") == []


@given(
    st.sampled_from(["Location", "Store #", "Classic Burger", "Table", "Combo", "Register"]),
    st.integers(min_value=1, max_value=99),
)
def test_numbers_inside_names_are_never_figures(name, number):
    label = f"{name}{number}" if name.endswith("#") else f"{name} {number}"
    assert figures_in(f"{label} was busy; {label}'s manager ({label}) agreed.") == []


@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=12), st.sampled_from(["", "- "]))
def test_list_markers_ranks_and_small_counts_are_never_figures(numbers, bullet):
    lines = [
        f"{bullet}{n}. Fries sold best, #{n % 10} overall, top {n}, the {n}th day, 3 sites" for n in numbers
    ]
    assert figures_in("\n".join(lines)) == []


def test_figures_keep_their_written_precision_and_scale():
    assert figures_in("$84.6k, $84,581.27, 30%, 12.5%, -$5, 2.7k orders, about 2,700 orders, $1.2M") == [
        Figure("$84.6k", "money", 84600.0, -2),
        Figure("$84,581.27", "money", 84581.27, 2),
        Figure("30%", "percent", 30.0, 0),
        Figure("12.5%", "percent", 12.5, 1),
        Figure("-$5", "money", -5.0, 0),
        Figure("2.7k", "count", 2700.0, -2),
        Figure("2,700", "count", 2700.0, -2),
        Figure("$1.2M", "money", 1200000.0, -5),
    ]
    assert figures_in("Mon 23 Nov 2026, Nov 23–29 and 11/23", year_hint=2026) == [
        Figure("Mon 23 Nov 2026", "date", None, 0, date(2026, 11, 23)),
        Figure("Nov 23–29", "date", None, 0, date(2026, 11, 23)),
        Figure("Nov 29", "date", None, 0, date(2026, 11, 29)),
        Figure("11/23", "date", None, 0, date(2026, 11, 23)),
    ]


def test_rounding_is_half_up_or_truncation_and_ignores_the_sign():
    figure = Figure("$85k", "money", 85000.0, -3)
    assert figure.is_rounding_of(84500.0) and figure.is_rounding_of(-85999.99)
    assert not figure.is_rounding_of(84499.99) and not figure.is_rounding_of(86000.0)
    assert Figure("30%", "percent", 30.0, 0).is_rounding_of(30.2)
    assert not Figure("Nov 23", "date", None, 0, date(2026, 11, 23)).is_rounding_of(23)


GOOD_ANSWER = """**Last week (Mon 23 Nov – Sun 29 Nov 2026)** net sales were **$84,581.27** ($84.6k)
from 2,661 orders (about 2.7k), an average ticket of $31.79 — down 8.3% (-$7,612.78); tips rose 3% (+$193.32).

| Location | Orders | Net sales | Share |
|---|---:|---:|---:|
| Location 1 (Downtown) | 816 | $25,556.18 | 30% |
| Location 2 (Harbor) | 677 | $21,507 | 25.4% |

1. 18 refunds for $360.94
2. Busiest hour: 12:00–12:59, and 9am–2pm overall, as on Nov 25."""


def test_an_answer_quoting_the_tool_results_in_many_writings_is_clean():
    provenance = check_answer(GOOD_ANSWER, [SALES, COMPARISON], context=["How was last week?", TODAY])
    assert provenance == Provenance(20, ())
    assert provenance.clean and provenance.to_json() == {"checked": 20, "unmatched": []}
    assert provenance.summary() == "all 20 figures found in the tool results"


def test_a_total_the_model_added_up_and_a_changed_digit_are_flagged():
    answer = (
        "Net sales were $84,581.27 and tips $6,713.70, so $91,294.97 together; Downtown had 817 orders "
        "(30.2%) on Dec 3, and net sales were down 8.3%."
    )
    provenance = check_answer(answer, [SALES, COMPARISON], context=[TODAY])
    assert provenance.to_json() == {"checked": 7, "unmatched": ["$91,294.97", "817", "Dec 3"]}
    assert not provenance.clean
    assert provenance.summary() == "3 of 7 figures not found in the tool results: $91,294.97, 817, Dec 3"


def test_figures_from_the_question_and_today_are_explained_and_a_repeat_counts_once():
    answer = "Yes: $84,581.27 beat your $80,000 goal as of 2026-12-01, and $84,581.27 is the total."
    provenance = check_answer(answer, [SALES], context=["Did we beat $80,000 last week?", TODAY])
    assert provenance == Provenance(3, ())
    assert check_answer(answer, [SALES]).unmatched_texts() == ["$80,000", "2026-12-01"]


def test_tool_values_reads_numbers_money_strings_dates_labels_and_periods():
    values = tool_values([SALES, COMPARISON])
    assert 84581.27 in values.money and 7612.78 in values.money and 193.32 in values.money
    assert 2661 in values.numbers and 30.2 in values.numbers and 8.3 in values.numbers
    assert 7 in values.numbers and 1 not in values.numbers  # "Location 1" is a name, not a value
    assert date(2026, 11, 23) in values.dates and date(2026, 11, 29) in values.dates
    assert values.periods == (
        (date(2026, 11, 23), date(2026, 11, 29)),
        (date(2026, 11, 23), date(2026, 11, 29)),
    )
    assert values.latest_year() == 2026


def test_an_answer_without_figures_checks_nothing():
    provenance = check_answer("Downtown did best; Location 3 was quiet at 9 pm.", [SALES])
    assert provenance == Provenance(0, ()) and provenance.summary() == "no figures to check"
