"""Provenance of an answer's figures: every money amount, percentage, count and date the answer states is
looked up among the values the conversation's tools returned. Pure: no I/O, no clock.

What counts as a figure (``figures_in``):
    money        $1,234.56, -$5, +$193.32, $1.2k, $1.2M, $5 million, 84.6 thousand dollars, 1,234.56 USD
    percent      12.5%, 12.5 percent, 3.1 pp, 3.1 percentage points
    count        2,661, 2661, 2.7k (orders), 12.5 (minutes)
    date         2026-11-23, 23 Nov, Nov 23, November 23rd, Mon 23 Nov 2026, 11/23, Nov 23–29 (two dates)
Never figures, on purpose: times of day (11:00, 9 pm, 9am–2pm), years alone (2026; "2026 orders" is a
count), numbers inside names (Location 3, Store #2, Classic Burger 12, Q4: one or two digits right after a
capitalised word), list markers ("1." at the start of a line), ordinals and ranks (3rd, #1, top 5, last 30
days), and counts 0–9 written as digits: they are ranks, enumerations and small quantities ("2 locations")
that are too noisy to check and rarely wrong in a way that matters.

When a figure is explained (``ToolValues.explains``):
    - a number is explained when some tool value, rounded half-up (or truncated) to the figure's written
      precision, equals it: "$84,581", "$84.6k", "$85k" and "$84k" all explain $84,581.27; "30%" explains
      30.2; "2.7k orders" explains 2661. "about 2,700" / "nearly $90k" (a hedge before trailing zeros)
      lowers the precision to the last non-zero digit. Signs are ignored ("down 12.3%" for -12.3,
      "-$360.94" for "$360.94").
    - money figures match money values ("$84,581.27") or plain numbers; percentages and counts match
      plain numbers (JSON numbers, and numbers written in the tools' strings).
    - a date is explained when the tools returned it, when it lies in a period ``start``..``end`` a tool
      returned, or (without a year written) when the same day a year earlier or later is.
    - anything the context says (the question, earlier questions, the "Today is …" line) is explained too.
The model is told never to do arithmetic, so a total or difference it computed itself is rightly unmatched.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

FigureKind = Literal["money", "percent", "count", "date"]


@dataclass(frozen=True)
class Figure:
    """One figure as the answer wrote it."""

    text: str  # as written in the answer, e.g. "$84.6k", "12.5%", "2,661", "Nov 23"
    kind: FigureKind
    value: float | None  # the number as written, scale applied ("$84.6k" -> 84600.0); None for dates
    decimals: int  # precision as written, after scale: "$84.6k" -> -2, "$84,581.27" -> 2, "30%" -> 0
    day: date | None = None  # for dates (year filled from context when the text has none)

    def is_rounding_of(self, number: float) -> bool:
        """Whether ``|number|`` rounds (half-up, or truncates) to ``|value|`` at ``decimals`` places."""
        if self.value is None:
            return False
        step = Decimal(1).scaleb(-self.decimals)
        try:
            written = Decimal(repr(abs(self.value))).quantize(step, ROUND_HALF_UP)
            exact = Decimal(repr(abs(number)))
            return (
                exact.quantize(step, ROUND_HALF_UP) == written or exact.quantize(step, ROUND_DOWN) == written
            )
        except InvalidOperation:  # beyond Decimal's precision at this step: not a figure we can compare
            return False


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONEY_SCALE = r"k|K|m|M|mn|bn|B|thousand|million|billion"
_COUNT_SCALE = r"k|K|M|thousand|million|billion"
_CODES = r"USD|EUR|GBP|CAD|AUD|NZD|CHF|JPY|MXN|KWD|BHD|JOD|OMR|TND|IQD|LYD"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tue(?:s)?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"
_AMPM = r"\s*(?:[aApP]\.?[mM]\.?)(?![a-zA-Z])"
_DASH = r"\s*(?:–|—|-|to)\s*"

_SCANNER = re.compile(
    rf"""
    (?=[\d$€£¥+\-−A-Z])  # every figure starts so: most positions fail here at once
    (?:(?P<iso>(?<![\d-])(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})(?![\d-]))
  | (?P<time>(?<![\w.,])\d{{1,2}}(?::\d{{2}})?(?:{_AMPM})?{_DASH}\d{{1,2}}(?::\d{{2}}(?:{_AMPM})?|{_AMPM})
      | (?<![\w.,])\d{{1,2}}:\d{{2}}(?:{_AMPM})? | (?<![\w.,])\d{{1,2}}(?:{_AMPM}|\s*o'clock))
  | (?P<dmy>(?<![\w.,]){_WEEKDAY}(?P<dd>\d{{1,2}}){_ORD}(?:{_DASH}(?P<dd2>\d{{1,2}}){_ORD})?\s+(?:of\s+)?
      (?P<dm>{_MONTH})(?:,?\s+(?P<dy>\d{{4}})(?![\d-]))?)
  | (?P<mdy>{_WEEKDAY}(?P<mm>{_MONTH})\s+(?P<md>\d{{1,2}}){_ORD}(?![\d:])
      (?:{_DASH}(?P<md2>\d{{1,2}}){_ORD}(?![\d:]|[.,]\d))?(?:,?\s+(?P<my>\d{{4}})(?![\d-]))?)
  | (?P<always>24/7)
  | (?P<slash>(?<![\w/.,])(?P<s1>\d{{1,2}})/(?P<s2>\d{{1,2}})(?:/(?P<s3>\d{{4}}|\d{{2}}))?(?![\w/]|[.,]\d))
  | (?P<money>(?<![\w.,])(?P<msign>[-−+])?(?:[A-Z]{{1,2}})?[$€£¥]\s?(?P<msign2>[-−])?(?P<mnum>{_NUMBER})
      (?:\s*(?P<mscale>{_MONEY_SCALE})(?![\w]))?(?:\s+(?:{_CODES}|dollars))?
      | (?<![\w.,])(?:{_CODES})\s?(?P<csign>[-−])?(?P<cnum>{_NUMBER})
        (?:\s*(?P<cscale>{_MONEY_SCALE})(?![\w]))?
      | (?<![\w.,])(?P<ssign>[-−+])?(?P<snum>{_NUMBER})(?:\s*(?P<sscale>{_MONEY_SCALE}))?
        \s*(?:{_CODES}|dollars|euros|pounds)(?![\w]))
  | (?P<percent>(?<![\w.,])(?P<psign>[-−+])?(?P<pnum>{_NUMBER})
      \s*(?:%|percent\b|per\s+cent\b|pp\b|p\.p\.|percentage\s+points?\b|pts\b))
  | (?P<ordinal>(?<![\w.,])\d+(?:st|nd|rd|th)\b)
  | (?P<count>(?<![\w.,#])(?P<nsign>[-−+])?(?P<nnum>{_NUMBER})(?:\s*(?P<nscale>{_COUNT_SCALE})\b)?(?![\w])))
    """,
    re.VERBOSE,
)
_SCALES = {"k": 3, "K": 3, "thousand": 3, "m": 6, "M": 6, "mn": 6, "million": 6}
_SCALES |= {"bn": 9, "B": 9, "billion": 9}
_MONTHS = {name: n for n, name in enumerate(re.findall("...", "janfebmaraprmayjunjulaugsepoctnovdec"), 1)}
_HEDGES = frozenset(
    ["about", "around", "roughly", "approximately", "approx.", "nearly", "almost", "some", "over", "under"]
)
# A number right after one of these words is a rank, a period length or part of a name: "top 5",
# "last 30 days", "location 3", "no. 2"; after "#" too ("#1", "Store #2").
_RANK_WORDS = frozenset(
    re.findall(
        r"\S+",
        "location store site branch table register terminal station week day hour level tier no. number "
        "rank ranked top bottom best worst first last next past previous",
    )
)
# A number of one or two digits right after a capitalised word is part of a name ("Classic Burger 12")
# unless the word is an ordinary one that starts a sentence or a phrase, or a count noun follows.
_NOT_A_NAME = frozenset(
    re.findall(
        r"\w+",
        "About Around Over Under Nearly Almost Roughly Only Just With At On In By For To From And But Or "
        "Of Up Down Total Totals All Some Approximately Exactly Net Gross Orders Sales",
    )
)
_COUNT_NOUN = re.compile(r"\s*(?:orders?|items?|refunds?|tickets?|guests?|covers?|transactions?)\b")
_MARKER_AFTER = re.compile(r"[.)][ \t]")
_SIGNS = "-−"


def _digits(number: str) -> tuple[Decimal, int]:
    """The value and decimal places of ``1,234.56``."""
    plain = number.replace(",", "")
    return Decimal(plain), len(plain.partition(".")[2])


def _number_figure(
    match: re.Match, kind: FigureKind, number: str, sign: str | None, scale: str | None
) -> Figure:
    value, places = _digits(number)
    exponent = _SCALES.get(scale or "", 0)
    decimals = places - exponent
    if places == 0 and number.endswith("0") and _hedged(match.string, match.start()):
        # "about 2,700", "nearly $90k": the trailing zeros are not precision
        digits = number.replace(",", "")
        decimals -= min(len(digits) - len(digits.rstrip("0")), len(digits) - 1)
    value = value.scaleb(exponent)
    negative = bool(sign) and sign in _SIGNS
    return Figure(match.group().strip(), kind, float(-value if negative else value), decimals)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _dates(match: re.Match, year_hint: int) -> list[Figure]:
    """The date figures of a date match (two for a range like ``Nov 23–29``)."""
    kind = match.lastgroup
    text = match.group(kind).strip()
    if kind == "iso":
        days = [(int(match["iy"]), int(match["im"]), int(match["id"]), text)]
    elif kind == "slash":
        first, second = int(match["s1"]), int(match["s2"])
        month, day = (first, second) if first <= 12 else (second, first)
        year = match["s3"]
        full_year = year_hint if year is None else int(year) + (2000 if len(year) == 2 else 0)
        days = [(full_year, month, day, text)]
    else:
        month_name, day1, day2, year = (
            (match["dm"], match["dd"], match["dd2"], match["dy"])
            if kind == "dmy"
            else (match["mm"], match["md"], match["md2"], match["my"])
        )
        full_year = int(year) if year else year_hint
        month = _month_number(month_name)
        days = [(full_year, month, int(day1), text)]
        if day2:
            second = f"{day2} {month_name}" if kind == "dmy" else f"{month_name} {day2}"
            days.append((full_year, month, int(day2), second))
    found = []
    for year, month, day, shown in days:
        when = _day(year, month, day)
        if when is not None:
            found.append(Figure(shown, "date", None, 0, when))
    return found


def _line_before(text: str, start: int) -> str:
    """The text before ``start`` on its line (at most 40 characters of it)."""
    return text[max(0, start - 40) : start].rpartition("\n")[2]


def _last_word(line: str) -> str:
    words = line.split()
    return words[-1] if words and line[-1:] in " \t" else ""


def _hedged(text: str, start: int) -> bool:
    """Whether a hedge ("about", "nearly", "~") comes right before ``start``."""
    line = _line_before(text, start).rstrip()
    return line.endswith(("~", "≈")) or _last_word(line + " ").lower() in _HEDGES


def _skipped_count(text: str, match: re.Match, small_counts: bool) -> bool:
    """Counts that are not figures: 0–9 (unless ``small_counts``), years, list markers, ranks, and numbers
    inside names."""
    number = match["nnum"]
    if match["nscale"] or "." in number or "," in number:
        return False
    value = int(number)
    if value <= 9 and not small_counts:
        return True
    if len(number) == 4 and 1900 <= value <= 2100:  # a year, unless it counts something: "1999 orders"
        return not _COUNT_NOUN.match(text, match.end())
    line = _line_before(text, match.start())
    if line.strip(" \t-*+") == "" and _MARKER_AFTER.match(text, match.end()):
        return True
    if line.rstrip(" \t").endswith("#"):
        return True
    word = _last_word(line).strip("*_`\"'([")
    if word.lower() in _RANK_WORDS:
        return True
    return (
        len(number) <= 2
        and word[:1].isupper()
        and word.rstrip(".,;:)") == word
        and word not in _NOT_A_NAME
        and not _COUNT_NOUN.match(text, match.end())
    )


def figures_in(text: str, *, year_hint: int | None = None, small_counts: bool = False) -> list[Figure]:
    """Every checkable figure in ``text``, in order (see the module docstring for what is and is not one);
    dates written without a year take ``year_hint`` (default: this year)."""
    year = year_hint or date.today().year
    found: list[Figure] = []
    for match in _SCANNER.finditer(text):
        kind = match.lastgroup
        if kind in ("iso", "slash", "dmy", "mdy"):
            found += _dates(match, year)
        elif kind == "money":
            prefix = next(p for p in "mcs" if match[f"{p}num"])
            sign = match[f"{prefix}sign"] or (match["msign2"] if prefix == "m" else None)
            number, scale = match[f"{prefix}num"], match[f"{prefix}scale"]
            found.append(_number_figure(match, "money", number, sign, scale))
        elif kind == "percent":
            found.append(_number_figure(match, "percent", match["pnum"], match["psign"], None))
        elif kind == "count" and not _skipped_count(text, match, small_counts):
            found.append(_number_figure(match, "count", match["nnum"], match["nsign"], match["nscale"]))
    return found


@dataclass(frozen=True)
class ToolValues:
    """The numbers and dates a conversation's tools returned, indexed for lookups."""

    money: tuple[float, ...] = ()  # absolute values, sorted
    numbers: tuple[float, ...] = ()  # absolute values, sorted
    dates: frozenset[date] = frozenset()
    periods: tuple[tuple[date, date], ...] = ()
    texts: tuple[str, ...] = field(default=(), repr=False)  # context texts, for figures quoted verbatim

    def latest_year(self) -> int | None:
        """The year of the latest date among the values (the default for answer dates without one)."""
        years = [d.year for d in self.dates] + [end.year for _, end in self.periods]
        return max(years) if years else None

    def explains(self, figure: Figure) -> bool:
        """Whether some value explains ``figure`` (the rules are in the module docstring)."""
        quoted = re.compile(rf"(?<![\w.,-]){re.escape(figure.text)}(?![\w%])")
        if any(quoted.search(text) for text in self.texts):  # whole figures only: "11" is not in "2026-11-23"
            return True
        if figure.kind == "date":
            assert figure.day is not None
            days = [figure.day]
            if not re.search(r"\d{4}", figure.text):
                days += [
                    d
                    for d in (_day(figure.day.year + s, figure.day.month, figure.day.day) for s in (-1, 1))
                    if d
                ]
            return any(d in self.dates or any(s <= d <= e for s, e in self.periods) for d in days)
        pools = (self.money, self.numbers) if figure.kind == "money" else (self.numbers,)
        return any(_near(pool, figure) for pool in pools)


def _near(pool: tuple[float, ...], figure: Figure) -> bool:
    assert figure.value is not None
    target, step = abs(figure.value), 10.0**-figure.decimals
    low, high = bisect_left(pool, target - step * 1.01), bisect_right(pool, target + step * 1.01)
    return any(figure.is_rounding_of(number) for number in pool[low:high])


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGIT = re.compile(r"\d")
_MONEY_STRING = re.compile(r"[-−+]?(?:[A-Z]{1,2})?[$€£¥](?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_NOT_NUMBER = re.compile(r"[^\d.]")
_NOTHING: tuple[tuple[float, ...], tuple[float, ...], tuple[date, ...]] = ((), (), ())


@lru_cache(maxsize=8192)
def _string_values(text: str) -> tuple[tuple[float, ...], tuple[float, ...], tuple[date, ...]]:
    """The money, other numbers and dates written in one string of a tool result (cached: the same strings
    come back in every turn of a conversation — labels, definitions, amounts)."""
    if not _DIGIT.search(text):
        return _NOTHING
    amount = money_amount(text)
    if amount is not None:  # "$84,581.27", "-$5.00": most strings with a digit
        return (abs(amount),), (), ()
    figures = figures_in(text)
    return (
        tuple(abs(f.value) for f in figures if f.kind == "money" and f.value is not None),
        tuple(abs(f.value) for f in figures if f.kind in ("percent", "count") and f.value is not None),
        tuple(f.day for f in figures if f.day is not None),
    )


def money_amount(text: str) -> float | None:
    """The amount of a money string as the tools write it (``"-$7,612.78"`` → -7612.78, ``"+$193.32"``);
    None when ``text`` is not one amount."""
    text = text.strip()
    if not _MONEY_STRING.fullmatch(text):
        return None
    amount = float(_NOT_NUMBER.sub("", text))
    return -amount if text[0] in _SIGNS else amount


def _period(value: dict) -> tuple[date, date] | None:
    """A ``{"start": "2026-11-23", "end": "2026-11-29", …}`` period's first and last day."""
    start, end = value.get("start"), value.get("end")
    if type(start) is str and type(end) is str and _ISO_DATE.fullmatch(start) and _ISO_DATE.fullmatch(end):
        with suppress(ValueError):
            return date.fromisoformat(start), date.fromisoformat(end)
    return None


def tool_values(results: Iterable[object], *, texts: Iterable[str] = ()) -> ToolValues:
    """Every number and date in parsed tool-result JSON (nested dicts and lists): numbers, money and percent
    strings, ISO dates, date labels inside strings and period start..end ranges; ``texts`` are searched the
    same way and kept for figures quoted from them verbatim."""
    texts = tuple(texts)
    money: list[float] = []
    numbers: list[float] = []
    dates: set[date] = set()
    periods: list[tuple[date, date]] = []
    stack: list[object] = [*results, *texts]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            found = _string_values(value)  # type: ignore[arg-type]
            if found is not _NOTHING:
                money += found[0]
                numbers += found[1]
                dates.update(found[2])
        elif kind is int or kind is float:
            numbers.append(abs(value))  # type: ignore[arg-type]
        elif kind is dict:
            assert isinstance(value, dict)
            if "start" in value and (period := _period(value)):
                periods.append(period)
            stack += value.values()
            stack += (key for key in value if type(key) is str and _ISO_DATE.fullmatch(key))
        elif kind is list or kind is tuple:
            stack += value  # type: ignore[operator]
    return ToolValues(
        money=tuple(sorted(money)),
        numbers=tuple(sorted(numbers)),
        dates=frozenset(dates),
        periods=tuple(periods),
        texts=texts,
    )


@dataclass(frozen=True)
class Provenance:
    """The verdict on one answer: how many figures were checked and which no tool value explains."""

    checked: int  # figures found in the answer
    unmatched: tuple[Figure, ...]  # those no tool value explains

    @property
    def clean(self) -> bool:
        """Every figure was found in the tool results."""
        return not self.unmatched

    def unmatched_texts(self) -> list[str]:
        """The unmatched figures as written."""
        return [figure.text for figure in self.unmatched]

    def to_json(self) -> dict:
        """``{"checked": 7, "unmatched": ["$1,234", "15%"]}``."""
        return {"checked": self.checked, "unmatched": self.unmatched_texts()}

    def summary(self) -> str:
        """One line for front ends and traces: "2 of 7 figures not found in the tool results: $1, 15%"."""
        return summary_line(self.checked, self.unmatched_texts())


def summary_line(checked: int, unmatched: list[str]) -> str:
    """ "all 7 figures found in the tool results", or "2 of 7 figures not found in the tool results: $1, 15%"
    (``checked`` figures, the ``unmatched`` ones as written)."""
    figures = f"{checked} figure{'s' * (checked != 1)}"
    if not unmatched:
        return "no figures to check" if checked == 0 else f"all {figures} found in the tool results"
    return f"{len(unmatched)} of {figures} not found in the tool results: {', '.join(unmatched)}"


def check_answer(answer: str, results: Iterable[object], *, context: Iterable[str] = ()) -> Provenance:
    """Check every figure of ``answer`` against the parsed tool results of its conversation (all turns) and
    the ``context`` texts it may quote (the questions, the "Today is …" line); each distinct figure once."""
    values = tool_values(results, texts=context)
    figures: dict[tuple, Figure] = {}
    for figure in figures_in(answer, year_hint=values.latest_year()):
        figures.setdefault((figure.kind, figure.value, figure.decimals, figure.day), figure)
    unmatched = tuple(f for f in figures.values() if not values.explains(f))
    return Provenance(len(figures), unmatched)
