"""Texts of account linking: the code shown, and every answer to a code entered or an unlink.

A resident reads these in both apps, so each text names the words to send in the other app
(`/link 123456` in Telegram, 「연결 123456」 in KakaoTalk).
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.services.account_links import (
    IssuedCode,
    LinkOutcome,
    LinkResult,
    UnlinkOutcome,
)

ALREADY_LINKED = N_("✅ Your KakaoTalk and Telegram accounts are already linked. To unlink "
                    "them, send this. Telegram: /unlink · KakaoTalk: 연결 해제")
GET_A_NEW_ONE = N_("Please get a new code. Telegram: /link · KakaoTalk: 연결")
REFUSALS: dict[LinkOutcome, str] = {
    LinkOutcome.ALREADY_LINKED: ALREADY_LINKED,
    LinkOutcome.OWN_CODE: N_("❓ This account showed that code. Please send it from your other "
                             "account, in KakaoTalk or Telegram."),
    LinkOutcome.SAME_CHANNEL: N_("⛔ A code links a KakaoTalk account with a Telegram account. "
                                 "Please send it from the other app than the one that showed "
                                 "it."),
    LinkOutcome.BOTH_ACTIVE: N_(
        "⛔ Both accounts already have activity (proposals, endorsements, votes, opinions or "
        "follows), and two histories cannot be merged, so they cannot be linked. Please keep "
        "using one of them. If they must become one, please ask the staff (/ask)."),
}


def link_code(t: Translator, issued: IssuedCode) -> str:
    """The code, the words to send in the other app, and until when it works."""
    if issued.code is None or issued.expires_at is None:
        return t.gettext(ALREADY_LINKED)
    if issued.from_kakao:
        text = t.gettext("🔗 Link code: {code}\nSend this to the 공감 bot in Telegram:\n"
                         "/link {code}\nIt works once, until {time}.")
    else:
        text = t.gettext("🔗 Link code: {code}\nSend this to the 공감 KakaoTalk channel:\n"
                         "연결 {code}\nIt works once, until {time}.")
    return text.format(code=issued.code, time=t.moment(issued.expires_at))


def link_reply(t: Translator, result: LinkResult) -> str:
    if result.outcome is LinkOutcome.LINKED:
        return t.gettext("✅ Linked! KakaoTalk and Telegram are now one 공감 account. News "
                         "about what you follow comes to Telegram.")
    if result.outcome in REFUSALS:
        return t.gettext(REFUSALS[result.outcome])
    if result.outcome is LinkOutcome.USED:
        used = t.gettext("⛔ This code has already been used.")
        return f"{used} {t.gettext(GET_A_NEW_ONE)}"
    if result.outcome is LinkOutcome.EXPIRED:
        expired = t.gettext("⌛ This code has expired: a code works for 10 minutes.")
        return f"{expired} {t.gettext(GET_A_NEW_ONE)}"
    if result.outcome is LinkOutcome.RATE_LIMITED:
        assert result.retry_at is not None
        return t.gettext("⏳ Too many wrong codes. Please try again after {when}.").format(
            when=t.moment(result.retry_at))
    return _unknown(t, result.tries_left)


def _unknown(t: Translator, tries_left: int | None) -> str:
    text = t.gettext("❓ We could not find this code. Please check the six digits and send "
                     "it again.")
    if tries_left:
        text += "\n" + t.ngettext(
            "After {n} more wrong code you cannot enter codes for an hour.",
            "After {n} more wrong codes you cannot enter codes for an hour.",
            tries_left).format(n=tries_left)
    return text


def unlink_reply(t: Translator, outcome: UnlinkOutcome) -> str:
    if outcome is UnlinkOutcome.UNLINKED:
        return t.gettext("✅ Unlinked. KakaoTalk is a separate, new 공감 account again; what "
                         "you did so far stays with your Telegram account.")
    return t.gettext("Your accounts are not linked. To link them, get a code. Telegram: "
                     "/link · KakaoTalk: 연결")
