"""The public page of a participatory-budget round (`/budget/<id>`) and its chart image.

Before the results are published the page shows the round and its projects only: counts
never leave the system while people are still voting. Published results never change, so
the chart is drawn once per round and process and kept (a worker thread draws it, so a slow
matplotlib never blocks the event loop).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.db.models import RoundPhase
from bot.domain.pb.reasons import Unfunded
from bot.i18n import N_, Translator
from bot.rendering import budget as texts
from bot.rendering.charts import horizontal_bars_png
from bot.services.budget import RoundPage, load_round_page
from bot.web.pages import NOT_FOUND_TEXT, NOT_FOUND_TITLE, PAGES, PageState, html_response

ROUND_PATH = r"/budget/{round_id:\d{1,9}}"
CHART_CACHE_SIZE = 32
PHASE_TEXTS: dict[str, str] = {
    RoundPhase.PREPARING: N_("Voting has not started yet."),
    RoundPhase.VOTING: N_("Voting is open. Vote in the 공감 Telegram bot with /budget."),
    RoundPhase.COUNTING: N_("Voting has closed. The votes are being counted."),
}


@dataclass
class ChartCache:
    """PNG bytes of published rounds (their results never change), newest kept."""

    size: int = CHART_CACHE_SIZE
    charts: OrderedDict[int, bytes] = field(default_factory=OrderedDict)

    def get(self, round_id: int) -> bytes | None:
        return self.charts.get(round_id)

    def put(self, round_id: int, png: bytes) -> None:
        self.charts[round_id] = png
        while len(self.charts) > self.size:
            self.charts.popitem(last=False)


CHARTS = web.AppKey("budget_charts", ChartCache)


def add_budget_routes(app: web.Application) -> None:
    """After `add_page_routes` (the templates and the translator come from there)."""
    app[CHARTS] = ChartCache()
    app.router.add_get(ROUND_PATH, round_page)
    app.router.add_get(ROUND_PATH + "/chart.png", round_chart)


async def _load(state: PageState, request: web.Request) -> RoundPage | None:
    async with state.deps.reading_session() as session:
        return await load_round_page(session, int(request.match_info["round_id"]))


async def round_page(request: web.Request) -> web.Response:
    """A shared results link brings many visitors at once: a rendered copy of published results
    (which never change) is kept for a moment; a round still in progress is always fresh."""
    state = request.app[PAGES]
    key = ("budget", int(request.match_info["round_id"]))
    cached = state.cache.get(key)
    if cached is not None:
        return html_response(cached, 200)
    page = await _load(state, request)
    if page is None:
        return _html(state, "message.html", 404, title=NOT_FOUND_TITLE, text=NOT_FOUND_TEXT)
    response = _html(state, "budget_round.html", 200, **page_context(state.t, page))
    if page.results is not None:
        state.cache.put(key, 0, response.text)
    return response


def page_context(t: Translator, page: RoundPage) -> dict[str, Any]:
    results = page.results
    context: dict[str, Any] = {
        "page": page, "results": results,
        "phase_label": lambda phase: t.gettext(texts.PHASES[phase]),
        "phase_text": t.gettext(PHASE_TEXTS[page.phase]) if page.phase in PHASE_TEXTS else "",
        "rule_label": lambda rule: texts.rule_label(t, rule),
        "tie_break_label": lambda tie: texts.tie_break_label(t, tie),
    }
    if results is not None:
        points = results.get("ballot_type") == "cumulative"
        budget = int(results["budget"])
        context |= {
            "used_percent": round(100 * int(results["total_cost"]) / budget) if budget else 0,
            "turnout": texts.turnout_text(t, int(results["ballots"]), int(results["eligible"])),
            "score_text": lambda p: _score(t, p, points),
            "reason_text": lambda p: _reason(t, p),
        }
    return context


def _reason(t: Translator, project: dict[str, Any]) -> str:
    """Why a project was not funded; results counted before reasons know only low support."""
    if "reason" in project:
        return texts.unfunded_reason(t, project["reason"], project["left"])
    return "" if project["supported"] else t.gettext(texts.REASONS[Unfunded.LOW_SUPPORT])


def _score(t: Translator, project: dict[str, Any], points: bool) -> str:
    if points:
        return t.ngettext("{n} point", "{n} points", project["points"]).format(n=project["points"])
    return t.ngettext("{n} vote", "{n} votes", project["votes"]).format(n=project["votes"])


async def round_chart(request: web.Request) -> web.Response:
    state = request.app[PAGES]
    round_id = int(request.match_info["round_id"])
    charts = request.app[CHARTS]
    png = charts.get(round_id)
    if png is None:
        page = await _load(state, request)
        if page is None or page.results is None:
            raise web.HTTPNotFound()
        chart = texts.results_chart(state.t, page.name, page.results)
        png = await asyncio.to_thread(horizontal_bars_png, chart)
        charts.put(round_id, png)
    response = web.Response(body=png, content_type="image/png")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _html(state: PageState, name: str, status: int, **context: Any) -> web.Response:
    return html_response(state.templates.get_template(name).render(**context), status)


