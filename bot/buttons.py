"""The one codec for inline-button data: short, versioned, at most 64 bytes, never trusted.

A button's data is `<prefix>:<version>:<field>:<field>…`. Parsing re-checks the prefix,
the version, the number of fields and their types; anything else is `None`, and the
handler that receives it must still re-load the row and re-check permission.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any, ClassVar, Self, get_type_hints

MAX_BYTES = 64
_SAFE_TEXT = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")


class CallbackData:
    """Base class: subclasses are frozen dataclasses with int and str fields."""

    prefix: ClassVar[str]
    version: ClassVar[int] = 1
    _registry: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, *, prefix: str, version: int = 1, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix in CallbackData._registry or ":" in prefix:
            raise ValueError(f"callback prefix {prefix!r} is taken or invalid")
        cls.prefix = prefix
        cls.version = version
        CallbackData._registry[prefix] = cls

    def pack(self) -> str:
        """Encode as button data; raises ValueError if it would not be valid."""
        parts = [self.prefix, str(self.version)]
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            text = str(value)
            if isinstance(value, str) and not _SAFE_TEXT.match(value):
                raise ValueError(f"{field.name}={value!r} cannot go into callback data")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """Decode data of this class; None for anything else (forged, stale or foreign)."""
        decoded = parse_any(data)
        return decoded if isinstance(decoded, cls) else None

    @classmethod
    def matches(cls, data: object) -> bool:
        """Pattern for `CallbackQueryHandler(pattern=…)`."""
        return cls.parse(data) is not None


def parse_any(data: object) -> CallbackData | None:
    """Decode button data of any registered class, or None."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    prefix, _, rest = data.partition(":")
    cls = CallbackData._registry.get(prefix)
    if cls is None:
        return None
    version, _, payload = rest.partition(":")
    if version != str(cls.version):
        return None
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    values = payload.split(":") if payload else []
    if len(values) != len(fields):
        return None
    hints = _field_types(prefix)
    converted: dict[str, Any] = {}
    for field, raw in zip(fields, values, strict=True):
        value = _convert(hints[field.name], raw)
        if value is None:
            return None
        converted[field.name] = value
    return cls(**converted)


@functools.cache
def _field_types(prefix: str) -> dict[str, Any]:
    """Resolved field annotations of the button kind `prefix`, computed once per kind
    (parsing runs on every tap)."""
    return get_type_hints(CallbackData._registry[prefix])


def _convert(kind: Any, raw: str) -> int | str | None:
    if kind is int:
        return int(raw) if re.fullmatch(r"-?\d{1,18}", raw) else None
    if kind is str:
        return raw if _SAFE_TEXT.match(raw) else None
    return None


@dataclasses.dataclass(frozen=True)
class LanguageChoice(CallbackData, prefix="l"):
    language: str


@dataclasses.dataclass(frozen=True)
class MenuChoice(CallbackData, prefix="m"):
    item: str


@dataclasses.dataclass(frozen=True)
class NotificationToggle(CallbackData, prefix="n"):
    muted: int


@dataclasses.dataclass(frozen=True)
class DigestToggle(CallbackData, prefix="dg"):
    """「하루 한 번 모아 받기」 on the settings screen: 1 = news once a day, 0 = as it happens."""

    daily: int


@dataclasses.dataclass(frozen=True)
class OpenProposal(CallbackData, prefix="p"):
    proposal_id: int


@dataclasses.dataclass(frozen=True)
class Endorse(CallbackData, prefix="e"):
    proposal_id: int


@dataclasses.dataclass(frozen=True)
class Unendorse(CallbackData, prefix="ue"):
    proposal_id: int


@dataclasses.dataclass(frozen=True)
class MuteProposal(CallbackData, prefix="mu"):
    proposal_id: int
    muted: int


@dataclasses.dataclass(frozen=True)
class ReportProposal(CallbackData, prefix="rp"):
    proposal_id: int


@dataclasses.dataclass(frozen=True)
class ReportReason(CallbackData, prefix="rr"):
    proposal_id: int
    reason: str


@dataclasses.dataclass(frozen=True)
class WithdrawProposal(CallbackData, prefix="wd"):
    proposal_id: int
    confirmed: int


@dataclasses.dataclass(frozen=True)
class ListPage(CallbackData, prefix="ls"):
    """A page of /proposals: sort (pop/new/end), filter (all, a<area index>, s<status>)."""

    sort: str
    filter: str
    page: int


@dataclasses.dataclass(frozen=True)
class ListFilters(CallbackData, prefix="lf"):
    kind: str


@dataclasses.dataclass(frozen=True)
class WizardStep(CallbackData, prefix="w"):
    """Wizard buttons: skip, submit, resume, restart, back to preview."""

    action: str


@dataclasses.dataclass(frozen=True)
class WizardChoice(CallbackData, prefix="wc"):
    """Picking the n-th configured area or category in the wizard."""

    field: str
    index: int


@dataclasses.dataclass(frozen=True)
class WizardEdit(CallbackData, prefix="we"):
    part: str


@dataclasses.dataclass(frozen=True)
class RateAnswer(CallbackData, prefix="ra"):
    proposal_id: int
    satisfied: int


@dataclasses.dataclass(frozen=True)
class RatingReason(CallbackData, prefix="ry"):
    """Why an answer disappointed: a listed reason's code, `type` (a sentence) or `skip`."""

    proposal_id: int
    reason: str


# ----- debates --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DebateStanceChoice(CallbackData, prefix="ds"):
    """찬성 / 반대 / 중립 on a debate card: stance is for, against or neutral."""

    proposal_id: int
    stance: str


@dataclasses.dataclass(frozen=True)
class DebateOpinions(CallbackData, prefix="do"):
    """A page of a debate's opinions: sort new / top / bal."""

    proposal_id: int
    sort: str
    page: int


@dataclasses.dataclass(frozen=True)
class DebateWrite(CallbackData, prefix="dw"):
    """Start (1) or cancel (0) writing an opinion."""

    proposal_id: int
    start: int


@dataclasses.dataclass(frozen=True)
class LikeOpinion(CallbackData, prefix="ol", version=2):
    """👍 on an opinion, remembering the list it was pressed in so that it can be redrawn."""

    opinion_id: int
    proposal_id: int
    sort: str
    page: int


@dataclasses.dataclass(frozen=True)
class ReportOpinion(CallbackData, prefix="or"):
    opinion_id: int


@dataclasses.dataclass(frozen=True)
class ReportOpinionReason(CallbackData, prefix="orr"):
    opinion_id: int
    reason: str


# ----- polls ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PollsOptIn(CallbackData, prefix="po"):
    """/polls toggle: 1 = receive resident polls, 0 = stop receiving them."""

    opt_in: int


@dataclasses.dataclass(frozen=True)
class BudgetNewsOptIn(CallbackData, prefix="bn"):
    """/budget_news toggle: 1 = hear when a budget vote opens, 0 = stop; pressed on the
    settings screen (settings=1), only that button is redrawn."""

    opt_in: int
    settings: int


# ----- participatory-budget ballot -------------------------------------------------------------
# Each carries the round id and the round's version (a fingerprint of phase, rules, projects
# and costs), so a button drawn before the round changed is recognised as stale.


@dataclasses.dataclass(frozen=True)
class BallotPage(CallbackData, prefix="vb"):
    """Show a page of the ballot (-1: where the resident left off); edit=1 opens the editor
    even after submitting (to change the ballot). Version 0: not drawn from a ballot (a
    reminder, the list of rounds), so there is nothing to be stale against."""

    round_id: int
    round_version: int
    page: int
    edit: int


@dataclasses.dataclass(frozen=True)
class BallotTap(CallbackData, prefix="vt"):
    """Toggle a project (t), add (p) or remove (m) a point, or show its details (i)."""

    round_id: int
    round_version: int
    project_id: int
    action: str
    page: int


@dataclasses.dataclass(frozen=True)
class BallotSubmit(CallbackData, prefix="vs"):
    """Submit: confirmed=0 shows the summary and asks, confirmed=1 records the ballot."""

    round_id: int
    round_version: int
    confirmed: int


# ----- moderation -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WorkAct(CallbackData, prefix="wk"):
    """A button on a moderators' work item: approve, reject (arg: reason index), assign (arg:
    department id), reasons / back (only redraw the buttons), restore, keep, remind, …"""

    item_id: int
    action: str
    arg: int


@dataclasses.dataclass(frozen=True)
class MergeConfirm(CallbackData, prefix="mgc"):
    """✅ on the merge question from /admin: merge `source` (the duplicate) into `target`."""

    source_id: int
    target_id: int


@dataclasses.dataclass(frozen=True)
class AssignTo(CallbackData, prefix="asg"):
    """`/assign`'s department buttons: give the proposal to this department."""

    proposal_id: int
    department_id: int


@dataclasses.dataclass(frozen=True)
class AdminMenu(CallbackData, prefix="am"):
    """A screen of /admin: a section, an optional detail (e.g. a status) and a page."""

    section: str
    detail: str
    page: int


@dataclasses.dataclass(frozen=True)
class AdminItem(CallbackData, prefix="ai"):
    """Open a work item from the /admin queue; `page`: the queue's page to go back to."""

    item_id: int
    page: int


@dataclasses.dataclass(frozen=True)
class AdminList(CallbackData, prefix="al"):
    """A page of the staff's proposal list; `query`: `bot.domain.admin_lists.ListQuery.code`.
    `action`: show, or an action on the list (search, pick a filter, type a page, select)."""

    action: str
    query: str


@dataclasses.dataclass(frozen=True)
class AdminProposal(CallbackData, prefix="ap"):
    """The staff's view of a proposal and its actions (arg: a reason index or 0); `query`:
    the list to go back to."""

    proposal_id: int
    action: str
    arg: int
    query: str


@dataclasses.dataclass(frozen=True)
class AdminPick(CallbackData, prefix="ak"):
    """Select or unselect one line (proposal_id > 0) or the whole page (0) for a bulk action."""

    proposal_id: int
    query: str


@dataclasses.dataclass(frozen=True)
class AdminBulk(CallbackData, prefix="ab"):
    """A bulk action on the selected lines: arg is the reason index or the department id
    (-1: choose it first); confirmed=0 asks, 1 does it."""

    action: str
    arg: int
    confirmed: int
    query: str


# ----- broadcasts and the audit log -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BroadcastAudience(CallbackData, prefix="bca"):
    """An audience for a draft: kind all / area / round / cat; value an index or a round id,
    -1 to list the choices."""

    broadcast_id: int
    kind: str
    value: int


@dataclasses.dataclass(frozen=True)
class BroadcastAction(CallbackData, prefix="bcx"):
    """send, cancel, or back (choose the audience again)."""

    broadcast_id: int
    action: str


@dataclasses.dataclass(frozen=True)
class AuditPage(CallbackData, prefix="aud"):
    """A page of /audit; `tag` names the filter kept in user_data (a stale list is refused)."""

    page: int
    tag: str


# ----- call-backs of offline proposals, residents' questions to the staff --------------------


@dataclasses.dataclass(frozen=True)
class CallbackPage(CallbackData, prefix="cbl"):
    """A page of 「📞 전화로 알려 주세요」 (/callbacks): one call-back a page."""

    page: int


@dataclasses.dataclass(frozen=True)
class CallbackDone(CallbackData, prefix="cbd"):
    """✅ on a call-back: the resident was phoned; `page` is where the list goes on."""

    item_id: int
    page: int


@dataclasses.dataclass(frozen=True)
class AskStaff(CallbackData, prefix="qs"):
    """「운영진에게 묻기」: the next message is a question to the staff."""


@dataclasses.dataclass(frozen=True)
class AnswerQuestion(CallbackData, prefix="qr"):
    """💬 답하기 on a question in the staff queue (`item_id`: its work item)."""

    item_id: int


@dataclasses.dataclass(frozen=True)
class CouncilApply(CallbackData, prefix="ca"):
    """The 주민자치회 application, one screen a step; the answers so far ride along (-1: not
    chosen yet), so nothing is kept between taps. `step` is a `bot.domain.council.Step`."""

    recruitment_id: int
    step: int
    age: int = -1
    sex: int = -1


@dataclasses.dataclass(frozen=True)
class CouncilWithdraw(CallbackData, prefix="cw"):
    """「신청 취소」, asked once (`confirmed` 0), then done (1)."""

    recruitment_id: int
    confirmed: int


@dataclasses.dataclass(frozen=True)
class CouncilOfferAnswer(CallbackData, prefix="co"):
    """A seat on the 주민자치회, offered: accepted (`accept` 1) or declined (0)."""

    application_id: int
    accept: int


@dataclasses.dataclass(frozen=True)
class AssemblyVote(CallbackData, prefix="av"):
    """The 주민총회's online ballot: the items chosen so far ride along as a bit mask (item n
    is bit n-1), so nothing is kept until the vote is cast. `action`: SHOW, REVIEW, CAST,
    or an item's number to choose or unchoose it."""

    SHOW: ClassVar[int] = 0
    REVIEW: ClassVar[int] = -1
    CAST: ClassVar[int] = -2

    assembly_id: int
    chosen: int
    action: int


@dataclasses.dataclass(frozen=True)
class AssemblySheets(CallbackData, prefix="as"):
    """「현장 집계표 보기」: the tally sheets' photos behind an assembly's paper totals."""

    assembly_id: int


@dataclasses.dataclass(frozen=True)
class ConsultRead(CallbackData, prefix="crd"):
    """「📖 읽고 참여하기」: a consultation's background, its arguments and the vote buttons."""

    consultation_id: int


@dataclasses.dataclass(frozen=True)
class ConsultVote(CallbackData, prefix="cvt"):
    """A consultation's option, chosen (again) until the close."""

    consultation_id: int
    choice: int


@dataclasses.dataclass(frozen=True)
class ConsultOpinion(CallbackData, prefix="cop"):
    """「✍️ 의견 남기기」 under one's choice: the next message is the opinion."""

    consultation_id: int


@dataclasses.dataclass(frozen=True)
class AccountLinkStart(CallbackData, prefix="lk"):
    """「🔗 계정 연결」 on the settings screen: show a one-time code to link KakaoTalk and
    Telegram (what /link and 「연결」 do)."""
