"""The tool registry: schemas from signatures, validation, error results, and plugins via entry points."""

from __future__ import annotations

import importlib.metadata
import logging
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import pytest

from bot.slack.formatting import tool_status
from tools import registry as registry_module
from tools.registry import (
    Param,
    ToolContext,
    ToolError,
    ToolRegistry,
    activity,
    load_plugins,
    tool_from_function,
)

REPO = Path(__file__).resolve().parents[1]
CTX = ToolContext(engine=None, today=date(2026, 11, 24))


def sample(
    ctx: ToolContext,
    name: Annotated[str, Param("A name.")],
    count: Annotated[int, Param("How many.")] = 3,
    ratio: Annotated[float | None, Param("A ratio.")] = None,
    flag: Annotated[bool, Param("A flag.")] = False,
    day: Annotated[date | None, Param("A day.")] = None,
    mode: Annotated[Literal["a", "b"], Param("A mode.")] = "a",
    tags: Annotated[list[str] | None, Param("Tags.")] = None,
    modes: Annotated[list[Literal["x", "y"]] | None, Param("Modes.")] = None,
) -> dict:
    """A sample tool.

    It echoes its arguments."""
    return {
        "today": ctx.today,
        "name": name,
        "count": count,
        "ratio": ratio,
        "flag": flag,
        "day": day,
        "mode": mode,
        "tags": tags,
        "modes": modes,
    }


SAMPLE_PROPERTIES = {
    "name": {"type": "string", "description": "A name."},
    "count": {"type": "integer", "description": "How many.", "default": 3},
    "ratio": {"type": "number", "description": "A ratio."},
    "flag": {"type": "boolean", "description": "A flag.", "default": False},
    "day": {"type": "string", "format": "date", "description": "A day."},
    "mode": {"type": "string", "enum": ["a", "b"], "description": "A mode.", "default": "a"},
    "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags."},
    "modes": {
        "type": "array",
        "items": {"type": "string", "enum": ["x", "y"]},
        "description": "Modes.",
    },
}


def test_schema_comes_from_the_signature_and_docstring():
    tool = tool_from_function(sample)
    assert tool.description == "A sample tool.\n\nIt echoes its arguments."
    assert tool.wants_context
    # Validation holds arguments to the full schema; the model is not told "no other properties" (an
    # unknown argument is refused with the list of parameters anyway).
    assert tool.input_schema == {
        "type": "object",
        "properties": SAMPLE_PROPERTIES,
        "additionalProperties": False,
        "required": ["name"],
    }
    assert tool.to_anthropic() == {
        "name": "sample",
        "description": "A sample tool.\n\nIt echoes its arguments.",
        "input_schema": {"type": "object", "properties": SAMPLE_PROPERTIES, "required": ["name"]},
    }


def shared_sample(
    where: Annotated[list[Literal["in", "out"]] | None, Param("Common.", shared=True)] = None,
    when: Annotated[date | None, Param("Common.", shared=True)] = None,
    size: Annotated[Literal["s", "m"], Param("Common.", shared=True)] = "s",
    note: Annotated[str | None, Param("A note.")] = None,
) -> dict:
    """Shared parameters."""
    return {"where": where, "when": when, "size": size, "note": note}


def test_a_shared_parameter_gives_the_model_only_its_type_and_validation_the_full_schema():
    tool = tool_from_function(shared_sample)
    assert tool.to_anthropic()["input_schema"]["properties"] == {
        "where": {"type": "array"},
        "when": {"type": "string"},
        "size": {"type": "string", "default": "s"},
        "note": {"type": "string", "description": "A note."},
    }
    registry = ToolRegistry()
    registry.register(shared_sample)
    assert registry.validate(tool, {"where": "in", "when": "2026-11-02"}) == {
        "where": ["in"],
        "when": date(2026, 11, 2),
    }
    with pytest.raises(ToolError, match=r"^where\[0\] 'up' is not one of: in, out$"):
        registry.validate(tool, {"where": ["up"]})
    with pytest.raises(ToolError, match=r"^when must be a date YYYY-MM-DD, got '2 Nov'$"):
        registry.validate(tool, {"when": "2 Nov"})
    with pytest.raises(ToolError, match="has no parameter 'other'"):
        registry.validate(tool, {"other": 1})


def test_a_tool_needs_a_docstring_and_described_parameters():
    def nodoc(x: Annotated[str, Param("x")]) -> None:
        pass

    def undescribed(x: str) -> None:
        """Doc."""

    with pytest.raises(ValueError, match="tool nodoc has no docstring"):
        tool_from_function(nodoc)
    with pytest.raises(ValueError, match="tool undescribed: parameter 'x' has no description"):
        tool_from_function(undescribed)


@pytest.fixture
def registry():
    registry = ToolRegistry()
    registry.register(sample)
    return registry


def test_a_tool_may_say_what_it_is_doing_and_slack_shows_it():
    @activity("counting covers")
    def covers(day: Annotated[date, Param("The day.")]) -> dict:
        """Covers served on a day."""
        return {}

    def plain(day: Annotated[date, Param("The day.")]) -> dict:
        """Anything."""
        return {}

    registry = ToolRegistry()
    registry.register(covers)
    registry.register(plain)
    assert [registry.activity_of(name) for name in ("covers", "plain", "missing")] == [
        "counting covers",
        None,
        None,
    ]
    assert tool_status("covers", registry.activity_of("covers")) == "is counting covers…"
    assert tool_status("plain", registry.activity_of("plain")) == "is running plain…"
    builtin = ToolRegistry()
    load_plugins(builtin)
    assert all(tool.activity for tool in builtin.tools() if tool.source == "builtin")


def test_valid_arguments_are_converted_and_passed(registry):
    result = registry.call("sample", {"name": "n", "ratio": 2, "day": "2026-10-03", "modes": ["y"]}, CTX)
    assert result.ok
    assert result.content["day"] == date(2026, 10, 3) and result.content["ratio"] == 2.0
    assert result.content["today"] == date(2026, 11, 24)
    assert '"day":"2026-10-03"' in result.to_json()


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({}, "sample needs 'name'"),
        (
            {"name": "n", "colour": "red"},
            "sample has no parameter 'colour' — parameters: name, count, ratio, flag, day, mode, tags, modes",
        ),
        ({"name": "n", "count": "3"}, "count must be an integer, got '3'"),
        ({"name": "n", "flag": "yes"}, "flag must be true or false, got 'yes'"),
        ({"name": "n", "mode": "c"}, "mode 'c' is not one of: a, b"),
        ({"name": "n", "modes": ["x", "z"]}, "modes[1] 'z' is not one of: x, y"),
        ({"name": "n", "day": "03/10/2026"}, "day must be a date YYYY-MM-DD, got '03/10/2026'"),
        ({"name": "n", "tags": {"a": 1}}, "tags must be a list, got {'a': 1}"),
    ],
)
def test_invalid_arguments_become_correctable_errors(registry, arguments, error):
    result = registry.call("sample", arguments, CTX)
    assert (result.ok, result.error) == (False, error)
    assert result.to_json() == '{"error":' + __import__("json").dumps(error, ensure_ascii=False) + "}"


def test_unknown_tools_list_the_known_ones(registry):
    assert registry.call("nope", {}, CTX).error == "unknown tool 'nope' — known: sample"


def test_tool_errors_and_crashes_never_raise(registry, caplog):
    def picky(x: Annotated[str, Param("x")]) -> dict:
        """Raises."""
        if x == "data":
            raise ToolError("no such thing — try another")
        raise ZeroDivisionError("boom")

    registry.register(picky)
    assert registry.call("picky", {"x": "data"}, CTX).error == "no such thing — try another"
    with caplog.at_level(logging.ERROR, logger="opsbot.tools"):
        crashed = registry.call("picky", {"x": "other"}, CTX)
    assert crashed.error == "internal error in tool picky: ZeroDivisionError: boom"
    assert "Traceback" in caplog.text and "ZeroDivisionError" in caplog.text


def test_the_same_name_twice_is_refused(registry):
    with pytest.raises(ValueError, match="tool 'sample' is registered twice"):
        registry.register(sample, source="other")


def test_builtin_tools_arrive_through_the_entry_point():
    registry = ToolRegistry()
    assert "builtin" in load_plugins(registry)
    names = {tool.name for tool in registry.tools() if tool.source == "builtin"}
    assert {
        "sales_report",
        "top_items",
        "compare_locations",
        "compare_periods",
        "delivery_report",
        "refunds_and_discounts",
        "business_info",
        "order_details",
    } <= names


def test_an_installed_plugin_is_listed_and_callable(tmp_path, monkeypatch):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(REPO / "examples" / "opsbot-reservations"),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.syspath_prepend(str(target))
    importlib.invalidate_caches()
    registry = ToolRegistry()
    assert load_plugins(registry) == ["builtin", "labor", "reservations"]
    tool = registry.get("reservations_summary")
    assert (tool.source, tool.activity) == ("reservations", "counting reservations")
    result = registry.call(
        "reservations_summary",
        {"date_from": "2026-11-20", "date_to": "2026-11-22", "location": "Downtown"},
        CTX,
    )
    assert result.content == {
        "from": "2026-11-20",
        "to": "2026-11-22",
        "location": "Downtown",
        "reservations": 4,
        "covers": 16,
        "no_shows": 1,
        "cancellations": 0,
    }
    everywhere = registry.call(
        "reservations_summary", {"date_from": "2026-11-20", "date_to": "2026-11-22"}, CTX
    )
    assert (everywhere.content["reservations"], everywhere.content["covers"]) == (10, 39)


def test_a_broken_plugin_is_logged_and_skipped(monkeypatch, caplog):
    broken = importlib.metadata.EntryPoint("broken", "no_such_module:TOOLS", "opsbot.tools")
    monkeypatch.setattr(registry_module, "entry_points", lambda group: [broken])
    with caplog.at_level(logging.ERROR, logger="opsbot.tools"):
        assert load_plugins(ToolRegistry()) == []
    assert "plugin 'broken' (no_such_module:TOOLS) could not be loaded" in caplog.text
