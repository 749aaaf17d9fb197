"""Bad votes as evaluation cases: each voted answer's conversation, up to and including the voted question,
with the tool calls each question made, in the bank's format (``bot/evaluation/bank.py``), for
``opsbot eval --bank FILE`` to check after a fix.

The right answer is not known, so a case expects the voted turn's headline tool values (the first row of
``rows``, else ``totals``, else the first entry of another list, at most three per call); every case's
``note`` says they need a human check and carries the person's comment and the answer they voted bad."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.agent.conversation_store import ConversationReader
from bot.agent.provenance import money_amount
from bot.evaluation.bank import BankError, parse_bank
from bot.feedback.store import FeedbackRow
from tools.result_tables import expand_tables

FAMILY = "feedback"
FACTS_PER_CALL = 3
NOTE_ANSWER_CHARS = 1000
# Result parts that describe the question rather than answer it.
_META = frozenset({"period", "compared_with", "definitions", "day_parts", "timezone", "counted", "currency"})
_FIRST = ("net_sales", "orders")  # a container's headline fields, when present
_NOT_FIGURES = frozenset({"rank", "number", "days"})  # numbers that name or place a row, not measure it
_KEY = re.compile(r"^[^.\[\]=]+$")  # a key a fact's path can name

HEADER = """\
# Evaluation cases exported from answers voted bad (opsbot feedback export, {when}).
# The expected facts were picked automatically — the voted question's headline tool values — since the right
# answer is not known: check each case (see its note) before relying on it, then run
#   opsbot eval --bank {path}
"""


class _BankDumper(yaml.SafeDumper):
    """YAML as the bank is written by hand: text of several lines (notes) as literal blocks."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BankDumper.add_representer(str, _text)


class ExportError(ValueError):
    """The file cannot be written where asked (one line)."""


@dataclass
class Export:
    """The bank to write (``bank``: its YAML data), and a line per bad vote left out and why."""

    bank: dict[str, Any]
    skipped: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return len(self.bank["cases"])


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and money_amount(value) is not None)


def _fields(container: dict, prefix: str, *, with_name: bool) -> list[str]:
    """Up to ``FACTS_PER_CALL`` paths into ``container``: its name (a list entry's first text that is not
    money, when ``with_name``), then its money and count fields, ``net_sales`` and ``orders`` first."""
    keys = [key for key in container if isinstance(key, str) and _KEY.match(key)]
    chosen: list[str] = []
    if with_name:
        names = [k for k in keys if isinstance(container[k], str) and not _is_number(container[k])]
        chosen += names[:1]
    numbers = [k for k in keys if _is_number(container[k]) and k not in _NOT_FIGURES]
    chosen += [k for k in _FIRST if k in numbers] + [k for k in numbers if k not in _FIRST]
    return [f"{prefix}.{key}" for key in chosen[:FACTS_PER_CALL]]


def headline_paths(result: Any) -> list[str]:
    """The paths of a tool result's headline values (at most ``FACTS_PER_CALL``): the first row of
    ``rows``, else ``totals``, else the first entry of another list, else another part's figures, else its
    own top-level figures; none for an error result."""
    if not isinstance(result, dict) or "error" in result:
        return []
    parts = {k: v for k, v in result.items() if isinstance(k, str) and _KEY.match(k) and k not in _META}
    rows = parts.get("rows")
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        found = _fields(rows[0], "rows.0", with_name=True)
        if found:
            return found
    if isinstance(parts.get("totals"), dict):
        found = _fields(parts["totals"], "totals", with_name=False)
        if found:
            return found
    for key, value in parts.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            found = _fields(value[0], f"{key}.0", with_name=True)
            if found:
                return found
    for key, value in parts.items():
        if isinstance(value, dict):
            found = _fields(value, key, with_name=False)
            if found:
                return found
    return [key for key in parts if _is_number(parts[key]) and key not in _NOT_FIGURES][:FACTS_PER_CALL]


@dataclass(frozen=True)
class _Turn:
    """One question of the conversation as a bank turn (None ``spec``: it cannot be one, ``why``)."""

    spec: dict[str, Any] | None
    why: str = ""


def _bank_turn(question: str, calls: list) -> _Turn:
    """A bank turn for ``question`` from the tool calls it made, as named calls c1, c2…"""
    finished = [c for c in calls if c.status in ("ok", "error")]
    if not finished:
        return _Turn(None, "it made no tool call")
    specs: dict[str, dict] = {}
    refused: list[str] = []
    expect: list[str] = []
    for number, call in enumerate(finished, start=1):
        name = f"c{number}"
        arguments = json.loads(call.arguments or "{}")
        specs[name] = {"tool": call.name, "args": arguments} if arguments else {"tool": call.name}
        if call.status == "error":
            refused.append(name)
            continue
        try:
            result = expand_tables(json.loads(call.result or "null"))  # either stored shape
        except ValueError:
            continue
        expect += [f"{name}.{path}" for path in headline_paths(result)]
    if not expect:
        return _Turn(None, "its tool results hold no figure to check an answer against")
    turn: dict[str, Any] = {"ask": question, "calls": specs, "expect": expect}
    if refused:
        turn["refused"] = refused
    return _Turn(turn)


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())


def _note(votes: list[FeedbackRow], dropped: list[str]) -> str:
    first = votes[0]
    who = ", ".join(f"{v.user_id} ({v.platform}, {v.updated_at:%Y-%m-%d %H:%M} UTC)" for v in votes)
    comments = [f"{v.user_id}: {_flat(v.comment)}" for v in votes if v.comment]
    answer = _flat(first.answer) or "(no answer)"
    if len(answer) > NOTE_ANSWER_CHARS:
        answer = answer[:NOTE_ANSWER_CHARS] + "…"
    parts = [
        f"Voted bad by {who}; trace: opsbot trace {first.conversation_id}.",
        "NEEDS A HUMAN CHECK: the expected facts are the voted question's headline tool values, picked "
        "automatically — keep the ones a correct answer must state, fix or remove the others.",
        f"What was wrong: {' | '.join(comments) if comments else '(no comment)'}",
        f"The answer voted bad: {answer}",
    ]
    parts += [f"Left out of the follow-up context: {line}." for line in dropped]
    return "\n".join(parts)


def export_bad_votes(rows: list[FeedbackRow], reader: ConversationReader) -> Export:
    """One case per answer voted bad among ``rows`` (several people's bad votes on one answer make one
    case), newest first; a vote whose answer cannot be a case is named in ``skipped``."""
    by_turn: dict[int, list[FeedbackRow]] = {}
    for row in rows:
        if row.vote == "bad":
            by_turn.setdefault(row.turn_id, []).append(row)
    cases: list[dict] = []
    skipped: list[str] = []
    for turn_id, votes in by_turn.items():
        conversation_id = votes[0].conversation_id
        calls_by_turn: dict[int, list] = defaultdict(list)
        for call in reader.tool_calls(conversation_id):
            calls_by_turn[call.turn_id].append(call)
        earlier = [t for t in reader.turns(conversation_id) if t.id <= turn_id]
        voted = _bank_turn(earlier[-1].question, calls_by_turn[turn_id]) if earlier else _Turn(None, "gone")
        if voted.spec is None:
            skipped.append(f"the bad vote on turn {turn_id} ({conversation_id}): {voted.why}")
            continue
        turns: list[dict] = []
        dropped: list[str] = []
        for number, stored in enumerate(earlier[:-1], start=1):
            context = _bank_turn(stored.question, calls_by_turn[stored.id])
            if context.spec is None:
                dropped.append(f"question {number} ({_flat(stored.question)[:80]!r}): {context.why}")
            else:
                turns.append(context.spec)
        case = {
            "id": f"feedback-{turn_id}",
            "family": FAMILY,
            "note": _note(votes, dropped),
            "turns": [*turns, voted.spec],
        }
        try:
            parse_bank({"version": 1, "cases": [case]}, "export")
        except BankError as exc:
            skipped.append(f"the bad vote on turn {turn_id} ({conversation_id}): {exc}")
            continue
        cases.append(case)
    return Export({"version": 1, "cases": cases}, skipped)


def check_target(path: Path) -> None:
    """``ExportError`` when ``path`` cannot be written: its directory does not exist, or it is one."""
    if not path.parent.is_dir():
        raise ExportError(f"no directory {str(path.parent)!r} to write {path.name!r} in")
    if path.is_dir():
        raise ExportError(f"{str(path)!r} is a directory")


def write_bank(path: Path, export: Export, *, now: datetime) -> None:
    """Write ``export`` to ``path`` as YAML, replacing any file there atomically (``check_target``'s
    ``ExportError`` first)."""
    check_target(path)
    directory = path.parent
    shown = " ".join(str(path).splitlines())  # the header is YAML comments: one line each
    body = yaml.dump(export.bank, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=110)
    if yaml.safe_load(body) != export.bank:  # a block the literal style cannot carry exactly
        body = yaml.safe_dump(export.bank, sort_keys=False, allow_unicode=True, width=110)
    text = HEADER.format(when=f"{now:%Y-%m-%d %H:%M} UTC", path=shown) + body
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the bank is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
