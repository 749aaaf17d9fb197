"""The REPL's slash commands. Each writes through an ``Output`` so the terminal and the piped front end
show the same thing in their own way."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.agent.pricing import PRICES, price_for
from bot.repl.session import ReplSession, usage_line
from bot.services.tool_console import describe_tools, result_text
from bot.settings import SettingsError
from tools.registry import ToolError

QUIT = "quit"


class Output(Protocol):
    def info(self, text: str) -> None:
        """A line or paragraph of plain text."""

    def error(self, text: str) -> None:
        """Something went wrong; one sentence."""

    def block(self, text: str, language: str | None = None) -> None:
        """Pre-formatted text (a listing, a trace, JSON) shown as is."""

    def note(self, text: str) -> None:
        """A side remark (timings); dim on a terminal, on stderr when piped."""


@dataclass(frozen=True)
class Command:
    name: str
    arguments: str
    help: str
    run: Callable[[ReplSession, str, Output], str | None]  # returns QUIT to end the session


def _help(_session: ReplSession, _rest: str, out: Output) -> None:
    width = max(len(f"/{c.name} {c.arguments}".rstrip()) for c in COMMANDS)
    lines = [f"  {f'/{c.name} {c.arguments}'.rstrip():<{width}}  {c.help}" for c in COMMANDS]
    out.block(
        "Ask a question in plain words, or use a command:\n"
        + "\n".join(lines)
        + "\nEnter sends; Alt-Enter (or a line ending in \\) adds a line. Ctrl-C cancels an answer, "
        "Ctrl-D quits."
    )


def _new(session: ReplSession, _rest: str, out: Output) -> None:
    session.conversation_id = None
    session.last_answer = None
    out.info("New conversation: the next question starts it.")


def _history(session: ReplSession, _rest: str, out: Output) -> None:
    conversations = session.app.history.conversations(limit=20)
    if not conversations:
        out.info("No conversations yet.")
        return
    session.listed = [c.id for c in conversations]
    lines = []
    for number, c in enumerate(conversations, 1):
        here = "*" if c.id == session.conversation_id else " "
        when = c.updated_at.strftime("%Y-%m-%d %H:%M")
        title = " ".join((c.title or "").split())
        title = title if len(title) <= 60 else title[:59] + "…"
        lines.append(f"{here}{number:>3}  {c.id}  {when} UTC  {c.source:<5} {c.questions:>3} q  {title}")
    out.block("\n".join(lines) + "\n/resume N or /resume ID continues one.")


def _resolve_conversation(session: ReplSession, reference: str) -> str:
    """A conversation id from a /history number, a full id or a unique id prefix."""
    if reference.isdigit() and session.listed:
        index = int(reference) - 1
        if not 0 <= index < len(session.listed):
            raise SettingsError(
                f"no conversation number {reference} — /history lists 1 to {len(session.listed)}"
            )
        return session.listed[index]
    if session.conversation_exists(reference):
        return reference
    matches = [c.id for c in session.app.history.conversations(limit=500) if c.id.startswith(reference)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise SettingsError(f"{reference!r} matches {len(matches)} conversations — give more of the id")
    raise SettingsError(f"no conversation {reference!r} — /history lists them")


def _resume(session: ReplSession, rest: str, out: Output) -> None:
    if not rest:
        out.error("Which one? /resume N (from /history) or /resume ID.")
        return
    try:
        conversation_id = _resolve_conversation(session, rest.strip())
    except SettingsError as exc:
        out.error(str(exc))
        return
    session.conversation_id = conversation_id
    session.last_answer = None
    turns = session.app.history.turns(conversation_id)
    out.info(f"Resumed {conversation_id} ({len(turns)} question{'s' * (len(turns) != 1)}).")
    if turns:
        last = turns[-1]
        out.block(f"Last question: {last.question}\nAnswer: {last.answer or last.error or '(none)'}")


def _tools(session: ReplSession, _rest: str, out: Output) -> None:
    out.block(describe_tools(session.app.registry).rstrip())


def _call(session: ReplSession, rest: str, out: Output) -> None:
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        out.error(f"cannot read the arguments: {exc}")
        return
    if not words:
        out.error("Which tool? /call TOOL key=value … (/tools lists them)")
        return
    try:
        result = session.call_tool(words[0], words[1:])
    except (ToolError, SettingsError) as exc:
        out.error(str(exc))
        return
    if result.ok:
        out.block(result_text(result), "json")
    else:
        out.error(result_text(result))
    out.note(f"({result.tool} · {result.seconds * 1000:.0f} ms)")


def _trace(session: ReplSession, _rest: str, out: Output) -> None:
    trace = session.app.trace(session.conversation_id) if session.conversation_id else None
    if trace is None:
        out.info("Nothing to trace yet: this conversation has no questions.")
    else:
        out.block(trace)


def _usage(session: ReplSession, rest: str, out: Output) -> None:
    choice = rest.strip().lower()
    if choice in {"on", "off"}:
        session.show_usage = choice == "on"
        out.info(f"Usage after each answer: {choice}.")
        return
    if choice:
        out.error("Use /usage, /usage on or /usage off.")
        return
    if session.last_answer is not None:
        out.info(f"Last answer: {usage_line(session.last_answer)}")
    out.block(session.app.usage())


def _model(session: ReplSession, rest: str, out: Output) -> None:
    name = rest.strip()
    if not name:
        out.info(f"Model: {session.model_name}. Known: {', '.join(PRICES)}.")
        return
    if " " in name:
        out.error(f"{name!r} is not a model name, e.g. /model claude-sonnet-4-6")
        return
    session.model_name = name
    note = "" if price_for(name) else " (no price known for it, so its cost shows as $?)"
    out.info(f"Model for the next questions: {name}{note}.")


def _quit(_session: ReplSession, _rest: str, _out: Output) -> str:
    return QUIT


COMMANDS = [
    Command("help", "", "this list", _help),
    Command("new", "", "start a new conversation", _new),
    Command("history", "", "recent conversations", _history),
    Command("resume", "N|ID", "continue an earlier conversation", _resume),
    Command("tools", "", "the analytics tools and their parameters", _tools),
    Command("call", "TOOL key=value …", "run one tool, no model needed (like opsbot call)", _call),
    Command("trace", "", "this conversation's model and tool calls", _trace),
    Command("usage", "[on|off]", "tokens and cost; on/off: show them after each answer", _usage),
    Command("model", "[NAME]", "show or change the model", _model),
    Command("quit", "", "leave (Ctrl-D also works)", _quit),
]
ALIASES = {"exit": "quit", "q": "quit", "?": "help"}
BY_NAME = {c.name: c for c in COMMANDS}


def run_command(session: ReplSession, line: str, out: Output) -> str | None:
    """Run one ``/command args`` line; QUIT when the session should end."""
    name, _, rest = line.strip().removeprefix("/").partition(" ")
    command = BY_NAME.get(ALIASES.get(name.lower(), name.lower()))
    if command is None:
        out.error(f"unknown command /{name} — /help lists them")
        return None
    return command.run(session, rest.strip(), out)
