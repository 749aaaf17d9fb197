"""A scripted model that knows the bank: for a bank question it calls the turn's named tools, then answers
from the tool results it is sent back — the way a good model would, in a few different number formats.
It runs the harness, scoring and report without a key (``--model scripted``), in-process or behind the local
fake Messages API; ``wrong=True`` misstates one figure per answer, which the scorer and the provenance check
must both catch (``--model scripted-wrong``)."""

from __future__ import annotations

import json
import math
import re
import zlib
from datetime import date

from bot.agent.context_budget import tool_results
from bot.agent.model import ModelRequest
from bot.agent.provenance import ToolValues, figures_in, money_amount, tool_values
from bot.agent.scripted_model import ScriptedModel, ScriptStep, calls, say
from bot.evaluation.bank import Bank, Mentions, TurnSpec, ValueFact
from bot.evaluation.facts import FactError, read_path

_TODAY = re.compile(r"Today is \w+ (\d{4}-\d{2}-\d{2})")
UNKNOWN_QUESTION = (
    "(rehearsal) This question is not in the evaluation bank, so the scripted model cannot answer it."
)


class Rehearsal:
    """Replies to Messages API conversations about the bank's questions."""

    def __init__(self, bank: Bank, *, wrong: bool = False) -> None:
        self.bank = bank
        self.wrong = wrong

    def _turn(self, question: str, today: date) -> TurnSpec | None:
        for case in self.bank.cases:
            for turn in case.turns:
                if turn.question(today) == question:
                    return turn
        return None

    def reply(self, system: list[dict] | str, messages: list[dict]) -> ScriptStep:
        """The next reply in the conversation ``messages`` under the request's ``system`` prompt."""
        system_text = system if isinstance(system, str) else " ".join(b.get("text", "") for b in system)
        found = _TODAY.search(system_text)
        asked = _last_question(messages)
        if found is None or asked is None:
            return say(UNKNOWN_QUESTION)
        index, question = asked
        turn = self._turn(question, date.fromisoformat(found[1]))
        if turn is None:
            return say(UNKNOWN_QUESTION)
        today = date.fromisoformat(found[1])
        if len(messages) == index + 1:
            return calls(*[(spec.tool, spec.rendered(today)) for spec in turn.calls.values()])
        results = (
            [parsed for parsed, _error in tool_results(messages[index + 2])]
            if len(messages) > index + 2
            else []
        )
        return say(
            self._answer(
                turn, dict(zip(turn.calls, results, strict=False)), variant=zlib.crc32(question.encode()) % 3
            )
        )

    def _answer(self, turn: TurnSpec, results: dict[str, dict], variant: int) -> str:
        lines = []
        labels = [
            r["period"]["label"]
            for r in results.values()
            if isinstance(r.get("period"), dict) and "label" in r["period"]
        ]
        lines.append(
            f"Here is what the tools show for {labels[0]}:" if labels else "Here is what the tools show:"
        )
        to_misstate = self.wrong
        for expectation in turn.expect:
            if isinstance(expectation, Mentions):
                lines.append(f"- {expectation.phrases[0]}")
                continue
            assert isinstance(expectation, ValueFact)
            try:
                value = read_path(results.get(expectation.call, {}), expectation.path)
            except FactError:
                lines.append(f"- {_label(expectation.path)}: not in the tool results")
                continue
            percent = "percent" in expectation.path
            if to_misstate and _is_number(value):
                value, to_misstate = _misstate(value, variant, percent, tool_values(results.values())), False
            lines.append(f"- {_label(expectation.path)}: {write_value(value, variant, percent)}")
        for name in sorted(turn.refused):
            error = results.get(name, {}).get("error")
            if error:
                lines.append(f"The tool could not answer: {error}")
        return "\n".join(lines)


def scripted_model(bank: Bank, *, wrong: bool = False) -> ScriptedModel:
    """An in-process ``ModelClient`` playing the rehearsal over ``bank``."""
    rehearsal = Rehearsal(bank, wrong=wrong)

    def respond(request: ModelRequest) -> ScriptStep:
        return rehearsal.reply(request.system, request.messages)

    return ScriptedModel(respond, name="scripted-wrong" if wrong else "scripted")


def _last_question(messages: list[dict]) -> tuple[int, str] | None:
    """The index and text of the newest user message that is a question (not tool results)."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return index, content
        texts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        if texts and not any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
            return index, "".join(texts)
    return None


def _label(path: str) -> str:
    keys = [step for step in re.split(r"[.\[\]]", path) if step and not step.isdigit() and "=" not in step]
    return keys[-1].replace("_", " ") if keys else path


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and money_amount(value) is not None)


def _misstate(value: int | float | str, variant: int, percent: bool, told: ToolValues) -> int | float | str:
    """The value changed by clearly more than any rounding, to one no tool returned (so the provenance
    check can tell)."""
    for step in range(1, 30):
        if isinstance(value, str):
            wrong: int | float | str = _money(
                (money_amount(value) or 0.0) * (1 + 0.137 * step) + 13.0 * step, 2
            )
        elif isinstance(value, int):
            wrong = value + 7 * step + value // 9
        else:
            wrong = round(value + 4.3 * step, 1)
        figures = figures_in(f"- {write_value(wrong, variant, percent)}")
        if figures and not any(told.explains(figure) for figure in figures):
            return wrong
    return wrong


def _half_up(number: float, decimals: int = 0) -> float:
    """``number`` rounded half away from zero (Python's ``round`` rounds halves to even)."""
    step = 10.0**-decimals
    return math.copysign(math.floor(abs(number) / step + 0.5) * step, number)


def _money(amount: float, decimals: int) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.{decimals}f}"


def write_value(value: object, variant: int, percent: bool) -> str:
    """``value`` as a careful writer might put it (``variant``): exact, to the whole unit, or money in
    thousands; ``percent`` adds the sign."""
    suffix = "%" if percent else ""
    if isinstance(value, str):
        amount = money_amount(value)
        if amount is None:
            return value
        if variant == 1 and abs(amount) >= 100 and not amount.is_integer():
            return _money(_half_up(amount), 0)
        if variant == 2 and abs(amount) >= 10_000:
            return f"{'-' if amount < 0 else ''}${_half_up(abs(amount) / 1000, 1):,.1f}k"
        return value
    if isinstance(value, float) and variant == 2 and not value.is_integer():
        return f"about {_half_up(value):,.0f}{suffix}"
    if isinstance(value, int) and variant == 1:
        return f"{value}{suffix}"
    return f"{value:,}{suffix}" if isinstance(value, int | float) else json.dumps(value)
