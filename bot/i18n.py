"""Gettext catalogs (ko first, en second) and locale-aware formatting of dates and money.

Catalogs are read from the `.po` files at start-up and compiled in memory with Babel, so
there is no build step and no compiled file in the repository.
"""

from __future__ import annotations

import gettext
from datetime import datetime, time
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from bot.domain.deadlines import SEOUL, deadline_last_day
from bot.domain.korean import format_krw, with_josa

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "ko"
SUPPORTED_LANGUAGES = ("ko", "en")
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


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

    def __init__(self, language: str, catalog: gettext.NullTranslations, tz: ZoneInfo) -> None:
        self.language = language
        self._catalog = catalog
        self._tz = tz

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def moment(self, instant: datetime) -> str:
        """`12월 24일(목) 오후 3:00` / `Thu, Dec 24, 3:00 PM` in the configured zone."""
        pattern = "M월 d일(E) a h:mm" if self.language == "ko" else "EEE, MMM d, h:mm a"
        return format_datetime(instant, pattern, tzinfo=self._tz, locale=self.language)

    def deadline(self, instant: datetime) -> str:
        """A deadline; one at local midnight reads as the end of the previous day.

        Korean says `밤 12시` for it: "27일 자정" is often read as the night before the 27th.
        """
        if instant.astimezone(self._tz).time() != time(0):
            return self.moment(instant)
        day_pattern = "M월 d일(E)" if self.language == "ko" else "EEE, MMM d"
        last_day = deadline_last_day(instant, self._tz)
        day = format_date(last_day, day_pattern, locale=self.language)
        return self.gettext("{day} midnight").format(day=day)

    def with_particle(self, word: str, pair: str) -> str:
        """`word` plus the right Korean particle (e.g. 을/를) in Korean; the bare word otherwise."""
        return with_josa(word, pair) if self.language == "ko" else word

    def money(self, amount: int) -> str:
        """KRW: `1억 2,345만 원` in Korean, `₩123,450,000` in English."""
        if self.language == "ko":
            return format_krw(amount)
        return format_currency(amount, "KRW", locale="en")


class I18n:
    """All catalogs, loaded once; hands out a Translator per language."""

    def __init__(self, tz: ZoneInfo = SEOUL, locales_dir: Path = LOCALES_DIR) -> None:
        self._tz = tz
        self._translators = {
            language: Translator(language, _load_catalog(locales_dir, language), tz)
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
