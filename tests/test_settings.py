"""The settings object: environment over .env, defaults, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_FIXTURES, DEFAULT_MODEL, SettingsError, load_settings


def test_defaults_use_a_sqlite_file_in_the_data_directory(tmp_path):
    settings = load_settings(env_file=tmp_path / "missing.env", environ={})
    assert settings.data_dir == Path(".opsbot")
    assert settings.database_url == "sqlite:///.opsbot/opsbot.db"
    assert settings.fixtures_dir == DEFAULT_FIXTURES
    assert settings.demo_anchor is True
    assert settings.week_start == 0


def test_the_week_can_start_on_sunday():
    assert load_settings(env_file=None, environ={"OPSBOT_WEEK_START": "Sunday"}).week_start == 6


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "OPSBOT_DATA_DIR=/srv/opsbot\nOPSBOT_DEMO_ANCHOR=false\nDATABASE_URL=sqlite:///a.db\n"
    )
    settings = load_settings(env_file=env_file, environ={"DATABASE_URL": "postgresql://db/ops"})
    assert settings.database_url == "postgresql://db/ops"
    assert settings.data_dir == Path("/srv/opsbot")
    assert settings.demo_anchor is False


def test_a_data_dir_moves_the_default_database(tmp_path):
    settings = load_settings(env_file=None, environ={"OPSBOT_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/opsbot.db"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OPSBOT_DEMO_ANCHOR", "maybe", "OPSBOT_DEMO_ANCHOR='maybe' is not a yes/no value"),
        ("OPSBOT_LOG_LEVEL", "loud", "OPSBOT_LOG_LEVEL='LOUD' — use DEBUG, INFO, WARNING or ERROR"),
        ("OPSBOT_WEEK_START", "someday", "OPSBOT_WEEK_START='someday' — use a weekday name"),
    ],
)
def test_bad_values_name_the_variable(name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env_file=None, environ={name: value})


def test_env_example_documents_every_variable_the_settings_read():
    source = (Path(__file__).parents[1] / "bot" / "settings.py").read_text()
    import re

    read = set(re.findall(r'"((?:OPSBOT|DATABASE|ANTHROPIC|SQUARE|DELIVERECT)_[A-Z_]+)"', source))
    assert {"SQUARE_ACCESS_TOKEN", "DELIVERECT_WEBHOOK_SECRET", "OPSBOT_COMMISSION_RATES_FILE"} <= read
    example = (Path(__file__).parents[1] / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    assert read <= documented
    for name in read:
        assert re.search(rf"^# .+\n#?\s*{name}=", example, flags=re.M), f"{name} has no comment"


def test_model_settings_default_to_haiku_and_read_every_knob():
    default = load_settings(env_file=None, environ={}).model
    assert (default.name, default.api_key, default.base_url) == (DEFAULT_MODEL, None, None)
    assert (default.max_tokens, default.timeout_seconds, default.max_retries, default.max_steps) == (
        2048,
        60,
        2,
        8,
    )
    model = load_settings(
        env_file=None,
        environ={
            "ANTHROPIC_API_KEY": " sk-test ",
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:9999",
            "OPSBOT_MODEL": "claude-sonnet-4-6",
            "OPSBOT_MAX_TOKENS": "1000",
            "OPSBOT_MODEL_TIMEOUT": "2.5",
            "OPSBOT_MODEL_RETRIES": "0",
            "OPSBOT_MAX_STEPS": "3",
            "OPSBOT_CONTEXT_BUDGET": "9000",
        },
    ).model
    assert model.api_key == "sk-test"
    assert model.base_url == "http://127.0.0.1:9999"
    assert (model.name, model.max_tokens, model.timeout_seconds, model.max_retries) == (
        "claude-sonnet-4-6",
        1000,
        2.5,
        0,
    )
    assert (model.max_steps, model.context_budget_tokens) == (3, 9000)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OPSBOT_MAX_STEPS", "many", "OPSBOT_MAX_STEPS='many' is not a number"),
        ("OPSBOT_MAX_STEPS", "0", "OPSBOT_MAX_STEPS='0' is out of range — use a value from 1 to 50"),
        ("OPSBOT_MODEL_TIMEOUT", "-1", "OPSBOT_MODEL_TIMEOUT='-1' is out of range"),
    ],
)
def test_bad_model_numbers_name_the_variable(name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env_file=None, environ={name: value})


def test_live_sources_are_off_without_credentials():
    sources = load_settings(env_file=None, environ={}).sources
    assert sources.configured == []
    assert sources.square.environment == "production"
    assert sources.square.sync_interval_minutes == 15
    assert (sources.trailing_hours, sources.initial_days, sources.retries) == (72, 30, 4)
    assert sources.deliverect.base_url == "https://api.deliverect.com"
    assert sources.commission_rates_file is None


def test_live_source_settings_are_read():
    sources = load_settings(
        env_file=None,
        environ={
            "SQUARE_ACCESS_TOKEN": " EAAA-token ",
            "SQUARE_ENVIRONMENT": "Sandbox",
            "SQUARE_LOCATION_IDS": "L1, L2,",
            "SQUARE_SYNC_INTERVAL_MINUTES": "0",
            "DELIVERECT_CLIENT_ID": "id",
            "DELIVERECT_CLIENT_SECRET": "secret",
            "DELIVERECT_BASE_URL": "https://api.staging.deliverect.com/",
            "DELIVERECT_LOCATIONS": "d1=L1, d2=L2",
            "OPSBOT_COMMISSION_RATES_FILE": "rates.json",
            "OPSBOT_SYNC_TRAILING_HOURS": "24",
        },
    ).sources
    assert sources.configured == ["square", "deliverect"]
    assert (sources.square.access_token, sources.square.environment) == ("EAAA-token", "sandbox")
    assert sources.square.location_ids == ("L1", "L2")
    assert sources.square.sync_interval_minutes == 0
    assert sources.deliverect.base_url == "https://api.staging.deliverect.com"
    assert sources.deliverect.locations == {"d1": "L1", "d2": "L2"}
    assert sources.commission_rates_file == Path("rates.json")
    assert sources.trailing_hours == 24


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SQUARE_ENVIRONMENT", "staging", "SQUARE_ENVIRONMENT='staging' — use production or sandbox"),
        ("DELIVERECT_LOCATIONS", "d1:L1", "DELIVERECT_LOCATIONS: 'd1:L1' is not a pair"),
        ("OPSBOT_SYNC_TRAILING_HOURS", "-1", "OPSBOT_SYNC_TRAILING_HOURS='-1' is out of range"),
    ],
)
def test_bad_live_source_values_name_the_variable(name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env_file=None, environ={name: value})
