"""The sandbox plays KakaoTalk: the chat page talks to the bot's real skill endpoint.

A resident on the page can switch their chat to KakaoTalk. What they type or tap is posted by
this server (the browser cannot reach the bot's port, and must never hold the skill secret) to
the bot's ``POST /kakao/skill`` as Kakao i Open Builder posts it: ``userRequest.utterance``,
``userRequest.user.id`` (a botUserKey of the sandbox's own, ``sandbox-<resident id>``: a
KakaoTalk account of its own, which ``연결`` can link to the resident's Telegram chat),
``bot.id``, ``action.clientExtra`` for a pressed quick reply, and a ``callbackUrl`` on this
server, with the secret header. The skill's response is kept in the resident's KakaoTalk chat;
a slow turn answers ``useCallback`` first, and the response posted later to the callback URL
lands in the same chat, where the page's long poll picks it up.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from sandbox.state import JSONDict, SandboxState
from sandbox.web_json import json_object

_LOGGER = logging.getLogger(__name__)
CALLBACK_PATH = "/sandbox/kakao/callback/"
SKILL_TIMEOUT_SECONDS = 10.0  # Kakao gives up after 5; the sandbox is patient with a debugger
LONG_POLL_SECONDS = 25.0
MAX_UTTERANCE = 1000
SANDBOX_BLOCK = {"id": "sandbox-block", "name": "공감 샌드박스 블록"}


@dataclass(frozen=True)
class KakaoRelay:
    """Where the bot's skill endpoint is, and what Kakao would send it."""

    skill_url: str
    header: str
    secret: str = field(repr=False)
    bot_id: str


@dataclass
class KakaoChats:
    """Every resident's KakaoTalk chat: what they said and each skill response, in order."""

    state: SandboxState
    relay: KakaoRelay | None = None
    origin: str = ""  # this server's address, as the bot reaches it (the callback URL)
    chats: dict[int, list[JSONDict]] = field(default_factory=dict)
    callbacks: dict[str, int] = field(default_factory=dict)  # one-time token → resident
    _next_id: int = 1

    def add(self, user_id: int, entry: JSONDict, after: JSONDict | None = None) -> JSONDict:
        """Add `entry` at the end of the chat, or right after `after` (a response that came
        back after its own callback must still sit under what it answers)."""
        entry = {"id": self._next_id, **entry}
        self._next_id += 1
        chat = self.chats.setdefault(user_id, [])
        chat.insert(chat.index(after) + 1 if after in chat else len(chat), entry)
        self.state.touch()  # wakes the page's long poll
        return entry

    def new_callback(self, user_id: int) -> str:
        token = secrets.token_urlsafe(16)
        self.callbacks[token] = user_id
        return token


KAKAO_CHATS = web.AppKey("kakao_chats", KakaoChats)


def skill_request(
    relay: KakaoRelay, user_id: int, utterance: str, extra: JSONDict, callback_url: str
) -> JSONDict:
    """A SkillPayload as Kakao documents it, from the sandbox resident `user_id`."""
    key = f"sandbox-{user_id}"
    return {
        "intent": SANDBOX_BLOCK,
        "userRequest": {
            "timezone": "Asia/Seoul", "params": {}, "block": SANDBOX_BLOCK,
            "utterance": utterance, "lang": "ko", "callbackUrl": callback_url,
            "user": {"id": key, "type": "botUserKey", "properties": {"botUserKey": key}},
        },
        "bot": {"id": relay.bot_id, "name": "공감"},
        "action": {"id": "sandbox-action", "name": "공감 스킬", "params": {},
                   "detailParams": {}, "clientExtra": extra},
        "contexts": [],
    }


async def api_kakao_say(request: web.Request) -> web.Response:
    """The resident says something (or taps a quick reply) in KakaoTalk; the skill answers."""
    chats = request.app[KAKAO_CHATS]
    if chats.relay is None:
        raise web.HTTPNotFound(text="the KakaoTalk channel is off")
    user_id, utterance, extra = _said(chats.state, await json_object(request))
    said = chats.add(user_id, {"from": "user", "text": utterance})
    callback_url = f"{chats.origin}{CALLBACK_PATH}{chats.new_callback(user_id)}"
    body = skill_request(chats.relay, user_id, utterance, extra, callback_url)
    response = await _post_skill(chats.relay, body)
    return web.json_response(chats.add(user_id, {"from": "bot", "response": response}, said))


def _said(state: SandboxState, body: JSONDict) -> tuple[int, str, JSONDict]:
    user_id = int(body.get("user_id") or 0)
    if user_id not in state.users:
        raise web.HTTPBadRequest(text="unknown user_id")
    utterance = str(body.get("utterance") or "")
    if len(utterance) > MAX_UTTERANCE:
        raise web.HTTPBadRequest(text=f"utterance over {MAX_UTTERANCE} characters")
    extra = body.get("extra") or {}
    if not isinstance(extra, dict):
        raise web.HTTPBadRequest(text="extra must be an object")
    return user_id, utterance, extra


async def _post_skill(relay: KakaoRelay, body: JSONDict) -> JSONDict:
    timeout = aiohttp.ClientTimeout(total=SKILL_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.post(
            relay.skill_url, json=body, headers={relay.header: relay.secret}
        ) as answered:
            if answered.status != 200:
                raise web.HTTPBadGateway(text=f"the skill answered {answered.status}")
            result: JSONDict = await answered.json()
            return result
    except (aiohttp.ClientError, TimeoutError) as error:
        raise web.HTTPBadGateway(text=f"the skill is unreachable ({type(error).__name__})") \
            from None


async def kakao_callback(request: web.Request) -> web.Response:
    """Kakao's side of `useCallback`: the late response, once per token, into its chat."""
    chats = request.app[KAKAO_CHATS]
    user_id = chats.callbacks.pop(request.match_info["token"], None)
    if user_id is None:
        return web.json_response({"status": "FAIL", "message": "unknown or used"}, status=400)
    chats.add(user_id, {"from": "bot", "response": await json_object(request)})
    return web.json_response({"taskId": "sandbox", "status": "SUCCESS"})


async def api_kakao_messages(request: web.Request) -> web.Response:
    """A resident's KakaoTalk chat; with ``?since=<version>`` waits (bounded) for a change."""
    chats = request.app[KAKAO_CHATS]
    since = request.query.get("since")
    if since is not None:
        await chats.state.wait_until(lambda: chats.state.version > int(since),
                                     LONG_POLL_SECONDS)
    user_id = int(request.match_info["user_id"])
    return web.json_response({"version": chats.state.version, "enabled": chats.relay is not None,
                              "entries": chats.chats.get(user_id, [])})


def add_kakao_routes(app: web.Application, state: SandboxState) -> None:
    app[KAKAO_CHATS] = KakaoChats(state)
    app.router.add_post("/sandbox/api/kakao/say", api_kakao_say)
    app.router.add_get(r"/sandbox/api/kakao/{user_id:\d+}/messages", api_kakao_messages)
    app.router.add_post(CALLBACK_PATH + "{token}", kakao_callback)
