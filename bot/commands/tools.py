"""``opsbot tools`` and ``opsbot call``: the analytics tools without the model."""

from __future__ import annotations

import argparse
import json
import sys

from bot.application import Application
from bot.services.tool_console import call_tool, describe_tools, parse_today, result_text
from bot.settings import SettingsError
from tools.registry import ToolError


def cmd_tools(app: Application, args: argparse.Namespace) -> int:
    """List the tools (``--json``: the schemas the model sees)."""
    if args.json:
        print(json.dumps(app.registry.schemas(), indent=2))
    else:
        print(describe_tools(app.registry))
    return 0


def cmd_call(app: Application, args: argparse.Namespace) -> int:
    """Run one tool against the store and print its result; the exit status."""
    try:
        today = parse_today(args.today) if args.today is not None else None
        result = call_tool(app.registry, app.tool_context(today), args.tool, args.arguments, args.json)
    except (ToolError, SettingsError) as exc:
        print(f"opsbot: {exc}", file=sys.stderr)
        return 2
    print(result_text(result), file=sys.stdout if result.ok else sys.stderr)
    print(f"({result.tool} · {result.seconds * 1000:.0f} ms)", file=sys.stderr)
    return 0 if result.ok else 1


def add_parsers(sub) -> None:
    """Register ``tools`` and ``call`` on the ``opsbot`` sub-command parser."""
    tools = sub.add_parser("tools", help="list the analytics tools the model can call")
    tools.add_argument("--json", action="store_true", help="print the JSON schemas the model sees")
    tools.set_defaults(handler=cmd_tools)

    call = sub.add_parser("call", help="run one tool against the store (no model needed)")
    call.add_argument("tool", help="tool name (see `opsbot tools`)")
    call.add_argument("arguments", nargs="*", help="key=value arguments, e.g. period='last Saturday'")
    call.add_argument("--json", help="arguments as one JSON object")
    call.add_argument("--today", help="pretend today is this date (YYYY-MM-DD) in the business timezone")
    call.set_defaults(handler=cmd_call)
