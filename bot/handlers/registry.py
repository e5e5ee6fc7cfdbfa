"""All handlers in the order they must be registered."""

from __future__ import annotations

from telegram.ext import Application

from bot.flows import budget_ballot, proposal_wizard
from bot.handlers import (  # admin data  # moderation
    admin,
    answers,
    audit_log,
    broadcasts,
    budget_admin,  # participatory-budget rounds (admin)
    debates,
    errors,
    exports,
    fallback,
    moderation,
    my,
    polls,
    proposals,
    roles,
    settings,
    start,
    stats,
    tracking,
    verification,
)


def register_all(application: Application) -> None:
    """Order matters: tracking runs first (group -1); within group 0 the first match wins,
    so the wizard comes before the menu and the fallbacks come last."""
    tracking.register(application)
    application.add_handler(proposal_wizard.build(application))
    start.register(application)
    settings.register(application)
    proposals.register(application)
    my.register(application)
    answers.register(application)
    debates.register(application)
    polls.register(application)  # polls
    budget_ballot.register(application)  # participatory-budget ballot
    budget_admin.register(application)  # participatory-budget rounds (admin)
    verification.register(application)  # verification codes
    broadcasts.register(application)  # broadcasts
    stats.register(application)  # statistics
    exports.register(application)  # open data exports
    audit_log.register(application)  # audit log viewer
    roles.register(application)  # moderation: /grant, /revoke, /staff
    moderation.register(application)  # moderation: commands and work item buttons
    admin.register(application)  # moderation: the /admin menu
    fallback.register(application)
    errors.register(application)
