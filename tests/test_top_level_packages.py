"""Another installed distribution with a top-level ``tools`` package: opsbot refuses to start, in one line
naming it."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from tools.top_level_packages import check_top_level_packages, clashes

OTHER = "other-tools"


def _install_other_tools(site: Path, *, declare_top_level: bool) -> None:
    """Install a throwaway distribution ``other-tools`` with a top-level ``tools`` package into ``site``, as
    pip lays out a wheel: the package, and a dist-info with METADATA, INSTALLER, RECORD (hash and size of
    every file) and, for setuptools-built wheels, top_level.txt (other backends leave it out)."""
    files = {
        "tools/__init__.py": '"""Somebody else\'s tools."""\n',
        "other_tools-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {OTHER}\nVersion: 1.0\n",
        "other_tools-1.0.dist-info/INSTALLER": "pip\n",
    }
    if declare_top_level:
        files["other_tools-1.0.dist-info/top_level.txt"] = "tools\n"
    record = []
    for relative, text in files.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{relative},sha256={digest},{len(text.encode())}")
    record.append("other_tools-1.0.dist-info/RECORD,,")
    (site / "other_tools-1.0.dist-info/RECORD").write_text("\n".join(record) + "\n")


def _run_with(site: Path, cwd: Path, code: str, *, site_first: bool) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter with ``site`` on its path before (or after) opsbot's own; the first
    line it prints is who ``packages_distributions()`` says provides ``tools``."""
    script = (
        "import sys, json, importlib.metadata\n"
        f"sys.path.{'insert(0, ' if site_first else 'append('}{str(site)!r})\n"
        "print(json.dumps(sorted(set(importlib.metadata.packages_distributions()['tools']))))\n" + code
    )
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60)


MESSAGE = (
    f"the installed distribution {OTHER!r} also provides a top-level 'tools' package, which shadows opsbot's "
    f"or is shadowed by it — uninstall {OTHER!r} or install opsbot in a virtual environment of its own "
    "(./opsbot makes one)"
)


def test_this_environment_has_no_clash():
    assert clashes() == ()
    check_top_level_packages()


def test_opsbot_refuses_to_start_beside_another_tools_in_one_line(tmp_path):
    # Found first, the other `tools` package is the one imported; opsbot's modules still load under it
    # because ./run-tests installs opsbot editable (its import finder maps tools.* to this checkout), so the
    # check runs and names the clash. README, "Package names", says where that stops being true.
    site = tmp_path / "site"
    _install_other_tools(site, declare_top_level=True)
    run = _run_with(site, tmp_path, "from bot.cli import main\nsys.exit(main(['tools']))\n", site_first=True)
    assert json.loads(run.stdout.splitlines()[0]) == ["opsbot", OTHER]
    assert (run.returncode, run.stderr.splitlines()) == (1, [f"opsbot: {MESSAGE}"])


def test_a_distribution_without_top_level_txt_is_read_from_its_record(tmp_path):
    site = tmp_path / "site"
    _install_other_tools(site, declare_top_level=False)
    code = (
        "from tools.top_level_packages import TopLevelNameClash, check_top_level_packages\n"
        "try:\n    check_top_level_packages()\nexcept TopLevelNameClash as exc:\n    print(exc)\n"
    )
    run = _run_with(site, tmp_path, code, site_first=False)
    assert run.stdout.splitlines() == [json.dumps(["opsbot", OTHER]), MESSAGE]
