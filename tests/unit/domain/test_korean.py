"""받침, particles and won amounts."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.korean import (
    JOSA_PAIRS,
    AmountError,
    format_krw,
    has_final_consonant,
    josa,
    parse_krw,
    with_josa,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("제안", True),
        ("공감", True),
        ("서울", True),
        ("구로구", False),
        ("토론", True),
        ("예산", True),
        ("주민", True),
        ("마포", False),
        ("값", True),
        ("ㄱ", True),
        ("ㅏ", False),
        ("", None),
        ("   ", None),
        ("!!", None),
        ("共感", None),
        ("👍", None),
    ],
)
def test_hangul_and_undecidable(word: str, expected: bool | None) -> None:
    assert has_final_consonant(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("0", True),  # 영
        ("1", True),  # 일
        ("2", False),  # 이
        ("3", True),  # 삼
        ("4", False),  # 사
        ("5", False),  # 오
        ("6", True),  # 육
        ("7", True),  # 칠
        ("8", True),  # 팔
        ("9", False),  # 구
        ("10", True),  # 십
        ("20", True),  # 이십
        ("100", True),  # 백
        ("1000", True),  # 천
        ("1,000", True),
        ("10000", True),  # 만
        ("100000", True),  # 십만
        ("100000000", True),  # 억
        ("1000000000000", False),  # 조
        ("12", False),
        ("2026", True),  # 이천이십육
        ("3.5", False),  # 삼 점 오
        ("1.0", True),  # 일 점 영
        ("제안 3", True),
        ("50%", False),  # 퍼센트
        ("\uff11\uff10", True),  # full-width digits
    ],
)
def test_numbers(word: str, expected: bool) -> None:
    assert has_final_consonant(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("L", True),
        ("M", True),
        ("N", True),
        ("R", True),
        ("A", False),
        ("K", False),
        ("URL", True),  # 유알엘
        ("SNS", False),  # 에스엔에스
        ("KT", False),
        ("CCTV", False),
        ("PDF", False),
        ("Google", True),  # 구글
        ("game", True),  # 게임
        ("phone", True),  # 폰
        ("app", True),  # 앱
        ("web", True),  # 웹
        ("book", True),  # 북
        ("chat", True),  # 챗
        ("meeting", True),  # 미팅
        ("email", True),  # 이메일
        ("bus", False),  # 버스
        ("test", False),  # 테스트
        ("blog", False),  # 블로그
        ("data", False),  # 데이터
        ("computer", False),  # 컴퓨터
        ("site", False),  # 사이트
        ("menu", False),
    ],
)
def test_latin(word: str, expected: bool) -> None:
    assert has_final_consonant(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ('"공감"', True),
        ("'마포'", False),
        ("제안!", True),
        ("제안?!  ", True),
        ("「구로」", False),
        ("(구로)", False),
        ("[공감]", True),
        ("공감(共感)", True),  # decided by the word before the annotation
        ("마포(麻浦)", False),
        ("共感(공감)", True),  # falls back to the reading inside
        ("공감…", True),
        ("구로~", False),
        ("공감\u200b", True),
    ],
)
def test_trailing_punctuation_and_brackets(word: str, expected: bool) -> None:
    assert has_final_consonant(word) is expected


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("제안", "을/를", "을"),
        ("구로구", "을/를", "를"),
        ("제안", "이/가", "이"),
        ("마포", "이/가", "가"),
        ("제안", "은/는", "은"),
        ("마포", "은/는", "는"),
        ("제안", "과/와", "과"),
        ("마포", "과/와", "와"),
        ("제안", "으로/로", "으로"),
        ("마포", "으로/로", "로"),
        ("서울", "으로/로", "로"),  # ㄹ takes 로
        ("서울", "(으)로", "로"),
        ("서울", "을/를", "을"),
        ("7", "(으)로", "로"),  # 칠
        ("10", "(으)로", "으로"),  # 십
        ("URL", "(으)로", "로"),
        ("제안", "(이)나", "이나"),
        ("마포", "(이)나", "나"),
        ("민수", "아/야", "야"),
        ("지민", "아/야", "아"),
        ("제안", "이에요/예요", "이에요"),
        ("마포", "이에요/예요", "예요"),
        ("제안", "이라/라", "이라"),
        ("마포", "이라/라", "라"),
        ("마포", "를/을", "를"),
        ("마포", "을(를)", "를"),
    ],
)
def test_josa(word: str, pair: str, expected: str) -> None:
    assert josa(word, pair) == expected
    assert with_josa(word, pair) == word + expected


@pytest.mark.parametrize(
    ("pair", "combined"),
    [
        ("을/를", "을(를)"),
        ("이/가", "이(가)"),
        ("은/는", "은(는)"),
        ("과/와", "과(와)"),
        ("으로/로", "(으)로"),
        ("(이)나", "(이)나"),
        ("아/야", "아(야)"),
        ("이에요/예요", "이에요(예요)"),
        ("이라/라", "(이)라"),
    ],
)
def test_undecidable_words_get_the_combined_form(pair: str, combined: str) -> None:
    assert josa("共感", pair) == combined
    assert with_josa("🙂", pair) == "🙂" + combined


def test_unknown_pair() -> None:
    with pytest.raises(ValueError, match="unknown particle pair"):
        josa("제안", "의/에")


@given(word=st.text(max_size=20), pair=st.sampled_from(sorted(JOSA_PAIRS)))
def test_josa_never_fails(word: str, pair: str) -> None:
    assert with_josa(word, pair).startswith(word)
    assert has_final_consonant(word) in (True, False, None)


@given(syllable=st.integers(min_value=0xAC00, max_value=0xD7A3).map(chr))
def test_every_hangul_syllable_is_decided(syllable: str) -> None:
    assert has_final_consonant(syllable) is ((ord(syllable) - 0xAC00) % 28 != 0)


# --- won ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (123450000, "1억 2,345만 원"),
        (300000000, "3억 원"),
        (120000000, "1억 2,000만 원"),
        (5000, "5,000원"),
        (12345678, "1,234만 5,678원"),
        (0, "0원"),
        (1, "1원"),
        (10000, "1만 원"),
        (10001, "1만 1원"),
        (100000001, "1억 1원"),
        (1_0000_0000_0000, "1조 원"),
        (1_2345_0000_0001, "1조 2,345억 1원"),
        (9999_9999_9999_9999, "9,999조 9,999억 9,999만 9,999원"),
        (-5000, "-5,000원"),
        (-123450000, "-1억 2,345만 원"),
    ],
)
def test_format_krw(amount: int, text: str) -> None:
    assert format_krw(amount) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,200만원", 12000000),
        ("12000000", 12000000),
        ("1.2억", 120000000),
        ("1억 2천만 원", 120000000),
        ("1억2천만원", 120000000),
        ("3억", 300000000),
        ("5,000원", 5000),
        ("5,000 원", 5000),
        ("0원", 0),
        ("천만 원", 10000000),
        ("만 원", 10000),
        ("2천5백만", 25000000),
        ("1억 2,345만 원", 123450000),
        ("1,234만 5,678원", 12345678),
        ("12.5만", 125000),
        ("₩5,000", 5000),
        ("5000 KRW", 5000),
        ("\uff11\uff0c\uff10\uff10\uff10원", 1000),
        ("  300만  ", 3000000),
        ("5천1억", 5001_0000_0000),  # 오천일억
    ],
)
def test_parse_krw(text: str, amount: int) -> None:
    assert parse_krw(text) == amount


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("원", "empty"),
        ("-5,000원", "negative"),
        ("오천원", "syntax"),
        ("abc", "syntax"),
        ("1 2", "syntax"),
        ("12,34만", "syntax"),
        ("1.2.3", "syntax"),
        ("1.5", "fraction"),
        ("1.23456만", "fraction"),
        ("1억 2억", "order"),
        ("5천 만 1억", "order"),
        ("1만 3억", "order"),
        ("1천2천", "order"),
        ("1억 12000만", "order"),
        ("1만 20000", "order"),
    ],
)
def test_parse_krw_rejects_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_krw(text)
    assert isinstance(raised.value, AmountError)
    assert raised.value.code == code
    assert str(raised.value)


@given(amount=st.integers(min_value=0, max_value=10**13))
@example(amount=0)
@example(amount=10**13)
@example(amount=10**12)
@example(amount=10**8 + 1)
def test_round_trip(amount: int) -> None:
    assert parse_krw(format_krw(amount)) == amount


@given(amount=st.integers(min_value=0, max_value=10**13))
def test_plain_digits_and_commas_parse(amount: int) -> None:
    assert parse_krw(str(amount)) == amount
    assert parse_krw(f"{amount:,}원") == amount


def test_pathological_brackets_do_not_recurse_deeply() -> None:
    assert has_final_consonant(")" * 5000) is None
    assert has_final_consonant("공감" + ")" * 5000) is True
    assert has_final_consonant("(" * 3000 + "공감" + ")" * 3000) is True
    assert has_final_consonant("가(나(다(라(마(바(사(공감)))))))") is False  # 사 before the group
