"""The local fake Messages API answering the evaluation bank the way the rehearsal model does, so
``opsbot eval`` runs through the real ``anthropic`` SDK without a key — what CI does in
``tests/test_evaluation.py``, and what a developer can try by hand:

    python -m tests.fakes.rehearsal_api --wrong claude-sonnet-5-5     # prints the two variables to set
    ANTHROPIC_BASE_URL=… ANTHROPIC_API_KEY=… ./opsbot eval --model claude-haiku-5-5 --model claude-sonnet-5-5

Every model answers right except those named with ``--wrong``, which misstate one figure per answer.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Callable, Iterable

from bot.agent.scripted_model import ScriptStep
from bot.evaluation.bank import Bank, load_bank
from bot.evaluation.rehearsal import Rehearsal
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic


def rehearsal_responder(bank: Bank, wrong: Iterable[str] = ()) -> Callable[[dict], ScriptStep]:
    """A ``FakeAnthropic`` responder: the rehearsal's reply to each request (misstating for ``wrong``)."""
    right, misstating = Rehearsal(bank), Rehearsal(bank, wrong=True)
    wrong = frozenset(wrong)

    def respond(body: dict) -> ScriptStep:
        rehearsal = misstating if body["model"] in wrong else right
        return rehearsal.reply(body["system"], body["messages"])

    return respond


def main(argv: list[str] | None = None) -> int:
    """Serve the rehearsal on 127.0.0.1 until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.rehearsal_api", description=__doc__)
    parser.add_argument("--bank", metavar="FILE", help="the bank to answer (default: opsbot's)")
    parser.add_argument("--wrong", action="append", default=[], metavar="MODEL", help="a model to misstate")
    args = parser.parse_args(argv)
    with FakeAnthropic(rehearsal_responder(load_bank(args.bank), args.wrong)) as api:
        print(f"export ANTHROPIC_BASE_URL={api.url} ANTHROPIC_API_KEY={VALID_KEY}", flush=True)
        print("The fake Messages API is answering the bank; Ctrl-C stops it.", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
