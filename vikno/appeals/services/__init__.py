"""Writes of the case file. Every channel and every page ends in these functions."""

from vikno.appeals.services.assignment import (
    Routing,
    appeal_assign,
    reviewing_authority,
    suggest_authority,
)
from vikno.appeals.services.attachments import attachment_add, attachments_add
from vikno.appeals.services.control import (
    ControlReport,
    Decider,
    appeal_extend,
    appeal_forward,
    appeal_not_considered,
    appeal_return_missing_content,
    appeal_shorten,
    deadline_control,
    extension_decide,
    extension_request,
    head_decider,
)
from vikno.appeals.services.counts import counts_rebuild, stats_snapshot_refresh
from vikno.appeals.services.execution import (
    answer_review,
    appeal_answer_record,
    appeal_close,
    appeal_reopen,
    assignment_accept,
    feedback_record,
    reply_submit,
)
from vikno.appeals.services.notes import note_add
from vikno.appeals.services.notifications import notification_mark_read
from vikno.appeals.services.on_behalf import (
    Grounds,
    Letter,
    reply_record_on_behalf,
    return_record_on_behalf,
)
from vikno.appeals.services.registration import (
    AppealIntake,
    ApplicantData,
    QuestionData,
    appeal_register,
    applicant_create,
    applicant_update,
    clean_text,
    priority_recompute,
)
from vikno.appeals.services.search_index import search_reindex, vocabulary_fill
from vikno.appeals.services.tracking_codes import tracking_code_issue

__all__ = [
    "AppealIntake",
    "ApplicantData",
    "ControlReport",
    "Decider",
    "Grounds",
    "Letter",
    "QuestionData",
    "Routing",
    "answer_review",
    "appeal_answer_record",
    "appeal_assign",
    "appeal_close",
    "appeal_extend",
    "appeal_forward",
    "appeal_not_considered",
    "appeal_register",
    "appeal_reopen",
    "appeal_return_missing_content",
    "appeal_shorten",
    "applicant_create",
    "applicant_update",
    "assignment_accept",
    "attachment_add",
    "attachments_add",
    "clean_text",
    "counts_rebuild",
    "deadline_control",
    "extension_decide",
    "extension_request",
    "feedback_record",
    "head_decider",
    "note_add",
    "notification_mark_read",
    "priority_recompute",
    "reply_record_on_behalf",
    "reply_submit",
    "return_record_on_behalf",
    "reviewing_authority",
    "search_reindex",
    "stats_snapshot_refresh",
    "suggest_authority",
    "tracking_code_issue",
    "vocabulary_fill",
]
