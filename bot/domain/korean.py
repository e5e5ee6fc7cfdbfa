"""Korean text helpers: 받침 detection, particles (조사) and won amounts (원)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum


class _Ending(Enum):
    """How the Korean reading of a word ends."""

    VOWEL = "vowel"
    RIEUL = "rieul"  # ㄹ: takes 로 rather than 으로
    CONSONANT = "consonant"


_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL_FINAL_INDEX = 8
# Readings of the last digit: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_ENDINGS = (
    _Ending.CONSONANT,
    _Ending.RIEUL,
    _Ending.VOWEL,
    _Ending.CONSONANT,
    _Ending.VOWEL,
    _Ending.VOWEL,
    _Ending.CONSONANT,
    _Ending.RIEUL,
    _Ending.RIEUL,
    _Ending.VOWEL,
)
# Trailing zeros modulo 4 → 십 백 천 (all with 받침); multiples of 4 → 만 억 조 경 해.
_TEN_POWER_ENDING = _Ending.CONSONANT
_MYRIAD_ENDINGS = (
    _Ending.CONSONANT,
    _Ending.CONSONANT,
    _Ending.VOWEL,
    _Ending.CONSONANT,
    _Ending.VOWEL,
)
# English letter names as read in Korean: 에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔
# 오 피 큐 알 에스 티 유 브이 더블유 엑스 와이 제트.
_LETTER_NAME_ENDINGS = {letter: _Ending.VOWEL for letter in "abcdefghijkopqstuvwxyz"}
_LETTER_NAME_ENDINGS.update({"l": _Ending.RIEUL, "r": _Ending.RIEUL})
_LETTER_NAME_ENDINGS.update({"m": _Ending.CONSONANT, "n": _Ending.CONSONANT})
_SYMBOL_ENDINGS = {"%": _Ending.VOWEL}  # 퍼센트
_MAX_BRACKET_DEPTH = 4
_CLOSING_TO_OPENING = {
    ")": "(",
    "]": "[",
    "}": "{",
    "\uff09": "\uff08",
    "\uff3d": "\uff3b",
    "」": "「",
    "』": "『",
}
_VOWELS = frozenset("aeiou")


def has_final_consonant(word: str) -> bool | None:
    """Whether the Korean reading of ``word`` ends with a 받침; None when undecidable."""
    ending = _reading_ending(word)
    return None if ending is None else ending is not _Ending.VOWEL


def _reading_ending(word: str, depth: int = 0) -> _Ending | None:
    text = _strip_trailing_ignorables(unicodedata.normalize("NFC", word))
    if not text or depth > _MAX_BRACKET_DEPTH:
        return None
    if text[-1] in _CLOSING_TO_OPENING:
        return _ending_around_brackets(text, depth + 1)
    return _ending_of_tail(text)


def _ending_around_brackets(text: str, depth: int) -> _Ending | None:
    """``공감(共感)`` is read by what precedes the annotation; fall back to its content."""
    opening = text.rfind(_CLOSING_TO_OPENING[text[-1]])
    if opening < 0:  # unmatched closing brackets are only decoration
        return _reading_ending(text.rstrip("".join(_CLOSING_TO_OPENING)), depth)
    before = _reading_ending(text[:opening], depth)
    return before if before is not None else _reading_ending(text[opening + 1 : -1], depth)


def _strip_trailing_ignorables(text: str) -> str:
    end = len(text)
    while end > 0 and _is_ignorable_trailer(text[end - 1]):
        end -= 1
    return text[:end]


def _is_ignorable_trailer(char: str) -> bool:
    if char in _SYMBOL_ENDINGS or char in _CLOSING_TO_OPENING:
        return False
    category = unicodedata.category(char)
    return char.isspace() or category[0] == "P" or category == "Cf" or char in "~〜"


def _ending_of_tail(text: str) -> _Ending | None:
    last = _fold_fullwidth(text[-1])
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return _syllable_ending(last)
    if last in _SYMBOL_ENDINGS:
        return _SYMBOL_ENDINGS[last]
    if last.isascii() and last.isdigit():
        return _number_ending(text)
    if last.isascii() and last.isalpha():
        return _latin_ending(text)
    return _jamo_ending(last)


def _fold_fullwidth(char: str) -> str:
    return unicodedata.normalize("NFKC", char) if 0xFF01 <= ord(char) <= 0xFF5E else char


def _syllable_ending(syllable: str) -> _Ending:
    final_index = (ord(syllable) - _HANGUL_FIRST) % 28
    if final_index == 0:
        return _Ending.VOWEL
    return _Ending.RIEUL if final_index == _RIEUL_FINAL_INDEX else _Ending.CONSONANT


def _jamo_ending(char: str) -> _Ending | None:
    """Compatibility jamo are read by their names: ㄱ 기역, ㄹ 리을 … ㅏ 아."""
    code = ord(char)
    if 0x3131 <= code <= 0x314E:
        return _Ending.RIEUL if char == "ㄹ" else _Ending.CONSONANT
    if 0x314F <= code <= 0x3163:
        return _Ending.VOWEL
    return None


def _number_ending(text: str) -> _Ending | None:
    match = re.search(r"(\d[\d,]*)(\.\d+)?$", _ascii_digits_tail(text))
    assert match is not None  # the text ends with an ASCII digit
    integer, fraction = match.group(1).replace(",", ""), match.group(2)
    if fraction or integer[-1] != "0":
        return _DIGIT_ENDINGS[int((fraction or integer)[-1])]
    significant = integer.rstrip("0")
    if not significant:
        return _DIGIT_ENDINGS[0]  # 영
    zeros = len(integer) - len(significant)
    if zeros % 4:
        return _TEN_POWER_ENDING
    myriad = zeros // 4 - 1
    return _MYRIAD_ENDINGS[myriad] if myriad < len(_MYRIAD_ENDINGS) else None


def _ascii_digits_tail(text: str) -> str:
    return "".join(_fold_fullwidth(char) for char in text[-40:])


def _latin_ending(text: str) -> _Ending:
    word = re.search(r"[A-Za-z]+$", "".join(_fold_fullwidth(c) for c in text[-40:]))
    assert word is not None  # the text ends with an ASCII letter
    letters = word.group(0)
    if len(letters) == 1 or letters.isupper():
        return _LETTER_NAME_ENDINGS[letters[-1].lower()]  # an acronym: 유알엘, 케이티
    return _english_word_ending(letters.lower())


def _english_word_ending(word: str) -> _Ending:
    """A loanword reading heuristic: 구글, 게임, 폰, 앱, 웹, 북, 챗 vs 버스, 테스트, 블로그."""
    last, before = word[-1], word[-2]
    if last == "e":
        if before == "l":
            return _Ending.RIEUL  # table 테이블
        return _Ending.CONSONANT if before in "mn" else _Ending.VOWEL  # game, phone; site
    if last == "l":
        return _Ending.RIEUL
    if last in "mn" or word.endswith("ng"):
        return _Ending.CONSONANT
    if last in "ptkb" and (before in _VOWELS or before == last or word.endswith("ck")):
        return _Ending.CONSONANT  # app 앱, chat 챗, book 북, web 웹, check 체크 is the exception
    return _Ending.VOWEL  # data, bus, test, blog, computer, watch, menu


@dataclass(frozen=True)
class _JosaPair:
    after_consonant: str
    after_vowel: str
    rieul_takes_vowel_form: bool = False

    def combined(self) -> str:
        if self.after_consonant.endswith(self.after_vowel):
            prefix = self.after_consonant[: -len(self.after_vowel)]
            return f"({prefix}){self.after_vowel}"
        return f"{self.after_consonant}({self.after_vowel})"


_EUL = _JosaPair("을", "를")
_I = _JosaPair("이", "가")
_EUN = _JosaPair("은", "는")
_GWA = _JosaPair("과", "와")
_EURO = _JosaPair("으로", "로", rieul_takes_vowel_form=True)
_INA = _JosaPair("이나", "나")
_A = _JosaPair("아", "야")
_IEYO = _JosaPair("이에요", "예요")
_IRA = _JosaPair("이라", "라")
_JOSA_PAIRS: dict[str, _JosaPair] = {
    "을/를": _EUL,
    "를/을": _EUL,
    "을(를)": _EUL,
    "이/가": _I,
    "가/이": _I,
    "이(가)": _I,
    "은/는": _EUN,
    "는/은": _EUN,
    "은(는)": _EUN,
    "과/와": _GWA,
    "와/과": _GWA,
    "과(와)": _GWA,
    "으로/로": _EURO,
    "로/으로": _EURO,
    "(으)로": _EURO,
    "이나/나": _INA,
    "(이)나": _INA,
    "아/야": _A,
    "아(야)": _A,
    "이에요/예요": _IEYO,
    "예요/이에요": _IEYO,
    "이에요(예요)": _IEYO,
    "이라/라": _IRA,
    "(이)라": _IRA,
}
JOSA_PAIRS = frozenset(_JOSA_PAIRS)


def josa(word: str, pair: str) -> str:
    """The particle of ``pair`` (``"을/를"``) that fits ``word``; ``을(를)`` if undecidable."""
    spec = _JOSA_PAIRS.get(pair.replace(" ", ""))
    if spec is None:
        raise ValueError(f"unknown particle pair {pair!r}")
    ending = _reading_ending(word)
    if ending is None:
        return spec.combined()
    if ending is _Ending.VOWEL or (ending is _Ending.RIEUL and spec.rieul_takes_vowel_form):
        return spec.after_vowel
    return spec.after_consonant


def with_josa(word: str, pair: str) -> str:
    """``word`` followed by its particle: ``with_josa("제안", "을/를") == "제안을"``."""
    return word + josa(word, pair)


_KRW_UNITS = ((10**16, "경"), (10**12, "조"), (10**8, "억"), (10**4, "만"))


def format_krw(amount: int) -> str:
    """Won in Korean units: ``123450000`` → ``1억 2,345만 원``, ``5000`` → ``5,000원``."""
    if amount < 0:
        return "-" + format_krw(-amount)
    parts: list[str] = []
    rest = amount
    for value, unit in _KRW_UNITS:
        group, rest = divmod(rest, value)
        if group:
            parts.append(f"{group:,}{unit}")
    if rest or not parts:
        return " ".join([*parts, f"{rest:,}원"])
    return " ".join([*parts, "원"])


class AmountError(ValueError):
    """A won amount could not be read; ``code`` names the reason for translated messages."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_BIG_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12, "경": 10**16}
_SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}
_AMOUNT_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)|(?P<unit>[십백천만억조경]))"
)


def parse_krw(text: str) -> int:
    """Read a non-negative won amount such as ``1억 2천만 원``, ``1.2억``, ``5,000원``."""
    body = _strip_currency_marks(text)
    if not body:
        raise AmountError("empty", "no amount given")
    if body.startswith("-"):
        raise AmountError("negative", "the amount must not be negative")
    total = _sum_amount_tokens(body)
    if total != total.to_integral_value():
        raise AmountError("fraction", "the amount must be a whole number of won")
    return int(total)


def _strip_currency_marks(text: str) -> str:
    body = unicodedata.normalize("NFKC", text).strip()
    body = body.removeprefix("₩").removeprefix("￦").strip()
    if body.upper().endswith("KRW"):
        body = body[:-3]
    return body.strip().removesuffix("원").strip()


def _sum_amount_tokens(body: str) -> Decimal:
    total, section = Decimal(0), Decimal(0)
    number: Decimal | None = None
    last_big, last_small = 10**21, 10**4
    position = 0
    while position < len(body):
        match = _AMOUNT_TOKEN.match(body, position)
        if match is None:
            raise AmountError("syntax", f"unexpected {body[position:].strip()[:10]!r}")
        position = match.end()
        if match.group("number") is not None:
            if number is not None:
                raise AmountError("syntax", "two numbers in a row")
            number = _decimal(match.group("number"))
            continue
        unit = match.group("unit")
        if unit in _SMALL_UNITS:
            if _SMALL_UNITS[unit] >= last_small:
                raise AmountError("order", f"{unit} is out of order")
            last_small = _SMALL_UNITS[unit]
            section += (Decimal(1) if number is None else number) * _SMALL_UNITS[unit]
        else:
            value = _BIG_UNITS[unit]
            group = section + (number or 0)
            if number is None and section == 0:
                group = Decimal(1)  # a bare 만 reads as 일만
            if value >= last_big or group * value >= last_big:
                raise AmountError("order", f"{unit} is out of order")
            total += group * value
            last_big, last_small, section = value, 10**4, Decimal(0)
        number = None
    ones = section + (number or 0)
    if last_big < 10**21 and ones >= last_big:
        raise AmountError("order", "the amount after the last unit is too large")
    return total + ones


def _decimal(number: str) -> Decimal:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
        raise AmountError("syntax", f"not a number: {number!r}") from error
