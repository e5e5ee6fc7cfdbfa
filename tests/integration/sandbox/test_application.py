"""A real PTB `Application` polls the sandbox, as it does under `python -m bot sandbox`."""

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox import SandboxClient, SandboxServer, SandboxState


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("공감", callback_data="agree")]])
    await update.effective_message.reply_html(
        f"<b>{update.effective_user.first_name}</b>님, 환영합니다", reply_markup=markup
    )


async def agree(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("공감했어요")
    await query.edit_message_text("공감 1")


async def thank_for_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.contact
    await update.effective_message.reply_text(
        f"{update.effective_message.contact.phone_number} 확인"
    )


@pytest.fixture
async def application(server: SandboxServer, state: SandboxState) -> AsyncIterator[Application]:
    app = ApplicationBuilder().token(state.token).base_url(server.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(agree, pattern="^agree$"))
    app.add_handler(MessageHandler(filters.CONTACT, thank_for_contact))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_resident_talks_to_the_running_application(
    application: Application, client: SandboxClient
) -> None:
    minji = client.resident(1001, "민지")

    await minji.say("/start")
    welcome = await minji.wait_for_message("환영합니다")
    query_id = await minji.press(welcome, "공감")
    edited = await minji.wait_for_edit(welcome)
    answer = await minji.wait_for_callback_answer(query_id)
    await minji.share_contact("010-1234-5678")
    confirmation = await minji.wait_for_message("확인")

    assert welcome.text == "민지님, 환영합니다"
    assert edited.text == "공감 1" and edited.buttons == ()
    assert answer.text == "공감했어요"
    assert confirmation.text == "010-1234-5678 확인"


async def test_wait_for_message_reports_what_it_saw(
    application: Application, client: SandboxClient
) -> None:
    minji = client.resident(1001, "민지")
    await minji.say("/start")
    await minji.wait_for_message("환영합니다")

    with pytest.raises(AssertionError, match="환영합니다") as raised:
        await minji.wait_for_message("존재하지 않는 문구", after=0, timeout=0.2)

    assert "no bot message containing '존재하지 않는 문구'" in str(raised.value)
