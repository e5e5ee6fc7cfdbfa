"""The KakaoTalk channel's rules: who a Kakao resident is, and the limits of Kakao's bubbles.

A Kakao resident is a 공감 user like a Telegram one. Their `users.telegram_id` is a synthetic
id from a range Telegram can never hand out: Telegram's user ids have at most 52 significant
bits (Bot API, `User.id`), so every id from `KAKAO_ID_BASE` (2**60) upwards is free for us and
still fits the BigInteger column. The handlers see such an id as the private chat of a
resident; the Kakao bridge captures what they send there (bot/kakao/capture.py), and the
outbox holds pushes for it until the resident writes again (a Kakao chatbot cannot write
first; see `bot.kakao.notices`).

The limits are those of Kakao i Open Builder's skill response format (version 2.0): at most 3
outputs in a response, a simpleText of at most 1,000 characters, a textCard or basicCard with
at most 3 buttons, a listCard of at most 5 items and 2 buttons, at most 10 quick replies, and a
button or quick reply label of at most 14 characters. A skill must answer within 5 seconds;
a callback URL (`useCallback`) is valid for 1 minute and once.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from urllib.parse import urlsplit

KAKAO_ID_BASE = 2**60  # synthetic telegram ids of Kakao-only residents start here
TELEGRAM_MAX_ID = 2**52  # Telegram's ids stay below this (at most 52 significant bits)
UPDATE_SEQ_BITS = 32  # a Kakao turn's synthetic update id: -(account << 32 | turn)

MAX_OUTPUTS = 3
MAX_SIMPLE_TEXT = 1000
MAX_CARD_TITLE = 50
MAX_TEXT_CARD_DESCRIPTION = 400
MAX_BASIC_CARD_DESCRIPTION = 230
MAX_CARD_BUTTONS = 3
MAX_LIST_ITEMS = 5
MAX_LIST_BUTTONS = 2
MAX_QUICK_REPLIES = 10
MAX_LABEL = 14
SKILL_TIMEOUT_SECONDS = 5.0
SECRET_HEADER = "X-Gonggam-Kakao-Secret"
ELLIPSIS = "…"
KAKAO_CALLBACK_HOSTS = ("kakao.com",)  # where Kakao's one-time callback URLs live
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class KakaoChannel:
    """The KakaoTalk channel's settings (`KAKAO_*`): off while no skill secret is set.

    `skill_secret` is the value of the `X-Gonggam-Kakao-Secret` header configured on the
    skill in the Open Builder (스킬 → 헤더 값 입력); `bot_id` is the builder's bot id, which
    every request carries as `bot.id`; `block_id` is the block that calls the skill, where
    button presses go back to (without it a button sends its label as a message, which the
    bridge recognises);
    `reply_within_seconds` is how long a request may take before the answer goes through the
    callback URL instead (Kakao gives up after 5 seconds); `callback_hosts` are the hosts (and
    their subdomains) a callback URL may name: the bot posts a resident's answer there, so an
    address inside the district's network must never be one.
    """

    skill_secret: str | None = field(default=None, repr=False)
    bot_id: str | None = None
    block_id: str | None = None
    reply_within_seconds: float = 3.5
    callback_hosts: tuple[str, ...] = KAKAO_CALLBACK_HOSTS

    @property
    def enabled(self) -> bool:
        return self.skill_secret is not None

    def accepts_callback(self, url: str) -> bool:
        """True for an https URL on an allowed host (http too for a loopback host listed,
        as the sandbox and the tests use)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        allowed = any(host == name or host.endswith("." + name) for name in self.callback_hosts)
        return allowed and (parts.scheme == "https"
                            or (parts.scheme == "http" and host in LOOPBACK_HOSTS))


def is_kakao_chat(chat_id: int) -> bool:
    """True for the synthetic chat of a Kakao-only resident (never a Telegram chat)."""
    return chat_id >= KAKAO_ID_BASE


def synthetic_update_id(account_id: int, turn: int) -> int:
    """A Kakao turn's update id: negative, so it never meets Telegram's (which are not), and
    unique per account and turn; the Telegram intake refuses negative ids, so it never stores
    one of these as Telegram's."""
    return -((account_id << UPDATE_SEQ_BITS) | (turn % (1 << UPDATE_SEQ_BITS)))


def shortened(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def split_text(text: str, limit: int = MAX_SIMPLE_TEXT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def kakao_key_hash(bot_user_key: str, secret_key: str) -> str:
    """The keyed hash under which a botUserKey is stored (the key itself never is)."""
    digest = hmac.new(secret_key.encode(), b"kakao-user:" + bot_user_key.encode(), "sha256")
    return digest.hexdigest()
