"""The callback-data codec: short, versioned, typed, and suspicious of everything."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.buttons import (
    MAX_BYTES,
    CallbackData,
    LanguageChoice,
    NotificationToggle,
    parse_any,
)


def test_round_trip() -> None:
    assert LanguageChoice("en").pack() == "l:1:en"
    assert LanguageChoice.parse("l:1:en") == LanguageChoice("en")
    assert NotificationToggle.parse("n:1:1") == NotificationToggle(1)


@pytest.mark.parametrize(
    "data",
    ["", "l", "l:1", "l:2:en", "l:1:en:extra", "l:1:e n", "n:1:x", "n:1:", "zz:1:a", None, 42,
     "l:1:" + "a" * 33, "l:1:한국어"],
)
def test_malformed_or_foreign_data_parses_to_none(data: object) -> None:
    assert parse_any(data) is None


def test_data_of_another_kind_does_not_match() -> None:
    assert LanguageChoice.parse("n:1:1") is None
    assert not NotificationToggle.matches("l:1:en")


def test_packing_refuses_what_it_could_not_parse_back() -> None:
    with pytest.raises(ValueError):
        LanguageChoice("has:colon").pack()
    with pytest.raises(ValueError):
        CallbackData.__init_subclass__(prefix="l")  # prefixes are unique


@dataclasses.dataclass(frozen=True)
class _Wide(CallbackData, prefix="test-wide"):
    a: int
    b: int
    c: str


@given(
    st.integers(-(10**17), 10**17),
    st.integers(0, 10**17),
    st.from_regex(r"[a-z0-9_-]{1,32}", fullmatch=True),
)
def test_everything_packed_fits_64_bytes_and_parses_back(a: int, b: int, c: str) -> None:
    value = _Wide(a, b, c)
    try:
        data = value.pack()
    except ValueError:
        return
    assert len(data.encode()) <= MAX_BYTES
    assert parse_any(data) == value


@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(data: str) -> None:
    parsed = parse_any(data)
    assert parsed is None or isinstance(parsed, CallbackData)
