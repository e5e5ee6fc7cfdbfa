"""「구가 묻습니다」: a question the district itself puts to residents, with its background,
the main arguments on each side, a window, and an audience.

Staff write one in a single message, a setting a line (`USAGE_LINES`); `parse_consultation`
reads it and names, in Korean, the first line it cannot use. Residents read the background
(one tap), vote once (they may change their vote until the close) and may leave an opinion
under the choice they made.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.korean import with_josa
from bot.domain.text import is_meaningful, mask_personal_data, normalise_text

ASKED = "consultation_asked"  # the timeline's first entry of a consultation
CLOSED_NOTE = "consultation_closed"  # the history's note of its close (the answer clock starts)
PRO_CON = ("찬성", "반대")
MAX_OPTIONS = 6
TITLE_LIMITS = (5, 80)
QUESTION_LIMITS = (5, 200)
# the background, the six arguments and the question fit one Telegram message (4,096)
BACKGROUND_LIMITS = (20, 1500)
ARGUMENT_LIMITS = (5, 300)
USAGE_LINES = (
    "/consult_new <제목>",
    "배경 <이 질문을 하는 까닭과 사정, 여러 줄이면 줄마다 배경>",
    "질문 <주민에게 묻는 말>",
    "선택 찬반  또는  선택 <보기1> | <보기2> | …",
    "찬성 <찬성 쪽 주요 논거>  (또는 보기마다: 논거 <보기 번호> <논거>)",
    "반대 <반대 쪽 주요 논거>",
    "기간 <시작일> <마감일>  (예: 기간 2027-01-04 2027-01-17)",
    "대상 전체 | 인증 | 동 <동 이름> | 분야 <분야>",
    "부서 <답할 부서 이름>",
)


class Audience(StrEnum):
    EVERYONE = "everyone"
    VERIFIED = "verified"  # residents verified with a code
    AREA = "area"  # verified residents of one 동
    CATEGORY = "category"  # residents following proposals of one category


class ConsultationError(ValueError):
    """A line staff wrote that cannot be used; the message says which and why, in Korean."""


@dataclass(frozen=True)
class ConsultationForm:
    title: str
    background: str
    question: str
    options: tuple[str, ...]
    arguments: tuple[str, ...]  # one per option ("" where none was written)
    opens_on: date
    closes_on: date
    audience: Audience
    audience_value: str | None
    department: str  # who answers after the close, through a reply link


def parse_consultation(
    text: str, areas: Sequence[str], categories: Sequence[str], today: date
) -> ConsultationForm:
    """The consultation in `text` (a first line with /consult_new and a title, then one
    setting a line); ConsultationError for the first problem."""
    lines = [normalise_text(unicodedata.normalize("NFKC", line))
             for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines or len(lines[0].split(maxsplit=1)) < 2:
        raise ConsultationError("첫 줄에 /consult_new 다음으로 제목을 적어 주세요.")
    title = _within(lines[0].split(maxsplit=1)[1], TITLE_LIMITS, "제목")
    fields: dict[str, list[str]] = {}
    for line in lines[1:]:
        key, _, value = line.partition(" ")
        if key not in KEYS:
            raise ConsultationError(f"「{line[:20]}」 줄을 읽지 못했어요. 줄마다 배경, 질문, "
                                    "선택, 찬성, 반대, 논거, 기간, 대상, 부서 가운데 하나로 "
                                    "시작해 주세요.")
        fields.setdefault(key, []).append(value.strip())
    return _form(title, fields, areas, categories, today)


KEYS = frozenset({"배경", "질문", "선택", "찬성", "반대", "논거", "기간", "대상", "부서"})


def _form(
    title: str, fields: Mapping[str, list[str]], areas: Sequence[str],
    categories: Sequence[str], today: date,
) -> ConsultationForm:
    background = _within("\n".join(fields.get("배경", [])), BACKGROUND_LIMITS, "배경")
    question = _within(_one(fields, "질문"), QUESTION_LIMITS, "질문")
    options = _options(_one(fields, "선택"))
    opens_on, closes_on = _window(_one(fields, "기간"), today)
    audience, value = _audience(fields.get("대상", ["전체"])[-1], areas, categories)
    return ConsultationForm(
        title, background, question, options, _arguments(fields, options), opens_on,
        closes_on, audience, value, _one(fields, "부서"))


def _one(fields: Mapping[str, list[str]], key: str) -> str:
    values = fields.get(key)
    if not values or not values[-1]:
        raise ConsultationError(f"「{key}」 줄이 없어요. 한 줄 적어 주세요.")
    return values[-1]


def _options(raw: str) -> tuple[str, ...]:
    if raw == "찬반":
        return PRO_CON
    options = tuple(part.strip() for part in raw.split("|") if part.strip())
    if len(options) < 2:
        raise ConsultationError("선택지는 두 개 이상이어야 해요. 「선택 찬반」이나 "
                                "「선택 보기1 | 보기2」처럼 적어 주세요.")
    if len(options) > MAX_OPTIONS or len(set(options)) < len(options):
        raise ConsultationError(f"선택지는 서로 다른 {MAX_OPTIONS}개까지 적을 수 있어요.")
    if any(len(option) > 40 or not is_meaningful(option) for option in options):
        raise ConsultationError("선택지마다 40자 안의 말로 적어 주세요.")
    return tuple(mask_personal_data(option)[0] for option in options)


def _arguments(fields: Mapping[str, list[str]], options: tuple[str, ...]) -> tuple[str, ...]:
    """The main argument written for each option (찬성/반대 lines for a 찬반 question, or
    「논거 <n> <text>」 lines)."""
    written = {n: "" for n in range(len(options))}
    if options == PRO_CON:
        written[0] = (fields.get("찬성") or [""])[-1]
        written[1] = (fields.get("반대") or [""])[-1]
    for line in fields.get("논거", []):
        number, _, argument = line.partition(" ")
        if not number.isdecimal() or not 1 <= int(number) <= len(options):
            raise ConsultationError(f"「논거 {line[:15]}」: 보기 번호(1~{len(options)}) 다음에 "
                                    "논거를 적어 주세요.")
        written[int(number) - 1] = argument
    return tuple(_within(text, ARGUMENT_LIMITS, "논거") if text else ""
                 for _, text in sorted(written.items()))


def _window(raw: str, today: date) -> tuple[date, date]:
    parts = raw.split()
    try:
        opens_on, closes_on = (date.fromisoformat(part) for part in parts)
    except ValueError:
        raise ConsultationError("기간은 「기간 2027-01-04 2027-01-17」처럼 시작일과 마감일을 "
                                "적어 주세요.") from None
    if opens_on < today:
        raise ConsultationError("시작일이 지났어요. 오늘이나 그 뒤로 적어 주세요.")
    if closes_on <= opens_on:
        raise ConsultationError("마감일은 시작일보다 뒤여야 해요.")
    if (closes_on - opens_on).days > 92:
        raise ConsultationError("기간은 석 달 안으로 잡아 주세요.")
    return opens_on, closes_on


def _audience(
    raw: str, areas: Sequence[str], categories: Sequence[str]
) -> tuple[Audience, str | None]:
    kind, _, value = raw.partition(" ")
    compact = value.replace(" ", "")
    if kind == "전체" and not value:
        return Audience.EVERYONE, None
    if kind == "인증" and not value:
        return Audience.VERIFIED, None
    if kind == "동" and compact in areas:
        return Audience.AREA, compact
    if kind == "분야" and value in categories:
        return Audience.CATEGORY, value
    raise ConsultationError("대상은 「전체」, 「인증」, 「동 <동 이름>」, 「분야 <분야>」 가운데 "
                            "하나로 적어 주세요 (동과 분야는 설정에 있는 이름으로).")


def _within(text: str, limits: tuple[int, int], name: str) -> str:
    low, high = limits
    clean = normalise_text(text)
    if len(clean) < low or not is_meaningful(clean):
        raise ConsultationError(f"{with_josa(name, '이/가')} 너무 짧아요. {low}자 이상 적어 "
                                "주세요.")
    if len(clean) > high:
        raise ConsultationError(f"{with_josa(name, '은/는')} {high:,}자 안으로 줄여 주세요.")
    return mask_personal_data(clean)[0]


def tally(choices: Sequence[int], options: int) -> tuple[int, ...]:
    """Votes per option, in the options' order."""
    counts = [0] * options
    for choice in choices:
        if 0 <= choice < options:
            counts[choice] += 1
    return tuple(counts)
