"""The tool console: list the analytics tools and run one without the model (``opsbot tools``, ``opsbot
call``, and ``/tools`` / ``/call`` in the REPL)."""

from __future__ import annotations

import json
from datetime import date

from bot.settings import SettingsError
from tools.analytics.arguments import CONVENTIONS
from tools.analytics.business_calendar import EARLIEST, LATEST
from tools.registry import ToolContext, ToolRegistry, ToolResult


def describe_tools(registry: ToolRegistry) -> str:
    """Each tool with its source, first sentence and parameters, as ``opsbot tools`` prints them; the
    parameters described "Common." are explained once, at the end, as the model reads them."""
    lines = []
    for tool in registry.tools():
        summary = " ".join(tool.description.split()).split(". ")[0].rstrip(".") + "."
        lines.append(f"{tool.name}  [{tool.source}]\n    {summary}")
        required = set(tool.input_schema.get("required", []))
        for name, schema in tool.input_schema.get("properties", {}).items():
            kind = schema.get("type", "")
            if "enum" in schema:
                kind = "|".join(schema["enum"])
            elif kind == "array" and "enum" in schema.get("items", {}):
                kind = "list of " + "|".join(schema["items"]["enum"])
            flag = (
                "required"
                if name in required
                else f"default {schema['default']!r}"
                if "default" in schema
                else ""
            )
            lines.append(f"    {name} ({kind}{', ' + flag if flag else ''}): {schema.get('description', '')}")
        lines.append("")
    lines.append(CONVENTIONS)
    return "\n".join(lines)


def parse_call_arguments(pairs: list[str], schema: dict) -> dict:
    """``key=value`` pairs → arguments; values are JSON when they parse, lists may be comma-separated or a
    single value (``locations=2``, ``locations=Downtown,Harbor``), and ``null`` leaves an argument out."""
    arguments = {}
    properties = schema.get("properties", {})
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise SettingsError(f"argument {pair!r} is not key=value")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        if properties.get(key, {}).get("type") == "array" and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        elif properties.get(key, {}).get("type") == "string" and not isinstance(value, str | None):
            value = raw
        arguments[key] = value
    return arguments


def parse_today(text: str) -> date:
    """``--today``'s date; SettingsError when it is not a date a period can be seen from."""
    try:
        today = date.fromisoformat(text.strip())
    except ValueError:
        today = None
    if today is None or not EARLIEST <= today <= LATEST:
        raise SettingsError(
            f"--today must be a date YYYY-MM-DD between {EARLIEST} and {LATEST}, got {text!r}"
        )
    return today


def call_tool(
    registry: ToolRegistry,
    context: ToolContext,
    name: str,
    pairs: list[str],
    json_arguments: str | None = None,
) -> ToolResult:
    """Run tool ``name`` with ``key=value`` pairs over an optional JSON object of arguments. An unknown tool
    raises ``ToolError``, a malformed argument ``SettingsError``; a tool's own error is in the result."""
    tool = registry.get(name)
    try:
        arguments = json.loads(json_arguments) if json_arguments else {}
    except json.JSONDecodeError as exc:
        raise SettingsError(f"--json is not a JSON object: {exc}") from None
    if not isinstance(arguments, dict):
        raise SettingsError('--json must be a JSON object, e.g. \'{"period": "yesterday"}\'')
    arguments.update(parse_call_arguments(pairs, tool.input_schema))
    return registry.call(tool.name, arguments, context)


def result_text(result: ToolResult) -> str:
    """A tool result as the console shows it: indented JSON, or ``error: …``."""
    if result.ok:
        return json.dumps(result.content, indent=2, default=str, ensure_ascii=False)
    return f"error: {result.error}"
