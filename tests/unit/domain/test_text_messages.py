"""알림톡 templates, SMS byte counting, numbers and the daily cap: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.kakao import KAKAO_ID_BASE
from bot.domain.text_messages import (
    GENERIC,
    TEMPLATES,
    AlimtalkTemplate,
    DailyCap,
    TextChannel,
    cut_to_bytes,
    fallback_channel,
    masked_number,
    mobile_number,
    offline_proposal_of,
    offline_proposer_chat,
    sms_bytes,
)


def test_every_template_names_exactly_the_variables_of_its_text() -> None:
    for template in TEMPLATES.values():
        assert len(template.code) <= 20  # the provider's limit on a template code
    with pytest.raises(ValueError, match="variables"):
        AlimtalkTemplate("BAD", ("제목",), "#{제목} #{링크}")


def test_a_template_is_filled_and_a_missing_variable_is_an_error() -> None:
    assert GENERIC.fill({"제목": "가로등", "링크": "https://g.kr/p/1"}) == (
        "[공감] 처리 상황이 바뀌었어요: 가로등 — https://g.kr/p/1")
    with pytest.raises(KeyError):
        GENERIC.fill({"제목": "가로등"})


@pytest.mark.parametrize(("text", "size"), [("abc", 3), ("가나", 4), ("똠방", 4), ("🙂", 2)])
def test_bytes_are_counted_as_carriers_count_them(text: str, size: int) -> None:
    assert sms_bytes(text) == size


def test_up_to_90_bytes_is_an_sms_and_above_an_lms_cut_to_2000_bytes() -> None:
    assert fallback_channel("가" * 45) is TextChannel.SMS
    assert fallback_channel("가" * 45 + "a") is TextChannel.LMS
    cut = cut_to_bytes("가" * 1500)
    assert sms_bytes(cut) <= 2000 and cut.endswith("…")


@pytest.mark.parametrize(("raw", "number"), [
    ("010-1234-5678", "01012345678"), ("+82 10 1234 5678", "01012345678"),
    ("０１０１２３４５６７８", "01012345678"), ("02-123-4567", None), ("010-12", None),
])
def test_only_a_korean_mobile_number_is_taken(raw: str, number: str | None) -> None:
    assert mobile_number(raw) == number


def test_a_number_is_shown_masked() -> None:
    assert masked_number("01012345678") == "010-****-5678"


def test_an_offline_proposers_chat_is_neither_telegram_nor_a_kakao_resident() -> None:
    chat = offline_proposer_chat(12)
    assert chat > KAKAO_ID_BASE and offline_proposal_of(chat) == 12
    assert offline_proposal_of(KAKAO_ID_BASE + 12) is None and offline_proposal_of(12) is None


def test_the_cap_holds_non_urgent_texts_until_the_next_korean_midnight() -> None:
    cap = DailyCap(100)
    evening = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)  # 23:30 KST
    assert cap.day_start(evening) == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert cap.next_day(evening) == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert cap.holds(100, urgent=False) and not cap.holds(100, urgent=True)
    assert not cap.holds(99, urgent=False) and not DailyCap().holds(10**9, urgent=False)
