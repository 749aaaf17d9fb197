"""The one typed settings object. Values come from the environment, then from ``.env``; nothing else in
opsbot reads ``os.environ``. Every variable is documented in ``.env.example``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FIXTURES = PROJECT_ROOT / "fixtures" / "demo"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class SettingsError(ValueError):
    """A variable has a value opsbot cannot use; the message names it and the accepted values."""


@dataclass(frozen=True)
class Settings:
    """Everything opsbot can be configured with."""

    data_dir: Path
    database_url: str
    fixtures_dir: Path
    demo_anchor: bool
    log_level: str
    week_start: int = 0  # 0 = Monday … 6 = Sunday

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


def load_settings(env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment) over the ``env_file`` values."""
    values: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        values.update(dotenv_values(env_file))
    values.update(os.environ if environ is None else environ)

    def text(name: str) -> str | None:
        value = values.get(name)
        return value.strip() if value and value.strip() else None

    data_dir = Path(text("OPSBOT_DATA_DIR") or ".opsbot").expanduser()
    log_level = (text("OPSBOT_LOG_LEVEL") or "WARNING").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"OPSBOT_LOG_LEVEL={log_level!r} — use DEBUG, INFO, WARNING or ERROR")
    week_day = (text("OPSBOT_WEEK_START") or "monday").lower()
    if week_day not in WEEKDAYS:
        raise SettingsError(f"OPSBOT_WEEK_START={week_day!r} — use a weekday name such as monday or sunday")
    return Settings(
        data_dir=data_dir,
        database_url=text("DATABASE_URL") or default_database_url(data_dir),
        fixtures_dir=Path(text("OPSBOT_FIXTURES_DIR") or DEFAULT_FIXTURES).expanduser(),
        demo_anchor=_flag(values, "OPSBOT_DEMO_ANCHOR", True),
        log_level=log_level,
        week_start=WEEKDAYS.index(week_day),
    )
