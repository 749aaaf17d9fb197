"""The system prompt and the request layout that keeps prompt caching working.

Order of a request: tools → system → messages. The tools and the stable system block (role, rules, the
business and its locations) change only when the business does, so the stable system block carries the
first ``cache_control`` breakpoint and that prefix is shared by every conversation. Today's date comes after
it, in its own system block; the second breakpoint is on the newest message, so each step of a question
reads the steps before it from the cache.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from bot.agent.model import ModelRequest
from bot.agent.model_catalog import supports_effort
from tools.analytics.arguments import CONVENTIONS
from tools.analytics.business_info import WEEKDAY_NAMES

CACHE = {"type": "ephemeral"}
log = logging.getLogger(__name__)
_EFFORT_NOT_SENT: set[tuple[str, str]] = set()  # (model, level) pairs already logged

RULES = """\
You are opsbot, the operations assistant of a multi-location restaurant business: you answer owners' and \
managers' questions from the business's own data through your tools.

Rules:
- Every number you state comes from a tool result in this conversation; never estimate, recall or invent \
one. If no tool can answer, say so and say what you can answer.
- Say which dates and location(s) each figure covers ("Sat 14 Nov 2026, Location 2 (Harbor)"), copied from \
the results. Pass the owner's words ("last Saturday", "this month") as the period: the tools resolve dates.
- Money as the tools give it, formatted for people ($1,234.50); say when a figure is an estimate (delivery \
commissions are).
- Follow-ups ("and the week before?") keep the earlier question's scope.
- Do no arithmetic on figures (sums, differences, shares, averages): ask a tool for them — group_by, \
share_percent, compare_periods, compare_locations.
- Use each result's definitions and words. Tips are the restaurant's; courier tips the drivers'. Mention any \
data_note or earlier_note.
- Tables in results are {columns, rows}, rows in column order; "same" holds values all rows share.
- On a tool error, correct the arguments and try again, or explain the problem.
- Be brief: the answer first, then a few supporting numbers; a Markdown table to compare more than two \
things; no preamble.
- Asked for a chart, graph or trend: a Markdown table, labels in the first column, the measure in the \
second (Slack draws it as a chart)."""


def stable_system_text(profile: dict) -> str:
    """The cacheable part of the system prompt: role, rules, the business and its locations."""
    lines = [RULES, "", CONVENTIONS, "", f"The business: {profile.get('business') or '(unnamed)'}."]
    locations = profile.get("locations") or []
    currencies = sorted({loc["currency"] for loc in locations})
    if locations:
        lines.append("Locations (number, name, timezone, currency):")
        lines += [
            f"- Location {loc['number']}: {loc['name']}, {loc['timezone']}, {loc['currency']}"
            for loc in locations
        ]
        lines.append(
            f"Amounts are in {', '.join(currencies)}. Each location's days are its own local business days."
        )
    else:
        lines.append("No locations are loaded yet; tell the owner to run `opsbot sync`.")
    return "\n".join(lines)


def today_text(today: date, timezone: str) -> str:
    """The volatile line: today's date and weekday in the business timezone."""
    return (
        f"Today is {WEEKDAY_NAMES[today.weekday()]} {today.isoformat()} ({timezone}, Location 1's timezone)."
    )


def build_request(
    *,
    model: str,
    max_tokens: int,
    stable_system: str,
    today_line: str,
    tools: Sequence[dict],
    messages: Sequence[dict],
    effort: str | None = None,
) -> ModelRequest:
    """A request with cache breakpoints on the last tool, the stable system block and the newest message;
    ``effort`` (OPSBOT_EFFORT) is sent only to a model that accepts that level.

    Nothing given is copied deeply or changed: the request shares the tool and message dicts (which the loop
    never changes once built) and holds new copies only of what carries a breakpoint — the last tool, the
    newest message and its last block."""
    tool_defs = list(tools)
    if tool_defs:
        tool_defs[-1] = {**tool_defs[-1], "cache_control": CACHE}
    sent = list(messages)
    if sent:
        last = sent[-1]
        content = last["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
        if blocks:
            blocks[-1] = {**blocks[-1], "cache_control": CACHE}
        sent[-1] = {**last, "content": blocks}
    return ModelRequest(
        model=model,
        max_tokens=max_tokens,
        system=[
            {"type": "text", "text": stable_system, "cache_control": CACHE},
            {"type": "text", "text": today_line},
        ],
        tools=tool_defs,
        messages=sent,
        effort=effort if effort and _effort_accepted(model, effort) else None,
    )


def _effort_accepted(model: str, effort: str) -> bool:
    """Whether ``model`` takes effort ``effort``; logs once per model and level when it does not."""
    if supports_effort(model, effort):
        return True
    if (model, effort) not in _EFFORT_NOT_SENT:
        _EFFORT_NOT_SENT.add((model, effort))
        log.warning(
            "OPSBOT_EFFORT=%s is not sent to %s: the model does not accept that effort level", effort, model
        )
    return False
