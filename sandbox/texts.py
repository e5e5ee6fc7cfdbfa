"""The sandbox shows the 알림톡 and SMS texts the bot's sandbox text provider took.

With no account anywhere, `python3 dev.py run` texts nobody: the bot's provider in the
sandbox (`bot.texting.sandbox.SandboxTexts`, chosen for it by `with_sandbox_texts`) keeps each
text it would have sent. The page's 「📱 문자함」 lists them, newest first: to whom (masked),
as 알림톡 or by the SMS/LMS fallback, the registered template and the filled text. A text
taken wakes the page's long poll, so the list is fresh without polling.

The bot hands the sandbox a function that lists the texts (`connect_texts`): the sandbox
never imports the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from sandbox.state import JSONDict, SandboxState

TextsSource = Callable[[], list[JSONDict]]
LONG_POLL_SECONDS = 25.0


@dataclass
class TextsBox:
    """Where the page reads the texts from (nothing until the bot connects its provider)."""

    state: SandboxState
    source: TextsSource | None = None

    def listed(self) -> list[JSONDict]:
        return self.source() if self.source is not None else []

    def newest(self) -> str:
        texts = self.listed()
        return str(texts[0]["message_id"]) if texts else ""


TEXTS_BOX = web.AppKey("texts_box", TextsBox)


async def api_texts(request: web.Request) -> web.Response:
    """The texts, newest first; with ``?since=<the newest one's id>`` waits (bounded) for a
    new one."""
    box = request.app[TEXTS_BOX]
    since = request.query.get("since")
    if since is not None and box.source is not None:
        await box.state.wait_until(lambda: box.newest() != since, LONG_POLL_SECONDS)
    return web.json_response({"connected": box.source is not None, "texts": box.listed()})


def add_texts_routes(app: web.Application, state: SandboxState) -> None:
    app[TEXTS_BOX] = TextsBox(state)
    app.router.add_get("/sandbox/api/texts", api_texts)
