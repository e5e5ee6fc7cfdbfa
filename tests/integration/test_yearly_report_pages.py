"""The yearly report's page, charts and open-data files, served by aiohttp on both databases,
over the dataset of the report's service tests."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.domain.deadlines import BusinessCalendar
from bot.i18n import I18n
from bot.settings import Settings
from bot.web.app import secure_application
from bot.web.open_data import add_open_data_routes
from bot.web.pages import PageDeps, add_page_routes
from tests.integration.test_yearly_report_services import build_year

# Sessions one at a time through `sessionmaker`: rolled back on PostgreSQL, not truncated.
pytestmark = pytest.mark.rollback

SETTINGS = Settings(secret_key="k" * 64, public_base_url="http://gonggam.test")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> AsyncIterator[TestClient]:
    async with sessionmaker() as session, session.begin():
        await build_year(session)
    app = secure_application(SETTINGS)
    deps = PageDeps(sessionmaker, SETTINGS, clock, I18n(), BusinessCalendar(),
                    lambda *targets: None)
    add_page_routes(app, deps)
    add_open_data_routes(app, deps)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def text_of(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path, allow_redirects=False)
    assert response.status == status, path
    return await response.text()


def figure(page: str, name: str) -> str:
    """The big number of the figure `name` on the page."""
    after = page.split(f'id="{name}"', 1)[1]
    return after.split("<dd", 1)[1].split(">", 1)[1].split("</dd>", 1)[0]


async def test_the_page_shows_the_years_figures_tables_and_charts(client: TestClient) -> None:
    page = await text_of(client, "/report/2026")
    assert [figure(page, name) for name in
            ("received", "answered", "accepted", "implemented", "overdue")] == [
        "6", "3", "2", "1", "2"]
    assert "(67%)" in page.split('id="answered"', 1)[1].split("</div>", 1)[0]
    assert page.count('class="table-wrap"') == 2
    for chart in ("departments", "answers", "areas"):
        assert f'src="/report/2026/{chart}.png"' in page
    departments = page.split('id="departments"', 1)[1].split("</table>", 1)[0]
    assert departments.index("공원녹지과") < departments.index("도로과")
    assert "173,450,000" not in page  # amounts are written the Korean way, not as raw won
    assert 'href="/data/report/2026.csv"' in page and 'href="/data/report/2026.json"' in page


@pytest.mark.parametrize("chart", ["departments", "answers", "areas"])
async def test_each_chart_is_a_png(client: TestClient, chart: str) -> None:
    response = await client.get(f"/report/2026/{chart}.png")
    assert response.status == 200 and response.content_type == "image/png"
    assert (await response.read()).startswith(PNG)


async def test_a_year_without_proposals_says_so_politely(client: TestClient) -> None:
    page = await text_of(client, "/report/2031")
    assert 'class="card empty"' in page and "table-wrap" not in page
    assert (await client.get("/report/2031/answers.png")).status == 200


@pytest.mark.parametrize("path", [
    "/report/1999", "/report/2101", "/report/abc", "/report/2026x", "/report/1999/areas.png",
    "/report/2026/other.png", "/data/report/20261.json", "/data/report/abc.csv",
])
async def test_anything_but_a_year_from_2000_to_2100_is_not_found(
    client: TestClient, path: str
) -> None:
    assert (await client.get(path)).status == 404


async def test_report_without_a_year_goes_to_this_year(client: TestClient) -> None:
    response = await client.get("/report", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/report/2026"


async def test_the_open_data_carry_the_same_figures(client: TestClient) -> None:
    response = await client.get("/data/report/2026.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = json.loads(await response.text())
    assert data["year"] == 2026
    overall = data["overall"]
    assert (overall["received"], overall["online"], overall["offline"], overall["district"]) \
        == (6, 4, 2, 1)
    assert (overall["answered"], overall["answered_on_time"], overall["answered_late"],
            overall["on_time_percent"]) == (3, 2, 1, 67)
    assert (overall["accepted"], overall["implemented"], overall["implemented_percent"]) \
        == (2, 1, 50)
    assert (overall["overdue_answers"], overall["late_steps"]) == (1, 1)
    assert (overall["budget_promised_krw"], overall["budget_spent_krw"]) \
        == (173_450_000, 123_450_000)
    assert [row["department"] for row in data["departments"]] == ["공원녹지과", "도로과", None]
    assert [row["area"] for row in data["areas"]] == ["구로1동", "신도림동", None]


async def test_the_csv_has_a_row_for_the_year_and_each_group(client: TestClient) -> None:
    response = await client.get("/data/report/2026.csv")
    assert 'filename="gonggam-yearly-report-2026.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert [(row["group"], row["name"], row["received"]) for row in rows] == [
        ("overall", "", "6"), ("department", "공원녹지과", "2"), ("department", "도로과", "2"),
        ("department", "", "2"), ("area", "구로1동", "2"), ("area", "신도림동", "2"),
        ("area", "", "2")]
    roads = rows[2]
    assert (roads["budget_promised_krw"], roads["budget_spent_krw"]) == ("173450000",
                                                                         "123450000")


async def test_the_data_index_lists_each_years_report(client: TestClient) -> None:
    page = await text_of(client, "/data")
    for year in (2026, 2025):
        assert f'href="/report/{year}"' in page
        assert f'href="/data/report/{year}.csv"' in page


KO = I18n().get("ko")
MERGED = KO.gettext("Implementation report {year}") != "Implementation report {year}"


@pytest.mark.skipif(not MERGED, reason="run after merging /tmp/report_ko.py into the catalogs")
async def test_korean_texts_after_the_catalog_merge(client: TestClient) -> None:
    """The one test that reads the page's Korean words (the others read numbers)."""
    page = await text_of(client, "/report/2026")
    assert "2026년 제안 이행상황" in page
    assert "1억 7,345만 원" in page and "1억 2,345만 원" in page
    assert "배정 전" in page and "동 미지정" in page
    assert "한국 시간" in page
    empty = await text_of(client, "/report/2031")
    assert "2031년에 접수된 제안이 없어요." in empty
