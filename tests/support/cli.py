"""Run the real ``opsbot`` command in a subprocess, isolated from the developer's own configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ISOLATED_PREFIXES = ("OPSBOT_", "DATABASE_URL", "ANTHROPIC_", "SQUARE_", "DELIVERECT_")


def opsbot_env(env: dict | None = None) -> dict:
    """The test process's environment without opsbot or data-source settings, plus ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ISOLATED_PREFIXES)}
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env or {})
    return environment


def opsbot(*args, cwd, env=None, timeout=120, input: str | None = None) -> subprocess.CompletedProcess:
    """``opsbot ARGS`` in ``cwd``; ``input`` is its stdin (default: none, as in CI)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=opsbot_env(env),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
