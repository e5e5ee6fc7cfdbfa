"""The pure rules of account linking: the code's shape, its hash, the words typed in
KakaoTalk, and which side gives way."""

from __future__ import annotations

import pytest

from bot.domain.account_links import (
    LINK_UTTERANCE,
    UNLINK_UTTERANCE,
    Join,
    join_for,
    link_code_hash,
    new_link_code,
    normalise_link_code,
    typed_link_code,
)


def test_a_new_code_is_six_digits_leading_zeros_kept() -> None:
    codes = {new_link_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 150


@pytest.mark.parametrize(("typed", "code"), [
    ("123456", "123456"), (" 123 456 ", "123456"), ("123-456", "123456"),
    ("１２３４５６", "123456"), ("012345", "012345"), ("12345", None), ("1234567", None),
    ("12ab56", None), ("١٢٣٤٥٦", None), ("", None),
])
def test_what_was_typed_is_read_as_six_digits_or_nothing(typed: str, code: str | None) -> None:
    assert normalise_link_code(typed) == code


def test_the_hash_is_keyed_and_never_the_code() -> None:
    first, second = link_code_hash("123456", "key-1"), link_code_hash("123456", "key-2")
    assert first != second and "123456" not in first and len(first) == 64
    assert link_code_hash("123456", "key-1") == first


@pytest.mark.parametrize(("utterance", "link", "unlink", "code"), [
    ("연결", True, False, None), ("연결 123456", True, False, "123456"),
    (" 연결  123 456 ", True, False, "123 456"), ("연결 해제", False, True, None),
    ("연결해제", False, True, None), ("연결하기", False, False, None),
    ("계정 연결", False, False, None),
])
def test_the_words_typed_in_kakaotalk(
    utterance: str, link: bool, unlink: bool, code: str | None
) -> None:
    assert bool(LINK_UTTERANCE.match(utterance)) is link
    assert bool(UNLINK_UTTERANCE.match(utterance)) is unlink
    assert typed_link_code(utterance) == code


@pytest.mark.parametrize(("kakao_active", "telegram_active", "join"), [
    (False, False, Join.KAKAO_JOINS_TELEGRAM), (False, True, Join.KAKAO_JOINS_TELEGRAM),
    (True, False, Join.TELEGRAM_JOINS_KAKAO), (True, True, None),
])
def test_the_side_without_activity_gives_way(
    kakao_active: bool, telegram_active: bool, join: Join | None
) -> None:
    assert join_for(kakao_active=kakao_active, telegram_active=telegram_active) is join
