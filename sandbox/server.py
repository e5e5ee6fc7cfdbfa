"""The sandbox Bot API server: Telegram's HTTP Bot API over a `SandboxState`, plus the chat page.

Point the real PTB application at it with
``ApplicationBuilder().token(state.token).base_url(server.base_url)``; PTB then calls
``{base_url}{token}/{method}`` exactly as it calls Telegram. The ``/sandbox/api/`` routes are
not Telegram: they let the browser chat page act as residents.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from aiohttp import web

from sandbox.files import (
    FILES_PATH,
    MAX_PHOTO_BYTES,
    file_bytes,
    file_response,
    file_url,
    image_type,
    looks_like_image,
)
from sandbox.kakao import KAKAO_CHATS, KakaoRelay, add_kakao_routes
from sandbox.state import (
    BotApiError,
    JSONDict,
    SandboxFile,
    SandboxMessage,
    SandboxState,
    WebhookConfig,
    bad_request,
    validate_caption,
)
from sandbox.texts import TEXTS_BOX, TextsSource, add_texts_routes
from sandbox.web_json import json_object

_LOGGER = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
MAX_LONG_POLL_SECONDS = 50.0
BROWSER_LONG_POLL_SECONDS = 25.0
CALLBACK_ANSWER_WAIT_SECONDS = 3.0
WEBHOOK_BACKOFF_SECONDS = (0.05, 0.2, 0.5, 1.0, 2.0)
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "options",
        "reply_parameters",
        "link_preview_options",
        "allowed_updates",
        "question_entities",
    }
)
INT_FIELDS = frozenset(
    {
        "offset",
        "limit",
        "timeout",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "close_date",
        "open_period",
        "icon_color",
        "cache_time",
        "max_connections",
    }
)
BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "is_anonymous",
        "allows_multiple_answers",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "is_closed",
    }
)


class SandboxControls(Protocol):
    """What the chat page needs from the running bot to offer "time travel"."""

    async def advance(self, delta: dtm.timedelta) -> None: ...

    def now(self) -> dtm.datetime: ...


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request: its metadata and, for tests to read, its bytes."""

    filename: str | None
    size: int
    content_type: str | None
    data: bytes = field(default=b"", repr=False)


@dataclass
class _Lifecycle:
    """Set while the app shuts down so that long polls return instead of holding it open."""

    stopping: bool = False


STATE_KEY = web.AppKey("sandbox_state", SandboxState)
CONTROLS_KEY = web.AppKey("sandbox_controls", SandboxControls)
LIFECYCLE_KEY = web.AppKey("sandbox_lifecycle", _Lifecycle)


# ----- request decoding ------------------------------------------------------------------------


def _decode_form_value(key: str, value: str) -> Any:
    """Forms carry every value as a string; objects arrive JSON-encoded (as PTB sends them)."""
    if key in JSON_FIELDS or key == "chat_id":
        with contextlib.suppress(ValueError):
            return json.loads(value)
        return value
    if key in INT_FIELDS:
        with contextlib.suppress(ValueError):
            return int(value)
    if key in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


async def _read_multipart(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
    values: JSONDict = {}
    uploads: dict[str, Upload] = {}
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            content = await part.read()
            uploads[part.name] = Upload(
                part.filename, len(content), part.headers.get("Content-Type"), content
            )
        else:
            values[part.name] = _decode_form_value(part.name, await part.text())
    return values, uploads


async def read_request_params(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
    """Decode query string, JSON, urlencoded or multipart parameters into one dict."""
    values: JSONDict = {k: _decode_form_value(k, v) for k, v in request.query.items()}
    if request.method != "POST" or not request.body_exists:
        return values, {}
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise bad_request("parameters must be a JSON object")
        return {**values, **body}, {}
    if request.content_type.startswith("multipart/"):
        form_values, uploads = await _read_multipart(request)
        return {**values, **form_values}, uploads
    form = await request.post()
    return {**values, **{k: _decode_form_value(k, str(v)) for k, v in form.items()}}, {}


class Params:
    """Typed, tolerant access to a call's parameters (JSON bodies are typed, forms are not)."""

    def __init__(self, values: JSONDict, uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return None if value is None else str(value)

    def required_text(self, key: str) -> str:
        value = self.text(key)
        if value is None or value == "":
            raise bad_request(f"{key} is empty")
        return value

    def number(self, key: str) -> int | None:
        value = self.values.get(key)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {key} specified") from None

    def required_number(self, key: str) -> int:
        value = self.number(key)
        if value is None:
            raise bad_request(f"{key} is empty")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.values.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def obj(self, key: str) -> Any:
        value = self.values.get(key)
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
        return value

    def chat_id(self) -> int | str:
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and not value.startswith("@"):
            try:
                return int(value)
            except ValueError:
                raise bad_request("chat not found") from None
        return value

    def reply_to(self) -> int | None:
        parameters = self.obj("reply_parameters")
        if isinstance(parameters, dict) and parameters.get("message_id") is not None:
            return int(parameters["message_id"])
        return self.number("reply_to_message_id")


# ----- Bot API methods -------------------------------------------------------------------------

Handler = Callable[[SandboxState, Params, _Lifecycle], Awaitable[Any]]


async def _get_me(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    return {
        **state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def _get_updates(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    if state.webhook is not None:
        raise BotApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.number("offset")
    if offset is not None and offset != 0:
        state.confirm_updates(offset)
    state.set_allowed_updates(params.obj("allowed_updates"))
    limit = min(max(params.number("limit") or 100, 1), 100)
    timeout = min(max(params.number("timeout") or 0, 0), MAX_LONG_POLL_SECONDS)
    await state.wait_until(lambda: life.stopping or state.has_pending_updates(), timeout)
    state.drop_disallowed_updates()
    return state.updates[:limit]


async def _set_webhook(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    url = params.text("url") or ""
    if params.flag("drop_pending_updates"):
        state.updates.clear()
    if not url:
        state.webhook = None
    else:
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        state.set_allowed_updates(params.obj("allowed_updates"))
        state.webhook = _webhook_config(params, url)
    state.touch()
    return True


def _webhook_config(params: Params, url: str) -> WebhookConfig:
    return WebhookConfig(
        url=url,
        secret_token=params.text("secret_token"),
        allowed_updates=params.obj("allowed_updates"),
        max_connections=params.number("max_connections") or 40,
    )


async def _delete_webhook(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    state.webhook = None
    if params.flag("drop_pending_updates"):
        state.updates.clear()
    state.touch()
    return True


async def _get_webhook_info(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    hook = state.webhook
    info: JSONDict = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


async def _send_message(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    message = state.send_message(
        params.chat_id(),
        params.text("text"),
        parse_mode=params.text("parse_mode"),
        entities=params.obj("entities"),
        reply_markup=params.obj("reply_markup"),
        message_thread_id=params.number("message_thread_id"),
        reply_to_message_id=params.reply_to(),
    )
    return state.message_to_api(message)


def _require_chat_message(params: Params) -> tuple[int | str, int]:
    if params.values.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    return params.chat_id(), params.required_number("message_id")


async def _edit_message_text(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    chat_id, message_id = _require_chat_message(params)
    message = state.edit_message_text(
        chat_id,
        message_id,
        params.text("text"),
        parse_mode=params.text("parse_mode"),
        entities=params.obj("entities"),
        reply_markup=params.obj("reply_markup"),
    )
    return state.message_to_api(message)


async def _edit_message_caption(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    chat_id, message_id = _require_chat_message(params)
    message = state.edit_message_caption(
        chat_id,
        message_id,
        params.text("caption"),
        parse_mode=params.text("parse_mode"),
        entities=params.obj("caption_entities"),
        reply_markup=params.obj("reply_markup"),
    )
    return state.message_to_api(message)


async def _edit_reply_markup(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    chat_id, message_id = _require_chat_message(params)
    message = state.edit_reply_markup(chat_id, message_id, params.obj("reply_markup"))
    return state.message_to_api(message)


async def _answer_callback_query(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    state.answer_callback_query(
        params.required_text("callback_query_id"),
        params.text("text"),
        params.flag("show_alert"),
        params.text("url"),
    )
    return True


async def _delete_message(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    state.delete_message(params.chat_id(), params.required_number("message_id"))
    return True


async def _send_chat_action(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    state.chat(params.chat_id())
    params.required_text("action")
    return True


async def _set_my_commands(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    commands = params.obj("commands")
    if not isinstance(commands, list):
        raise bad_request("commands must be an array")
    state.set_commands(commands, params.obj("scope"), params.text("language_code") or "")
    return True


async def _get_my_commands(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    return state.get_commands(params.obj("scope"), params.text("language_code") or "")


async def _delete_my_commands(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    state.delete_commands(params.obj("scope"), params.text("language_code") or "")
    return True


def _poll_option_texts(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise bad_request("options must be an array")
    return [str(o["text"]) if isinstance(o, dict) else str(o) for o in raw]


async def _send_poll(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    message = state.send_poll(
        params.chat_id(),
        params.required_text("question"),
        _poll_option_texts(params.obj("options")),
        is_anonymous=params.flag("is_anonymous", default=True),
        allows_multiple_answers=params.flag("allows_multiple_answers"),
        close_date=params.number("close_date"),
        reply_markup=params.obj("reply_markup"),
        message_thread_id=params.number("message_thread_id"),
    )
    return state.message_to_api(message)


async def _stop_poll(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    poll = state.stop_poll(params.chat_id(), params.required_number("message_id"))
    return poll.to_api()


def _input_file(state: SandboxState, params: Params, kind: str) -> SandboxFile:
    """The file of sendPhoto/sendDocument: a multipart part, an attach:// part or a file_id."""
    upload = params.uploads.get(kind)
    reference = params.text(kind)
    if upload is None and reference and reference.startswith("attach://"):
        upload = params.uploads.get(reference.removeprefix("attach://"))
    if upload is not None:
        return state.store_file(
            kind, file_name=upload.filename, size=upload.size, mime_type=upload.content_type,
            data=upload.data,
        )
    if not reference:
        raise bad_request(f"there is no {kind} in the request")
    return state.known_file(kind, reference)


async def _send_file(state: SandboxState, params: Params, kind: str) -> Any:
    message = state.send_file(
        params.chat_id(),
        _input_file(state, params, kind),
        caption=params.text("caption"),
        parse_mode=params.text("parse_mode"),
        reply_markup=params.obj("reply_markup"),
        message_thread_id=params.number("message_thread_id"),
        reply_to_message_id=params.reply_to(),
    )
    return state.message_to_api(message)


async def _send_photo(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    return await _send_file(state, params, "photo")


async def _send_document(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    return await _send_file(state, params, "document")


async def _create_forum_topic(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    topic = state.create_forum_topic(
        params.chat_id(), params.required_text("name"), params.number("icon_color") or 7322096
    )
    return topic.to_api()


async def _close_forum_topic(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    state.close_forum_topic(params.chat_id(), params.required_number("message_thread_id"))
    return True


async def _pin_chat_message(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    state.pin_message(params.chat_id(), params.required_number("message_id"))
    return True


async def _get_chat(state: SandboxState, params: Params, life: _Lifecycle) -> Any:
    return state.chat_full_info(state.chat(params.chat_id()))


METHODS: dict[str, Handler] = {
    "getMe": _get_me,
    "getUpdates": _get_updates,
    "setWebhook": _set_webhook,
    "deleteWebhook": _delete_webhook,
    "getWebhookInfo": _get_webhook_info,
    "sendMessage": _send_message,
    "editMessageText": _edit_message_text,
    "editMessageCaption": _edit_message_caption,
    "editMessageReplyMarkup": _edit_reply_markup,
    "answerCallbackQuery": _answer_callback_query,
    "deleteMessage": _delete_message,
    "sendChatAction": _send_chat_action,
    "setMyCommands": _set_my_commands,
    "getMyCommands": _get_my_commands,
    "deleteMyCommands": _delete_my_commands,
    "sendPoll": _send_poll,
    "stopPoll": _stop_poll,
    "sendPhoto": _send_photo,
    "sendDocument": _send_document,
    "createForumTopic": _create_forum_topic,
    "closeForumTopic": _close_forum_topic,
    "pinChatMessage": _pin_chat_message,
    "getChat": _get_chat,
}
_METHODS_BY_LOWER_NAME = {name.lower(): (name, handler) for name, handler in METHODS.items()}


def _api_response(payload: JSONDict, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def handle_bot_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if request.match_info["token"] != state.token:
        return _api_response(BotApiError(401, "Unauthorized").to_payload(), 401)
    known = _METHODS_BY_LOWER_NAME.get(request.match_info["method"].lower())
    if known is None:
        return _api_response(BotApiError(404, "Not Found").to_payload(), 404)
    name, handler = known
    try:
        values, uploads = await read_request_params(request)
        state.record_call(name, values)
        fault = state.take_fault(name)
        if fault is not None:
            raise fault
        if latency := state.latency_of(name):
            await asyncio.sleep(latency)
        result = await handler(state, Params(values, uploads), request.app[LIFECYCLE_KEY])
    except BotApiError as error:
        return _api_response(error.to_payload(), error.error_code)
    return _api_response({"ok": True, "result": result})


# ----- webhook delivery ------------------------------------------------------------------------


class WebhookDeliverer:
    """POSTs queued updates to the webhook URL one by one, in order, retrying with backoff."""

    def __init__(self, state: SandboxState, life: _Lifecycle) -> None:
        self._state = state
        self._life = life

    def _has_work(self) -> bool:
        return self._life.stopping or (
            self._state.webhook is not None and self._state.has_pending_updates()
        )

    async def run(self) -> None:
        async with aiohttp.ClientSession() as session:
            while not self._life.stopping:
                await self._state.wait_until(self._has_work, timeout=3600)
                if self._life.stopping or self._state.webhook is None:
                    continue
                self._state.drop_disallowed_updates()
                if self._state.updates:
                    await self._deliver_first(session)

    async def _deliver_first(self, session: aiohttp.ClientSession) -> None:
        update = self._state.updates[0]
        hook = self._state.webhook
        if hook is None:
            return
        for delay in (*WEBHOOK_BACKOFF_SECONDS, None):
            if hook is not self._state.webhook or self._life.stopping:
                return
            error = await self._post(session, update)
            if error is None:
                break
            hook.last_error_date, hook.last_error_message = self._state.now(), error
            _LOGGER.warning("sandbox webhook delivery to %s failed: %s", hook.url, error)
            if delay is not None:
                await self._state.wait_until(lambda: self._life.stopping, delay)
        with contextlib.suppress(ValueError):
            self._state.updates.remove(update)
        self._state.touch()

    async def _post(self, session: aiohttp.ClientSession, update: JSONDict) -> str | None:
        """Deliver one update; returns an error message, or None on success."""
        hook = self._state.webhook
        assert hook is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token or ""}
        if not hook.secret_token:
            headers.pop("X-Telegram-Bot-Api-Secret-Token")
        try:
            async with session.post(
                hook.url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"Connection failed: {error!r}"


async def _webhook_context(app: web.Application) -> AsyncIterator[None]:
    deliverer = WebhookDeliverer(app[STATE_KEY], app[LIFECYCLE_KEY])
    task = asyncio.create_task(deliverer.run(), name="sandbox-webhook-deliverer")
    yield
    _begin_stopping(app)
    await task


def _begin_stopping(app: web.Application) -> None:
    app[LIFECYCLE_KEY].stopping = True
    app[STATE_KEY].touch()


async def _on_shutdown(app: web.Application) -> None:
    _begin_stopping(app)


# ----- browser chat page API -------------------------------------------------------------------


def _buttons_view(message: SandboxMessage) -> list[list[JSONDict]]:
    return [
        [
            {key: button.get(key) for key in ("text", "callback_data", "url")}
            for button in row
        ]
        for row in message.inline_keyboard
    ]


def message_view(state: SandboxState, message: SandboxMessage) -> JSONDict:
    """A message as the chat page shows it. Text is plain and must be rendered as text."""
    sender = state.user(message.sender_id)
    view: JSONDict = {
        "message_id": message.message_id,
        "from_bot": sender.is_bot,
        "sender": sender.full_name,
        "sender_id": sender.id,
        "date": message.date,
        "text": message.shown_text,
        "edited": message.edited,
        "buttons": _buttons_view(message),
        "message_thread_id": message.message_thread_id,
    }
    if message.file is not None:
        view["file"] = {
            "kind": message.file.kind,
            "name": message.file.file_name,
            "url": file_url(message.file),
            "image": looks_like_image(message.file),
        }
    if message.contact is not None:
        view["contact"] = message.contact.get("phone_number")
    if message.location is not None:
        view["location"] = [message.location["latitude"], message.location["longitude"]]
    poll = state.poll_of(message)
    if poll is not None:
        view["poll"] = {
            **poll.to_api(),
            "my_votes_by_user": {str(uid): votes for uid, votes in poll.votes.items()},
        }
    return view


def current_reply_keyboard(state: SandboxState, chat_id: int) -> list[list[JSONDict]] | None:
    """The reply keyboard a Telegram client would show now: the latest one sent, if not removed."""
    for message in reversed(state.chat(chat_id).messages):
        markup = message.reply_markup or {}
        if message.sender_id != state.bot.id or message.deleted:
            continue
        if markup.get("remove_keyboard"):
            return None
        if "keyboard" in markup:
            return [[_reply_button(b) for b in row] for row in markup["keyboard"]]
    return None


def _reply_button(button: Any) -> JSONDict:
    if isinstance(button, str):
        return {"text": button, "request_contact": False, "request_location": False}
    return {"text": button.get("text", ""), "request_contact": bool(button.get("request_contact")),
            "request_location": bool(button.get("request_location"))}


def _user_view(state: SandboxState, user_id: int) -> JSONDict:
    user = state.users[user_id]
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language_code": user.language_code,
        "blocked_bot": user.blocked_bot,
    }


def _controls(request: web.Request) -> SandboxControls | None:
    return request.app.get(CONTROLS_KEY)


async def api_overview(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    controls = _controls(request)
    return web.json_response(
        {
            "bot": {"first_name": state.bot.first_name, "username": state.bot.username},
            "users": [_user_view(state, uid) for uid in state.users],
            "now": controls.now().isoformat() if controls else None,
            "version": state.version,
        },
        dumps=_dumps,
    )


async def api_add_user(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await json_object(request)
    name = str(body.get("first_name") or "").strip()
    if not name:
        raise web.HTTPBadRequest(text="first_name is required")
    user_id = int(body.get("id") or max([1000, *state.users]) + 1)
    state.add_user(user_id, name, language_code=str(body.get("language_code") or "ko"))
    return web.json_response(_user_view(state, user_id), dumps=_dumps)


async def api_messages(request: web.Request) -> web.Response:
    """A chat's messages; with ``?since=<version>`` waits (bounded) until something changes."""
    state = request.app[STATE_KEY]
    chat_id = int(request.match_info["chat_id"])
    since = request.query.get("since")
    if since is not None:
        life = request.app[LIFECYCLE_KEY]
        await state.wait_until(
            lambda: life.stopping or state.version > int(since), BROWSER_LONG_POLL_SECONDS
        )
    chat = _browser_chat(state, chat_id)
    controls = _controls(request)
    return web.json_response(
        {
            "version": state.version,
            "messages": [message_view(state, m) for m in chat.messages if not m.deleted],
            "reply_keyboard": current_reply_keyboard(state, chat_id),
            "now": controls.now().isoformat() if controls else None,
        },
        dumps=_dumps,
    )


def _browser_chat(state: SandboxState, chat_id: int) -> Any:
    try:
        return state.chat(chat_id)
    except BotApiError:
        raise web.HTTPNotFound(text="chat not found") from None


def _acting_user(state: SandboxState, body: JSONDict) -> int:
    user_id = int(body.get("user_id") or 0)
    if user_id not in state.users:
        raise web.HTTPBadRequest(text="unknown user_id")
    return user_id


async def api_send(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await json_object(request)
    user_id = _acting_user(state, body)
    text = str(body.get("text") or "")
    if not text.strip():
        raise web.HTTPBadRequest(text="text is required")
    message = _as_browser_error(lambda: state.user_sends(user_id, text=text))
    return web.json_response({"message_id": message.message_id})


def _as_browser_error(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except BotApiError as error:
        raise web.HTTPBadRequest(text=error.description) from None


async def api_press(request: web.Request) -> web.Response:
    """Press an inline button; waits briefly for the bot's answer so the page can toast it."""
    state = request.app[STATE_KEY]
    body = await json_object(request)
    user_id = _acting_user(state, body)
    message = _as_browser_error(
        lambda: state.message(body.get("chat_id", user_id), int(body["message_id"]))
    )
    data = str(body.get("callback_data") or "")
    query_id = state.user_presses(user_id, message, data)
    await state.wait_until(
        lambda: query_id in state.callback_answers, CALLBACK_ANSWER_WAIT_SECONDS
    )
    answer = state.callback_answers.get(query_id)
    answer_view = None if answer is None else {"text": answer.text, "alert": answer.show_alert}
    return web.json_response(
        {
            "query_id": query_id,
            "answer": answer_view,
        },
        dumps=_dumps,
    )


async def api_vote(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await json_object(request)
    user_id = _acting_user(state, body)
    message = _as_browser_error(
        lambda: state.message(body.get("chat_id", user_id), int(body["message_id"]))
    )
    poll = state.poll_of(message)
    if poll is None:
        raise web.HTTPBadRequest(text="not a poll")
    option_ids = [int(i) for i in body.get("option_ids") or []]
    _as_browser_error(lambda: state.user_answers_poll(user_id, poll.id, option_ids))
    return web.json_response({"ok": True})


async def api_contact(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await json_object(request)
    user_id = _acting_user(state, body)
    phone = str(body.get("phone") or "").strip()
    if not phone:
        raise web.HTTPBadRequest(text="phone is required")
    user = state.users[user_id]
    contact = {"phone_number": phone, "first_name": user.first_name, "user_id": user.id}
    message = state.user_sends(user_id, contact=contact)
    return web.json_response({"message_id": message.message_id})


async def api_location(request: web.Request) -> web.Response:
    """A resident shares a location (the 📍 button of a `request_location` keyboard)."""
    state = request.app[STATE_KEY]
    body = await json_object(request)
    user_id = _acting_user(state, body)
    try:
        latitude, longitude = float(body["latitude"]), float(body["longitude"])
    except (KeyError, TypeError, ValueError):
        raise web.HTTPBadRequest(text="latitude and longitude are required") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise web.HTTPBadRequest(text="위도는 -90~90, 경도는 -180~180 사이여야 해요")
    location = {"latitude": latitude, "longitude": longitude}
    message = state.user_sends(user_id, location=location)
    return web.json_response({"message_id": message.message_id})


async def api_photo(request: web.Request) -> web.Response:
    """A resident sends a picture, with what they typed as its caption, as from a phone."""
    state = request.app[STATE_KEY]
    if not request.content_type.startswith("multipart/"):
        raise web.HTTPBadRequest(text="multipart form expected")
    values, uploads = await read_request_params(request)
    user_id = _acting_user(state, values)
    upload = uploads.get("photo")
    if upload is None or image_type(upload.data) is None:
        raise web.HTTPBadRequest(text="사진(PNG, JPEG, GIF, WEBP)만 보낼 수 있어요")
    if upload.size > MAX_PHOTO_BYTES:
        raise web.HTTPBadRequest(text="사진은 10MB까지 보낼 수 있어요")
    caption = str(values.get("caption") or "").strip() or None
    _as_browser_error(lambda: validate_caption(caption, None))
    photo = state.store_file(
        "photo", file_name=upload.filename, size=upload.size, mime_type=upload.content_type,
        data=upload.data,
    )
    message = state.user_sends(user_id, caption=caption, file=photo)
    return web.json_response({"message_id": message.message_id})


async def api_advance_time(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    controls = _controls(request)
    if controls is None:
        raise web.HTTPNotFound(text="time travel is not available")
    body = await json_object(request)
    days = int(body.get("days") or 0)
    if not 0 < days <= 366:
        raise web.HTTPBadRequest(text="days must be between 1 and 366")
    await controls.advance(dtm.timedelta(days=days))
    state.touch()
    return web.json_response({"now": controls.now().isoformat()})


async def api_file(request: web.Request) -> web.Response:
    """A file the bot or a resident sent, for the page to show (images) or download."""
    stored = request.app[STATE_KEY].files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound(text="file not found")
    return file_response(stored, await file_bytes(stored))


async def chat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "chat.html")


# ----- app factory and runner ------------------------------------------------------------------


def create_sandbox_app(
    state: SandboxState, controls: SandboxControls | None = None
) -> web.Application:
    """The aiohttp app serving the Bot API (``/bot<token>/<method>``) and the chat page."""
    app = web.Application(client_max_size=50 * 1024 * 1024)
    app[STATE_KEY] = state
    app[LIFECYCLE_KEY] = _Lifecycle()
    if controls is not None:
        app[CONTROLS_KEY] = controls
    app.cleanup_ctx.append(_webhook_context)
    app.on_shutdown.append(_on_shutdown)
    app.router.add_route("*", r"/bot{token:[^/]+}/{method:[^/]+}", handle_bot_api)
    app.router.add_get("/", chat_page)
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_get("/sandbox/api/overview", api_overview)
    app.router.add_post("/sandbox/api/users", api_add_user)
    app.router.add_get(r"/sandbox/api/chats/{chat_id:-?\d+}/messages", api_messages)
    app.router.add_post("/sandbox/api/send", api_send)
    app.router.add_post("/sandbox/api/press", api_press)
    app.router.add_post("/sandbox/api/vote", api_vote)
    app.router.add_post("/sandbox/api/contact", api_contact)
    app.router.add_post("/sandbox/api/location", api_location)
    app.router.add_post("/sandbox/api/photo", api_photo)
    app.router.add_post("/sandbox/api/time/advance", api_advance_time)
    app.router.add_get(FILES_PATH + "{file_id}", api_file)
    add_kakao_routes(app, state)
    add_texts_routes(app, state)
    return app


class SandboxServer:
    """Runs `create_sandbox_app` on a local port (0 picks a free one). Use `async with`."""

    def __init__(
        self,
        state: SandboxState,
        controls: SandboxControls | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state = state
        self.host = host
        self.port = port
        self._app = create_sandbox_app(state, controls)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass to ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    def connect_kakao(self, *, skill_url: str, header: str, secret: str, bot_id: str) -> None:
        """Let the page's residents switch to KakaoTalk, talking to the skill at `skill_url`
        (call once the server runs: the callback URL is on its port)."""
        chats = self._app[KAKAO_CHATS]
        chats.relay, chats.origin = KakaoRelay(skill_url, header, secret, bot_id), self.url

    def connect_texts(self, source: TextsSource) -> Callable[[], None]:
        """Let the page list the texts the bot's sandbox text provider took (`source` lists
        them, newest first); returns what the provider calls when it takes one (it wakes the
        page's long poll)."""
        self._app[TEXTS_BOX].source = source
        return self.state.touch

    async def start(self) -> None:
        self._runner = web.AppRunner(
            self._app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
