"""``opsbot prompt-size``: how long the cached prefix (tool schemas + stable system block) is on the
configured model, whether each cache breakpoint reaches the model's minimum cacheable length, and what a
one-question conversation (2 model calls, one tool result) costs with and without prompt caching.

With ANTHROPIC_API_KEY the lengths are the API's own counts (``messages.count_tokens``, free, nothing is
generated); without it they are opsbot's ~3.5-characters-per-token estimate, and the output says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from bot.agent import prompt
from bot.agent.context_budget import estimate_tokens
from bot.agent.model import ModelError, ModelRequest, Usage
from bot.agent.model_catalog import facts_for
from bot.agent.pricing import cost_microusd
from bot.application import Application
from tools.analytics.business_info import business_profile
from tools.analytics.scope import business_today

QUESTION = "What were net sales last Saturday, by location?"
TOOL_CALL = {"type": "tool_use", "id": "toolu_prompt_size", "name": "sales_report"}
TOOL_INPUT = {"period": "last Saturday", "group_by": "location"}
OUTPUT_TOKENS = (60, 180)  # assumed: the reply with the tool call, then a short answer
MINIMAL = [{"role": "user", "content": "."}]


def sample_result() -> str:
    """A by-location sales result of about 1.5 KB, shaped like the tool's, for the second call."""
    rows = [
        {
            "location": f"Location {n} ({name})",
            "orders": 180 + 37 * n,
            "gross_sales": f"${9_000 + 1_234 * n:,}.50",
            "discounts": f"${210 + 11 * n:,}.00",
            "refunds": f"${48 + 5 * n:,}.25",
            "net_sales": f"${8_700 + 1_201 * n:,}.25",
            "tips": f"${640 + 31 * n:,}.75",
            "delivery_orders": 40 + 9 * n,
            "delivery_net_sales": f"${2_100 + 310 * n:,}.40",
        }
        for n, name in enumerate(("Downtown", "Harbor", "Airport", "Sunset"), start=1)
    ]
    result = {
        "period": {"start": "2026-11-21", "end": "2026-11-21", "label": "Sat 21 Nov 2026"},
        "definitions": {"net_sales": "gross sales minus discounts and refunds, before tips and tax"},
        "rows": rows,
        "totals": {"orders": 1090, "net_sales": "$46,822.00"},
    }
    return json.dumps(result, indent=2)


@dataclass(frozen=True)
class Sizes:
    """Prompt lengths in tokens: the cached prefix, and the whole prompt at each breakpoint of a question."""

    prefix: int
    first_call: int  # at the question (call 1)
    second_call: int  # after the first tool round (call 2)
    result_chars: int


def measure(app: Application, count: Callable[[ModelRequest], int]) -> Sizes:
    """The prefix and both calls' prompt lengths for the configured model, counted by ``count``."""
    settings = app.settings.model
    tools = app.registry.schemas()
    profile = business_profile(app.tools_engine)
    stable = prompt.stable_system_text(profile)
    timezone = profile["locations"][0]["timezone"] if profile["locations"] else "UTC"
    today = prompt.today_text(business_today(app.tools_engine), timezone)
    cached = prompt.build_request(
        model=settings.name, max_tokens=1, stable_system=stable, today_line="", tools=tools, messages=MINIMAL
    )
    with_prefix = ModelRequest(settings.name, 1, cached.system[:1], cached.tools, MINIMAL)
    bare = ModelRequest(settings.name, 1, [], [], MINIMAL)
    question = [{"role": "user", "content": [{"type": "text", "text": QUESTION}]}]
    result = sample_result()
    round_one = [
        *question,
        {"role": "assistant", "content": [{**TOOL_CALL, "input": TOOL_INPUT}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": TOOL_CALL["id"], "content": result}],
        },
    ]

    def request(messages: list[dict]) -> ModelRequest:
        return prompt.build_request(
            model=settings.name,
            max_tokens=settings.max_tokens,
            stable_system=stable,
            today_line=today,
            tools=tools,
            messages=messages,
            effort=settings.effort,
        )

    return Sizes(
        prefix=count(with_prefix) - count(bare),
        first_call=count(request(question)),
        second_call=count(request(round_one)),
        result_chars=len(result),
    )


def estimate(request: ModelRequest) -> int:
    """opsbot's own estimate of a request's input tokens (no network)."""
    return estimate_tokens([request.tools, request.system, request.messages])


def _verdict(length: int, minimum: int | None) -> str:
    if minimum is None:
        return "unknown (the model's minimum is not published)"
    if length >= minimum:
        return f"engages ({length:,} ≥ {minimum:,})"
    return f"does not engage ({length:,} < {minimum:,})"


def conversation_cost(
    model: str, sizes: Sizes, minimum: int | None, *, cache: bool, prefix_cached: bool
) -> int | None:
    """What the question's two calls cost in millionths of a dollar, billed as the API bills breakpoints:
    a breakpoint at or above the minimum is written once and read by the later calls that share it."""
    cached = {sizes.prefix} if prefix_cached else set()
    total: int | None = 0
    for length, output in zip((sizes.first_call, sizes.second_call), OUTPUT_TOKENS, strict=True):
        if cache:
            engaging = [b for b in (sizes.prefix, length) if minimum is None or b >= minimum]
            read = max((c for c in cached if c <= length), default=0)
            written_to = max(engaging, default=0)
            write = max(0, written_to - read)
            cached.update(engaging)
            usage = Usage(length - max(read, written_to), output, write, read)
        else:
            usage = Usage(length, output)
        cost = cost_microusd(model, usage)
        total = None if total is None or cost is None else total + cost
    return total


def _dollars(microusd: int | None) -> str:
    return "unknown (the model has no public price)" if microusd is None else f"${microusd / 1_000_000:.6f}"


def report(app: Application) -> str:
    """The prompt-size report of the configured model, counted with the API when a key is set."""
    settings = app.settings.model
    if settings.api_key:
        from bot.agent.anthropic_model import AnthropicModel  # the SDK is slow to import; only when used

        sizes = measure(app, AnthropicModel(settings).count_tokens)
        counted = "the API's messages.count_tokens"
    else:
        sizes = measure(app, estimate)
        counted = "an estimate (~3.5 characters per token); set ANTHROPIC_API_KEY to count with the API"
    facts = facts_for(settings.name)
    minimum = facts.min_cacheable_tokens if facts else None
    default_effort = (facts.default_effort if facts else None) or "none"
    effort = settings.effort or f"the model's default ({default_effort})"
    assumed = "" if minimum is not None else " (assuming the breakpoints engage)"
    shown_minimum = f"{minimum:,} tokens" if minimum is not None else "not published in the docs read"
    costs = {
        "without caching": conversation_cost(settings.name, sizes, minimum, cache=False, prefix_cached=False),
        "with caching, prefix not yet cached": conversation_cost(
            settings.name, sizes, minimum, cache=True, prefix_cached=False
        ),
        "with caching, prefix cached by an earlier question": conversation_cost(
            settings.name, sizes, minimum, cache=True, prefix_cached=True
        ),
    }
    lines = [
        f"Model: {settings.name} · effort: {effort}",
        f"Counted by: {counted}",
        f"Stable prefix ({len(app.registry.schemas())} tool schemas + the stable system block): "
        f"{sizes.prefix:,} tokens",
        f"Minimum cacheable prompt on {settings.name}: {shown_minimum}",
        f"Prefix breakpoint: {_verdict(sizes.prefix, minimum)}",
        f"Conversation breakpoint at the question: {sizes.first_call:,} tokens, "
        f"{_verdict(sizes.first_call, minimum)}",
        f"Conversation breakpoint after the first tool round: {sizes.second_call:,} tokens, "
        f"{_verdict(sizes.second_call, minimum)}",
        f"One question: 2 model calls, one {sizes.result_chars:,}-character tool result, "
        f"{OUTPUT_TOKENS[0]} + {OUTPUT_TOKENS[1]} output tokens (thinking not counted):",
    ]
    width = max(len(label) for label in costs)
    for label, cost in costs.items():
        note = assumed if label != "without caching" and cost is not None else ""
        lines.append(f"  {label + ':':<{width + 1}} {_dollars(cost)}{note}")
    return "\n".join(lines)


def cmd_prompt_size(app: Application, args: argparse.Namespace) -> int:
    """Print the prompt-size report; a failed token count is one line and exit status 1."""
    try:
        print(report(app))
    except ModelError as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return 1
    return 0


def add_parser(sub) -> None:
    """Register ``prompt-size`` on the ``opsbot`` sub-command parser."""
    parser = sub.add_parser(
        "prompt-size", help="the cached prefix's size, whether caching engages, what a question costs"
    )
    parser.set_defaults(handler=cmd_prompt_size)
