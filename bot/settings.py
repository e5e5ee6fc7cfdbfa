"""Settings read from the environment (and an optional `.env`), validated once at start-up.

Every error names the variable, so that a mistyped deployment fails with a message an
operator can act on instead of a traceback.

`SECRET_KEY` keys every HMAC of the app: reply-link token hashes, verification-code hashes,
phone-number hashes and the signed form (CSRF) tokens of the reply pages. It must stay the
same across restarts and replicas, so a start with a Telegram token refuses to run without
one. Rotation: move the old key to `SECRET_KEY_PREVIOUS` and set a new `SECRET_KEY`.
Everything is then signed and hashed with the new key, and checked under both:

- form tokens signed with the previous key are accepted until they expire (8 hours);
- a reply link or a verification code found under the previous key's hash is re-hashed to
  the new key when it is used, so links issued before the rotation keep working until they
  expire (`REPLY_LINK_DAYS`), also after the next rotation if they were opened meanwhile;
- phone hashes are only written (always with the current key) and only tested for
  presence, so one stored under the previous key still counts as a shared number; it is
  re-hashed when the resident shares the number again.

Keep `SECRET_KEY_PREVIOUS` until the links and unused codes issued before the rotation
have expired (or been re-issued); after that, drop it.

`CONTACT_KEY` encrypts the contacts of residents who proposed offline and agreed to be called
back (bot/services/contact_vault.py). It is a separate key so that the one that opens personal
data can be kept apart from the one that signs links; like `SECRET_KEY` it is required with
a Telegram token and generated once into a file for the sandbox.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.domain.complaints import DEFAULT_PERIODS, parse_periods
from bot.domain.digest import parse_digest_time
from bot.domain.kakao import LOOPBACK_HOSTS, SKILL_TIMEOUT_SECONDS, KakaoChannel
from bot.domain.pacing import SendLimits
from bot.domain.places import AreaCentre, District, GeoPoint, parse_centres
from bot.domain.policy import Policy
from bot.domain.quiet_hours import QuietHours
from bot.domain.venues import Venues
from bot.texting.config import TextMessaging, text_messaging

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
# Approximate centre points of the sample district's 동 (near each 주민센터), for the 동 a
# shared place suggests; deployments with their own AREAS set AREA_CENTRES too.
DEFAULT_AREA_CENTRES = tuple(AreaCentre(name, GeoPoint(lat, lon)) for name, lat, lon in (
    ("신도림동", 37.5085, 126.8840), ("구로1동", 37.4900, 126.8716),
    ("구로2동", 37.4943, 126.8828), ("구로3동", 37.4840, 126.8962),
    ("구로4동", 37.4905, 126.8795), ("구로5동", 37.4993, 126.8850),
    ("가리봉동", 37.4830, 126.8875), ("고척1동", 37.5030, 126.8600),
    ("고척2동", 37.4985, 126.8555), ("개봉1동", 37.4930, 126.8560),
    ("개봉2동", 37.4895, 126.8480), ("개봉3동", 37.4980, 126.8490),
    ("오류1동", 37.4945, 126.8440), ("오류2동", 37.4905, 126.8355),
    ("수궁동", 37.4985, 126.8290), ("항동", 37.4800, 126.8240),
))
SANDBOX_TOKEN = "123456:SANDBOX-TOKEN"
SANDBOX_KAKAO_SECRET = "sandbox-kakao-skill-secret"  # the sandbox's skill header, local only
SANDBOX_KAKAO_BOT_ID = "gonggam-sandbox"
MIN_SECRET_LENGTH = 32
SANDBOX_KEY_SUFFIX = ".secret-key"
SANDBOX_CONTACT_KEY_SUFFIX = ".contact-key"
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """All runtime configuration of 공감."""

    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    public_base_url: str = Venues.public_base_url
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    # False when SECRET_KEY was not set and the key above is generated (see module docstring)
    secret_key_configured: bool = False
    secret_key_previous: str | None = field(default=None, repr=False)
    # encrypts callback contacts (offline proposals); generated while not configured
    contact_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    contact_key_configured: bool = False
    admin_telegram_ids: frozenset[int] = frozenset()
    host: str = "127.0.0.1"
    port: int = 8080
    sandbox_port: int = 8081
    webhook_secret: str | None = field(default=None, repr=False)
    # the district's rules: thresholds, windows, moderation, quiet hours, time zone
    policy: Policy = Policy()
    log_level: str = "INFO"
    moderator_chat_id: int | None = None
    staff_private_queue: bool = Venues.staff_private_queue
    areas: tuple[str, ...] = DEFAULT_AREAS
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    # a proposal's place: the 동 centre points, and how near one a place suggests its 동
    area_centres: tuple[AreaCentre, ...] = DEFAULT_AREA_CENTRES
    area_centre_max_km: float = 1.5
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "no-reply@gonggam.local"
    # outbox: sends in flight at once (also the most rows claimed at once, hence the most
    # pushes a crash may repeat) and how long a claim holds without its heartbeat
    outbox_concurrency: int = 8
    outbox_lease_seconds: int = 30
    # Telegram's limits for the whole bot (shared by every replica on PostgreSQL)
    send_limits: SendLimits = SendLimits()
    # debates: where invitations are posted, and the forum supergroup that mirrors debates
    public_channel_id: int | None = None
    debate_forum_chat_id: int | None = None
    # this process's stable identity (WORKER_ID): after a crash, the restarted process takes
    # back at once what it had claimed (stored updates, outbox rows) instead of waiting
    worker_id: str = field(default_factory=lambda: default_worker_id())
    # http: proxies whose X-Forwarded-For is believed, the /metrics token, idle connections
    trusted_proxies: tuple[IPNetwork, ...] = ()
    metrics_token: str | None = field(default=None, repr=False)
    http_idle_timeout: float = 15.0
    # the KakaoTalk channel (KAKAO_*): off while KAKAO_SKILL_SECRET is not set
    kakao: KakaoChannel = KakaoChannel()
    # 알림톡/SMS for residents not on Telegram (TEXT_*, NHN_ALIMTALK_*; bot/texting/config.py)
    texts: TextMessaging = TextMessaging()

    @property
    def is_sandbox(self) -> bool:
        """True when no Telegram token is configured: the local sandbox is used."""
        return not self.telegram_bot_token

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def venues(self) -> Venues:
        """Where the bot publishes and what its links point to, built from the four settings."""
        return Venues(
            public_base_url=self.public_base_url,
            moderator_chat_id=self.moderator_chat_id,
            staff_private_queue=self.staff_private_queue,
            public_channel_id=self.public_channel_id,
            debate_forum_chat_id=self.debate_forum_chat_id,
        )

    @property
    def district(self) -> District:
        """Where the district is: the places a proposal may carry and the 동 they suggest."""
        return District(self.area_centres, suggest_within_km=self.area_centre_max_km)

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The current key first, then the previous one during a rotation."""
        if self.secret_key_previous is None:
            return (self.secret_key,)
        return (self.secret_key, self.secret_key_previous)


def default_worker_id() -> str:
    """The host name: one process per host (or container) is the common deployment; replicas
    on one host set WORKER_ID each."""
    return socket.gethostname() or "gonggam"


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Build settings from `environ` (default: the process) over an optional `.env` file."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return _parse(values)


def _check_tiers(policy: Policy) -> None:
    """A tier above the 공감 threshold must lie above it (bot/domain/tiers.py)."""
    tiers = (("DEBATE_AUTO_THRESHOLD", policy.debate_auto_threshold),
             ("HEAD_ANSWER_THRESHOLD", policy.head_answer_threshold))
    for name, count in tiers:
        if count is not None and count <= policy.endorsement_threshold:
            raise SettingsError(f"{name}={count} must be above ENDORSEMENT_THRESHOLD="
                                f"{policy.endorsement_threshold}: it is a higher tier")


def _parse(env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        raw = env.get(name)
        return raw.strip() if raw and raw.strip() else None

    def typed(name: str, parse: Callable[[str], T], default: T, *, secret: bool = False) -> T:
        raw = get(name)
        if raw is None:
            return default
        try:
            return parse(raw)
        except (ValueError, ZoneInfoNotFoundError) as error:
            shown = name if secret else f"{name}={raw!r}"  # a secret is never echoed
            raise SettingsError(f"{shown} is invalid: {error}") from None

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
        pre_moderation=typed("PRE_MODERATION", _flag, False),
        report_hide_threshold=typed("REPORT_HIDE_THRESHOLD", _positive_int, 3),
        endorsement_requires_contact=typed("ENDORSEMENT_REQUIRES", _requirement, False),
        head_answer_threshold=typed("HEAD_ANSWER_THRESHOLD", _positive_int, None),
        head_answer_days=typed("HEAD_ANSWER_DAYS", _positive_int, None),
        debate_auto_threshold=typed("DEBATE_AUTO_THRESHOLD", _positive_int, None),
        reply_link_days=typed("REPLY_LINK_DAYS", _positive_int, 60),
        milestone_reminder_days=typed("MILESTONE_REMINDER_DAYS", _positive_int, 7),
        progress_update_days=typed("PROGRESS_UPDATE_DAYS", _positive_int, 30),
        recommendation_response_days=typed("RECOMMENDATION_RESPONSE_DAYS", _positive_int, 30),
        complaint_periods=typed("COMPLAINT_PERIODS", parse_periods, DEFAULT_PERIODS),
        quiet_hours=typed("QUIET_HOURS", QuietHours.parse, defaults.policy.quiet_hours),
        daily_digest_at=typed("DAILY_DIGEST_AT", parse_digest_time,
                              defaults.policy.daily_digest_at),
        timezone=typed("TIMEZONE", ZoneInfo, defaults.policy.timezone),
    )
    _check_tiers(policy)
    token = get("TELEGRAM_BOT_TOKEN")
    if token is not None and ":" not in token:
        raise SettingsError("TELEGRAM_BOT_TOKEN looks wrong: expected '<bot id>:<secret>'")
    secret_key = typed("SECRET_KEY", _secret_key, None, secret=True)
    previous_key = typed("SECRET_KEY_PREVIOUS", _secret_key, None, secret=True)
    if previous_key is not None and secret_key in (None, previous_key):
        raise SettingsError(
            "SECRET_KEY_PREVIOUS needs a different SECRET_KEY: put the new key in SECRET_KEY "
            "and the old one in SECRET_KEY_PREVIOUS"
        )
    contact_key = typed("CONTACT_KEY", _secret_key, None, secret=True)
    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=typed("TELEGRAM_API_BASE_URL", _http_url, None),
        database_url=typed("DATABASE_URL", _database_url, defaults.database_url),
        public_base_url=typed("PUBLIC_BASE_URL", _http_url, None) or defaults.public_base_url,
        secret_key=secret_key or secrets.token_hex(32),
        secret_key_configured=secret_key is not None,
        secret_key_previous=previous_key,
        contact_key=contact_key or secrets.token_hex(32),
        contact_key_configured=contact_key is not None,
        admin_telegram_ids=typed("ADMIN_TELEGRAM_IDS", _id_set, frozenset()),
        host=get("HOST") or defaults.host,
        port=typed("PORT", _port, defaults.port),
        sandbox_port=typed("SANDBOX_PORT", _port, defaults.sandbox_port),
        webhook_secret=typed("WEBHOOK_SECRET", _webhook_secret, None, secret=True),
        policy=policy,
        log_level=typed("LOG_LEVEL", _log_level, defaults.log_level),
        moderator_chat_id=typed("MODERATOR_CHAT_ID", int, None),
        staff_private_queue=typed("STAFF_PRIVATE_QUEUE", _flag, defaults.staff_private_queue),
        areas=typed("AREAS", _name_list, DEFAULT_AREAS),
        categories=typed("CATEGORIES", _name_list, DEFAULT_CATEGORIES),
        area_centres=_area_centres(env, typed("AREAS", _name_list, DEFAULT_AREAS)),
        area_centre_max_km=typed("AREA_CENTRE_MAX_KM", _kilometres, 1.5),
        smtp_url=typed("SMTP_URL", _smtp_url, None, secret=True),
        mail_from=get("MAIL_FROM") or "no-reply@gonggam.local",
        outbox_concurrency=typed(
            "OUTBOX_CONCURRENCY", _concurrency, defaults.outbox_concurrency
        ),
        outbox_lease_seconds=typed(
            "OUTBOX_LEASE_SECONDS", _lease_seconds, defaults.outbox_lease_seconds
        ),
        send_limits=SendLimits(
            global_per_second=typed("SEND_RATE_PER_SECOND", _send_rate, 30.0),
            private_interval=typed("SEND_CHAT_INTERVAL", _seconds, 1.0),
            group_per_minute=typed("SEND_GROUP_PER_MINUTE", _positive_int, 20),
        ),
        public_channel_id=typed("PUBLIC_CHANNEL_ID", int, None),
        debate_forum_chat_id=typed("DEBATE_FORUM_CHAT_ID", int, None),
        worker_id=get("WORKER_ID") or default_worker_id(),
        trusted_proxies=typed("TRUSTED_PROXIES", _networks, ()),
        metrics_token=typed("METRICS_TOKEN", _metrics_token, None, secret=True),
        http_idle_timeout=typed("HTTP_IDLE_TIMEOUT", _seconds, defaults.http_idle_timeout),
        kakao=_kakao_channel(
            typed("KAKAO_SKILL_SECRET", _metrics_token, None, secret=True), get("KAKAO_BOT_ID"),
            get("KAKAO_BLOCK_ID"),
            typed("KAKAO_REPLY_WITHIN", _seconds, KakaoChannel.reply_within_seconds)),
        texts=_texts(env),
    )


def _texts(env: Mapping[str, str]) -> TextMessaging:
    try:
        return text_messaging(env)
    except ValueError as error:
        raise SettingsError(str(error)) from None


def _kakao_channel(
    secret: str | None, bot_id: str | None, block_id: str | None, reply_within: float
) -> KakaoChannel:
    """KAKAO_SKILL_SECRET (the skill's header value in the builder), KAKAO_BOT_ID (required
    with it), KAKAO_BLOCK_ID and KAKAO_REPLY_WITHIN (seconds, below Kakao's 5)."""
    if secret is not None and bot_id is None:
        raise SettingsError("KAKAO_SKILL_SECRET needs KAKAO_BOT_ID: the bot id of the builder")
    if reply_within >= SKILL_TIMEOUT_SECONDS:
        raise SettingsError(f"KAKAO_REPLY_WITHIN must be below Kakao's {SKILL_TIMEOUT_SECONDS:g} "
                            "seconds")
    return KakaoChannel(secret, bot_id, block_id, reply_within)


def with_sandbox_kakao(settings: Settings) -> Settings:
    """The sandbox's KakaoTalk channel: on, with a local secret and bot id, unless set."""
    if settings.kakao.enabled:
        return settings
    return replace(settings, kakao=replace(
        settings.kakao, skill_secret=SANDBOX_KAKAO_SECRET, bot_id=SANDBOX_KAKAO_BOT_ID,
        callback_hosts=(*settings.kakao.callback_hosts, *sorted(LOOPBACK_HOSTS))))


def with_sandbox_texts(settings: Settings) -> Settings:
    """The sandbox's 알림톡/SMS: the sandbox provider (it keeps the texts for the page),
    unless a provider is set."""
    if settings.texts.enabled:
        return settings
    return replace(settings, texts=replace(settings.texts, provider="sandbox"))


def require_production_settings(settings: Settings) -> None:
    """Webhook mode must not start without what Telegram and the pages need."""
    missing = [
        name
        for name, value in (
            ("TELEGRAM_BOT_TOKEN", settings.telegram_bot_token),
            ("WEBHOOK_SECRET", settings.webhook_secret),
            ("PUBLIC_BASE_URL", settings.public_base_url.startswith("https://") or None),
            ("SECRET_KEY", settings.secret_key_configured or None),
            ("CONTACT_KEY", settings.contact_key_configured or None),
        )
        if not value
    ]
    if missing:
        raise SettingsError(
            "webhook mode needs " + ", ".join(missing) + " (PUBLIC_BASE_URL must be https://, "
            f"SECRET_KEY and CONTACT_KEY at least {MIN_SECRET_LENGTH} random characters)"
        )


def require_secret_key(settings: Settings) -> None:
    """A start with a real Telegram token needs a SECRET_KEY that outlives the process.

    A key generated per start would break every reply link, verification code and phone
    hash at the next restart, and replicas would reject each other's links.
    """
    if not settings.secret_key_configured:
        raise SettingsError(
            f"SECRET_KEY is required with TELEGRAM_BOT_TOKEN: at least {MIN_SECRET_LENGTH} "
            "random characters, the same on every replica and kept across deploys "
            "(python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if not settings.contact_key_configured:
        raise SettingsError(
            f"CONTACT_KEY is required with TELEGRAM_BOT_TOKEN: at least {MIN_SECRET_LENGTH} "
            "random characters, different from SECRET_KEY, kept across deploys: without it "
            "the contacts of residents waiting for a call-back cannot be read"
        )


def with_sandbox_secret_key(settings: Settings) -> Settings:
    """The sandbox without SECRET_KEY: a key generated once and kept in a file, so that its
    links and codes survive restarts too. The file sits beside the SQLite database
    (`gonggam.sqlite3.secret-key`), or in the working directory for other databases; the
    same for CONTACT_KEY (`gonggam.sqlite3.contact-key`)."""
    if not settings.contact_key_configured:
        contact_key = _read_or_create_key(
            sandbox_key_path(settings.database_url, SANDBOX_CONTACT_KEY_SUFFIX), "CONTACT_KEY")
        settings = replace(settings, contact_key=contact_key, contact_key_configured=True)
    if settings.secret_key_configured:
        return settings
    key = _read_or_create_key(sandbox_key_path(settings.database_url))
    return replace(settings, secret_key=key, secret_key_configured=True)


def sandbox_key_path(database_url: str, suffix: str = SANDBOX_KEY_SUFFIX) -> Path:
    prefix = "sqlite+aiosqlite:///"
    path = database_url[len(prefix):].split("?", 1)[0] if database_url.startswith(prefix) else ""
    if not path or path == ":memory:":
        return Path(".gonggam-sandbox" + suffix)
    return Path(path + suffix)


def _read_or_create_key(path: Path, name: str = "SECRET_KEY") -> str:
    """The key stored at `path`, created (readable by the owner only) when missing."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"the sandbox key file {path} is damaged: delete it or set {name}"
            ) from None
        return key
    except OSError as error:
        raise SettingsError(f"cannot create the sandbox key file {path}: {error}; "
                            f"set {name} instead") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


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


def _concurrency(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 100:
        raise ValueError("must be a whole number from 1 to 100")
    return value


def _send_rate(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 1000:
        raise ValueError("must be a number of messages a second above 0 and at most 1000")
    return value


def _lease_seconds(raw: str) -> int:
    value = int(raw)
    if value < 3:
        raise ValueError("must be at least 3 seconds (the heartbeat renews every third)")
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
    if len(raw) < MIN_SECRET_LENGTH:
        raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters long")
    return raw


def _metrics_token(raw: str) -> str:
    if len(raw) < 16 or any(char.isspace() for char in raw):
        raise ValueError("must be at least 16 characters without spaces")
    return raw


def _seconds(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 3600:
        raise ValueError("must be a number of seconds above 0 and at most 3600")
    return value


def _networks(raw: str) -> tuple[IPNetwork, ...]:
    """TRUSTED_PROXIES: comma-separated addresses or CIDR ranges."""
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in raw.split(",") if part.strip()
        )
    except ValueError:
        raise ValueError(
            "must be a comma-separated list of IP addresses or CIDR ranges, "
            "like 10.0.0.0/8, 127.0.0.1"
        ) from None


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


def _area_centres(env: Mapping[str, str], areas: tuple[str, ...]) -> tuple[AreaCentre, ...]:
    """AREA_CENTRES (`이름:위도:경도`, comma-separated); by default the sample district's, but
    only with its own AREAS: another district's names get none until they are set."""
    raw = (env.get("AREA_CENTRES") or "").strip()
    if not raw:
        return DEFAULT_AREA_CENTRES if areas == DEFAULT_AREAS else ()
    try:
        centres = parse_centres(raw)
    except ValueError as error:
        raise SettingsError(f"AREA_CENTRES is invalid: {error}") from None
    unknown = [c.name for c in centres if c.name not in areas]
    if unknown:
        raise SettingsError(f"AREA_CENTRES names 동 that are not in AREAS: {', '.join(unknown)}")
    return centres


def _kilometres(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 50:
        raise ValueError("must be a number of kilometres above 0 and at most 50")
    return value


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level
