"""Profanity and abuse check: insults and evasions flagged, ordinary civic words left alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.abuse import (
    ALLOWLIST,
    CATEGORIES,
    FAMILY,
    HATE,
    INSULT,
    PROFANITY,
    SEXUAL,
    THREAT,
    AbuseVerdict,
    check_abuse,
)


@pytest.mark.parametrize(
    "text",
    [
        # Plain curses and insults.
        "시발",
        "씨발",
        "씨발 진짜 이게 뭡니까",
        "아 시발 또 공사야",
        "시발놈들",
        "씨발년",
        "씨바",
        "씨이발",
        "개새끼",
        "개새기",
        "이 새끼야",
        "병신",
        "이 병신아",
        "병신같은 정책",
        "정책이 병신이다",
        "좆같네",
        "지랄하네",
        "염병하네",
        "미친놈",
        "꺼져라",
        "입 닥쳐",
        "존나 느리다",
        "개같은 구청",
        "개년아",
        "썅년",
        # Evasions: spaces, digits and symbols inside words, jamo, look-alike letters.
        "시 1 발",
        "씨*발",
        "씨-발",
        "씨.발.놈.아",
        "씨 발 놈",
        "개 새 끼",
        "개.새.끼",
        "개 새끼",
        "ㅅㅂ",
        "ㅆㅂ",
        "ㅅ ㅂ",
        "ㅅㅣ발",
        "씨ㅂㅏㄹ",
        "ㅂㅅ",
        "ㅄ",
        "ㅈ같다",
        "ㅈㄴ",
        "ㅁㅊ",
        "시8",
        "18놈아",
        "ｓｉｂａｌ",
        "tlqkf",
        "qudtls",
        "ㅗ",
        "🖕",
        "fuck you",
        "f u c k",
        "you bitch",
        # 패드립, hate, sexual, threats.
        "느금마",
        "니애미",
        "한남충",
        "짱깨",
        "섹스",
        "죽여버린다",
        # The allowlist must not hide an insult next to an allowed word.
        "시발점에서 씨발",
        "병신년(丙申年) 병신아",
    ],
)
def test_flagged(text: str) -> None:
    verdict = check_abuse(text)
    assert verdict.flagged, text
    assert verdict.categories


@pytest.mark.parametrize(
    "text",
    [
        # Words with a profane-looking substring.
        "시발점",
        "사업의 시발점이 된 주민 모임",
        "시발역",
        "시발택시와 시발자동차의 역사",
        "십시일반",
        "개선",
        "개발",
        "우리 동네 발전",
        "병신년(丙申年) 역사 이야기",
        "시바견 산책로",
        "일시불 납부",
        "전염병 예방",
        "감염병 대응",
        "화염병 투척 사건 기록",
        "등신대 설치",
        "새끼손가락",
        "새끼 고양이 보호",
        "허리띠를 졸라매고",
        "씨앗 나눔",
        # Phrases that a space-blind filter (korcen) flags.
        "도시 발전을 위한 제안",
        "도시발전계획",
        "우리 시 발전 방안",
        "각 분야 발전",
        "시설 관리 발전 방안",
        "정치 발전",
        "공개 논의가 필요합니다",
        "정보를 공개시키는 조례",
        "이슈 발생 시 대응",
        "이슈발생",
        "질병 신고 체계",
        "질병신고",
        "징병신체검사",
        "도시 방재 계획",
        "시방서를 검토",
        "게놈 연구소",
        "수개년 계획",
        "5개년 계획",
        "설치 발주",
        "3조까지 예산",
        "애널리스트",
        "어머니 아빠 모두",
        "치발기 나눔",
        "같은 년도",
        "홍길동 씨 발언",
        "김씨발언",
        "홍 씨 바로 옆집",
        "임시발급",
        "동시발생",
        "시 벌금 부과",
        "시 8개 동",
        "2018년부터 18년 동안",
        "자위소방대 운영",
        "엄마 없는 아이들 돌봄",
        "돌보지 않는 어르신",
        "영향을 미친 요인",
        "위기가 닥쳐 옵니다",
        "가로등이 꺼져 위험합니다",
        "하루 세끼 식사 지원",
        "새까맣게 그을린 벽",
        "개 짖는 소리",
        "딸 치료비",
        "주민센터·도서관·발전소",
        "도시·발전",
        "쓰레기 무단 투기",
        "ㅋㅋㅋ 좋아요",
        "Shiitake mushroom market",
        "Essex county analysis",
        "",
    ],
)
def test_not_flagged(text: str) -> None:
    assert check_abuse(text) == AbuseVerdict(flagged=False, categories=())


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("씨발", PROFANITY),
        ("병신", INSULT),
        ("섹스", SEXUAL),
        ("느금마", FAMILY),
        ("한남충", HATE),
        ("죽여버린다", THREAT),
    ],
)
def test_categories(text: str, category: str) -> None:
    assert check_abuse(text).categories == (category,)


def test_categories_are_ordered_and_unique() -> None:
    verdict = check_abuse("씨발 병신 개새끼 느금마 씨발")
    assert verdict.categories == (PROFANITY, INSULT, FAMILY)


def test_allowlist_words_alone_pass() -> None:
    plain = [word for word in ALLOWLIST if word.isalpha()]
    assert plain
    for word in plain:
        assert not check_abuse(word).flagged, word


@given(st.text())
def test_never_raises(text: str) -> None:
    verdict = check_abuse(text)
    assert verdict.flagged == bool(verdict.categories)
    assert set(verdict.categories) <= set(CATEGORIES)


@given(st.text(alphabet=st.sampled_from("시씨발병신개새끼ㅅㅂ 1.*-·丙申年ㅗ8")))
def test_never_raises_on_korean_noise(text: str) -> None:
    check_abuse(text)


@given(st.lists(st.sampled_from(["시발점", "개선", "개발", "십시일반", "도시 발전", "질병 신고"])))
def test_civic_words_combined_stay_clean(words: list[str]) -> None:
    assert not check_abuse(" ".join(words)).flagged
