"""Linking a KakaoTalk account and a Telegram account into one 공감 user: the pure rules.

One account shows a one-time six-digit code (`/link` in Telegram, 「연결」 in KakaoTalk), the
other enters it (`/link 123456`, 「연결 123456」). The code is kept only as a keyed hash, is
valid for `CODE_LIFETIME` and is used once.

Histories are never merged. Of the two users, the one without activity gives way:

- the Kakao side has none: the Kakao account moves to the Telegram user
  (`KAKAO_JOINS_TELEGRAM`), and the synthetic Kakao user is deleted;
- only the Kakao side has some: the Telegram id moves onto the Kakao user
  (`TELEGRAM_JOINS_KAKAO`), and the Telegram user without activity is deleted;
- both have some: the link is refused (`None`).

Either way the survivor has a real Telegram id, so its pushes go to Telegram, and a Kakao turn
runs as that Telegram user.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta
from enum import StrEnum

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
# What a KakaoTalk resident types (no commands there): 「연결」, 「연결 123456」, 「연결 해제」.
UNLINK_UTTERANCE = re.compile(r"^\s*연결\s*해제\s*$")
LINK_UTTERANCE = re.compile(r"^\s*연결(?!\s*해제\s*$)(?:\s+(?P<code>\S.*?))?\s*$")


class Join(StrEnum):
    """Which side gives way when two accounts are linked."""

    KAKAO_JOINS_TELEGRAM = "kakao_joins_telegram"
    TELEGRAM_JOINS_KAKAO = "telegram_joins_kakao"


def join_for(*, kakao_active: bool, telegram_active: bool) -> Join | None:
    """The side without activity gives way (Kakao's first); None when both have some."""
    if not kakao_active:
        return Join.KAKAO_JOINS_TELEGRAM
    if not telegram_active:
        return Join.TELEGRAM_JOINS_KAKAO
    return None


def new_link_code() -> str:
    """Six random digits, leading zeros kept: `042917`."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_link_code(typed: str) -> str | None:
    """The six digits of what was typed (full-width digits, spaces and dashes tolerated);
    None when it cannot be a code."""
    folded = unicodedata.normalize("NFKC", typed)
    digits = "".join(char for char in folded if char not in " -")
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def link_code_hash(code: str, secret_key: str) -> str:
    """Keyed hash of a normalised code (a leaked table cannot be turned into codes)."""
    return hmac.new(secret_key.encode(), f"account-link:{code}".encode(),
                    hashlib.sha256).hexdigest()


def typed_link_code(utterance: str) -> str | None:
    """The code in 「연결 123456」 (None for a bare 「연결」, which asks for a code)."""
    matched = LINK_UTTERANCE.match(utterance)
    return matched.group("code") if matched is not None else None
