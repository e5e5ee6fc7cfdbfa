"""The sandbox page's requests: a JSON object body, or 400."""

from __future__ import annotations

from aiohttp import web

from sandbox.state import JSONDict


async def json_object(request: web.Request) -> JSONDict:
    """The request's body as a JSON object; 400 for anything else."""
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON body expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return body
