"""What a CSV import reports when its file is wrong: every problem found, each naming its line and field.

A problem reads "line 4: clock out: 2026-11-23 08:00 is not after clock in 2026-11-23 09:02". Lines are
numbered as a spreadsheet shows the rows: the header is line 1, the first data row line 2.
"""

from __future__ import annotations

from collections.abc import Iterable

SHOWN = 10  # problems the exception's own text repeats (``.problems`` holds them all)


def problem(line: int, field: str, what: str) -> str:
    """ "line N: field: what is wrong"."""
    return f"line {line}: {field}: {what}"


class CsvImportError(ValueError):
    """A CSV file that cannot be imported; ``problems`` holds every "line N: field: what is wrong" found.
    Its text is how many there are and the first ``SHOWN`` of them, one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'' if count == 1 else 's'}:"
        lines = [head, *self.problems[:SHOWN]]
        if count > SHOWN:
            lines.append(f"… and {count - SHOWN} more")
        return "\n".join(lines)


class CsvFileError(CsvImportError):
    """A file that cannot be read as CSV text at all (missing, a folder, not UTF-8): one problem, and its
    text is that one line."""

    def __init__(self, message: str) -> None:
        super().__init__([message])

    def __str__(self) -> str:
        return self.problems[0]
