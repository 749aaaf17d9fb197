"""From the model's Markdown to what Slack shows: tables lifted out of the streamed text into Block Kit
``table`` blocks (with a monospace text fallback), and tool calls as short status phrases and task titles."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from bot.slack.blocks import table_block as _table_block

TABLE_BLOCK_ROWS = 100  # Slack's limit, header row included
TABLE_BLOCK_COLUMNS = 20
CELL_CHARS = 2000
_NUMERIC = re.compile(r"^[-+−]?[$€£]?[-+−]?[\d,]+(\.\d+)?\s*(%|x|×)?$")
_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_EMPHASIS = re.compile(r"(\*\*|__|`)")

FIRST_STATUS = "is looking at POS sales…"
LOADING_MESSAGES = [
    "Looking at POS sales…",
    "Checking delivery orders…",
    "Adding up the numbers…",
]


TASK_TITLE_CHARS = 120
_TITLE_FIELDS = (("period", "for"), ("location", "at"), ("locations", "at"), ("group_by", "by"))


def tool_status(name: str, activity: str | None) -> str:
    """The status line while tool ``name`` runs: its own phrase ("is adding up sales…") or its name."""
    return f"is {activity}…" if activity else f"is running {name}…"


def task_title(name: str, activity: str | None, arguments: dict) -> str:
    """A tool call as a step of the plan: "Adding up sales for last week at Harbor" — the tool's own phrase
    (or its name) with the period, the locations and the breakdown it was asked for."""
    title = (activity[:1].upper() + activity[1:]) if activity else f"Running {name}"
    start, end = arguments.get("start_date"), arguments.get("end_date")
    if isinstance(start, str) and start and not arguments.get("period"):
        title += f" for {start}" if end in (None, "", start) else f" for {start} to {end}"
    for key, word in _TITLE_FIELDS:
        value = arguments.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if isinstance(v, str | int))
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            title += f" {word} {' '.join(str(value).split())}"
    return title if len(title) <= TASK_TITLE_CHARS else title[: TASK_TITLE_CHARS - 1] + "…"


def _is_table_line(line: str) -> bool:
    return line.lstrip().startswith("|")


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [_EMPHASIS.sub("", cell.strip()) for cell in inner.split("|")]


def parse_table(lines: list[str]) -> list[list[str]] | None:
    """The rows of a Markdown table (header first, the ``---`` row dropped); None when it is not one."""
    rows = [_cells(line) for line in lines]
    if len(rows) < 2 or not all(_SEPARATOR_CELL.match(cell) for cell in rows[1] if cell):
        return None
    body = [rows[0], *rows[2:]]
    width = max(len(row) for row in body)
    return [row + [""] * (width - len(row)) for row in body]


def table_block(rows: list[list[str]]) -> dict:
    """A Block Kit ``table`` block (the first 100 rows and 20 columns; numbers right-aligned)."""
    shown = [[cell[:CELL_CHARS] for cell in row[:TABLE_BLOCK_COLUMNS]] for row in rows[:TABLE_BLOCK_ROWS]]
    columns = len(shown[0])
    numeric = [
        all(_NUMERIC.match(row[c]) or not row[c] for row in shown[1:]) and any(row[c] for row in shown[1:])
        for c in range(columns)
    ]
    return _table_block(shown, numeric)


def fits_a_block(rows: list[list[str]]) -> bool:
    return len(rows) <= TABLE_BLOCK_ROWS and len(rows[0]) <= TABLE_BLOCK_COLUMNS


def table_csv(rows: list[list[str]]) -> str:
    """The whole table as CSV, for an attachment when it is too big for a block."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def table_text(rows: list[list[str]]) -> str:
    """The table as aligned monospace text, for a fallback or a table too big for a block."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "```\n" + "\n".join(lines) + "\n```"


@dataclass
class TableSieve:
    """Takes streamed Markdown and passes on everything but tables, which it collects. Where a table was
    and more text follows, it leaves ``(table below)``; the tables become blocks under the message."""

    tables: list[list[list[str]]] = field(default_factory=list)
    _line: str = ""  # the start of a line not yet known to be text
    _text_line: bool = False  # the current line is text: pass it on as it comes
    _table: list[str] = field(default_factory=list)  # the lines of the table being received

    def feed(self, text: str) -> str:
        """The part of ``text`` that can be shown now."""
        out: list[str] = []
        for char in text:
            if self._text_line:
                out.append(char)
                self._text_line = char != "\n"
                continue
            self._line += char
            if char == "\n":
                out.append(self._end_line())
            elif not self._table and self._line.strip() and not _is_table_line(self._line):
                out.append(self._line)
                self._line, self._text_line = "", True
        return "".join(out)

    def _end_line(self) -> str:
        line, self._line = self._line, ""
        if _is_table_line(line):
            self._table.append(line.rstrip("\n"))
            return ""
        if not self._table:
            return line
        if not line.strip():
            return ""  # a blank line after a table: wait for what comes next
        return self._close_table(more_text=True) + line

    def _close_table(self, more_text: bool) -> str:
        lines, self._table = self._table, []
        rows = parse_table(lines)
        if rows is None:  # not a table after all: show it as it was
            return "\n".join(lines) + "\n"
        self.tables.append(rows)
        return "_(table below)_\n\n" if more_text else ""

    def finish(self) -> str:
        """What is left at the end of the answer."""
        tail = ""
        if self._line:
            if _is_table_line(self._line):
                self._table.append(self._line)
            else:
                tail = self._line
            self._line = ""
        shown = self._close_table(more_text=bool(tail.strip())) if self._table else ""
        return shown + tail

    def blocks_and_fallback(self) -> tuple[list[dict], str]:
        """The first table as a block; later tables (Slack shows one per message) as monospace text; a note
        for each table cut to fit (those also go out whole as CSV files: ``oversized``)."""
        if not self.tables:
            return [], ""
        first, *rest = self.tables
        parts = [table_text(rows[:TABLE_BLOCK_ROWS]) for rows in rest]
        cut = sum(1 for rows in self.tables if not fits_a_block(rows))
        if cut:
            parts.append(
                f"_({'A table was' if cut == 1 else f'{cut} tables were'} too long to show whole: the first "
                f"{TABLE_BLOCK_ROWS - 1} rows are shown, and the whole table is attached as CSV.)_"
            )
        return [table_block(first)], "\n\n".join(parts)

    def oversized(self) -> list[list[list[str]]]:
        """The tables that did not fit in a block (or in 100 lines of text)."""
        return [rows for rows in self.tables if not fits_a_block(rows)]
