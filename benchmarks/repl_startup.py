"""Benchmark: how long ``opsbot repl`` takes from launch to its prompt, on a store that is already loaded
(the "later runs" case), and from launch to the first answer through the local fake Messages API.

    python benchmarks/repl_startup.py [--runs 10]

It loads the demo business once into a temporary SQLite store, then starts the real REPL in a
pseudo-terminal ``--runs`` times without an API key and with one (the agent is then built on a background
thread while the prompt is up), and prints p50 and max seconds to the prompt, and to a first answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
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


def report(label: str, values: list[float]) -> None:
    print(f"  {label:<50} p50 {statistics.median(values):.2f} s   max {max(values):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    folder, database = load_demo_store("opsbot-repl-bench-")
    base = {"DATABASE_URL": database, "OPSBOT_DATA_DIR": str(folder)}
    print(f"opsbot repl, {args.runs} runs each (python {sys.version.split()[0]}, {os.cpu_count()} CPUs):")
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
