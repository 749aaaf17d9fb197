"""TEMPORARY stub until the names helper merges."""

from __future__ import annotations

import difflib

from tools.registry import ToolError


def unknown_name_error(kind: str, wanted: str, known: list[str]) -> ToolError:
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    hint = f" — did you mean {' or '.join(close)}?" if close else ""
    return ToolError(f"unknown {kind} {wanted!r}{hint}")
