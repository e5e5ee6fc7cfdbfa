"""A local NHN Cloud KakaoTalk Bizmessage (알림톡 API v2.3), as its documentation describes it.

It checks what the real one checks that matters here (the path with the app key, the
`X-Secret-Key` header, the sender key, a registered template code with all its variables,
the `X-NC-API-IDEMPOTENCY-KEY` repeat within its window) and answers in the documented
shapes. Faults are queued with `fail_next`: "timeout" (the answer never comes until the
fake stops, and the text is not taken), "lost-answer" (the text is taken, and the answer
never comes), "5xx" (503), "429". Numbers in `invalid` are refused per recipient (header
-1031 "every recipient failed", the recipient's -4019 "not a valid recipient number"); numbers in
`not_on_kakao` are taken, and their result then says the 알림톡 failed ("3018") and the SMS
fallback went (RSC04); numbers in `unreachable` are taken, and their result says both
failed (RSC05). `pending` makes the result query say READY (not final yet). The list query
(메시지 리스트 조회) finds taken texts by their recipient grouping key, within the request
dates it requires. `forget_keys` is NHN's 10 minutes passing: idempotency keys are forgotten.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.domain.text_messages import TEMPLATES

APPKEY = "fake-appkey"
SECRET = "fake-secret-key"
SENDER_KEY = "s" * 40
INVALID_RECIPIENT_CODE = -4019  # the recipient's number is not valid
ALL_RECIPIENTS_FAILED = -1031  # the header's code when every recipient failed


@dataclass
class FakeNhn:
    invalid: set[str] = field(default_factory=set)
    not_on_kakao: set[str] = field(default_factory=set)
    unreachable: set[str] = field(default_factory=set)
    pending: bool = False
    ignore_grouping_key: bool = False  # the list query then answers every taken text
    faults: list[str] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)  # recipients taken, in order
    requests: int = 0
    _keys: set[str] = field(default_factory=set)
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    server: TestServer | None = None

    def fail_next(self, *faults: str) -> None:
        self.faults.extend(faults)

    def forget_keys(self) -> None:
        self._keys.clear()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> None:
        app = web.Application()
        prefix = "/alimtalk/v2.3/appkeys/{appkey}/messages"
        app.router.add_post(prefix, self._send)
        app.router.add_get(prefix, self._list)
        app.router.add_get(prefix + "/{request_id}/{seq}", self._query)
        self.server = TestServer(app)
        await self.server.start_server()

    async def stop(self) -> None:
        self._released.set()
        if self.server is not None:
            await self.server.close()

    async def _send(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        fault = self.faults.pop(0) if self.faults else None
        if fault == "timeout":
            await self._released.wait()
        if fault == "5xx":
            return web.Response(status=503, text="Service Unavailable")
        if fault == "429":
            return web.Response(status=429, text="Too Many Requests")
        refusal = self._refusal(request)
        if refusal is not None:
            return _answer(refusal[0], refusal[1])
        body = await request.json()
        invalid = self._invalid_body(body)
        if invalid is not None:
            return _answer(-2001, invalid)
        key = request.headers.get("X-NC-API-IDEMPOTENCY-KEY")
        if key is not None and key in self._keys:
            return _answer(-1005, "The same 'X-NC-API-IDEMPOTENCY-KEY' was used within the "
                                  "last 10 minute.")
        answer = self._take(body, key)
        if fault == "lost-answer":
            await self._released.wait()
        return answer

    async def _list(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return _answer(*refusal)
        query = request.query
        if not (query.get("requestId") or (query.get("startRequestDate")
                                           and query.get("endRequestDate"))):
            return _answer(-2001, "requestId or the request dates are required.")
        key = None if self.ignore_grouping_key else query.get("recipientGroupingKey")
        found = [{"requestId": f"2026120700000{index + 1:05d}", "recipientSeq": 1,
                  "recipientNo": taken["recipientNo"],
                  "recipientGroupingKey": taken.get("recipientGroupingKey")}
                 for index, taken in enumerate(self.accepted)
                 if key is None or taken.get("recipientGroupingKey") == key]
        body = {"header": {"resultCode": 0, "resultMessage": "SUCCESS", "isSuccessful": True},
                "messageSearchResultResponse": {"messages": found, "totalCount": len(found)}}
        return web.json_response(body)

    def _refusal(self, request: web.Request) -> tuple[int, str] | None:
        if request.match_info["appkey"] != APPKEY:
            return -1000, "Invalid appKey."
        if request.headers.get("X-Secret-Key") != SECRET:
            return -1001, "Invalid secretKey."
        return None

    @staticmethod
    def _invalid_body(body: dict[str, Any]) -> str | None:
        if body.get("senderKey") != SENDER_KEY:
            return "The 'senderKey' must not be blank."
        template = TEMPLATES.get(body.get("templateCode", ""))
        recipients = body.get("recipientList") or []
        if template is None or len(recipients) != 1:
            return "Invalid template or recipient list."
        if set(recipients[0].get("templateParameter", {})) != set(template.variables):
            return "The 'templateParameter' does not match the template."
        return None

    def _take(self, body: dict[str, Any], key: str | None) -> web.Response:
        recipient = body["recipientList"][0]
        number = recipient["recipientNo"]
        if number in self.invalid:
            result = {"recipientSeq": 1, "recipientNo": number,
                      "resultCode": INVALID_RECIPIENT_CODE,
                      "resultMessage": "Invalid recipient number."}
            return _answer(ALL_RECIPIENTS_FAILED, "All of receivers are failed", message={
                "requestId": None, "senderGroupingKey": None, "sendResults": [result]})
        if key is not None:
            self._keys.add(key)
        self.accepted.append({**recipient, "templateCode": body["templateCode"]})
        request_id = f"2026120700000{len(self.accepted):05d}"
        return _answer(0, "SUCCESS", message={
            "requestId": request_id, "senderGroupingKey": None,
            "sendResults": [{"recipientSeq": 1, "recipientNo": number, "resultCode": 0,
                             "resultMessage": "SUCCESS",
                             "recipientGroupingKey": recipient.get("recipientGroupingKey")}]})

    async def _query(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return _answer(*refusal)
        index = int(request.match_info["request_id"][-5:]) - 1
        if not 0 <= index < len(self.accepted):
            return _answer(-1016, "Message is not found.")
        number = self.accepted[index]["recipientNo"]
        message: dict[str, Any] = {
            "requestId": request.match_info["request_id"], "recipientSeq": 1,
            "recipientNo": number, "messageStatus": "COMPLETED", "resultCode": "1000",
            "resendStatus": "RSC01", "resendResultCode": None,
        }
        if self.pending:
            message |= {"messageStatus": "READY", "resultCode": None}
        elif number in self.not_on_kakao:
            message |= {"messageStatus": "FAILED", "resultCode": "3018",
                        "resendStatus": "RSC04", "resendResultCode": "0"}
        elif number in self.unreachable:
            message |= {"messageStatus": "FAILED", "resultCode": "3018",
                        "resendStatus": "RSC05", "resendResultCode": "3015"}
        return _answer(0, "SUCCESS", message=message)


def _answer(code: int, text: str, *, message: dict[str, Any] | None = None) -> web.Response:
    body = {"header": {"resultCode": code, "resultMessage": text, "isSuccessful": code == 0},
            "message": message}
    return web.Response(text=json.dumps(body, ensure_ascii=False),
                        content_type="application/json", charset="utf-8")
