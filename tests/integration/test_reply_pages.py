"""Department reply pages and the public proposal page, served by aiohttp on both databases."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from ipaddress import ip_network

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.db.models import Answer, Proposal, ReplyLink, User
from bot.domain.deadlines import BusinessCalendar, official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import I18n
from bot.rendering.labels import HIDDEN_TEXT, STATUS_LABELS
from bot.services.departments import (
    assign_department,
    create_department,
    hash_token,
    revoke_links,
)
from bot.services.wakes import Wake
from bot.settings import Settings
from bot.web import pages
from bot.web.app import secure_application
from bot.web.pages import PageDeps, add_page_routes
from bot.web.security import FormSigner
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.forms import forms_of
from tests.support.service_settings import review_start

ko = I18n().get("ko")
# Sessions one at a time through `sessionmaker`: rolled back on PostgreSQL, not truncated.
pytestmark = pytest.mark.rollback

SETTINGS = Settings(secret_key="k" * 64, public_base_url="http://gonggam.test")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass
class Scene:
    proposal_id: int
    token: str

    @property
    def url(self) -> str:
        return f"/r/{self.token}"


@dataclass
class Wakes:
    """The loops each commit woke, in order."""

    calls: list[frozenset[Wake]] = field(default_factory=list)

    def __call__(self, *targets: Wake) -> None:
        self.calls.append(frozenset(targets))


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@asynccontextmanager
async def serve_pages(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock, settings: Settings,
    wakes: Wakes | None = None,
) -> AsyncIterator[TestClient]:
    """The pages on an application with the production middlewares, for these settings."""
    app = secure_application(settings)
    deps = PageDeps(sessionmaker, settings, clock, I18n(), BusinessCalendar(), wakes or Wakes())
    add_page_routes(app, deps)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock, wakes: Wakes
) -> AsyncIterator[TestClient]:
    async with serve_pages(sessionmaker, clock, SETTINGS, wakes) as test_client:
        yield test_client


async def make_scene(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    status: ProposalStatus = ProposalStatus.UNDER_REVIEW,
    telegram_id: int = 7001,
    settings: Settings = SETTINGS,
    **overrides: object,
) -> Scene:
    values: dict[str, object] = {
        "status": status,
        "endorsement_count": 57,
        "review_due": official_deadline(START, 14, BusinessCalendar()),
    } | overrides
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, telegram_id, START)
        proposal = await make_proposal(session, author, START, **values)
        department = await create_department(session, name=f"도로과{telegram_id}", now=START)
        assigned = await assign_department(
            session, proposal.id, department, now=START, **review_start(settings), actor="test"
        )
    assert assigned.token is not None
    return Scene(proposal.id, assigned.token)


async def follow_as_author(sessionmaker: async_sessionmaker[AsyncSession], scene: Scene) -> None:
    async with sessionmaker() as session, session.begin():
        proposal = await session.get(Proposal, scene.proposal_id)
        assert proposal is not None
        author = await session.get(User, proposal.author_id)
        assert author is not None
        await follow(session, author, proposal, START)


async def answers_of(sessionmaker: async_sessionmaker[AsyncSession], proposal_id: int) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Answer).where(Answer.proposal_id == proposal_id)
        )
    return int(count or 0)


async def status_of(
    sessionmaker: async_sessionmaker[AsyncSession], proposal_id: int
) -> ProposalStatus:
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        return ProposalStatus(proposal.status)


async def preview(
    client: TestClient, scene: Scene, kind: str, fields: dict[str, str]
) -> tuple[int, str]:
    page = await (await client.get(scene.url)).text()
    hidden = forms_of(page)[f"form-{kind}"]
    response = await client.post(f"{scene.url}/preview", data=hidden | fields)
    return response.status, await response.text()


def confirm_data(preview_html: str, scene: Scene, action: str = "publish") -> dict[str, str]:
    return forms_of(preview_html)[f"/r/{scene.token}/publish"] | {"action": action}


FEASIBLE = {
    "decision": "feasible", "text": "현장 확인 결과 설치할 수 있어요.", "official_name": "김민수",
}


async def test_a_valid_link_shows_the_proposal_count_and_deadline(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker)
    response = await client.get(scene.url)
    body = await response.text()
    assert response.status == 200
    for part in ("공원 가로등 설치", "밤에 공원이 너무 어두워요.", "가로등을 설치해 주세요.",
                 "밤길이 안전해져요.", ko.gettext("{count} 공감").format(count=57)):
        assert part in body
    assert "D-14" in body and "12월 8일(화)" in body
    assert 'id="form-feasibility"' in body and 'id="form-interim"' in body
    assert 'id="form-final"' not in body and "<script" not in body


async def test_unknown_expired_revoked_and_malformed_tokens_look_the_same(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    revoked = await make_scene(sessionmaker, telegram_id=7001)
    expired = await make_scene(sessionmaker, telegram_id=7002)
    async with sessionmaker() as session, session.begin():
        await revoke_links(session, revoked.proposal_id, START, "test")
    await clock.advance(timedelta(days=SETTINGS.policy.reply_link_days, seconds=1))
    paths = [revoked.url, expired.url, f"/r/{secrets.token_urlsafe(32)}", "/r/short",
             "/r/%3Cscript%3E", "/r/" + "A" * 200]
    responses = [await client.get(path) for path in paths]
    bodies = {await response.text() for response in responses}
    assert {response.status for response in responses} == {404}
    assert len(bodies) == 1 and ko.gettext(pages.NOT_FOUND_TEXT) in bodies.pop()


async def test_proposal_text_is_escaped(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker, title=XSS[:110], problem=XSS)
    body = await (await client.get(scene.url)).text()
    assert "<script" not in body and "<img" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body


async def test_posts_without_a_valid_form_token_are_refused_and_save_nothing(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker)
    no_token = await client.post(f"{scene.url}/preview", data={"kind": "feasibility", **FEASIBLE})
    forged = await client.post(f"{scene.url}/publish", data={
        "kind": "feasibility", "confirm": "1.feasibility.x.9.y.z", "action": "publish", **FEASIBLE,
    })
    status, html = await preview(client, scene, "feasibility", FEASIBLE)
    tampered = confirm_data(html, scene) | {"text": "미리 보기와 다른 내용을 몰래 게시"}
    changed = await client.post(f"{scene.url}/publish", data=tampered)
    assert (no_token.status, forged.status, status, changed.status) == (403, 403, 200, 403)
    assert await answers_of(sessionmaker, scene.proposal_id) == 0


async def test_a_form_token_of_another_link_is_refused(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    mine = await make_scene(sessionmaker, telegram_id=7001)
    other = await make_scene(sessionmaker, telegram_id=7002)
    hidden = forms_of(await (await client.get(mine.url)).text())["form-feasibility"]
    response = await client.post(f"{other.url}/preview", data=hidden | FEASIBLE)
    assert response.status == 403


async def test_preview_then_publish_and_a_replay_changes_nothing(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession], wakes: Wakes
) -> None:
    scene = await make_scene(sessionmaker)
    await follow_as_author(sessionmaker, scene)  # so that the publish has someone to tell
    status, html = await preview(client, scene, "feasibility", FEASIBLE)
    assert status == 200 and "현장 확인 결과 설치할 수 있어요." in html
    assert ko.gettext("Publish") in html and ko.gettext("Edit") in html
    assert await answers_of(sessionmaker, scene.proposal_id) == 0
    data = confirm_data(html, scene)
    published = await client.post(f"{scene.url}/publish", data=data, allow_redirects=False)
    assert published.status == 303
    assert published.headers["Location"] == f"{scene.url}?published=feasibility"
    page = await (await client.get(published.headers["Location"])).text()
    assert ko.gettext(pages.PUBLISHED) in page and "김민수" in page
    replay = await client.post(f"{scene.url}/publish", data=data)
    assert replay.status == 409 and ko.gettext(pages.ALREADY_PUBLISHED) in await replay.text()
    assert await answers_of(sessionmaker, scene.proposal_id) == 1
    assert await status_of(sessionmaker, scene.proposal_id) is ProposalStatus.IN_DEBATE
    assert wakes.calls == [{Wake.TELEGRAM_OUTBOX}]  # once, by the publish, for its notices


async def test_edit_goes_back_to_the_form_with_the_values(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker)
    _, html = await preview(client, scene, "feasibility", FEASIBLE)
    response = await client.post(f"{scene.url}/publish", data=confirm_data(html, scene, "edit"))
    body = await response.text()
    assert response.status == 200 and 'value="김민수"' in body
    assert "현장 확인 결과 설치할 수 있어요.</textarea>" in body
    assert await answers_of(sessionmaker, scene.proposal_id) == 0


async def test_an_answer_to_a_proposal_that_moved_on_shows_its_state(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker)
    _, first = await preview(client, scene, "feasibility", FEASIBLE)
    not_feasible = FEASIBLE | {"decision": "not_feasible", "text": "예산과 부지가 없어 어려워요."}
    _, second = await preview(client, scene, "feasibility", not_feasible)
    await client.post(f"{scene.url}/publish", data=confirm_data(first, scene))
    late = await client.post(f"{scene.url}/publish", data=confirm_data(second, scene))
    body = await late.text()
    assert late.status == 409 and ko.gettext(pages.MOVED_ON) in body
    assert ko.gettext(STATUS_LABELS[ProposalStatus.IN_DEBATE]) in body
    assert await answers_of(sessionmaker, scene.proposal_id) == 1


async def test_invalid_fields_are_reshown_with_messages_next_to_them(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(
        sessionmaker, status=ProposalStatus.AWAITING_ANSWER, answer_due=START + timedelta(days=20)
    )
    fields = {"decision": "accepted", "text": "", "official_name": "이서연",
              "expected_completion": "2026-01-05", "budget": "많이"}
    status, body = await preview(client, scene, "final", fields)
    assert status == 422
    for code in ("required", "date_past", "budget_format"):
        assert ko.gettext(pages.ERROR_MESSAGES[code]) in body
    assert 'value="많이"' in body and 'value="2026-01-05"' in body and 'value="이서연"' in body
    assert 'aria-invalid="true"' in body
    assert await answers_of(sessionmaker, scene.proposal_id) == 0


async def test_a_final_answer_with_budget_and_date_is_previewed_in_korean_units(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(
        sessionmaker, status=ProposalStatus.AWAITING_ANSWER, answer_due=START + timedelta(days=20)
    )
    fields = {"decision": "accepted", "text": "내년 상반기에 가로등 4개를 설치하겠습니다.",
              "official_name": "이서연", "expected_completion": "2027-06-30", "budget": "1.2억"}
    status, html = await preview(client, scene, "final", fields)
    assert status == 200 and "1억 2,000만 원" in html and "2027년 6월 30일" in html
    published = await client.post(f"{scene.url}/publish", data=confirm_data(html, scene),
                                  allow_redirects=False)
    assert published.status == 303
    assert await status_of(sessionmaker, scene.proposal_id) is ProposalStatus.ANSWERED
    page = await (await client.get(scene.url)).text()
    assert 'id="form-progress"' in page and 'id="form-final"' not in page


def random_token() -> str:
    return secrets.token_urlsafe(32)


async def test_a_guesser_is_refused_while_the_valid_link_still_answers(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The peer is no trusted proxy: a changing X-Forwarded-For does not make new clients."""
    scene = await make_scene(sessionmaker)
    statuses = [
        (await client.get(f"/r/{random_token()}",
                          headers={"X-Forwarded-For": f"203.0.113.{n}"})).status
        for n in range(40)
    ]
    assert statuses[:30] == [404] * 30 and set(statuses[30:]) == {429}
    refused = await client.get(f"/r/{random_token()}")
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert ko.gettext(pages.RATE_LIMITED_TEXT) in await refused.text()
    page = await client.get(scene.url)
    assert page.status == 200
    status, _ = await preview(client, scene, "feasibility", FEASIBLE)
    assert status == 200
    forged = await client.post(f"/r/{random_token()}/preview", data={"kind": "feasibility"})
    assert forged.status == 429


async def test_behind_a_trusted_proxy_every_client_has_its_own_failure_limit(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    proxied = replace(SETTINGS, trusted_proxies=(ip_network("127.0.0.0/8"),))
    async with serve_pages(sessionmaker, clock, proxied) as proxy:
        async def guess(chain: str) -> int:
            response = await proxy.get(f"/r/{random_token()}", headers={"X-Forwarded-For": chain})
            return response.status

        guesser = [await guess(f"10.9.{n}.1, 203.0.113.7") for n in range(31)]
        neighbour = await guess("198.51.100.9")
    assert guesser[:30] == [404] * 30 and guesser[30] == 429  # the left part is the client's
    assert neighbour == 404


async def test_failures_on_one_token_do_not_touch_another_valid_token(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    revoked = await make_scene(sessionmaker, telegram_id=7001)
    valid = await make_scene(sessionmaker, telegram_id=7002)
    async with sessionmaker() as session, session.begin():
        await revoke_links(session, revoked.proposal_id, START, "test")
    proxied = replace(SETTINGS, trusted_proxies=(ip_network("127.0.0.1/32"),))
    async with serve_pages(sessionmaker, clock, proxied) as proxy:
        tries = [
            (await proxy.get(revoked.url, headers={"X-Forwarded-For": f"198.51.100.{n}"})).status
            for n in range(12)
        ]
        answered = await proxy.get(valid.url, headers={"X-Forwarded-For": "198.51.100.0"})
    limit = pages.PageDeps.token_failures_per_minute
    assert tries[:limit] == [404] * limit and set(tries[limit:]) == {429}
    assert answered.status == 200


OLD_KEY, NEW_KEY = "o" * 48, "n" * 48


async def test_a_link_issued_before_a_key_rotation_works_and_is_rehashed_on_use(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    before = replace(SETTINGS, secret_key=OLD_KEY)
    rotated = replace(SETTINGS, secret_key=NEW_KEY, secret_key_previous=OLD_KEY)
    after = replace(SETTINGS, secret_key=NEW_KEY)
    opened = await make_scene(sessionmaker, telegram_id=7001, settings=before)
    unopened = await make_scene(sessionmaker, telegram_id=7002, settings=before)
    async with serve_pages(sessionmaker, clock, rotated) as during:
        assert (await during.get(opened.url)).status == 200
    async with sessionmaker() as session:
        stored = set(await session.scalars(select(ReplyLink.token_hash)))
    assert hash_token(opened.token, NEW_KEY) in stored
    assert hash_token(unopened.token, OLD_KEY) in stored
    async with serve_pages(sessionmaker, clock, after) as later:
        assert (await later.get(opened.url)).status == 200
        assert (await later.get(unopened.url)).status == 404


async def test_a_form_signed_before_a_key_rotation_is_accepted_under_the_previous_key(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    rotated = replace(SETTINGS, secret_key=NEW_KEY, secret_key_previous=OLD_KEY)
    after = replace(SETTINGS, secret_key=NEW_KEY)
    scene = await make_scene(sessionmaker, settings=after)
    async with sessionmaker() as session:
        link_id = await session.scalar(select(ReplyLink.id))
    assert link_id is not None
    signed_before = FormSigner(OLD_KEY).issue(link_id, "feasibility", clock.now())
    hidden = {"kind": "feasibility", "csrf": signed_before}
    async with serve_pages(sessionmaker, clock, after) as dropped:
        refused = await dropped.post(f"{scene.url}/preview", data=hidden | FEASIBLE)
    async with serve_pages(sessionmaker, clock, rotated) as during:
        accepted = await during.post(f"{scene.url}/preview", data=hidden | FEASIBLE)
        confirm = confirm_data(await accepted.text(), scene)
        published = await during.post(f"{scene.url}/publish", data=confirm,
                                      allow_redirects=False)
    assert (refused.status, accepted.status, published.status) == (403, 200, 303)
    assert await answers_of(sessionmaker, scene.proposal_id) == 1


async def test_a_post_from_another_site_is_refused_politely_and_saves_nothing(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker)
    hidden = forms_of(await (await client.get(scene.url)).text())["form-feasibility"]
    url = f"{scene.url}/preview"
    foreign = await client.post(url, data=hidden | FEASIBLE,
                                headers={"Origin": "https://evil.example"})
    framed = await client.post(url, data=hidden | FEASIBLE,
                               headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"})
    body = await foreign.text()
    assert (foreign.status, framed.status) == (403, 403)
    assert ko.gettext(pages.CROSS_SITE_TEXT) in body and foreign.content_type == "text/html"
    assert foreign.headers["X-Frame-Options"] == "DENY"
    own = await client.post(url, data=hidden | FEASIBLE, headers={"Origin": "http://gonggam.test"})
    # Browsers send "null" from pages under Referrer-Policy: no-referrer (ours).
    no_referrer = await client.post(url, data=hidden | FEASIBLE,
                                     headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert (own.status, no_referrer.status) == (200, 200)
    assert await answers_of(sessionmaker, scene.proposal_id) == 0


async def test_pages_send_the_security_headers_and_their_own_stylesheet(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker)
    for path in (scene.url, "/r/nope-nope-nope-nope", f"/p/{scene.proposal_id}"):
        response = await client.get(path)
        policy = response.headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "base-uri 'none'", "object-src 'none'",
                          "form-action 'self'", "frame-ancestors 'none'"):
            assert directive in policy
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "geolocation=()" in response.headers["Permissions-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in response.headers  # served over http here
        assert 'href="/static/pages.css"' in await response.text()
    css = await client.get("/static/pages.css")
    assert css.status == 200 and css.content_type == "text/css"


async def test_the_public_page_shows_answers_and_the_overdue_flag(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(
        sessionmaker, status=ProposalStatus.AWAITING_ANSWER, answer_due=START - timedelta(days=3)
    )
    interim = {"text": "부지 소유자와 협의 중이라 12월 말에 답변드릴게요.",
               "official_name": "박지훈", "expected_completion": ""}
    status, html = await preview(client, scene, "interim", interim)
    assert status == 422  # an interim answer must say when the final answer comes
    _, html = await preview(client, scene, "interim", {**interim,
                                                        "expected_completion": "2026-12-31"})
    await client.post(f"{scene.url}/publish", data=confirm_data(html, scene))
    response = await client.get(f"/p/{scene.proposal_id}")
    body = await response.text()
    assert response.status == 200
    assert ko.gettext("Answer overdue by {days} days").format(days=3) in body
    assert "최종 답변 예상일: 12월 31일(목)" in body
    assert "부지 소유자와 협의 중이라" in body and "박지훈" in body and "공원 가로등 설치" in body
    assert "<form" not in body


async def test_a_hidden_or_missing_proposal_shows_nothing_of_it(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker, hidden=True)
    body = await (await client.get(f"/p/{scene.proposal_id}")).text()
    assert ko.gettext(HIDDEN_TEXT) in body and "공원 가로등 설치" not in body
    missing = await client.get("/p/987654")
    assert missing.status == 404


async def test_a_remembered_page_still_gives_every_visitor_fresh_form_tokens(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    scene = await make_scene(sessionmaker)
    first = forms_of(await (await client.get(scene.url)).text())["form-feasibility"]
    second = forms_of(await (await client.get(scene.url)).text())["form-feasibility"]
    assert first["csrf"] != second["csrf"] and "@@" not in second["csrf"]
    status, page = await preview(client, scene, "feasibility", FEASIBLE)
    published = await client.post(f"{scene.url}/publish", data=confirm_data(page, scene),
                                  allow_redirects=False)
    assert (status, published.status) == (200, 303)
    after = await (await client.get(scene.url)).text()
    assert 'id="form-feasibility"' not in after  # the copy was dropped on publish
