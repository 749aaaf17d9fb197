"""``opsbot serve``: the production HTTP server — the endpoints every configured integration adds."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from sqlalchemy import Engine

from bot.server.health import health_endpoint
from bot.server.http_server import HttpServer, Routes
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_routes(settings: Settings, engine: Engine) -> Routes:
    """Every endpoint this configuration serves: Slack's events when a Slack bot token is set."""
    routes = Routes()
    routes.add("GET", "/healthz", health_endpoint(engine))
    if settings.slack.bot_token or settings.slack.signing_secret:
        from bot.slack.http_endpoint import PATH, slack_events_endpoint
        from bot.slack.runtime import build_slack_app

        routes.add("POST", PATH, slack_events_endpoint(build_slack_app(settings, engine, http_mode=True)))
    secret = settings.sources.deliverect.webhook_secret
    if secret:
        from bot.server.deliverect_orders import PATH, deliverect_orders_endpoint

        routes.add("POST", PATH, deliverect_orders_endpoint(engine, secret))
    return routes


def start_periodic_sync(settings: Settings, engine: Engine):
    """The periodic incremental Square sync, started; None when Square is not configured or it is off."""
    interval = settings.sources.square.sync_interval_minutes
    if not settings.sources.square.access_token or interval <= 0:
        return None
    from bot.live_sources import sync_live_source
    from bot.periodic_sync import PeriodicSync

    def run(progress, sleep):
        return sync_live_source(settings, engine, "square", progress=progress, sleep=sleep)

    return PeriodicSync(run, interval * 60).start()


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.agent.model import ModelError
    from bot.slack.app import SlackSetupError
    from tools.store.database import open_store

    engine = open_store(settings.database_url)
    _prepare_deliverect(settings, engine)
    try:
        routes = build_routes(settings, engine)
    except (SlackSetupError, ModelError) as exc:
        print(f"opsbot: {getattr(exc, 'user_message', None) or exc}", file=sys.stderr)
        return 2
    server = HttpServer(routes, args.host or settings.http_host, args.port or settings.http_port)
    print(f"opsbot serving on {server.url} — " + ", ".join(routes.paths()), file=sys.stderr, flush=True)
    periodic = start_periodic_sync(settings, engine)
    if periodic:
        minutes = settings.sources.square.sync_interval_minutes
        print(f"opsbot: syncing Square every {minutes:g} min", file=sys.stderr, flush=True)

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
    return 0


def _prepare_deliverect(settings: Settings, engine: Engine) -> None:
    """Before webhook orders arrive: map Deliverect locations and load the commission-rate file."""
    from tools.sync.commission_rates_file import apply_commission_rates_file
    from tools.sync.reference_writer import link_deliverect_locations

    missing = link_deliverect_locations(engine, settings.sources.deliverect.locations)
    if missing:
        log.warning("DELIVERECT_LOCATIONS names Square locations not in the store: %s", ", ".join(missing))
    if settings.sources.commission_rates_file:
        note = apply_commission_rates_file(engine, settings.sources.commission_rates_file)
        if note:
            log.info(note)


def add_parser(sub) -> None:
    serve = sub.add_parser("serve", help="run the HTTP server (Slack events, webhooks, /healthz)")
    serve.add_argument("--host", help="address to listen on (default: OPSBOT_HTTP_HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: OPSBOT_HTTP_PORT or 3000)")
    serve.set_defaults(handler=cmd_serve)
