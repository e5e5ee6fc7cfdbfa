"""Reply-page and public-page throughput against a static aiohttp handler serving the same bytes.

What is measured: requests per second for `GET /r/<token>` (the department reply page: token
lookup, proposal, answers and forms with fresh CSRF tokens) and `GET /p/<id>` (the public
proposal page), each served by the real web app (`create_web_app` with the page routes and
its middlewares) on a migrated SQLite file with one proposal, its department, its reply link
and two answers. The baseline is a bare aiohttp app whose handler returns the bytes of one
response of the same page, so the difference is exactly what building the page costs.

The pages are wired as in production: their reads go through the read lane (one hop per page,
`FastLane(reads_only=True)`), and rendered copies are kept `DEFAULT_TTL_SECONDS` by the page
cache. `--no-cache` turns the cache off (`PageDeps.cache_seconds=0`), so every request reads
and renders: the cold path, which must be fast on its own (issue #16).

Both servers run in this process on 127.0.0.1, are hit by the same aiohttp client with the same
concurrency, in interleaved rounds; each figure is the median of `--repeats` rounds. The
ratio (page / static) is the figure to watch; the goal is at least 30% with the cache and 20%
without it.

    python -m benchmarks.reply_page [--requests 500] [--concurrency 8] [--repeats 3] [--json]
                                    [--no-cache]

The exit status is 0 whatever the ratio; it is non-zero only when a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/reply_page.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.engine import FastLane, create_engine, create_sessionmaker, reading
from bot.db.migrate import upgrade
from bot.db.models import Proposal, Subscription, User
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar, official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Role
from bot.i18n import I18n
from bot.metrics import Metrics
from bot.services.answers import AnswerOutcome, resolve_link, submit_answer
from bot.services.departments import assign_department, create_department
from bot.settings import Settings
from bot.web.app import HealthReport, WebDeps, create_web_app
from bot.web.cache import DEFAULT_TTL_SECONDS
from bot.web.pages import PageDeps
from tests.support.service_settings import review_start

GOAL = 0.30  # with the page cache
UNCACHED_GOAL = 0.20  # every request read and rendered
START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
SETTINGS = Settings(secret_key="b" * 64, public_base_url="http://127.0.0.1")
PAGES = ("reply", "public")


@dataclass
class Report:
    requests: int
    concurrency: int
    repeats: int
    goal: float
    runs: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.runs[name])

    def ratio(self, page: str) -> float:
        return self.median(page) / self.median(f"static_{page}")

    def verdict(self, page: str) -> str:
        return "PASS" if self.ratio(page) >= self.goal else "BELOW"

    def table(self) -> str:
        lines = [
            f"{self.requests} requests × {self.repeats} rounds, concurrency {self.concurrency}",
            f"{'page':<8} {'static':>14} {'app':>14} {'ratio':>8}  goal ≥ {self.goal:.0%}",
        ]
        for page in PAGES:
            lines.append(
                f"{page:<8} {self.median(f'static_{page}'):>10.1f} r/s"
                f" {self.median(page):>10.1f} r/s {self.ratio(page):>7.1%}  {self.verdict(page)}"
            )
        return "\n".join(lines)

    def as_json(self) -> str:
        body: dict[str, object] = {
            "requests": self.requests, "concurrency": self.concurrency, "repeats": self.repeats,
            "goal": self.goal,
        }
        for page in PAGES:
            body[f"static_{page}_requests_per_second"] = round(self.median(f"static_{page}"), 1)
            body[f"{page}_requests_per_second"] = round(self.median(page), 1)
            body[f"{page}_ratio"] = round(self.ratio(page), 4)
            body[f"{page}_verdict"] = self.verdict(page)
        return json.dumps(body, ensure_ascii=False)


@dataclass(frozen=True)
class Scene:
    reply_path: str
    public_path: str


async def seed(sessionmaker: async_sessionmaker[AsyncSession]) -> Scene:
    """One proposal under review with 57 공감, a department, a reply link and two answers."""
    calendar = BusinessCalendar()
    async with sessionmaker() as session, session.begin():
        author = User(telegram_id=1, language="ko", language_chosen=False, role=Role.RESIDENT,
                      muted_all=False, unreachable=False, created_at=START, last_seen_at=START)
        session.add(author)
        await session.flush()
        proposal = Proposal(
            author_id=author.id, title="어린이공원 가로등 설치",
            status=ProposalStatus.UNDER_REVIEW,
            problem="해가 지면 공원 둘레길이 너무 어두워요. " * 8,
            solution="둘레길을 따라 LED 가로등을 설치해 주세요. " * 4,
            effect="밤에도 안전하게 다닐 수 있어요. " * 4, area="고척1동", category="안전·방범",
            hidden=False, endorsement_count=57, created_at=START, published_at=START,
            review_due=official_deadline(START, 14, calendar),
        )
        session.add(proposal)
        await session.flush()
        session.add(Subscription(user_id=author.id, proposal_id=proposal.id, muted=False,
                                 created_at=START))
        department = await create_department(session, name="도로과", now=START)
        assigned = await assign_department(session, proposal.id, department, now=START,
                                           **review_start(SETTINGS), actor="benchmark")
    assert assigned.token is not None
    await answer(sessionmaker, assigned.token, calendar)
    return Scene(f"/r/{assigned.token}", f"/p/{proposal.id}")


async def answer(
    sessionmaker: async_sessionmaker[AsyncSession], token: str, calendar: BusinessCalendar
) -> None:
    forms = [
        AnswerForm(AnswerKind.INTERIM, "김민수", "현장을 확인하고 있어요. 곧 알려드려요.",
                   expected_completion="2027-01-15"),
        AnswerForm(AnswerKind.INTERIM, "김민수", "예산 부서와 협의 중이에요. 기다려 주세요.",
                   expected_completion="2027-01-29"),
    ]
    for n, form in enumerate(forms):
        async with sessionmaker() as session, session.begin():
            link = await resolve_link(session, token, START, SETTINGS.secret_key)
            assert link is not None
            result = await submit_answer(session, link, form, idempotency_key=f"bench-{n}",
                                         now=START + timedelta(hours=n),
                                         policy=SETTINGS.policy, venues=SETTINGS.venues,
                                         calendar=calendar)
            assert result.outcome is AnswerOutcome.PUBLISHED, result


def page_app(
    engine: AsyncEngine, read_lane: FastLane, cache_seconds: float
) -> web.Application:
    """The web app with the pages wired as `bot.app.Runtime.web_app` wires them."""
    async def health() -> HealthReport:
        return HealthReport(True, True, True, 0.0, 0)

    pages = PageDeps(create_sessionmaker(engine), SETTINGS, fake_clock(START + timedelta(days=1)),
                     I18n(), BusinessCalendar(), lambda *_targets: None,
                     cache_seconds=cache_seconds,
                     reader=create_sessionmaker(reading(engine)), read_lane=read_lane)
    return create_web_app(WebDeps(metrics=Metrics(), health=health, settings=SETTINGS,
                                  pages=pages))


def static_app(bodies: dict[str, bytes]) -> web.Application:
    """The baseline: the same bytes for the same paths, no work at all."""

    def handler_for(body: bytes) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(_request: web.Request) -> web.Response:
            return web.Response(body=body, content_type="text/html", charset="utf-8")

        return handler

    app = web.Application()
    for path, body in bodies.items():
        app.router.add_get(path, handler_for(body))
    return app


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def measure(
    http: aiohttp.ClientSession, url: str, requests: int, concurrency: int
) -> float:
    """Requests per second for `requests` GETs of `url` by `concurrency` workers."""
    remaining = iter(range(requests))

    async def worker() -> None:
        for _ in remaining:
            async with http.get(url) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {url} answered {response.status}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return requests / (time.perf_counter() - started)


async def run(requests: int, concurrency: int, repeats: int, cache_seconds: float) -> Report:
    goal = GOAL if cache_seconds > 0 else UNCACHED_GOAL
    report = Report(requests, concurrency, repeats, goal, {
        name: [] for name in (*PAGES, *(f"static_{p}" for p in PAGES))})
    with tempfile.TemporaryDirectory(prefix="gonggam-reply-bench-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        engine = create_engine(url)
        read_lane = FastLane(url, engine, reads_only=True)
        try:
            await upgrade(engine)
            sessionmaker = create_sessionmaker(engine)
            scene = await seed(sessionmaker)
            paths = {"reply": scene.reply_path, "public": scene.public_path}
            connector = aiohttp.TCPConnector(limit=concurrency)
            async with aiohttp.ClientSession(connector=connector) as http, \
                    serving(page_app(engine, read_lane, cache_seconds)) as app_url:
                bodies = {
                    paths[p]: await (await http.get(app_url + paths[p])).read() for p in PAGES
                }
                async with serving(static_app(bodies)) as static_url:
                    for page in PAGES:  # warm up both
                        await measure(http, app_url + paths[page], 50, concurrency)
                        await measure(http, static_url + paths[page], 50, concurrency)
                    for _ in range(repeats):
                        for page in PAGES:
                            report.runs[f"static_{page}"].append(await measure(
                                http, static_url + paths[page], requests, concurrency))
                            report.runs[page].append(await measure(
                                http, app_url + paths[page], requests, concurrency))
        finally:
            read_lane.dispose()
            await engine.dispose()
    return report


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reply_page", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="requests per round and page")
    parser.add_argument("--concurrency", type=int, default=8, help="client workers")
    parser.add_argument("--repeats", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--no-cache", action="store_true",
                        help="render every request from the database (the pages' cold path)")
    options = parser.parse_args(argv)
    if options.requests < 10 or options.concurrency < 1 or options.repeats < 1:
        parser.error("--requests must be at least 10, --concurrency and --repeats at least 1")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        cache_seconds = 0.0 if options.no_cache else DEFAULT_TTL_SECONDS
        report = asyncio.run(
            run(options.requests, options.concurrency, options.repeats, cache_seconds)
        )
    except (RuntimeError, AssertionError, aiohttp.ClientError) as error:
        print(f"benchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(report.as_json() if options.json else report.table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
