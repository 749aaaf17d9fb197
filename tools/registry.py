"""The tool registry: plain typed functions become tools the model can call.

A tool's name is its function's name, its description the docstring, and its JSON schema comes from the
signature, where every parameter is ``Annotated[T, Param("what it means")]``. Arguments are validated before
the function runs; a validation or data problem comes back as an error result the model can correct, and an
unexpected exception is logged with its traceback and reported as a tool error — never raised to the caller.
Tools are found through the ``opsbot.tools`` entry-point group; the built-in ones register that way too.
Plugin packages import what they need from ``tools.plugin_api``, not from this module.
"""

from __future__ import annotations

import copy
import inspect
import json
import logging
import time
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import entry_points
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from sqlalchemy import Engine

from tools.analytics.calendar_filters import DEFAULT_DAY_PARTS, DayPart
from tools.data_sources import ENTRY_POINT_GROUP, DataSource
from tools.result_tables import compact_tables
from tools.top_level_packages import check_top_level_packages

log = logging.getLogger("opsbot.tools")


@dataclass(frozen=True)
class Param:
    """A tool parameter's description, used as ``Annotated`` metadata. A ``shared`` parameter means the same
    in every tool and is described once, in the system prompt (its values too): the model's schema gives it
    only its type and default, while validation still holds it to the full schema."""

    description: str
    shared: bool = False


class ToolError(Exception):
    """A validation or data error the model can correct; its message is what the model sees."""


@dataclass(frozen=True)
class ToolContext:
    """What a tool may use: a read-only engine on the store, today's date in the business timezone, the
    first day of the week (0 = Monday … 6 = Sunday), the business's day parts (lunch, dinner…) and
    ``options``: the values of the environment variables data-source plugins declare (set ones only)."""

    engine: Engine
    today: date
    week_start: int = 0
    day_parts: tuple[DayPart, ...] = DEFAULT_DAY_PARTS
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tool:
    """A registered tool."""

    name: str
    description: str
    function: Callable
    input_schema: dict
    source: str
    wants_context: bool = False
    activity: str | None = None  # what it is doing while it runs ("adding up sales"), for progress lines

    shared: frozenset[str] = frozenset()  # parameters described once in the system prompt, not here

    def to_anthropic(self) -> dict:
        """The tool definition as the Messages API takes it: the input schema without what the system prompt
        already says (shared parameters' descriptions and values) or validation enforces anyway (no other
        properties)."""
        properties = {
            name: _shared_schema(schema) if name in self.shared else schema
            for name, schema in self.input_schema["properties"].items()
        }
        schema = {key: value for key, value in self.input_schema.items() if key != "additionalProperties"}
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": {**schema, "properties": properties},
        }


@dataclass(frozen=True)
class ToolResult:
    """The outcome of one call: content when ``ok``, else ``error``."""

    tool: str
    ok: bool
    content: Any
    error: str | None
    seconds: float

    def to_json(self) -> str:
        """Compact JSON for the model: every list of row dicts as a ``{"columns", "rows"}`` table
        (``tools.result_tables``; ``parse_result`` reads it back)."""
        payload = compact_tables(self.content) if self.ok else {"error": self.error}
        return json.dumps(payload, separators=(",", ":"), default=_json_default, ensure_ascii=False)


def _shared_schema(schema: dict) -> dict:
    """A shared parameter's schema for the model: its type and default (the system prompt says the rest)."""
    compact = {"type": schema["type"]}
    if "default" in schema:
        compact["default"] = schema["default"]
    return compact


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _schema_for(annotation: Any, where: str) -> dict:
    """JSON schema of a parameter type (``T | None`` has T's schema: None is always accepted)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            raise ValueError(f"{where}: only `T | None` unions are supported")
        return _schema_for(members[0], where)
    if annotation is str:
        return {"type": "string"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer"}
    if annotation is float:
        return {"type": "number"}
    if annotation is date:
        return {"type": "string", "format": "date"}
    if origin is Literal:
        return {"type": "string", "enum": list(get_args(annotation))}
    if origin is list:
        (item,) = get_args(annotation)
        return {"type": "array", "items": _schema_for(item, where)}
    raise ValueError(f"{where}: unsupported parameter type {annotation!r}")


def activity(phrase: str) -> Callable[[Callable], Callable]:
    """Decorator: what a tool is doing while it runs, as front ends show it — ``@activity("adding up
    sales")`` reads "opsbot is adding up sales…" in Slack. Without it a tool shows as "running NAME"."""

    def mark(function: Callable) -> Callable:
        function.__opsbot_activity__ = phrase  # type: ignore[attr-defined]
        return function

    return mark


def tool_from_function(function: Callable, *, source: str = "builtin") -> Tool:
    """Build a Tool from a typed, documented function (see the module docstring)."""
    name = function.__name__
    description = inspect.cleandoc(function.__doc__ or "")
    if not description:
        raise ValueError(f"tool {name} has no docstring — its description is what the model reads")
    hints = typing.get_type_hints(function, include_extras=True)
    properties: dict[str, dict] = {}
    shared: set[str] = set()
    required: list[str] = []
    wants_context = False
    for index, parameter in enumerate(inspect.signature(function).parameters.values()):
        if index == 0 and parameter.name == "ctx":
            wants_context = True
            continue
        hint = hints.get(parameter.name)
        metadata = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Param)]
        if get_origin(hint) is not Annotated or not metadata or not metadata[0].description.strip():
            raise ValueError(f"tool {name}: parameter {parameter.name!r} has no description")
        schema = _schema_for(get_args(hint)[0], f"tool {name}, parameter {parameter.name!r}")
        schema["description"] = metadata[0].description
        if metadata[0].shared:
            shared.add(parameter.name)
        if parameter.default is inspect.Parameter.empty:
            required.append(parameter.name)
        elif parameter.default is not None:
            schema["default"] = parameter.default
        properties[parameter.name] = schema
    input_schema: dict = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        input_schema["required"] = required
    phrase = getattr(function, "__opsbot_activity__", None)
    return Tool(name, description, function, input_schema, source, wants_context, phrase, frozenset(shared))


def _decimal(value: Any) -> Any:
    """An integer (not a bool) as its decimal string; anything else as it is."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _check(value: Any, schema: dict, where: str) -> Any:
    """Validate (and where safe, convert) one argument value against its schema. A list takes a single value
    as a one-item list, and a list of strings an integer as its decimal string (``locations=2``)."""
    kind = schema["type"]
    if kind == "array":
        if isinstance(value, dict):
            raise ToolError(f"{where} must be a list, got {value!r}")
        items = value if isinstance(value, list) else [value]
        if schema["items"]["type"] == "string":
            items = [_decimal(item) for item in items]
        return [_check(item, schema["items"], f"{where}[{i}]") for i, item in enumerate(items)]
    if kind == "boolean" and not isinstance(value, bool):
        raise ToolError(f"{where} must be true or false, got {value!r}")
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ToolError(f"{where} must be an integer, got {value!r}")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ToolError(f"{where} must be a number, got {value!r}")
        return float(value)
    if kind == "string":
        if not isinstance(value, str):
            raise ToolError(f"{where} must be a string, got {value!r}")
        if "enum" in schema and value not in schema["enum"]:
            raise ToolError(f"{where} {value!r} is not one of: {', '.join(schema['enum'])}")
        if schema.get("format") == "date":
            try:
                return date.fromisoformat(value)
            except ValueError as exc:
                raise ToolError(f"{where} must be a date YYYY-MM-DD, got {value!r}") from exc
    return value


class ToolRegistry:
    """The tools the model can call, by name."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def register(self, function: Callable, *, source: str = "builtin") -> Tool:
        """Add a function as a tool; a second tool with the same name is an error."""
        tool = tool_from_function(function, source=source)
        if tool.name in self._tools:
            raise ValueError(
                f"tool {tool.name!r} is registered twice ({self._tools[tool.name].source}, {source})"
            )
        self._tools[tool.name] = tool
        return tool

    def tools(self) -> list[Tool]:
        """All tools, by name."""
        return [self._tools[name] for name in sorted(self._tools)]

    def get(self, name: str) -> Tool:
        """One tool; an unknown name lists the known ones."""
        if name not in self._tools:
            raise ToolError(f"unknown tool {name!r} — known: {', '.join(sorted(self._tools))}")
        return self._tools[name]

    def activity_of(self, name: str) -> str | None:
        """What tool ``name`` says it is doing while it runs; None for a tool without a phrase or unknown."""
        tool = self._tools.get(name)
        return tool.activity if tool else None

    def schemas(self) -> list[dict]:
        """Every tool's definition for the Messages API (copies: changing one leaves validation alone). The
        agent builds them once and sends the same dicts with every request."""
        return copy.deepcopy([tool.to_anthropic() for tool in self.tools()])

    def validate(self, tool: Tool, arguments: dict | None) -> dict:
        """Checked and converted keyword arguments, or ToolError naming what is wrong. An argument given as
        null is left out: the parameter takes its default, and a required one is missing."""
        arguments = {} if arguments is None else arguments
        if not isinstance(arguments, dict):
            raise ToolError(f"arguments for {tool.name} must be an object, got {type(arguments).__name__}")
        properties = tool.input_schema["properties"]
        unknown = sorted(set(arguments) - set(properties))
        if unknown:
            raise ToolError(
                f"{tool.name} has no parameter {', '.join(map(repr, unknown))} — "
                f"parameters: {', '.join(properties) or 'none'}"
            )
        given = {name: value for name, value in arguments.items() if value is not None}
        missing = [name for name in tool.input_schema.get("required", []) if name not in given]
        if missing:
            raise ToolError(f"{tool.name} needs {', '.join(map(repr, missing))}")
        return {name: _check(value, properties[name], name) for name, value in given.items()}

    def call(self, name: str, arguments: dict | None, ctx: ToolContext) -> ToolResult:
        """Validate and run a tool; every failure becomes an error result."""
        started = time.perf_counter()
        try:
            tool = self.get(name)
            kwargs = self.validate(tool, arguments)
            content = tool.function(ctx, **kwargs) if tool.wants_context else tool.function(**kwargs)
            return ToolResult(name, True, content, None, time.perf_counter() - started)
        except ToolError as exc:
            return ToolResult(name, False, None, str(exc), time.perf_counter() - started)
        except Exception as exc:
            log.exception("tool %s failed with arguments %r", name, arguments)
            error = f"internal error in tool {name}: {type(exc).__name__}: {exc}"
            return ToolResult(name, False, None, error, time.perf_counter() - started)


def load_plugins(registry: ToolRegistry) -> list[str]:
    """Register the tools of every installed plugin (entry points in the ``opsbot.tools`` group, each naming
    a list of tool functions or a DataSource with its tools); a broken plugin is logged and skipped.
    Another distribution providing a top-level ``bot`` or ``tools`` package stops it with
    TopLevelNameClash."""
    check_top_level_packages()
    loaded = []
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        try:
            value = entry_point.load()
            for function in value.tools if isinstance(value, DataSource) else value:
                registry.register(function, source=entry_point.name)
        except Exception:
            log.exception(
                "plugin %r (%s) could not be loaded; its tools are skipped",
                entry_point.name,
                entry_point.value,
            )
            continue
        loaded.append(entry_point.name)
    return loaded


def default_registry() -> ToolRegistry:
    """A registry with every installed plugin's tools, the built-in ones included."""
    registry = ToolRegistry()
    load_plugins(registry)
    return registry
