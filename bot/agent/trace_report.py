"""``opsbot trace`` and ``opsbot usage``: a conversation as a readable trace, and tokens and cost per day."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.agent.answer_sources import sources_of
from bot.agent.conversation_store import ConversationReader
from bot.agent.events import format_arguments
from bot.agent.pricing import add_cost
from bot.agent.provenance import summary_line
from tools.result_tables import parse_result


def dollars(microusd: int | None) -> str:
    return "$?" if microusd is None else f"${microusd / 1e6:,.4f}"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def _arguments(raw: str) -> str:
    return format_arguments(json.loads(raw or "{}"))


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in (text or "").splitlines() or [""])


def render_trace(engine: Engine, conversation_id: str) -> str | None:
    """The whole conversation, question by question; None when there is no such conversation."""
    reader = ConversationReader(engine)
    conversation = reader.conversation(conversation_id)
    if conversation is None:
        return None
    calls_by_turn = defaultdict(list)
    for call in reader.model_calls(conversation_id):
        calls_by_turn[call.turn_id].append(call)
    tools_by_call = defaultdict(list)
    orphan_tools = defaultdict(list)
    used_by_turn = defaultdict(list)  # each turn's successful calls, for its sources line
    for tool in reader.tool_calls(conversation_id):
        (tools_by_call[tool.model_call_id] if tool.model_call_id else orphan_tools[tool.turn_id]).append(tool)
        if tool.status == "ok":
            used_by_turn[tool.turn_id].append((tool.name, parse_result(tool.result)))
    lines = [
        f"Conversation {conversation.id} · {conversation.source} · "
        f"started {_when(conversation.created_at)} · {conversation.questions} question(s)"
    ]
    total_cost: int | None = 0
    for number, turn in enumerate(reader.turns(conversation_id), start=1):
        lines += ["", f"── Question {number} · {_when(turn.started_at)} · {turn.status} · model {turn.model}"]
        lines.append(_indent(turn.question, "  user: ").rstrip())
        for call in calls_by_turn[turn.id]:
            attempts = f" · {call.attempts} attempts" if call.attempts > 1 else ""
            if call.error:
                lines.append(
                    f"  model call {call.step} · failed after {call.seconds:.2f} s{attempts} · {call.error}"
                )
                continue
            total_cost = add_cost(total_cost, call.cost_microusd)
            lines.append(
                f"  model call {call.step} · {call.model} · {call.seconds:.2f} s{attempts} · "
                f"in {call.input_tokens:,} + cache write {call.cache_write_tokens:,} "
                f"+ cache read {call.cache_read_tokens:,} · out {call.output_tokens:,} · "
                f"{dollars(call.cost_microusd)} · stop {call.stop_reason}"
            )
            for tool in tools_by_call[call.id]:
                lines.append(_tool_line(tool))
        for tool in orphan_tools[turn.id]:
            lines.append(_tool_line(tool))
        if turn.answer:
            lines.append(_indent(turn.answer, "  answer: " if turn.status == "answered" else "  stopped: "))
        if turn.figures_checked is not None:
            unmatched = json.loads(turn.unmatched_figures or "[]")
            lines.append(f"  provenance: {summary_line(turn.figures_checked, unmatched)}")
        if turn.status in ("answered", "step_cap"):
            lines.append(f"  {sources_of(used_by_turn[turn.id]).line()}")
        if turn.error and turn.status != "step_cap":
            lines.append(f"  error: {turn.error}")
    lines += ["", f"Total cost: {dollars(total_cost)}"]
    return "\n".join(lines)


def _tool_line(tool) -> str:
    took = f"{tool.seconds * 1000:,.0f} ms" if tool.seconds is not None else "did not finish"
    size = f"{tool.result_chars:,} chars" if tool.result_chars is not None else "no result"
    line = f"    tool {tool.name}({_arguments(tool.arguments)}) · {tool.status} · {size} · {took}"
    if tool.status != "ok" and tool.result:
        line += f"\n      {tool.result[:300]}"
    return line


def render_usage(engine: Engine, days: int = 30, now: datetime | None = None) -> str:
    """Questions, model calls, tokens and cost per day (UTC) and model, for the last ``days`` days."""
    now = now or datetime.now(UTC)
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = ConversationReader(engine).model_calls_since(since)
    if not rows:
        return f"No model calls since {since.date()}."
    groups: dict[tuple, dict] = {}
    for row in rows:
        key = (row.started_at.date().isoformat(), row.model)
        g = groups.setdefault(key, defaultdict(int, turns=set(), cost=0))
        g["turns"].add(row.turn_id)
        g["calls"] += 1
        g["errors"] += 1 if row.error else 0
        for name in ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens"):
            g[name] += getattr(row, name)
        g["seconds"] += row.seconds
        g["cost"] = add_cost(g["cost"], row.cost_microusd)
    header = (
        f"{'day (UTC)':<10}  {'model':<24} {'questions':>9} {'calls':>6} {'failed':>6} {'input':>10} "
        f"{'cache write':>11} {'cache read':>11} {'output':>9} {'avg call':>8} {'cost':>10}"
    )
    lines = [f"Model usage since {since.date()}", header]
    total_cost: int | None = 0
    for (day, model), g in sorted(groups.items()):
        total_cost = add_cost(total_cost, g["cost"])
        lines.append(
            f"{day:<10}  {model:<24} {len(g['turns']):>9} {g['calls']:>6} {g['errors']:>6} "
            f"{g['input_tokens']:>10,} {g['cache_write_tokens']:>11,} {g['cache_read_tokens']:>11,} "
            f"{g['output_tokens']:>9,} "
            f"{g['seconds'] / g['calls']:>7.2f}s {dollars(g['cost']):>10}"
        )
    lines.append(f"Total cost: {dollars(total_cost)}")
    return "\n".join(lines)
