"""The code stays ruff-clean (the same check the README asks contributors to run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ruff_reports_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed — install the dev extra: pip install -e '.[dev]'"
    result = subprocess.run(
        [ruff, "check", "--output-format", "concise", str(REPO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
