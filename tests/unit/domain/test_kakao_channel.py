"""Which callback URLs the KakaoTalk channel posts a resident's answer to."""

from __future__ import annotations

import pytest

from bot.domain.kakao import KakaoChannel

CHANNEL = KakaoChannel(skill_secret="s" * 16, bot_id="bot", callback_hosts=("kakao.com",
                                                                            "127.0.0.1"))


@pytest.mark.parametrize("url", [
    "https://bot-api.kakao.com/v1/bots/abc/callback/xyz",
    "https://kakao.com/callback",
    "http://127.0.0.1:8080/callback/one",
])
def test_kakaos_https_hosts_and_a_listed_loopback_are_accepted(url: str) -> None:
    assert CHANNEL.accepts_callback(url)


@pytest.mark.parametrize("url", [
    "http://bot-api.kakao.com/callback",  # not https
    "https://kakao.com.attacker.example/callback",
    "https://evilkakao.com/callback",
    "https://10.0.0.5/internal",
    "http://localhost:8080/internal",  # loopback, but not listed
    "https://user@/callback",
    "file:///etc/passwd",
])
def test_other_addresses_are_refused(url: str) -> None:
    assert not CHANNEL.accepts_callback(url)
