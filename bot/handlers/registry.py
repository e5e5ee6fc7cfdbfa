"""All handlers in the order they must be registered."""

from __future__ import annotations

from collections.abc import Callable

from telegram.ext import Application

from bot.flows import budget_ballot, proposal_wizard
from bot.handlers import (  # admin data  # moderation
    account_links,  # linking KakaoTalk and Telegram: /link, /unlink, 「연결」
    admin,
    admin_lists,
    answers,
    assembly,  # the 주민총회
    assigning,
    audit_log,
    broadcasts,
    budget_admin,  # participatory-budget rounds (admin)
    budget_news,
    callbacks,  # 「전화로 알려 주세요」: news for residents who proposed offline
    consultations,  # 「구가 묻습니다」
    council,  # the 주민자치회 recruitment
    debates,
    errors,
    exports,
    fallback,
    governance,  # the 협치회의
    moderation,
    my,
    polls,
    proposals,
    questions,  # 「운영진에게 묻기」
    roles,
    settings,
    start,
    stats,
    text_alerts,  # /text: a Kakao resident's number for 알림톡
    tracking,
    verification,
    workgroups,  # a proposal's 워킹그룹
)

# Order matters: tracking runs first (group -1); within group 0 the first match wins, so the
# wizard comes before the menu and the fallbacks come last.
IN_ORDER: tuple[Callable[[Application], None], ...] = (
    tracking.register,
    proposal_wizard.register,
    start.register,
    settings.register,
    text_alerts.register,  # /text: 알림톡/SMS for residents not on Telegram
    proposals.register,
    my.register,
    assigning.register,  # /assign by name, number or tap
    answers.register,
    debates.register,
    polls.register,  # polls
    budget_ballot.register,  # participatory-budget ballot
    budget_news.register,  # news of budget votes: /budget_news and its toggles
    budget_admin.register,  # participatory-budget rounds (admin)
    verification.register,  # verification codes
    account_links.register,  # /link, /unlink, 「연결」, 「연결 해제」
    council.register,  # the 주민자치회 recruitment: /council and the admins' commands
    assembly.register,  # the 주민총회: /assembly, its ballot, the desks' and admins' commands
    governance.register,  # the 협치회의: members, meetings, agenda, votes, 권고 (/hyeopchi…)
    workgroups.register,  # a proposal's 워킹그룹: staff attach residents, who report
    consultations.register,  # 「구가 묻습니다」: /consult, its buttons, /consult_new
    broadcasts.register,  # broadcasts
    stats.register,  # statistics
    exports.register,  # open data exports
    audit_log.register,  # audit log viewer
    roles.register,  # moderation: /grant, /revoke, /staff
    moderation.register,  # moderation: commands and work item buttons
    admin.register,  # moderation: the /admin menu
    callbacks.register,  # offline proposals: /callbacks
    questions.register,  # residents' questions to the staff: /ask, 💬 답하기
    admin_lists.register,  # the /admin menu's items, proposal lists and bulk actions
    fallback.register,
    errors.register,
)


def register_all(application: Application) -> None:
    """Register every module's handlers in the order of `IN_ORDER`."""
    for register in IN_ORDER:
        register(application)
