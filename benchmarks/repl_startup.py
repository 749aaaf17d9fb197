"""Benchmark: how long ``opsbot repl`` takes from launch to its prompt — on a fresh folder with no store
(the first run: the demo loads behind the prompt) and on a store that is already loaded (later runs) — and
from launch to the first answer through the local fake Messages API.

    python benchmarks/repl_startup.py [--runs 10] [--first-runs 3]

First runs: ``--first-runs`` times in a new empty folder (the installed venv, no store), the seconds from
launch to the prompt, to the demo loaded (the prompt's "loading the demo… N%" gives way to "demo loaded")
and, with a key, to the answer of a question typed at once (it waits for the demo). Later runs: the demo
loaded once into a temporary SQLite store, then the real REPL started in a pseudo-terminal ``--runs`` times
without an API key and with one (the agent is then built on a background thread while the prompt is up).
Each line prints p50 and max seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.demo_store import load_demo_store  # noqa: E402
from bot.agent.scripted_model import say  # noqa: E402
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic  # noqa: E402
from tests.support.terminal import Terminal  # noqa: E402


def seconds_to_prompt(folder: Path, env: dict, question: str | None = None) -> tuple[float, float | None]:
    """Launch → prompt, and launch → the answer to ``question`` (None without one)."""
    started = time.perf_counter()
    with Terminal(["repl"], cwd=folder, env=env) as term:
        term.wait_for_prompt(1)
        prompt = time.perf_counter() - started
        answered = None
        if question:
            term.send_line(question)
            term.wait_for_prompt(2)
            answered = time.perf_counter() - started
        term.send("\x04")
        term.wait_exit()
    return prompt, answered


def first_run(env: dict, question: str | None = None) -> tuple[float, float, float | None]:
    """In a new empty folder: launch → prompt, launch → demo loaded, launch → the answer to ``question``."""
    folder = Path(tempfile.mkdtemp(prefix="opsbot-first-run-"))
    try:
        started = time.perf_counter()
        with Terminal(["repl"], cwd=folder, env=env) as term:
            term.wait_for_prompt(1, timeout=120)
            prompt = time.perf_counter() - started
            answered = None
            if question:
                term.send_line(question)
                term.wait_for_prompt(2, timeout=300)
                answered = time.perf_counter() - started
                loaded = answered  # the answer waited for the load; the load's own end is not on screen
            else:
                term.wait_for(r"demo loaded\s*$", timeout=300)
                loaded = time.perf_counter() - started
            term.send("\x04")
            term.wait_exit(timeout=60)
        return prompt, loaded, answered
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare_demo(cache: Path) -> float:
    """``opsbot demo prepare`` into ``cache`` (what the install does); its seconds."""
    started = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "opsbot"), "demo", "prepare", "--cache", str(cache)],
        check=True,
        capture_output=True,
        cwd=tempfile.gettempdir(),
    )
    return time.perf_counter() - started


def report(label: str, values: list[float]) -> None:
    print(f"  {label:<50} p50 {statistics.median(values):.2f} s   max {max(values):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--first-runs", type=int, default=3)
    args = parser.parse_args()
    if args.first_runs:
        cache = Path(tempfile.mkdtemp(prefix="opsbot-demo-cache-"))
        try:
            prepare = prepare_demo(cache)
            print(
                f"the install's step: `opsbot demo prepare` built the demo in {prepare:.1f} s "
                "(./opsbot's first run does it after installing)"
            )
            print(
                f"first run, fresh folder, {args.first_runs} runs each (target: the demo loaded within 10 s):"
            )
            for label, env in (
                ("with the built demo", {"OPSBOT_DEMO_CACHE": str(cache)}),
                ("without it, loaded from the fixtures", {"OPSBOT_DEMO_CACHE": "off"}),
            ):
                runs = [first_run(env) for _ in range(args.first_runs)]
                print(f" {label}:")
                report("launch → prompt", [prompt for prompt, _, _ in runs])
                report("launch → demo loaded", [loaded for _, loaded, _ in runs])
                with FakeAnthropic(lambda _body: say("Net sales were $1,234.56.")) as api:
                    keyed = {**env, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
                    runs = [first_run(keyed, "How were sales yesterday?") for _ in range(args.first_runs)]
                report("launch → first answer typed at once", [a for _, _, a in runs if a])
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    if not args.runs:
        return
    folder, database = load_demo_store("opsbot-repl-bench-")
    base = {"DATABASE_URL": database, "OPSBOT_DATA_DIR": str(folder)}
    print(f"later runs, {args.runs} runs each (python {sys.version.split()[0]}, {os.cpu_count()} CPUs):")
    without_key = [seconds_to_prompt(folder, base)[0] for _ in range(args.runs)]
    report("launch → prompt, no API key", without_key)
    with FakeAnthropic(lambda _body: say("Net sales were $1,234.56.")) as api:
        env = {**base, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        runs = [seconds_to_prompt(folder, env, "How were sales yesterday?") for _ in range(args.runs)]
    report("launch → prompt, with a key (agent loads behind)", [prompt for prompt, _ in runs])
    report("launch → first answer typed at once (fake API)", [answer for _, answer in runs if answer])


if __name__ == "__main__":
    try:
        main()
    except pexpect.ExceptionPexpect as exc:
        sys.exit(f"benchmark failed: {exc}")
