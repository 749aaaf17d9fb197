"""The REPL when stdin is not a terminal: one question (or /command) per line, plain text out, for scripts.
Answers go to stdout as they stream (``PlainStream``, as ``opsbot ask`` writes them); errors, and tool calls
when stderr is a terminal, go to stderr."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

from bot.agent.model import ModelError
from bot.repl.commands import QUIT, run_command
from bot.repl.session import ReplSession, usage_line
from bot.services.internal_error import internal_error_line
from bot.services.plain_answer import PlainStream

log = logging.getLogger(__name__)


class _SeparatedOutput:
    """stdout with one blank line between the outputs of consecutive input lines."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._wrote = False
        self._separate = False

    def write(self, text: str) -> None:
        if self._separate and text:
            self.stream.write("\n")
            self._separate = False
        self._wrote = self._wrote or bool(text)
        self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def next_line(self) -> None:
        """The next input line's output starts after a blank line (if this one wrote anything)."""
        self._separate, self._wrote = self._separate or self._wrote, False


class PlainOutput:
    """Slash-command output as plain lines: results on stdout, errors on stderr."""

    def __init__(self, stdout: TextIO | _SeparatedOutput, stderr: TextIO) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.failed = False

    def info(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def error(self, text: str) -> None:
        self.failed = True
        print(f"error: {text}", file=self.stderr, flush=True)

    def block(self, text: str, language: str | None = None) -> None:
        print(text, file=self.stdout, flush=True)

    def note(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)


def run_piped(session: ReplSession, lines: Iterable[str], stdout: TextIO, stderr: TextIO) -> int:
    """Answer each line in one conversation (follow-ups work); 0 when every line succeeded, else 1."""
    out = _SeparatedOutput(stdout)
    output = PlainOutput(out, stderr)
    failed = False
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        out.next_line()
        if line.startswith("/"):
            if run_command(session, line, output) == QUIT:
                break
            continue
        stream = PlainStream(out, stderr)
        try:
            answer = session.ask(line, stream)
        except ModelError as error:
            print(f"opsbot: {error.user_message}", file=stderr, flush=True)
            failed = True
            continue
        except Exception as exc:  # a bug or a broken store: say so and go on with the next line
            log.exception("answering %r failed", line)
            print(f"opsbot: {internal_error_line(exc)}", file=stderr, flush=True)
            failed = True
            continue
        stream.finish(answer)
        failed = failed or not answer.ok
        if session.show_usage:
            print(usage_line(answer), file=stderr, flush=True)
    if session.conversation_id and session.conversation_exists(session.conversation_id):
        print(f"conversation: {session.conversation_id}", file=stderr, flush=True)
    session.close()
    return 1 if failed or output.failed else 0
