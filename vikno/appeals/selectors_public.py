"""What the applicant sees of their appeal on the public portal, by number and tracking code.

Only what the applicant is owed by the Law (ст.19, ст.20): the status, the control date, the
forwarding, the extensions with their reasons and new dates, the answers as the applicant was
sent them. Nothing about other applicants, and no staff member's name (no executor, operator,
signatory or decider), no internal note. Every successful read is recorded on the audit trail
here (`appeal.track`), so any interface that shows it is audited the same way.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date, datetime

from vikno.appeals import tracking
from vikno.appeals.lifecycle import AppealStatus, TransitionAction
from vikno.appeals.models import (
    Appeal,
    Extension,
    ExtensionStatus,
    Feedback,
    Notice,
    Transition,
)
from vikno.appeals.models.work import NoticeKind, ReplyResult
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.directory.models import Authority

FEEDBACK_STATUSES = (AppealStatus.AWAITING_CONFIRMATION, AppealStatus.ANSWERED)
MAX_NUMBER_LENGTH = 32


@dataclass(frozen=True)
class PublicExtension:
    reason: str
    new_due_date: date


@dataclass(frozen=True)
class PublicAnswer:
    authority_name: str  # as the directory names it (the nominative): never put into a case
    result: str
    result_label: str
    text: str
    letter_number: str
    letter_date: date | None


@dataclass(frozen=True)
class PublicAppeal:
    """The applicant's view. `access` is what the portal keeps in the session to open it again
    without the code (the appeal's id and the code's hash: a new code ends the old access)."""

    number: str
    kind: str
    kind_label: str
    status: str
    received_at: datetime
    due_date: date | None
    forwarded_to: str
    closed_at: datetime | None
    extensions: list[PublicExtension] = field(default_factory=list)
    answers: list[PublicAnswer] = field(default_factory=list)
    feedback_given: bool = False
    repeat_number: str = ""
    access: tuple[int, str] = (0, "")

    @property
    def awaits_feedback(self) -> bool:
        return self.status in FEEDBACK_STATUSES and not self.feedback_given


def appeal_for_tracking(*, number: str, code: str) -> Appeal | None:
    """The appeal whose number and tracking code both match, else None (the same cost and the
    same answer whichever of the two was wrong)."""
    number = (number or "").strip()[:MAX_NUMBER_LENGTH]
    appeal = Appeal.objects.filter(number=number).first() if number else None
    if not tracking.matches(appeal.tracking_hash if appeal else None, code):
        return None
    return appeal


def appeal_for_access(*, access: tuple[int, str] | list[object] | None) -> Appeal | None:
    """The appeal the session's kept access opens, while its code is still the current one."""
    if not access or len(access) != 2:
        return None
    appeal_id, key = access
    if not isinstance(appeal_id, int) or not isinstance(key, str) or not key:
        return None
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None or not hmac.compare_digest(appeal.tracking_hash, key):
        return None
    return appeal


def _answers(appeal: Appeal) -> list[PublicAnswer]:
    """The answers as the applicant was sent them (the notices of ст.15/ст.19)."""
    notice = Notice.objects.filter(appeal=appeal, kind=NoticeKind.ANSWERED).order_by("-id").first()
    rows: list[dict[str, object]] = list(notice.params.get("answers") or []) if notice else []
    codes = {str(row.get("authority") or "") for row in rows}
    names = dict(Authority.objects.filter(code__in=codes).values_list("code", "name"))
    results = dict(ReplyResult.choices)
    answers = []
    for row in rows:
        raw_date = row.get("outgoing_date")
        answers.append(PublicAnswer(
            authority_name=names.get(str(row.get("authority") or ""), ""),
            result=str(row.get("result") or ""),
            result_label=str(results.get(str(row.get("result") or ""), "")),
            text=str(row.get("text") or ""),
            letter_number=str(row.get("outgoing_number") or ""),
            letter_date=date.fromisoformat(raw_date) if isinstance(raw_date, str) else None))
    return answers


def _repeat_number(appeal: Appeal) -> str:
    row = (Transition.objects.filter(appeal=appeal, action=TransitionAction.REPEATED)
           .order_by("-id").values_list("params", flat=True).first())
    return str((row or {}).get("repeat") or "")


def appeal_public_view(*, appeal: Appeal) -> PublicAppeal:
    """The applicant's view of `appeal` (found by appeal_for_tracking or appeal_for_access),
    recorded on the audit trail as read by the applicant (never with the code)."""
    extensions = [PublicExtension(reason=e.reason, new_due_date=e.new_due_date)
                  for e in Extension.objects.filter(appeal=appeal, status=ExtensionStatus.APPROVED)
                  .order_by("id")]
    view = PublicAppeal(
        number=appeal.number, kind=appeal.kind, kind_label=str(appeal.get_kind_display()),
        status=appeal.status, received_at=appeal.received_at, due_date=appeal.due_date,
        forwarded_to=appeal.forwarded_to if appeal.status == AppealStatus.FORWARDED else "",
        closed_at=appeal.closed_at, extensions=extensions, answers=_answers(appeal),
        feedback_given=Feedback.objects.filter(appeal=appeal).exists(),
        repeat_number=_repeat_number(appeal), access=(appeal.pk, appeal.tracking_hash))
    audit.record(actor=tracking.APPLICANT, action=AuditAction.APPEAL_TRACK, obj=appeal,
                 object_label=appeal.number)
    return view
