"""Gettext catalogs (ko first, en second) and locale-aware formatting of dates and money.

Catalogs are read from the `.po` files at start-up and compiled in memory with Babel, so
there is no build step and no compiled file in the repository.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime, time
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from bot.clock import Clock
from bot.domain.deadlines import SEOUL, deadline_last_day
from bot.domain.korean import format_krw, with_josa

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "ko"
SUPPORTED_LANGUAGES = ("ko", "en")
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
# Babel patterns per language; the year is shown only when it is not the current one.
DAY_PATTERNS = {"ko": "M월 d일(E)", "en": "EEE d MMM"}
DAY_WITH_YEAR_PATTERNS = {"ko": "y년 M월 d일(E)", "en": "EEE d MMM y"}
TIME_PATTERNS = {"ko": " a h:mm", "en": ", h:mm a"}
# Formatted days kept per language (about ten years of them); times of day are 1,440 at most.
DAYS_REMEMBERED = 4096


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated per user later)."""
    return message


def pick_language(stored: str | None, telegram_code: str | None) -> str:
    """The user's chosen language, else Telegram's `language_code` if we support it, else ko."""
    if stored in SUPPORTED_LANGUAGES:
        return stored
    base = (telegram_code or "").split("-")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """Messages and formats in one language."""

    def __init__(
        self,
        language: str,
        catalog: gettext.NullTranslations,
        tz: ZoneInfo,
        clock: Clock | None = None,
    ) -> None:
        self.language = language
        # parsed once: Babel would parse the language code again for every date it formats
        self.locale = Locale.parse(language)
        self._catalog = catalog
        self._tz = tz
        self._clock = clock
        # Babel takes about 10 µs to format a date, and a page shows a dozen, mostly of the
        # same few days: each day and each time of day is formatted once.
        self._day = lru_cache(maxsize=DAYS_REMEMBERED)(self._format_day)
        self._time_of_day = lru_cache(maxsize=24 * 60)(self._format_time_of_day)

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def moment(self, instant: datetime, *, now: datetime | None = None) -> str:
        """`12월 24일(목) 오후 3:00` / `Thu 24 Dec, 3:00 PM` in the configured zone.

        The year is added (`2027년 1월 1일(금) 오전 9:00`) when it is not the current one.
        """
        local = instant.astimezone(self._tz)
        day = local.date()
        return self._day(day, self._other_year(day, now)) + self._time_of_day(
            local.hour, local.minute)

    def deadline(self, instant: datetime, *, now: datetime | None = None) -> str:
        """A deadline; one at local midnight is the whole previous day: `12월 16일(수)`.

        Messages put it before 까지 (`12월 16일(수)까지`, `until Wed 16 Dec`): naming the
        last day avoids "16일 자정", which many read as the night before the 16th.
        """
        if instant.astimezone(self._tz).time() != time(0):
            return self.moment(instant, now=now)
        last_day = deadline_last_day(instant, self._tz)
        return self._day(last_day, self._other_year(last_day, now))

    def day(self, day: date, *, now: datetime | None = None) -> str:
        """A calendar day: `3월 2일(화)` (with its year when not the current one)."""
        return self._day(day, self._other_year(day, now))

    def local_day(self, instant: datetime) -> date:
        """The day `instant` falls on in the configured zone."""
        return instant.astimezone(self._tz).date()

    def _other_year(self, day: date, now: datetime | None) -> bool:
        """Whether `day` is outside the current year (of `now`, else of the clock), so it is
        shown with its year. Without either there is no current year to compare with, and
        the year is left out."""
        reference = now or (self._clock.now() if self._clock else None)
        return reference is not None and reference.astimezone(self._tz).year != day.year

    def _format_day(self, day: date, with_year: bool) -> str:
        pattern = (DAY_WITH_YEAR_PATTERNS if with_year else DAY_PATTERNS)[self.language]
        return format_date(day, pattern, locale=self.locale)

    def _format_time_of_day(self, hour: int, minute: int) -> str:
        """The time part of `moment`: its pattern's fields read the hour and minute only."""
        return format_datetime(datetime(2000, 1, 1, hour, minute), TIME_PATTERNS[self.language],
                               locale=self.locale)

    def with_particle(self, word: str, pair: str) -> str:
        """`word` and the Korean particle (e.g. 을/를) that fits it; the bare word otherwise."""
        return with_josa(word, pair) if self.language == "ko" else word

    def money(self, amount: int) -> str:
        """KRW: `1억 2,345만 원` in Korean, `₩123,450,000` in English."""
        if self.language == "ko":
            return format_krw(amount)
        return format_currency(amount, "KRW", locale="en")


class I18n:
    """All catalogs, loaded once; hands out a Translator per language."""

    def __init__(
        self, tz: ZoneInfo = SEOUL, locales_dir: Path = LOCALES_DIR, clock: Clock | None = None
    ) -> None:
        self._tz = tz
        self._translators = {
            language: Translator(language, _load_catalog(locales_dir, language), tz, clock)
            for language in SUPPORTED_LANGUAGES
        }

    def get(self, language: str | None) -> Translator:
        return self._translators.get(language or "", self._translators[DEFAULT_LANGUAGE])

    def all(self) -> list[Translator]:
        return list(self._translators.values())


def _load_catalog(locales_dir: Path, language: str) -> gettext.NullTranslations:
    path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
