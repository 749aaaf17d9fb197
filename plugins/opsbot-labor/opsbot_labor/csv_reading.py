"""Read a CSV export into its rows, every cell a string, with the columns found under their known names.

Header names match ignoring case, spaces and punctuation ("Clock-In", "clock in" and "CLOCKIN" are the
same); a column's first alias present in the file wins. Rows are numbered as a spreadsheet shows them
(header = line 1); rows with every cell blank are skipped. Checking the values is the importers' job.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opsbot_labor.csv_problems import CsvFileError, CsvImportError, problem


@dataclass(frozen=True)
class Column:
    """A field an importer reads: its name in problems ("clock in") and the header names it goes by."""

    field: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One data row: its spreadsheet line number and its cells by field (stripped; "" when blank)."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A file's header (as written) and rows; ``found`` maps a field to the header name it was read from."""

    header: list[str]
    found: dict[str, str]
    rows: list[Row]


def header_key(name: str) -> str:
    """A header name as compared: lower case, letters and digits only."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a spreadsheet's "CSV UTF-8" starts with a BOM
    except FileNotFoundError:
        raise CsvFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsvFileError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            f"{path}: not UTF-8 text (byte {exc.start + 1}) — save it as CSV UTF-8 and import it again"
        ) from None
    except OSError as exc:
        raise CsvFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None


_TOKENIZING = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _frame(text: str, what: str) -> pd.DataFrame:
    if not text.strip():
        raise CsvImportError([problem(1, "header", f"the file is empty — expected a header row and {what}")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
            )
    except pd.errors.ParserWarning:  # the first row is longer than the header
        raise CsvImportError([problem(2, "row", "has more cells than the header has columns")]) from None
    except pd.errors.EmptyDataError:
        empty = problem(1, "header", f"the file is empty — expected a header row and {what}")
        raise CsvImportError([empty]) from None
    except (pd.errors.ParserError, ValueError) as exc:
        match = _TOKENIZING.search(str(exc))
        if match:
            expected, line, saw = match.groups()
            what_is_wrong = f"has {saw} cells but the header has {expected} columns"
            raise CsvImportError([problem(int(line), "row", what_is_wrong)]) from None
        raise CsvImportError(
            [problem(1, "file", f"not readable as CSV ({' '.join(str(exc).split())})")]
        ) from None


def read_table(path: str | Path, columns: Sequence[Column], *, what: str) -> Table:
    """The file's rows with the cells of ``columns`` (those its header has). ``what`` names the rows in
    problems ("shifts"). Raises CsvFileError for a file that cannot be read as text and CsvImportError for
    an empty file, a header with no rows, or a row with more cells than the header."""
    frame = _frame(_text(Path(path)), what)
    header = [str(name) for name in frame.columns]
    by_key: dict[str, str] = {}
    for name in header:
        by_key.setdefault(header_key(name), name)
    found: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            if header_key(alias) in by_key:
                found[column.field] = by_key[header_key(alias)]
                break
    records = frame.fillna("").to_dict("records")
    rows = []
    for index, record in enumerate(records):
        if all(not str(value).strip() for value in record.values()):
            continue
        cells = {field: str(record[name]).strip() for field, name in found.items()}
        rows.append(Row(line=index + 2, cells=cells))
    if not rows:
        raise CsvImportError([problem(2, "rows", f"the file has a header but no {what}")])
    return Table(header=header, found=found, rows=rows)


def missing_column(field: str, names: Sequence[str]) -> str:
    """The problem for a required column the header lacks, with the names it may go by."""
    listed = ", ".join(f'"{name}"' for name in names)
    return problem(1, "header", f"no {field} column (call it one of {listed})")
