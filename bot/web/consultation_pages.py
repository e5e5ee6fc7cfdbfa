"""The public page of a 「구가 묻습니다」 consultation (`/consultation/<id>`): its background,
the arguments on each side, who it asks and until when, the opinions; after the close, the
votes per option, and the department's response on the proposal page it leads to."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.domain.consultations import Audience
from bot.i18n import N_, Translator
from bot.services import consultations
from bot.services.consultations import ConsultationView
from bot.web.pages import NOT_FOUND_TEXT, NOT_FOUND_TITLE, PAGES, html_response

PAGE_PATH = r"/consultation/{consultation_id:\d{1,9}}"
AUDIENCES = {
    Audience.EVERYONE: N_("Everyone"),
    Audience.VERIFIED: N_("Verified residents"),
    Audience.AREA: N_("Verified residents of {value}"),
    Audience.CATEGORY: N_("Residents following proposals on {value}"),
}


def add_consultation_routes(app: web.Application) -> None:
    """After `add_page_routes` (the templates and the translator come from there)."""
    app.router.add_get(PAGE_PATH, consultation_page)


async def consultation_page(request: web.Request) -> web.Response:
    state = request.app[PAGES]
    consultation_id = int(request.match_info["consultation_id"])
    async with state.deps.reading_session() as session:
        found = await consultations.view(session, consultation_id)
        voters = await consultations.participants(session, consultation_id) if found else 0
        said = await consultations.opinions(session, consultation_id) if found else []
    if found is None or found.state == consultations.SCHEDULED:
        body = state.templates.get_template("message.html").render(
            title=NOT_FOUND_TITLE, text=NOT_FOUND_TEXT)
        return html_response(body, 404)
    body = state.templates.get_template("consultation.html").render(
        **page_context(state.t, found, voters, said))
    return html_response(body, 200)


def page_context(
    t: Translator, found: ConsultationView, voters: int, said: list[tuple[int, str, Any]]
) -> dict[str, Any]:
    total = sum(found.result or ())
    results = [(option, votes, round(100 * votes / total) if total else 0)
               for option, votes in zip(found.options, found.result or (), strict=False)]
    return {
        "c": found, "voters": voters, "results": results,
        "arguments": [(o, a) for o, a in zip(found.options, found.arguments, strict=True) if a],
        "opinions": [(found.options[choice], text, at) for choice, text, at in said
                     if 0 <= choice < len(found.options)],
        "audience": t.gettext(AUDIENCES[found.audience]).format(value=found.audience_value),
        "until": t.deadline(found.closes_at), "closed": found.state == consultations.CLOSED,
    }
