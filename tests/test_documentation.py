"""README.md and .env.example keep up with the code, as datasette's documentation tests do: every setting,
every command (and its options) and every built-in tool is documented, and nothing documented is gone.
Each failure names what is missing and where to add it."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from bot.cli import build_parser
from bot.settings import VARIABLES, load_settings
from tools.analytics.definitions import DEFINITIONS
from tools.data_sources import installed_data_sources
from tools.registry import default_registry

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
ENV_EXAMPLE_FILE = REPO / ".env.example"
# What the core reads, and what the installed data-source plugins declare (read through ctx.options).
SETTINGS = VARIABLES + tuple(name for source in installed_data_sources() for name in source.settings)
ENV_EXAMPLE = ENV_EXAMPLE_FILE.read_text()


def section(heading: str) -> str:
    """The README text under ``## heading``, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", README, flags=re.M | re.S)
    assert match, f"README.md has no '## {heading}' section"
    return match.group(1)


def first_cells(text: str) -> list[str]:
    """The first cell of each Markdown table row in ``text`` (header and separator rows left out)."""
    cells = []
    for line in text.splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells.append(re.split(r"(?<!\\)\|", line)[1].strip().replace("\\|", "|"))
    return cells[1:] if cells else cells  # the first row is the header


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def table_names(heading: str) -> list[str]:
    """The names in the first column of the section's table (one code span per cell)."""
    return [span for cell in first_cells(section(heading)) for span in code_spans(cell)]


# --- settings ---------------------------------------------------------------------------------------------


def env_example_entries() -> dict[str, str | None]:
    """Each variable .env.example shows → its value (None when the line is commented out)."""
    return {
        name: None if commented else value
        for commented, name, value in re.findall(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.M)
    }


def test_every_setting_is_in_readmes_configuration_table():
    documented = set(table_names("Configuration"))
    missing = [name for name in SETTINGS if name not in documented]
    assert not missing, "\n".join(
        f"{name} is read by bot/settings.py but missing from README.md's '## Configuration' table — add "
        f"a row `| `{name}` | its default | what it does |`"
        for name in missing
    )


def test_every_setting_is_in_env_example_with_a_comment():
    problems = []
    for name in SETTINGS:
        if name not in env_example_entries():
            problems.append(
                f"{name} is read by bot/settings.py but missing from .env.example — add `# what it does` and "
                f"`{name}=its default` (commented out, `# {name}=example`, when it has none) to its group"
            )
        elif not re.search(rf"^# .+\n(#\s*)?{name}=", ENV_EXAMPLE, flags=re.M):
            problems.append(f"{name} in .env.example has no comment — add `# what it does` on the line above")
    assert not problems, "\n".join(problems)


def test_nothing_documented_is_a_setting_that_does_not_exist():
    stale = [
        f"{where} documents {name}, which bot/settings.py does not read — remove it there, or add {name} "
        "to VARIABLES in bot/settings.py and read it"
        for where, names in (
            ("README.md's '## Configuration' table", table_names("Configuration")),
            (".env.example", list(env_example_entries())),
        )
        for name in names
        if name not in SETTINGS
    ]
    assert not stale, "\n".join(stale)


def test_the_values_env_example_sets_are_the_defaults():
    defaults = load_settings(env_file=None, environ={})
    wrong = [
        f".env.example sets {name}={value}, which is not the default bot/settings.py uses — set the default, "
        f"or comment the line out (`# {name}={value}`) as an example"
        for name, value in env_example_entries().items()
        if value is not None and load_settings(env_file=None, environ={name: value}) != defaults
    ]
    assert not wrong, "\n".join(wrong)


def test_readmes_defaults_agree_with_env_example():
    readme_defaults = {
        code_spans(row)[0]: row.split("|")[2].strip()
        for row in section("Configuration").splitlines()
        if row.startswith("| `")
    }
    wrong = [
        f"README.md's '## Configuration' table gives {name}'s default as {readme_defaults[name]} but "
        f".env.example sets `{value}` — make them agree (on the default bot/settings.py uses)"
        for name, value in env_example_entries().items()
        if value is not None and name in readme_defaults and readme_defaults[name] != f"`{value}`"
    ]
    assert not wrong, "\n".join(wrong)


# --- commands ---------------------------------------------------------------------------------------------


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's sub-command parsers by name (empty without sub-commands)."""
    return {
        name: sub
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name, sub in action.choices.items()
    }


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every command and sub-command as ``opsbot db upgrade`` → its parser."""
    for name, sub in subcommands(parser).items():
        yield " ".join(("opsbot", *path, name)), sub
        yield from commands(sub, (*path, name))


def options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"]


def command_usages() -> list[str]:
    """The usages README's '## Commands' table lists, e.g. ``opsbot call TOOL [key=value …]``."""
    return [span for cell in first_cells(section("Commands")) for span in code_spans(cell)]


def test_every_command_and_its_options_are_in_readmes_command_table():
    usages = command_usages()
    problems = []
    for command, parser in commands(build_parser()):
        rows = [usage for usage in usages if usage == command or usage.startswith(command + " ")]
        if not rows:
            problems.append(
                f"`{command}` is a command (bot/cli.py build_parser) but missing from README.md's "
                f"'## Commands' table — add a row `| `{command} [OPTIONS]` | what it does |`"
            )
            continue
        for option in options(parser):
            if not any(re.search(rf"{re.escape(option)}\b", row) for row in rows):
                problems.append(
                    f"`{command}` takes {option} but its row in README.md's '## Commands' table does not "
                    f"show it — add `[{option} …]` to `{rows[0]}`"
                )
    assert not problems, "\n".join(problems)


def test_every_command_in_readmes_table_exists():
    parser = build_parser()
    problems = []
    for usage in command_usages():
        words, current, path = usage.split()[1:], parser, ["opsbot"]
        while words and words[0] in subcommands(current):
            current = subcommands(current)[words[0]]
            path.append(words.pop(0))
        if usage != "opsbot" and len(path) == 1:
            problems.append(f"README.md's '## Commands' table lists `{usage}`: no such command — fix the row")
        for option in re.findall(r"--[a-z][a-z-]*", usage):
            if option not in options(current):
                problems.append(
                    f"README.md's '## Commands' table shows {option} for `{' '.join(path)}`, which has no "
                    "such option — remove it from the row"
                )
    assert not problems, "\n".join(problems)


# --- tools ------------------------------------------------------------------------------------------------


def test_the_labor_plugins_tools_are_in_its_readme_section():
    labor = [tool.name for tool in default_registry().tools() if tool.source == "labor"]
    assert labor, "the bundled labor plugin is not installed (./scripts/ensure-venv installs it)"
    assert sorted(table_names("Labor, food cost and prime cost")) == sorted(labor)


def test_every_builtin_tool_is_in_readmes_tools_table():
    """Built-in tools only: a plugin documents its own tools (the example plugin's are in "Add a data-source
    tool"), and plugins installed next to opsbot must not fail this repository's tests."""
    builtin = [tool.name for tool in default_registry().tools() if tool.source == "builtin"]
    documented = table_names("Analytics tools")
    missing = [
        f"tool {name} (tools/analytics) is missing from README.md's '## Analytics tools' table — add a row "
        f"`| `{name}` | what it answers |`"
        for name in builtin
        if name not in documented
    ]
    stale = [
        f"README.md's '## Analytics tools' table lists {name}, which is not a built-in tool — remove the row"
        for name in documented
        if name not in builtin
    ]
    assert not missing + stale, "\n".join(missing + stale)


def test_readmes_definitions_table_is_the_code():
    """The README's '## Definitions' table lists every term of tools/analytics/definitions.py with its full
    definition, word for word, and nothing else."""
    rows = {}
    for line in section("Definitions").splitlines():
        if line.startswith("| `"):
            term, text = (cell.strip() for cell in line.strip("|").split("|", 1))
            rows[term.strip("`")] = text.strip()
    assert rows == {term: definition.full for term, definition in DEFINITIONS.items()}
