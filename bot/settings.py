"""The one typed settings object. Values come from the environment, then from ``.env``; nothing else in
opsbot reads ``os.environ``. Every variable is documented in ``.env.example``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FIXTURES = PROJECT_ROOT / "fixtures" / "demo"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


DEFAULT_MODEL = "claude-haiku-4-5"


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
    context_budget_tokens: int = 150_000


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
class Settings:
    """Everything opsbot can be configured with."""

    data_dir: Path
    database_url: str
    fixtures_dir: Path
    demo_anchor: bool
    log_level: str
    week_start: int = 0  # 0 = Monday … 6 = Sunday
    model: ModelSettings = field(default_factory=ModelSettings)
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    slack: SlackSettings = field(default_factory=SlackSettings)

    @property
    def database_is_default(self) -> bool:
        return self.database_url == default_database_url(self.data_dir)


def default_database_url(data_dir: Path) -> str:
    """The SQLite file used when DATABASE_URL is not set."""
    return f"sqlite:///{data_dir / 'opsbot.db'}"


def _flag(values: Mapping[str, str | None], name: str, default: bool) -> bool:
    raw = values.get(name)
    if raw is None:
        return default
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value — use true or false")


def _number(values: Mapping[str, str | None], name: str, default: float, low: float, high: float) -> float:
    raw = (values.get(name) or "").strip()
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
    value = values.get(name)
    return value.strip() if value and value.strip() else None


def _model_settings(values: Mapping[str, str | None]) -> ModelSettings:
    return ModelSettings(
        api_key=_text(values, "ANTHROPIC_API_KEY"),
        base_url=_text(values, "ANTHROPIC_BASE_URL"),
        name=_text(values, "OPSBOT_MODEL") or DEFAULT_MODEL,
        max_tokens=int(_number(values, "OPSBOT_MAX_TOKENS", 2048, 64, 64_000)),
        timeout_seconds=_number(values, "OPSBOT_MODEL_TIMEOUT", 60.0, 0.1, 3600),
        max_retries=int(_number(values, "OPSBOT_MODEL_RETRIES", 2, 0, 10)),
        max_steps=int(_number(values, "OPSBOT_MAX_STEPS", 8, 1, 50)),
        context_budget_tokens=int(_number(values, "OPSBOT_CONTEXT_BUDGET", 150_000, 2_000, 1_000_000)),
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


def load_settings(env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment) over the ``env_file`` values."""
    values: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        values.update(dotenv_values(env_file))
    values.update(os.environ if environ is None else environ)

    data_dir = Path(_text(values, "OPSBOT_DATA_DIR") or ".opsbot").expanduser()
    log_level = (_text(values, "OPSBOT_LOG_LEVEL") or "WARNING").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"OPSBOT_LOG_LEVEL={log_level!r} — use DEBUG, INFO, WARNING or ERROR")
    week_day = (_text(values, "OPSBOT_WEEK_START") or "monday").lower()
    if week_day not in WEEKDAYS:
        raise SettingsError(f"OPSBOT_WEEK_START={week_day!r} — use a weekday name such as monday or sunday")
    return Settings(
        data_dir=data_dir,
        database_url=_text(values, "DATABASE_URL") or default_database_url(data_dir),
        fixtures_dir=Path(_text(values, "OPSBOT_FIXTURES_DIR") or DEFAULT_FIXTURES).expanduser(),
        demo_anchor=_flag(values, "OPSBOT_DEMO_ANCHOR", True),
        log_level=log_level,
        week_start=WEEKDAYS.index(week_day),
        model=_model_settings(values),
        http_host=_text(values, "OPSBOT_HTTP_HOST") or "0.0.0.0",
        http_port=int(_number(values, "OPSBOT_HTTP_PORT", 3000, 1, 65535)),
        slack=_slack_settings(values),
    )
