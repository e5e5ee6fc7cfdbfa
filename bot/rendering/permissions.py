"""The polite words for a refusal of the permission rules (`bot.domain.permissions`)."""

from __future__ import annotations

from bot.domain.permissions import RefusalReason, Refused
from bot.i18n import Translator
from bot.rendering.moderation import ban_notice


def refusal_text(t: Translator, refused: Refused) -> str:
    """The text that tells the person why not; HTML (a ban's reason is escaped)."""
    if refused.ban is not None:  # BANNED: until when and why
        ban = refused.ban
        return ban_notice(t, ban.until, ban.reason, ban.permanent)
    texts = {
        RefusalReason.MODERATORS_ONLY: t.gettext("This is for moderators only."),
        RefusalReason.ADMINS_ONLY: t.gettext("This is for administrators only."),
        RefusalReason.OWN_PROPOSAL: t.gettext("You cannot endorse your own proposal."),
        RefusalReason.OWN_OPINION: t.gettext("You cannot 👍 your own opinion."),
        RefusalReason.NOT_AUTHOR: t.gettext(
            "Only the author of a proposal found not feasible can ask, with a reason of at least "
            "10 characters."),
        RefusalReason.NOT_FOLLOWER: t.gettext(
            "Only residents who followed this proposal can rate its answer."),
    }
    return texts[refused.reason]
