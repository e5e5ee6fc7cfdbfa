"""What residents and officials write never reaches the logs at info level: only ids and kinds do.

One bot, wired as in production (`running_bot` against the sandbox Bot API, the web app of
`Runtime.web_app`), is driven through every place a person types free text:

* the whole proposal wizard: title, problem, solution, effect, an area typed instead of
  picked, a category, a photo with a caption, an edit from the preview, and publishing;
* a keyword search (`/proposals <keyword>` and the 🔍 button), free chatter to the fallback;
* a 공감 that asks for the phone number (ENDORSEMENT_REQUIRES=contact) and the shared contact;
* a report (its reasons are buttons, so it carries no free text, but it sends the title on);
* an admin's `/assign`, whose reply link the official opens: the department reply page with a
  form that fails validation, then a preview and a publish, with an answer text and an
  official's name; then the public proposal page;
* the debate that answer opens: a stance, an opinion written in the bot, one in the forum
  topic, and the opinion list;
* `/verify` with a mistyped code and with a real one from the admin's `/codes_new` sheet.

Every free text carries its own marker: a made-up Korean word, a phone number and an e-mail
address. Every record at INFO or above that reaches the root logger is searched (its
message, its unformatted msg and args, its exception and stack text, any extra attribute)
and so is what the production `JsonFormatter` writes for it; the bot token must not show up
either (Bot API URLs carry it).

SQLite only: the PostgreSQL run adds nothing. It logged the very same records (the only
backend-specific code builds INSERT statements and logs nothing), and the only
backend-specific texts, PostgreSQL's error messages that quote row values, would come with a
failed statement, which is an ERROR record and fails this test on either backend.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.clock import ShiftableClock
from bot.db.models import Proposal
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.logging_setup import JsonFormatter
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.support.forms import forms_of
from tests.support.harness import running_bot, settings_for

ADMIN, AUTHOR, NEIGHBOUR, NEWCOMER = 9701, 9702, 9703, 9704
MODERATORS, FORUM = -100971, -100972


@pytest.fixture
def backend() -> str:
    """SQLite only (see the module docstring): overrides the both-backends fixture."""
    return "sqlite"


@dataclass(frozen=True)
class Marker:
    """One free text: a made-up word, a phone number and an e-mail address of its own."""

    name: str
    word: str
    phone: str

    @property
    def email(self) -> str:
        return f"{self.name}@probe.kr"

    def text(self, sentence: str) -> str:
        return f"{self.word} {sentence} 연락처 {self.phone}, {self.email}"

    def needles(self) -> dict[str, str]:
        """Substrings that must not be logged, found case-insensitively; digits also
        with separators removed (see `found_in`)."""
        local = self.phone.split("-", 1)[1]  # 2847-3916: what survives any phone format
        return {self.word: "word", self.email: "e-mail", local: "phone",
                local.replace("-", ""): "phone digits"}


MARKERS = {m.name: m for m in (
    Marker("title", "쑥갓제목표지", "010-2847-3916"),
    Marker("problem", "쑥갓문제표지", "010-3958-4027"),
    Marker("solution", "쑥갓해결표지", "010-4069-5138"),
    Marker("effect", "쑥갓효과표지", "010-5171-6249"),
    Marker("edited", "쑥갓수정표지", "010-6282-7351"),
    Marker("area", "쑥갓동네표지", "010-7393-8462"),
    Marker("caption", "쑥갓사진표지", "010-8414-9573"),
    Marker("chatter", "쑥갓잡담표지", "010-9525-1684"),
    Marker("search", "쑥갓검색표지", "010-1636-2795"),
    Marker("contact", "쑥갓연락표지", "010-2747-3806"),  # only its number is sent
    Marker("answer", "쑥갓답변표지", "010-3858-4917"),
    Marker("rejected", "쑥갓반려표지", "010-4969-5128"),
    Marker("official", "쑥갓담당표지", "010-5071-6239"),
    Marker("opinion", "쑥갓의견표지", "010-6182-7341"),
    Marker("forum", "쑥갓토론표지", "010-7293-8452"),
)}
WRONG_CODE = "QXWZ-KMPT"


# ----- capturing the logs --------------------------------------------------------------------


class JsonLines(logging.Handler):
    """What `configure_logging` would write to stderr, kept in memory."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def json_lines(caplog: pytest.LogCaptureFixture) -> Iterator[JsonLines]:
    caplog.set_level(logging.INFO)  # the root logger and caplog's handler, as in production
    handler = JsonLines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def texts_of(record: logging.LogRecord) -> Iterator[str]:
    """Everything of a record a handler or formatter could write out."""
    try:
        yield record.getMessage()
    except Exception as error:  # a bad format string: still look at its parts
        yield f"unformattable: {error!r}"
    yield str(record.msg)
    yield repr(record.args)
    if record.exc_info and record.exc_info[1] is not None:
        yield "".join(traceback.format_exception(*record.exc_info))
    for text in (record.exc_text, record.stack_info):
        if text:
            yield text
    for key, value in vars(record).items():
        if key not in _STANDARD:
            yield f"{key}={value!r}"


def found_in(text: str, needles: dict[str, str]) -> list[str]:
    """The needles in `text`, ignoring case; digits also with separators taken out."""
    lowered = text.lower()
    squeezed = re.sub(r"[\s.\-()+]", "", lowered)
    return [f"{what} {needle!r}" for needle, what in needles.items()
            if needle.lower() in lowered or (needle.isdigit() and needle in squeezed)]


def leaks(records: list[logging.LogRecord], lines: list[str],
          needles: dict[str, dict[str, str]]) -> list[str]:
    """One line per INFO+ record (or JSON line) that carries a needle, naming what it carries."""
    places = [(f"{r.levelname} {r.name} {r.msg!r}", "\n".join(texts_of(r)))
              for r in records if r.levelno >= logging.INFO]
    places += [(f"JSON line {line[:160]}", line) for line in lines]
    found = []
    for where, text in places:
        hits = [f"{name} {hit}" for name, group in needles.items()
                for hit in found_in(text, group)]
        if hits:
            found.append(f"{where}: {', '.join(hits)}")
    return found


# ----- driving -------------------------------------------------------------------------------


def data_of(message: SentMessage, prefix: str) -> str:
    for row in message.buttons:
        for _, data in row:
            if data and data.startswith(prefix):
                return data
    raise AssertionError(f"no button {prefix}… on {message.describe()}")


async def write_proposal(author: Resident) -> None:
    """Every step of the wizard, each with its marker, then an edit and publishing."""
    m = MARKERS
    await author.say("/propose")
    await author.wait_for_message("1/7")
    await author.say(f"{m['title'].word} 가로등 {m['title'].phone} {m['title'].email}")
    await author.wait_for_message("2/7")
    await author.say(m["problem"].text("밤에 공원 산책로가 너무 어두워서 무서워요."))
    await author.wait_for_message("3/7")
    await author.say(m["solution"].text("산책로를 따라 가로등을 설치해 주세요."))
    await author.wait_for_message("4/7")
    await author.say(m["effect"].text("밤에도 안전하게 산책할 수 있어요."))
    await author.wait_for_message("5/7")
    await author.say(m["area"].text("우리 동네"))  # not an area: asked to use the buttons
    await author.wait_for_message("위의 버튼에서 골라 주세요")
    await author.say("구로 1동")
    category = await author.wait_for_message("6/7")
    await author.press_data(category, data_of(category, "wc:1:category:"))
    await author.wait_for_message("7/7")
    await author.send_photo(caption=m["caption"].text("사진 설명"))
    preview = await author.wait_for_message("미리 보기")
    await author.press_data(preview, "we:1:effect")
    await author.wait_for_message("4/7", after=preview.message_id)
    await author.say(m["edited"].text("밤에도 아이들과 안전하게 다닐 수 있어요."))
    preview = await author.wait_for_message("미리 보기")
    assert m["edited"].word in preview.text and m["effect"].word not in preview.text
    await author.press(preview, "✅ 게시하기")
    await author.wait_for_message("게시되었어요")


async def test_no_free_text_reaches_the_logs_at_info_level(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock, json_lines: JsonLines,
    caplog: pytest.LogCaptureFixture,
) -> None:
    m = MARKERS
    admin = residents.resident(ADMIN, "관리자")
    author, neighbour = residents.resident(AUTHOR, "민지"), residents.resident(NEIGHBOUR, "영수")
    newcomer = residents.resident(NEWCOMER, "하늘")
    residents.group(MODERATORS, "공감 운영진")
    forum = residents.group(FORUM, "구로 토론방", is_forum=True)
    settings = replace(
        settings_for(database_url, sandbox), admin_telegram_ids=frozenset({ADMIN}),
        moderator_chat_id=MODERATORS, debate_forum_chat_id=FORUM,
        policy=Policy(endorsement_threshold=1, endorsement_requires_contact=True),
    )
    async with running_bot(settings, clock) as runtime:
        # chatter to the fallback, then the wizard
        await author.say(m["chatter"].text("그냥 하는 말이에요"))
        await author.wait_for_message("아래 메뉴에서 골라 주세요")
        await write_proposal(author)
        async with runtime.sessionmaker() as session:
            pid = await session.scalar(select(Proposal.id))
        assert pid is not None

        # searching: a keyword that finds it, and one typed after 🔍 that finds nothing
        await neighbour.say(f"/proposals {m['title'].word}")
        results = await neighbour.wait_for_message("검색 결과")
        assert m["title"].word in results.text
        await neighbour.say("/proposals")
        listing = await neighbour.wait_for_message("인기")
        await neighbour.press_data(listing, "lf:1:search")
        await neighbour.wait_for_message(after=listing.message_id)
        await neighbour.say(m["search"].text("찾아 주세요"))
        await neighbour.wait_for_message("검색 결과")

        # 공감 asks for the phone number; the shared contact reaches the threshold (1)
        await neighbour.press(listing, "1")
        card = await neighbour.wait_for_message("현황·문제점")
        await neighbour.press_data(card, f"e:1:{pid}")
        await neighbour.wait_for_message(after=card.message_id,
                                         predicate=lambda s: s.reply_keyboard is not None)
        await neighbour.share_contact(m["contact"].phone)
        await neighbour.wait_for_message("이제 담당 부서가 검토해요", after=0)

        # a report: reasons are buttons, but the report travels with the title
        await neighbour.press_data(card, f"rp:1:{pid}")
        reasons = await neighbour.wait_for_message(after=card.message_id,
                                                   predicate=lambda s: bool(s.buttons))
        await neighbour.press_data(reasons, f"rr:1:{pid}:personal")
        await neighbour.wait_for_edit(reasons)

        # the admin assigns a department; the official answers on the reply page
        await admin.say("/department_add 공원녹지과")
        await admin.wait_for_message("공원녹지과를 추가했어요")
        await admin.say(f"/assign {pid} 1")
        assigned = await admin.wait_for_message("배정했어요")
        link = re.search(r"/r/[A-Za-z0-9_-]+", assigned.text)
        assert link is not None
        url = link.group(0)
        async with TestClient(TestServer(runtime.web_app())) as web:
            page = await web.get(url)
            hidden = forms_of(await page.text())["form-feasibility"]
            official = f"{m['official'].word} {m['official'].phone} {m['official'].email}"
            assert len(official) <= 40  # the form's limit for a name
            invalid = await web.post(f"{url}/preview", data=hidden | {
                "decision": "maybe", "official_name": official,
                "text": m["rejected"].text("검토 중")})
            assert invalid.status == 422
            hidden = forms_of(await invalid.text())["form-feasibility"]
            preview = await web.post(f"{url}/preview", data=hidden | {
                "decision": "feasible", "official_name": official,
                "text": m["answer"].text("현장을 확인했고 설치할 수 있어요.")})
            assert preview.status == 200
            confirm = forms_of(await preview.text())[f"{url}/publish"] | {"action": "publish"}
            published = await web.post(f"{url}/publish", data=confirm, allow_redirects=False)
            assert published.status == 303
            public = await web.get(f"/p/{pid}")
            assert public.status == 200 and m["answer"].word in await public.text()

            # the debate: a stance and an opinion in the bot, one in the forum topic
            invitation = await neighbour.wait_for_message("🗳", after=0)
            await neighbour.press_data(invitation, f"p:1:{pid}")
            card = await neighbour.wait_for_message("현황·문제점", after=invitation.message_id)
            await neighbour.press_data(card, f"ds:1:{pid}:for")
            card = await neighbour.wait_for_edit(card)
            await neighbour.press_data(card, f"dw:1:{pid}:1")
            prompt = await neighbour.wait_for_message("✍️", after=card.message_id)
            await neighbour.say(m["opinion"].text("가로등이 있으면 훨씬 안전해져요."))
            await neighbour.wait_for_message("💬", after=prompt.message_id)
            # the topic's opening message follows the commit that records its thread
            assert await sandbox_state.wait_until(lambda: bool(forum.bot_messages()), 5)
            (thread,) = forum.topic_ids().values()
            await author.say_in(forum, m["forum"].text("꼭 필요한 사업이라 찬성합니다!"), thread)
            await neighbour.press_data(card, f"do:1:{pid}:new:0")
            opinions = await neighbour.wait_for_edit(card)
            assert m["opinion"].word in opinions.text and m["forum"].word in opinions.text

        # /verify: a mistyped code, then one of the admin's
        await admin.say("/codes_new 신도림동 1 7")
        await admin.wait_for_message("🔑")
        assert await sandbox_state.wait_until(
            lambda: any(s.file_kind == "document" for s in admin.inbox()), 5)
        sheet = next(s for s in admin.inbox() if s.file_kind == "document")
        stored = sandbox_state.chat(ADMIN).find(sheet.message_id)
        assert stored is not None and stored.file is not None
        rows = list(csv.reader(io.StringIO(stored.file.data.decode("utf-8-sig"))))
        code = rows[1][2]
        await newcomer.say(f"/verify {WRONG_CODE}")
        assert "❓" in (await newcomer.wait_for_message()).text
        await newcomer.say(f"/verify {code}")
        assert "✅" in (await newcomer.wait_for_message()).text

        async with runtime.sessionmaker() as session:
            status = await session.scalar(select(Proposal.status).where(Proposal.id == pid))
        assert status == ProposalStatus.IN_DEBATE

    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors  # every step above was handled, none crashed into a polite reply
    assert json_lines.lines, "the JSON handler saw nothing: the capture is not wired"
    needles = {name: marker.needles() for name, marker in m.items()}
    needles["code"] = {code: "code", code.replace("-", ""): "code",
                       WRONG_CODE: "mistyped code", WRONG_CODE.replace("-", ""): "mistyped code"}
    token = runtime.settings.telegram_bot_token
    assert token
    needles["bot token"] = {token: "token"}
    found = leaks(caplog.records, json_lines.lines, needles)
    assert not found, "\n".join(found)


def test_the_scanner_finds_a_marker_wherever_a_record_carries_it() -> None:
    """The check above is only as good as `leaks`: a marker in the format string, in an
    argument, in an exception, in an extra attribute, or with its phone digits run
    together or spaced out, is found; a DEBUG record is not searched."""
    marker = MARKERS["opinion"]
    needles = {"opinion": marker.needles()}
    log = logging.getLogger("bot.leak_probe")

    def record(level: int, msg: str, *args: object, **extra: object) -> logging.LogRecord:
        return log.makeRecord(log.name, level, __file__, 1, msg, args, None, extra=extra)

    try:
        raise ValueError(f"bad opinion: {marker.word}")
    except ValueError as error:
        failed = log.makeRecord(log.name, logging.ERROR, __file__, 1, "update %s failed",
                                (7,), (type(error), error, error.__traceback__))
    carriers = [
        record(logging.INFO, f"opinion {marker.word}"),
        record(logging.INFO, "opinion %s", marker.text("찬성")),
        record(logging.WARNING, "user %s", 7, text=marker.email),
        record(logging.INFO, "phone %s", "+82 " + marker.phone[1:].replace("-", " ")),
        record(logging.INFO, "phone %s", marker.phone.replace("-", "")),
        failed,
    ]
    assert len(leaks(carriers, [], needles)) == len(carriers)
    assert leaks([record(logging.DEBUG, marker.word)], [], needles) == []
    assert leaks([record(logging.INFO, "opinion %s by user %s", 12, 7)], [], needles) == []
    line = JsonFormatter().format(failed)
    assert leaks([], [line], needles) and "ValueError" in line
