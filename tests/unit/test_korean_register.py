"""The Korean catalog keeps one polite register a senior reads without doubt: 해요체 with
감사합니다, a command joined to its particle (`/propose를`), and no jargon or English words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.domain.korean import josa

KO_CATALOG = Path(__file__).resolve().parents[2] / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
PARTICLE_PAIRS = ("을/를", "이/가", "은/는", "과/와", "으로/로")
PARTICLES = sorted({p for pair in PARTICLE_PAIRS for p in pair.split("/")}, key=len, reverse=True)
PARTICLE = "|".join(PARTICLES)
# A particle standing alone after a space, behind a command, an <argument> or a {placeholder}.
DETACHED_PARTICLE = re.compile(rf"(?:/[a-z_]+|[>}}])\s+(?:{PARTICLE}|에서)(?=[\s.,:!?)]|$)")
COMMAND_WITH_PARTICLE = re.compile(rf"/([a-z_]+)({PARTICLE})(?![가-힣])")
FORMAL_ENDING = re.compile(r"[가-힣]*니다")
JARGON = ("중앙값", "MES", "토픽", "자정", "밤 12시")


def ko_messages() -> list[tuple[str, str]]:
    with KO_CATALOG.open("rb") as po_file:
        catalog = read_po(po_file, locale="ko")
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        pairs.extend((msgid, text) for text in strings if text)
    return pairs


MESSAGES = ko_messages()


def offending(pattern: re.Pattern[str]) -> list[str]:
    return [text for _, text in MESSAGES if pattern.search(text)]


def test_thanks_are_said_with_감사합니다_not_고마워요() -> None:
    assert [text for _, text in MESSAGES if "고마" in text] == []


def test_every_message_speaks_해요체_except_감사합니다() -> None:
    formal = [text for _, text in MESSAGES
              if any(word != "감사합니다" for word in FORMAL_ENDING.findall(text))]
    assert formal == []


def test_no_space_before_a_particle_after_a_command_or_placeholder() -> None:
    assert offending(DETACHED_PARTICLE) == []


def test_a_command_takes_the_particle_of_its_last_sound() -> None:
    wrong = []
    for _, text in MESSAGES:
        for command, particle in COMMAND_WITH_PARTICLE.findall(text):
            pair = next(p for p in PARTICLE_PAIRS if particle in p.split("/"))
            if josa(command, pair) != particle:
                wrong.append(f"/{command}{particle}")
    assert wrong == []


@pytest.mark.parametrize("word", JARGON)
def test_no_jargon_on_resident_screens(word: str) -> None:
    assert [text for _, text in MESSAGES if word in text] == []


def test_counting_rules_name_their_code_only_in_brackets() -> None:
    bare_codes = re.compile(r"(?<![(\w-])(?:greedy|mes)(?:-[a-z0-9]+)*(?![\w-]*\))")
    assert offending(bare_codes) == []


@pytest.mark.parametrize(("text", "found"), [
    ("/propose 를 눌러 주세요", True), ("/propose를 눌러 주세요", False),
    ("<이름> 으로 추가하세요", True), ("{id} 로 보내요", True), ("/rounds 에서", True),
])
def test_the_detached_particle_check_finds_what_it_should(text: str, found: bool) -> None:
    assert bool(DETACHED_PARTICLE.search(text)) is found


def test_the_particle_check_knows_how_commands_end() -> None:
    assert [josa(c, "을/를") for c in ("propose", "audit", "budget", "cancel")] == [
        "를", "을", "을", "을"]
