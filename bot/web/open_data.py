"""Public statistics (`/stats`, `/stats/weekly.png`), the yearly 이행상황 report
(`/report/<year>`, its charts `/report/<year>/<chart>.png`) and open data (`/data`,
`/data/<name>.<fmt>`, the report's figures `/data/report/<year>.<fmt>`, and each 주민자치회
lottery's announcement and record: `/data/council/<call>/<file>.json`).

Everything here is public and the same for every visitor, so a rendered copy is kept for
`OPEN_DATA_CACHE_SECONDS` (the numbers move slowly; a shared link must not recompute them per
visitor). The files carry no personal data (see `bot.services.exports`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import jinja2
from aiohttp import web

from bot.domain.yearly_report import FIRST_YEAR, LAST_YEAR, YearlyReport, report_year
from bot.i18n import DEFAULT_LANGUAGE, N_, Translator
from bot.rendering import exports as files
from bot.rendering import yearly_report as report_texts
from bot.rendering.stats_chart import weekly_chart_png
from bot.services import council_draw
from bot.services.exports import Dataset, export
from bot.services.stats import Stats, compute_stats
from bot.services.yearly_report import report_years, yearly_report
from bot.web.cache import PageCache
from bot.web.pages import PageDeps, build_templates

OPEN_DATA_CACHE_SECONDS = 60.0
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json"}
DATASET_LABELS: dict[Dataset, str] = {
    Dataset.PROPOSALS: N_("Proposals (status, 공감, deadlines)"),
    Dataset.ANSWERS: N_("Department answers"),
    Dataset.DEBATES: N_("Debate summaries"),
    Dataset.ROUNDS: N_("Participatory budget rounds and results"),
    Dataset.DEPARTMENTS: N_("Answers by department (answered, on time, overdue, interim)"),
}


@dataclass(frozen=True)
class OpenDataState:
    deps: PageDeps
    templates: jinja2.Environment
    t: Translator
    cache: PageCache


OPEN_DATA = web.AppKey("open_data", OpenDataState)


def add_open_data_routes(app: web.Application, deps: PageDeps) -> None:
    translator = deps.i18n.get(DEFAULT_LANGUAGE)
    app[OPEN_DATA] = OpenDataState(
        deps, build_templates(translator, deps.settings), translator,
        PageCache(OPEN_DATA_CACHE_SECONDS if deps.cache_seconds > 0 else 0),
    )
    app.router.add_get("/stats", stats_page)
    app.router.add_get("/stats/weekly.png", weekly_chart)
    app.router.add_get("/report", this_years_report)
    app.router.add_get("/report/{year}", report_page)
    charts = "|".join(report_texts.CHART_NAMES)
    app.router.add_get(f"/report/{{year}}/{{chart:{charts}}}.png", report_chart)
    app.router.add_get("/data", data_index)
    app.router.add_get("/data/report/{year}.{fmt:csv|json}", report_file)
    app.router.add_get(r"/data/{dataset:[a-z]+}.{fmt:csv|json}", data_file)
    app.router.add_get(r"/data/council/{call:\d{1,9}}/{name:announcement|record}.json",
                       council_file)


async def _stats(state: OpenDataState) -> Stats:
    cached = state.cache.get("stats")
    if isinstance(cached, Stats):
        return cached
    async with state.deps.reading_session() as session:
        stats = await compute_stats(session, state.deps.clock.now(),
                                    state.deps.settings.policy.timezone)
    state.cache.put("stats", 0, stats)
    return stats


async def stats_page(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    stats = await _stats(state)
    by_status = sorted(stats.by_status.items(), key=lambda item: -item[1])
    body = state.templates.get_template("stats.html").render(stats=stats, by_status=by_status)
    return _response(body.encode(), "text/html")


async def weekly_chart(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    cached = state.cache.get("weekly.png")
    png = cached if isinstance(cached, bytes) else await _drawn_weekly_chart(state)
    return _response(png, "image/png", charset=None)


async def _drawn_weekly_chart(state: OpenDataState) -> bytes:
    """Draw the chart (off the event loop: matplotlib is slow) and cache it."""
    stats = await _stats(state)
    png = await asyncio.to_thread(weekly_chart_png, state.t, stats.weeks)
    state.cache.put("weekly.png", 0, png)
    return png


async def data_index(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    datasets = [(d.value, state.t.gettext(label)) for d, label in DATASET_LABELS.items()]
    body = state.templates.get_template("data_index.html").render(
        datasets=datasets, report_years=await _report_years(state))
    return _response(body.encode(), "text/html")


async def _report_years(state: OpenDataState) -> list[int]:
    cached = state.cache.get("report_years")
    if isinstance(cached, list):
        return cached
    async with state.deps.reading_session() as session:
        years = await report_years(session, state.deps.clock.now(),
                                   state.deps.settings.policy.timezone)
    state.cache.put("report_years", 0, years)
    return years


# ----- the yearly 이행상황 report ------------------------------------------------------------

async def this_years_report(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    year = state.deps.clock.now().astimezone(state.deps.settings.policy.timezone).year
    raise web.HTTPFound(f"/report/{year}")


async def report_page(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    report = await _report(state, _year_of(request))
    t = state.t
    body = state.templates.get_template("report.html").render(
        report=report, first_year=FIRST_YEAR, last_year=LAST_YEAR,
        columns=[(column, t.gettext(label)) for column, label in report_texts.COLUMNS],
        cell_text=lambda figures, column: report_texts.cell_text(t, figures, column),
        department_name=lambda row: report_texts.department_name(t, row),
        area_name=lambda row: report_texts.area_name(t, row),
        percent_text=report_texts.percent_text,
    )
    return _response(body.encode(), "text/html")


async def report_chart(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    year, name = _year_of(request), request.match_info["chart"]
    key = ("report.png", year, name)
    cached = state.cache.get(key)
    if isinstance(cached, bytes):
        return _response(cached, "image/png", charset=None)
    report = await _report(state, year)
    # off the event loop: matplotlib is slow
    png = await asyncio.to_thread(report_texts.chart_png, state.t, report, name)
    state.cache.put(key, 0, png)
    return _response(png, "image/png", charset=None)


async def report_file(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    year, fmt = _year_of(request), request.match_info["fmt"]
    report = await _report(state, year)
    data = (report_texts.report_csv(report) if fmt == "csv"
            else report_texts.report_json(report))
    response = _response(data, CONTENT_TYPES[fmt])
    name = report_texts.report_file_name(year, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may fetch it
    return response


def _year_of(request: web.Request) -> int:
    """The year in the path; 404 for anything but a year from 2000 to 2100."""
    year = report_year(request.match_info["year"])
    if year is None:
        raise web.HTTPNotFound()
    return year


async def _report(state: OpenDataState, year: int) -> YearlyReport:
    """The year's report, read once per `OPEN_DATA_CACHE_SECONDS` for the page, its charts
    and its files alike (so they show the same figures)."""
    cached = state.cache.get(("report", year))
    if isinstance(cached, YearlyReport):
        return cached
    async with state.deps.reading_session() as session:
        report = await yearly_report(session, year, state.deps.clock.now(),
                                     state.deps.settings.policy.timezone)
    state.cache.put(("report", year), 0, report)
    return report


async def data_file(request: web.Request) -> web.Response:
    state = request.app[OPEN_DATA]
    try:
        dataset = Dataset(request.match_info["dataset"])
    except ValueError:
        raise web.HTTPNotFound() from None
    fmt = request.match_info["fmt"]
    key = f"{dataset.value}.{fmt}"
    cached = state.cache.get(key)
    if isinstance(cached, tuple):
        data, name = cached
    else:
        now = state.deps.clock.now()
        generated_at = now.isoformat()
        async with state.deps.reading_session() as session:
            records = await export(session, dataset, now=now)
        data = (files.dataset_csv(dataset, records) if fmt == "csv"
                else files.dataset_json(dataset, records, generated_at))
        name = files.file_name(dataset, fmt, generated_at)
        state.cache.put(key, 0, (data, name))
    response = _response(data, CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may fetch it
    return response


async def council_file(request: web.Request) -> web.Response:
    """A lottery's announcement (published before the draw: no secret in it) or its record
    (after the draw: the secret revealed, for `python -m bot sortition verify`)."""
    state = request.app[OPEN_DATA]
    call, name = int(request.match_info["call"]), request.match_info["name"]
    key = f"council:{call}:{name}"
    body = state.cache.get(key)
    if not isinstance(body, bytes):  # once written, neither file ever changes
        async with state.deps.reading_session() as session:
            announcement, record = await council_draw.prepared_files(session, call)
        data = announcement if name == "announcement" else record
        if data is None:
            raise web.HTTPNotFound()
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        state.cache.put(key, 0, body)
    response = _response(body, CONTENT_TYPES["json"])
    response.headers["Content-Disposition"] = f'attachment; filename="council-{call}-{name}.json"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _response(body: bytes, content_type: str, charset: str | None = "utf-8") -> web.Response:
    response = web.Response(body=body, content_type=content_type, charset=charset)
    response.headers["Cache-Control"] = f"public, max-age={int(OPEN_DATA_CACHE_SECONDS)}"
    return response
