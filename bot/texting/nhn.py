"""NHN Cloud KakaoTalk Bizmessage (알림톡 API v2.3) as a text-message provider.

From NHN Cloud's public documentation, "Notification > KakaoTalk Bizmessage > 알림톡 > API v2.3
가이드" (docs.nhncloud.com/ko/Notification/KakaoTalk Bizmessage/ko/alimtalk-api-guide/) and
"KakaoTalk Bizmessage > 오류 코드" (…/error-code/). What this module relies on:

Send (치환 발송 요청)::

    POST {base}/alimtalk/v2.3/appkeys/{appkey}/messages
    X-Secret-Key: <secret key>               (required)
    X-NC-API-IDEMPOTENCY-KEY: <key>          (a repeat within 10 minutes fails with -1005)
    {"senderKey": "<발신 키, 40자>", "templateCode": "<≤20자>",
     "recipientList": [{"recipientNo": "01012345678",
                        "templateParameter": {"변수": "값"},
                        "resendParameter": {"isResend": true, "resendType": "SMS" | "LMS",
                                            "resendTitle": "<LMS 제목>",
                                            "resendContent": "<대체 발송 내용>",
                                            "resendSendNo": "<등록된 발신 번호>"},
                        "recipientGroupingKey": "<≤100자>"}]}

    → {"header": {"resultCode": 0, "resultMessage": "SUCCESS", "isSuccessful": true},
       "message": {"requestId": "…", "senderGroupingKey": null,
                   "sendResults": [{"recipientSeq": 1, "recipientNo": "…",
                                    "resultCode": 0, "resultMessage": "SUCCESS",
                                    "recipientGroupingKey": "…"}]}}

Result of one recipient (메시지 단건 조회)::

    GET {base}/alimtalk/v2.3/appkeys/{appkey}/messages/{requestId}/{recipientSeq}
    → {"header": {…}, "message": {"requestId", "recipientSeq", "messageStatus",
                                  "resultCode", "resendStatus", "resendResultCode", …}}

    messageStatus COMPLETED (resultCode "1000": delivered as 알림톡) or FAILED; anything else
    is not final yet. After a failed 알림톡 (e.g. "3018": not a KakaoTalk user, or one who
    blocked 알림톡) resendStatus says what became of the fallback: RSC04 sent, RSC05 failed,
    RSC02/RSC03 still to come, RSC01 none.

Requests with one recipient grouping key (메시지 리스트 조회), asked before a request whose
answer never came is sent again once its idempotency key is forgotten::

    GET {base}/alimtalk/v2.3/appkeys/{appkey}/messages?startRequestDate=…&endRequestDate=…
        &recipientGroupingKey=…&pageSize=…       (dates "yyyy-MM-dd HH:mm", Korean time)
    → {"header": {…}, "messageSearchResultResponse": {"messages": [{"requestId",
                                                                      "recipientSeq", …}],
                                                       "totalCount": n}}

Result codes used, from the guide's error code table ("API 응답 코드", as published now):
0 success; -1000 invalid appkey and -1001 invalid secret key (our configuration: failed,
not retried); -1005 the same idempotency key within 10 minutes (an earlier try went
through: sent already; after 10 minutes the key is forgotten, so the transport checks its
own delivery record before sending a row again); -1031 every recipient of the request
failed (it replaced -2999; -1017, the exhausted daily volume, is no longer in the table).
Only a recipient refused for its number marks the number refused: header -1031 or 0 with
the recipient's `sendResults` code in `REFUSED_RECIPIENT_CODES` (-4019, not a valid
recipient number). Any other code, of the header or of the recipient (a template error such
as -3049 "template parameter not matched"), and an answer without `sendResults`, is a
request the provider will not take as it is: failed, the number left alone. HTTP 429 and
5xx, a timeout or a broken connection: retried with the outbox's backoff; after all but a
429 or a refused connection the request may have gone through (`UNKNOWN`), so the transport
sends it again with the same key while NHN remembers it, and asks the list first after.

Result query codes that mean no final report will ever come: -1016 (no such message) and
-4017 (a message older than 90 days cannot be looked up); a CANCEL status is final as well
(`NEVER_FINAL`). The transport also stops asking after `REPORT_GIVE_UP_AFTER` (2 days).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.domain.deadlines import SEOUL
from bot.domain.text_messages import TextChannel, cut_to_bytes
from bot.texting.provider import DeliveryReport, Lookup, SendOutcome, SendResult, TextRequest

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api-alimtalk.cloud.toast.com"
API_VERSION = "v2.3"
TIMEOUT_SECONDS = 10.0
DUPLICATE_REQUEST = -1005
ALL_RECIPIENTS_FAILED = -1031  # replaced -2999 in the v2.3 error code table
REFUSED_RECIPIENT_CODES = frozenset({-4019})  # the recipient's number is not valid
DELIVERED = "1000"
FALLBACK_SENT = "RSC04"
FALLBACK_FAILED = "RSC05"
FALLBACK_NONE = "RSC01"
MESSAGE_NOT_FOUND = -1016
TOO_OLD_TO_QUERY = -4017  # a message older than 90 days cannot be looked up
NEVER_FINAL = frozenset({MESSAGE_NOT_FOUND, TOO_OLD_TO_QUERY})
CANCELLED = "CANCEL"


@dataclass(frozen=True)
class NhnCredentials:
    """The console's app key, secret key and 발신 키, and the registered SMS sender number."""

    appkey: str
    secret_key: str = field(repr=False)
    sender_key: str = field(repr=False)
    send_no: str
    base_url: str = DEFAULT_BASE_URL


class NhnAlimtalk:
    """Sends one 알림톡 per request (one recipient), its fallback included."""

    name = "nhn"

    def __init__(self, credentials: NhnCredentials, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self._credentials = credentials
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, request: TextRequest) -> SendResult:
        try:
            status, body = await self._call("POST", "messages", json=self._body(request),
                                            idempotency_key=request.idempotency_key)
        except aiohttp.ClientConnectorError as error:  # never reached NHN
            return SendResult(SendOutcome.RETRY, detail=type(error).__name__)
        except (aiohttp.ClientError, TimeoutError) as error:
            return SendResult(SendOutcome.UNKNOWN, detail=type(error).__name__)
        if status == 429:
            return SendResult(SendOutcome.RETRY, error_code=f"http {status}")
        if status >= 500 or body is None:
            return SendResult(SendOutcome.UNKNOWN, error_code=f"http {status}")
        return _send_result(body)

    async def find(self, request: TextRequest, since: datetime) -> Lookup | None:
        """Asked by the request's recipient grouping key (our idempotency key); a message
        that names another key is not ours, whatever the query matched."""
        query = {"startRequestDate": _kst_minute(since - timedelta(minutes=1)),
                 "endRequestDate": _kst_minute(datetime.now(UTC) + timedelta(minutes=1)),
                 "recipientGroupingKey": request.idempotency_key[:100], "pageSize": "10"}
        try:
            status, body = await self._call("GET", "messages", params=query)
        except (aiohttp.ClientError, TimeoutError):
            return None
        header = (body or {}).get("header") or {}
        found = (body or {}).get("messageSearchResultResponse")
        if status != 200 or not header.get("isSuccessful") or not isinstance(found, dict):
            return None
        key = request.idempotency_key[:100]
        ours = [message for message in found.get("messages") or [] if isinstance(message, dict)
                and message.get("recipientGroupingKey", key) == key]
        if not ours:
            return Lookup(taken=False)
        return Lookup(True, f"{ours[0].get('requestId')}/{ours[0].get('recipientSeq', 1)}")

    async def report(self, message_id: str, planned: TextChannel) -> DeliveryReport | None:
        try:
            status, body = await self._call("GET", f"messages/{message_id}")
        except (aiohttp.ClientError, TimeoutError):
            return None
        if status != 200 or body is None:
            return None
        code = _int((body.get("header") or {}).get("resultCode"))
        if code in NEVER_FINAL:
            return DeliveryReport(False, TextChannel.ALIMTALK, error_code=str(code), lost=True)
        if not isinstance(body.get("message"), dict):
            return None
        return _report(body["message"], planned)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _body(self, request: TextRequest) -> dict[str, Any]:
        message = request.message
        fallback = message.fallback
        resend: dict[str, Any] = {
            "isResend": True, "resendType": fallback.value.upper(),
            "resendContent": cut_to_bytes(message.text), "resendSendNo": self._credentials.send_no,
        }
        if fallback is TextChannel.LMS:
            resend["resendTitle"] = request.title
        return {
            "senderKey": self._credentials.sender_key,
            "templateCode": message.template.code,
            "recipientList": [{
                "recipientNo": request.number,
                "templateParameter": message.values,
                "resendParameter": resend,
                "recipientGroupingKey": request.idempotency_key[:100],
            }],
        }

    async def _call(self, method: str, path: str, *, json: dict[str, Any] | None = None,
                    params: dict[str, str] | None = None, idempotency_key: str | None = None
                    ) -> tuple[int, dict[str, Any] | None]:
        credentials = self._credentials
        url = (f"{credentials.base_url.rstrip('/')}/alimtalk/{API_VERSION}/appkeys/"
               f"{credentials.appkey}/{path}")
        headers = {"X-Secret-Key": credentials.secret_key,
                   "Content-Type": "application/json;charset=UTF-8"}
        if idempotency_key is not None:
            headers["X-NC-API-IDEMPOTENCY-KEY"] = idempotency_key
        async with self._client().request(method, url, json=json, params=params,
                                          headers=headers) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return response.status, body if isinstance(body, dict) else None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session


def idempotency_key(dedupe_key: str) -> str:
    """The provider's idempotency key for an outbox row: a hash of its dedupe key (a fixed
    length, and nothing of the notice's content leaves with it)."""
    return hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()


def _kst_minute(instant: datetime) -> str:
    """A time as NHN's queries take it: Korean time to the minute."""
    return instant.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def _send_result(body: dict[str, Any]) -> SendResult:
    header = body.get("header") or {}
    code = _int(header.get("resultCode"))
    recipient = _first_result(body)
    if code == DUPLICATE_REQUEST:
        return SendResult(SendOutcome.DUPLICATE, error_code=str(code))
    recipient_code = _int(recipient.get("resultCode"))
    if code in (0, ALL_RECIPIENTS_FAILED) and recipient_code in REFUSED_RECIPIENT_CODES:
        return SendResult(SendOutcome.REJECTED, error_code=str(recipient_code),
                          detail=str(recipient.get("resultMessage", ""))[:200])
    if code != 0 or not header.get("isSuccessful", False) or recipient_code != 0:
        failed = code if code != 0 or recipient_code is None else recipient_code
        detail = (recipient.get("resultMessage") if failed == recipient_code
                  else header.get("resultMessage")) or ("" if recipient else "no sendResults")
        log.warning("the 알림톡 provider refused a request: %s %s", failed, detail)
        return SendResult(SendOutcome.FAILED, error_code=str(failed), detail=str(detail)[:200])
    request_id = (body.get("message") or {}).get("requestId")
    return SendResult(SendOutcome.ACCEPTED,
                      message_id=f"{request_id}/{recipient.get('recipientSeq', 1)}")


def _first_result(body: dict[str, Any]) -> dict[str, Any]:
    results = (body.get("message") or {}).get("sendResults") or [{}]
    first = results[0]
    return first if isinstance(first, dict) else {}


def _report(message: dict[str, Any], planned: TextChannel) -> DeliveryReport | None:
    status, code = message.get("messageStatus"), str(message.get("resultCode") or "")
    if status == "COMPLETED" and code == DELIVERED:
        return DeliveryReport(True, TextChannel.ALIMTALK)
    if status == CANCELLED:
        return DeliveryReport(False, TextChannel.ALIMTALK, error_code=code or None, lost=True)
    if status not in ("COMPLETED", "FAILED"):
        return None
    resend = message.get("resendStatus")
    if resend == FALLBACK_SENT:
        return DeliveryReport(True, planned, error_code=code or None)
    if resend in (FALLBACK_FAILED, FALLBACK_NONE, None):
        error = str(message.get("resendResultCode") or code or "") or None
        return DeliveryReport(False, planned if resend == FALLBACK_FAILED else
                              TextChannel.ALIMTALK, error_code=error)
    return None  # the fallback is still on its way


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
