"""Text messages to phones (알림톡 with an SMS or LMS fallback): the rules, no I/O.

- 알림톡 may only carry a template registered with Kakao in advance: fixed text with
  `#{변수}` placeholders. `TEMPLATES` is our registry of them (code → variables, the fixed
  Korean text exactly as registered); a notice is filled into one of them, and the same
  filled text is the SMS or LMS fallback.
- A fallback is an SMS up to 90 bytes and an LMS above, counted as Korean carriers count:
  in CP949 (EUC-KR with every Hangul syllable), two bytes a Korean letter, one an ASCII
  character; a character CP949 cannot write (an emoji) is counted as two.
- Who gets texts: a Kakao-only resident who chose them and gave a number, and an offline
  proposer who agreed at intake. An offline proposer has no chat, so their notices are
  outbox rows for a synthetic chat id per proposal (`offline_proposer_chat`), in a range of
  its own above the Kakao residents' (bot/domain/kakao.py): Telegram never sees either.
- The daily cost cap: once what was spent in a KST day reaches it, non-urgent texts wait
  for the next KST day; urgent ones still go.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.domain.deadlines import SEOUL
from bot.domain.kakao import KAKAO_ID_BASE

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
OFFLINE_PROPOSER_BASE = KAKAO_ID_BASE * 2  # 2**61: an offline proposer's notices, by proposal
OFFLINE_PROPOSER_END = KAKAO_ID_BASE * 4
_PLACEHOLDER = re.compile(r"#\{([^}]+)\}")
_MOBILE = re.compile(r"01[016789]\d{7,8}")
VARIABLE_MAX = 200  # characters a variable may carry (Kakao caps the whole text at 1,000)
# What a KakaoTalk resident types (no commands there): 알림톡, 알림톡 010-…, 알림톡 끄기.
TEXT_UTTERANCE = re.compile(r"^\s*(?:알림톡|문자\s*알림)(?:\s+(?P<argument>\S.*?))?\s*$")


class TextChannel(StrEnum):
    """How a text went (or is to go) out."""

    ALIMTALK = "alimtalk"
    SMS = "sms"
    LMS = "lms"


@dataclass(frozen=True)
class AlimtalkTemplate:
    """A template as registered with Kakao: its code, its variables, its fixed text."""

    code: str
    variables: tuple[str, ...]
    text: str

    def __post_init__(self) -> None:
        if tuple(_PLACEHOLDER.findall(self.text)) != self.variables:
            raise ValueError(f"template {self.code}: variables do not match its text")

    def fill(self, values: dict[str, str]) -> str:
        """The text with each `#{변수}` replaced; KeyError names a missing variable."""
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], self.text)


ANSWER = AlimtalkTemplate(
    "GG_ANSWER_01", ("제목", "부서", "종류", "요지", "링크"),
    "[공감] 제안에 답변이 왔어요\n\n제안: #{제목}\n답변 부서: #{부서}\n답변 종류: #{종류}\n\n"
    "#{요지}\n\n자세히 보기: #{링크}",
)
STATUS = AlimtalkTemplate(
    "GG_STATUS_01", ("제목", "상황", "링크"),
    "[공감] 제안 진행 상황을 알려 드려요\n\n제안: #{제목}\n지금 상황: #{상황}\n\n"
    "자세히 보기: #{링크}",
)
DEBATE = AlimtalkTemplate(
    "GG_DEBATE_01", ("제목", "내용", "링크"),
    "[공감] 제안 토론 소식이에요\n\n제안: #{제목}\n#{내용}\n\n자세히 보기: #{링크}",
)
EXPIRED = AlimtalkTemplate(
    "GG_EXPIRED_01", ("제목", "공감", "목표", "링크"),
    "[공감] 공감 모으기 기간이 끝났어요\n\n제안: #{제목}\n받은 공감: #{공감} (목표 #{목표})\n\n"
    "참여해 주셔서 감사합니다.\n자세히 보기: #{링크}",
)
GENERIC = AlimtalkTemplate(
    "GG_NEWS_01", ("제목", "링크"),
    "[공감] 처리 상황이 바뀌었어요: #{제목} — #{링크}",
)
TEMPLATES = {template.code: template for template in (ANSWER, STATUS, DEBATE, EXPIRED, GENERIC)}


@dataclass(frozen=True)
class TextMessage:
    """One notice as a text: the template, its values, and the filled text (the fallback)."""

    template: AlimtalkTemplate
    values: dict[str, str]

    @property
    def text(self) -> str:
        return self.template.fill(self.values)

    @property
    def fallback(self) -> TextChannel:
        return fallback_channel(self.text)


def shortened(value: str, limit: int = VARIABLE_MAX) -> str:
    """One line of at most `limit` characters (a variable never breaks the template's lines)."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def sms_bytes(text: str) -> int:
    """The text's length as Korean carriers bill it (CP949; an unwritable character: 2)."""
    return sum(_char_bytes(char) for char in text)


def _char_bytes(char: str) -> int:
    try:
        return len(char.encode("cp949"))
    except UnicodeEncodeError:
        return 2


def fallback_channel(text: str) -> TextChannel:
    """SMS up to 90 bytes, LMS above."""
    return TextChannel.SMS if sms_bytes(text) <= SMS_MAX_BYTES else TextChannel.LMS


def cut_to_bytes(text: str, limit: int = LMS_MAX_BYTES) -> str:
    """The text cut so that it fits `limit` bytes (an LMS body), the cut marked with …."""
    if sms_bytes(text) <= limit:
        return text
    kept, used = [], 2  # room for the ellipsis (two bytes in CP949)
    for char in text:
        used += _char_bytes(char)
        if used > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def mobile_number(raw: str) -> str | None:
    """A Korean mobile number as digits only (010xxxxxxxx), or None when `raw` is not one
    (+82 and spaces, dashes or full-width digits are fine)."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if "0" <= ch <= "9")
    if digits.startswith("82"):
        digits = "0" + digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None


def masked_number(number: str) -> str:
    """010-****-5678: enough to recognise one's own number, not to use it."""
    return f"{number[:3]}-****-{number[-4:]}"


def offline_proposer_chat(proposal_id: int) -> int:
    """The synthetic chat id of an offline proposal's resident (their texts)."""
    return OFFLINE_PROPOSER_BASE + proposal_id


def offline_proposal_of(chat_id: int) -> int | None:
    """The proposal whose offline proposer `chat_id` stands for; None for any other chat."""
    if OFFLINE_PROPOSER_BASE < chat_id < OFFLINE_PROPOSER_END:
        return chat_id - OFFLINE_PROPOSER_BASE
    return None


@dataclass(frozen=True)
class TextPrices:
    """What one text costs in won, by how it went (the provider's price list; settings)."""

    alimtalk: int = 8
    sms: int = 20
    lms: int = 50

    def of(self, channel: TextChannel) -> int:
        return {TextChannel.ALIMTALK: self.alimtalk, TextChannel.SMS: self.sms,
                TextChannel.LMS: self.lms}[channel]

    def dearest(self, fallback: TextChannel) -> int:
        """The most a text with this fallback can cost: the cap books this much first."""
        return max(self.alimtalk, self.of(fallback))


@dataclass(frozen=True)
class DailyCap:
    """The most won texts may cost in one KST day; None: no cap."""

    won: int | None = None
    tz: tzinfo = SEOUL

    def day_start(self, now: datetime) -> datetime:
        """The UTC instant today (in Korea) began: what was spent since counts."""
        local = now.astimezone(self.tz)
        return datetime.combine(local.date(), time(0), tzinfo=self.tz).astimezone(UTC)

    def next_day(self, now: datetime) -> datetime:
        """The UTC instant tomorrow (in Korea) begins: when held texts may go again."""
        local = now.astimezone(self.tz).date() + timedelta(days=1)
        return datetime.combine(local, time(0), tzinfo=self.tz).astimezone(UTC)

    def holds(self, spent: int, *, urgent: bool, price: int = 0) -> bool:
        """True when a non-urgent text must wait: with its `price`, today's spending would
        pass the cap (or has reached it)."""
        return self.won is not None and not urgent and (
            spent >= self.won or spent + price > self.won)
