"""Generated appeals in bulk: realistic years of history written with bulk_create (ADR 0022).

A management path, not an interface: it writes the rows the services would have written for the
same lives (registration, routing, acceptance, extension, answer, review, confirmation), with the
same history lines and the same audit events appended to the hash chain, but without the
services' per-row queries. Numbers continue the year's registration counter and the chain head
is moved under their row locks at the end of each batch (one transaction per batch), so a normal
registration afterwards takes the next number and `audit_verify` passes.

Plans (what each appeal is and how far its life got) are drawn first from one random generator,
so a seed gives the same appeals; writing them needs the database ids and comes second.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils import timezone

from vikno.appeals import lifecycle
from vikno.appeals.management.bulk_plan import (
    ANSWERED,
    ANSWERS,
    ASSIGNED,
    AWAITING,
    EXTENDED,
    EXTENSION_REASON,
    FORWARDED,
    IN_WORK,
    NOT_CONSIDERED,
    ORAL_CHANNELS,
    REGISTERED,
    A,
    Context,
    Report,
    S,
    T,
)
from vikno.appeals.management.bulk_plan import (
    BATCH as BATCH,
)
from vikno.appeals.management.bulk_plan import (
    SHARED_CORPUS as SHARED_CORPUS,
)
from vikno.appeals.management.bulk_plan import (
    PlannedAppeal as PlannedAppeal,
)
from vikno.appeals.management.bulk_plan import (
    load_context as load_context,
)
from vikno.appeals.management.bulk_plan import (
    plan_appeals as plan_appeals,
)
from vikno.appeals.management.bulk_plan import (
    texts_for as texts_for,
)
from vikno.appeals.management.bulk_store import (
    Batch,
    Ledger,
    Rows,
    Sink,
    Step,
    _Chain,
    commit_batch,
    new_row,
    sink,
)
from vikno.appeals.messages import params_of
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    Feedback,
    NotConsideredReason,
    Question,
    Reply,
    RoutingTerm,
    Subject,
    Transition,
)
from vikno.appeals.models.appeals import AppealType
from vikno.appeals.models.applicants import PERSONAL_FIELDS, phone_normalise
from vikno.appeals.services import ApplicantData
from vikno.appeals.services._common import (
    APPEAL_AUDIT_FIELDS,
    APPEAL_MOVE_EVENTS,
    executor_key_of,
    next_due_of,
    snapshot,
)
from vikno.audit.actions import AuditAction
from vikno.core import clock, fulltext
from vikno.directory import deadlines
from vikno.directory.models import (
    Territory,
)


@dataclass
class _Life:
    """One appeal's rows as they are built, and the steps that write its history and events."""

    plan: PlannedAppeal
    appeal: Appeal
    questions: list[Question] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    new_applicant: Applicant | None = None
    registration_due: dt.date | None = None
    steps: list[Step] = field(default_factory=list)


def _applicant_row(data: ApplicantData, at: dt.datetime, territories: dict[str, Territory]
                   ) -> Applicant:
    return new_row(Applicant,
        kind=data.kind, last_name=data.last_name, first_name=data.first_name,
        patronymic=data.patronymic, organisation_name=data.organisation_name,
        address=data.address, territory=territories.get(data.territory_code), phone=data.phone,
        phone_digits=phone_normalise(data.phone), email=data.email.lower(), sex=data.sex,
        confidential=data.confidential, language=data.language, created_at=at, updated_at=at,
    )


# The terms of the law per day of receipt (pure; a million appeals fall on ~1 100 days).
@functools.cache
def _consideration_due(received_on: dt.date, needs_study: bool) -> dt.date:
    return deadlines.consideration_due(received_on, needs_study=needs_study)


_max_due = functools.cache(deadlines.max_due)
_forwarding_due = functools.cache(deadlines.forwarding_due)


# The centre's time zone while a batch is built (clock.local_date without its per-call look-up
# of the active zone).
_ZONE: list[dt.tzinfo] = []


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(_ZONE[0]).date()


# The search key per text (a million appeals draw on at most CORPUS_LIMIT texts).
_search_key = functools.lru_cache(maxsize=65_536)(fulltext.index_text)
# The keys of the batch's texts when another process computed them (bulk_workers: the writing
# process, so that each text and word is lemmatised once, not once per worker).
GIVEN_KEYS: dict[str, str] = {}


def search_key(text: str) -> str:
    found = GIVEN_KEYS.get(text)
    return _search_key(text) if found is None else found
# The lifecycle's checks per move (pure; a raise is not cached).
appeal_transition_check = functools.cache(lifecycle.appeal_transition_check)
assignment_transition_check = functools.cache(lifecycle.assignment_transition_check)


def _term_done(term: RoutingTerm, action: str, at: dt.datetime) -> None:
    """The ст.7 step taken at `at`. A late step of the generated past was told to the supervisors
    back then (the hourly control does it once), so today's first control run does not tell of
    hundreds of old appeals again."""
    term.done_date, term.done_action = _local_date(at), action
    if term.done_date > term.due_date:
        term.escalated_at = at


def _life(plan: PlannedAppeal, number: tuple[int, int, str], person: Applicant | None,
          new: Applicant | None, context: Context, territories: dict[str, Territory]) -> _Life:
    year, seq, text_number = number
    registered = plan.steps[0]
    subtopics = [context.subtopics[c] for c in plan.subtopic_codes]
    received_on = _local_date(plan.received_at)
    not_considered = plan.target == NOT_CONSIDERED
    study = any(s.needs_study for s in subtopics)
    due = None if not_considered else _consideration_due(received_on, study)
    appeal = new_row(Appeal,
        number=text_number, year=year, seq=seq, channel=plan.channel, kind=plan.kind,
        subject=Subject.ANONYMOUS if person is None else Subject.INDIVIDUAL,
        appeal_type=AppealType.ORAL if plan.channel in ORAL_CHANNELS else AppealType.LETTER,
        applicant=person, received_at=plan.received_at, registered_at=registered,
        registered_by=context.operator, summary=" ".join(plan.text[:200].split()),
        text=plan.text, search_lemmas=search_key(plan.text),
        territory=territories[plan.territory_code], needs_study=study,
        status=S.REGISTERED, status_changed_at=registered, due_date=due,
        max_due_date=None if not_considered else _max_due(received_on),
        created_at=registered, updated_at=registered,
    )
    life = _Life(plan=plan, appeal=appeal, new_applicant=new, registration_due=due)
    life.questions = [new_row(Question, appeal=appeal, subtopic=s, summary="", due_date=due,
                               created_at=registered, updated_at=registered) for s in subtopics]
    return life


def build_batch(plans: list[PlannedAppeal], *, context: Context,
                applicants: dict[int, Applicant | None], offset: int, ledger: Ledger,
                out: Sink, chain: _Chain | None = None) -> Batch:
    """Build one batch from the counters and the chain head of `ledger` (and move them there);
    its rows go to `out`. `applicants`: the applicant of each earlier plan (by index), for
    repeat applicants. `chain`: an OpenChain when the writer chains the events itself."""
    territories = {s.code: s for s in context.settlements}
    op = context.operator
    _ZONE[:] = [timezone.get_current_timezone()]
    numbers, counters = ledger.numbers(plans)
    if chain is None:
        chain = _Chain(ledger.seq, ledger.last_hash)

    lives: list[_Life] = []
    for index, (plan, number) in enumerate(zip(plans, numbers, strict=True)):
        new = None
        if plan.applicant is not None:
            new = _applicant_row(plan.applicant, plan.steps[0], territories)
            person: Applicant | None = new
        else:
            person = applicants.get(plan.repeat_of) if plan.repeat_of is not None else None
        applicants[offset + index] = person
        lives.append(_life(plan, number, person, new, context, territories))
    out.save(Applicant, [life.new_applicant for life in lives if life.new_applicant], ids=True)
    # The final state of every row first (the plan decides it), then the inserts in the order
    # of the foreign keys, then the history and the events that name the rows' ids.
    rows: Rows = {}
    for life in lives:
        _script(life, context, rows)
        life.appeal.next_due = next_due_of(life.questions, life.assignments)
        life.appeal.executor_key = executor_key_of(life.assignments)
    out.save(Appeal, [life.appeal for life in lives], ids=True)
    out.save(Question, [q for life in lives for q in life.questions], ids=True)
    out.save(Assignment, [a for life in lives for a in life.assignments], ids=True)
    out.save(Reply, rows.pop(Reply, []), ids=True)
    for model in (Extension, Feedback, RoutingTerm):
        out.save(model, rows.pop(model, []), ids=False)
    for life in lives:
        if life.new_applicant is not None:
            a = life.new_applicant
            chain.add(at=life.plan.steps[0], actor=op, action=AuditAction.APPLICANT_CREATE, obj=a,
                      label=f"applicant #{a.pk}",
                      after={"personal_fields": [f for f in PERSONAL_FIELDS if getattr(a, f)],
                             "confidential": a.confidential, "category_id": a.category_id})
        # The card as registration recorded it: registered, with the registration's term.
        chain.add(at=life.plan.steps[0], actor=op, action=AuditAction.APPEAL_REGISTER,
                  obj=life.appeal,
                  after=snapshot(life.appeal, APPEAL_AUDIT_FIELDS) | {
                      "status": S.REGISTERED.value, "due_date": life.registration_due,
                      "not_considered_reason": "",
                      "questions": [q.subtopic.code for q in life.questions]})
        for step in life.steps:
            step(chain, rows)
    out.save(Transition, rows.pop(Transition, []), ids=False)
    out.events(chain)
    head = (ledger.seq, ledger.last_hash, chain.seq, chain.last_hash)
    ledger.seq, ledger.last_hash = chain.seq, chain.last_hash
    return Batch(size=len(plans), events=len(chain.events), counters=counters, head=head,
                 sink=out)


def write_batch(plans: list[PlannedAppeal], *, context: Context,
                applicants: dict[int, Applicant | None], offset: int) -> int:
    """Build and write one batch in the caller's transaction, under the row locks of its
    years' counters and the chain head; returns the number of audit events."""
    ledger = Ledger()
    ledger.read({clock.local_date(p.received_at).year for p in plans})
    batch = build_batch(plans, context=context, applicants=applicants, offset=offset,
                        ledger=ledger, out=sink())
    commit_batch(batch)
    return batch.events


def _script(life: _Life, context: Context, rows: Rows) -> None:
    """Play the planned life on the unsaved rows: set their final state, add the rows it
    creates to `rows`, and queue in `life.steps` the history lines and audit events, written
    once the rows have their ids. The moves are those of the transition tables, in order."""
    plan, appeal, steps = life.plan, life.appeal, life.steps
    op, sup = context.operator, context.supervisor
    moments = iter(plan.steps[1:])
    status = S.REGISTERED

    def executor(assignment: Assignment) -> Any:
        return context.executors.get(assignment.authority.pk, sup)

    def move(target: S, action: T, actor: Any, at: dt.datetime, message: str = "",
             params: dict[str, Any] | None = None) -> None:
        nonlocal status
        current = status
        appeal_transition_check(current, target)
        status = target
        appeal.status, appeal.status_changed_at, appeal.updated_at = target, at, at
        if target == S.CLOSED:
            appeal.closed_at = at
        note = {"message": message, "params": params_of(**(params or {}))} if message else {}

        def write(chain: _Chain, rows: Rows) -> None:
            rows.setdefault(Transition, []).append(new_row(Transition,
                appeal=appeal, by=actor, action=action, from_status=current, to_status=target,
                at=at, **note))
            chain.add(at=at, actor=actor, action=APPEAL_MOVE_EVENTS[action], obj=appeal,
                      before={"status": current.value},
                      after={"status": target.value, "note": note.get("message")})
        steps.append(write)

    def assignment_move(assignment: Assignment, target: A, action: AuditAction, actor: Any,
                        at: dt.datetime) -> None:
        current = A(assignment.status)
        assignment_transition_check(current, target)
        assignment.status, assignment.updated_at = target, at
        if target == A.IN_WORK and assignment.accepted_at is None:
            assignment.accepted_at = at

        def write(chain: _Chain, rows: Rows) -> None:
            chain.add(at=at, actor=actor, action=action, obj=assignment,
                      label=f"{appeal.number} → {assignment.authority.code}",
                      before={"status": current.value}, after={"status": target.value})
        steps.append(write)

    received_on = _local_date(plan.received_at)
    if plan.target == NOT_CONSIDERED:
        appeal.not_considered_reason = (NotConsideredReason.ANONYMOUS if appeal.applicant is None
                                        else NotConsideredReason.REPEATED)
        move(S.NOT_CONSIDERED, T.NOT_CONSIDERED, sup, next(moments))
        return
    # ст.7: the 5-day term to route or forward runs from receipt.
    term = new_row(RoutingTerm, appeal=appeal, start_date=received_on,
                       due_date=_forwarding_due(received_on))
    rows.setdefault(RoutingTerm, []).append(term)
    if plan.target == REGISTERED:
        return
    at = next(moments)
    if plan.target == FORWARDED:
        appeal.forwarded_to = plan.forward_to
        _term_done(term, T.FORWARD, at)
        move(S.FORWARDED, T.FORWARD, sup, at)
        return
    # Routing: one main executor per question, as the routing rules suggest.
    mains: dict[str, str] = {}
    for question in life.questions:
        authority = context.route(question.subtopic, appeal.territory)  # type: ignore[arg-type]
        mains[authority.code] = authority.name
        assignment = new_row(Assignment, question=question, appeal=appeal, authority=authority,
                             role=AssignmentRole.MAIN,
                                due_date=cast(dt.date, question.due_date), assigned_by=op,
                                created_at=at,
                                updated_at=at)
        life.assignments.append(assignment)

        def created(chain: _Chain, rows: Rows, a: Assignment = assignment,
                    when: dt.datetime = at) -> None:
            chain.add(at=when, actor=op, action=AuditAction.ASSIGNMENT_CREATE, obj=a,
                      label=f"{appeal.number} → {a.authority.code}",
                      after={"authority": a.authority.code, "role": a.role,
                             "due_date": a.due_date})
        steps.append(created)
    _term_done(term, T.ASSIGN, at)
    move(S.ASSIGNED, T.ASSIGN, op, at, message="history.executors",
         params={"authorities": sorted(mains, key=lambda code: mains[code])})
    if plan.target == ASSIGNED:
        return
    at = next(moments)
    for assignment in life.assignments:
        assignment_move(assignment, A.IN_WORK, AuditAction.ASSIGNMENT_ACCEPT, executor(assignment),
                        at)
    move(S.IN_WORK, T.ACCEPT, executor(life.assignments[0]), at)
    if plan.target == EXTENDED:
        _extend(life, sup, next(moments), rows)
    if plan.target in (IN_WORK, EXTENDED):
        return
    at = next(moments)
    for assignment in life.assignments:
        who = executor(assignment)
        assignment_move(assignment, A.ANSWERED, AuditAction.ASSIGNMENT_REPLY, who, at)
        reply = new_row(Reply, assignment=assignment, result=plan.result, text=ANSWERS[plan.result],
                      answered_by=who, outgoing_number=f"{appeal.seq}/01-{appeal.year % 100}",
                      outgoing_date=_local_date(at), signatory_name="Марія Балога",
                      signatory_position="Керівник", created_at=at, updated_at=at)
        rows.setdefault(Reply, []).append(reply)

        def replied(chain: _Chain, rows: Rows, r: Reply = reply, who: Any = who,
                    when: dt.datetime = at) -> None:
            chain.add(at=when, actor=who, action=AuditAction.REPLY_SUBMIT, obj=r,
                      label=f"{appeal.number} ← {r.assignment.authority.code}",
                      after={"result": r.result, "assignment": r.assignment.pk,
                             "outgoing_number": r.outgoing_number, "outgoing_date": r.outgoing_date})
        steps.append(replied)
    move(S.ANSWERED, T.ANSWER, executor(life.assignments[0]), at)
    if plan.target == ANSWERED:
        return
    move(S.AWAITING_CONFIRMATION, T.ANSWER_ACCEPTED, sup, next(moments))
    if plan.target == AWAITING:
        return
    at = next(moments)
    feedback = new_row(Feedback, appeal=appeal, confirmed=True, rating=max(plan.rating, 3),
                        recorded_by=op, created_at=at, updated_at=at)
    rows.setdefault(Feedback, []).append(feedback)

    def fed(chain: _Chain, rows: Rows, when: dt.datetime = at) -> None:
        chain.add(at=when, actor=op, action=AuditAction.FEEDBACK_RECORD, obj=appeal,
                  after={"confirmed": True, "rating": feedback.rating})
    steps.append(fed)
    for assignment in life.assignments:
        assignment_move(assignment, A.CLOSED, AuditAction.ASSIGNMENT_CLOSE, op, at)
    move(S.CLOSED, T.CONFIRM, op, at, message="history.confirmed", params={"r": feedback.rating})


def _extend(life: _Life, actor: Any, at: dt.datetime, rows: Rows) -> None:
    """ст.20: the main executor's head extends the first question's term, within 45 days."""
    appeal, question = life.appeal, life.questions[0]
    old, cap = question.due_date, appeal.max_due_date
    if old is None or cap is None:
        return
    new = min(old + dt.timedelta(days=life.plan.extension_days), cap)
    if new <= old:
        return
    question.due_date = new
    for assignment in life.assignments:
        if assignment.question is question:
            assignment.due_date = new
    # Per-question control: the appeal's date is the latest of its questions'.
    appeal.due_date = max(q.due_date for q in life.questions if q.due_date)
    body = life.assignments[0].authority.name
    document = f"{appeal.seq}-р"
    rows.setdefault(Extension, []).append(new_row(Extension,
        appeal=appeal, question=question, requested_by=actor, reason=EXTENSION_REASON,
        old_due_date=old, new_due_date=new, status=ExtensionStatus.APPROVED, decided_by=actor,
        decided_at=at, decider_name="Іван Попович", decider_position="Заступник керівника",
        decider_body=body, document_number=document, document_date=_local_date(at),
        created_at=at, updated_at=at))

    def write(chain: _Chain, rows: Rows) -> None:
        chain.add(at=at, actor=actor, action=AuditAction.APPEAL_EXTEND, obj=appeal,
                  before={"due_date": old},
                  after={"due_date": new, "appeal_due_date": appeal.due_date,
                         "questions": [question.pk], "document_number": document,
                         "document_date": _local_date(at)})
        rows.setdefault(Transition, []).append(new_row(Transition,
            appeal=appeal, by=actor, action=T.EXTENDED, from_status=S.IN_WORK,
            to_status=S.IN_WORK, at=at, message="history.extended",
            params=params_of(old_date=old, date=new, note=EXTENSION_REASON,
                             decider_position="Заступник керівника", decider_body=body,
                             document=document)))
    life.steps.append(write)


__all__ = ["PlannedAppeal", "Report", "build_batch", "plan_appeals", "write_batch"]
