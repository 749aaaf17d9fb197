"""``opsbot serve``: the production HTTP server — the endpoints every configured integration adds."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from bot.agent.model import ModelError
from bot.application import Application
from bot.server.deliverect_orders import PATH as DELIVERECT_PATH
from bot.server.deliverect_orders import deliverect_orders_endpoint
from bot.server.health import health_endpoint
from bot.server.http_server import HttpServer, Routes
from bot.services.periodic_sync import PeriodicSync
from bot.slack.setup import SlackSetupError
from tools.sync.commission_rates_file import apply_commission_rates_file
from tools.sync.reference_writer import link_deliverect_locations

log = logging.getLogger(__name__)


def build_routes(app: Application) -> Routes:
    """Every endpoint this configuration serves: Slack's events when a Slack bot token is set, Deliverect's
    order webhook when its secret is."""
    settings = app.settings
    routes = Routes()
    routes.add("GET", "/healthz", health_endpoint(app.store))
    if settings.slack.bot_token or settings.slack.signing_secret:
        # Imported here: Slack's SDKs take ~0.2 s to import (python -X importtime); paid only with Slack on.
        from bot.slack.http_endpoint import PATH, slack_events_endpoint
        from bot.slack.runtime import build_slack_app

        routes.add(
            "POST",
            PATH,
            slack_events_endpoint(build_slack_app(app, http_mode=True), settings.slack.signing_secret or ""),
        )
    secret = settings.sources.deliverect.webhook_secret
    if secret:
        routes.add("POST", DELIVERECT_PATH, deliverect_orders_endpoint(app.store, secret))
    return routes


def start_periodic_sync(app: Application) -> PeriodicSync | None:
    """The periodic incremental Square sync, started; None when Square is not configured or it is off."""
    settings = app.settings
    interval = settings.sources.square.sync_interval_minutes
    if not settings.sources.square.access_token or interval <= 0:
        return None
    # Imported here: the live clients (the squareup SDK) take ~0.3 s to import (python -X importtime), which
    # every `opsbot` start, the REPL's included, would pay.
    from bot.services.live_sources import sync_live_source
    from bot.services.plugin_sync import sync_data_source_plugins

    def run(progress, sleep):
        report = sync_live_source(settings, app.store, "square", progress=progress, sleep=sleep)
        if report.failure is None:  # then the data-source plugins' live syncs (Square Labor timecards)
            plugins = sync_data_source_plugins(settings, app.store)
            report.notes.extend(plugins.notes)
            for failure in plugins.failures:
                log.error("periodic sync: %s", failure)
        return report

    return PeriodicSync(run, interval * 60).start()


def start_brief_schedule(app: Application):
    """The morning brief's schedule, started (announced on stderr); None when it is not configured."""
    if not (app.settings.brief.channel and app.settings.slack.bot_token):
        return None
    from bot.insights.wiring import start_brief_schedule as start  # imported only with the brief on

    schedule = start(app)
    if schedule:
        brief = app.settings.brief
        print(
            f"opsbot: posting the morning brief in {brief.channel} at {brief.post_time:%H:%M} "
            "(Location 1's time)",
            file=sys.stderr,
            flush=True,
        )
    return schedule


def cmd_serve(app: Application, args: argparse.Namespace) -> int:
    """Serve until SIGTERM or Ctrl-C; the exit status."""
    settings = app.settings
    _prepare_deliverect(app)
    try:
        routes = build_routes(app)
    except (SlackSetupError, ModelError) as exc:
        print(f"opsbot: {getattr(exc, 'user_message', None) or exc}", file=sys.stderr)
        return 2
    server = HttpServer(routes, args.host or settings.http_host, args.port or settings.http_port)
    print(f"opsbot serving on {server.url} — " + ", ".join(routes.paths()), file=sys.stderr, flush=True)
    periodic = start_periodic_sync(app)
    if periodic:
        minutes = settings.sources.square.sync_interval_minutes
        print(f"opsbot: syncing Square every {minutes:g} min", file=sys.stderr, flush=True)
    schedule = start_brief_schedule(app)

    def stop(_signum, _frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.stop()
        if periodic:
            periodic.stop()
        if schedule:
            schedule.stop()
    return 0


def _prepare_deliverect(app: Application) -> None:
    """Before webhook orders arrive: map Deliverect locations and load the commission-rate file."""
    sources = app.settings.sources
    missing = link_deliverect_locations(app.store, sources.deliverect.locations)
    if missing:
        log.warning("DELIVERECT_LOCATIONS names Square locations not in the store: %s", ", ".join(missing))
    if sources.commission_rates_file:
        note = apply_commission_rates_file(app.store, sources.commission_rates_file)
        if note:
            log.info(note)


def add_parser(sub) -> None:
    """Register ``serve`` on the ``opsbot`` sub-command parser."""
    serve = sub.add_parser("serve", help="run the HTTP server (Slack events, webhooks, /healthz)")
    serve.add_argument("--host", help="address to listen on (default: OPSBOT_HTTP_HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: OPSBOT_HTTP_PORT or 3000)")
    serve.set_defaults(handler=cmd_serve)
