"""Fixtures for the browser tests: the sandbox server, the real bot and a headless Chromium.

The browser is Debian's Chromium (Playwright's own browser download is not used): set
``CHROMIUM_PATH`` to point elsewhere. Without a Chromium binary these tests skip, saying why.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.serving import SandboxTimeTravel
from sandbox import SandboxServer, SandboxState
from tests.support.databases import sqlite_copy
from tests.support.harness import running_bot, settings_for

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, Page, ViewportSize

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# 2026-11-24 15:00 KST, a Tuesday afternoon: far from midnight, so the shown date is stable.
SANDBOX_START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SMALL_PHONE: ViewportSize = {"width": 360, "height": 640}
WIDTHS: tuple[tuple[str, ViewportSize], ...] = (
    ("360x640", SMALL_PHONE), ("phone", PHONE), ("desktop", DESKTOP))



@dataclass
class Sandbox:
    """The sandbox as `gonggam sandbox` runs it: server, flowing clock and the real bot."""

    server: SandboxServer
    clock: ShiftableClock
    runtime: Runtime

    @property
    def url(self) -> str:
        return self.server.url + "/"


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.skip(
            f"no Chromium binary at {path!r}: install Debian's chromium package "
            "or set CHROMIUM_PATH to a Chromium executable"
        )
    return path


@pytest.fixture
async def sandbox(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Sandbox]:
    """Wired like `bot.serving.sandbox`: time flows; the time travel moves the bot's clock."""
    clock = ShiftableClock(SANDBOX_START)
    state = SandboxState(clock=lambda: clock.now().timestamp())
    async with SandboxServer(state, SandboxTimeTravel(clock)) as server:
        database_url = sqlite_copy(sqlite_template, tmp_path)
        async with running_bot(settings_for(database_url, server), clock) as runtime:
            yield Sandbox(server, clock, runtime)


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    playwright_api = pytest.importorskip(
        "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
    )
    async with playwright_api.async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving_web(
    database_url: str, sandbox_state: SandboxState, clock: ShiftableClock
) -> AsyncIterator[Runtime]:
    """The real bot with its web app on a free port, its public address pointing there."""
    async with SandboxServer(sandbox_state) as server:
        port = free_port()
        settings = settings_for(database_url, server, port=port,
                                public_base_url=f"http://127.0.0.1:{port}")
        async with running_bot(settings, clock, serve_web=True) as runtime:
            yield runtime


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[tuple[Page, list[str]]]:
    """A phone-sized Korean tab, and the console errors and page errors it collects."""
    context = await browser.new_context(viewport=PHONE, locale="ko-KR")
    tab = await context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield tab, problems
    finally:
        await context.close()


async def fits_the_screen(tab: Page) -> bool:
    """No sideways scrolling: the page is no wider than the viewport."""
    return bool(await tab.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


async def at_every_width(
    tab: Page, screenshot_dir: Path, name: str, visible: Locator | None = None
) -> None:
    """At a small phone's, a phone's and a desktop's width: no sideways scrolling, `visible`
    shown, and a full-page screenshot `<name>-<width>.png`."""
    expect = pytest.importorskip("playwright.async_api").expect
    for label, size in WIDTHS:
        await tab.set_viewport_size(size)
        assert await fits_the_screen(tab), f"{name} {label}"
        if visible is not None:
            await expect(visible).to_be_visible()
        await tab.screenshot(path=screenshot_dir / f"{name}-{label}.png", full_page=True)
