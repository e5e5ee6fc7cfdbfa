"""Normalisation, meaningfulness, masking and truncation of resident text."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import (
    ELLIPSIS,
    is_meaningful,
    mask_personal_data,
    normalise_text,
    truncate_for_display,
)

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
MOBILE = re.compile(r"(?<!\d)01[016789][ .-]?\d{3,4}[ .-]?\d{4}(?!\d)")

# --- normalise_text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  안녕하세요  ", "안녕하세요"),
        ("공감\u200b합니다", "공감합니다"),
        ("\ufeff제안", "제안"),
        ("a\u2060b\u180ec\u200cd", "abcd"),
        ("가\t\t나   다", "가 나 다"),
        ("가\u00a0\u3000나", "가 나"),
        ("첫 줄  \n  둘째 줄", "첫 줄\n둘째 줄"),
        ("하나\r\n둘\r셋", "하나\n둘\n셋"),
        ("하나\n\n\n\n\n둘", "하나\n\n둘"),
        ("하나\n \n\t\n \n둘", "하나\n\n둘"),
        ("하나\n\n둘", "하나\n\n둘"),
        ("벨\x07소리\x00", "벨소리"),
        ("\n\n  본문  \n\n", "본문"),
        ("\u1100\u1161", "가"),  # conjoining jamo compose under NFC
        ("\u1100\u200b\u1161", "가"),  # even when a zero-width space sat between them
        ("e\u0301", "é"),
        ("한\u2028줄", "한\n줄"),
        ("", ""),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_emoji_sequences_survive() -> None:
    sequences = ("👩\u200d💻", "❤\ufe0f\u200d🔥", "🏳\ufe0f\u200d🌈", "👍🏽", "1\ufe0f\u20e3", "🇰🇷")
    for emoji in sequences:
        assert normalise_text(f" 좋아요 {emoji} ") == f"좋아요 {emoji}"
    flag = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert normalise_text(flag) == flag


def test_stray_joiners_and_selectors_go() -> None:
    assert normalise_text("가\u200d나") == "가나"
    assert normalise_text("\u200d👍") == "👍"
    assert normalise_text("\ufe0f시작") == "시작"
    assert normalise_text("끝 \ufe0f") == "끝"
    assert normalise_text("\U000e0067tag") == "tag"
    assert normalise_text("bidi\u202eevil\u202c") == "bidievil"


def _has_forbidden(text: str) -> bool:
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if char in ZERO_WIDTH.replace("\u200d", ""):
            return True
        if category == "Cc" and char != "\n":
            return True
        if category == "Cf" and char != "\u200d" and not 0xE0020 <= ord(char) <= 0xE007F:
            return True
        if char == "\u200d" and (index == 0 or index == len(text) - 1):
            return True
    return False


noisy_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list(ZERO_WIDTH + "\t\r\n \u00a0\u3000\ufe0f\u2028\x00\x1b👩💻❤가")),
    ),
    max_size=80,
)


@given(noisy_text)
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@given(noisy_text)
def test_normalised_text_is_clean(text: str) -> None:
    result = normalise_text(text)
    assert not _has_forbidden(result)
    assert unicodedata.is_normalized("NFC", result)
    assert "\n\n\n" not in result
    assert "  " not in result and "\t" not in result
    assert result == result.strip()
    assert all(line == line.strip() for line in result.split("\n"))


# --- is_meaningful --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("제안합니다", True),
        ("ㅋㅋ", True),
        ("ok", True),
        ("1", True),
        ("👍👍👍", False),
        ("!!! ???", False),
        ("\u200b\u200b", False),
        ("", False),
        (" \n\t ", False),
        ("❤\ufe0f\u200d🔥 …", False),
    ],
)
def test_is_meaningful(text: str, expected: bool) -> None:
    assert is_meaningful(text) is expected


# --- mask_personal_data ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked", "kinds"),
    [
        ("연락 주세요 010-1234-5678", "연락 주세요 010-****-****", ["phone"]),
        ("01012345678", "010********", ["phone"]),
        ("011-123-4567", "011-***-****", ["phone"]),
        ("010 1234 5678", "010 **** ****", ["phone"]),
        ("010.1234.5678", "010.****.****", ["phone"]),
        ("+82 10 1234 5678", "+82 10 **** ****", ["phone"]),
        ("+82-10-1234-5678", "+82-10-****-****", ["phone"]),
        ("+821012345678", "+8210********", ["phone"]),
        ("+82 (0)10 1234 5678", "+82 (0)10 **** ****", ["phone"]),
        ("구청 02-123-4567", "구청 02-***-****", ["phone"]),
        ("02-1234-5678", "02-****-****", ["phone"]),
        ("031-123-4567", "031-***-****", ["phone"]),
        ("070-1234-5678", "070-****-****", ["phone"]),
        ("메일 hong.gildong@example.com 로", "메일 h***@example.com 로", ["email"]),
        ("a@b.co.kr", "a***@b.co.kr", ["email"]),
        ("900101-1234567", "900101-*******", ["rrn"]),
        ("9001012234567", "900101*******", ["rrn"]),
        (
            "홍길동 900101-1234567, 010-1234-5678, hong@example.com",
            "홍길동 900101-*******, 010-****-****, h***@example.com",
            ["rrn", "phone", "email"],
        ),
        ("hong@example.com 010-1234-5678", "h***@example.com 010-****-****", ["phone", "email"]),
        ("예산 1,000,000원, 2026-11-24 공고, 제안 12345", None, []),
        ("주문번호 0101234567890123", None, []),
        ("대표번호 1588-1234", None, []),
    ],
)
def test_mask_personal_data(raw: str, masked: str | None, kinds: list[str]) -> None:
    assert mask_personal_data(raw) == (raw if masked is None else masked, kinds)


phone_numbers = st.builds(
    lambda prefix, middle, last, sep: f"{prefix}{sep}{middle}{sep}{last}",
    st.sampled_from(["010", "011", "016", "017", "018", "019"]),
    st.from_regex(r"\d{3,4}", fullmatch=True),
    st.from_regex(r"\d{4}", fullmatch=True),
    st.sampled_from(["", "-", " ", "."]),
)
emails = st.from_regex(r"[a-z][a-z0-9._]{0,10}@[a-z]{1,8}\.(com|kr|net)", fullmatch=True)
filler = st.text(alphabet=st.characters(exclude_categories=["Nd"]), max_size=10)
texts_with_personal_data = st.lists(st.one_of(phone_numbers, emails, filler), max_size=8).map(
    lambda parts: " ".join(parts)
)


@given(texts_with_personal_data)
def test_masking_is_idempotent_and_complete(text: str) -> None:
    masked, _ = mask_personal_data(text)
    assert mask_personal_data(masked)[0] == masked
    assert MOBILE.search(masked) is None
    assert not re.search(r"\d{10,11}", masked)


@given(phone=phone_numbers, before=filler, after=filler)
def test_every_mobile_number_is_found(phone: str, before: str, after: str) -> None:
    masked, kinds = mask_personal_data(f"{before} {phone} {after}")
    assert "phone" in kinds
    assert re.sub(r"\D", "", phone)[3:] not in re.sub(r"\D", "", masked)


@given(st.text(max_size=60))
def test_masking_any_text_is_idempotent(text: str) -> None:
    masked, _ = mask_personal_data(text)
    assert mask_personal_data(masked)[0] == masked


# --- truncate_for_display -------------------------------------------------------------------


def test_short_text_is_unchanged() -> None:
    assert truncate_for_display("공감", 2) == "공감"
    assert truncate_for_display("", 1) == ""


def test_truncation_adds_an_ellipsis() -> None:
    assert truncate_for_display("가나다라마바사", 5) == "가나다라" + ELLIPSIS
    assert truncate_for_display("가나 다라마바사", 4) == "가나" + ELLIPSIS  # no trailing space
    assert truncate_for_display("abcdef", 1) == ELLIPSIS
    assert truncate_for_display("abcdef", 4, ellipsis="...") == "a..."


def test_truncation_keeps_clusters_whole() -> None:
    assert truncate_for_display("ab👩\u200d💻cd", 5) == "ab" + ELLIPSIS
    assert truncate_for_display("abe\u0301cd", 4) == "ab" + ELLIPSIS
    assert truncate_for_display("ab👍🏽cd", 4) == "ab" + ELLIPSIS
    assert truncate_for_display("abc🇰🇷🇯🇵", 6) == "abc🇰🇷" + ELLIPSIS
    assert truncate_for_display("abc🇰🇷🇯🇵", 5) == "abc" + ELLIPSIS
    assert truncate_for_display("ab\u1100\u1161\u11a8cd", 4) == "ab" + ELLIPSIS


def test_limit_shorter_than_the_ellipsis() -> None:
    with pytest.raises(ValueError):
        truncate_for_display("abc", 0)


@given(text=st.text(max_size=50), limit=st.integers(min_value=1, max_value=60))
def test_truncation_properties(text: str, limit: int) -> None:
    result = truncate_for_display(text, limit)
    assert len(result) <= limit
    if len(text) <= limit:
        assert result == text
    else:
        assert result.endswith(ELLIPSIS)
        kept = result[: -len(ELLIPSIS)]
        assert text.startswith(kept)
