"""Open data: the exports hold no personal data, and the /data and /stats pages answer.

The dataset of tests/test_stats_services.py is used: its residents have Telegram ids like
987654321 and a phone number inside a proposal, an answer and an opinion.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Runtime
from bot.db.models import User
from bot.domain.spreadsheet import BOM
from bot.rendering.exports import dataset_csv, dataset_json
from bot.services.exports import Dataset, export
from tests.conftest import START
from tests.integration.test_stats_services import PHONE, TELEGRAM_IDS, build_dataset

PERSONAL = (PHONE, "01012345678", "김주무관", "숨김 제목", "숨김 내용", "숨긴 의견",
            *(str(tid) for tid in TELEGRAM_IDS))


def assert_no_personal_data(text: str) -> None:
    for secret in PERSONAL:
        assert secret not in text, secret
    assert "user_id" not in text and "telegram" not in text and "author" not in text


@pytest.mark.parametrize("dataset", list(Dataset))
async def test_exports_contain_no_personal_data(
    sessionmaker: async_sessionmaker[AsyncSession], dataset: Dataset,
) -> None:
    async with sessionmaker() as session, session.begin():
        await build_dataset(session)
    async with sessionmaker() as session:
        records = await export(session, dataset, now=START)
        user_ids = list(await session.scalars(select(User.id)))
    assert records
    as_csv = dataset_csv(dataset, records).decode("utf-8")
    as_json = dataset_json(dataset, records, "2026-11-24T06:00:00+00:00").decode("utf-8")
    assert as_csv.startswith(BOM)
    for text in (as_csv, as_json):
        assert_no_personal_data(text)
    assert json.loads(as_json)["records"] == json.loads(json.dumps(records))
    assert len(user_ids) == 4


async def test_proposals_export_masks_texts_and_marks_hidden_ones(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await build_dataset(session)
    async with sessionmaker() as session:
        records = await export(session, Dataset.PROPOSALS, now=START)
        rounds = await export(session, Dataset.ROUNDS, now=START)
        debates = await export(session, Dataset.DEBATES, now=START)
    hidden = [r for r in records if r["hidden"]]
    assert len(records) == 6 and len(hidden) == 1
    assert hidden[0]["title"] == "" and hidden[0]["problem"] == ""
    lamp = next(r for r in records if r["title"] == "골목 가로등")
    assert "010-****-****" in lamp["problem"]
    rows = list(csv.DictReader(io.StringIO(
        dataset_csv(Dataset.PROPOSALS, records).decode("utf-8").removeprefix(BOM))))
    assert [row["id"] for row in rows] == [str(r["id"]) for r in records]
    assert [r["phase"] for r in rounds] == ["published", "voting"]  # not the one in preparation
    assert rounds[0]["eligible"] == 10 and rounds[1]["eligible"] is None
    assert debates[0]["top_opinions"]["against"] == []  # a hidden opinion is never quoted


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(runtime.web_app())) as client:
        yield client


async def test_open_data_endpoints_and_the_stats_page_respond(
    web: TestClient, runtime: Runtime,
) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        await build_dataset(session)
    index = await web.get("/data")
    assert index.status == 200 and "/data/proposals.csv" in await index.text()
    for dataset in Dataset:
        response = await web.get(f"/data/{dataset.value}.csv")
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert f"gonggam-{dataset.value}-" in response.headers["Content-Disposition"]
        body = (await response.read()).decode("utf-8")
        assert body.startswith(BOM)
        assert_no_personal_data(body)
        response = await web.get(f"/data/{dataset.value}.json")
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert_no_personal_data(await response.text())
        assert (await response.json())["dataset"] == dataset.value
    assert (await web.get("/data/users.csv")).status == 404
    assert (await web.get("/data/proposals.xml")).status == 404
    page = await web.get("/stats")
    text = await page.text()
    assert page.status == 200 and "/stats/weekly.png" in text
    assert "2026 주민참여예산" in text and "30.0%" in text
    assert "부서별 답변" in text and "<td>도로과</td>" in text and ">100%</td>" in text
    departments = await (await web.get("/data/departments.json")).json()
    assert departments["records"][0] == {
        "department": "교통행정과", "answered": 1, "on_time": 0, "on_time_percent": 0.0,
        "overdue_now": 1, "interim_answers": 1}
    chart = await web.get("/stats/weekly.png")
    assert chart.status == 200 and chart.headers["Content-Type"] == "image/png"
    assert (await chart.read()).startswith(b"\x89PNG")
