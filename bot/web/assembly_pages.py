"""The public page of a 주민총회 (`/assembly/<id>`) and its open data
(`/data/assembly/<id>.json`, `.csv`).

Before the count the page shows the agenda, the channels and how they are weighed: no number
leaves the system while people are still voting. Once counted, every item's result with each
channel's share, so anyone can redo the arithmetic; a counted result never changes, so its
page and files are cached like the other published pages.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.domain.assembly import Channel
from bot.domain.spreadsheet import excel_csv
from bot.i18n import Translator
from bot.rendering import assembly as texts
from bot.services import assembly
from bot.services.assembly import AssemblyView
from bot.web.pages import NOT_FOUND_TEXT, NOT_FOUND_TITLE, PAGES, PageState, html_response

PAGE_PATH = r"/assembly/{assembly_id:\d{1,9}}"
DATA_PATH = r"/data/assembly/{assembly_id:\d{1,9}}.{fmt:json|csv}"


def add_assembly_routes(app: web.Application) -> None:
    """After `add_page_routes` (the templates and the translator come from there)."""
    app.router.add_get(PAGE_PATH, assembly_page)
    app.router.add_get(DATA_PATH, assembly_data)


async def _load(state: PageState, assembly_id: int) -> AssemblyView | None:
    async with state.deps.reading_session() as session:
        return await assembly.assembly(session, assembly_id)


async def assembly_page(request: web.Request) -> web.Response:
    state = request.app[PAGES]
    assembly_id = int(request.match_info["assembly_id"])
    key = ("assembly", assembly_id)
    cached = state.cache.get(key)
    if cached is not None:
        return html_response(cached, 200)
    found = await _load(state, assembly_id)
    if found is None:
        body = state.templates.get_template("message.html").render(
            title=NOT_FOUND_TITLE, text=NOT_FOUND_TEXT)
        return html_response(body, 404)
    body = state.templates.get_template("assembly.html").render(**page_context(state.t, found))
    if found.result is not None:
        state.cache.put(key, 0, body)
    return html_response(body, 200)


def page_context(t: Translator, found: AssemblyView) -> dict[str, Any]:
    channels = found.weights.channels
    turnout = (found.result or {}).get("turnout", {})
    return {
        "a": found, "results": found.results, "how": texts.how_counted(t, found),
        "kind_label": lambda kind: t.gettext(texts.KIND_LABELS[kind]),
        "online": Channel.ONLINE in channels, "paper": Channel.PAPER in channels,
        "committee": Channel.COMMITTEE in channels,
        "turnout_online": turnout.get("online", 0),
        "turnout_places": list(zip(found.places, turnout.get("paper_by_place", []),
                                   strict=False)),
        "items": found.items, "number": texts.number_text,
        "online_from": t.day(t.local_day(found.online_opens_at))
        if found.online_opens_at else None,
        "onsite_day": t.day(found.onsite_day) if found.onsite_day else None,
    }


async def assembly_data(request: web.Request) -> web.Response:
    """The counted result as data; 404 until it is counted."""
    state = request.app[PAGES]
    assembly_id, fmt = int(request.match_info["assembly_id"]), request.match_info["fmt"]
    found = await _load(state, assembly_id)
    if found is None or found.result is None:
        raise web.HTTPNotFound()
    body = result_json(found) if fmt == "json" else result_csv(found)
    response = web.Response(body=body, charset="utf-8",
                            content_type="application/json" if fmt == "json" else "text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="assembly-{assembly_id}.{fmt}"')
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may fetch it
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def result_json(found: AssemblyView) -> bytes:
    data = {
        "id": found.id, "area": found.area, "title": found.title, "picks": found.picks,
        "weights": found.weights.as_json(), "budget": found.budget,
        "online_opens_at": _iso(found.online_opens_at),
        "online_closes_at": _iso(found.online_closes_at),
        "onsite_day": found.onsite_day.isoformat() if found.onsite_day else None,
        "places": list(found.places), "counted_at": _iso(found.counted_at),
        **(found.result or {}),
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


CSV_HEADER = ("rank", "number", "kind", "title", "cost", "online", "paper", "committee",
              "resident_points", "total", "chosen")


def result_csv(found: AssemblyView) -> bytes:
    places = [f"paper: {name}" for name in found.places]
    rows = [(r["rank"], r["number"], r["kind"], r["title"], r["cost"], r["online"], r["paper"],
             r["committee"], r["resident_points"], r["total"], r["chosen"],
             *r["paper_by_place"]) for r in found.results]
    return excel_csv((*CSV_HEADER, *places), rows)
