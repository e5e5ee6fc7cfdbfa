"""Normalisation, meaningfulness, masking and truncation of resident text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

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


# --- mask_personal_data: every encoding -----------------------------------------------------

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
PD_DASHES = [chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Pd"]
DASHES = [*PD_DASHES, "\u2212", "\u207b", "\u208b", "\u2796", "\u02d7", "ㅡ", "\uffda"]
SLASHES = ["/", "／", "\u2044", "\u2215", "\u29f8"]
DOTS = [".", "．", "·", "・", "ㆍ", "‧", "∙", "。", "｡"]
SPACES = [" ", "\u3000", "\u00a0", "\u2009", "\u202f", "\u2002", "\t", "\u3164"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]
KOREAN = "가나다라마바사아자차카타파하공감제안주민연락처번호요 ,!?\n"


def digits_of(text: str) -> str:
    """Every digit of the text, full-width and other scripts folded to 0-9."""
    return "".join(str(unicodedata.decimal(c)) for c in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(c) == "Nd")


@pytest.mark.parametrize(
    ("raw", "masked", "kinds"),
    [
        ("０１０-１２３４-５６７８", "010-****-****", ["phone"]),
        ("연락 ０１０－１２３４－５６７８ 주세요", "연락 010-****-**** 주세요", ["phone"]),
        ("010–1234–5678", "010-****-****", ["phone"]),
        ("010—1234—5678", "010-****-****", ["phone"]),
        ("010\u22121234\u22125678", "010-****-****", ["phone"]),
        ("010\u20101234\u20105678", "010-****-****", ["phone"]),
        ("010ㅡ1234ㅡ5678", "010-****-****", ["phone"]),
        ("010 - 1234 - 5678", "010 - **** - ****", ["phone"]),
        ("010/1234/5678", "010/****/****", ["phone"]),
        ("010·1234·5678", "010.****.****", ["phone"]),
        ("010\u30001234\u00a05678", "010 **** ****", ["phone"]),
        ("0212345678", "02********", ["phone"]),
        ("02-123-4567 끝", "02-***-**** 끝", ["phone"]),
        ("(02) 123-4567", "(02) ***-****", ["phone"]),
        ("0311234567", "031*******", ["phone"]),
        ("07012345678", "070********", ["phone"]),
        ("+82 10–1234–5678", "+82 10-****-****", ["phone"]),
        ("+82 010-1234-5678", "+82 010-****-****", ["phone"]),
        ("0 1 0 1 2 3 4 5 6 7 8", "0 1 0 * * * * * * * *", ["phone"]),
        ("0-1-0-1-2-3-4-5-6-7-8", "0-1-0-*-*-*-*-*-*-*-*", ["phone"]),
        ("0 1 0 - 1 2 3 4 - 5 6 7 8", "0 1 0 - * * * * - * * * *", ["phone"]),
        ("010\u200b1234\u200b5678", "010********", ["phone"]),
        ("0\u200b1\u200b0\u20601\u200d2\ufeff34\u00ad5678", "010********", ["phone"]),
        ("⓪①⓪-①②③④-⑤⑥⑦⑧", "010-****-****", ["phone"]),
        ("0\ufe0f\u20e31\ufe0f\u20e30\ufe0f\u20e312345678 끝", "010******** 끝", ["phone"]),
        ("010-1234-5678\n다음 줄", "010-****-****\n다음 줄", ["phone"]),
        ("첫 줄\n01012345678", "첫 줄\n010********", ["phone"]),
        ("연락처010-1234-5678입니다", "연락처010-****-****입니다", ["phone"]),
        ("900101–1234567", "900101-*******", ["rrn"]),
        ("900101/1234567", "900101/*******", ["rrn"]),
        ("900101 1234567", "900101 *******", ["rrn"]),
        ("９００１０１－１２３４５６７", "900101-*******", ["rrn"]),
        ("9 0 0 1 0 1 - 1 2 3 4 5 6 7", "9 0 0 1 0 1 - * * * * * * *", ["rrn"]),
        ("hong＠example.com", "h***@example.com", ["email"]),
        ("ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ 로", "h***@example.com 로", ["email"]),
        ("메일hong_gil@naver.com으로", "메일h***@naver.com으로", ["email"]),
        ("hong\u200b@example.com", "h***@example.com", ["email"]),
        ("010-1234-5678@naver.com", "0***@naver.com", ["email"]),
    ],
)
def test_mask_personal_data_in_any_encoding(raw: str, masked: str, kinds: list[str]) -> None:
    assert mask_personal_data(raw) == (masked, kinds)


@pytest.mark.parametrize(
    "text",
    [
        "예산은 3억 5,000만 원이고 1,234,567원이 더 들어요.",
        "2026-12-07, 2026.12.07, 2026/12/07, 2026년 12월 7일 오후 2시 30분",
        "2026-12-02 2026-12-07 사이에 공사",
        "참여 1,024명, 공감 57개, 제안 12345번, 제안 #0123",
        "0.5 1.5 2.5 3.5 4.5 단계로 올려요",
        "0 10 20 30 40 50 점",
        "주문번호 0101234567890123",
        "대표번호 1588-1234, 수신자부담 080-123-4567",
        "1 2 3 4 5 6 7 8 9 10",
        "09:00~18:00, 010동 1234호",
    ],
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert mask_personal_data(text) == (text, [])


def test_every_unicode_dash_separates() -> None:
    for dash in DASHES:
        masked, kinds = mask_personal_data(f"전화 010{dash}1234{dash}5678 주세요")
        assert (masked, kinds) == ("전화 010-****-**** 주세요", ["phone"]), hex(ord(dash))


filler = st.text(alphabet=st.sampled_from(list(KOREAN)), max_size=12)
separator_char = st.sampled_from(["", *DASHES, *SLASHES, *DOTS, *SPACES])


@st.composite
def separators(draw: st.DrawFn) -> str:
    """No separator, or one dash/slash/dot/space, maybe with spaces around it."""
    char = draw(separator_char)
    pad = draw(st.sampled_from(["", " ", "\u3000"])) if char else ""
    return f"{pad}{char}{pad}"


@st.composite
def disguised(draw: st.DrawFn, parts: list[str]) -> str:
    """The number's parts joined by random separators, or spelled out digit by digit;
    with full-width digits and zero-width characters sprinkled in."""
    if draw(st.booleans()):
        gap = draw(st.sampled_from([" ", "\u3000", "-", "–", "/", ".", " - "]))
        text = gap.join("".join(parts))
    else:
        text = parts[0]
        for part in parts[1:]:
            text += draw(separators()) + part
    out = []
    for char in text:
        if char.isdigit() and draw(st.booleans()):
            char = char.translate(FULL_WIDTH_DIGITS)
        out.append(char)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(out).rstrip("".join(INVISIBLE))


phone_parts = st.builds(
    lambda head, middle, last: [head, middle, last],
    st.sampled_from(["010", "011", "016", "017", "018", "019", "02", "031", "032", "033",
                     "041", "042", "043", "044", "051", "052", "053", "054", "055", "061",
                     "062", "063", "064", "070"]),
    st.from_regex(r"[1-9][0-9]{2,3}", fullmatch=True),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
)
rrn_parts = st.builds(
    lambda birth, back: [birth, back],
    st.dates(min_value=date(1930, 1, 1), max_value=date(2029, 12, 31)).map(
        lambda day: day.strftime("%y%m%d")),
    st.from_regex(r"[1-4][0-9]{6}", fullmatch=True),
)


def line_around(before: str, number: str, after: str, at: str) -> tuple[str, str, str]:
    """The number alone, at the start or end of a line, or inside Korean text."""
    if at == "start":
        return before + "\n", number, after
    if at == "end":
        return before, number, "\n" + after
    return before, number, after


@given(parts=phone_parts, before=filler, after=filler, at=st.sampled_from(["start", "end", "in"]),
       data=st.data())
def test_no_phone_number_survives_any_disguise(
    parts: list[str], before: str, after: str, at: str, data: st.DataObject
) -> None:
    before, number, after = line_around(before, data.draw(disguised(parts)), after, at)
    masked, kinds = mask_personal_data(before + number + after)
    assert kinds == ["phone"]
    assert "".join(parts[1:]) not in digits_of(masked)
    assert masked.startswith(before) and masked.endswith(after)
    assert mask_personal_data(masked) == (masked, [])


@given(parts=rrn_parts, before=filler, after=filler, at=st.sampled_from(["start", "end", "in"]),
       data=st.data())
def test_no_resident_number_survives_any_disguise(
    parts: list[str], before: str, after: str, at: str, data: st.DataObject
) -> None:
    before, number, after = line_around(before, data.draw(disguised(parts)), after, at)
    masked, kinds = mask_personal_data(before + number + after)
    assert kinds == ["rrn"]
    assert parts[1] not in digits_of(masked)
    assert masked.startswith(before) and masked.endswith(after)


@given(national=phone_parts, trunk=st.sampled_from(["", "0", "(0)"]), sep=separators(),
       before=filler)
def test_no_international_number_survives(
    national: list[str], trunk: str, sep: str, before: str
) -> None:
    head, middle, last = national
    number = f"+82 {trunk}{head[1:]}{sep}{middle}{sep}{last}"
    masked, kinds = mask_personal_data(f"{before} {number}")
    assert kinds == ["phone"]
    assert middle + last not in digits_of(masked)


@given(local=st.from_regex(r"[a-z][a-z0-9._]{2,12}", fullmatch=True),
       domain=st.from_regex(r"[a-z]{2,8}\.(com|kr|net|co\.kr)", fullmatch=True),
       full_width=st.booleans(), at=st.sampled_from(["@", "＠", "﹫"]),
       before=filler, after=filler)
def test_no_email_survives(
    local: str, domain: str, full_width: bool, at: str, before: str, after: str
) -> None:
    address = f"{local}{at}{domain}"
    if full_width:
        address = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in address)
    masked, kinds = mask_personal_data(f"{before} {address} {after}")
    assert (masked, kinds) == (f"{before} {local[0]}***@{domain} {after}", ["email"])


amounts = st.one_of(
    st.integers(1, 10**12).map(lambda n: f"{n:,}원"),
    st.builds(lambda eok, man: f"{eok}억 {man:,}만 원", st.integers(1, 999), st.integers(1, 9999)),
    st.integers(1, 10**6).map(lambda n: f"{n}명"),
    st.integers(1, 10**6).map(lambda n: f"제안 {n}번"),
    st.integers(1900, 2100).map(lambda year: f"{year}년"),
)
dates = st.builds(
    lambda day, sep: day.strftime(f"%Y{sep}%m{sep}%d"),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["-", ".", "/", ". ", "–"]),
)


@given(st.lists(st.tuples(st.one_of(amounts, dates), filler.filter(lambda f: f.strip())),
                min_size=1, max_size=6))
def test_amounts_dates_and_counts_are_untouched(items: list[tuple[str, str]]) -> None:
    text = "".join(f"{number} {words} " for number, words in items)
    assert mask_personal_data(text) == (text, [])


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
