"""The district's rules (DESIGN.md §3): the numbers that shape the proposal lifecycle, the
moderation and answer rules, and the local clock they are read on. Read from the settings
and passed to the services and the rules as one value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from bot.domain.complaints import DEFAULT_PERIODS, Periods
from bot.domain.digest import DEFAULT_DIGEST_AT
from bot.domain.quiet_hours import QuietHours


@dataclass(frozen=True)
class Policy:
    """Thresholds and windows: defaults are Seoul's (50 공감 within 30 days, and so on)."""

    endorsement_threshold: int = 50
    collection_days: int = 30
    review_days: int = 14
    debate_days: int = 30
    answer_days: int = 30
    closing_soon_days: int = 3
    closing_soon_below_percent: int = 80
    almost_there_percent: int = 10
    daily_proposal_limit: int = 3
    # moderation: hold new proposals for a moderator; hide after this many reports
    pre_moderation: bool = False
    report_hide_threshold: int = 3
    # 공감 needs a phone number shared once (ENDORSEMENT_REQUIRES=contact)
    endorsement_requires_contact: bool = False
    # answers: 공감 from which the head of the district answers (None: never), and the
    # business days the head's office has from then (None: the answer window)
    head_answer_threshold: int | None = None
    head_answer_days: int | None = None
    # 공감 from which the public debate opens without waiting for a moderator (None: never)
    debate_auto_threshold: int | None = None
    reply_link_days: int = 60
    # after an accepting answer: the department is reminded this many days before each step
    # of its plan, and asked for a progress update this many days after the last one
    milestone_reminder_days: int = 7
    progress_update_days: int = 30
    recommendation_response_days: int = 30  # 협치회의 권고: the 구청장's answer, business days
    # 민원: the 처리기간 of each kind (bot/domain/complaints.py)
    complaint_periods: Periods = DEFAULT_PERIODS
    # an answer is disputed when more than this share of at least this many responses
    # is dissatisfied
    dissatisfaction_percent: int = 30
    dissatisfaction_min_responses: int = 10
    quiet_hours: QuietHours = QuietHours()
    # 「하루 한 번 모아 받기」: when residents who chose it get their non-urgent news, local time
    daily_digest_at: time = DEFAULT_DIGEST_AT
    timezone: ZoneInfo = ZoneInfo("Asia/Seoul")
