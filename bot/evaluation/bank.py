"""The evaluation bank: owner questions, each with the facts a correct answer contains, read from YAML.

A fact never holds a number: it names a tool call and a path into its result, so the bank stays true when the
demo is rebuilt or re-anchored (the harness computes every expected value at run time). The format::

    version: 1
    cases:
      - id: net-sales-last-week            # unique
        family: sales                      # what the case exercises (a tool family, follow_up, no_data…)
        turns:                             # one question, or a conversation of follow-ups
          - ask: What were net sales last week?
            calls:                         # named tool calls the facts read from
              week: {tool: sales_report, args: {period: last week}}
            expect:
              - week.totals.net_sales                       # a value: money, count, percent or name
              - {value: week.totals.orders, tolerance: 0.01}  # relative tolerance beyond rounding
              - {mentions: [no orders, no data]}             # any one of these phrases
            refused: [week]                # calls that must fail (bad-input cases)

Paths are dotted keys and list indexes (``rows.0.item``) with ``[key=value]`` picking a list entry by a field
(``platforms[platform=DoorDash].orders``). Questions and arguments may use ``{today}``, ``{yesterday}`` and
``{days_ago_N}``: ISO dates of the business calendar on the day of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_BANK = "bank.yaml"
_PLACEHOLDER = re.compile(r"\{(today|yesterday|days_ago_(\d{1,3}))\}")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


class BankError(ValueError):
    """The bank file is not valid: the message names the case, the turn and the field."""


@dataclass(frozen=True)
class CallSpec:
    """One tool call a turn's facts read from."""

    tool: str
    args: dict[str, Any]

    def rendered(self, today: date) -> dict[str, Any]:
        """The arguments with date placeholders filled in for ``today``."""
        return render_placeholders(self.args, today)


@dataclass(frozen=True)
class ValueFact:
    """A value some call returned that the answer must state (a number within rounding or ``tolerance``,
    or a name)."""

    call: str
    path: str
    tolerance: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.call}.{self.path}"


@dataclass(frozen=True)
class Mentions:
    """The answer must contain one of these phrases (case-insensitive)."""

    phrases: tuple[str, ...]

    @property
    def label(self) -> str:
        return "mentions " + " | ".join(repr(p) for p in self.phrases)


Expectation = ValueFact | Mentions


@dataclass(frozen=True)
class TurnSpec:
    """One question of a case and what its answer must contain."""

    ask: str
    calls: dict[str, CallSpec]
    expect: tuple[Expectation, ...]
    refused: frozenset[str] = frozenset()

    def question(self, today: date) -> str:
        """The question as asked on ``today``."""
        return render_placeholders(self.ask, today)


@dataclass(frozen=True)
class Case:
    id: str
    family: str
    turns: tuple[TurnSpec, ...]
    note: str = ""


@dataclass(frozen=True)
class Bank:
    path: str
    cases: tuple[Case, ...] = field(default_factory=tuple)

    def select(self, ids: list[str] | None = None, families: list[str] | None = None) -> Bank:
        """The cases with one of ``ids`` and in one of ``families`` (None: no filter); unknown names raise."""
        known_ids = {case.id for case in self.cases}
        known_families = {case.family for case in self.cases}
        for wanted, known, what in ((ids, known_ids, "case"), (families, known_families, "family")):
            unknown = sorted(set(wanted or ()) - known)
            if unknown:
                raise BankError(f"unknown {what} {', '.join(unknown)} — known: {', '.join(sorted(known))}")
        cases = tuple(
            case
            for case in self.cases
            if (not ids or case.id in ids) and (not families or case.family in families)
        )
        return Bank(self.path, cases)


def render_placeholders(value: Any, today: date) -> Any:
    """``value`` (a string, or lists/dicts of them) with ``{today}``, ``{yesterday}``, ``{days_ago_N}``
    replaced by ISO dates counted back from ``today``."""
    if isinstance(value, str):

        def fill(match: re.Match) -> str:
            days = 0 if match[1] == "today" else 1 if match[1] == "yesterday" else int(match[2])
            return (today - timedelta(days=days)).isoformat()

        return _PLACEHOLDER.sub(fill, value)
    if isinstance(value, list):
        return [render_placeholders(item, today) for item in value]
    if isinstance(value, dict):
        return {key: render_placeholders(item, today) for key, item in value.items()}
    return value


def load_bank(path: str | Path | None = None) -> Bank:
    """The bank at ``path`` (default: the one shipped with opsbot), validated; ``BankError`` says where a
    file is wrong."""
    if path is None:
        text = resources.files("bot.evaluation").joinpath(DEFAULT_BANK).read_text(encoding="utf-8")
        where = f"bot/evaluation/{DEFAULT_BANK}"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise BankError(f"cannot read the bank {where}: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BankError(f"{where}: not valid YAML: {' '.join(str(exc).split())}") from exc
    return parse_bank(data, where)


def parse_bank(data: Any, where: str = "bank") -> Bank:
    """A ``Bank`` from already-parsed YAML/JSON data."""
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("cases"), list):
        raise BankError(f"{where}: expected a mapping with 'version: 1' and a list of 'cases'")
    cases: list[Case] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["cases"]):
        case = _case(raw, f"{where}: cases[{index}]")
        if case.id in seen:
            raise BankError(f"{where}: case id {case.id!r} appears twice")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise BankError(f"{where}: the bank has no cases")
    return Bank(where, tuple(cases))


def _mapping(raw: Any, where: str, required: tuple[str, ...], allowed: tuple[str, ...]) -> dict:
    if not isinstance(raw, dict):
        raise BankError(f"{where}: expected a mapping, got {type(raw).__name__}")
    missing = [key for key in required if key not in raw]
    if missing:
        raise BankError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(raw) - set(required) - set(allowed))
    if unknown:
        raise BankError(f"{where}: unknown field {', '.join(unknown)}")
    return raw


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BankError(f"{where}.{key}: expected non-empty text")
    return value.strip()


def _case(raw: Any, where: str) -> Case:
    raw = _mapping(raw, where, ("id", "family", "turns"), ("note",))
    case_id = _text(raw, "id", where)
    if not _ID.match(case_id):
        raise BankError(f"{where}.id: {case_id!r} must be lower-case letters, digits, - and _")
    where = f"{where.split(':')[0]}: case {case_id!r}"
    turns = raw["turns"]
    if not isinstance(turns, list) or not turns:
        raise BankError(f"{where}.turns: expected a list of one or more turns")
    return Case(
        id=case_id,
        family=_text(raw, "family", where),
        turns=tuple(_turn(t, f"{where} turn {n}") for n, t in enumerate(turns, start=1)),
        note=str(raw.get("note") or ""),
    )


def _turn(raw: Any, where: str) -> TurnSpec:
    raw = _mapping(raw, where, ("ask", "calls", "expect"), ("refused",))
    calls_raw = raw["calls"]
    if not isinstance(calls_raw, dict) or not calls_raw:
        raise BankError(f"{where}.calls: expected a mapping of call names to {{tool, args}}")
    calls = {}
    for name, spec in calls_raw.items():
        if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise BankError(f"{where}.calls: {name!r} is not a call name (lower-case letters, digits, _)")
        spec = _mapping(spec, f"{where}.calls.{name}", ("tool",), ("args",))
        args = spec.get("args") or {}
        if not isinstance(args, dict):
            raise BankError(f"{where}.calls.{name}.args: expected a mapping")
        calls[name] = CallSpec(_text(spec, "tool", f"{where}.calls.{name}"), dict(args))
    expect_raw = raw["expect"]
    if not isinstance(expect_raw, list) or not expect_raw:
        raise BankError(f"{where}.expect: expected a list of one or more facts")
    expect = tuple(_expectation(item, calls, f"{where}.expect[{i}]") for i, item in enumerate(expect_raw))
    refused = raw.get("refused") or []
    if not isinstance(refused, list) or any(name not in calls for name in refused):
        raise BankError(f"{where}.refused: expected a list of this turn's call names")
    return TurnSpec(_text(raw, "ask", where), calls, expect, frozenset(refused))


def _expectation(raw: Any, calls: dict[str, CallSpec], where: str) -> Expectation:
    if isinstance(raw, str):
        raw = {"value": raw}
    raw = _mapping(raw, where, (), ("value", "tolerance", "mentions"))
    if "mentions" in raw:
        phrases = raw["mentions"]
        if isinstance(phrases, str):
            phrases = [phrases]
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p for p in phrases):
            raise BankError(f"{where}.mentions: expected a phrase or a list of phrases")
        return Mentions(tuple(phrases))
    reference = raw.get("value")
    if not isinstance(reference, str) or "." not in reference:
        raise BankError(f"{where}: expected 'call.path', {{value: call.path}} or {{mentions: […]}}")
    call, path = reference.split(".", 1)
    if call not in calls:
        raise BankError(f"{where}: unknown call {call!r} — this turn's calls: {', '.join(calls)}")
    tolerance = raw.get("tolerance", 0.0)
    if not isinstance(tolerance, int | float) or not 0 <= tolerance < 1:
        raise BankError(f"{where}.tolerance: expected a fraction between 0 and 1 (0.01 = 1 %)")
    return ValueFact(call, path, float(tolerance))
