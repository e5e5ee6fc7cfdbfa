"""Files the bot sent, served to the chat page: images to show, other documents to download.

Telegram clients show a photo as a picture. The page does the same from
``/sandbox/files/<file_id>``: uploaded bytes as they were uploaded, and a photo sent by URL
fetched from that URL the first time it is shown (Telegram fetches it too). Only real images
are served as images; anything else is an attachment, so that a document the bot sends (an
HTML page, say) never runs on the page's origin.
"""

from __future__ import annotations

from urllib.parse import quote

import aiohttp
from aiohttp import web

from sandbox.state import SandboxFile

FILES_PATH = "/sandbox/files/"
FETCH_TIMEOUT_SECONDS = 10.0
MAX_FETCHED_BYTES = 10 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # what Telegram takes as a photo
IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
IMAGE_NAME_ENDINGS = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def file_url(stored: SandboxFile) -> str:
    return FILES_PATH + quote(stored.file_id, safe="")


def looks_like_image(stored: SandboxFile) -> bool:
    """Whether the page should try to show the file as a picture."""
    if stored.kind == "photo" or (stored.mime_type or "").startswith("image/"):
        return True
    return (stored.file_name or "").lower().endswith(IMAGE_NAME_ENDINGS)


def image_type(data: bytes) -> str | None:
    """The image content type the bytes begin with, or None for anything else."""
    for signature, content_type in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def file_bytes(stored: SandboxFile) -> bytes:
    """The stored bytes; for a file sent by URL, what the URL answers (kept after once)."""
    if stored.data or stored.url is None:
        return stored.data
    try:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(
            stored.url
        ) as response:
            if response.status != 200:
                raise web.HTTPBadGateway(text=f"{stored.url} answered {response.status}")
            stored.data = await response.content.read(MAX_FETCHED_BYTES)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise web.HTTPBadGateway(text=f"can't fetch {stored.url}: {error!r}") from None
    return stored.data


def file_response(stored: SandboxFile, data: bytes) -> web.Response:
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"}
    content_type = image_type(data)
    if content_type is None:
        content_type = "application/octet-stream"
        name = stored.file_name or stored.file_id
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return web.Response(body=data, content_type=content_type, headers=headers)
