"""Rules of a proposal's parts: limits, masking, options, daily limit, progress."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.deadlines import SEOUL
from bot.domain.proposals import (
    BAR_EMPTY,
    BAR_FILLED,
    EFFECT_MAX_CHARS,
    EFFECT_MIN_CHARS,
    LIMITS,
    PROBLEM_MAX_CHARS,
    PROBLEM_MIN_CHARS,
    SOLUTION_MAX_CHARS,
    SOLUTION_MIN_CHARS,
    TITLE_MAX_CHARS,
    TITLE_MIN_CHARS,
    Checked,
    Part,
    ProposalText,
    Rejected,
    RejectReason,
    check_part,
    choose_option,
    daily_limit_reached,
    limits_for,
    missing_for_threshold,
    missing_parts,
    progress_bar,
    start_of_local_day,
)
from bot.domain.text import mask_personal_data

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
EXPECTED_LIMITS = {
    Part.TITLE: (TITLE_MIN_CHARS, TITLE_MAX_CHARS),
    Part.PROBLEM: (PROBLEM_MIN_CHARS, PROBLEM_MAX_CHARS),
    Part.SOLUTION: (SOLUTION_MIN_CHARS, SOLUTION_MAX_CHARS),
    Part.EFFECT: (EFFECT_MIN_CHARS, EFFECT_MAX_CHARS),
}
GOOD_DRAFT = {
    "title": "공원 가로등 설치",
    "problem": "밤에 공원이 너무 어두워서 위험합니다.",
    "solution": "산책로를 따라 가로등을 열 개 설치합니다.",
    "effect": "안전한 밤 산책",
}


def test_limits_are_the_documented_ones() -> None:
    assert (TITLE_MIN_CHARS, TITLE_MAX_CHARS) == (5, 80)
    assert (PROBLEM_MIN_CHARS, PROBLEM_MAX_CHARS) == (10, 2_000)
    assert (SOLUTION_MIN_CHARS, SOLUTION_MAX_CHARS) == (10, 2_000)
    assert (EFFECT_MIN_CHARS, EFFECT_MAX_CHARS) == (5, 1_000)
    assert dict(LIMITS) == EXPECTED_LIMITS
    for part in Part:
        assert limits_for(part) == EXPECTED_LIMITS[part]


# --- check_part: reasons ----------------------------------------------------------------------


@pytest.mark.parametrize("part", list(Part))
@pytest.mark.parametrize(
    "raw",
    ["", "   ", "\n\n\t", ZERO_WIDTH, "😀😀😀", "!!! ??? ...", "👩\u200d💻 ❤️", "\u200b😀\u200b"],
)
def test_nothing_meaningful_is_empty(part: Part, raw: str) -> None:
    assert check_part(part, raw) == Rejected(RejectReason.EMPTY)


@pytest.mark.parametrize("part", list(Part))
def test_too_short_reports_the_minimum(part: Part) -> None:
    minimum, _ = EXPECTED_LIMITS[part]
    assert check_part(part, "가" * (minimum - 1)) == Rejected(RejectReason.TOO_SHORT, minimum)
    assert isinstance(check_part(part, "가" * minimum), Checked)


@pytest.mark.parametrize("part", list(Part))
def test_too_long_reports_the_maximum(part: Part) -> None:
    _, maximum = EXPECTED_LIMITS[part]
    assert check_part(part, "가" * (maximum + 1)) == Rejected(RejectReason.TOO_LONG, maximum)
    assert isinstance(check_part(part, "가" * maximum), Checked)


@pytest.mark.parametrize("part", list(Part))
def test_length_is_counted_after_normalisation(part: Part) -> None:
    minimum, maximum = EXPECTED_LIMITS[part]
    padded = "  " + "\u200b".join("가" * maximum) + "  \n\n"
    assert check_part(part, padded) == Checked("가" * maximum, ())
    # Decomposed jamo count once they compose: ᄀ+ᅡ is one character.
    decomposed = "\u1100\u1161" * minimum
    assert check_part(part, decomposed) == Checked("가" * minimum, ())


def test_zero_width_inside_words_is_removed() -> None:
    result = check_part(Part.TITLE, "공원\u200b 가로\u2060등\ufeff 설치")
    assert result == Checked("공원 가로등 설치", ())


def test_title_becomes_one_line() -> None:
    result = check_part(Part.TITLE, "  공원\n\n가로등\t\t설치  ")
    assert result == Checked("공원 가로등 설치", ())


def test_body_keeps_paragraphs() -> None:
    result = check_part(Part.PROBLEM, "첫째 문단입니다.\n\n\n\n둘째   문단입니다.")
    assert result == Checked("첫째 문단입니다.\n\n둘째 문단입니다.", ())


def test_emoji_with_text_is_kept() -> None:
    result = check_part(Part.EFFECT, "안전한 밤길 😀")
    assert result == Checked("안전한 밤길 😀", ())


# --- check_part: masking ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked", "kinds"),
    [
        ("연락은 010-1234-5678 으로 주세요", "연락은 010-****-**** 으로 주세요", ("phone",)),
        ("메일 hong.gildong@example.com 로", "메일 h***@example.com 로", ("email",)),
        ("주민번호 900101-1234567 입니다", "주민번호 900101-******* 입니다", ("rrn",)),
        (
            "010 1234 5678, hong@example.com, 900101-2234567 모두 제 정보",
            "010 **** ****, h***@example.com, 900101-******* 모두 제 정보",
            ("rrn", "phone", "email"),
        ),
        ("공원 가로등 열 개를 설치합시다", "공원 가로등 열 개를 설치합시다", ()),
    ],
)
def test_personal_data_is_masked_and_reported(
    raw: str, masked: str, kinds: tuple[str, ...]
) -> None:
    assert check_part(Part.PROBLEM, raw) == Checked(masked, kinds)


def test_title_is_masked_too() -> None:
    assert check_part(Part.TITLE, "문의 010-1234-5678") == Checked(
        "문의 010-****-****", ("phone",)
    )


def test_masking_counts_towards_the_limit() -> None:
    # "a@b.co" (6) grows to "a***@b.co" (9): the stored text is what is measured.
    raw = "가" * (EFFECT_MAX_CHARS - 7) + " a@b.co"
    assert len(raw) == EFFECT_MAX_CHARS
    assert check_part(Part.EFFECT, raw) == Rejected(RejectReason.TOO_LONG, EFFECT_MAX_CHARS)


# --- check_part: properties -------------------------------------------------------------------

PARTS = st.sampled_from(list(Part))
MESSY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list(ZERO_WIDTH + "가나다 \n\t0123456789-@.😀\u0301\u1100\u1161")),
    ),
    max_size=120,
)


@given(PARTS, MESSY_TEXT)
def test_check_part_never_raises_and_checked_is_clean(part: Part, raw: str) -> None:
    result = check_part(part, raw)
    assert isinstance(result, Checked | Rejected)
    if isinstance(result, Checked):
        minimum, maximum = EXPECTED_LIMITS[part]
        assert minimum <= len(result.text) <= maximum
        assert not any(char in result.text for char in "\u200b\u2060\ufeff\u180e\u200c")
        assert result.text == result.text.strip()
        assert unicodedata.is_normalized("NFC", result.text)
        assert set(result.masked_kinds) <= {"rrn", "phone", "email"}
        if part is Part.TITLE:
            assert "\n" not in result.text
    else:
        assert (result.limit is None) == (result.reason is RejectReason.EMPTY)


@given(PARTS, MESSY_TEXT)
def test_masking_is_idempotent_on_checked_text(part: Part, raw: str) -> None:
    result = check_part(part, raw)
    if isinstance(result, Checked):
        assert mask_personal_data(result.text) == (result.text, [])
        assert check_part(part, result.text) == Checked(result.text, ())


@given(
    PARTS,
    st.lists(
        st.sampled_from(
            ["010-1234-5678", "02 123 4567", "a@b.co", "hong@example.com", "900101-1234567"]
        )
        | st.text(alphabet="가나다라 0123456789-.@", max_size=12),
        max_size=12,
    ),
)
def test_checked_text_has_no_personal_data_left(part: Part, pieces: list[str]) -> None:
    result = check_part(part, " ".join(pieces))
    if isinstance(result, Checked):
        assert mask_personal_data(result.text)[1] == []


# --- drafts -----------------------------------------------------------------------------------


def test_missing_parts() -> None:
    assert missing_parts(GOOD_DRAFT) == []
    assert missing_parts({}) == list(Part)
    draft: dict[str, str | None] = {**GOOD_DRAFT, "problem": None, "effect": "😀"}
    assert missing_parts(draft) == [Part.PROBLEM, Part.EFFECT]
    assert missing_parts({**GOOD_DRAFT, "title": "짧음"}) == [Part.TITLE]
    assert missing_parts({**GOOD_DRAFT, "area": None, "category": "교통"}) == []


def test_proposal_text_from_draft() -> None:
    text = ProposalText.from_draft({**GOOD_DRAFT, "title": " 공원\n가로등 설치 "})
    assert text == ProposalText(
        title="공원 가로등 설치",
        problem=GOOD_DRAFT["problem"],
        solution=GOOD_DRAFT["solution"],
        effect=GOOD_DRAFT["effect"],
    )
    with pytest.raises(ValueError, match="solution"):
        ProposalText.from_draft({**GOOD_DRAFT, "solution": ""})


# --- options ----------------------------------------------------------------------------------

AREAS = ["역삼1동", "역삼2동", "삼성동", "Gangnam Station"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("역삼1동", "역삼1동"),
        ("  역삼1동 ", "역삼1동"),
        ("역삼 1동", "역삼1동"),
        ("역삼１동", "역삼1동"),
        ("역삼\u200b1동", "역삼1동"),
        ("gangnam station", "Gangnam Station"),
        ("GANGNAM-STATION", "Gangnam Station"),
        ("\u1109\u1161\u11b7\u1109\u1165\u11bc\u1103\u1169\u11bc", "삼성동"),
        ("역삼", None),
        ("역삼3동", None),
        ("", None),
        ("   ", None),
    ],
)
def test_choose_option(typed: str, expected: str | None) -> None:
    assert choose_option(typed, AREAS) == expected


def test_choose_option_refuses_ambiguous_matches() -> None:
    assert choose_option("a b", ["A-B", "a·b"]) is None
    assert choose_option("A-B", ["A-B", "a·b"]) == "A-B"
    assert choose_option("교통", []) is None


# --- daily limit and local day ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "limit", "reached"),
    [(0, 3, False), (2, 3, False), (3, 3, True), (4, 3, True), (0, 0, True), (0, 1, False)],
)
def test_daily_limit_reached(submitted: int, limit: int, reached: bool) -> None:
    assert daily_limit_reached(submitted, limit) is reached


def test_daily_limit_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        daily_limit_reached(0, -1)


@pytest.mark.parametrize(
    ("now", "start"),
    [
        # 23:59:59 KST on the 24th is 14:59:59 UTC; the day began 15:00 UTC on the 23rd.
        (datetime(2026, 11, 24, 14, 59, 59, tzinfo=UTC), datetime(2026, 11, 23, 15, tzinfo=UTC)),
        # Midnight KST on the 25th starts a new day.
        (datetime(2026, 11, 24, 15, 0, tzinfo=UTC), datetime(2026, 11, 24, 15, tzinfo=UTC)),
        (datetime(2026, 11, 24, 15, 0, 1, tzinfo=UTC), datetime(2026, 11, 24, 15, tzinfo=UTC)),
        # 08:59 KST (23:59 UTC the day before) belongs to the KST day, not the UTC day.
        (datetime(2026, 11, 24, 23, 59, tzinfo=UTC), datetime(2026, 11, 24, 15, tzinfo=UTC)),
        (datetime(2026, 11, 25, 0, 0, tzinfo=UTC), datetime(2026, 11, 24, 15, tzinfo=UTC)),
        # A KST-aware or other-zone input gives the same UTC instant.
        (datetime(2026, 11, 25, 0, 0, tzinfo=SEOUL), datetime(2026, 11, 24, 15, tzinfo=UTC)),
        (
            datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 11, 24, 15, tzinfo=UTC),
        ),
        # New year in KST.
        (datetime(2026, 12, 31, 15, 0, tzinfo=UTC), datetime(2026, 12, 31, 15, tzinfo=UTC)),
    ],
)
def test_start_of_local_day(now: datetime, start: datetime) -> None:
    result = start_of_local_day(now)
    assert result == start
    assert result.tzinfo is UTC


def test_start_of_local_day_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        start_of_local_day(datetime(2026, 11, 24, 12, 0))


# Year 1 would put Seoul's midnight before the first representable UTC instant.
@given(st.datetimes(min_value=datetime(2, 1, 1), timezones=st.just(UTC)))
def test_start_of_local_day_properties(now: datetime) -> None:
    start = start_of_local_day(now)
    assert start <= now < start + timedelta(days=1)
    local = start.astimezone(SEOUL)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert local.date() == now.astimezone(SEOUL).date()


# --- progress ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "threshold", "bar"),
    [
        (0, 10, "▱▱▱▱▱▱▱▱▱▱"),
        (-3, 10, "▱▱▱▱▱▱▱▱▱▱"),
        (3, 10, "▰▰▰▱▱▱▱▱▱▱"),
        (1, 1000, "▰▱▱▱▱▱▱▱▱▱"),
        (999, 1000, "▰▰▰▰▰▰▰▰▰▱"),
        (1000, 1000, "▰▰▰▰▰▰▰▰▰▰"),
        (5000, 1000, "▰▰▰▰▰▰▰▰▰▰"),
        (1, 1, "▰▰▰▰▰▰▰▰▰▰"),
        (1, 2, "▰▰▰▰▰▱▱▱▱▱"),
    ],
)
def test_progress_bar(count: int, threshold: int, bar: str) -> None:
    assert progress_bar(count, threshold) == bar


def test_progress_bar_width() -> None:
    assert progress_bar(1, 2, width=4) == "▰▰▱▱"
    assert progress_bar(1, 2, width=1) == "▱"
    assert progress_bar(2, 2, width=1) == "▰"


@pytest.mark.parametrize(("threshold", "width"), [(0, 10), (-1, 10), (10, 0)])
def test_progress_bar_rejects_bad_arguments(threshold: int, width: int) -> None:
    with pytest.raises(ValueError):
        progress_bar(1, threshold, width)


@given(
    st.integers(min_value=-10, max_value=10_000),
    st.integers(min_value=1, max_value=5_000),
    st.integers(min_value=1, max_value=40),
)
def test_progress_bar_properties(count: int, threshold: int, width: int) -> None:
    bar = progress_bar(count, threshold, width)
    assert len(bar) == width
    assert set(bar) <= {BAR_FILLED, BAR_EMPTY}
    filled = bar.count(BAR_FILLED)
    assert bar == BAR_FILLED * filled + BAR_EMPTY * (width - filled)
    assert (filled == width) == (count >= threshold)
    if count <= 0:
        assert filled == 0
    if 0 < count < threshold and width > 1:
        assert 1 <= filled < width
    assert progress_bar(count + 1, threshold, width).count(BAR_FILLED) >= filled


@given(st.integers(min_value=-100, max_value=10_000), st.integers(min_value=0, max_value=5_000))
def test_missing_for_threshold(count: int, threshold: int) -> None:
    missing = missing_for_threshold(count, threshold)
    assert missing >= 0
    assert (missing == 0) == (count >= threshold)
    assert count + missing >= threshold


def test_missing_for_threshold_examples() -> None:
    assert missing_for_threshold(0, 50) == 50
    assert missing_for_threshold(49, 50) == 1
    assert missing_for_threshold(50, 50) == 0
    assert missing_for_threshold(80, 50) == 0
