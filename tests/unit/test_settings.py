"""Settings come from the environment (and .env) and are validated once.

Errors name the variable.
"""

from __future__ import annotations

import stat
from ipaddress import ip_network
from pathlib import Path

import pytest

from bot.domain.pacing import SendLimits
from bot.domain.places import GeoPoint
from bot.domain.policy import Policy
from bot.domain.quiet_hours import QuietHours
from bot.domain.venues import Venues
from bot.settings import (
    DEFAULT_AREA_CENTRES,
    DEFAULT_DATABASE_URL,
    SettingsError,
    load_settings,
    require_production_settings,
    require_secret_key,
    with_sandbox_secret_key,
)


def test_defaults_start_the_sandbox_on_sqlite() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.is_sandbox and settings.is_sqlite
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert str(settings.policy.timezone) == "Asia/Seoul"
    assert settings.policy.endorsement_threshold == 50
    assert (settings.policy.collection_days, settings.policy.review_days) == (30, 14)
    assert (settings.policy.debate_days, settings.policy.answer_days) == (30, 30)
    assert settings.policy.quiet_hours == QuietHours()
    assert len(settings.secret_key) >= 32 and not settings.secret_key_configured
    assert settings.http_idle_timeout == 15.0 and settings.metrics_token is None
    assert settings.trusted_proxies == ()


def test_every_documented_variable_is_read() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9000/bot/",
            "DATABASE_URL": "postgres://u:p@db:5432/gonggam",
            "PUBLIC_BASE_URL": "https://gonggam.example.kr",
            "SECRET_KEY": "k" * 40,
            "ADMIN_TELEGRAM_IDS": "11, 22,33",
            "TIMEZONE": "Asia/Seoul",
            "PORT": "9999",
            "WEBHOOK_SECRET": "abc_DEF-123",
            "ENDORSEMENT_THRESHOLD": "20",
            "COLLECTION_DAYS": "60",
            "REVIEW_DAYS": "10",
            "DEBATE_DAYS": "21",
            "ANSWER_DAYS": "31",
            "QUIET_HOURS": "23:00-07:00",
            "SECRET_KEY_PREVIOUS": "p" * 40,
            "TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1,::1",
            "METRICS_TOKEN": "m" * 24,
            "HTTP_IDLE_TIMEOUT": "7.5",
            "CONTACT_KEY": "c" * 40,
        },
        env_file=None,
    )
    assert settings.secret_keys == ("k" * 40, "p" * 40) and settings.secret_key_configured
    assert settings.trusted_proxies == (
        ip_network("10.0.0.0/8"), ip_network("127.0.0.1/32"), ip_network("::1/128"))
    assert settings.metrics_token == "m" * 24 and settings.http_idle_timeout == 7.5
    assert settings.telegram_api_base_url == "http://127.0.0.1:9000/bot"
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/gonggam"
    assert settings.admin_telegram_ids == frozenset({11, 22, 33})
    assert settings.port == 9999 and settings.webhook_secret == "abc_DEF-123"
    assert settings.policy.endorsement_threshold == 20 and settings.policy.answer_days == 31
    assert settings.policy.quiet_hours == QuietHours.parse("23:00-07:00")
    require_production_settings(settings)


def test_the_district_rules_land_in_the_policy_and_the_chats_in_the_venues() -> None:
    settings = load_settings(
        {
            "PRE_MODERATION": "1",
            "ENDORSEMENT_REQUIRES": "contact",
            "HEAD_ANSWER_THRESHOLD": "500",
            "REPLY_LINK_DAYS": "90",
            "REPORT_HIDE_THRESHOLD": "5",
            "TIMEZONE": "Asia/Tokyo",
            "PUBLIC_BASE_URL": "https://gonggam.example.kr/",
            "MODERATOR_CHAT_ID": "-100",
            "PUBLIC_CHANNEL_ID": "-200",
            "DEBATE_FORUM_CHAT_ID": "-300",
        },
        env_file=None,
    )
    policy = settings.policy
    assert policy.pre_moderation and policy.endorsement_requires_contact
    assert (policy.head_answer_threshold, policy.reply_link_days) == (500, 90)
    assert policy.report_hide_threshold == 5 and str(policy.timezone) == "Asia/Tokyo"
    assert settings.venues == Venues("https://gonggam.example.kr", -100, -200, -300)


def test_without_those_variables_the_rules_and_venues_are_the_defaults() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.policy == Policy() and settings.venues == Venues()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ENDORSEMENT_THRESHOLD", "many"),
        ("COLLECTION_DAYS", "0"),
        ("REVIEW_DAYS", "-3"),
        ("DEBATE_DAYS", "3.5"),
        ("ANSWER_DAYS", "x"),
        ("PORT", "70000"),
        ("TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://localhost/db"),
        ("PUBLIC_BASE_URL", "gonggam.kr"),
        ("TELEGRAM_API_BASE_URL", "ftp://x"),
        ("SECRET_KEY", "short"),
        ("ADMIN_TELEGRAM_IDS", "12,abc"),
        ("WEBHOOK_SECRET", "has spaces!"),
        ("TELEGRAM_BOT_TOKEN", "no-colon"),
        ("QUIET_HOURS", "late"),
        ("ALMOST_THERE_PERCENT", "0"),
        ("CLOSING_SOON_BELOW_PERCENT", "120"),
        ("ENDORSEMENT_REQUIRES", "passport"),
        ("PRE_MODERATION", "maybe"),
        ("SMTP_URL", "mail.example.kr"),
        ("SECRET_KEY_PREVIOUS", "short"),
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("TRUSTED_PROXIES", "proxy.internal"),
        ("METRICS_TOKEN", "short"),
        ("HTTP_IDLE_TIMEOUT", "0"),
        ("HTTP_IDLE_TIMEOUT", "soon"),
        ("SEND_RATE_PER_SECOND", "0"),
        ("SEND_CHAT_INTERVAL", "-1"),
        ("SEND_GROUP_PER_MINUTE", "many"),
    ],
)
def test_an_invalid_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, env_file=None)


def test_telegrams_limits_are_settings_with_telegrams_values_by_default() -> None:
    assert load_settings({}, env_file=None).send_limits == SendLimits(30, 1.0, 20)
    limits = load_settings({"SEND_RATE_PER_SECOND": "25", "SEND_CHAT_INTERVAL": "1.5",
                            "SEND_GROUP_PER_MINUTE": "15"}, env_file=None).send_limits
    assert limits == SendLimits(global_per_second=25, private_interval=1.5, group_per_minute=15)


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ENDORSEMENT_THRESHOLD=30\nDEBATE_DAYS=14\n", encoding="utf-8")
    settings = load_settings({"DEBATE_DAYS": "20"}, env_file=env_file)
    assert settings.policy.endorsement_threshold == 30
    assert settings.policy.debate_days == 20


def test_webhook_mode_requires_token_secret_and_https() -> None:
    with pytest.raises(SettingsError) as error:
        require_production_settings(load_settings({}, env_file=None))
    assert "TELEGRAM_BOT_TOKEN" in str(error.value) and "WEBHOOK_SECRET" in str(error.value)


@pytest.mark.parametrize("name", ["SECRET_KEY", "SECRET_KEY_PREVIOUS", "WEBHOOK_SECRET",
                                  "METRICS_TOKEN", "CONTACT_KEY"])
def test_a_rejected_secret_is_named_but_never_echoed(name: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({name: "tiny!secret"}, env_file=None)
    assert name in str(error.value) and "tiny!secret" not in str(error.value)


@pytest.mark.parametrize("environ", [
    {"SECRET_KEY_PREVIOUS": "p" * 40},
    {"SECRET_KEY": "k" * 40, "SECRET_KEY_PREVIOUS": "k" * 40},
])
def test_a_previous_key_needs_a_different_current_key(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY_PREVIOUS"):
        load_settings(environ, env_file=None)


def test_webhook_mode_and_a_real_token_require_a_secret_key() -> None:
    production = {"TELEGRAM_BOT_TOKEN": "123:abc", "WEBHOOK_SECRET": "abc",
                  "PUBLIC_BASE_URL": "https://gonggam.example.kr"}
    without = load_settings(production, env_file=None)
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        require_production_settings(without)
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        require_secret_key(without)
    with_secret = load_settings(production | {"SECRET_KEY": "k" * 40}, env_file=None)
    with pytest.raises(SettingsError, match="CONTACT_KEY"):
        require_secret_key(with_secret)
    with_key = load_settings(production | {"SECRET_KEY": "k" * 40, "CONTACT_KEY": "c" * 40},
                             env_file=None)
    require_production_settings(with_key)
    require_secret_key(with_key)


def test_the_sandbox_key_is_kept_beside_the_database_across_restarts(tmp_path: Path) -> None:
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'play.sqlite3'}"}
    first = with_sandbox_secret_key(load_settings(environ, env_file=None))
    second = with_sandbox_secret_key(load_settings(environ, env_file=None))
    key_file = tmp_path / "play.sqlite3.secret-key"
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert first.contact_key == second.contact_key != first.secret_key
    assert (tmp_path / "play.sqlite3.contact-key").read_text(encoding="ascii").strip() == (
        first.contact_key)
    assert key_file.read_text(encoding="ascii").strip() == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_configured_key_is_used_as_it_is_and_no_file_is_written(tmp_path: Path) -> None:
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'play.sqlite3'}", "SECRET_KEY": "k" * 40,
               "CONTACT_KEY": "c" * 40}
    settings = with_sandbox_secret_key(load_settings(environ, env_file=None))
    assert settings.secret_key == "k" * 40 and settings.contact_key == "c" * 40
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_sandbox_key_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "play.sqlite3.secret-key").write_text("short\n", encoding="ascii")
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'play.sqlite3'}"}
    with pytest.raises(SettingsError, match="secret-key"):
        with_sandbox_secret_key(load_settings(environ, env_file=None))



def test_area_centres_are_read_checked_and_default_only_for_the_sample_district() -> None:
    assert load_settings({}, env_file=None).area_centres == DEFAULT_AREA_CENTRES
    own = load_settings({"AREAS": "역삼1동,역삼2동"}, env_file=None)
    assert own.area_centres == () and own.district.nearest_area(GeoPoint(37.5, 127.03)) is None
    set_ = load_settings({"AREAS": "역삼1동,역삼2동", "AREA_CENTRE_MAX_KM": "0.8",
                          "AREA_CENTRES": "역삼1동:37.4953:127.0330"}, env_file=None)
    assert set_.district.nearest_area(GeoPoint(37.4960, 127.0335)) == "역삼1동"
    assert set_.district.suggest_within_km == 0.8
    for environ in ({"AREA_CENTRES": "역삼1동:37.4953:127.0330"},  # not one of AREAS
                    {"AREA_CENTRES": "구로1동:91:126.87"}, {"AREA_CENTRE_MAX_KM": "0"}):
        with pytest.raises(SettingsError, match="AREA_CENTRE"):
            load_settings(environ, env_file=None)


def test_the_higher_tiers_are_read_and_off_by_default() -> None:
    policy = load_settings({"HEAD_ANSWER_THRESHOLD": "1000", "HEAD_ANSWER_DAYS": "20",
                            "DEBATE_AUTO_THRESHOLD": "100"}, env_file=None).policy
    assert (policy.head_answer_threshold, policy.head_answer_days) == (1000, 20)
    assert policy.debate_auto_threshold == 100
    default = load_settings({}, env_file=None).policy
    assert (default.head_answer_days, default.debate_auto_threshold) == (None, None)
    with pytest.raises(SettingsError, match="DEBATE_AUTO_THRESHOLD"):
        load_settings({"DEBATE_AUTO_THRESHOLD": "0"}, env_file=None)
    with pytest.raises(SettingsError, match="HEAD_ANSWER_THRESHOLD=50 must be above"):
        load_settings({"HEAD_ANSWER_THRESHOLD": "50"}, env_file=None)
