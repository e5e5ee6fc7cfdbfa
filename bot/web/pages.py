"""Department reply pages (`/r/<token>`) and the public proposal page (`/p/<id>`).

Every answer goes through two POSTs: the form posts to `/preview`, which shows exactly what
will be published and carries a token signed over that content; `/publish` checks the
token and hands the form to `submit_answer`, using the token's nonce as the idempotency key.
Handlers only translate: the service decides, the templates show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from aiohttp import web
from babel.dates import format_date
from multidict import MultiDictProxy
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.engine import FastLane
from bot.domain.answers import (
    ACCEPTING,
    AnswerForm,
    AnswerKind,
    clean_text,
    parse_completion,
    parse_percent,
    validate_answer,
)
from bot.domain.deadlines import BusinessCalendar, days_left, format_dday
from bot.domain.korean import parse_krw
from bot.domain.lifecycle import ProposalStatus
from bot.domain.milestones import PlanProblem, read_plan, read_reached
from bot.domain.places import map_url
from bot.domain.text import mask_personal_data
from bot.i18n import DAYS_REMEMBERED, DEFAULT_LANGUAGE, N_, I18n, Translator
from bot.rendering.deadlines import deadline_line, expected_answer_line
from bot.rendering.labels import ANSWER_KIND_LABELS as KIND_LABELS
from bot.rendering.labels import (
    DECISION_LABELS,
    HIDDEN_TEXT,
    moderation_marks,
    status_label,
)
from bot.rendering.templates import html_templates
from bot.rendering.timeline import timeline_rows
from bot.services.answers import (
    AnswerOutcome,
    LinkView,
    keep_current,
    resolve_link,
    submit_answer,
)
from bot.services.proposal_pages import (
    AnswerView,
    PageRules,
    ProposalPage,
    ReplyRead,
    load_reply_page,
    read_public_page,
    read_reply_page,
)
from bot.services.wakes import Waker, woken
from bot.settings import Settings
from bot.web.blank_forms import CSRF_SLOT, BlankForms
from bot.web.cache import DEFAULT_TTL_SECONDS, PageCache
from bot.web.security import (
    FailureLimiter,
    FormClaim,
    FormSigner,
    TokenCheck,
    client_address,
    content_digest,
)

T = TypeVar("T")
WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
HTML = "text/html"

FORM_KINDS = (AnswerKind.FEASIBILITY, AnswerKind.INTERIM, AnswerKind.FINAL, AnswerKind.PROGRESS)
FIELDS: dict[AnswerKind, tuple[str, ...]] = {
    AnswerKind.FEASIBILITY: ("official_name", "decision", "text"),
    AnswerKind.INTERIM: ("official_name", "text", "expected_completion"),
    AnswerKind.FINAL: ("official_name", "decision", "text", "expected_completion", "budget",
                       "plan"),
    AnswerKind.PROGRESS: ("official_name", "text", "percent", "completed", "reached"),
}
ERROR_MESSAGES: dict[str, str] = {
    "required": N_("Please fill this in."),
    "too_short": N_("Please write a little more."),
    "too_long": N_("This is too long. Please shorten it."),
    "date_format": N_("Please enter a date like 2027-03-31."),
    "date_past": N_("The completion date cannot be in the past."),
    "budget_format": N_("Please enter an amount such as 12000000, 1,200만원 or 1.2억."),
    "percent_range": N_("Please enter a number from 0 to 100."),
    "decision": N_("Please choose one."),
    PlanProblem.FORMAT: N_("Write one step a line: its date, then what will be done, e.g. "
                           "2027-03-31 design finished."),
    PlanProblem.TITLE: N_("Say in a few words what each step is (up to 200 characters)."),
    PlanProblem.PAST: N_("A step cannot be dated in the past."),
    PlanProblem.AFTER: N_("A step cannot come after the expected completion date."),
    PlanProblem.TOO_MANY: N_("A plan can have at most 12 steps."),
    "reached_format": N_("Write the numbers of the steps reached, e.g. 1, 2."),
    "reached_unknown": N_("Only steps of the plan not reached yet can be named."),
}
PUBLISHED = N_("Published. Residents who follow this proposal will be notified.")
ALREADY_PUBLISHED = N_("This was already published. Nothing was changed.")
MOVED_ON = N_("This proposal has moved on and the form no longer applies. Nothing was published.")
FORM_EXPIRED = N_("This form has expired. Please check the content and submit it again.")
NOT_FOUND_TITLE = N_("Page not found")
NOT_FOUND_TEXT = N_("This link is not valid. Please ask the person who sent it for a new one.")
FORBIDDEN_TEXT = N_("This form could not be verified. Please open the link again.")
RATE_LIMITED_TEXT = N_("Too many requests. Please wait a minute and try again.")
CROSS_SITE_TITLE = N_("This request was not accepted")
CROSS_SITE_TEXT = N_(
    "This form was sent from another site, so nothing was changed. Please open the link you "
    "received again."
)


@dataclass(frozen=True)
class PageDeps:
    """What the pages need from the runtime."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Clock
    i18n: I18n
    calendar: BusinessCalendar
    wake: Waker
    # failed reply-link lookups allowed per minute, per client address and per token
    failures_per_minute: int = 30
    token_failures_per_minute: int = 10
    cache_seconds: float = DEFAULT_TTL_SECONDS
    # for pages that only read: on SQLite they never wait for a writer (bot.db.engine.reading)
    reader: async_sessionmaker[AsyncSession] | None = None
    # the reply and public pages' reads, each one transaction in one hop (FastLane reads_only)
    read_lane: FastLane | None = None

    def reading_session(self) -> AsyncSession:
        """A session for a page that only reads (a writer's, when no reader is set)."""
        return (self.reader or self.sessionmaker)()

    async def read(self, work: Callable[[Connection], T]) -> T:
        """Run a page's read in one transaction: on the read lane, else in a reading session."""
        if self.read_lane is not None:
            return await self.read_lane.run(work)
        async with self.reading_session() as session:
            return await session.run_sync(lambda sync: work(sync.connection()))


@dataclass(frozen=True)
class PageState:
    deps: PageDeps
    templates: jinja2.Environment
    signer: FormSigner
    failures: FailureLimiter
    t: Translator
    cache: PageCache
    rules: PageRules
    blank_forms: BlankForms


PAGES = web.AppKey("pages", PageState)


@dataclass(frozen=True)
class FormView:
    """One answer form as the template draws it."""

    kind: AnswerKind
    csrf: str
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    message: str | None = None

    @property
    def blank(self) -> bool:
        """Nothing typed, no errors, no message: drawn from `BlankForms`."""
        return not self.values and not self.errors and self.message is None


@dataclass(frozen=True)
class Submission:
    """A checked POST: the link, the form kind, the fields and the verified claim."""

    link: LinkView
    kind: AnswerKind
    fields: dict[str, str]
    claim: FormClaim
    expired: bool


def add_page_routes(app: web.Application, deps: PageDeps) -> None:
    """Register the reply pages, the public page and their stylesheet on `app`."""
    translator = deps.i18n.get(DEFAULT_LANGUAGE)
    templates = build_templates(translator, deps.settings)
    app[PAGES] = PageState(
        deps=deps,
        templates=templates,
        signer=FormSigner(deps.settings.secret_key,
                          previous_key=deps.settings.secret_key_previous),
        failures=FailureLimiter(deps.failures_per_minute, deps.token_failures_per_minute),
        t=translator,
        cache=PageCache(deps.cache_seconds),
        rules=PageRules(deps.settings.policy, deps.calendar),
        blank_forms=BlankForms(
            templates, {kind: FormView(kind, CSRF_SLOT) for kind in FORM_KINDS}),
    )
    app.router.add_get("/r/{token}", reply_page)
    app.router.add_post("/r/{token}/preview", preview_answer)
    app.router.add_post("/r/{token}/publish", publish_answer)
    app.router.add_get(r"/p/{proposal_id:\d{1,12}}", public_page)
    app.router.add_static("/static", STATIC_DIR, name="static", append_version=False)


def build_templates(t: Translator, settings: Settings) -> jinja2.Environment:
    """The pages' environment. The macro files are globals, `m` and `f`, made into modules
    once: an `{% import %}` in a page looked its module up again on every page drawn (about a
    sixth of drawing the public page)."""
    # each date formatted once (Babel takes about 10 µs a date), as the translator does
    day_label = lru_cache(maxsize=DAYS_REMEMBERED)(partial(_date_label, t))
    templates = html_templates(
        t,
        money=t.money,
        date_label=day_label,
        status_label=lambda status: status_label(t, ProposalStatus(status)),
        kind_label=lambda kind: t.gettext(KIND_LABELS[kind]),
        decision_label=lambda d: t.gettext(DECISION_LABELS[d]) if d in DECISION_LABELS else "",
        hidden_text=t.gettext(HIDDEN_TEXT),
        moderation_marks=lambda card: moderation_marks(t, card.offline_channel,
                                                       card.merged_into_id, card.district,
                                                       card.complaint),
        threshold=settings.policy.endorsement_threshold,
        map_url=lambda card: map_url(card.place, card.title) if card.place else None,
        deadline_line=lambda d: deadline_line(t, d),
        expected_answer_line=lambda d: expected_answer_line(t, d),
        timeline_rows=lambda entries: timeline_rows(t, day_label, entries),
    )
    # after every other global is in: a module sees the globals there are when it is made
    templates.globals.update(m=templates.get_template("_macros.html").module,
                             f=templates.get_template("_forms.html").module)
    return templates


# ---- handlers -------------------------------------------------------------------------------


async def reply_page(request: web.Request) -> web.Response:
    state = request.app[PAGES]
    if (refused := _refuse_failed_token(state, request)) is not None:
        return refused
    now = state.deps.clock.now()
    token = request.match_info["token"]
    published = bool(request.query.get("published"))
    cached = None if published else state.cache.get(("reply", token))
    if cached is not None and cached.expires_at > now:
        return _with_fresh_form_tokens(state, cached, now)
    read = await _read_reply(state, token, now)
    if read is None:
        return _lookup_failed(state, request)
    link, page = read.link, read.page
    if published or not state.cache.keeps:  # no copy to keep: the tokens go in at once
        return _reply(state, request, link, page, now, notice=PUBLISHED if published else None)
    template = _reply_body(state, request, link, page, now, placeholders=True)
    kinds = tuple(kind for kind in FORM_KINDS if kind in page.allowed)
    copy = CachedReply(link.link_id, link.expires_at, kinds, template)
    state.cache.put(("reply", token), link.proposal_id, copy)
    return _with_fresh_form_tokens(state, copy, now)


async def preview_answer(request: web.Request) -> web.Response:
    state = request.app[PAGES]
    if (refused := _refuse_failed_token(state, request)) is not None:
        return refused
    now = state.deps.clock.now()
    data = await request.post()
    async with state.deps.sessionmaker() as session:
        submission = await _check_post(session, state, request, data, "csrf", now, signed=False)
        if isinstance(submission, web.Response):
            return submission
        page = await _page_for(session, state, submission.link, now)
    if submission.kind not in page.allowed:
        return _moved_on(state, request, submission.link, page, now)
    if submission.expired:
        return _reshow(state, request, submission, page, now, message=FORM_EXPIRED)
    errors = validate_answer(to_form(submission.kind, submission.fields), _today(state, now),
                             page.open_steps)
    if errors:
        return _reshow(state, request, submission, page, now, errors=errors)
    return _preview(state, request, submission, page, now)


async def publish_answer(request: web.Request) -> web.Response:
    state = request.app[PAGES]
    if (refused := _refuse_failed_token(state, request)) is not None:
        return refused
    now = state.deps.clock.now()
    data = await request.post()
    async with state.deps.sessionmaker() as session:
        submission = await _check_post(session, state, request, data, "confirm", now, signed=True)
        if isinstance(submission, web.Response):
            return submission
        if data.get("action") == "edit" or submission.expired:
            page = await _page_for(session, state, submission.link, now)
            message = FORM_EXPIRED if data.get("action") != "edit" else None
            return _reshow(state, request, submission, page, now, message=message)
        result = await submit_answer(
            session, submission.link, to_form(submission.kind, submission.fields),
            idempotency_key=submission.claim.nonce, now=now,
            policy=state.deps.settings.policy, venues=state.deps.settings.venues,
            calendar=state.deps.calendar,
        )
        if result.outcome is AnswerOutcome.PUBLISHED:
            await _commit(state, session)
        else:
            await session.rollback()
    return await _after_publish(state, request, submission, result.outcome, result.errors, now)


async def public_page(request: web.Request) -> web.Response:
    state = request.app[PAGES]
    now = state.deps.clock.now()
    proposal_id = int(request.match_info["proposal_id"])
    cached = state.cache.get(("public", proposal_id))
    if cached is not None:
        return html_response(cached)
    page = await state.deps.read(
        lambda connection: read_public_page(connection, proposal_id, now, state.rules))
    if page is None:
        return _not_found(state)
    response = _render(state, "public.html", page=page, now=now, **_deadline_facts(page, now))
    state.cache.put(("public", proposal_id), proposal_id, response.text)
    return response


# ---- steps ----------------------------------------------------------------------------------


async def _read_reply(state: PageState, token: str, now: datetime) -> ReplyRead | None:
    """The link and its page in one read; a link found under the previous key is re-hashed
    in a transaction of its own (only during a key rotation)."""
    if not TOKEN_SHAPE.match(token):
        return None
    settings = state.deps.settings
    read = await state.deps.read(lambda connection: read_reply_page(
        connection, token, now, state.rules, settings.secret_key, settings.secret_key_previous))
    if read is not None and read.found.stale:
        async with state.deps.sessionmaker() as session:
            await keep_current(session, read.found)
            await session.commit()
    return read

async def _page_for(
    session: AsyncSession, state: PageState, link: LinkView, now: datetime
) -> ProposalPage:
    return await load_reply_page(session, link, now, state.deps.settings.policy,
                                 state.deps.calendar)


async def _commit(state: PageState, session: AsyncSession) -> None:
    """Commit, then wake the workers the transaction left work for (outbox rows)."""
    await session.commit()
    if targets := woken(session):
        state.deps.wake(*targets)


async def _check_post(
    session: AsyncSession,
    state: PageState,
    request: web.Request,
    data: MultiDictProxy[Any],
    token_field: str,
    now: datetime,
    *,
    signed: bool,
) -> Submission | web.Response:
    """The link, the kind and a verified form token; a ready error response otherwise."""
    link = await _resolve(session, state, request.match_info["token"], now)
    if link is None:
        return _lookup_failed(state, request)
    kind = _kind(data.get("kind"))
    if kind is None:
        return _forbidden(state)
    fields = normalise_fields(kind, data)
    digest = content_digest(fields) if signed else ""
    verdict = state.signer.verify(
        _text(data.get(token_field)), link_id=link.link_id, kind=kind, now=now, digest=digest
    )
    if verdict.claim is None:
        return _forbidden(state)
    return Submission(link, kind, fields, verdict.claim, verdict.check is TokenCheck.EXPIRED)


async def _after_publish(
    state: PageState,
    request: web.Request,
    submission: Submission,
    outcome: AnswerOutcome,
    errors: Mapping[str, str],
    now: datetime,
) -> web.Response:
    if outcome is AnswerOutcome.PUBLISHED:
        state.cache.drop_proposal(submission.link.proposal_id)
        token = request.match_info["token"]
        location = f"/r/{token}?published={submission.kind.value}"
        headers = {"Location": location, "Cache-Control": "no-store"}
        return web.Response(status=303, headers=headers)
    async with state.deps.sessionmaker() as session:
        page = await _page_for(session, state, submission.link, now)
    if outcome is AnswerOutcome.DUPLICATE:
        return _reply(state, request, submission.link, page, now, notice=ALREADY_PUBLISHED,
                      status=409)
    if outcome is AnswerOutcome.WRONG_STATE:
        return _moved_on(state, request, submission.link, page, now)
    return _reshow(state, request, submission, page, now, errors=errors)


def _preview(
    state: PageState, request: web.Request, submission: Submission, page: ProposalPage,
    now: datetime,
) -> web.Response:
    confirm = state.signer.issue(
        submission.link.link_id, submission.kind, now, nonce=submission.claim.nonce,
        digest=content_digest(submission.fields),
    )
    return _render(
        state, "preview.html", token=request.match_info["token"], link=submission.link,
        page=page, kind=submission.kind, fields=submission.fields, confirm=confirm,
        answer=preview_answer_view(submission, now),
        plan=read_plan(submission.fields.get("plan", ""), _today(state, now)).steps,
        reached=sorted(read_reached(submission.fields.get("reached", "")) or ()),
    )


def _reshow(
    state: PageState, request: web.Request, submission: Submission, page: ProposalPage,
    now: datetime, *, errors: Mapping[str, str] | None = None, message: str | None = None,
) -> web.Response:
    """The reply page again, with what was typed, the messages, and the same nonce."""
    csrf = state.signer.issue(
        submission.link.link_id, submission.kind, now, nonce=submission.claim.nonce
    )
    form = FormView(
        submission.kind, csrf, submission.fields,
        {name: state.t.gettext(ERROR_MESSAGES.get(code, "required"))
         for name, code in (errors or {}).items()},
        state.t.gettext(message) if message else None,
    )
    status = 422 if errors or message else 200
    return _reply(state, request, submission.link, page, now, active=form, status=status)


def _moved_on(
    state: PageState, request: web.Request, link: LinkView, page: ProposalPage, now: datetime
) -> web.Response:
    return _reply(state, request, link, page, now, notice=MOVED_ON, status=409)


def _reply(
    state: PageState,
    request: web.Request,
    link: LinkView,
    page: ProposalPage,
    now: datetime,
    *,
    notice: str | None = None,
    active: FormView | None = None,
    status: int = 200,
) -> web.Response:
    body = _reply_body(state, request, link, page, now, notice=notice, active=active)
    return html_response(body, status)


def _reply_body(
    state: PageState,
    request: web.Request,
    link: LinkView,
    page: ProposalPage,
    now: datetime,
    *,
    notice: str | None = None,
    active: FormView | None = None,
    placeholders: bool = False,
) -> str:
    """The reply page's HTML; with `placeholders`, the blank forms' tokens are placeholders
    (`_with_fresh_form_tokens` fills them)."""
    def fresh_token(kind: AnswerKind) -> str:
        return _placeholder(kind) if placeholders else state.signer.issue(link.link_id, kind, now)

    forms = [
        active if active is not None and active.kind is kind else FormView(kind, fresh_token(kind))
        for kind in FORM_KINDS if kind in page.allowed
    ]
    return _draw(
        state, "reply.html", token=request.match_info["token"], link=link,
        page=page, now=now, forms=forms, notice=state.t.gettext(notice) if notice else None,
        blank_form=state.blank_forms.fill,
        today=_today(state, now).isoformat(), **_deadline_facts(page, now),
    )


# ---- forms ----------------------------------------------------------------------------------


def normalise_fields(kind: AnswerKind, data: Mapping[str, Any]) -> dict[str, str]:
    """The kind's fields as strings; the money and date fields only when the decision accepts."""
    fields = {name: _text(data.get(name)) for name in FIELDS[kind]}
    if "plan" in fields:  # a browser sends a textarea's lines with CRLF, a hidden field's LF
        fields["plan"] = "\n".join(fields["plan"].splitlines())
    if "completed" in fields:
        fields["completed"] = "1" if fields["completed"] else ""
    if kind is AnswerKind.FINAL and fields["decision"] not in ACCEPTING:
        fields["expected_completion"] = fields["budget"] = fields["plan"] = ""
    return fields


def to_form(kind: AnswerKind, fields: Mapping[str, str]) -> AnswerForm:
    return AnswerForm(
        kind=kind,
        official_name=fields["official_name"],
        text=fields["text"],
        decision=fields.get("decision") or None,
        expected_completion=fields.get("expected_completion") or None,
        budget=fields.get("budget") or None,
        percent=fields.get("percent") or None,
        completed=fields.get("completed") == "1",
        plan=fields.get("plan") or None,
        reached=fields.get("reached") or None,
    )


def preview_answer_view(submission: Submission, now: datetime) -> AnswerView:
    """The answer exactly as it will be shown once published (it has no id yet)."""
    form = to_form(submission.kind, submission.fields)
    return AnswerView(
        id=0,
        kind=form.kind,
        decision=form.decision,
        text=mask_personal_data(clean_text(form.text))[0],
        official_name=mask_personal_data(clean_text(form.official_name))[0],
        department_name=submission.link.department_name,
        created_at=now,
        expected_completion=parse_completion(form.expected_completion),
        budget_krw=parse_krw(form.budget) if form.budget else None,
        percent=100 if form.completed else parse_percent(form.percent),
    )


# ---- helpers --------------------------------------------------------------------------------


async def _resolve(
    session: AsyncSession, state: PageState, token: str, now: datetime
) -> LinkView | None:
    if not TOKEN_SHAPE.match(token):
        return None
    settings = state.deps.settings
    link = await resolve_link(session, token, now, settings.secret_key,
                              settings.secret_key_previous)
    if link is not None and settings.secret_key_previous is not None:
        await session.commit()  # keeps a re-hash to the current key (see resolve_link)
    return link


def _refuse_failed_token(state: PageState, request: web.Request) -> web.Response | None:
    """A token that kept failing is refused without asking the database."""
    if state.failures.token_refused(request.match_info["token"]):
        return _too_many(state)
    return None


def _lookup_failed(state: PageState, request: web.Request) -> web.Response:
    """The same 404 for wrong, expired and revoked tokens, until the client or the token
    has failed too often; then 429. Valid tokens never get here."""
    client = client_address(request.remote, request.headers.getall("X-Forwarded-For", []),
                            state.deps.settings.trusted_proxies)
    if state.failures.record_failure(client, request.match_info["token"]):
        return _not_found(state)
    return _too_many(state)


def _too_many(state: PageState) -> web.Response:
    response = _render(state, "message.html", status=429, title=RATE_LIMITED_TEXT,
                       text=RATE_LIMITED_TEXT)
    response.headers["Retry-After"] = str(state.failures.retry_after())
    return response


def cross_site_refusal(request: web.Request) -> web.Response:
    """The 403 page for a POST from another site's page (the web app's Origin check)."""
    state = request.app.get(PAGES)
    if state is None:
        return web.Response(status=403, text="403 Forbidden")
    return _render(state, "message.html", status=403, title=CROSS_SITE_TITLE,
                   text=CROSS_SITE_TEXT)


def _not_found(state: PageState) -> web.Response:
    return _render(state, "message.html", status=404, title=NOT_FOUND_TITLE, text=NOT_FOUND_TEXT)


def _forbidden(state: PageState) -> web.Response:
    return _render(state, "message.html", status=403, title=FORBIDDEN_TEXT, text=FORBIDDEN_TEXT)


def _render(state: PageState, name: str, *, status: int = 200, **context: Any) -> web.Response:
    return html_response(_draw(state, name, **context), status)


def _draw(state: PageState, name: str, **context: Any) -> str:
    """`name` drawn with `context`, as `Template.render` draws it but for the globals: the
    environment's own dict (a template's globals are that and nothing more here), merged in
    one step, where `render` copied them out of a `ChainMap` key by key (about an eighth of
    drawing the public page)."""
    template = state.templates.get_template(name)
    variables = {**state.templates.globals, **context}
    try:
        return "".join(template.root_render_func(template.new_context(variables, shared=True)))
    except Exception:
        state.templates.handle_exception()


def html_response(body: str, status: int = 200) -> web.Response:
    """A page that is never kept by a browser or a proxy (it may change, or carry a form)."""
    response = web.Response(text=body, status=status, content_type=HTML, charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class CachedReply:
    """A rendered reply page whose form tokens are placeholders, filled per request."""

    link_id: int
    expires_at: datetime
    kinds: tuple[AnswerKind, ...]
    body: str


def _placeholder(kind: AnswerKind) -> str:
    return f"@@form-token-{kind.value}@@"


def _with_fresh_form_tokens(state: PageState, copy: CachedReply, now: datetime) -> web.Response:
    """Every visitor gets their own single-use form tokens, even from a cached page."""
    body = copy.body
    for kind in copy.kinds:
        body = body.replace(_placeholder(kind), state.signer.issue(copy.link_id, kind, now))
    return html_response(body)


def _deadline_facts(page: ProposalPage, now: datetime) -> dict[str, Any]:
    if page.due is None:
        return {"dday": None}
    return {"dday": format_dday(days_left(page.due, now))}


def _today(state: PageState, now: datetime) -> date:
    return now.astimezone(state.deps.settings.policy.timezone).date()


def _kind(raw: object) -> AnswerKind | None:
    try:
        return AnswerKind(_text(raw))
    except ValueError:
        return None


def _text(raw: object) -> str:
    return raw if isinstance(raw, str) else ""


def _date_label(t: Translator, d: date) -> str:
    pattern = "y년 M월 d일(E)" if t.language == "ko" else "EEE, MMM d, y"
    return format_date(d, pattern, locale=t.locale)
