"""Words shared by the bot and the web pages (no Telegram imports, so both can use them)."""

from __future__ import annotations

from bot.domain.answers import AnswerKind, Feasibility, FinalDecision
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import N_, Translator

S = ProposalStatus
STATUS_LABELS: dict[ProposalStatus, str] = {
    S.PENDING_MODERATION: N_("waiting for moderation"),
    S.COLLECTING: N_("gathering 공감"),
    S.UNDER_REVIEW: N_("under department review"),
    S.NOT_FEASIBLE: N_("found not feasible"),
    S.IN_DEBATE: N_("in debate"),
    S.AWAITING_ANSWER: N_("awaiting the answer"),
    S.ANSWERED: N_("answered"),
    S.IN_PROGRESS: N_("being carried out"),
    S.COMPLETED: N_("completed"),
    S.EXPIRED: N_("closed (period over)"),
    S.WITHDRAWN: N_("withdrawn"),
    S.REJECTED: N_("not published"),
}

# ----- department answers: shared by the web pages and the staff view ----------------------
ANSWER_KIND_LABELS: dict[str, str] = {
    AnswerKind.FEASIBILITY: N_("Feasibility review"),
    AnswerKind.INTERIM: N_("Interim answer"),
    AnswerKind.FINAL: N_("Final answer"),
    AnswerKind.PROGRESS: N_("Progress update"),
}
DECISION_LABELS: dict[str, str] = {
    Feasibility.FEASIBLE: N_("Can be reviewed"),
    Feasibility.NOT_FEASIBLE: N_("Not feasible"),
    FinalDecision.ACCEPTED: N_("Accepted"),
    FinalDecision.PARTIAL: N_("Partly accepted"),
    FinalDecision.REJECTED: N_("Not accepted"),
    FinalDecision.LONG_TERM: N_("Long-term review"),
}

HIDDEN_TEXT = N_("This post is hidden under the operating rules.")


def status_label(t: Translator, status: ProposalStatus) -> str:
    return t.gettext(STATUS_LABELS[status])


# ----- moderation: marks shared by the card and the public page ------------------------------
OFFLINE_CHANNEL_LABELS = {
    "paper": N_("on paper"),
    "phone": N_("by phone"),
    "center": N_("at a 동 주민센터"),
}


def moderation_marks(t: Translator, offline_channel: str | None,
                     merged_into_id: int | None, district: bool = False,
                     complaint: bool = False) -> list[str]:
    """The plain-text marks, when they apply.

    「📮 민원」, 「🏛 구 제안」, 「📮 오프라인 접수 (전화)」 and 「➡️ 제안 12번으로 합쳐졌어요」.
    """
    marks = [t.gettext("📮 민원: answered by the department without 공감")] if complaint else []
    if district:
        marks.append(t.gettext("🏛 District proposal: put forward by the district"))
    if offline_channel:
        how = t.gettext(OFFLINE_CHANNEL_LABELS.get(offline_channel, N_("offline")))
        marks.append(t.gettext("📮 Received offline ({how})").format(how=how))
    if merged_into_id:
        marks.append(t.gettext("➡️ Merged into proposal #{id}").format(id=merged_into_id))
    return marks
