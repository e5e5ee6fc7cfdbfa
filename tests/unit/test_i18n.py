"""Catalogs are complete and consistent; Korean formatting reads naturally."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.dates import format_datetime
from babel.messages.pofile import read_po

from bot.clock import ShiftableClock
from bot.domain.deadlines import SEOUL
from bot.i18n import (
    DAY_PATTERNS,
    DAY_WITH_YEAR_PATTERNS,
    LOCALES_DIR,
    SUPPORTED_LANGUAGES,
    TIME_PATTERNS,
    I18n,
    pick_language,
)
from bot.rendering.common import language_changed

PLACEHOLDER = re.compile(r"\{(\w*)\}")
ROOT = Path(__file__).resolve().parents[2]


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def template_ids(path: Path) -> set[str]:
    with path.open("rb") as pot:
        return {m.id for m in read_po(pot) if m.id}


def translated(string: str | tuple[str, ...]) -> bool:
    """A singular or every plural form is filled in."""
    return all(string) if isinstance(string, tuple) else bool(string)


def text_of(value: str | tuple[str, ...]) -> str:
    return " ".join(value) if isinstance(value, tuple) else value


def test_korean_catalog_translates_every_message() -> None:
    ko = catalog("ko")
    expected = template_ids(LOCALES_DIR / "messages.pot")
    untranslated = [m.id for m in ko if m.id and (not translated(m.string) or m.fuzzy)]
    assert untranslated == []
    assert {m.id for m in ko if m.id} >= expected


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalogs_carry_no_format_flags(language: str) -> None:
    """A line-based reader takes a flagged multi-line entry for an untranslated one: the
    catalogs are tidied by `python3 dev.py i18n` (placeholders are checked here instead)."""
    text = (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("#,")] == []


def test_korean_messages_never_hedge_a_particle_after_a_placeholder() -> None:
    """「{title}」이(가) reads as a machine's guess: a sentence with a placeholder before a
    particle is written so that no particle follows it, or uses `with_particle`."""
    hedged = re.compile(
        r"[}」』\"”]\s*"
        r"(이\(가\)|을\(를\)|은\(는\)|과\(와\)|\((이|으|을|은|과|와|를|는|가)\))"
    )
    found = [m.id for m in catalog("ko") if m.id and hedged.search(text_of(m.string))]
    assert found == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_placeholders_match_between_msgid_and_msgstr(language: str) -> None:
    mismatched = [
        m.id for m in catalog(language)
        if m.id and translated(m.string)
        and set(PLACEHOLDER.findall(text_of(m.id))) != set(PLACEHOLDER.findall(text_of(m.string)))
    ]
    assert mismatched == []


def test_the_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "gettext", "-k", "ngettext:1,2", "--no-location",
         "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    assert template_ids(fresh) == template_ids(LOCALES_DIR / "messages.pot"), (
        "run `python3 dev.py i18n` and translate the new messages"
    )


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [(None, "ko", "ko"), (None, "en-GB", "en"), (None, "ja", "ko"), ("en", "ko", "en"),
     (None, None, "ko"), ("xx", "en", "en")],
)
def test_language_comes_from_choice_then_telegram_then_korean(
    stored: str | None, telegram: str | None, expected: str
) -> None:
    assert pick_language(stored, telegram) == expected


def test_dates_money_and_particles_read_naturally() -> None:
    i18n = I18n()
    ko, en = i18n.get("ko"), i18n.get("en")
    midnight = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # 2026-12-25 00:00 KST
    assert ko.deadline(midnight) == "12월 24일(목)"
    assert en.deadline(midnight) == "Thu 24 Dec"
    afternoon = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert ko.moment(afternoon) == "11월 24일(화) 오후 3:00"
    assert ko.money(123_450_000) == "1억 2,345만 원"
    assert en.money(123_450_000) == "₩123,450,000"
    assert language_changed(ko) == "언어를 한국어로 바꿨어요."
    assert language_changed(en) == "Language changed to English."


DECEMBER_2026 = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # Mon 7 Dec 2026, 12:00 KST


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.mark.parametrize(("closes", "ko_text", "en_text"), [
    (kst(2026, 12, 17), "12월 16일(수)", "Wed 16 Dec"),
    (kst(2026, 12, 21), "12월 20일(일)", "Sun 20 Dec"),
    (kst(2027, 1, 1), "12월 31일(목)", "Thu 31 Dec"),
    (kst(2027, 1, 2), "2027년 1월 1일(금)", "Fri 1 Jan 2027"),
    (kst(2026, 12, 16, 15), "12월 16일(수) 오후 3:00", "Wed 16 Dec, 3:00 PM"),
    (kst(2027, 1, 1, 0, 1), "2027년 1월 1일(금) 오전 12:01", "Fri 1 Jan 2027, 12:01 AM"),
])
def test_a_deadline_names_its_last_day_and_the_year_only_when_not_the_current_one(
    closes: datetime, ko_text: str, en_text: str,
) -> None:
    i18n = I18n(clock=ShiftableClock(DECEMBER_2026, frozen=True))
    assert i18n.get("ko").deadline(closes) == ko_text
    assert i18n.get("en").deadline(closes) == en_text


def test_the_current_year_is_that_of_the_clock_in_korea() -> None:
    new_year_in_seoul = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)  # 2027-01-01 00:30 KST
    ko = I18n(clock=ShiftableClock(new_year_in_seoul, frozen=True)).get("ko")
    assert ko.deadline(kst(2027, 1, 16)) == "1월 15일(금)"
    assert ko.deadline(kst(2027, 1, 1)) == "2026년 12월 31일(목)"
    assert ko.moment(kst(2026, 12, 31, 9)) == "2026년 12월 31일(목) 오전 9:00"


def test_a_given_now_wins_over_the_clock_and_without_either_no_year_is_shown() -> None:
    ko = I18n().get("ko")
    assert ko.deadline(kst(2028, 3, 2)) == "3월 1일(수)"
    assert ko.deadline(kst(2028, 3, 2), now=DECEMBER_2026) == "2028년 3월 1일(수)"


def test_a_deadline_sentence_reads_until_the_day() -> None:
    ko = I18n(clock=ShiftableClock(DECEMBER_2026, frozen=True)).get("ko")
    line = ko.gettext("Debate closes {when}").format(when=ko.deadline(kst(2026, 12, 17)))
    assert line == "토론 마감: 12월 16일(수)까지"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_moment_is_what_babel_gives_for_the_whole_pattern(language: str) -> None:
    """The translator formats a moment's day and its time of day apart, once each."""
    t = I18n().get(language)
    instants = (datetime(2026, 12, 24, 6, 0, tzinfo=UTC),
                datetime(2026, 12, 31, 15, 5, tzinfo=UTC),
                datetime(2027, 3, 1, 3, 59, tzinfo=UTC))
    for instant in instants * 2:  # the second time from what was remembered
        for now in (None, datetime(2026, 6, 1, tzinfo=UTC)):
            local = instant.astimezone(SEOUL)
            with_year = now is not None and now.year != local.year
            pattern = (DAY_WITH_YEAR_PATTERNS if with_year else DAY_PATTERNS)[language]
            expected = format_datetime(local, pattern + TIME_PATTERNS[language], locale=language)
            assert t.moment(instant, now=now) == expected
