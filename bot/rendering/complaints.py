"""Texts of 민원: the resident's notice that their 민원 was routed, and the kinds' names."""

from __future__ import annotations

from html import escape

from bot.domain.complaints import ComplaintKind
from bot.domain.events import ComplaintRouted
from bot.i18n import N_, Translator
from bot.rendering.registry import EventRegistry

COMPLAINT_TEMPLATES: EventRegistry[str] = EventRegistry()
KIND_LABELS: dict[str, str] = {
    ComplaintKind.QUESTION: N_("question about a system or procedure"),
    ComplaintKind.LAW_QUESTION: N_("question about a law"),
    ComplaintKind.SUGGESTION: N_("suggestion"),
    ComplaintKind.GRIEVANCE: N_("grievance"),
    ComplaintKind.OTHER: N_("everyday inconvenience"),
}


def kind_label(t: Translator, kind: str) -> str:
    return t.gettext(KIND_LABELS[kind]) if kind in KIND_LABELS else ""


@COMPLAINT_TEMPLATES.of(ComplaintRouted)
def _routed(t: Translator, event: ComplaintRouted) -> str:
    return t.gettext(
        "📮 Your 민원 「{title}」 went to {department} as a {kind}. It must be answered by "
        "{due}; we will send you the answer as soon as it comes."
    ).format(title=escape(event.title), department=escape(event.department),
             kind=kind_label(t, event.complaint_kind), due=t.deadline(event.due))
