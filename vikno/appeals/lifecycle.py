"""Statuses of appeals and assignments and the only tables of allowed moves between them.

Every status change in Vikno goes through `appeal_transition_check` / `assignment_transition_check`;
the tables below are the whole truth, and tests walk every pair of them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vikno.appeals.errors import AppealsError, illegal_transition


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    IN_WORK = "in_work", _("In work")
    ANSWERED = "answered", _("Answered")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
    CLOSED = "closed", _("Closed")
    RETURNED_FOR_REVISION = "returned_for_revision", _("Returned for revision")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    NOT_CONSIDERED = "not_considered", _("Not subject to consideration")
    RETURNED_MISSING_CONTENT = "returned_missing_content", _("Returned: required content missing")


S = AppealStatus

APPEAL_TRANSITIONS: dict[AppealStatus, frozenset[AppealStatus]] = {
    S.REGISTERED: frozenset({S.ASSIGNED, S.FORWARDED, S.NOT_CONSIDERED, S.RETURNED_MISSING_CONTENT}),
    # Assigned → registered: every executor returned it as "not in our competence"; the centre
    # re-routes it (within 5 days) or forwards it out. Appeals are routed as they are registered,
    # so the centre's ст.8 / ст.5 decisions stay open until an executor takes it into work.
    S.ASSIGNED: frozenset({S.IN_WORK, S.REGISTERED, S.FORWARDED, S.NOT_CONSIDERED,
                           S.RETURNED_MISSING_CONTENT}),
    # In work → assigned: a supervisor re-routes it to another executor. The ст.8 decision may
    # still be taken once an executor has started (the executor may be the one who finds it).
    S.IN_WORK: frozenset({S.ANSWERED, S.REGISTERED, S.ASSIGNED, S.NOT_CONSIDERED}),
    S.ANSWERED: frozenset({S.AWAITING_CONFIRMATION, S.RETURNED_FOR_REVISION, S.CLOSED}),
    S.AWAITING_CONFIRMATION: frozenset({S.CLOSED, S.RETURNED_FOR_REVISION}),
    S.RETURNED_FOR_REVISION: frozenset({S.IN_WORK, S.ANSWERED, S.ASSIGNED}),
    # A supervisor may reopen a closed appeal (e.g. the problem came back in a week).
    S.CLOSED: frozenset({S.RETURNED_FOR_REVISION}),
    # A wrong "not considered" decision is reopened by a supervisor.
    S.NOT_CONSIDERED: frozenset({S.REGISTERED}),
    S.FORWARDED: frozenset(),
    S.RETURNED_MISSING_CONTENT: frozenset(),
}

OPEN_STATUSES = frozenset(
    {S.REGISTERED, S.ASSIGNED, S.IN_WORK, S.ANSWERED, S.AWAITING_CONFIRMATION,
     S.RETURNED_FOR_REVISION}
)
# Statuses in which the executors still owe work: a past control date makes them overdue.
UNDER_CONTROL_STATUSES = frozenset({S.REGISTERED, S.ASSIGNED, S.IN_WORK, S.RETURNED_FOR_REVISION})
# Statuses in which no term runs any more: forwarded to the competent body (ст.7), not subject to
# consideration (ст.8), returned for missing content (ст.5), closed. No countdown, no warning date.
NO_TERM_STATUSES = frozenset({S.FORWARDED, S.NOT_CONSIDERED, S.RETURNED_MISSING_CONTENT, S.CLOSED})


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_WORK = "in_work", _("In work")
    ANSWERED = "answered", _("Answered")
    FOR_REVISION = "for_revision", _("For revision")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned: not in competence")
    CANCELLED = "cancelled", _("Cancelled")


A = AssignmentStatus

ASSIGNMENT_TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    A.ASSIGNED: frozenset({A.IN_WORK, A.RETURNED, A.CANCELLED}),
    A.IN_WORK: frozenset({A.ANSWERED, A.RETURNED, A.CANCELLED}),
    A.ANSWERED: frozenset({A.CLOSED, A.FOR_REVISION}),
    A.FOR_REVISION: frozenset({A.IN_WORK, A.ANSWERED, A.CANCELLED}),
    A.CLOSED: frozenset({A.FOR_REVISION}),
    A.RETURNED: frozenset(),
    A.CANCELLED: frozenset(),
}

ACTIVE_ASSIGNMENT_STATUSES = frozenset({A.ASSIGNED, A.IN_WORK, A.ANSWERED, A.FOR_REVISION})
# Assignments still owing work: overdue past their date, reminded, escalated, cancelled when the
# appeal leaves the region's executors.
OWING_STATUSES = frozenset({A.ASSIGNED, A.IN_WORK, A.FOR_REVISION})
# A main executor's answer that settles its question's control date (kept when its appeal closes):
# a question without one is owed, and Appeal.next_due is the earliest date of those.
ANSWERED_STATUSES = frozenset({A.ANSWERED, A.CLOSED})
# The assignments that name an appeal's executors (a closed appeal still shows who executed it);
# the first main one of them gives Appeal.executor_key.
SHOWN_ASSIGNMENT_STATUSES = ACTIVE_ASSIGNMENT_STATUSES | {A.CLOSED}


class TransitionAction(models.TextChoices):
    """The lines of an appeal's history (Transition.action): status moves and the steps that
    change no status (re-routing, extensions, repeats). The labels are the card's words."""

    ASSIGN = "assign", _("Routed to the executors")
    REROUTE = "reroute", _("Re-routed")
    ACCEPT = "accept", _("Taken into work")
    ANSWER = "answer", _("Answered by the executors")
    RETURNED_NOT_IN_COMPETENCE = "returned_not_in_competence", _("Returned: not in competence")
    ANSWER_ACCEPTED = "answer_accepted", _("Answer accepted by the centre")
    ANSWER_REJECTED = "answer_rejected", _("Answer sent back for revision")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed by the applicant")
    CONFIRM = "confirm", _("Confirmed by the applicant")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    FORWARD = "forward", _("Forwarded to the competent body")
    NOT_CONSIDERED = "not_considered", _("Not subject to consideration")
    RETURN_MISSING_CONTENT = "return_missing_content", _("Returned: required content missing")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENDED = "extended", _("Term extended")
    SHORTENED = "shortened", _("Term shortened")
    REPEATED = "repeated", _("Repeated appeal registered")
    RECORDED_ON_BEHALF = "recorded_on_behalf", _("Answer received outside Vikno recorded")


def appeal_can_move(current: str, target: str) -> bool:
    return AppealStatus(target) in APPEAL_TRANSITIONS[AppealStatus(current)]


def appeal_transition_check(current: str, target: str) -> None:
    """Raise AppealsError (code illegal_transition) unless current → target is in the table."""
    if not appeal_can_move(current, target):
        raise illegal_transition(str(AppealStatus(current).label), str(AppealStatus(target).label))


def assignment_can_move(current: str, target: str) -> bool:
    return AssignmentStatus(target) in ASSIGNMENT_TRANSITIONS[AssignmentStatus(current)]


def assignment_transition_check(current: str, target: str) -> None:
    if not assignment_can_move(current, target):
        raise illegal_transition(str(AssignmentStatus(current).label),
                                 str(AssignmentStatus(target).label))


__all__ = [
    "ANSWERED_STATUSES",
    "APPEAL_TRANSITIONS",
    "ASSIGNMENT_TRANSITIONS",
    "OWING_STATUSES",
    "AppealStatus",
    "AppealsError",
    "AssignmentStatus",
    "TransitionAction",
    "appeal_transition_check",
    "assignment_transition_check",
]
