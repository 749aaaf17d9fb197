"""Is an expected fact in the answer? Numbers are read from the answer with the provenance check's figure
reader, so "$84.6k", "$84,581" and "$84,581.27" all state $84,581.27, and "down 8.3%" states -8.3; names
match case-insensitively, a location also by its short name ("Harbor" for "Location 2 (Harbor)")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.agent.provenance import Figure, figures_in, money_amount
from bot.evaluation.facts import ExpectedFact

_MONEY_KINDS = ("money", "count")
_NUMBER_KINDS = ("count", "percent")


@dataclass(frozen=True)
class TurnScore:
    """Which of a turn's facts the answer states."""

    found: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return not self.missing


def name_forms(name: str) -> list[str]:
    """The ways an answer may write a name: whole, for ``Location 2 (Harbor)`` also ``Harbor``, for
    ``in_store`` also ``in store`` and ``in-store``."""
    forms = [name]
    inner = re.fullmatch(r"(.+?)\s*\((.+)\)", name)
    if inner:
        forms += [inner[2], inner[1]]
    if "_" in name:  # a code such as in_store or uber_eats
        forms += [name.replace("_", " "), name.replace("_", "-")]
    return forms


def _states_number(figures: list[Figure], number: float, kinds: tuple[str, ...], tolerance: float) -> bool:
    for figure in figures:
        if figure.kind not in kinds or figure.value is None:
            continue
        if figure.is_rounding_of(number) or abs(abs(figure.value) - abs(number)) <= tolerance * abs(number):
            return True
    return False


def states(answer: str, fact: ExpectedFact, figures: list[Figure] | None = None) -> bool:
    """True when ``answer`` states ``fact`` (``figures``: the answer's figures, when already read)."""
    lowered = answer.casefold()
    if fact.phrases:
        return any(phrase.casefold() in lowered for phrase in fact.phrases)
    figures = _figures(answer) if figures is None else figures
    value = fact.value
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return _states_number(figures, float(value), _NUMBER_KINDS, fact.tolerance)
    money = money_amount(value)
    if money is not None:
        return _states_number(figures, money, _MONEY_KINDS, fact.tolerance)
    day = _iso_date(value)
    if day is not None:
        return value in answer or any(f.kind == "date" and f.day == day for f in figures)
    return any(form.casefold() in lowered for form in name_forms(value))


def _figures(answer: str) -> list[Figure]:
    """The answer's figures, one-digit counts included: the provenance check skips them as noise, but a
    fact may be one ("7 orders were canceled")."""
    return figures_in(answer, small_counts=True)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def score_turn(answer: str, facts: list[ExpectedFact]) -> TurnScore:
    """Which ``facts`` the answer states and which it misses."""
    figures = _figures(answer)
    found, missing = [], []
    for fact in facts:
        (found if states(answer, fact, figures) else missing).append(fact.label)
    return TurnScore(tuple(found), tuple(missing))
