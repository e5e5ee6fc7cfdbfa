"""The first conversation, end to end: the real PTB Application against the sandbox Bot API."""

from __future__ import annotations

from bot.app import Runtime
from sandbox import SandboxClient, SandboxState


async def test_start_greets_in_korean_with_the_main_menu(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(1001, "민지")
    await minji.say("/start")
    greeting = await minji.wait_for_message("환영")
    assert "안녕하세요, 민지님!" in greeting.text
    assert "공감 50개" in greeting.text and "30일" in greeting.text
    assert greeting.reply_keyboard is not None
    labels = [label for row in greeting.reply_keyboard for label in row]
    assert labels == [
        "✍️ 제안하기", "🔎 제안 둘러보기", "🙋 내 활동",
        "💰 주민참여예산", "⚙️ 알림 설정", "❓ 도움말",
    ]


async def test_help_lists_the_commands(runtime: Runtime, residents: SandboxClient) -> None:
    minji = residents.resident(1002, "민지")
    await minji.say("/help")
    reply = await minji.wait_for_message("/propose")
    assert "/proposals" in reply.text and "/lang" in reply.text
    assert "담당 부서가 검토하고 답변해야 해요" in reply.text


async def test_menu_button_routes_like_its_command(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(1003, "민지")
    await minji.say("❓ 도움말")
    await minji.wait_for_message("/propose")
    await minji.say("⚙️ 알림 설정")
    settings = await minji.wait_for_message("알림이 켜져 있어요")
    assert "22:00부터 08:00까지" in settings.text


async def test_lang_switches_to_english_and_back(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(1004, "민지")
    await minji.say("/lang")
    prompt = await minji.wait_for_message("어떤 언어로")
    await minji.press(prompt, "English")
    changed = await minji.wait_for_message("Language changed to English.")
    assert changed.reply_keyboard is not None
    await minji.say("/start")
    await minji.wait_for_message("Hello, 민지! Welcome to 공감.")
    await minji.say("/lang")
    prompt = await minji.wait_for_message("Which language")
    await minji.press(prompt, "한국어")
    await minji.wait_for_message("언어를 한국어로 바꿨어요.")


async def test_english_telegram_users_get_english_first(
    runtime: Runtime, residents: SandboxClient
) -> None:
    john = residents.resident(1005, "John", language_code="en-US")
    await john.say("/start")
    await john.wait_for_message("Hello, John! Welcome to 공감.")


async def test_commands_are_registered_in_korean_and_english(
    runtime: Runtime, sandbox_state: SandboxState
) -> None:
    registered = {
        language: commands for (_scope, language), commands in sandbox_state.commands.items()
    }
    korean = {c["command"]: c["description"] for c in registered[""]}
    english = {c["command"]: c["description"] for c in registered["en"]}
    assert korean["propose"] == "제안하기" and english["propose"] == "Write a proposal"
    expected = {"start", "help", "lang", "settings", "cancel"} - {"start"}
    assert set(korean) == set(english) >= expected


async def test_notifications_can_be_turned_off_and_on(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(1006, "민지")
    await minji.say("/settings")
    view = await minji.wait_for_message("알림이 켜져 있어요")
    await minji.press(view, "🔕 알림 끄기")
    edited = await minji.wait_for_edit(view)
    assert "알림이 꺼져 있어요" in edited.text
    await minji.press(edited, "🔔 알림 켜기")
    assert "알림이 켜져 있어요" in (await minji.wait_for_edit(edited)).text
