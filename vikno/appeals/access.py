"""Who may see and do what with appeals. The only way interfaces fetch appeals for a user.

- operators and supervisors (the centre) see every appeal;
- an executor sees only appeals with an assignment of its own authority still in force;
- analysts, security and system administrators see no appeal (analysts get aggregates only);
- a partner system's key not bound to an authority (its system account has no role) sees only
  the appeals it registered itself, with the personal data it sent;
- applicants' personal data: the centre and the main executor; a co-executor sees it unless the
  applicant asked for confidentiality (ст.10: "except to those who decide the case").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from vikno.accounts.access import role_of
from vikno.accounts.roles import CASE_ROLES, CENTRE_ROLES, Role
from vikno.appeals.errors import forbidden, not_found
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OWING_STATUSES,
    UNDER_CONTROL_STATUSES,
    AppealStatus,
    AssignmentStatus,
    appeal_can_move,
)
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, Extension, ExtensionStatus
from vikno.appeals.services.attachments import CLOSED_TO_ATTACHMENTS
from vikno.directory.models import Authority

S = AppealStatus


class Action(StrEnum):
    VIEW = "view"
    REGISTER = "register"
    ROUTE = "route"  # first routing of a registered appeal, or re-routing
    EXTEND = "extend"
    SHORTEN = "shorten"
    DECIDE_EXTENSION = "decide_extension"
    REVIEW = "review"
    FEEDBACK = "feedback"
    CLOSE = "close"
    REOPEN = "reopen"
    FORWARD = "forward"
    NOT_CONSIDER = "not_consider"
    RETURN = "return"
    ATTACH = "attach"  # add files (letter scans, photos, documents) to the case file
    ANSWER_RECORD = "answer_record"  # the answer's index and date and the file number on the card


# Centre actions by role; each also needs the appeal's status to allow it (see _status_allows).
CENTRE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OPERATOR: frozenset({Action.VIEW, Action.REGISTER, Action.ROUTE, Action.FEEDBACK,
                              Action.ATTACH}),
    Role.SUPERVISOR: frozenset(Action),
}

# Executor actions on one assignment; ATTACH adds the reply documents to the case file.
ACCEPT, REPLY, REQUEST_EXTENSION, ATTACH = "accept", "reply", "request_extension", "attach"
# The centre's action on an assignment: record the body's answer that came by letter or e-mail.
ON_BEHALF = "answer_on_behalf"


def executor_authority(user: Any) -> Authority | None:
    if role_of(user) != Role.EXECUTOR:
        return None
    membership = getattr(user, "membership", None)
    return membership.authority if membership is not None else None


def is_partner_account(user: Any) -> bool:
    """The system account of a partner's key not bound to an authority: no role, and named after
    its key (`api.<prefix>`, accounts.api_keys). Staff accounts always hold a role."""
    return (role_of(user) == "" and getattr(user, "is_authenticated", False)
            and bool(getattr(user, "is_active", False))
            and str(getattr(user, "username", "")).startswith("api."))


def can_register(user: Any) -> bool:
    return role_of(user) in CENTRE_ROLES


def sees_appeals(user: Any) -> bool:
    return role_of(user) in CASE_ROLES or is_partner_account(user)


def appeals_visible_to(user: Any) -> QuerySet[Appeal]:
    role = role_of(user)
    if role in CENTRE_ROLES:
        return Appeal.objects.all()
    if is_partner_account(user):
        return Appeal.objects.filter(registered_by=user)
    authority = executor_authority(user)
    if authority is None:
        return Appeal.objects.none()
    # The appeal kept on the assignment, read with it from the index (authority, status): no
    # join through the questions (ADR lists).
    return Appeal.objects.filter(
        pk__in=Assignment.objects.filter(
            authority=authority, status__in=[*ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus.CLOSED]
        ).values("appeal_id")
    )


def appeal_get_for(*, user: Any, number: str) -> Appeal:
    """The appeal, if this user may see it. Raises PermissionDenied for roles that see no appeals,
    NotFound when it does not exist or belongs to another executor (its existence is not revealed)."""
    if not sees_appeals(user):
        raise forbidden()
    appeal = (appeals_visible_to(user).select_related("applicant", "territory")
              .filter(number=number).first())
    if appeal is None:
        raise not_found()
    return appeal


def _status_allows(action: Action, appeal: Appeal) -> bool:
    status = S(appeal.status)
    rules = {
        Action.VIEW: True,
        Action.REGISTER: False,
        Action.ROUTE: status in (S.REGISTERED, S.ASSIGNED, S.IN_WORK, S.RETURNED_FOR_REVISION),
        Action.EXTEND: status in UNDER_CONTROL_STATUSES | {S.ANSWERED},
        Action.SHORTEN: status in UNDER_CONTROL_STATUSES,
        Action.DECIDE_EXTENSION: appeal.extensions.filter(status=ExtensionStatus.REQUESTED).exists(),
        Action.REVIEW: status == S.ANSWERED,
        Action.FEEDBACK: status in (S.ANSWERED, S.AWAITING_CONFIRMATION),
        Action.CLOSE: status in (S.ANSWERED, S.AWAITING_CONFIRMATION),
        Action.REOPEN: status in (S.CLOSED, S.NOT_CONSIDERED),
        Action.FORWARD: appeal_can_move(status, S.FORWARDED),
        Action.NOT_CONSIDER: appeal_can_move(status, S.NOT_CONSIDERED),
        Action.RETURN: appeal_can_move(status, S.RETURNED_MISSING_CONTENT),
        Action.ATTACH: status not in CLOSED_TO_ATTACHMENTS,
        Action.ANSWER_RECORD: status in (S.ANSWERED, S.AWAITING_CONFIRMATION, S.CLOSED),
    }
    return bool(rules[action])


def appeal_actions(*, user: Any, appeal: Appeal) -> frozenset[Action]:
    """Centre actions this user may take on this appeal now."""
    role = role_of(user)
    if role == Role.EXECUTOR:
        # Only on an appeal the executor may see at all (its authority has an assignment on it).
        visible = appeals_visible_to(user).filter(pk=appeal.pk).exists()
        return frozenset({Action.VIEW}) if visible else frozenset()
    allowed = CENTRE_ACTIONS.get(role, frozenset())
    if role == Role.OPERATOR and appeal.status != S.REGISTERED:
        # Operators route new appeals; re-routing work in progress is the supervisor's decision.
        allowed = allowed - {Action.ROUTE}
    return frozenset(a for a in allowed if _status_allows(a, appeal))


def appeal_require(*, user: Any, appeal: Appeal, action: Action) -> None:
    if action not in appeal_actions(user=user, appeal=appeal):
        raise forbidden()


def assignment_actions(*, user: Any, assignment: Assignment) -> frozenset[str]:
    if role_of(user) in CENTRE_ROLES:
        # The centre answers for no body, but records a body's answer received outside Vikno.
        return frozenset({ON_BEHALF}) if assignment.status in OWING_STATUSES else frozenset()
    authority = executor_authority(user)
    if authority is None or assignment.authority_id != authority.pk:
        return frozenset()
    status = AssignmentStatus(assignment.status)
    actions = set()
    if status in (AssignmentStatus.ASSIGNED, AssignmentStatus.FOR_REVISION):
        actions.add(ACCEPT)
    if status in OWING_STATUSES:
        # The documents go with the answer: while the executor may answer, it may attach them.
        actions.update({REPLY, ATTACH})
    if status in OWING_STATUSES and assignment.role == AssignmentRole.MAIN:
        actions.add(REQUEST_EXTENSION)
    return frozenset(actions)


def assignment_get_for(*, user: Any, pk: int, action: str) -> Assignment:
    """An assignment the executor may act on (`action` in accept/reply/request_extension/attach),
    or the centre may record an answer on (`ON_BEHALF`)."""
    centre = role_of(user) in CENTRE_ROLES
    authority = executor_authority(user)
    if authority is None and not centre:
        raise forbidden()
    assignment = (Assignment.objects.select_related("question__appeal", "authority")
                  .filter(pk=pk).first())
    own = centre or (assignment is not None and authority is not None
                     and assignment.authority_id == authority.pk)
    if assignment is None or not own:
        # Another authority's assignment is "not found": its existence is not revealed.
        raise not_found()
    if action not in assignment_actions(user=user, assignment=assignment):
        raise forbidden()
    return assignment


def is_body_head(*, user: Any, authority_id: int | None) -> bool:
    """ст.20: the head of the body (or a deputy), marked on the executor's membership."""
    authority = executor_authority(user)
    return (authority is not None and authority.pk == authority_id
            and bool(getattr(user.membership, "is_head", False)))


def extension_decidable_by(*, user: Any, extension: Extension) -> bool:
    """The supervisor (recording the body head's decision) or the head of the body that asked."""
    if extension.status != ExtensionStatus.REQUESTED:
        return False
    if role_of(user) == Role.SUPERVISOR:
        return True
    return extension.assignment is not None and is_body_head(
        user=user, authority_id=extension.assignment.authority_id)


def extension_get_for(*, user: Any, pk: int) -> Extension:
    """An extension request this user may decide: any for a supervisor; its own body's for the
    body's head (another body's is "not found"; a plain executor is refused)."""
    role = role_of(user)
    if role not in (Role.SUPERVISOR, Role.EXECUTOR):
        raise forbidden()
    extension = Extension.objects.select_related("appeal", "assignment").filter(pk=pk).first()
    if extension is None:
        raise not_found()
    if role == Role.SUPERVISOR:
        return extension
    body = extension.assignment.authority_id if extension.assignment is not None else None
    if body is None or body != getattr(executor_authority(user), "pk", None):
        raise not_found()
    if not is_body_head(user=user, authority_id=body):
        raise forbidden()
    return extension


def personal_data_visible(*, user: Any, appeal: Appeal) -> bool:
    role = role_of(user)
    if role in CENTRE_ROLES:
        return True
    if is_partner_account(user):
        return appeal.registered_by_id == user.pk
    authority = executor_authority(user)
    if authority is None:
        return False
    mine = Assignment.objects.filter(appeal=appeal, authority=authority,
                                     status__in=[*ACTIVE_ASSIGNMENT_STATUSES,
                                                 AssignmentStatus.CLOSED])
    if appeal.applicant is not None and appeal.applicant.confidential:
        return mine.filter(role=AssignmentRole.MAIN).exists()
    return mine.exists()


def personal_data_visible_in(*, user: Any, appeals: list[Appeal]) -> dict[int, bool]:
    """personal_data_visible for a page of appeals, in one query (lists of executors)."""
    role = role_of(user)
    if role in CENTRE_ROLES:
        return {a.pk: True for a in appeals}
    if is_partner_account(user):
        return {a.pk: a.registered_by_id == user.pk for a in appeals}
    authority = executor_authority(user)
    if authority is None:
        return {a.pk: False for a in appeals}
    roles: dict[int, set[str]] = {}
    for appeal_id, assignment_role in Assignment.objects.filter(
            appeal__in=appeals, authority=authority,
            status__in=[*ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus.CLOSED],
    ).values_list("appeal_id", "role"):
        roles.setdefault(appeal_id, set()).add(assignment_role)
    result = {}
    for appeal in appeals:
        held = roles.get(appeal.pk, set())
        confidential = appeal.applicant is not None and appeal.applicant.confidential
        result[appeal.pk] = AssignmentRole.MAIN in held if confidential else bool(held)
    return result


def applicants_searchable_by(user: Any) -> bool:
    """Looking applicants up by phone or name is a centre duty (the operator's screen)."""
    return role_of(user) in CENTRE_ROLES


def sees_dashboard(user: Any) -> bool:
    return role_of(user) in (Role.SUPERVISOR, Role.ANALYST)


def sees_statistics(user: Any) -> bool:
    return role_of(user) in (Role.SUPERVISOR, Role.ANALYST)


def notes_writable_by(*, user: Any, appeal: Appeal) -> bool:
    """Internal notes are written by the centre (operators, supervisors) and by the executors of
    an authority with an assignment in force on the appeal (not a returned or cancelled one)."""
    role = role_of(user)
    if role in CENTRE_ROLES:
        return True
    authority = executor_authority(user)
    return authority is not None and Assignment.objects.filter(
        appeal=appeal, authority=authority,
        status__in=ACTIVE_ASSIGNMENT_STATUSES).exists()


def notes_visible_authority(*, user: Any, appeal: Appeal) -> tuple[bool, int | None]:
    """Which internal notes of the appeal this user reads: (sees any, executor's authority id).

    Only those who see the card read its notes (they are free text about the case). The centre
    reads every note (authority id None); an executor reads the centre's notes and those of its
    own authority, never another executor's."""
    role = role_of(user)
    if role in CENTRE_ROLES:
        return True, None
    authority = executor_authority(user)
    if authority is None or not appeals_visible_to(user).filter(pk=appeal.pk).exists():
        return False, None
    return True, authority.pk
