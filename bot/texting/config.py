"""The text-message settings (`TEXT_*`, `NHN_ALIMTALK_*`), read from the environment.

- `TEXT_PROVIDER`: `nhn` (NHN Cloud KakaoTalk Bizmessage), `sandbox` (nothing leaves the
  process; the sandbox and tests), or unset: no texts (Kakao-only residents' pushes wait for
  their next turn, offline proposers' go on the call-back list, as before).
- With `nhn`: `NHN_ALIMTALK_APPKEY`, `NHN_ALIMTALK_SECRET_KEY`, `NHN_ALIMTALK_SENDER_KEY`
  (the 발신 키 of the KakaoTalk channel), `TEXT_SEND_NO` (the registered number SMS
  fallbacks come from), optionally `NHN_ALIMTALK_BASE_URL`. The templates of
  `bot.domain.text_messages.TEMPLATES` must be registered and approved under their codes.
- `TEXT_MESSAGE_DAILY_WON_CAP`: won a KST day of texts may cost; once reached, non-urgent
  texts wait for the next day. `TEXT_PRICES`: `alimtalk=8,sms=20,lms=50` (the contract's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

from bot.domain.text_messages import TextPrices
from bot.texting.nhn import DEFAULT_BASE_URL, NhnCredentials

PROVIDERS = ("nhn", "sandbox")


@dataclass(frozen=True)
class TextMessaging:
    provider: str | None = None
    nhn: NhnCredentials | None = None
    prices: TextPrices = TextPrices()
    daily_won_cap: int | None = None

    @property
    def enabled(self) -> bool:
        return self.provider is not None


def text_messaging(env: Mapping[str, str]) -> TextMessaging:
    """The settings from `env`; ValueError names the variable that is wrong."""
    def get(name: str) -> str | None:
        raw = env.get(name)
        return raw.strip() if raw and raw.strip() else None

    provider = get("TEXT_PROVIDER")
    if provider is not None and provider not in PROVIDERS:
        raise ValueError(f"TEXT_PROVIDER must be one of {', '.join(PROVIDERS)}")
    return TextMessaging(
        provider=provider,
        nhn=_nhn(get) if provider == "nhn" else None,
        prices=_prices(get("TEXT_PRICES")),
        daily_won_cap=_cap(get("TEXT_MESSAGE_DAILY_WON_CAP")),
    )


def _nhn(get: Callable[[str], str | None]) -> NhnCredentials:
    names = ("NHN_ALIMTALK_APPKEY", "NHN_ALIMTALK_SECRET_KEY", "NHN_ALIMTALK_SENDER_KEY",
             "TEXT_SEND_NO")
    values = [get(name) for name in names]
    missing = [name for name, value in zip(names, values, strict=True) if value is None]
    if missing:
        raise ValueError(f"TEXT_PROVIDER=nhn needs {', '.join(missing)}")
    appkey, secret, sender, send_no = (str(value) for value in values)
    return NhnCredentials(appkey, secret, sender, send_no,
                          get("NHN_ALIMTALK_BASE_URL") or DEFAULT_BASE_URL)


def _prices(raw: str | None) -> TextPrices:
    if raw is None:
        return TextPrices()
    known = {field.name for field in fields(TextPrices)}
    prices: dict[str, int] = {}
    for part in raw.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in known or not value.strip().isdigit():
            raise ValueError("TEXT_PRICES must look like alimtalk=8,sms=20,lms=50")
        prices[name.strip()] = int(value)
    return TextPrices(**prices)


def _cap(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError("TEXT_MESSAGE_DAILY_WON_CAP must be a positive whole number of won")
    return int(raw)
