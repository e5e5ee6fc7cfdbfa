"""/text, or in KakaoTalk 「알림톡」: a Kakao-only resident gives (or takes back) the mobile
number their news goes to as 알림톡, with an SMS fallback (bot/kakao/notices.py). Typing the
number is the consent; 「알림톡 끄기」 (`/text off`) takes it back and erases the number. On
Telegram the news already comes to the chat, so no number is asked for."""

from __future__ import annotations

from functools import partial

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.domain.kakao import is_kakao_chat
from bot.domain.text_messages import TEXT_UTTERANCE, mobile_number
from bot.handlers.shape import Said, on_message
from bot.rendering import text_messages as view
from bot.services.text_contacts import give_number, number_view, remove_number

OFF_WORDS = frozenset({"off", "끄기", "삭제", "지우기", "그만"})


@on_message
async def text_alerts(said: Said) -> None:
    """/text [number | off]"""
    await _answer(said, " ".join(said.args))


@on_message
async def text_alerts_said(said: Said) -> None:
    """「알림톡 [number | 끄기]」, as KakaoTalk residents type it."""
    found = TEXT_UTTERANCE.match(said.message.text or "")
    await _answer(said, (found and found["argument"]) or "")


async def _answer(said: Said, argument: str) -> None:
    services = said.context.services
    if not services.settings.texts.enabled:
        await said.reply(view.texts_unavailable(said.t))
        return
    if not is_kakao_chat(said.message.chat_id):
        await said.reply(view.texts_not_for_telegram(said.t))
        return
    if not argument:
        await _show(said)
    elif argument.lower() in OFF_WORDS:
        removed = await said.context.fast_write(partial(remove_number, user_id=said.user_id))
        await said.reply(view.number_removed(said.t, removed))
    else:
        await _give(said, argument)


async def _show(said: Said) -> None:
    shown = await said.context.services.fast_lane.run(
        partial(number_view, user_id=said.user_id))
    quiet = said.context.services.settings.policy.quiet_hours
    await said.reply(view.number_status(said.t, shown.masked if shown else None,
                                        bool(shown and shown.refused), quiet))


async def _give(said: Said, argument: str) -> None:
    number = mobile_number(argument)
    if number is None:
        await said.reply(view.not_a_mobile_number(said.t))
        return
    settings = said.context.services.settings
    masked = await said.context.fast_write(partial(
        give_number, user_id=said.user_id, number=number, contact_key=settings.contact_key,
        secret_key=settings.secret_key, now=said.now))
    await said.reply(view.number_saved(said.t, masked))


def register(application: Application) -> None:
    application.add_handler(
        CommandHandler("text", text_alerts, filters=filters.ChatType.PRIVATE))
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.Regex(TEXT_UTTERANCE), text_alerts_said))
