"""Benchmark: the agent's own overhead per question — everything but waiting for the model and running the
tools (storing each step, building requests, the context budget, the tool round) — and the size of the
cached stable prefix.

    python benchmarks/agent_overhead.py              # demo-sized store, scripted model (no network)
    python benchmarks/agent_overhead.py --wire       # also through the real SDK and the local fake API

Each question is one tool round plus an answer (two model calls), in conversations of 5 questions. As a
reference measured in the same run (timings on a shared machine are noisy), it also times one committed
one-row write on the same store — the least a stored step costs — and prints the overhead as a multiple of it.
The target: overhead p50 ≤ 3 ms with the scripted model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.tool_latency import build_store  # noqa: E402
from bot.agent.context_budget import estimate_tokens, tool_results  # noqa: E402
from bot.agent.conversation_store import ConversationStore  # noqa: E402
from bot.agent.factory import assemble_agent  # noqa: E402
from bot.agent.loop import AgentConfig  # noqa: E402
from bot.agent.scripted_model import ScriptedModel, call, say  # noqa: E402
from tools.analytics.readonly import open_readonly  # noqa: E402
from tools.demo.generator import GeneratorParams  # noqa: E402
from tools.store.database import open_store  # noqa: E402

TARGET_MS = 3.0

QUESTIONS = [
    ("sales_report", {"period": "yesterday"}),
    ("top_items", {"period": "last Saturday", "limit": 5}),
    ("compare_locations", {"locations": ["Location 3", "Location 1"], "period": "this month"}),
    ("delivery_report", {"period": "last month"}),
    ("sales_report", {"period": "last week", "group_by": "day"}),
]


def analyst(body_or_request):
    messages = body_or_request["messages"] if isinstance(body_or_request, dict) else body_or_request.messages
    if tool_results(messages[-1]):
        return say("Here is the answer, with the figures from the tool result.")
    index = sum(1 for m in messages if m["role"] == "user" and not tool_results(m)) - 1
    name, arguments = QUESTIONS[index % len(QUESTIONS)]
    return call(name, **arguments)


def run(agent, questions: int) -> list:
    stats, conversation = [], None
    for number in range(questions):
        if number % len(QUESTIONS) == 0:
            conversation = None
        answer = agent.answer(conversation, f"Question {number}")
        assert answer.ok, answer.text
        conversation = answer.conversation_id
        stats.append(answer.stats)
    return stats


def reference_write_seconds(engine, writes: int = 200) -> float:
    """p50 of one committed one-row insert on ``engine`` (a scratch table of its own)."""
    table = sa.Table("bench_reference", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    table.create(engine)
    statement, times = sa.insert(table), []
    for _ in range(writes):
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(statement, {})
        times.append(time.perf_counter() - started)
    table.drop(engine)
    return statistics.median(times)


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def report(label: str, stats: list, reference: float) -> None:
    def ms(values):
        return f"p50 {statistics.median(values) * 1000:6.1f} ms  p95 {_p95(values) * 1000:6.1f} ms"

    overhead = [s.overhead_seconds for s in stats]
    print(f"{label} ({len(stats)} questions)")
    print(f"  total    {ms([s.total_seconds for s in stats])}")
    print(f"  model    {ms([s.model_seconds for s in stats])}")
    print(f"  tools    {ms([s.tool_seconds for s in stats])}")
    print(f"  overhead {ms(overhead)}   (total − model − tools)")
    p50 = statistics.median(overhead)
    verdict = "within" if p50 * 1000 <= TARGET_MS else "OVER"
    print(
        f"  overhead p50 = {p50 / reference:.1f}× and p95 = {_p95(overhead) / reference:.1f}× one committed "
        f"write ({reference * 1000:.2f} ms, same run); {verdict} the {TARGET_MS:g} ms p50 target"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--wire", action="store_true", help="also run through the SDK and the fake API")
    args = parser.parse_args()

    data_url = build_store(GeneratorParams(locations=4, days=84, orders_per_day=95))
    with tempfile.TemporaryDirectory() as scratch:
        # Conversations go to a scratch copy's own tables so the cached benchmark store stays clean.
        source = Path(data_url.removeprefix("sqlite:///"))
        copy = Path(scratch) / "bench.db"
        copy.write_bytes(source.read_bytes())
        url = f"sqlite:///{copy}"
        store, tools = open_store(url), open_readonly(url)
        config = AgentConfig(model="claude-haiku-4-5")

        def agent_with(model):
            return assemble_agent(
                conversations=ConversationStore(store),
                tools_engine=tools,
                model=model,
                config=config,
                today=lambda: date(2026, 11, 24),
            )

        agent = agent_with(ScriptedModel(analyst, name="claude-haiku-4-5"))
        prefix = agent.stable_prefix_tokens()
        print(
            f"Stable prefix (tool schemas + stable system block): ~{prefix:,} tokens estimated "
            f"({estimate_tokens(agent.registry.schemas()):,} tools + "
            f"{estimate_tokens(agent.business.stable_system):,} system), {len(agent.registry.tools())} tools"
        )
        run(agent, 10)  # warm-up
        reference = reference_write_seconds(store)
        print(f"Reference: one committed one-row write on the same store, p50 {reference * 1000:.2f} ms")
        report("Scripted model (in process)", run(agent, args.questions), reference)
        if args.wire:
            from bot.agent.anthropic_model import AnthropicModel
            from bot.settings import ModelSettings
            from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic

            with FakeAnthropic(analyst) as api:
                wired = agent_with(AnthropicModel(ModelSettings(api_key=VALID_KEY, base_url=api.url)))
                run(wired, 10)
                report(
                    "Real SDK → local fake Messages API (model time includes HTTP + SSE)",
                    run(wired, args.questions),
                    reference,
                )


if __name__ == "__main__":
    main()
