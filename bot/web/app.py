"""The web application factory; routes stay thin and never leak internals.

Every response carries the security headers (HSTS when PUBLIC_BASE_URL is https); a POST
whose Origin is another site is refused before a page handler reads it (the Telegram
webhook and the Kakao skill are exempt: each has its own secret); /metrics needs
METRICS_TOKEN, or without one a loopback peer; and a connection that has not sent a
complete request within HTTP_IDLE_TIMEOUT seconds (of opening or of its previous response)
is closed.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.db.engine import DATABASE_ERRORS
from bot.intake import MalformedUpdate, UpdateIntake
from bot.metrics import Metrics
from bot.settings import Settings
from bot.web.assembly_pages import add_assembly_routes  # 주민총회
from bot.web.budget_pages import add_budget_routes  # budget rounds
from bot.web.consultation_pages import add_consultation_routes  # 「구가 묻습니다」
from bot.web.governance_pages import add_governance_routes  # 협치회의
from bot.web.kakao import KAKAO_SKILL_PATH, KakaoSkill, add_kakao_routes  # KakaoTalk channel
from bot.web.open_data import add_open_data_routes
from bot.web.pages import PageDeps, add_page_routes, cross_site_refusal
from bot.web.security import is_loopback

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
# Seconds the server gives requests in flight at shutdown before it closes their connections.
SHUTDOWN_TIMEOUT_SECONDS = 10.0
MAX_REQUEST_LINE_BYTES = 4096
MAX_HEADER_FIELD_BYTES = 8190
WEBHOOK_PATH = "/telegram/webhook"


@dataclass(frozen=True)
class HealthReport:
    database: bool
    scheduler: bool
    dispatcher: bool
    dispatcher_lag_seconds: float
    outbox_backlog: int

    @property
    def healthy(self) -> bool:
        return self.database and self.scheduler and self.dispatcher


@dataclass(frozen=True)
class WebDeps:
    """What the web layer needs from the runtime."""

    metrics: Metrics
    health: Callable[[], Awaitable[HealthReport]]
    settings: Settings
    intake: UpdateIntake | None = None  # stores webhook updates before they are acknowledged
    webhook_secret: str | None = None
    pages: PageDeps | None = None
    kakao: KakaoSkill | None = None  # the KakaoTalk skill, while KAKAO_SKILL_SECRET is set


@dataclass(frozen=True)
class HttpPolicy:
    """What the middlewares and /metrics enforce, taken from the settings once."""

    headers: Mapping[str, str]
    public_origin: str
    metrics_token: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpPolicy:
        headers = dict(SECURITY_HEADERS)
        if settings.public_base_url.startswith("https://"):
            headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        return cls(headers, origin_of(settings.public_base_url), settings.metrics_token)


KEY = web.AppKey("deps", WebDeps)
POLICY = web.AppKey("http_policy", HttpPolicy)


def secure_application(settings: Settings) -> web.Application:
    """An empty aiohttp application with the middlewares, headers and connection limits."""
    app = web.Application(
        middlewares=[error_middleware, security_headers_middleware, same_origin_middleware],
        handler_args={
            # aiohttp arms this timer when a connection opens and after every response, and
            # closes the connection if no complete request (line and headers) came meanwhile:
            # it is both the header-read timeout and the idle keep-alive limit.
            "keepalive_timeout": settings.http_idle_timeout,
            "max_line_size": MAX_REQUEST_LINE_BYTES,
            "max_field_size": MAX_HEADER_FIELD_BYTES,
        },
    )
    app[POLICY] = HttpPolicy.from_settings(settings)
    return app


def origin_of(url: str) -> str:
    """`scheme://host[:port]` as browsers send it in the Origin header (default port left out)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def create_web_app(deps: WebDeps) -> web.Application:
    app = secure_application(deps.settings)
    app[KEY] = deps
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if deps.intake is not None:
        app.router.add_post(WEBHOOK_PATH, telegram_webhook)
    if deps.pages is not None:
        add_page_routes(app, deps.pages)
        add_open_data_routes(app, deps.pages)  # statistics and open data
        add_budget_routes(app)  # budget rounds: /budget/<id> and its chart
        add_assembly_routes(app)  # 주민총회: /assembly/<id> and its data
        add_consultation_routes(app)  # 「구가 묻습니다」: /consultation/<id>
        add_governance_routes(app)  # 협치회의: /hyeopchi and /hyeopchi/<meeting>
    if deps.kakao is not None:
        add_kakao_routes(app, deps.kakao)  # KakaoTalk: POST /kakao/skill
    return app


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        # The route name, not the path: reply-link paths carry a secret token.
        route = request.match_info.route.name or request.match_info.route.resource
        log.exception("unhandled error on %s %s", request.method, route)
        return web.json_response({"error": "internal error"}, status=500)


@web.middleware
async def security_headers_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        # Router errors (an unknown path, a wrong method) are raised, not returned.
        _secure(error.headers, request.app.get(POLICY))
        raise
    _secure(response.headers, request.app.get(POLICY))
    return response


def _secure(headers: Any, policy: HttpPolicy | None) -> None:
    for name, value in (SECURITY_HEADERS if policy is None else policy.headers).items():
        headers.setdefault(name, value)


@web.middleware
async def same_origin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A POST sent by another site's page is refused before anything reads its body."""
    policy = request.app.get(POLICY)
    if (
        request.method == "POST"
        and request.path not in (WEBHOOK_PATH, KAKAO_SKILL_PATH)  # each has its own secret
        and policy is not None
        and not is_same_origin(request, policy.public_origin)
    ):
        route = request.match_info.route.name or request.match_info.route.resource
        log.warning("cross-site POST refused on %s", route)
        return cross_site_refusal(request)
    return await handler(request)


def is_same_origin(request: web.Request, public_origin: str) -> bool:
    """True without an Origin header (the form token still guards) or with our own origin.

    Browsers send `Origin: null` on form posts from pages under `Referrer-Policy:
    no-referrer`, which ours are; such a post passes only if `Sec-Fetch-Site` (when the
    browser sends it) says it came from our own pages.
    """
    origins = request.headers.getall("Origin", [])
    if not origins:
        return True
    if origins == ["null"]:
        return request.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"
    return len(origins) == 1 and origins[0].lower() == public_origin


async def healthz(request: web.Request) -> web.Response:
    report = await request.app[KEY].health()
    body: dict[str, Any] = {
        "status": "ok" if report.healthy else "degraded",
        "database": "ok" if report.database else "unreachable",
        "scheduler": "running" if report.scheduler else "stopped",
        "dispatcher": "running" if report.dispatcher else "stopped",
        "dispatcher_lag_seconds": round(report.dispatcher_lag_seconds, 3),
        "outbox_backlog": report.outbox_backlog,
    }
    return web.json_response(body, status=200 if report.healthy else 503)


async def metrics(request: web.Request) -> web.Response:
    deps = request.app[KEY]
    if (refused := _metrics_refusal(request, request.app[POLICY].metrics_token)) is not None:
        return refused
    await deps.health()
    return web.Response(body=deps.metrics.render(), content_type="text/plain", charset="utf-8")


def _metrics_refusal(request: web.Request, token: str | None) -> web.Response | None:
    """With METRICS_TOKEN: the bearer token or 401. Without: only a loopback peer that is not
    relaying someone else's request (no forwarding headers)."""
    if token is not None:
        given = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(given, f"Bearer {token}".encode()):
            return None
        return web.json_response({"error": "unauthorized"}, status=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    if is_loopback(request.remote) and not forwarded:
        return None
    return web.json_response({"error": "forbidden"}, status=403)


async def telegram_webhook(request: web.Request) -> web.Response:
    """Telegram's POST: the secret header, then the body, then stored before the 200.

    Anything but an update Telegram would send gets 400 (logged without the body). When the
    update cannot be stored, the answer is 503 and Telegram sends it again later."""
    deps = request.app[KEY]
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not deps.webhook_secret or not hmac.compare_digest(given, deps.webhook_secret):
        log.warning("webhook call with a wrong secret token from %s", request.remote)
        return web.json_response({"error": "forbidden"}, status=403)
    assert deps.intake is not None
    try:
        body = deps.intake.check(await request.json())
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        reason = error if isinstance(error, MalformedUpdate) else type(error).__name__
        log.warning("malformed webhook body refused: %s", reason)
        return web.json_response({"error": "malformed update"}, status=400)
    try:
        await deps.intake.accept([body])
    except DATABASE_ERRORS as error:
        log.warning("webhook update not stored (database unreachable: %s); Telegram will "
                    "send it again", type(error).__name__)
        await deps.intake.tell_delayed([body])
        return web.json_response({"error": "try again later"}, status=503)
    return web.json_response({"ok": True})
