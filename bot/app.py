"""The composition root: wires settings, database, PTB, web, scheduler and dispatcher."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import BotCommandScopeDefault, Update
from telegram.ext import ApplicationBuilder, ContextTypes, ExtBot
from telegram.request import HTTPXRequest

from bot.broadcast_progress import BroadcastProgress
from bot.clock import Clock, ShiftableClock, SystemClock
from bot.db.engine import (
    FastLane,
    create_engine,
    create_sessionmaker,
    describe_url,
    ping,
    reading,
)
from bot.db.migrate import is_at_head
from bot.db.write_watch import call_after_commits_writing
from bot.dispatcher import ClaimPolicy, OutboxDispatcher, Pacing, TelegramTransport
from bot.domain.deadlines import BusinessCalendar
from bot.domain.digest import DailyDigest
from bot.forum import ForumMirror
from bot.handlers.context import GonggamApplication, GonggamContext, Services
from bot.handlers.registry import register_all
from bot.i18n import DEFAULT_LANGUAGE, I18n
from bot.intake import PollingIntake, UpdateIntake
from bot.kakao.bridge import KakaoBridge
from bot.kakao.capture import CapturingRequest
from bot.kakao.notices import KakaoAwareBudget, KakaoNotices
from bot.logging_setup import quiet_noisy_loggers
from bot.mailer import EmailTransport
from bot.metrics import Metrics
from bot.morphology import analyser_process
from bot.polls_sender import PollSender
from bot.rendering.common import bot_commands
from bot.rendering.notifications import NotificationRenderer
from bot.scheduler import DeadlineScheduler
from bot.send_budget import SendBudget, send_budget_for
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.services.intake import forget_old_updates
from bot.services.wakes import Wake
from bot.settings import Settings
from bot.telegram_bot import BudgetLimiter, GonggamBot
from bot.texting.transport import TextReports
from bot.texting.wiring import text_transport
from bot.web.app import (
    SHUTDOWN_TIMEOUT_SECONDS,
    WEBHOOK_PATH,
    HealthReport,
    WebDeps,
    create_web_app,
)
from bot.web.kakao import KakaoSkill
from bot.web.pages import PageDeps
from bot.work_item_copies import LateCopies

log = logging.getLogger(__name__)

TELEGRAM_API = "https://api.telegram.org/bot"

class Mode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class StartupError(RuntimeError):
    """The app cannot start; the message says why in words an operator can act on."""


class Wakeable(Protocol):
    """A worker that can be told that work waits for it: a background loop, or anything
    else with a `wake()`."""

    def wake(self) -> None: ...


@dataclass(frozen=True)
class Workers:
    """The workers by the work they wait for: every wake is routed here, so a commit wakes
    only the loops it left work for (see `bot.services.wakes`); a new kind of work is one
    `Wake` member and one entry here."""

    loops: Mapping[Wake, Wakeable | None]

    def wake(self, *targets: Wake) -> None:
        """Wake each named loop this process runs (without SMTP there is no mail loop)."""
        for target in targets:
            loop = self.loops.get(target)
            if loop is not None:
                loop.wake()


@dataclass
class Runtime:
    """Everything one process runs, built by `build_runtime` and started by `start`."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    metrics: Metrics
    application: GonggamApplication
    dispatcher: OutboxDispatcher
    scheduler: DeadlineScheduler
    machine: DeadlineMachine
    intake: UpdateIntake
    polling: PollingIntake
    mail_dispatcher: OutboxDispatcher | None = None
    forum: ForumMirror | None = None  # debates: only when DEBATE_FORUM_CHAT_ID is set
    polls: PollSender | None = None  # polls: sends, stops and announces native polls
    broadcasts: BroadcastProgress | None = None  # broadcasts: the admin's progress message
    web_runner: web.AppRunner | None = field(default=None)
    mode: Mode | None = None
    analyser_loading: asyncio.Task[None] | None = None
    kakao: KakaoSkill | None = None  # the KakaoTalk channel, while KAKAO_SKILL_SECRET is set
    text_reports: TextReports | None = None  # 알림톡/SMS final reports, while TEXT_PROVIDER is set
    # the reply and public pages read through it: one hop per page (bot.web.pages)
    read_lane: FastLane = field(init=False)

    def __post_init__(self) -> None:
        self.read_lane = FastLane(self.settings.database_url, self.engine, reads_only=True)

    @property
    def bot(self) -> ExtBot[None]:
        return self.application.bot

    async def start(self, mode: Mode, *, serve_web: bool = True) -> None:
        """Check the database, then start Telegram, scheduler, dispatcher and web server."""
        await self._require_database()
        # The Korean analyser loads in its own process while the bot starts (bot.morphology)
        self.analyser_loading = asyncio.create_task(analyser_process().warm_up())
        self.mode = mode
        await self.application.initialize()
        await self._register_commands()
        await self.application.start()
        await self.intake.resume_backlog()
        if serve_web:
            await self._start_web()
        if mode is Mode.POLLING:
            await self.bot.delete_webhook()
            self.polling.start()
        else:
            await self.bot.set_webhook(
                self.settings.public_base_url + WEBHOOK_PATH,
                secret_token=self.settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        await self.scheduler.start()
        self.dispatcher.start()
        if self.mail_dispatcher is not None:
            self.mail_dispatcher.start()
        if self.forum is not None:
            self.forum.start()
        if self.polls is not None:
            self.polls.start()
        if self.broadcasts is not None:
            self.broadcasts.start()
        if self.text_reports is not None:
            self.text_reports.start()
        # Everything loaded so far (the modules, the Korean analyser's wrappers, PTB) lives as
        # long as the process: out of the collector's reach, a full collection no longer walks
        # it and stalls the event loop (about 120 ms here, measured by deadline_scale)
        gc.freeze()
        log.info("공감 started in %s mode", mode)

    async def stop(self) -> None:
        """Graceful and quick: stop intake, finish the update in flight, then the rest.

        Updates still waiting in the queue are stored (see `bot.intake`), so they are left
        for the next start rather than handled now; nothing acknowledged is lost."""
        await self.polling.stop()
        if self.web_runner is not None:
            await self.web_runner.cleanup()
            self.web_runner = None
        if self.application.running:
            _leave_queued_updates(self.application.update_queue)
            await self.application.stop()
        await self.scheduler.shutdown()
        if self.forum is not None:
            await self.forum.stop()
        if self.polls is not None:
            await self.polls.stop()
        if self.broadcasts is not None:
            await self.broadcasts.stop()
        await self.dispatcher.stop()
        if self.mail_dispatcher is not None:
            await self.mail_dispatcher.stop()
        if self.text_reports is not None:
            await self.text_reports.stop()
        await self.application.shutdown()
        self.application.services.fast_lane.dispose()
        self.read_lane.dispose()
        await self.engine.dispose()
        await self._analyser_loaded()
        log.info("공감 stopped")

    async def _analyser_loaded(self) -> None:
        """Wait for the analyser's load begun at start; a failed load is logged (the next
        analysis tries again)."""
        if self.analyser_loading is None:
            return
        try:
            await self.analyser_loading
        except Exception:
            log.exception("the Korean analyser could not be loaded")
        self.analyser_loading = None

    async def health(self) -> HealthReport:
        database = True
        lag, backlog = 0.0, 0
        try:
            await ping(self.engine)
            lag = await self.dispatcher.lag_seconds()
            backlog = await self.dispatcher.backlog()
        except Exception:
            database = False
        self.metrics.dispatcher_lag.set(lag)
        self.metrics.outbox_backlog.set(backlog)
        return HealthReport(
            database, self.scheduler.running, self.dispatcher.running, lag, backlog
        )

    def web_app(self) -> web.Application:
        return create_web_app(
            WebDeps(
                metrics=self.metrics,
                health=self.health,
                settings=self.settings,
                intake=self.intake,
                webhook_secret=self.settings.webhook_secret,
                kakao=self.kakao,
                pages=PageDeps(
                    sessionmaker=self.sessionmaker,
                    reader=create_sessionmaker(reading(self.engine)),
                    read_lane=self.read_lane,
                    settings=self.settings,
                    clock=self.clock,
                    i18n=self.i18n,
                    calendar=self.application.services.calendar,
                    wake=self.application.services.wake,
                ),
            )
        )

    async def _start_web(self) -> None:
        self.web_runner = web.AppRunner(
            self.web_app(), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS
        )
        await self.web_runner.setup()
        await web.TCPSite(self.web_runner, self.settings.host, self.settings.port).start()

    async def _require_database(self) -> None:
        where = describe_url(self.settings.database_url)
        try:
            await ping(self.engine)
            migrated = await is_at_head(self.engine)
        except Exception as error:
            raise StartupError(
                f"데이터베이스에 연결할 수 없습니다 (cannot reach the database) at {where}: "
                f"{type(error).__name__}: {error}"
            ) from None
        if not migrated:
            raise StartupError(
                f"the database at {where} is not migrated: run `python -m bot migrate`"
            )

    async def _register_commands(self) -> None:
        for translator in self.i18n.all():
            language = None if translator.language == DEFAULT_LANGUAGE else translator.language
            await self.bot.set_my_commands(
                bot_commands(translator), scope=BotCommandScopeDefault(), language_code=language
            )


def build_runtime(
    settings: Settings, clock: Clock | None = None, *, pacing: Pacing | None = None
) -> Runtime:
    """Create (but do not start) every part of the app; `pacing` replaces the dispatcher's
    send budget (the shared one on PostgreSQL) by one process's pacing on its own clock
    (tests check rates on virtual time)."""
    quiet_noisy_loggers()
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    i18n = I18n(settings.policy.timezone, clock=clock)
    metrics = Metrics()
    # one send budget for the dispatcher's notices and every other message the bot sends
    budget = pacing.budget() if pacing is not None else send_budget_for(settings, sessionmaker)
    bot = _build_bot(settings, budget)
    fast_lane = FastLane(settings.database_url, engine)
    # a Kakao-only resident's pushes go by 알림톡/SMS if they chose it, else wait for their next
    # Kakao turn; an offline proposer's by 알림톡/SMS with consent (bot/kakao/notices.py)
    texts = text_transport(settings, fast_lane, sessionmaker, clock, i18n.get(DEFAULT_LANGUAGE))
    notices = KakaoNotices(TelegramTransport(bot, NotificationRenderer(i18n)), fast_lane, clock,
                           texts)
    dispatcher = OutboxDispatcher(
        sessionmaker,
        notices,
        clock,
        metrics,
        claims=ClaimPolicy.from_settings(settings),
        budget=KakaoAwareBudget(budget),
        quiet_hours=settings.policy.quiet_hours,
        digest=DailyDigest(settings.policy.daily_digest_at, settings.policy.timezone),
        after_sent=LateCopies(create_sessionmaker(reading(engine)), bot, i18n),
    )

    # debates: a new debate or a closed one may need a forum topic opened or closed
    forum = (
        ForumMirror(sessionmaker, bot, clock, i18n.get(DEFAULT_LANGUAGE))
        if settings.debate_forum_chat_id is not None else None
    )

    # polls: a new poll has copies to send, a closed one has copies to stop; the sender
    # wakes the dispatcher once the results are in the outbox.
    polls = PollSender(sessionmaker, bot, clock, on_announced=dispatcher.wake)

    # broadcasts: a confirmed broadcast gets its progress message updated from the outbox;
    # woken at the confirmation only, then its idle timer paces the edits while rows go out
    broadcast_progress = BroadcastProgress(sessionmaker, bot, clock, i18n.get(DEFAULT_LANGUAGE))

    mail_dispatcher = _mail_dispatcher(settings, sessionmaker, clock, metrics, i18n)
    workers = Workers({
        Wake.TELEGRAM_OUTBOX: dispatcher, Wake.EMAIL_OUTBOX: mail_dispatcher,
        Wake.POLL_SENDER: polls, Wake.BROADCAST_PROGRESS: broadcast_progress,
        Wake.FORUM_MIRROR: forum,
    })

    calendar = BusinessCalendar()
    machine = DeadlineMachine(
        sessionmaker,
        clock,
        DeadlineContext(settings.policy, calendar, settings.venues, settings.smtp_url,
                        settings.secret_key),
        on_transition=lambda kind: metrics.transitions.labels(kind=kind).inc(),
        reader=create_sessionmaker(reading(engine)),
        # SQLite has one write lock: a catch-up leaves half the time to residents' updates
        share_of_writes=0.5 if settings.is_sqlite else 1.0,
        wake=workers.wake,  # each item's notices, closed polls and debate topics go at once
    )

    async def housekeeping() -> None:
        await fast_lane.run(partial(forget_old_updates, now=clock.now()))

    scheduler = DeadlineScheduler(machine, clock, housekeeping=housekeeping)
    if isinstance(clock, ShiftableClock):
        clock.on_jump(lambda _now: scheduler.sweep())
    # a commit that creates or moves a deadline moves the scheduler's one alarm at once
    call_after_commits_writing(engine, machine.watched_columns(), scheduler.wake)
    services = Services(
        settings, clock, i18n, sessionmaker, fast_lane, metrics, workers.wake, calendar
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .updater(None)  # polling is `bot.intake.PollingIntake`: it stores before it confirms
        .application_class(GonggamApplication, kwargs={"services": services})
        .context_types(ContextTypes(context=GonggamContext))
        .build()
    )
    assert isinstance(application, GonggamApplication)
    register_all(application)
    intake = UpdateIntake(
        bot, application.update_queue, fast_lane, clock, settings.worker_id, i18n,
        secret_key=settings.secret_key,
    )
    return Runtime(
        settings, clock, engine, sessionmaker, i18n, metrics, application, dispatcher,
        scheduler, machine, intake, PollingIntake(intake), mail_dispatcher,
        forum=forum, polls=polls, broadcasts=broadcast_progress,
        kakao=_kakao_skill(settings, application, notices, clock, i18n),
        text_reports=TextReports(texts) if texts is not None else None,
    )


def _kakao_skill(
    settings: Settings, application: GonggamApplication, notices: KakaoNotices, clock: Clock,
    i18n: I18n,
) -> KakaoSkill | None:
    """The KakaoTalk channel's endpoint: the same Application, reached through the bridge."""
    if not settings.kakao.enabled:
        return None
    bridge = KakaoBridge(application, notices.fast_lane, clock, settings.kakao,
                         settings.secret_keys, i18n, settings.public_base_url)
    return KakaoSkill(bridge, settings.kakao, i18n, notices)


def _leave_queued_updates(queue: asyncio.Queue[object]) -> None:
    """Empty PTB's queue without handling: each queued update is stored and unhandled, so
    the next start takes it back (`UpdateIntake.resume_backlog`)."""
    while not queue.empty():
        queue.get_nowait()
        queue.task_done()


def _mail_dispatcher(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    metrics: Metrics,
    i18n: I18n,
) -> OutboxDispatcher | None:
    """E-mail goes through its own dispatcher (same outbox, `email` channel) when SMTP is set."""
    if settings.smtp_url is None:
        return None
    transport = EmailTransport(settings.smtp_url, settings.mail_from, i18n.get("ko"))
    claims = ClaimPolicy.from_settings(settings)  # its own worker key: the `email` channel
    return OutboxDispatcher(sessionmaker, transport, clock, metrics, claims=claims,
                            quiet_hours=None)


def _build_bot(settings: Settings, budget: SendBudget) -> GonggamBot:
    if not settings.telegram_bot_token:
        raise StartupError("TELEGRAM_BOT_TOKEN is not set (use `python -m bot sandbox`)")
    base_url = settings.telegram_api_base_url or TELEGRAM_API
    return GonggamBot(
        settings.telegram_bot_token,
        base_url=base_url,
        base_file_url=base_url.removesuffix("/bot") + "/file/bot",
        # a Kakao turn's messages are captured for its response (bot/kakao/capture.py)
        request=CapturingRequest(HTTPXRequest(connection_pool_size=64)),
        get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=20),
        rate_limiter=BudgetLimiter(budget),
    )
