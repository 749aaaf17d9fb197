"""opsbot's top-level packages have generic names, ``bot`` and ``tools``: find another installed distribution
that provides one of them too, which would shadow ours or be shadowed by it (see README, "Package names")."""

from __future__ import annotations

import csv
import inspect
import re
from functools import cache
from importlib.metadata import Distribution, distributions

DISTRIBUTION = "opsbot"
TOP_LEVEL_PACKAGES = ("bot", "tools")


class TopLevelNameClash(RuntimeError):
    """Another installed distribution provides one of opsbot's top-level packages."""


def _top_level_names(dist: Distribution) -> set[str]:
    """The top-level names ``dist`` installs, as ``importlib.metadata.packages_distributions()`` reads them:
    its ``top_level.txt``, else the first part of every path in its ``RECORD``.

    Read here rather than through ``packages_distributions()``, which gives the same answer but builds a
    path object for every file of every distribution: 0.43 s against 0.05 s in this project's environment,
    paid at each front end's start."""
    declared = (dist.read_text("top_level.txt") or "").split()
    if declared:
        return set(declared)
    names = set()
    for row in csv.reader((dist.read_text("RECORD") or "").splitlines()):
        if row:
            head, slash, _ = row[0].partition("/")
            names.add(head if slash else inspect.getmodulename(row[0]))
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def clashes() -> tuple[tuple[str, str], ...]:
    """(package, distribution) for every other installed distribution providing ``bot`` or ``tools``."""
    found = set()
    for dist in distributions():
        provided = _top_level_names(dist).intersection(TOP_LEVEL_PACKAGES)
        if provided:
            name = dist.metadata["Name"] or "(a distribution without a name)"
            if _canonical(name) != DISTRIBUTION:
                found.update((package, name) for package in provided)
    return tuple(sorted(found))


def check_top_level_packages() -> None:
    """Raise TopLevelNameClash (one line naming the distribution) when another one provides ``bot`` or
    ``tools``; checked once per process."""
    if found := clashes():
        package, name = found[0]
        raise TopLevelNameClash(
            f"the installed distribution {name!r} also provides a top-level {package!r} package, which "
            f"shadows opsbot's or is shadowed by it — uninstall {name!r} or install opsbot in a virtual "
            "environment of its own (./opsbot makes one)"
        )
