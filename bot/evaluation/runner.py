"""Run the bank through the real agent, once per model and repeat, and score every answer.

Expected facts are computed first, once per turn, from the turn's named tool calls on the same store and
day the agent sees; each case then runs as its own conversation (follow-ups in the same one), and each answer
is scored for its facts and read for its provenance verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.agent.loop import Agent
from bot.agent.model import Usage
from bot.evaluation.bank import Bank, Case
from bot.evaluation.facts import ExpectedFact, FactError, compute_facts
from bot.evaluation.scoring import score_turn
from tools.registry import ToolContext, ToolRegistry


@dataclass(frozen=True)
class TurnOutcome:
    """One answered (or failed) question of one case, run, and model."""

    case_id: str
    family: str
    repeat: int
    turn: int
    question: str
    status: str
    answer: str
    found: tuple[str, ...]
    missing: tuple[str, ...]
    provenance_checked: int | None
    unmatched: tuple[str, ...]
    model_calls: int
    tool_calls: int
    seconds: float
    usage: Usage
    cost_microusd: int | None
    conversation_id: str

    @property
    def correct(self) -> bool:
        return self.status == "answered" and not self.missing

    @property
    def provenance_clean(self) -> bool | None:
        """None when the answer was not checked (the turn failed)."""
        return None if self.provenance_checked is None else not self.unmatched


@dataclass
class ModelRun:
    """Everything one model did on the bank."""

    model: str
    outcomes: list[TurnOutcome] = field(default_factory=list)

    def case_results(self) -> dict[tuple[str, int], bool]:
        """``(case id, repeat)`` → all of its turns correct."""
        results: dict[tuple[str, int], bool] = {}
        for outcome in self.outcomes:
            key = (outcome.case_id, outcome.repeat)
            results[key] = results.get(key, True) and outcome.correct
        return results


@dataclass(frozen=True)
class BrokenCase:
    """A case whose facts could not be computed on this store (the bank does not fit it)."""

    case_id: str
    reason: str


@dataclass(frozen=True)
class PreparedCase:
    case: Case
    facts: tuple[list[ExpectedFact], ...]


Progress = Callable[[str, TurnOutcome], None]


def prepare(
    bank: Bank, registry: ToolRegistry, context: ToolContext
) -> tuple[list[PreparedCase], list[BrokenCase]]:
    """Each case with its turns' expected facts, and the cases whose facts cannot be computed."""
    prepared, broken = [], []
    for case in bank.cases:
        try:
            facts = tuple(compute_facts(turn, registry, context) for turn in case.turns)
        except FactError as exc:
            broken.append(BrokenCase(case.id, str(exc)))
            continue
        prepared.append(PreparedCase(case, facts))
    return prepared, broken


def run_model(
    agent: Agent,
    model: str,
    cases: list[PreparedCase],
    *,
    today,
    repeat: int = 1,
    on_outcome: Progress | None = None,
) -> ModelRun:
    """Every prepared case ``repeat`` times through ``agent`` answering with ``model``."""
    run = ModelRun(model)
    for number in range(1, repeat + 1):
        for prepared in cases:
            conversation_id = None
            for index, (turn, facts) in enumerate(zip(prepared.case.turns, prepared.facts, strict=True), 1):
                question = turn.question(today)
                answer = agent.answer(conversation_id, question, source="eval", model=model)
                conversation_id = answer.conversation_id
                score = score_turn(answer.text, facts) if answer.ok else None
                provenance = answer.provenance
                outcome = TurnOutcome(
                    case_id=prepared.case.id,
                    family=prepared.case.family,
                    repeat=number,
                    turn=index,
                    question=question,
                    status=answer.status,
                    answer=answer.text,
                    found=score.found if score else (),
                    missing=score.missing if score else tuple(f.label for f in facts),
                    provenance_checked=provenance.checked if provenance else None,
                    unmatched=tuple(f.text for f in provenance.unmatched) if provenance else (),
                    model_calls=answer.stats.model_calls,
                    tool_calls=answer.stats.tool_calls,
                    seconds=answer.stats.total_seconds,
                    usage=answer.stats.usage,
                    cost_microusd=answer.stats.cost_microusd,
                    conversation_id=answer.conversation_id,
                )
                run.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(model, outcome)
    return run
