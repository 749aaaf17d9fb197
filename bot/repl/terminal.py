"""The interactive REPL in a terminal: line editing and persistent history (prompt_toolkit), answers
streamed and rendered as Markdown (rich), Ctrl-C to cancel an answer, Ctrl-D or /quit to leave."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings
from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.text import Text

from bot.agent.model import ModelError
from bot.repl.answer_view import AnswerView
from bot.repl.commands import COMMANDS, QUIT, run_command
from bot.repl.demo_load import DemoLoad
from bot.repl.session import ReplSession, usage_line
from bot.services.internal_error import internal_error_line
from tools.store.summary import StoreSummary

HISTORY_FILE = "repl_history"
log = logging.getLogger(__name__)


class ConsoleOutput:
    """Slash-command output on a rich console; text is never read as rich markup."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def info(self, text: str) -> None:
        self.console.print(Text(text))

    def error(self, text: str) -> None:
        self.console.print(Text(text, style="red"))

    def block(self, text: str, language: str | None = None) -> None:
        if language:
            self.console.print(Syntax(text, language, theme="ansi_dark", background_color="default"))
        else:
            self.console.print(Text(text), soft_wrap=True)

    def note(self, text: str) -> None:
        self.console.print(Text(text, "dim"))


class SlashCompleter(Completer):
    """Tab completes command names, and tool names and parameters after /call."""

    def __init__(self, session: ReplSession) -> None:
        self.session = session

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/"):
            return
        words = text.split(" ")
        if len(words) == 1:
            for command in COMMANDS:
                if command.name.startswith(words[0][1:]):
                    yield Completion(f"/{command.name}", -len(words[0]), display_meta=command.help)
            return
        if words[0] != "/call":
            return
        registry = self.session.app.registry
        if len(words) == 2:
            for tool in registry.tools():
                if tool.name.startswith(words[1]):
                    yield Completion(tool.name, -len(words[1]))
            return
        try:
            properties = registry.get(words[1]).input_schema.get("properties", {})
        except Exception:
            return
        current = words[-1]
        for name in properties:
            if name.startswith(current) and "=" not in current:
                yield Completion(f"{name}=", -len(current))


def _key_bindings() -> KeyBindings:
    """Enter sends; Alt-Enter, or Enter after a trailing backslash, starts a new line."""
    bindings = KeyBindings()

    @bindings.add("enter")
    def _send(event) -> None:
        buffer = event.current_buffer
        if buffer.document.text_before_cursor.endswith("\\"):
            buffer.delete_before_cursor(1)
            buffer.insert_text("\n")
        else:
            buffer.validate_and_handle()

    @bindings.add("escape", "enter")
    def _newline(event) -> None:
        event.current_buffer.insert_text("\n")

    return bindings


def welcome(session: ReplSession, summary: StoreSummary) -> Text:
    """The banner: the business, its data range, the model, and how to get going."""
    days = [loc.last_day for loc in summary.locations if loc.last_day]
    firsts = [loc.first_day for loc in summary.locations if loc.first_day]
    span = f" · orders {min(firsts)} … {max(days)}" if days else ""
    text = Text()
    text.append("opsbot", "bold cyan")
    text.append(
        f" · {summary.business_name or 'your business'} · {len(summary.locations)} locations{span}\n", "bold"
    )
    text.append(f"Model {session.model_name}. Ask a question, or /help for commands. ", "dim")
    text.append("Ctrl-C cancels an answer, Ctrl-D quits.", "dim")
    return text


def no_key_banner() -> Text:
    text = Text()
    text.append("No ANTHROPIC_API_KEY is set, so questions cannot be answered yet.\n", "bold yellow")
    text.append(
        "Copy .env.example to .env and set ANTHROPIC_API_KEY=sk-ant-… (or export it), then start opsbot "
        "again.\nThe tool console works now: /tools lists the tools, e.g. /call top_items "
        'period="last Saturday" limit=3',
        "yellow",
    )
    return text


def _show_outcome(console: Console, session: ReplSession, view: AnswerView, answer) -> None:
    if answer.ok and not view.wrote_text:
        console.print(Markdown(answer.text))
    elif answer.status == "step_cap":
        console.print(Text(answer.text, "yellow"))
    elif not answer.ok:
        console.print(Text(f"✗ {answer.text}", "red"))
    if answer.untraced:
        console.print(Text(answer.untraced, "yellow"))
    if answer.sources is not None:
        console.print(Text(answer.sources.line(), "dim"))
    if session.show_usage:
        console.print(Text(usage_line(answer), "dim"))


def ask(console: Console, session: ReplSession, question: str) -> None:
    """Answer one question on screen; Ctrl-C cancels it and leaves the conversation ready to go on."""
    view = AnswerView(console)
    try:
        if session.can_answer:
            wait_for_demo(console, session)
        with view:
            answer = session.ask(question, view)
    except KeyboardInterrupt:
        console.print(Text("Cancelled. The conversation is kept: ask again, or go on.", "yellow"))
        return
    except ModelError as error:
        console.print(Text(error.user_message, "yellow"))
        return
    except Exception as exc:  # a bug or a broken store: say so, keep the session
        log.exception("answering failed")
        console.print(Text(f"✗ {internal_error_line(exc)}", "red"))
        return
    _show_outcome(console, session, view, answer)


def loading_welcome(session: ReplSession, demo: DemoLoad) -> Text:
    """The banner while the demo loads behind the prompt."""
    text = Text()
    text.append("opsbot", "bold cyan")
    text.append(f" · {demo.business_name} · the demo is loading in the background\n", "bold")
    text.append(
        f"Model {session.model_name}. Ask a question now: it is answered once the demo is in. ", "dim"
    )
    text.append("/help for commands, Ctrl-C cancels an answer, Ctrl-D quits.", "dim")
    return text


def loading_status(session: ReplSession) -> str:
    """The right side of the prompt: the demo's progress while it loads."""
    demo = session.demo
    if demo is None or demo.reported:
        return ""
    return "demo loaded" if demo.done else f"loading the demo… {demo.percent}%"


def announce_demo(console: Console, session: ReplSession) -> None:
    """Once the demo has finished loading, say so (with the sync report if it did not load cleanly)."""
    demo = session.demo
    if demo is None or demo.reported or not demo.done:
        return
    demo.reported = True
    if demo.ok:
        console.print(Text(demo.outcome(), "dim"))
    else:
        console.print(Text(demo.outcome(), "red"))
        console.print(Text(demo.report().rstrip()), soft_wrap=True)


def wait_for_demo(console: Console, session: ReplSession) -> None:
    """Wait (Ctrl-C cancels) for the demo a question or tool call needs, its progress on screen."""
    demo = session.demo
    if demo is None:
        return
    if not demo.done:
        with console.status(f"Waiting for the demo to load… {demo.percent}%") as status:
            while not demo.wait(0.2):
                status.update(f"Waiting for the demo to load… {demo.percent}%")
    announce_demo(console, session)


def finish_demo_before_quitting(console: Console, session: ReplSession) -> None:
    """Leaving while the demo loads: finish it first, so the next start finds all of it (Ctrl-C leaves)."""
    demo = session.demo
    if demo is None or demo.done:
        return
    try:
        wait_for_demo(console, session)
    except KeyboardInterrupt:
        console.print(Text("The demo is only partly loaded: `opsbot sync` loads the rest.", "yellow"))


def run_terminal(session: ReplSession, summary: StoreSummary, console: Console | None = None) -> int:
    """The interactive loop; returns the exit status."""
    console = console or Console(highlight=False)
    output = ConsoleOutput(console)
    demo = session.demo
    console.print(welcome(session, summary) if demo is None or demo.done else loading_welcome(session, demo))
    if not session.can_answer:
        console.print(no_key_banner())
    history = Path(session.settings.data_dir) / HISTORY_FILE
    history.parent.mkdir(parents=True, exist_ok=True)
    prompt = PromptSession(
        history=FileHistory(str(history)),
        completer=SlashCompleter(session),
        complete_while_typing=False,
        auto_suggest=AutoSuggestFromHistory(),
        key_bindings=_key_bindings(),
        prompt_continuation="… ",
    )
    while True:
        announce_demo(console, session)
        loading = demo is not None and not demo.reported
        try:
            line = prompt.prompt(
                [("class:prompt", "› ")],
                rprompt=(lambda: [("class:rprompt", loading_status(session))]) if loading else None,
                refresh_interval=0.25 if loading else 0,
            ).strip()
        except KeyboardInterrupt:
            continue  # clears the line, like a shell
        except EOFError:
            break
        if not line:
            continue
        console.print()
        if line.startswith("/"):
            try:
                if line.split()[0] == "/call":
                    wait_for_demo(console, session)
                if run_command(session, line, output) == QUIT:
                    break
            except KeyboardInterrupt:
                output.error("Cancelled.")
        else:
            ask(console, session, line)
        console.print()
    finish_demo_before_quitting(console, session)
    session.close()
    return 0
