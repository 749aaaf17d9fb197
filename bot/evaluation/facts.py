"""Expected facts, computed at run time: each turn's named tool calls run through the same registry and store
the agent uses, and each fact's path is read from the result exactly as the model receives it (JSON)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.evaluation.bank import Mentions, TurnSpec, ValueFact
from tools.registry import ToolContext, ToolRegistry
from tools.result_tables import parse_result

_STEP = re.compile(r"([^.\[\]]+)|\[([^=\]]+)=([^\]]*)\]")


class FactError(ValueError):
    """A fact cannot be computed: its call failed or its path is not in the result."""


@dataclass(frozen=True)
class ExpectedFact:
    """What one expectation asks of an answer: a value (number or name) or one of some phrases."""

    label: str
    value: int | float | str | None = None
    phrases: tuple[str, ...] = ()
    tolerance: float = 0.0


def read_path(result: Any, path: str) -> Any:
    """The value at ``path`` in ``result``: dotted keys, list indexes, ``[key=value]`` list selectors."""
    current = result
    position = 0
    for match in _STEP.finditer(path):
        if match.start() != position and path[position : match.start()] != ".":
            raise FactError(f"{path!r} is not a path (at {path[position:]!r})")
        position = match.end()
        key, field, wanted = match.groups()
        if key is not None:
            if isinstance(current, list) and key.isdigit() and int(key) < len(current):
                current = current[int(key)]
            elif isinstance(current, dict) and key in current:
                current = current[key]
            else:
                raise FactError(f"{path!r}: no {key!r} in the result")
        else:
            found = [
                entry
                for entry in (current if isinstance(current, list) else [])
                if isinstance(entry, dict) and str(entry.get(field)) == wanted
            ]
            if not found:
                raise FactError(f"{path!r}: no entry with {field} = {wanted!r}")
            current = found[0]
    if position != len(path):
        raise FactError(f"{path!r} is not a path (at {path[position:]!r})")
    return current


def run_calls(turn: TurnSpec, registry: ToolRegistry, context: ToolContext) -> dict[str, dict]:
    """Each named call's result as JSON (an error result is ``{"error": …}``); a call listed as refused
    must fail and every other call must succeed, or the case itself is wrong (``FactError``)."""
    results = {}
    for name, spec in turn.calls.items():
        outcome = registry.call(spec.tool, spec.rendered(context.today), context)
        if outcome.ok == (name in turn.refused):
            expected = "fail" if name in turn.refused else "succeed"
            raise FactError(f"call {name} ({spec.tool}) should {expected}: {outcome.error or 'it succeeded'}")
        results[name] = parse_result(outcome.to_json())  # as the model read it, tables as rows of dicts
    return results


def expected_facts(turn: TurnSpec, results: dict[str, dict]) -> list[ExpectedFact]:
    """The turn's expectations with their values read from ``results``."""
    facts = []
    for expectation in turn.expect:
        if isinstance(expectation, Mentions):
            facts.append(ExpectedFact(expectation.label, phrases=expectation.phrases))
            continue
        assert isinstance(expectation, ValueFact)
        value = read_path(results[expectation.call], expectation.path)
        if value is None or isinstance(value, dict | list | bool):
            raise FactError(f"{expectation.label} is {json.dumps(value)[:60]}, not a number or a name")
        facts.append(ExpectedFact(expectation.label, value=value, tolerance=expectation.tolerance))
    return facts


def compute_facts(turn: TurnSpec, registry: ToolRegistry, context: ToolContext) -> list[ExpectedFact]:
    """The turn's expected facts, from its calls run on the store and day of ``context``."""
    return expected_facts(turn, run_calls(turn, registry, context))
