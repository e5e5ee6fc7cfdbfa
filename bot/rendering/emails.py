"""Plain-text e-mails for department offices (Korean: officials read them at work)."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.events import (
    AnswerClock,
    AnswerEscalated,
    AnswerReminderD1,
    AnswerReminderD7,
    AnswerReminderOverdue,
    DepartmentLink,
    Event,
    HeadAnswerRequested,
    InterimMissing,
    InterimRequested,
    MilestoneDue,
    MilestoneLate,
    ProgressRequested,
)
from bot.domain.korean import with_josa
from bot.i18n import Translator
from bot.rendering.registry import EventRegistry

Email = tuple[str, str]  # subject, body
TEMPLATES: EventRegistry[Email] = EventRegistry()


@TEMPLATES.of(DepartmentLink)
def _link(t: Translator, event: DepartmentLink) -> Email:
    quoted_title = with_josa(f"「{event.title}」", "이/가")
    subject = f"[공감] 제안 {event.proposal_id}번 「{event.title}」 검토·답변 요청"
    body = (
        f"{event.department} 담당자님께,\n\n"
        f"주민 제안 {quoted_title} 공감 기준을 넘어 "
        f"{event.department}에 배정되었습니다.\n"
        "아래 링크에서 제안을 읽고 검토 결과와 답변을 올려 주세요. 텔레그램은 필요 없습니다.\n\n"
        f"{event.url}\n\n"
        "링크는 담당 부서 전용입니다. 다른 사람에게 전달하지 마세요.\n"
        "— 공감 (구민 제안 플랫폼)"
    )
    return subject, body


@TEMPLATES.of(HeadAnswerRequested)
def _head_link(t: Translator, event: HeadAnswerRequested) -> Email:
    subject = f"[공감] 제안 {event.proposal_id}번 「{event.title}」 구청장 답변 요청"
    body = (
        f"{event.department} 담당자님께,\n\n"
        f"주민 제안 「{event.title}」에 공감이 {event.count:,}개 모여 구청장 답변 대상이 "
        "되었습니다.\n"
        f"아래 링크에서 제안을 읽고 {t.deadline(event.due)}까지 구청장 답변을 올려 주세요. "
        "텔레그램은 필요 없습니다.\n\n"
        f"{event.url}\n\n"
        "링크는 구청장실 전용입니다. 다른 사람에게 전달하지 마세요.\n"
        "— 공감 (구민 제안 플랫폼)"
    )
    return subject, body


def _reminder(when: str) -> Callable[[Translator, AnswerClock], Email]:
    def render(t: Translator, event: AnswerClock) -> Email:
        subject = f"[공감] 제안 {event.proposal_id}번 답변 {when}"
        due = t.deadline(event.due)
        body = (
            f"제안 {event.proposal_id}번 「{event.title}」의 답변 기한은 {due}까지입니다.\n"
            "처음 받으신 답변 링크에서 답변해 주세요. 링크를 잃어버렸다면 운영진에게 새 링크를 "
            "요청해 주세요.\n— 공감"
        )
        return subject, body
    return render


TEMPLATES.add(AnswerReminderD7, _reminder("기한 1주일 전 알림"))
TEMPLATES.add(AnswerReminderD1, _reminder("기한 하루 전 알림"))
TEMPLATES.add(AnswerReminderOverdue, _reminder("기한 초과 알림"))


@TEMPLATES.of(InterimRequested)
def _interim_requested(t: Translator, event: InterimRequested) -> Email:
    subject = f"[공감] 제안 {event.proposal_id}번 중간답변 요청"
    body = (
        f"제안 {event.proposal_id}번 「{event.title}」의 답변 기간이 절반 지났습니다 "
        f"(답변 기한 {t.deadline(event.due)}까지).\n"
        "처음 받으신 답변 링크에서 중간답변을 올려 주세요. 지금 무엇을 하고 있는지와 "
        "최종 답변 예상일을 적으면 주민들에게 공개됩니다.\n— 공감"
    )
    return subject, body


@TEMPLATES.of(InterimMissing)
def _interim_missing(t: Translator, event: InterimMissing) -> Email:
    subject = f"[공감] 제안 {event.proposal_id}번 중간답변 없음"
    body = (
        f"제안 {event.proposal_id}번 「{event.title}」의 답변 기한({t.deadline(event.due)}까지)이 "
        "사흘 남았지만 중간답변이 없습니다. 공개 페이지에 「중간답변 없음」으로 표시되고 "
        "운영진에게도 알렸습니다.\n"
        "답변 링크에서 중간답변이나 최종 답변을 올려 주세요.\n— 공감"
    )
    return subject, body


@TEMPLATES.of(AnswerEscalated)
def _escalated(t: Translator, event: AnswerEscalated) -> Email:
    subject = f"[공감] 제안 {event.proposal_id}번 답변 기한 초과 ({event.department})"
    body = (
        f"{event.department} 부서장님께,\n\n"
        f"제안 {event.proposal_id}번 「{event.title}」의 최종 답변이 기한({t.deadline(event.due)}"
        f"까지)을 {event.days}일 넘겼습니다. 부서에는 이미 알렸습니다.\n"
        "담당자가 답변 링크에서 답변할 수 있도록 살펴 주세요. 답변이 올라올 때까지 운영진도 "
        "함께 확인합니다.\n— 공감"
    )
    return subject, body


@TEMPLATES.of(MilestoneDue)
def _milestone_due(t: Translator, event: MilestoneDue) -> Email:
    subject = f"[공감] 제안 {event.proposal_id}번 계획 {event.position}단계 기한 안내"
    number = with_josa(str(event.position), "을/를")
    body = (
        f"제안 {event.proposal_id}번 「{event.title}」의 답변에서 약속한 {event.position}단계 "
        f"「{event.step}」의 기한이 {t.deadline(event.due)}까지입니다.\n"
        f"마치면 아래 링크에서 진행 상황을 올리면서 마친 단계에 {number} 적어 "
        f"주세요.\n\n{event.url}\n\n— 공감"
    )
    return subject, body


@TEMPLATES.of(MilestoneLate)
def _milestone_late(t: Translator, event: MilestoneLate) -> Email:
    subject = f"[공감] 제안 {event.proposal_id}번 계획 {event.position}단계 지연"
    body = (
        f"제안 {event.proposal_id}번 「{event.title}」의 {event.position}단계 "
        f"「{event.step}」 기한({t.deadline(event.due)}까지)이 지났지만 완료로 표시되지 "
        "않았습니다. 공개 페이지에 「지연」으로 표시되고 제안을 지켜보는 주민들에게도 "
        f"알렸습니다.\n아래 링크에서 진행 상황을 올려 주세요.\n\n{event.url}\n\n— 공감"
    )
    return subject, body


@TEMPLATES.of(ProgressRequested)
def _progress_requested(t: Translator, event: ProgressRequested) -> Email:
    subject = f"[공감] 제안 {event.proposal_id}번 진행 상황 요청"
    body = (
        f"{event.department} 담당자님께,\n\n"
        f"제안 {event.proposal_id}번 「{event.title}」의 진행 상황이 "
        f"{t.day(t.local_day(event.since))} 이후 올라오지 않았습니다.\n"
        "아래 링크에서 지금 어디까지 진행되었는지 몇 줄과 진행률을 올려 주세요. 제안을 "
        f"지켜보는 주민들에게 전해집니다.\n\n{event.url}\n\n— 공감"
    )
    return subject, body


def render_email(event: Event, t: Translator) -> Email:
    """Subject and body; KeyError for events that have no e-mail form."""
    return TEMPLATES.render(t, event)
