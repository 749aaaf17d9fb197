"""What the user sees of an unexpected internal error (a bug, a broken store): one masked line, while the
traceback goes to the log."""

from __future__ import annotations

from tools.secret_masking import mask_secrets


def internal_error_line(exc: BaseException) -> str:
    """``something went wrong: <first line of the error> (the details are in the log)``, credentials
    masked; SQL and driver errors span lines, only the first is shown."""
    lines = mask_secrets(str(exc)).strip().splitlines()
    what = lines[0] if lines else type(exc).__name__
    return f"something went wrong: {what} (the details are in the log)"
