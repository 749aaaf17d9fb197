"""The morning brief on a schedule: a background thread that wakes on a clock, and each day — when the
local time in Location 1's timezone passes ``OPSBOT_BRIEF_TIME`` — posts the brief of the business date
before (yesterday) once, then each high-severity alert of that date once. "Once" holds across replicas and
restarts (see ``bot/insights/claims.py``). A morning missed while opsbot was down is posted when it starts,
marked late.

The local post time is worked out with zoneinfo for each day, so it stays 07:30 on both sides of a DST
change (fold=0: a time the clocks skip when they spring forward, 02:30, is posted an hour later by the
clock, 03:30; a time they repeat when they fall back, at its first occurrence)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.application import Application
from bot.insights import claims
from bot.insights.claims import Policy, Slot
from tools.analytics.scope import load_places

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=5)  # posted more than this after the post time: marked late
NO_LOCATIONS_WAIT = timedelta(minutes=15)  # an empty store: look for Location 1 again after this
ERROR_WAIT = timedelta(minutes=5)  # after an unexpected error (a store outage): try again after this
MIN_WAIT = timedelta(seconds=1)  # never spin


class Posted(NamedTuple):
    """A message posted: its ts, and the text recorded for it (what a reply in its thread gets as context)."""

    ts: str
    text: str | None = None


# post(channel, business_date, late) → the message's ts, or Posted(ts, text)
PostBrief = Callable[[str, date, bool], "Posted | str"]
# alerts(business_date) → [(key, text)], each posted once per (date, channel, key)
Alerts = Callable[[date], list[tuple[str, str]]]
# post_alert(channel, text) → the message's ts, or Posted(ts, text)
PostAlert = Callable[[str, str], "Posted | str"]


class Clock(Protocol):
    """Where the scheduler gets the time from and how it waits (tests drive a fake one)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    def wait_until(self, deadline: datetime, stop: threading.Event) -> None:
        """Return at ``deadline`` or as soon as ``stop`` is set, whichever is first."""
        ...


class SystemClock:
    """The real clock; waits in short steps, so a suspended machine or a changed clock is noticed."""

    step_seconds = 60.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait_until(self, deadline: datetime, stop: threading.Event) -> None:
        while not stop.is_set():
            left = (deadline - self.now()).total_seconds()
            if left <= 0:
                return
            stop.wait(min(left, self.step_seconds))


def post_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant the local clock in ``zone`` shows ``at`` on ``day`` (see the module's note on DST)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def location_zone(store: Engine) -> ZoneInfo | None:
    """Location 1's timezone, the brief's clock (None while the store has no locations)."""
    places = load_places(store)
    return ZoneInfo(places[0].timezone) if places else None


def _as_posted(result: Posted | str) -> Posted:
    return result if isinstance(result, Posted) else Posted(result)


def new_claimer() -> str:
    """Who claims: this host and process, and this scheduler (two in one process are two claimers)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class BriefScheduler:
    """``BriefScheduler(app, clock, post).start()`` … ``.stop()``; ``tick(now)`` is one wake-up."""

    def __init__(
        self,
        app: Application,
        clock: Clock,
        post: PostBrief,
        *,
        alerts: Alerts | None = None,
        post_alert: PostAlert | None = None,
        policy: Policy | None = None,
        claimer: str | None = None,
    ) -> None:
        if (alerts is None) != (post_alert is None):
            raise ValueError("alerts and post_alert go together")
        settings = app.settings.brief
        if not settings.channel:
            raise ValueError("OPSBOT_BRIEF_CHANNEL is not set: there is no channel to post the brief in")
        self.store = app.store
        self.channel = settings.channel
        self.alert_channel = settings.alerts_to or settings.channel
        self.post_time = settings.post_time
        self.clock = clock
        self.post = post
        self.alerts = alerts
        self.post_alert = post_alert
        self.policy = policy or Policy()
        self.claimer = claimer or new_claimer()
        self._alerts_of: tuple[date, list[tuple[str, str]]] | None = None  # the day's alerts, read once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="opsbot-brief-schedule", daemon=True)

    # --- running -------------------------------------------------------------------------------------------

    def start(self) -> BriefScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 60.0) -> None:
        """Ask the thread to end and wait for it (a post under way finishes first)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def run(self) -> None:
        """The schedule on the calling thread, until ``stop()`` (``start()`` runs it on its own thread)."""
        while not self._stop.is_set():
            now = self.clock.now()
            try:
                wake = self.tick(now)
            except Exception:
                log.exception("the brief schedule failed; trying again in %s", ERROR_WAIT)
                wake = now + ERROR_WAIT
            self.clock.wait_until(max(wake, now + MIN_WAIT), self._stop)

    # --- one wake-up ---------------------------------------------------------------------------------------

    def tick(self, now: datetime) -> datetime:
        """Post what is due at ``now``; when to wake next."""
        zone = location_zone(self.store)
        if zone is None:
            log.info("no locations in the store yet: no brief to post")
            return now + NO_LOCATIONS_WAIT
        today = now.astimezone(zone).date()
        due = post_instant(today, self.post_time, zone)
        if now < due:
            return due
        tomorrow = post_instant(today + timedelta(days=1), self.post_time, zone)
        day = today - timedelta(days=1)
        late = now - due > LATE_AFTER
        look = self._brief(day, now, late)
        if look is None and self.alerts is not None:  # alerts follow the brief
            look = self._alerts(day, now, late)
        return min(look, tomorrow) if look is not None else tomorrow

    def _brief(self, day: date, now: datetime, late: bool) -> datetime | None:
        def send() -> Posted:
            return _as_posted(self.post(self.channel, day, late))

        return self._once(Slot("brief", day, self.channel, "brief"), now, late, send)

    def _alerts(self, day: date, now: datetime, late: bool) -> datetime | None:
        assert self.alerts is not None and self.post_alert is not None
        post_alert = self.post_alert
        if self._alerts_of is None or self._alerts_of[0] != day:
            try:
                found = list(self.alerts(day))
            except Exception:
                log.exception("could not work out the alerts of %s; none posted", day)
                found = []
            self._alerts_of = (day, found)
        looks = []
        for key, text in self._alerts_of[1]:

            def send(text: str = text) -> Posted:
                posted = _as_posted(post_alert(self.alert_channel, text))
                return posted if posted.text is not None else posted._replace(text=text)

            look = self._once(Slot("alert", day, self.alert_channel, key[:200]), now, late, send)
            if look is not None:
                looks.append(look)
        return min(looks, default=None)

    def _once(self, slot: Slot, now: datetime, late: bool, send: Callable[[], Posted]) -> datetime | None:
        """Claim and post ``slot`` when it is ours to post; when to look at it again (None: settled)."""
        row_id = claims.claim(self.store, slot, claimer=self.claimer, now=now, late=late, policy=self.policy)
        if row_id is not None:
            try:
                posted = send()
            except Exception as exc:
                log.exception(
                    "posting the %s %s of %s in %s failed",
                    slot.kind,
                    slot.key,
                    slot.business_date,
                    slot.channel,
                )
                claims.mark_failed(self.store, row_id, self.claimer, error=f"{type(exc).__name__}: {exc}")
            else:
                claims.mark_posted(
                    self.store,
                    row_id,
                    self.claimer,
                    now=self.clock.now(),
                    message_ts=posted.ts,
                    text=posted.text,
                )
                log.info(
                    "posted the %s %s of %s in %s%s",
                    slot.kind,
                    slot.key,
                    slot.business_date,
                    slot.channel,
                    " (late)" if late else "",
                )
        return claims.next_look(claims.state(self.store, slot), self.claimer, self.policy)
