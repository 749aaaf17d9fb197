"""An answer as plain text, for ``opsbot ask`` and the REPL's piped mode: the text streams to stdout as the
model writes it, tool calls go to stderr when that is a terminal, and ``finish`` ends it the same way in
both (the loop's own text when nothing was streamed, or the error sentence on stderr)."""

from __future__ import annotations

from typing import Protocol, TextIO

from bot.agent.events import Answer, Event, TextDelta, ToolFinished, format_arguments


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...

    def flush(self) -> None: ...


class PlainStream:
    """An ``EventSink`` writing one answer; ``stream_text=False`` keeps stdout free (``ask --json``)."""

    def __init__(self, stdout: Writer, stderr: TextIO, *, stream_text: bool = True) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.stream_text = stream_text
        self.wrote_text = False
        self.show_tools = stderr.isatty()

    def __call__(self, event: Event) -> None:
        if isinstance(event, TextDelta) and self.stream_text:
            self.stdout.write(event.text)
            self.stdout.flush()
            self.wrote_text = True
        elif isinstance(event, ToolFinished) and self.show_tools:
            arguments = format_arguments(event.arguments)
            mark = "" if event.ok else f" · error: {event.error}"
            print(
                f"  · {event.name}({arguments}) · {event.seconds:.2f} s{mark}", file=self.stderr, flush=True
            )

    def finish(self, answer: Answer) -> None:
        """What the stream did not show: the step cap's note or an unstreamed answer on stdout, a failure's
        sentence on stderr; always a final newline after streamed text. An answer with figures the tool
        results do not explain gets the mark on stderr, and every answer its sources line (stdout keeps the
        answer alone, for scripts)."""
        if answer.ok or answer.status == "step_cap":
            if not self.wrote_text or answer.status == "step_cap":
                self.stdout.write(("\n\n" if self.wrote_text else "") + answer.text)
            self.stdout.write("\n")
            self.stdout.flush()
            if answer.untraced:
                print(answer.untraced, file=self.stderr, flush=True)
            if answer.sources is not None:
                print(answer.sources.line(), file=self.stderr, flush=True)
        else:
            if self.wrote_text:
                self.stdout.write("\n")
            print(f"opsbot: {answer.text}", file=self.stderr, flush=True)
        self.stdout.flush()
