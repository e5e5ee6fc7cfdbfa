"""What residents write never reaches the logs at info level; only ids and kinds do."""

from __future__ import annotations

import logging

import pytest

from bot.app import Runtime
from bot.logging_setup import JsonFormatter
from bot.sandbox import SandboxClient

SECRET_TEXT = "제 번호는 010-1234-5678 이고 주소는 비밀이에요"


async def test_message_bodies_are_not_logged_at_info(
    runtime: Runtime, residents: SandboxClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    minji = residents.resident(9001, "민지")
    await minji.say(SECRET_TEXT)
    await minji.wait_for_message("아래 메뉴에서 골라 주세요")
    await minji.say("/lang")
    await minji.press(await minji.wait_for_message("어떤 언어로"), "English")
    await minji.wait_for_message("Language changed")
    logged = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert "010-1234-5678" not in logged and "비밀" not in logged
    assert runtime.settings.telegram_bot_token not in logged  # URLs carry the token
