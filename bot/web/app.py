"""The web application factory; routes stay thin and never leak internals."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.metrics import Metrics
from bot.web.budget_pages import add_budget_routes  # budget rounds
from bot.web.open_data import add_open_data_routes
from bot.web.pages import PageDeps, add_page_routes

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
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
    telegram: Application | None = None  # type: ignore[type-arg]
    webhook_secret: str | None = None
    pages: PageDeps | None = None


KEY = web.AppKey("deps", WebDeps)


def create_web_app(deps: WebDeps) -> web.Application:
    app = web.Application(middlewares=[error_middleware, security_headers_middleware])
    app[KEY] = deps
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if deps.telegram is not None:
        app.router.add_post(WEBHOOK_PATH, telegram_webhook)
    if deps.pages is not None:
        add_page_routes(app, deps.pages)
        add_open_data_routes(app, deps.pages)  # statistics and open data
        add_budget_routes(app)  # budget rounds: /budget/<id> and its chart
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
        _secure(error.headers)
        raise
    _secure(response.headers)
    return response


def _secure(headers: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


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
    await deps.health()
    return web.Response(body=deps.metrics.render(), content_type="text/plain", charset="utf-8")


async def telegram_webhook(request: web.Request) -> web.Response:
    """Telegram's POST; the secret header must match before anything is parsed."""
    deps = request.app[KEY]
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not deps.webhook_secret or not hmac.compare_digest(given, deps.webhook_secret):
        log.warning("webhook call with a wrong secret token from %s", request.remote)
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        data = await request.json()
        update = Update.de_json(data, deps.telegram.bot)  # type: ignore[union-attr]
    except (json.JSONDecodeError, ValueError, TypeError, KeyError):
        log.warning("malformed webhook body ignored")
        return web.json_response({"error": "malformed update"}, status=400)
    await deps.telegram.update_queue.put(update)  # type: ignore[union-attr]
    return web.json_response({"ok": True})
