"""The one typed settings object. Values come from the environment, then from ``.env``; nothing else in
opsbot reads ``os.environ``. Every variable is documented in ``.env.example``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from dotenv import dotenv_values

from tools.analytics.calendar_filters import DEFAULT_DAY_PARTS, DayPart, FilterError, parse_day_parts
from tools.analytics.readonly import DEFAULT_QUERY_TIMEOUT_SECONDS
from tools.data_sources import installed_data_sources

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FIXTURES = PROJECT_ROOT / "fixtures" / "demo"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# The fastest current model per https://platform.claude.com/docs/en/models/overview ("Fastest"), built for
# high-volume tool use and short answers; README "Models, prices and caching" says why.
DEFAULT_MODEL = "claude-haiku-5-5"
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")

# Every environment variable opsbot reads; README's Configuration table and .env.example document each
# (tests/test_documentation.py checks both). The readers below see only these: reading a name missing here
# is a KeyError on every load, so a new setting cannot go undeclared.
VARIABLES = (
    "OPSBOT_DATA_DIR",
    "DATABASE_URL",
    "OPSBOT_FIXTURES_DIR",
    "OPSBOT_DEMO_ANCHOR",
    "OPSBOT_DEMO_CACHE",
    "OPSBOT_WEEK_START",
    "OPSBOT_DAY_PARTS",
    "OPSBOT_LOG_LEVEL",
    "OPSBOT_QUERY_TIMEOUT_SECONDS",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPSBOT_MODEL",
    "OPSBOT_MAX_TOKENS",
    "OPSBOT_EFFORT",
    "OPSBOT_MODEL_TIMEOUT",
    "OPSBOT_MODEL_RETRIES",
    "OPSBOT_MAX_STEPS",
    "OPSBOT_MAX_QUESTION_CHARS",
    "OPSBOT_CONTEXT_BUDGET",
    "OPSBOT_HTTP_HOST",
    "OPSBOT_HTTP_PORT",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "OPSBOT_SLACK_ALLOWED_USERS",
    "OPSBOT_SLACK_ALLOWED_CHANNELS",
    "OPSBOT_SLACK_WORKERS",
    "OPSBOT_BRIEF_CHANNEL",
    "OPSBOT_BRIEF_TIME",
    "OPSBOT_ALERT_CHANNEL",
    "SQUARE_ACCESS_TOKEN",
    "SQUARE_ENVIRONMENT",
    "SQUARE_BASE_URL",
    "SQUARE_LOCATION_IDS",
    "SQUARE_SYNC_INTERVAL_MINUTES",
    "DELIVERECT_WEBHOOK_SECRET",
    "DELIVERECT_CLIENT_ID",
    "DELIVERECT_CLIENT_SECRET",
    "DELIVERECT_BASE_URL",
    "DELIVERECT_ACCOUNT_ID",
    "DELIVERECT_LOCATIONS",
    "OPSBOT_COMMISSION_RATES_FILE",
    "OPSBOT_SYNC_INITIAL_DAYS",
    "OPSBOT_SYNC_TRAILING_HOURS",
    "OPSBOT_SOURCE_RETRIES",
)


class SettingsError(ValueError):
    """A variable has a value opsbot cannot use; the message names it and the accepted values."""


@dataclass(frozen=True)
class ModelSettings:
    """How the agent talks to Claude."""

    api_key: str | None = None
    base_url: str | None = None  # None: the SDK's default, https://api.anthropic.com
    name: str = DEFAULT_MODEL
    max_tokens: int = 2048
    timeout_seconds: float = 60.0
    max_retries: int = 2
    max_steps: int = 8
    max_question_chars: int = 4_000
    context_budget_tokens: int = 150_000
    effort: str | None = None  # output_config.effort; None: the model's own default


SQUARE_ENVIRONMENTS = ("production", "sandbox")
DELIVERECT_API = "https://api.deliverect.com"


@dataclass(frozen=True)
class SquareSettings:
    """The live Square (POS) source; off without an access token."""

    access_token: str | None = None
    environment: str = "production"  # production | sandbox
    base_url: str | None = None  # overrides the environment's URL (a proxy, or the tests' fake)
    location_ids: tuple[str, ...] = ()  # empty: every location of the account
    sync_interval_minutes: float = 15.0  # `opsbot serve`'s incremental sync; 0 = off


@dataclass(frozen=True)
class DeliverectSettings:
    """The live Deliverect source: the order webhook (secret) and the backfill API (client credentials)."""

    webhook_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    base_url: str = DELIVERECT_API
    account_id: str | None = None  # limits backfill to this account
    locations: dict[str, str] = field(default_factory=dict)  # Deliverect location id → Square location id

    @property
    def has_api_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret)


@dataclass(frozen=True)
class SourceSettings:
    """Live data sources and what every sync of them shares."""

    square: SquareSettings = field(default_factory=SquareSettings)
    deliverect: DeliverectSettings = field(default_factory=DeliverectSettings)
    commission_rates_file: Path | None = None
    initial_days: int = 30  # how far back a first sync without --since reads
    trailing_hours: float = 72.0  # an incremental sync re-reads this much before its high-water mark
    retries: int = 4  # retries of a request that failed with 429, 5xx or a connection error

    @property
    def configured(self) -> list[str]:
        """The live sources that have credentials, in sync order."""
        names = ["square"] if self.square.access_token else []
        return names + (["deliverect"] if self.deliverect.has_api_credentials else [])


@dataclass(frozen=True)
class SlackSettings:
    """How the Slack app connects, and who may use it."""

    bot_token: str | None = None  # xoxb-…
    app_token: str | None = None  # xapp-…, Socket Mode only
    signing_secret: str | None = None  # HTTP mode only
    api_url: str = "https://slack.com/api/"
    allowed_users: frozenset[str] = frozenset()  # empty: anyone in the workspace
    allowed_channels: frozenset[str] = frozenset()  # empty: any channel the app is in
    workers: int = 16  # questions answered at once (each holds a thread while the model works)


@dataclass(frozen=True)
class BriefSettings:
    """The scheduled morning brief and anomaly alerts in Slack; off without a brief channel."""

    channel: str | None = None  # Slack channel id the brief is posted in; None: no scheduled brief
    post_time: time = time(7, 30)  # local time in Location 1's timezone
    alert_channel: str | None = None  # where high-severity anomaly alerts go; None: the brief channel

    @property
    def alerts_to(self) -> str | None:
        """The channel alerts are posted in."""
        return self.alert_channel or self.channel


@dataclass(frozen=True)
class Settings:
    """Everything opsbot can be configured with."""

    data_dir: Path
    database_url: str
    fixtures_dir: Path
    demo_anchor: bool
    log_level: str
    # Where the install keeps the built demo store a first run copies in (bot/repl/demo_template.py); None:
    # every first run loads the demo from its fixtures
    demo_cache: Path | None = None
    week_start: int = 0  # 0 = Monday … 6 = Sunday
    day_parts: tuple[DayPart, ...] = DEFAULT_DAY_PARTS  # named local-hour ranges ("lunch" = 11–14)
    query_timeout_seconds: float = DEFAULT_QUERY_TIMEOUT_SECONDS  # the longest one tool statement may run
    model: ModelSettings = field(default_factory=ModelSettings)
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    slack: SlackSettings = field(default_factory=SlackSettings)
    sources: SourceSettings = field(default_factory=SourceSettings)
    brief: BriefSettings = field(default_factory=BriefSettings)
    # The values of the variables installed data-source plugins declare (DataSource.settings), for their tools
    plugin_options: Mapping[str, str] = field(default_factory=dict)
    # Every variable above that is set (from the environment or .env), as given: what a data-source plugin's
    # live sync reads its credentials from (LiveSync.environ), so .env works for plugins too
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)


def default_database_url(data_dir: Path) -> str:
    """The SQLite file used when DATABASE_URL is not set."""
    return f"sqlite:///{data_dir / 'opsbot.db'}"


def _flag(values: Mapping[str, str | None], name: str, default: bool) -> bool:
    raw = values[name]
    if raw is None:
        return default
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value — use true or false")


def _number(values: Mapping[str, str | None], name: str, default: float, low: float, high: float) -> float:
    raw = (values[name] or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r} is out of range — use a value from {low:g} to {high:g}")
    return value


def _text(values: Mapping[str, str | None], name: str) -> str | None:
    """The variable's value without surrounding blanks; None when unset or blank."""
    value = values[name]
    return value.strip() if value and value.strip() else None


def _demo_cache(values: Mapping[str, str | None]) -> Path | None:
    """OPSBOT_DEMO_CACHE: a folder, or off (the default; ``./opsbot`` sets the install's folder)."""
    text = _text(values, "OPSBOT_DEMO_CACHE")
    if text is None or text.lower() in _FALSE:
        return None
    return Path(text).expanduser()


def _effort(values: Mapping[str, str | None]) -> str | None:
    level = (_text(values, "OPSBOT_EFFORT") or "").lower() or None
    if level is not None and level not in EFFORT_LEVELS:
        raise SettingsError(
            f"OPSBOT_EFFORT={level!r} — use low, medium, high, xhigh or max, or leave it unset"
        )
    return level


def _model_settings(values: Mapping[str, str | None]) -> ModelSettings:
    return ModelSettings(
        api_key=_text(values, "ANTHROPIC_API_KEY"),
        base_url=_text(values, "ANTHROPIC_BASE_URL"),
        name=_text(values, "OPSBOT_MODEL") or DEFAULT_MODEL,
        max_tokens=int(_number(values, "OPSBOT_MAX_TOKENS", 2048, 64, 64_000)),
        timeout_seconds=_number(values, "OPSBOT_MODEL_TIMEOUT", 60.0, 0.1, 3600),
        max_retries=int(_number(values, "OPSBOT_MODEL_RETRIES", 2, 0, 10)),
        max_steps=int(_number(values, "OPSBOT_MAX_STEPS", 8, 1, 50)),
        max_question_chars=int(_number(values, "OPSBOT_MAX_QUESTION_CHARS", 4_000, 200, 100_000)),
        context_budget_tokens=int(_number(values, "OPSBOT_CONTEXT_BUDGET", 150_000, 2_000, 1_000_000)),
        effort=_effort(values),
    )


def _id_list(values: Mapping[str, str | None], name: str) -> frozenset[str]:
    """A comma- or space-separated list of Slack ids (U…, W…, C…, G…, D…)."""
    raw = _text(values, name) or ""
    ids = frozenset(part for part in raw.replace(",", " ").split() if part)
    bad = sorted(i for i in ids if not (i[:1] in "UWCGD" and i[1:].isalnum() and i.upper() == i))
    if bad:
        raise SettingsError(
            f"{name} holds {', '.join(repr(b) for b in bad)}, not Slack ids — use ids like U0123ABCD or "
            "C0456EFGH (a member's or channel's “Copy ID”), separated by commas"
        )
    return ids


def _slack_settings(values: Mapping[str, str | None]) -> SlackSettings:
    api_url = _text(values, "SLACK_API_URL") or SlackSettings.api_url
    return SlackSettings(
        bot_token=_text(values, "SLACK_BOT_TOKEN"),
        app_token=_text(values, "SLACK_APP_TOKEN"),
        signing_secret=_text(values, "SLACK_SIGNING_SECRET"),
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        allowed_users=_id_list(values, "OPSBOT_SLACK_ALLOWED_USERS"),
        allowed_channels=_id_list(values, "OPSBOT_SLACK_ALLOWED_CHANNELS"),
        workers=int(_number(values, "OPSBOT_SLACK_WORKERS", 16, 1, 256)),
    )


def _channel(values: Mapping[str, str | None], name: str) -> str | None:
    """One Slack channel id (C…, G… or D…), or None when unset."""
    raw = _text(values, name)
    if raw is not None and not (raw[:1] in "CGD" and raw[1:].isalnum() and raw.upper() == raw):
        raise SettingsError(
            f"{name}={raw!r} is not a Slack channel id — use an id like C0456EFGH (the channel's "
            "“Copy link” ends with it), not its name"
        )
    return raw


def _clock_time(values: Mapping[str, str | None], name: str, default: time) -> time:
    """A local time of day written HH:MM (24-hour)."""
    raw = _text(values, name)
    if raw is None:
        return default
    hours, sep, minutes = raw.partition(":")
    if (
        sep
        and hours.isascii()
        and hours.isdigit()
        and len(hours) in (1, 2)
        and minutes.isascii()
        and minutes.isdigit()
        and len(minutes) == 2
        and int(hours) < 24
        and int(minutes) < 60
    ):
        return time(int(hours), int(minutes))
    shown = raw if len(raw) <= 40 else raw[:40] + "…"  # repr keeps it on one line
    raise SettingsError(f"{name}={shown!r} is not a time of day — use HH:MM (24-hour), e.g. 07:30")


def _brief_settings(values: Mapping[str, str | None]) -> BriefSettings:
    return BriefSettings(
        channel=_channel(values, "OPSBOT_BRIEF_CHANNEL"),
        post_time=_clock_time(values, "OPSBOT_BRIEF_TIME", BriefSettings.post_time),
        alert_channel=_channel(values, "OPSBOT_ALERT_CHANNEL"),
    )


def _pairs(values: Mapping[str, str | None], name: str) -> dict[str, str]:
    """``a=b,c=d`` → {a: b, c: d}."""
    pairs = {}
    for item in (_text(values, name) or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SettingsError(
                f"{name}: {item.strip()!r} is not a pair — use DELIVERECT_LOCATION_ID=SQUARE_LOCATION_ID, "
                "comma-separated"
            )
        pairs[key.strip()] = value.strip()
    return pairs


def _source_settings(values: Mapping[str, str | None]) -> SourceSettings:
    environment = (_text(values, "SQUARE_ENVIRONMENT") or "production").lower()
    if environment not in SQUARE_ENVIRONMENTS:
        raise SettingsError(f"SQUARE_ENVIRONMENT={environment!r} — use production or sandbox")
    rates_file = _text(values, "OPSBOT_COMMISSION_RATES_FILE")
    square = SquareSettings(
        access_token=_text(values, "SQUARE_ACCESS_TOKEN"),
        environment=environment,
        base_url=_text(values, "SQUARE_BASE_URL"),
        location_ids=tuple(
            part.strip() for part in (_text(values, "SQUARE_LOCATION_IDS") or "").split(",") if part.strip()
        ),
        sync_interval_minutes=_number(values, "SQUARE_SYNC_INTERVAL_MINUTES", 15.0, 0, 24 * 60),
    )
    deliverect = DeliverectSettings(
        webhook_secret=_text(values, "DELIVERECT_WEBHOOK_SECRET"),
        client_id=_text(values, "DELIVERECT_CLIENT_ID"),
        client_secret=_text(values, "DELIVERECT_CLIENT_SECRET"),
        base_url=(_text(values, "DELIVERECT_BASE_URL") or DELIVERECT_API).rstrip("/"),
        account_id=_text(values, "DELIVERECT_ACCOUNT_ID"),
        locations=_pairs(values, "DELIVERECT_LOCATIONS"),
    )
    return SourceSettings(
        square=square,
        deliverect=deliverect,
        commission_rates_file=Path(rates_file).expanduser() if rates_file else None,
        initial_days=int(_number(values, "OPSBOT_SYNC_INITIAL_DAYS", 30, 1, 3660)),
        trailing_hours=_number(values, "OPSBOT_SYNC_TRAILING_HOURS", 72.0, 0, 24 * 30),
        retries=int(_number(values, "OPSBOT_SOURCE_RETRIES", 4, 0, 10)),
    )


def load_settings(env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment) over the ``env_file`` values."""
    given: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        given.update(dotenv_values(env_file))
    given.update(os.environ if environ is None else environ)
    values = {name: given.get(name) for name in VARIABLES}  # None: not set

    data_dir = Path(_text(values, "OPSBOT_DATA_DIR") or ".opsbot").expanduser()
    log_level = (_text(values, "OPSBOT_LOG_LEVEL") or "WARNING").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"OPSBOT_LOG_LEVEL={log_level!r} — use DEBUG, INFO, WARNING or ERROR")
    week_day = (_text(values, "OPSBOT_WEEK_START") or "monday").lower()
    if week_day not in WEEKDAYS:
        raise SettingsError(f"OPSBOT_WEEK_START={week_day!r} — use a weekday name such as monday or sunday")
    day_parts = DEFAULT_DAY_PARTS
    if parts_text := _text(values, "OPSBOT_DAY_PARTS"):
        try:
            day_parts = parse_day_parts(parts_text)
        except FilterError as exc:
            raise SettingsError(f"OPSBOT_DAY_PARTS: {exc}") from exc
    declared = _plugin_variables()  # the installed plugins are looked up once per load
    return Settings(
        data_dir=data_dir,
        database_url=_text(values, "DATABASE_URL") or default_database_url(data_dir),
        fixtures_dir=Path(_text(values, "OPSBOT_FIXTURES_DIR") or DEFAULT_FIXTURES).expanduser(),
        demo_anchor=_flag(values, "OPSBOT_DEMO_ANCHOR", True),
        log_level=log_level,
        demo_cache=_demo_cache(values),
        week_start=WEEKDAYS.index(week_day),
        day_parts=day_parts,
        query_timeout_seconds=_number(
            values, "OPSBOT_QUERY_TIMEOUT_SECONDS", DEFAULT_QUERY_TIMEOUT_SECONDS, 0.1, 3600
        ),
        model=_model_settings(values),
        http_host=_text(values, "OPSBOT_HTTP_HOST") or "0.0.0.0",
        http_port=int(_number(values, "OPSBOT_HTTP_PORT", 3000, 1, 65535)),
        slack=_slack_settings(values),
        sources=_source_settings(values),
        brief=_brief_settings(values),
        plugin_options=_plugin_options(given, declared),
        environ={name: value for name in (*VARIABLES, *declared) if (value := given.get(name))},
    )


def _plugin_variables() -> list[str]:
    """The variables the installed data-source plugins declare (each documents its own)."""
    return [name for source in installed_data_sources() for name in source.settings]


def _plugin_options(given: Mapping[str, str | None], declared: list[str]) -> dict[str, str]:
    """The ``declared`` plugin variables that are set."""
    return {name: value for name in declared if (value := (given.get(name) or "").strip())}
