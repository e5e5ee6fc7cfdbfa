"""`POST /kakao/skill`: the KakaoTalk channel's skill endpoint for Kakao i Open Builder.

The route exists only while `KAKAO_SKILL_SECRET` is set (otherwise 404: the channel is off).
A request must carry that secret in the `X-Gonggam-Kakao-Secret` header, configured on the
skill in the builder (스킬 → 헤더 값 입력), and the builder's bot id (`KAKAO_BOT_ID`) as `bot.id`:
without the secret, or for another bot, it is refused with 403; a body that is not a skill
request with 400. A refusal is logged with its reason, never with the body.

Kakao waits 5 seconds for an answer. A turn that takes longer than `KAKAO_REPLY_WITHIN`
seconds is answered at once: on a block with a callback (`userRequest.callbackUrl`) with
`useCallback` and a short text, the turn's response then posted to the callback URL when it is
done; without one, with what the turn has shown so far and the same short text (the turn
still finishes and keeps its effect).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web

from bot.domain.kakao import SECRET_HEADER, KakaoChannel
from bot.i18n import I18n
from bot.kakao.bridge import KakaoBridge, KakaoReply
from bot.kakao.capture import Capture
from bot.kakao.notices import KakaoNotices
from bot.kakao.payload import MalformedSkillRequest, SkillRequest, parse_skill_request
from bot.rendering.common import delayed_but_kept

log = logging.getLogger(__name__)

KAKAO_SKILL_PATH = "/kakao/skill"
MAX_BODY_BYTES = 64 * 1024  # a skill request is a few kilobytes
CALLBACK_TIMEOUT_SECONDS = 10.0
JSONDict = dict[str, Any]


@dataclass
class KakaoSkill:
    """The endpoint's state: the bridge, the deadline a turn has before the quick answer
    (tests replace it with an event), and the turns and callbacks still running."""

    bridge: KakaoBridge
    channel: KakaoChannel
    i18n: I18n
    notices: KakaoNotices  # where a Kakao-only resident's pushes wait for their next turn
    deadline: Callable[[], Awaitable[object]] = field(init=False)
    _running: set[asyncio.Task[Any]] = field(default_factory=set, init=False)
    _session: aiohttp.ClientSession | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.deadline = partial(asyncio.sleep, self.channel.reply_within_seconds)

    def authentic(self, secret: str | None) -> bool:
        expected = self.channel.skill_secret
        return expected is not None and secret is not None and hmac.compare_digest(
            secret.encode(), expected.encode())

    def knows_bot(self, bot_id: str) -> bool:
        return self.channel.bot_id is not None and hmac.compare_digest(
            bot_id.encode(), self.channel.bot_id.encode())

    async def respond(self, request: SkillRequest) -> JSONDict:
        """The turn's response, or the quick answer when it takes longer than the deadline."""
        watched: list[Capture] = []
        turn = self._keep(asyncio.create_task(self.bridge.answer(request, watched.append)))
        deadline = asyncio.ensure_future(self.deadline())
        await asyncio.wait({turn, deadline}, return_when=asyncio.FIRST_COMPLETED)
        deadline.cancel()
        if turn.done():
            reply = turn.result()
            await self.bridge.handed_over(reply)
            return reply.response
        capture = watched[0] if watched else None
        language = capture.language if capture is not None else None
        notice = delayed_but_kept(self.i18n.get(language))
        if request.callback_url is None or not self._may_call_back(request.callback_url):
            return self.bridge.so_far(capture, notice, language or "ko")
        self._keep(asyncio.create_task(self._call_back(turn, request.callback_url)))
        return {"version": "2.0", "useCallback": True, "data": {"text": notice}}

    def _may_call_back(self, url: str) -> bool:
        if self.channel.accepts_callback(url):
            return True
        log.warning("a Kakao callback URL on a host that is not allowed was ignored")
        return False

    def _keep(self, task: asyncio.Task[Any]) -> asyncio.Task[Any]:
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _call_back(self, turn: asyncio.Task[KakaoReply], url: str) -> None:
        """Post the finished turn's response to its callback URL (valid once, a minute).
        The URL carries Kakao's token: it is never logged. The held pushes the response
        shows are forgotten only once Kakao took it; otherwise the next turn shows them."""
        try:
            reply = await turn
        except Exception:
            log.exception("a Kakao turn answered through its callback failed")
            return
        try:
            async with self._client().post(url, json=reply.response,
                                           allow_redirects=False) as posted:
                if posted.status >= 400:
                    log.warning("Kakao refused a callback response with %s", posted.status)
                    return
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("a Kakao callback could not be posted (%s)", type(error).__name__)
            return
        await self.bridge.handed_over(reply)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=CALLBACK_TIMEOUT_SECONDS))
        return self._session

    async def close(self, _app: web.Application | None = None) -> None:
        """Let the turns and callbacks in flight finish, then close the client."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None


KAKAO = web.AppKey("kakao_skill", KakaoSkill)


def add_kakao_routes(app: web.Application, skill: KakaoSkill) -> None:
    app[KAKAO] = skill
    app.router.add_post(KAKAO_SKILL_PATH, kakao_skill, name="kakao_skill")
    app.on_cleanup.append(skill.close)


async def kakao_skill(request: web.Request) -> web.Response:
    skill = request.app[KAKAO]
    if not skill.authentic(request.headers.get(SECRET_HEADER)):
        log.warning("a Kakao skill request refused: missing or wrong secret")
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        parsed = parse_skill_request(await _json_body(request))
    except MalformedSkillRequest as error:
        log.warning("a Kakao skill request refused: %s", error)
        return web.json_response({"error": "bad request"}, status=400)
    if not skill.knows_bot(parsed.bot_id):
        log.warning("a Kakao skill request refused: unknown bot")
        return web.json_response({"error": "forbidden"}, status=403)
    return web.json_response(await skill.respond(parsed))


async def _json_body(request: web.Request) -> object:
    """The whole body, however many pieces it arrives in, refused past ``MAX_BODY_BYTES``."""
    raw = bytearray()
    async for chunk in request.content.iter_chunked(1 << 14):
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise MalformedSkillRequest(f"body over {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MalformedSkillRequest("body is not JSON") from None
