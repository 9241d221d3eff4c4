"""Routing an appeal's questions to executors: one main executor, any co-executors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code, from_rule
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AppealStatus,
    AssignmentStatus,
    TransitionAction,
)
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, Question
from vikno.appeals.services import counts
from vikno.appeals.services._common import (
    appeal_due_sync,
    appeal_executor_sync,
    appeal_move,
    assignment_move,
    executor_key_of,
    history,
    lock,
)
from vikno.appeals.services.routing_terms import term_close
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock
from vikno.directory import deadlines, refcache
from vikno.directory.models import Authority
from vikno.directory.routing import NoRoute

ROUTABLE_STATUSES = frozenset({
    AppealStatus.REGISTERED, AppealStatus.ASSIGNED, AppealStatus.IN_WORK,
    AppealStatus.RETURNED_FOR_REVISION,
})


@dataclass(frozen=True)
class Routing:
    """Who executes. No main authority means "the one the routing rules suggest"."""

    main_authority_code: str | None = None
    co_authority_codes: tuple[str, ...] = field(default_factory=tuple)
    instructions: str = ""


def _authority(code: str, field_name: str) -> Authority:
    authority = Authority.objects.filter(code=code, is_active=True).first()
    if authority is None:
        raise AppealsError(Code.UNKNOWN_AUTHORITY,
                           _("Unknown executor “%(code)s”.") % {"code": code}, field=field_name)
    return authority


def suggest_authority(question: Question) -> Authority:
    appeal = question.appeal
    try:
        found = refcache.rulebook().route(question.subtopic, appeal.territory)
        if appeal.contested_authority_id and found.pk == appeal.contested_authority_id:
            return reviewing_authority(appeal.contested_authority)  # type: ignore[arg-type]
        return found
    except NoRoute as exc:
        raise from_rule(exc) from exc


def reviewing_authority(contested: Authority) -> Authority:
    """ст.7 ч.4, ст.16: a complaint goes to the superior of the body complained of, or else the
    centre's default body; never to the body itself. Raises NoRoute when no body in the region
    may consider it (the complaint is then forwarded, ст.7)."""
    superior = contested.superior if contested.superior_id else None
    if superior is not None and superior.is_active and superior.pk != contested.pk:
        return superior
    default = Authority.objects.filter(code=settings.VIKNO["DEFAULT_AUTHORITY"],
                                       is_active=True).first()
    if default is not None and default.pk != contested.pk:
        return default
    raise NoRoute("no_route", _("No body in the region may consider a complaint about “%(body)s”: "
                               "forward it to the competent body (ст.7).")
                  % {"body": contested.name})


def _refuse_contested(appeal: Appeal, main: Authority | None, co: list[Authority]) -> None:
    """ст.7 ч.4: a complaint is never sent to the body whose actions or decision it contests."""
    if not appeal.contested_authority_id:
        return
    message = _("A complaint cannot be sent for consideration to the body whose actions or "
                "decision it contests (ст.7 ч.4 of the Law).")
    if main is not None and main.pk == appeal.contested_authority_id:
        raise AppealsError(Code.INVALID_VALUE, message, field="main_authority_code")
    if any(a.pk == appeal.contested_authority_id for a in co):
        raise AppealsError(Code.INVALID_VALUE, message, field="co_authority_codes")


def _give_term(*, actor: Any, appeal: Appeal, questions: list[Question]) -> None:
    """An appeal registered without a term (ст.8) that a supervisor decided to consider gets its
    term now, counted from that decision: until then it was lawfully not under consideration."""
    if appeal.due_date is not None:
        return
    start = clock.local_date(appeal.status_changed_at)
    due = deadlines.consideration_due(start, needs_study=appeal.needs_study)
    appeal.max_due_date = deadlines.max_due(start)
    appeal.save(update_fields=["max_due_date"])
    appeal.questions.update(due_date=due)
    for question in questions:
        question.due_date = due
    appeal_due_sync(appeal)
    audit.record(actor=actor, action=AuditAction.APPEAL_TERM, obj=appeal,
                 after={"due_date": appeal.due_date, "max_due_date": appeal.max_due_date})


def _assign_question(*, actor: Any, question: Question, main: Authority, co: list[Authority],
                     instructions: str, fresh: bool) -> list[Assignment]:
    active = [] if fresh else list(question.assignments.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES)
                                   .select_related("authority"))
    wanted = {main.pk: AssignmentRole.MAIN} | {a.pk: AssignmentRole.CO for a in co if a.pk != main.pk}
    authorities = {a.pk: a for a in (main, *co)}
    kept: dict[int, Assignment] = {}
    for assignment in active:
        if wanted.get(assignment.authority_id) == assignment.role:
            kept[assignment.authority_id] = assignment
        else:
            assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.CANCELLED,
                            action=AuditAction.ASSIGNMENT_CANCEL)
    created = []
    for authority_id, role in wanted.items():
        if authority_id in kept:
            continue
        assignment = Assignment.objects.create(
            question=question, appeal_id=question.appeal_id, authority=authorities[authority_id],
            role=role,
            # Set: assign_questions gave a term-less appeal its term first (_give_term).
            due_date=cast(date, question.due_date),
            instructions=instructions, assigned_by=actor if getattr(actor, "pk", None) else None,
        )
        counts.assignment_created(assignment=assignment)
        audit.record(actor=actor, action=AuditAction.ASSIGNMENT_CREATE, obj=assignment,
                     object_label=f"{question.appeal.number} → {assignment.authority.code}",
                     after={"authority": assignment.authority.code, "role": role,
                            "due_date": assignment.due_date})
        created.append(assignment)
    return created


@transaction.atomic
def appeal_assign(
    *, actor: Any, appeal: Appeal, routing: Routing, question_ids: list[int] | None = None
) -> list[Assignment]:
    """Assign (or re-route) the appeal's questions: those named, or else every question whose main
    executor has not answered yet (an answer given stays). Assignments of other executors on the
    routed questions are cancelled."""
    appeal = lock(appeal)
    questions = list(appeal.questions.select_related("subtopic"))
    if question_ids is not None:
        questions = [q for q in questions if q.pk in set(question_ids)]
    else:
        answered = set(Assignment.objects.filter(
            question__appeal=appeal, role=AssignmentRole.MAIN,
            status__in=[AssignmentStatus.ANSWERED, AssignmentStatus.CLOSED],
        ).values_list("question_id", flat=True))
        questions = [q for q in questions if q.pk not in answered]
    return assign_questions(actor=actor, appeal=appeal, questions=questions, routing=routing)


def assign_questions(*, actor: Any, appeal: Appeal, questions: list[Question], routing: Routing,
                     fresh: bool = False) -> list[Assignment]:
    """appeal_assign's work on an appeal this transaction has already locked, or is registering
    (`fresh`): its questions have no assignments yet, its routing term is written by the
    registration already ended, and its status is written with its number at the end (ADR 0024)."""
    if AppealStatus(appeal.status) not in ROUTABLE_STATUSES:
        raise AppealsError(
            Code.ILLEGAL_TRANSITION,
            _("An appeal in the status “%(status)s” cannot be routed.")
            % {"status": appeal.get_status_display()},
            http_status=409,
        )
    co = [_authority(code, "co_authority_codes") for code in routing.co_authority_codes]
    fixed_main = (_authority(routing.main_authority_code, "main_authority_code")
                  if routing.main_authority_code else None)
    if not questions:
        # Otherwise the appeal would show "assigned" with nobody to execute it.
        raise AppealsError(Code.INVALID_VALUE, _("Choose the questions to assign."),
                           field="question_ids")
    _refuse_contested(appeal, fixed_main, co)
    _give_term(actor=actor, appeal=appeal, questions=questions)
    created: list[Assignment] = []
    mains: dict[str, str] = {}
    for question in questions:
        question.appeal = appeal
        main = fixed_main or suggest_authority(question)
        mains[main.code] = main.name
        created += _assign_question(actor=actor, question=question, main=main, co=co,
                                    instructions=routing.instructions, fresh=fresh)
    executors = {"authorities": sorted(mains, key=lambda code: mains[code])}
    if not fresh:
        # ст.7: routing ends the running 5-day term (from receipt, or from a return).
        term_close(appeal=appeal, action=TransitionAction.ASSIGN)
    # A new main executor starts the work over ("assigned" until it accepts); adding a
    # co-executor to work in progress does not take the appeal back.
    new_main = any(a.role == AssignmentRole.MAIN for a in created)
    if fresh:
        # Written with the number at the end (registration._register), as the status is.
        appeal.executor_key = executor_key_of(created)
    elif new_main:
        appeal_executor_sync(appeal)
    if appeal.status == AppealStatus.REGISTERED or (new_main and appeal.status != AppealStatus.ASSIGNED):
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.ASSIGNED, action=TransitionAction.ASSIGN,
                    message="history.executors", params=executors, save=not fresh)
    else:
        history(appeal=appeal, actor=actor, action=TransitionAction.REROUTE, message="history.executors",
                params=executors)
    return created
