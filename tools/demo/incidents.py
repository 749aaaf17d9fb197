"""The things that go wrong in the demo business: four incidents the generator injects while drawing orders.

Each incident is data — a location (by name), the local business days it covers, what kind of trouble it
is and its parameters — so tests and docs read the same definitions the generator applies. An incident
applies only to a generated business that has a location of that name and a period that covers its days;
any other business (another size or period) simply has fewer or none.

The generator draws every order exactly as it would without incidents and then drops or alters what an
incident touches, using a random stream of the incident's own, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

SLOW_DAY = "slow_day"
PLATFORM_OUTAGE = "platform_outage"
REFUND_SPIKE = "refund_spike"
ITEM_STOPPED = "item_stopped"

USUAL_REFUND_RATE = 0.012  # share of card-paid Square orders refunded on an ordinary day


@dataclass(frozen=True)
class Incident:
    """One incident at one location.

    ``first_day``..``last_day`` are local business days, inclusive (``last_day`` None: to the period's end).
    The parameters that matter depend on ``kind``:

    - ``slow_day``: ``keep_share`` of the day's drawn orders (all channels) are kept, the rest never happen.
    - ``platform_outage``: ``platform``'s orders with a local start hour in ``hours`` (start inclusive, end
      exclusive): those in the first ``cancel_minutes`` were placed and then cancelled by the platform
      (the same webhook re-sent with status ``cancel_status``; the POS copy cancelled too); after that the
      platform sent none until the outage ended.
    - ``refund_spike``: card-paid Square orders are refunded at ``refund_rate`` instead of the usual 1.2 %,
      the extra refunds issued the same day with reason ``refund_reason``.
    - ``item_stopped``: ``item`` is never sold; an order that would have had it gets another item of the
      same category instead (same quantity and, where the lists match, the same modifiers).
    """

    location: str
    first_day: date
    last_day: date | None
    kind: str
    description: str
    keep_share: float = 1.0
    hours: tuple[int, int] | None = None
    platform: str | None = None
    cancel_minutes: int = 0
    cancel_status: int = 110
    refund_rate: float = USUAL_REFUND_RATE
    refund_reason: str | None = None
    item: str | None = None

    def covers(self, day: date) -> bool:
        """Whether the local business day ``day`` is one of the incident's days."""
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)

    def overlaps(self, first: date, last: date) -> bool:
        """Whether any of the incident's days falls in ``first``..``last`` (inclusive)."""
        return self.first_day <= last and (self.last_day is None or first <= self.last_day)

    def in_hours(self, local: datetime) -> bool:
        """Whether a local time falls inside the incident's hours (all day when it has none)."""
        return self.hours is None or self.hours[0] <= local.hour < self.hours[1]


INCIDENTS: tuple[Incident, ...] = (
    Incident(
        "Uptown",
        date(2026, 11, 19),
        date(2026, 11, 19),
        SLOW_DAY,
        "Slow day at Uptown on Thursday 2026-11-19 (street closed for construction): about 45 % of a usual "
        "Thursday's orders, in every channel and hour.",
        keep_share=0.45,
    ),
    Incident(
        "Downtown",
        date(2026, 11, 20),
        date(2026, 11, 20),
        PLATFORM_OUTAGE,
        "DoorDash outage at Downtown on Friday 2026-11-20, 17:00–21:00: the DoorDash orders placed "
        "17:00–19:00 never reached the kitchen and were cancelled (Deliverect status 110); then DoorDash "
        "paused the store and sent no orders 19:00–21:00.",
        hours=(17, 21),
        platform="doordash",
        cancel_minutes=120,
        cancel_status=110,
    ),
    Incident(
        "Harbor",
        date(2026, 11, 21),
        date(2026, 11, 21),
        REFUND_SPIKE,
        "Refund spike at Harbor on Saturday 2026-11-21 (food-quality complaints): about 6 % of card orders "
        "refunded the same day instead of the usual 1.2 %, about six times the usual refund amount.",
        refund_rate=0.06,
        refund_reason="Food quality",
    ),
    Incident(
        "Sunset",
        date(2026, 11, 12),
        None,
        ITEM_STOPPED,
        "Falafel Bowl stopped selling at Sunset from Thursday 2026-11-12 (its supplier stopped delivering): "
        "0 units from then on; guests ordered another bowl instead.",
        item="Falafel Bowl",
    ),
)


class IncidentSchedule:
    """The incidents that fall inside one generated business, looked up by location index and local day.

    Holds, per incident, a random stream seeded from the business's seed and the incident, which is the
    only randomness an incident uses (the business's own stream is never drawn from differently).
    """

    def __init__(self, seed: int, first_day: date, days: int, location_names: Sequence[str]):
        last_day = first_day + timedelta(days=days - 1)
        self._by_location: dict[int, list[Incident]] = {}
        self._rngs: dict[Incident, random.Random] = {}
        self._counters: dict[Incident, int] = {}  # a refund spike's count of eligible orders so far
        for incident in INCIDENTS:
            if incident.location not in location_names or not incident.overlaps(first_day, last_day):
                continue
            index = list(location_names).index(incident.location)
            self._by_location.setdefault(index, []).append(incident)
            key = f"{seed}:{incident.kind}:{incident.location}:{incident.first_day.isoformat()}"
            self._rngs[incident] = random.Random(key)

    @property
    def active(self) -> list[Incident]:
        """Every incident this business has, in ``INCIDENTS`` order."""
        return [incident for incident in INCIDENTS if incident in self._rngs]

    def find(self, li: int, day: date, kind: str) -> Incident | None:
        """The incident of ``kind`` at location ``li`` on local day ``day``, if there is one."""
        for incident in self._by_location.get(li, ()):
            if incident.kind == kind and incident.covers(day):
                return incident
        return None

    def rng(self, incident: Incident) -> random.Random:
        """The incident's own random stream."""
        return self._rngs[incident]

    def kept_orders(self, li: int, day: date, count: int) -> set[int] | None:
        """Which of the day's ``count`` drawn orders (by index) a slow day keeps; None when all are kept."""
        incident = self.find(li, day, SLOW_DAY)
        if incident is None:
            return None
        keep = round(count * incident.keep_share)
        return set(self.rng(incident).sample(range(count), keep))

    def outage(self, li: int, local: datetime, platform: str) -> tuple[str, Incident] | None:
        """What a platform outage does to a ``platform`` order placed at local time ``local``: ("cancel" or
        "drop", the outage), or None when no outage touches it."""
        incident = self.find(li, local.date(), PLATFORM_OUTAGE)
        if incident is None or incident.platform != platform or incident.hours is None:
            return None
        if not incident.in_hours(local):
            return None
        start = local.replace(hour=incident.hours[0], minute=0, second=0, microsecond=0)
        return ("cancel" if local < start + timedelta(minutes=incident.cancel_minutes) else "drop"), incident

    def extra_refund(self, li: int, day: date) -> Incident | None:
        """The refund spike on ``day`` at ``li`` if it refunds this card order, which the usual 1.2 % left
        unrefunded; None otherwise.

        Of those orders it refunds every k-th (from an offset drawn from its own stream), k chosen so that
        the day's rate comes to the incident's ``refund_rate`` — evenly, so the spike's size does not
        depend on luck.
        """
        incident = self.find(li, day, REFUND_SPIKE)
        if incident is None:
            return None
        every = max(1, round((1 - USUAL_REFUND_RATE) / (incident.refund_rate - USUAL_REFUND_RATE)))
        if incident not in self._counters:
            self._counters[incident] = self.rng(incident).randrange(every)
        self._counters[incident] += 1
        return incident if self._counters[incident] % every == 0 else None

    def stopped_item(self, li: int, day: date) -> Incident | None:
        """The item-stopped incident in force at ``li`` on ``day``, if any."""
        return self.find(li, day, ITEM_STOPPED)
