"""Settings read from the environment (and an optional `.env`), validated once at start-up.

Every error names the variable, so that a mistyped deployment fails with a message an
operator can act on instead of a traceback.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.domain.quiet_hours import QuietHours

T = TypeVar("T")

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///gonggam.sqlite3"
# A sample district (구로구); deployments set AREAS and CATEGORIES for their own 구.
DEFAULT_AREAS = (
    "신도림동", "구로1동", "구로2동", "구로3동", "구로4동", "구로5동", "가리봉동", "고척1동",
    "고척2동", "개봉1동", "개봉2동", "개봉3동", "오류1동", "오류2동", "수궁동", "항동",
)
DEFAULT_CATEGORIES = (
    "교통·주차", "환경·청소", "안전·방범", "복지·건강", "문화·체육", "교육·보육", "공원·녹지",
    "도시·주택", "경제·일자리", "행정", "기타",
)
SANDBOX_TOKEN = "123456:SANDBOX-TOKEN"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Policy:
    """The numbers that shape the proposal lifecycle (DESIGN.md §3)."""

    endorsement_threshold: int = 50
    collection_days: int = 30
    review_days: int = 14
    debate_days: int = 30
    answer_days: int = 30
    closing_soon_days: int = 3
    closing_soon_below_percent: int = 80
    almost_there_percent: int = 10
    daily_proposal_limit: int = 3


@dataclass(frozen=True)
class Settings:
    """All runtime configuration of 공감."""

    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    public_base_url: str = "http://127.0.0.1:8080"
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    admin_telegram_ids: frozenset[int] = frozenset()
    timezone: ZoneInfo = ZoneInfo("Asia/Seoul")
    host: str = "127.0.0.1"
    port: int = 8080
    sandbox_port: int = 8081
    webhook_secret: str | None = field(default=None, repr=False)
    quiet_hours: QuietHours = QuietHours()
    policy: Policy = Policy()
    log_level: str = "INFO"
    pre_moderation: bool = False
    endorsement_requires_contact: bool = False
    moderator_chat_id: int | None = None
    areas: tuple[str, ...] = DEFAULT_AREAS
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    head_answer_threshold: int | None = None
    reply_link_days: int = 60
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "no-reply@gonggam.local"
    dissatisfaction_percent: int = 30
    dissatisfaction_min_responses: int = 10
    # debates: where invitations are posted, and the forum supergroup that mirrors debates
    public_channel_id: int | None = None
    debate_forum_chat_id: int | None = None
    # moderation: reports from this many different people hide a proposal or an opinion
    report_hide_threshold: int = 3

    @property
    def is_sandbox(self) -> bool:
        """True when no Telegram token is configured: the local sandbox is used."""
        return not self.telegram_bot_token

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Build settings from `environ` (default: the process) over an optional `.env` file."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return _parse(values)


def _parse(env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        raw = env.get(name)
        return raw.strip() if raw and raw.strip() else None

    def typed(name: str, parse: Callable[[str], T], default: T) -> T:
        raw = get(name)
        if raw is None:
            return default
        try:
            return parse(raw)
        except (ValueError, ZoneInfoNotFoundError) as error:
            raise SettingsError(f"{name}={raw!r} is invalid: {error}") from None

    defaults = Settings(secret_key="")
    policy = Policy(
        endorsement_threshold=typed("ENDORSEMENT_THRESHOLD", _positive_int, 50),
        collection_days=typed("COLLECTION_DAYS", _positive_int, 30),
        review_days=typed("REVIEW_DAYS", _positive_int, 14),
        debate_days=typed("DEBATE_DAYS", _positive_int, 30),
        answer_days=typed("ANSWER_DAYS", _positive_int, 30),
        daily_proposal_limit=typed("DAILY_PROPOSAL_LIMIT", _positive_int, 3),
        closing_soon_days=typed("CLOSING_SOON_DAYS", _positive_int, 3),
        closing_soon_below_percent=typed("CLOSING_SOON_BELOW_PERCENT", _percent, 80),
        almost_there_percent=typed("ALMOST_THERE_PERCENT", _percent, 10),
    )
    token = get("TELEGRAM_BOT_TOKEN")
    if token is not None and ":" not in token:
        raise SettingsError("TELEGRAM_BOT_TOKEN looks wrong: expected '<bot id>:<secret>'")
    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=typed("TELEGRAM_API_BASE_URL", _http_url, None),
        database_url=typed("DATABASE_URL", _database_url, defaults.database_url),
        public_base_url=typed("PUBLIC_BASE_URL", _http_url, None) or defaults.public_base_url,
        secret_key=typed("SECRET_KEY", _secret_key, None) or secrets.token_hex(32),
        admin_telegram_ids=typed("ADMIN_TELEGRAM_IDS", _id_set, frozenset()),
        timezone=typed("TIMEZONE", ZoneInfo, defaults.timezone),
        host=get("HOST") or defaults.host,
        port=typed("PORT", _port, defaults.port),
        sandbox_port=typed("SANDBOX_PORT", _port, defaults.sandbox_port),
        webhook_secret=typed("WEBHOOK_SECRET", _webhook_secret, None),
        quiet_hours=typed("QUIET_HOURS", QuietHours.parse, defaults.quiet_hours),
        policy=policy,
        log_level=typed("LOG_LEVEL", _log_level, defaults.log_level),
        pre_moderation=typed("PRE_MODERATION", _flag, False),
        endorsement_requires_contact=typed("ENDORSEMENT_REQUIRES", _requirement, False),
        moderator_chat_id=typed("MODERATOR_CHAT_ID", int, None),
        areas=typed("AREAS", _name_list, DEFAULT_AREAS),
        categories=typed("CATEGORIES", _name_list, DEFAULT_CATEGORIES),
        head_answer_threshold=typed("HEAD_ANSWER_THRESHOLD", _positive_int, None),
        reply_link_days=typed("REPLY_LINK_DAYS", _positive_int, 60),
        smtp_url=typed("SMTP_URL", _smtp_url, None),
        mail_from=get("MAIL_FROM") or "no-reply@gonggam.local",
        public_channel_id=typed("PUBLIC_CHANNEL_ID", int, None),
        debate_forum_chat_id=typed("DEBATE_FORUM_CHAT_ID", int, None),
        report_hide_threshold=typed("REPORT_HIDE_THRESHOLD", _positive_int, 3),
    )


def require_production_settings(settings: Settings) -> None:
    """Webhook mode must not start without what Telegram and the pages need."""
    missing = [
        name
        for name, value in (
            ("TELEGRAM_BOT_TOKEN", settings.telegram_bot_token),
            ("WEBHOOK_SECRET", settings.webhook_secret),
            ("PUBLIC_BASE_URL", settings.public_base_url.startswith("https://") or None),
        )
        if not value
    ]
    if missing:
        raise SettingsError(
            "webhook mode needs " + ", ".join(missing) + " (PUBLIC_BASE_URL must be https://)"
        )


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _percent(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 100:
        raise ValueError("must be a whole number from 1 to 100")
    return value


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 65535:
        raise ValueError("must be between 0 and 65535")
    return value


def _http_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


def _database_url(raw: str) -> str:
    if raw.startswith("postgres://") or raw.startswith("postgresql://"):
        return "postgresql+asyncpg://" + raw.split("://", 1)[1]
    if raw.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + raw.split("://", 1)[1]
    if raw.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return raw
    raise ValueError("must start with postgresql:// or sqlite://")


def _secret_key(raw: str) -> str:
    if len(raw) < 32:
        raise ValueError("must be at least 32 characters long")
    return raw


def _webhook_secret(raw: str) -> str:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    if not 1 <= len(raw) <= 256 or not set(raw) <= allowed:
        raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return raw


def _id_set(raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise ValueError("must be a comma-separated list of numeric Telegram ids") from None


def _smtp_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("must look like smtp://user:password@host:port")
    return raw


def _flag(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0")


def _requirement(raw: str) -> bool:
    """ENDORSEMENT_REQUIRES: `contact` (share a phone number once) or `none`."""
    if raw.lower() not in ("contact", "none"):
        raise ValueError("must be 'contact' or 'none'")
    return raw.lower() == "contact"


def _name_list(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not names or any(len(name) > 40 for name in names):
        raise ValueError("must be a comma-separated list of names of at most 40 characters")
    return names


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level
