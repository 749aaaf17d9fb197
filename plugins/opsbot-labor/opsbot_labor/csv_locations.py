"""Which store location a CSV cell names: a location's name (any case) or its number ("2")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

from tools.plugin_api import unknown_name_error

T = TypeVar("T")


def plain(text: str) -> str:
    """A name as compared: single spaces, case folded."""
    return " ".join(text.split()).casefold()


class LocationNames(Generic[T]):
    """The locations a file may name: ``locations`` maps each location's name and its number (as text) to
    what the importer keeps for it (its store id and currency, say)."""

    def __init__(self, locations: Mapping[str, T]) -> None:
        self._by_name = {plain(key): value for key, value in locations.items()}
        self.names = [" ".join(key.split()) for key in locations if not key.strip().isdigit()]
        self.numbers = sorted(int(key) for key in locations if key.strip().isdigit())
        self.distinct = list(dict.fromkeys(self._by_name.values()))  # a location under its name and number

    def find(self, cell: str) -> T:
        """The location ``cell`` names; ValueError naming the known ones when it names none."""
        value = self._by_name.get(plain(cell))
        if value is None:
            raise ValueError(self.unknown(cell))
        return value

    def unknown(self, cell: str) -> str:
        """ "unknown location 'Midtwn' — did you mean Midtown? known: Downtown, Midtown (or their numbers
        1–2)"."""
        numbers = ""
        if self.numbers:
            numbers = f" (or their numbers {self.numbers[0]}–{self.numbers[-1]})"
            if len(self.numbers) == 1:
                numbers = f" (or its number {self.numbers[0]})"
        listing = (", ".join(self.names) or "none") + numbers
        return str(unknown_name_error("location", cell, self.names, listing=listing))

    def only(self) -> T | None:
        """The one location when the store has exactly one (a file may then leave the location out)."""
        return self.distinct[0] if len(self.distinct) == 1 else None
