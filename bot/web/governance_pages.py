"""The 협치회의's public pages: `/hyeopchi` (members by role, meetings, 권고 and their
status) and `/hyeopchi/<meeting>` (the agenda, attendance and the quorum, each item's votes
by name and its outcome, the 권고, the minutes).

Everything the 조례 lets be public is here, individual votes included (a 회의록 names who
voted how). The reasons members give for an extraordinary meeting stay with the staff; the
page shows only how many requests are open. Nothing is cached: a meeting changes while it
sits, and the pages are small.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.domain.governance import Role
from bot.i18n import Translator
from bot.rendering import governance as texts
from bot.services import governance
from bot.web.pages import NOT_FOUND_TEXT, NOT_FOUND_TITLE, PAGES, PageState, html_response

OVERVIEW_PATH = "/hyeopchi"
MEETING_PATH = r"/hyeopchi/{meeting_id:\d{1,9}}"


def add_governance_routes(app: web.Application) -> None:
    """After `add_page_routes` (the templates and the translator come from there)."""
    app.router.add_get(OVERVIEW_PATH, overview_page)
    app.router.add_get(MEETING_PATH, meeting_page)


def _labels(t: Translator) -> dict[str, Any]:
    return {"role_label": lambda role: texts.role_label(t, role),
            "meeting_kind": lambda kind: texts.kind_label(t, kind),
            "choice_label": lambda choice: texts.choice_label(t, choice),
            "outcome_label": lambda outcome: texts.outcome_label(t, outcome)}


async def overview_page(request: web.Request) -> web.Response:
    state: PageState = request.app[PAGES]
    async with state.deps.reading_session() as session:
        found = await governance.overview(session)
    now = state.deps.clock.now()
    body = state.templates.get_template("governance.html").render(
        chairs=governance.names(found.members, Role.CHAIR),
        members=governance.names(found.members, Role.MEMBER), count=len(found.members),
        meetings=found.meetings, recommendations=found.recommendations, now=now,
        open_requests=found.open_requests, needed=found.needed, **_labels(state.t))
    return html_response(body, 200)


async def meeting_page(request: web.Request) -> web.Response:
    state: PageState = request.app[PAGES]
    async with state.deps.reading_session() as session:
        found = await governance.meeting_page(session, int(request.match_info["meeting_id"]))
    if found is None:
        body = state.templates.get_template("message.html").render(
            title=NOT_FOUND_TITLE, text=NOT_FOUND_TEXT)
        return html_response(body, 404)
    body = state.templates.get_template("governance_meeting.html").render(
        page=found, m_=found.meeting, now=state.deps.clock.now(), **_labels(state.t))
    return html_response(body, 200)
