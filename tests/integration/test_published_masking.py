"""Personal data is masked on every published surface, in every encoding (issue 12).

Texts go in through the services with phone numbers written the ways people really write
them (full-width digits, dashes other than ``-``, slashes, digits spaced out, zero-width
spaces), with an official whose name field carries a phone number, and come out through the
public page, the reply page, the open-data files, the Telegram cards and the notifications.
Rows written before the masking rules grew are masked on the way out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import JSON, String, Text, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.db.models import Base, BudgetRound, OutboxMessage
from bot.db.types import PublishedJSON, PublishedText
from bot.domain.answers import AnswerForm, AnswerKind, Feasibility
from bot.domain.deadlines import BusinessCalendar
from bot.domain.debate import OpinionSort
from bot.domain.lifecycle import ProposalStatus
from bot.domain.pb.rounds import ProjectSpec
from bot.i18n import I18n
from bot.rendering import ballots as ballot_texts
from bot.rendering import debates as debate_texts
from bot.rendering import proposals as proposal_texts
from bot.rendering.notifications import NotificationRenderer
from bot.services import ballots, budget
from bot.services.answers import resolve_link, submit_answer
from bot.services.browse import load_card
from bot.services.debates import extend_debate, finish_debate, list_opinions, write_opinion
from bot.services.departments import assign_department, create_department
from bot.services.drafts import save_step
from bot.services.lifecycle import transition
from bot.services.moderation import OfflineForm, enter_offline_proposal
from bot.services.proposals import SubmitOutcome, submit_draft
from bot.settings import Settings
from bot.web.budget_pages import add_budget_routes
from bot.web.open_data import add_open_data_routes
from bot.web.pages import PageDeps, add_page_routes
from tests.support.budget_rounds import make_round
from tests.support.factories import make_user
from tests.support.service_settings import review_start

# Sessions one at a time through `sessionmaker`: rolled back on PostgreSQL, not truncated.
pytestmark = pytest.mark.rollback

SETTINGS = Settings(secret_key="k" * 64, public_base_url="http://gonggam.test")
ko = I18n().get("ko")

# Each text carries a number whose identifying digits (after the kept head) are listed.
TITLE = "놀이터 그늘막 ０１０-２４６８-１３５７"
PROBLEM = "여름에 놀이터가 너무 뜨거워요.\n연락 010–9753–8642"
SOLUTION = "그늘막을 설치해 주세요. 주민번호 900101–2345678 확인 가능"
EFFECT = "아이들이 안전하게 놀아요 010/1122/3344"
OFFICIAL = "김주무관 010-9999-8888"
ANSWER = "현장 확인 결과 설치할 수 있어요. 문의 ０２－４８１－５１６２ 또는 hong＠example.com"
OPINION = "그늘막 설치에 찬성합니다. 제 번호는 010/7777/6666 이에요."
EXTENSION = "의견이 더 필요해요. 문의 0 1 0 5 5 5 6 6 6 7 7"
OFFLINE_TITLE = "경로당 난방비 지원 010\u200b4321\u200b8765"
OFFLINE_BODY = "겨울마다 난방비가 부족해요.\n０１０ ３１４１ ５９２６ 으로 전화 주세요"
PROJECT_TITLE = "놀이터 그늘막 010–2718–2818"
PROJECT_TEXT = "담당 0 1 0 1 6 1 8 0 3 3 9, 예산 1,234,567원"
IDENTIFYING = ("24681357", "97538642", "2345678", "11223344", "99998888", "4815162", "hong",
               "77776666", "55566677", "43218765", "31415926", "27182818", "16180339")


def flattened(published: str) -> str:
    """The text as a reader could piece a number together: NFKC, no invisible characters,
    no spaces, dashes, slashes or dots between the digits."""
    folded = unicodedata.normalize("NFKC", published)
    visible = "".join(c for c in folded if unicodedata.category(c) not in ("Cf", "Pd"))
    return re.sub(r"[\s/.·]", "", visible)


def assert_masked(published: str) -> None:
    flat = flattened(published)
    for digits in IDENTIFYING:
        assert digits not in flat, digits


@dataclass(frozen=True)
class Published:
    proposal_id: int
    offline_id: int
    token: str
    resident_id: int


async def publish_everything(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> Published:
    """A resident's proposal, a department's answer, an opinion, an extension, the closing
    summary and an offline proposal, each through its service."""
    now = clock.now()
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 7101, now)
        resident = await make_user(session, 7102, now)
        moderator = await make_user(session, 7103, now, role="moderator")
        await save_step(session, author.id, now, step="preview", title=TITLE, problem=PROBLEM,
                        solution=SOLUTION, effect=EFFECT)
        submitted = await submit_draft(session, author.id, now, SETTINGS.policy, SETTINGS.venues)
        assert submitted.outcome is SubmitOutcome.PUBLISHED and submitted.proposal_id
        proposal_id = submitted.proposal_id
        assert await transition(session, proposal_id, expected=ProposalStatus.COLLECTING,
                                new=ProposalStatus.UNDER_REVIEW, now=now, push=False)
        department = await create_department(session, name="공원녹지과", now=now)
        assigned = await assign_department(session, proposal_id, department, now=now,
                                           **review_start(SETTINGS), actor="test")
        assert assigned.token is not None
        link = await resolve_link(session, assigned.token, now, SETTINGS.secret_key)
        assert link is not None
        form = AnswerForm(AnswerKind.FEASIBILITY, OFFICIAL, ANSWER, Feasibility.FEASIBLE)
        await submit_answer(session, link, form, idempotency_key="feasibility-1", now=now,
                            policy=SETTINGS.policy, venues=SETTINGS.venues,
                            calendar=BusinessCalendar())
        await write_opinion(session, proposal_id=proposal_id, user_id=resident.id,
                            text=OPINION, now=now, venues=SETTINGS.venues)
        await extend_debate(session, proposal_id, days=3, reason=EXTENSION, moderator="운영자",
                            now=now)
        await finish_debate(session, proposal_id, now=now, answer_due=now + timedelta(days=30))
        offline_id = await enter_offline_proposal(
            session, form=OfflineForm("phone", OFFLINE_TITLE, OFFLINE_BODY, None, None,
                                      "김민수", "010-1234-5678"),
            moderator_id=moderator.id, actor="운영자", now=now, policy=SETTINGS.policy,
            secret_key=SETTINGS.secret_key)
    return Published(proposal_id, offline_id, assigned.token, resident.id)


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> AsyncIterator[TestClient]:
    app = web.Application()
    deps = PageDeps(sessionmaker=sessionmaker, settings=SETTINGS, clock=clock, i18n=I18n(),
                    calendar=BusinessCalendar(), wake=lambda *targets: None, cache_seconds=0)
    add_page_routes(app, deps)
    add_open_data_routes(app, deps)
    add_budget_routes(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def page(client: TestClient, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, path
    return await response.text()


async def test_public_and_reply_pages_and_open_data_show_no_personal_data(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    published = await publish_everything(sessionmaker, clock)
    public = await page(client, f"/p/{published.proposal_id}")
    reply = await page(client, f"/r/{published.token}")
    offline = await page(client, f"/p/{published.offline_id}")
    files = [await page(client, f"/data/{name}.{fmt}")
             for name in ("proposals", "answers", "debates") for fmt in ("csv", "json")]
    for body in (public, reply, offline, *files):
        assert_masked(body)
    for body in (public, reply):
        assert "놀이터 그늘막 010-****-****" in body  # the title is shown, only masked
        assert "김주무관 010-****-****" in body and "h***@example.com" in body
        assert "010/****/**** 이에요" in body  # the opinion quoted in the debate summary
    assert "010 **** **** 으로 전화 주세요" in offline
    assert "놀이터 그늘막 010-****-****" in files[0] and "900101-*******" in files[1]


async def test_the_preview_shows_the_officials_name_masked(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    published = await publish_everything(sessionmaker, clock)
    reply = await page(client, f"/r/{published.token}")
    csrf = re.search(r'id="form-interim".*?name="csrf" value="([^"]+)"', reply, re.DOTALL)
    assert csrf is not None
    response = await client.post(f"/r/{published.token}/preview", data={
        "kind": "interim", "csrf": csrf.group(1),
        "official_name": "박주무관 ０１０–２４６８–１３５７",
        "text": "다음 주에 현장을 다시 확인하겠습니다.", "expected_completion": "2027-01-20"})
    body = await response.text()
    shown = re.search(r'<article class="answer preview">.*?</article>', body, re.DOTALL)
    assert response.status == 200 and shown is not None
    assert_masked(shown.group())
    assert "박주무관 010-****-****" in shown.group()


async def test_telegram_cards_and_notifications_show_no_personal_data(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    published = await publish_everything(sessionmaker, clock)
    now = clock.now()
    renderer = NotificationRenderer(I18n())
    async with sessionmaker() as session:
        cards = [await load_card(session, pid, viewer_id=published.resident_id)
                 for pid in (published.proposal_id, published.offline_id)]
        opinions = await list_opinions(session, published.proposal_id, sort=OpinionSort.NEWEST,
                                       page=0, viewer_id=published.resident_id, now=now)
        outbox = list(await session.scalars(select(OutboxMessage)))
    texts = [proposal_texts.card(ko, card, published.resident_id, 50, now, "gonggam_bot").text
             for card in cards if card is not None]
    assert opinions is not None and len(texts) == 2
    texts.append(debate_texts.opinions_page(ko, opinions, now).text)
    texts += [renderer(row.kind, row.params, "ko").text for row in outbox]
    kinds = {row.kind for row in outbox}
    # the feasibility answer reaches followers inside the debate invitation
    assert {"debate_opened", "debate_extended", "debate_summary"} <= kinds
    assert any("department" in row.params for row in outbox if row.kind == "debate_opened")
    for rendered in texts:
        assert_masked(rendered)
    assert "놀이터 그늘막 010-****-****" in texts[0] and "010/****/****" in texts[2]


async def test_budget_projects_are_masked_on_the_page_the_ballot_and_in_open_data(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    now = clock.now()
    async with sessionmaker() as session, session.begin():
        voter = await make_user(session, 7201, now)
        round_id = (await make_round(session, now, opens_at=now,
                                     closes_at=now + timedelta(days=7))).id
        await budget.add_project(session, round_id,
                                 ProjectSpec(PROJECT_TITLE, 30_000_000, PROJECT_TEXT),
                                 now=now, actor="관리자")
        assert await budget.open_round(session, round_id, now, SETTINGS.venues)
    async with sessionmaker() as session:
        shown = await ballots.show_ballot(session, round_id=round_id, user_id=voter.id, now=now)
    assert shown.state is not None
    project = shown.state.round.projects[0]
    texts = [await page(client, f"/budget/{round_id}"), await page(client, "/data/rounds.json"),
             ballot_texts.ballot_view(ko, shown.state).text,
             ballot_texts.project_details(ko, project)]
    for rendered in texts:
        assert_masked(rendered)
    assert project.title == "놀이터 그늘막 010-****-****"
    assert project.description == "담당 0 1 0 * * * * * * * *, 예산 1,234,567원"


async def test_rows_written_before_are_masked_when_read(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    published = await publish_everything(sessionmaker, clock)
    async with sessionmaker() as session, session.begin():  # raw SQL: no column type involved
        await session.execute(text("UPDATE proposals SET problem = :raw WHERE id = :id"),
                              {"raw": PROBLEM.replace("010–9753", "０１０ ９７５３"),
                               "id": published.proposal_id})
        await session.execute(text("UPDATE answers SET official_name = :raw"), {"raw": OFFICIAL})
        await session.execute(text("UPDATE opinions SET text = :raw"), {"raw": OPINION})
    public = await page(client, f"/p/{published.proposal_id}")
    async with sessionmaker() as session:
        card = await load_card(session, published.proposal_id, viewer_id=published.resident_id)
        opinions = await list_opinions(session, published.proposal_id, sort=OpinionSort.NEWEST,
                                       page=0, viewer_id=published.resident_id, now=clock.now())
        stored = await session.scalar(text("SELECT official_name FROM answers"))
    assert card is not None and opinions is not None
    assert stored == OFFICIAL  # the raw value is really there
    for rendered in (public, proposal_texts.card(ko, card, 0, 50, clock.now(), "bot").text,
                     debate_texts.opinions_page(ko, opinions, clock.now()).text):
        assert_masked(rendered)
    assert "010 ****-****" in public and "김주무관 010-****-****" in public


async def test_objects_mask_as_soon_as_a_published_text_is_set(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    """A service that copies a text from a fresh object into an outbox row copies it masked,
    and a Core UPDATE stores it masked."""
    async with sessionmaker() as session, session.begin():
        row = await make_round(
            session, clock.now(), name="2027 예산 문의 ０１０－１２３４－５６７８"
        )
        assert row.name == "2027 예산 문의 010-****-****"
        await session.execute(update(BudgetRound).values(name="문의 010 1234 5678"))
    async with sessionmaker() as session:
        stored = await session.scalar(text("SELECT name FROM budget_rounds"))
    assert stored == "문의 010 **** ****"


# Free-text columns that are not published, and why. A new free-text column must be either a
# Published* column (masked when set, written and read) or listed here: nobody forgets to decide.
NOT_PUBLISHED = {
    "council_recruitments.created_by": "the staff member's id (telegram:<id>), for the staff",
    "council_applications.completed_by": "the staff member's id (telegram:<id>), for the staff",
    "council_recruitments.rules": "the composition rules an admin set: features, categories, "
                                  "bounds",
    "council_draws.inputs": "applicant numbers with age band and sex, and the rules: no text of "
                            "anyone's, and masking could alter what the commitment binds",
    "council_draws.distribution": "applicant numbers and probabilities only",
    "council_draws.record": "the published record: numbers, features, hex digests (a digest's "
                            "digits must not be masked as a phone number)",
    "council_draws.prepared_by": "the staff member's id (telegram:<id>), for the staff",
    "council_draws.drawn_by": "the staff member's id (telegram:<id>), for the staff",
    "assemblies.created_by": "the staff member's id (telegram:<id>), for the staff",
    "assemblies.weights": "the method and numbers an admin set: no free text",
    "assembly_ballots.choices": "item numbers only",
    "assembly_tallies.totals": "item numbers with votes or scores only",
    "assembly_tallies.photo_file_id": "Telegram's id of the tally sheet's photo",
    "assembly_tallies.entered_by": "the staff member's id (telegram:<id>), for the staff",
    "workgroup_members.added_by": "the staff member's id (telegram:<id>), for the staff",
    "workgroup_updates.decided_by": "the staff member's id (telegram:<id>), for the staff",
    "consultations.created_by": "the staff member's id (telegram:<id>), for the staff",
    "consultations.result": "votes per option at the close: numbers only",
    "consultations.photo_file_id": "a Telegram file id",
    "consultations.document_file_id": "a Telegram file id",
    "workgroup_updates.photo_file_id": "a Telegram file id",
    "audit_log.actor": "staff-only audit log",
    "audit_log.subject": "staff-only audit log",
    "audit_log.before": "staff-only audit log",
    "audit_log.after": "staff-only audit log",
    "broadcasts.text_html": "a staff announcement, sent as the admin wrote it",
    "broadcasts.created_by": "staff name",
    "polls.question": "a staff announcement, sent as written",
    "polls.options": "a staff announcement, sent as written",
    "polls.created_by": "staff name",
    "poll_votes.option_ids": "numbers",
    "budget_ballots.draft": "numbers",
    "budget_ballots.choices": "numbers",
    "budget_rounds.created_by": "staff name",
    "debate_extensions.moderator": "staff name",
    "verification_batches.created_by": "staff name",
    "departments.contact_emails": "staff-only addresses the reply links are mailed to",
    "departments.head_email": "staff-only address an overdue final answer escalates to",
    "inbound_updates.payload": "the raw Telegram update, never shown",
    "outbox.address": "delivery address",
    "outbox.dedupe_key": "delivery machinery",
    "outbox.last_error": "delivery machinery",
    "outbox.params": "copies of published columns (masked when set) and the service's own words",
    "proposal_drafts.title": "the writer's own draft",
    "proposal_drafts.problem": "the writer's own draft",
    "proposal_drafts.solution": "the writer's own draft",
    "proposal_drafts.effect": "the writer's own draft",
    "proposal_drafts.photo_file_id": "a Telegram file id",
    "proposals.photo_file_id": "a Telegram file id",
    "proposals.offline_contact": "staff only, and stored masked (moderation.masked_contact)",
    "proposals.offline_contact_secret": "encrypted; shown only on the audited call-back list",
    "callback_items.params": "copies of notices' parameters, like outbox.params",
    "callback_items.dedupe_key": "machinery",
    "staff_questions.text": "the resident's own question, kept as given; staff see it masked",
    "staff_questions.answer": "the staff's answer, sent to the one resident who asked",
    "proposal_events.note": "a reason told to the author or staff",
    "users.ban_reason": "told to the banned resident only",
    "satisfaction_votes.reason_text": "staff only (the dissatisfaction alert), stored masked "
                                      "(satisfaction.check_reason_text)",
    "work_items.params": "the moderators' chat; quoted texts pass content_excerpt (masked)",
    "work_items.note": "the moderators' chat",
    "work_items.dedupe_key": "machinery",
    "work_items.claimed_by_name": "staff name",
    "kakao_accounts.conversation": "what the last Kakao answer showed its one resident (copies "
                                   "of messages already masked), for their next button press",
    "kakao_held_notices.params": "copies of notices' parameters, like outbox.params",
    "proposals.offline_text_secret": "encrypted; used only for 알림톡/SMS, erased at the close",
    "text_contacts.number_secret": "encrypted; used only for the resident's 알림톡/SMS",
}


def test_every_free_text_column_is_published_or_says_why_not() -> None:
    undecided = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            kind = column.type
            if isinstance(kind, PublishedText | PublishedJSON) or name in NOT_PUBLISHED:
                continue
            if isinstance(kind, Text | JSON) or (isinstance(kind, String)
                                                 and (kind.length or 0) >= 100):
                undecided.append(name)
    assert undecided == []
    published = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
                 if isinstance(c.type, PublishedText | PublishedJSON)}
    assert not published & set(NOT_PUBLISHED)
