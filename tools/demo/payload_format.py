"""Helpers that write values the way Square and Deliverect format them, and deterministic ids."""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime
from pathlib import Path

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def money(amount: int) -> dict:
    return {"amount": amount, "currency": "USD"}


def square_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def deliverect_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def tax_on(amount: int, ppm: int) -> int:
    return (amount * ppm + 500_000) // 1_000_000


def percent_of(amount: int, percent: int) -> int:
    return (amount * percent + 50) // 100


class Ids:
    """Deterministic ids in the sources' own formats."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def square(self, length: int = 27) -> str:
        value = self.rng.getrandbits(6 * length)
        chars = []
        for _ in range(length):
            value, digit = divmod(value, 62)
            chars.append(BASE62[digit])
        return "".join(chars)

    def location(self) -> str:
        return "L" + self.square(12).upper()

    def object_id(self, moment: datetime | None = None) -> str:
        seconds = int((moment or datetime(2024, 1, 1, tzinfo=UTC)).timestamp())
        return f"{seconds:08x}{self.rng.getrandbits(64):016x}"

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def marked_up(price: int, percent: int) -> int:
    if not percent:
        return price
    return (price * (100 + percent) + 250) // 500 * 5  # to the nearest 5 cents


def line_gross(line: dict) -> int:
    return line["quantity"] * (line["price"] + sum(m["price"] for m in line["modifiers"]))


def apportion(lines: list[dict], discount) -> list[int]:
    """Split an order discount over lines: percentages per line, fixed amounts pro rata (remainder last)."""
    if not discount:
        return [0] * len(lines)
    _name, _kind, percent, amount = discount
    grosses = [line_gross(line) for line in lines]
    if percent is not None:
        return [percent_of(g, percent) for g in grosses]
    total = sum(grosses)
    amount = min(amount, total)
    shares = [amount * g // total for g in grosses]
    shares[-1] += amount - sum(shares)
    return shares


def ppm_percent(ppm: int) -> str:
    return f"{ppm / 10_000:.4f}".rstrip("0").rstrip(".")


def write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


class gzip_lines:
    """A deterministic gzip writer (no timestamp or file name in the header)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self._raw = open(self.path, "wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=9)
        return self._gz

    def __exit__(self, *exc) -> None:
        self._gz.close()
        self._raw.close()
