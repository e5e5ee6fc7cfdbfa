"""Texts and keyboards of the first conversation: greeting, menu, help, language, settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from html import escape

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)

from bot.buttons import (
    AccountLinkStart,
    BudgetNewsOptIn,
    DigestToggle,
    LanguageChoice,
    NotificationToggle,
)
from bot.domain.policy import Policy
from bot.domain.quiet_hours import QuietHours
from bot.i18n import LANGUAGE_NAMES, N_, SUPPORTED_LANGUAGES, I18n, Translator
from bot.rendering import Rendered


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    command: str
    description: str


MENU: tuple[MenuItem, ...] = (
    MenuItem("propose", N_("✍️ Propose"), "propose", N_("Write a proposal")),
    MenuItem("browse", N_("🔎 Browse proposals"), "proposals", N_("Browse proposals")),
    MenuItem("my", N_("🙋 My activity"), "my", N_("My proposals and endorsements")),
    MenuItem("budget", N_("💰 Participatory budget"), "budget", N_("Participatory budget")),
    MenuItem("settings", N_("⚙️ Settings"), "settings", N_("Notification settings")),
    MenuItem("help", N_("❓ Help"), "help", N_("How 공감 works")),
)
EXTRA_COMMANDS: tuple[tuple[str, str], ...] = (
    ("polls", N_("Resident polls")),
    ("budget_news", N_("Hear when a budget vote opens")),
    ("verify", N_("Confirm you live in your 동 with a code")),
    ("link", N_("Link your KakaoTalk and Telegram accounts")),
    ("council", N_("Apply to your 동's 주민자치회")),
    ("assembly", N_("Vote at your 동's 주민총회")),
    ("consult", N_("What the district asks residents")),
    ("ask", N_("Ask the staff a question")),
    ("lang", N_("Change language")),
    ("cancel", N_("Cancel what you are doing")),
)


def menu_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """Two buttons a row: big enough to hit on a small phone."""
    labels = [t.gettext(item.label) for item in MENU]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def menu_item_for_label(i18n: I18n, text: str) -> MenuItem | None:
    """Which menu item a reply-keyboard text belongs to, in any language."""
    for item in MENU:
        if any(text == t.gettext(item.label) for t in i18n.all()):
            return item
    return None


def bot_commands(t: Translator) -> list[BotCommand]:
    pairs = [(item.command, item.description) for item in MENU] + list(EXTRA_COMMANDS)
    return [BotCommand(command, t.gettext(description)) for command, description in pairs]


def greeting(t: Translator, first_name: str, policy: Policy, *, kakao: bool = False,
             texts: bool = False) -> str:
    """The welcome. In KakaoTalk a chatbot cannot write first: the news waits for the
    resident's next message there, or comes as 알림톡 once they give a number (`texts`)."""
    hello = t.gettext("Hello, {name}! Welcome to 공감.").format(name=escape(first_name))
    lines = t.gettext(
        "① Propose what our district should change.\n"
        "② With {threshold} endorsements in {days} days, the department must answer.\n"
    ).format(threshold=policy.endorsement_threshold, days=policy.collection_days)
    begin = t.gettext("Choose from the menu below to begin.")
    return f"{hello}\n\n{lines}{_where_news_comes(t, kakao, texts)}\n\n{begin}"


def _where_news_comes(t: Translator, kakao: bool, texts: bool) -> str:
    if not kakao:
        return t.gettext("③ Follow the debate and the answer right here in this chat.")
    if not texts:
        return t.gettext("③ The news of the debate and the answer is shown first thing "
                         "whenever you write here.")
    return t.gettext("③ The news of the debate and the answer is shown first thing whenever "
                     "you write here; to get it as a KakaoTalk notice (알림톡) even when you "
                     "do not, send 알림톡.")


def arrived_by_link(t: Translator, policy: Policy) -> str:
    """Sent under a card opened from a shared link, with the main menu."""
    return t.gettext(
        "This is 공감, where residents propose what the district should change and endorse "
        "each other's proposals. With {threshold} endorsements in {days} days, the department "
        "must answer. In the menu below you can browse other proposals, write your own and "
        "vote on the participatory budget."
    ).format(threshold=policy.endorsement_threshold, days=policy.collection_days)


def help_text(t: Translator, policy: Policy) -> str:
    commands = "\n".join(f"/{c.command} — {escape(c.description)}" for c in bot_commands(t))
    intro = t.gettext(
        "공감 collects residents' proposals. A proposal that gathers {threshold} "
        "endorsements within {days} days is reviewed by the responsible department, "
        "which must answer you."
    ).format(threshold=policy.endorsement_threshold, days=policy.collection_days)
    return f"{intro}\n\n{commands}"


def language_prompt(t: Translator) -> Rendered:
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == t.language else "") + LANGUAGE_NAMES[code],
            callback_data=LanguageChoice(code).pack(),
        )
        for code in SUPPORTED_LANGUAGES
    ]
    return Rendered(t.gettext("Which language would you like?"), InlineKeyboardMarkup([buttons]))


def language_changed(t: Translator) -> str:
    name = t.with_particle(LANGUAGE_NAMES[t.language], "으로/로")
    return t.gettext("Language changed to {language}.").format(language=name)


def settings_view(
    t: Translator, muted_all: bool, quiet: QuietHours, budget_news: bool = False,
    digest: DigestChoice | None = None,
) -> Rendered:
    state = (
        t.gettext("Notifications are off. Only urgent notices reach you.")
        if muted_all
        else t.gettext("Notifications are on. We send nothing between {start} and {end}.").format(
            start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M")
        )
    )
    toggle = (
        InlineKeyboardButton(t.gettext("🔔 Turn notifications on"),
                             callback_data=NotificationToggle(0).pack())
        if muted_all
        else InlineKeyboardButton(t.gettext("🔕 Turn notifications off"),
                                  callback_data=NotificationToggle(1).pack())
    )
    language = InlineKeyboardButton(
        t.gettext("🌐 Language"), callback_data=LanguageChoice("ask").pack()
    )
    link = InlineKeyboardButton(t.gettext("🔗 Link accounts"),
                                callback_data=AccountLinkStart().pack())
    rows = [[toggle], [_budget_news_toggle(t, budget_news)], [language], [link]]
    if digest is not None and not muted_all:  # muted, only urgent notices come: no digest
        state += "\n" + digest_line(t, digest)
        rows.insert(1, [_digest_toggle(t, digest.daily)])
    return Rendered(state, InlineKeyboardMarkup(rows))


@dataclass(frozen=True)
class DigestChoice:
    """「하루 한 번 모아 받기」 on the settings screen: chosen or not, and the daily time."""

    daily: bool
    at: time


def digest_line(t: Translator, digest: DigestChoice) -> str:
    if digest.daily:
        return t.gettext("📬 News comes once a day, together, at {time} (urgent notices at "
                         "once).").format(time=digest.at.strftime("%H:%M"))
    return t.gettext("📬 News comes as it happens. You can get it once a day, together, "
                     "at {time}.").format(time=digest.at.strftime("%H:%M"))


def _digest_toggle(t: Translator, daily: bool) -> InlineKeyboardButton:
    label = (t.gettext("📬 Once a day: on · turn off") if daily
             else t.gettext("📬 Once a day: off · turn on"))
    return InlineKeyboardButton(label, callback_data=DigestToggle(int(not daily)).pack())


def _budget_news_toggle(t: Translator, opted_in: bool) -> InlineKeyboardButton:
    """New budget votes are news a resident asks for (off by default), so the label says
    what a tap does."""
    label = (t.gettext("💰 Budget vote news: on · turn off") if opted_in
             else t.gettext("💰 Budget vote news: off · turn on"))
    return InlineKeyboardButton(label, callback_data=BudgetNewsOptIn(int(not opted_in),
                                                                     1).pack())


def with_budget_news_toggle(
    t: Translator, markup: InlineKeyboardMarkup, opted_in: bool
) -> InlineKeyboardMarkup:
    """The settings screen's buttons with the budget news toggle showing `opted_in`."""
    return InlineKeyboardMarkup([
        [_budget_news_toggle(t, opted_in) if BudgetNewsOptIn.matches(button.callback_data)
         else button for button in row]
        for row in markup.inline_keyboard])


def coming_soon(t: Translator) -> str:
    return t.gettext("This part of 공감 is not open yet. We will tell you when it is.")


def try_again_later(t: Translator) -> str:
    return t.gettext("Please try again in a moment.")


def delayed_but_kept(t: Translator) -> str:
    """While the database is briefly down: the update stays with Telegram until stored."""
    return t.gettext(
        "It is taking a little longer than usual. What you sent is not lost: "
        "we will handle it as soon as we can."
    )


def stale_button(t: Translator) -> str:
    return t.gettext("This button no longer works. Please open the menu again.")


def unknown_command(t: Translator) -> str:
    return t.gettext("I don't know that command. Type /help to see what I can do.")


def not_understood(t: Translator) -> str:
    return t.gettext("Please choose from the menu below.")


def empty_message(t: Translator) -> str:
    return t.gettext("Your message looks empty. Please write it in words.")


def too_long(t: Translator, limit: int) -> str:
    return t.gettext("Your message is too long. Please keep it under {limit} characters.").format(
        limit=f"{limit:,}"
    )


def text_only(t: Translator) -> str:
    return t.gettext("I can only read text messages here. Please type your message.")


def draft_waiting(t: Translator) -> str:
    return t.gettext("You have a proposal in progress. Type /propose to continue writing it.")


def cancelled(t: Translator) -> str:
    return t.gettext("Cancelled. Nothing was posted.")


def nothing_to_cancel(t: Translator) -> str:
    return t.gettext("There is nothing to cancel.")
