"""Files the bot sends, served to the chat page: pictures as images, the rest as downloads."""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InputFile

from sandbox import SandboxServer, SandboxState

RESIDENT_ID = 1001
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def resident(state: SandboxState) -> int:
    state.add_user(RESIDENT_ID, "민지")
    return RESIDENT_ID


@pytest.fixture
async def chart_site() -> AsyncIterator[tuple[str, list[str]]]:
    """A web server with a chart at ``/chart.png``; yields its address and the paths asked."""
    asked: list[str] = []

    async def chart(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.Response(body=PNG, content_type="image/png")

    app = web.Application()
    app.router.add_get("/chart.png", chart)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", asked
    finally:
        await runner.cleanup()


async def page_file(server: SandboxServer, http: aiohttp.ClientSession) -> dict[str, Any]:
    """The file of the newest message, as the chat page gets it."""
    async with http.get(f"{server.url}/sandbox/api/chats/{RESIDENT_ID}/messages") as response:
        messages = (await response.json())["messages"]
    file: dict[str, Any] = messages[-1]["file"]
    return file


async def test_an_uploaded_photo_is_served_as_an_image(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, resident: int
) -> None:
    await bot.send_photo(resident, InputFile(PNG, filename="weekly.png"), caption="차트")

    file = await page_file(server, http)
    async with http.get(server.url + file["url"]) as response:
        body = await response.read()

    assert file["image"] is True and file["url"].startswith("/sandbox/files/")
    assert response.status == 200 and response.content_type == "image/png"
    assert body == PNG
    assert "Content-Disposition" not in response.headers


async def test_a_photo_sent_by_url_is_fetched_once_when_first_shown(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, resident: int,
    chart_site: tuple[str, list[str]],
) -> None:
    base, asked = chart_site
    await bot.send_photo(resident, f"{base}/chart.png", caption="결과")
    assert asked == [], "sending does not fetch: the page asks for the picture when it shows it"

    file = await page_file(server, http)
    for _ in range(2):
        async with http.get(server.url + file["url"]) as response:
            assert response.status == 200 and response.content_type == "image/png"
            assert await response.read() == PNG

    assert file["image"] is True and asked == ["/chart.png"]


async def test_an_unreachable_photo_url_is_a_bad_gateway(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, resident: int,
    chart_site: tuple[str, list[str]],
) -> None:
    base, _ = chart_site
    await bot.send_photo(resident, f"{base}/missing.png")

    file = await page_file(server, http)
    async with http.get(server.url + file["url"]) as response:
        assert response.status == 502


async def test_a_document_is_a_download_never_a_page(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, resident: int
) -> None:
    html = b"<script>alert(1)</script>"
    await bot.send_document(resident, InputFile(html, filename="인증코드.html"))

    file = await page_file(server, http)
    async with http.get(server.url + file["url"]) as response:
        body = await response.read()

    assert file["image"] is False and file["name"] == "인증코드.html"
    assert response.content_type == "application/octet-stream" and body == html
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_an_unknown_file_is_not_found(
    server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(server.url + "/sandbox/files/SANDBOX-FILE-999") as response:
        assert response.status == 404


async def post_photo(
    server: SandboxServer, http: aiohttp.ClientSession, data: bytes, caption: str = ""
) -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    form.add_field("user_id", str(RESIDENT_ID))
    form.add_field("caption", caption)
    form.add_field("photo", data, filename="골목.png", content_type="image/png")
    async with http.post(server.url + "/sandbox/api/photo", data=form) as response:
        await response.read()
        return response


async def test_a_resident_sends_a_photo_from_the_page(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, resident: int
) -> None:
    sent = await post_photo(server, http, PNG, caption="어두운 골목")

    [update] = await bot.get_updates()
    file = await page_file(server, http)
    async with http.get(server.url + file["url"]) as response:
        body = await response.read()

    assert sent.status == 200
    assert update.message is not None and update.message.caption == "어두운 골목"
    assert update.message.photo and update.message.photo[-1].file_size == len(PNG)
    assert file["image"] is True and body == PNG
    resent = await bot.send_photo(resident, update.message.photo[-1].file_id)
    assert resent.photo[-1].file_id == update.message.photo[-1].file_id


async def test_a_resident_can_send_only_pictures_as_photos(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, resident: int
) -> None:
    refused = await post_photo(server, http, b"%PDF-1.4 not a picture")

    assert refused.status == 400
    assert await bot.get_updates() == ()
