"""Names the model got slightly wrong: the closest known ones, for errors that say "did you mean …?".

Nothing here picks a match for the caller — a misspelt location or item is an error naming the likely
candidates, so the model asks again with the right name instead of opsbot guessing silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from tools.registry import ToolError

MAX_SUGGESTIONS = 5  # "burger" may mean any of a menu's five burgers
MAX_LISTED = 12  # a known list longer than this is not repeated in an error (a menu of 80 items)
WHOLE_CUTOFF = 0.6  # difflib's own default for the whole name ("downtwn" ~ "downtown": 0.93)
WORD_CUTOFF = 0.85  # one word of a longer name ("burgr" ~ "burger": 0.91; not "wings" ~ "rings": 0.8)
MARGIN = 0.15  # spelt-alike names this much less alike than the best are left out (Veggie Burger, 0.67,
# beside Cheeseburger, 0.96, for "cheesburger")
MIN_PART = 3  # shorter text is not looked for inside names ("a" is in most of them)


def _plain(name: str) -> str:
    """A name as compared: lower case, single spaces."""
    return " ".join(name.split()).lower()


def _rank(wanted: str, name: str) -> tuple[int, float] | None:
    """How a known name ranks for ``wanted`` (both as compared): its tier — 0 the same name, 1 one contains
    the other ("burger" in "cheeseburger"), 2 spelt alike, whole or one word of it ("harbour" ~ "harbor",
    "burgr" ~ "veggie burger") — and how alike they are (0–1); None when it is not close at all."""
    whole = SequenceMatcher(None, wanted, name).ratio()
    if wanted == name:
        return 0, whole
    if (len(wanted) >= MIN_PART and wanted in name) or (len(name) >= MIN_PART and name in wanted):
        return 1, whole
    best_word = max((SequenceMatcher(None, wanted, word).ratio() for word in name.split()), default=0.0)
    if whole >= WHOLE_CUTOFF or best_word >= WORD_CUTOFF:
        return 2, max(whole, best_word)
    return None


def close_matches(wanted: str, known: Sequence[str], limit: int = MAX_SUGGESTIONS) -> list[str]:
    """The known names closest to ``wanted`` (ignoring case), best first, at most ``limit`` of them: the same
    name in another case, then names containing it or contained in it, then names spelt alike (nearly as
    alike as the most alike one); within a tier the more alike first, then in the order known."""
    text = _plain(wanted)
    if not text:
        return []
    ranked = [
        (rank, index, name)
        for index, name in enumerate(dict.fromkeys(known))
        if (rank := _rank(text, _plain(name))) is not None
    ]
    most_alike = max((alike for (tier, alike), _index, _name in ranked if tier == 2), default=0.0)
    kept = [
        (tier, -alike, index, name)
        for (tier, alike), index, name in ranked
        if tier < 2 or alike >= most_alike - MARGIN
    ]
    return [name for *_order, name in sorted(kept)[:limit]]


def _either(names: list[str]) -> str:
    """Names as a choice: "A", "A or B", "A, B or C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def unknown_name_error(
    kind: str, wanted: str, known: Sequence[str], *, listing: str | None = None
) -> ToolError:
    """The error for a name that is not one of ``known``: "unknown item 'cheesburger' — did you mean
    Cheeseburger?", followed by "known: …" (``listing``, else the known names when there are at most
    ``MAX_LISTED`` of them); with neither a close match nor a list, how many names are known."""
    matches = close_matches(wanted, known)
    if listing is None and len(known) <= MAX_LISTED:
        listing = ", ".join(known) or "none"
    parts = [f"did you mean {_either(matches)}?"] if matches else []
    if listing is not None:
        parts.append(f"known: {listing}")
    elif not matches:
        parts.append(f"no close match among {len(known)} known names")
    return ToolError(f"unknown {kind} {wanted!r} — {' '.join(parts)}")
