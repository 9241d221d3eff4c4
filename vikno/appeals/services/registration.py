"""Registration of appeals: the one path every channel ends in (hotline, web, e-mail, API, Open311…)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.intake import (
    ELECTRONIC_CHANNELS,
    AppealIntake,
    ApplicantData,
    QuestionData,
    clean_line,
    clean_text,
    complaint_term_problem,
    intake_check,
    is_anonymous_written,
)
from vikno.appeals.lifecycle import AppealStatus, TransitionAction
from vikno.appeals.models import (
    Appeal,
    AppealCosigner,
    Applicant,
    NotConsideredReason,
    Notice,
    Question,
    RegistrationCounter,
    Sign,
    Subject,
)
from vikno.appeals.services import counts
from vikno.appeals.services._common import APPEAL_AUDIT_FIELDS, STATUS_FIELDS, snapshot
from vikno.appeals.services.applicants import (
    applicant_create,
    applicant_update,
    full_clean,
    priority_recompute,
    territory_of,
)
from vikno.appeals.services.assignment import Routing, assign_questions
from vikno.appeals.services.attachments import attachments_prepare, attachments_store
from vikno.appeals.services.control import appeal_not_considered
from vikno.appeals.services.receipt import (
    EARLIEST_DOCUMENT,
    FUTURE_TOLERANCE,
    dates_check,
    earliest_receipt,
    receipt_moment,
)
from vikno.appeals.services.routing_terms import term_open
from vikno.appeals.services.search_index import vocabulary_add, vocabulary_add_sql
from vikno.appeals.tracking import code_hash, new_code
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.core import clock, db, fulltext
from vikno.directory import deadlines, refcache
from vikno.directory.models import Authority, SubTopic, Territory
from vikno.directory.selectors import working_calendar

__all__ = ["EARLIEST_DOCUMENT", "FUTURE_TOLERANCE", "AppealIntake", "ApplicantData", "QuestionData",
           "appeal_register", "applicant_create", "applicant_update", "clean_line", "clean_text",
           "earliest_receipt", "priority_recompute"]

DEFAULT_ROUTING = Routing()


def _missing(field_name: str, message: str) -> AppealsError:
    return AppealsError(Code.MISSING_FIELD, message, field=field_name)


def _provisional_number() -> str:
    """The appeal's stand-in number until its real one is taken at the end of the registering
    transaction: unique (no two registrations wait on each other for it), never committed,
    never seen by another transaction."""
    return f"~{uuid.uuid4().hex[:31]}"


def _number_prefix(year: int) -> str:
    return f"{settings.VIKNO['NUMBER_PREFIX']}-{year}-"


def _take_number(appeal: Appeal, fields: Sequence[str],
                 counted: list[tuple[str, list[Any]]] | None = None) -> None:
    """Take the next number of the appeal's year and write it on the appeal's row with `fields`.

    The counter's row is locked from here to commit, and rolled back with the registration: the
    sequence has no gaps and no duplicates however many operators register at once. On
    PostgreSQL one statement (one round trip while the counter is held) takes the number,
    writes it on the appeal, adds the maintained counts and takes the audit trail's head if it
    is free, in that order (ADR 0030: counter → counts → audit head); the events are appended
    under that head at the end."""
    year = cast(int, appeal.year)
    prefix = _number_prefix(year)
    if connection.vendor != "postgresql":
        appeal.seq = _next_seq(year)
        appeal.number = f"{prefix}{appeal.seq:06d}"
        appeal.save(update_fields=["number", "seq", *fields])
        return
    if counted is None:
        counted = counts.batch_take(after="c")
    quote = connection.ops.quote_name
    columns = [cast("Field[Any, Any]", Appeal._meta.get_field(name)) for name in fields]
    assignments = "".join(f", {quote(field.column)} = %s" for field in columns)
    values = [field.get_db_prep_save(getattr(appeal, field.attname), connection) for field in columns]
    # The number as Python's f"{seq:06d}" writes it: at least six digits, more when needed.
    written = [f"k{i}" for i in range(len(counted))]
    sql = (
        f"WITH c AS (UPDATE {quote(RegistrationCounter._meta.db_table)} SET last = last + 1 "  # noqa: S608
        f"WHERE year = %s RETURNING last)"
        + "".join(f", {name} AS ({upsert} RETURNING 1)"
                  for name, (upsert, _) in zip(written, counted, strict=True))
        + f", h AS ({audit.head_claim_sql(after=['c', *written])})"  # noqa: S608
        f" UPDATE {quote(Appeal._meta.db_table)} SET seq = c.last, "
        f"number = %s || lpad(c.last::text, greatest(6, length(c.last::text)), '0'){assignments} "
        f"FROM c WHERE {quote(Appeal._meta.pk.column)} = %s "  # type: ignore[union-attr]
        "RETURNING c.last, EXISTS (SELECT FROM h), (SELECT last_seq FROM h), "
        "(SELECT last_hash FROM h)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, *(p for _, params in counted for p in params), prefix,
                             *values, appeal.pk])
        row = cursor.fetchone()
    if row is None:  # the year's first appeal: its counter row does not exist yet (nor were the
        # counts written nor the audit head taken: they wait for the counter's row)
        RegistrationCounter.objects.get_or_create(year=year)
        _take_number(appeal, fields, counted)
        return
    appeal.seq = row[0]
    appeal.number = f"{prefix}{appeal.seq:06d}"
    # The audit head, taken by the same statement when free (ADR 0027): the append at the end
    # of the registration does not take it again.
    audit.batch_head((row[2], row[3]) if row[1] else None)


def _next_seq(year: int) -> int:
    """The year's next sequence, its counter row locked until commit (one query)."""
    table = connection.ops.quote_name(RegistrationCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last",  # noqa: S608
                       [year])
        row = cursor.fetchone()
    if row is None:
        RegistrationCounter.objects.get_or_create(year=year)
        return _next_seq(year)
    return cast(int, row[0])


def _requote(value: Any, provisional: str, number: str) -> Any:
    """`value` (a JSON value) with the provisional number replaced by the real one."""
    if isinstance(value, str):
        return value.replace(provisional, number)
    if isinstance(value, list):
        return [_requote(item, provisional, number) for item in value]
    if isinstance(value, dict):
        return {key: _requote(item, provisional, number) for key, item in value.items()}
    return value


def _quote_number(appeal: Appeal, provisional: str, events: list[AuditEvent]) -> None:
    """Put the real number wherever the registration quoted the provisional one: the audit
    events not yet appended (they are hashed when appended, after this) and the applicant's
    notices (written only when the appeal is not considered at the door)."""
    for event in events:
        event.object_label = event.object_label.replace(provisional, appeal.number)
        event.before = _requote(event.before, provisional, appeal.number)
        event.after = _requote(event.after, provisional, appeal.number)
    if appeal.not_considered_reason:
        for row in Notice.objects.filter(appeal=appeal):
            row.params = _requote(row.params, provisional, appeal.number)
            row.save(update_fields=["params"])


def _subtopics(questions: Sequence[QuestionData]) -> list[SubTopic]:
    if not questions:
        raise _missing("questions", _("Choose the topic of at least one question."))
    found: list[SubTopic] = []
    for index, question in enumerate(questions):
        subtopic = refcache.subtopic(question.subtopic_code)
        if subtopic is None:
            raise AppealsError(
                Code.UNKNOWN_TOPIC,
                _("Unknown topic “%(code)s”: choose a topic from the classifier.")
                % {"code": question.subtopic_code},
                field=f"questions.{index}.subtopic_code",
            )
        found.append(subtopic)
    return found


def _sign_of_repeat(previous: Appeal | None) -> str:
    """Classifier axis 2: first; repeated (a second appeal on the issue); many-times (the issue
    was raised more than once before by the same applicant)."""
    if previous is None:
        return Sign.FIRST
    earlier = 1 + (Appeal.objects.filter(
        applicant_id=previous.applicant_id, received_at__lt=previous.received_at,
        questions__subtopic__topic__in=previous.questions.values("subtopic__topic"),
    ).distinct().count() if previous.applicant_id else 0)
    return Sign.MANY_TIMES if earlier >= 2 else Sign.REPEATED


def _known_applicant(applicant_id: int | None) -> Applicant | None:
    if applicant_id is None:
        return None
    existing = Applicant.objects.filter(pk=applicant_id).first()
    if existing is None:
        raise AppealsError(Code.INVALID_VALUE, _("The applicant was not found."), field="applicant")
    return existing


def _contested(code: str) -> Authority | None:
    """ст.7 ч.4: the body whose actions or decision a complaint contests (any body, active or not:
    a complaint may contest what a body since reorganised did)."""
    if not code:
        return None
    authority = Authority.objects.filter(code=code).first()
    if authority is None:
        raise AppealsError(Code.UNKNOWN_AUTHORITY,
                           _("Unknown body “%(code)s”.") % {"code": code},
                           field="contested_authority_code")
    return authority


def _previous(number: str, existing: Applicant | None) -> Appeal | None:
    """Classifier axis 2: "repeated" only from the same applicant's earlier appeal, never from
    another applicant's or an anonymous one."""
    if not number:
        return None
    previous = Appeal.objects.filter(number=number).first()
    if previous is None:
        raise AppealsError(Code.INVALID_VALUE, _("The earlier appeal was not found."),
                           field="previous_appeal_number")
    if previous.applicant_id is None:
        raise AppealsError(Code.INVALID_VALUE,
                           _("The earlier appeal is anonymous: it cannot make this one repeated."),
                           field="previous_appeal_number")
    if existing is None or previous.applicant_id != existing.pk:
        raise AppealsError(Code.INVALID_VALUE,
                           _("The earlier appeal is another applicant's: only the same applicant's "
                             "appeal makes this one repeated."), field="previous_appeal_number")
    return previous


def _check_contact(intake: AppealIntake, existing: Applicant | None) -> None:
    """ст.5: an electronic appeal gives a contact for the answer (a known applicant's counts)."""
    if existing is None or intake.applicant is not None or intake.channel not in ELECTRONIC_CHANNELS:
        return
    if not (existing.email or existing.phone):
        raise AppealsError(Code.MISSING_FIELD,
                           _("An electronic appeal needs an e-mail address or another contact for "
                             "the answer."), field="applicant.email")


def _person(*, actor: Any, intake: AppealIntake, existing: Applicant | None,
            received_on: date) -> Applicant | None:
    """The applicant: a known one updated with what the channel now says, or a new one; the
    Classifier codes come from the edition in force on the date of receipt."""
    if intake.resolved_subject == Subject.ANONYMOUS:
        return None
    if existing is None:
        return applicant_create(actor=actor, data=intake.applicant,  # type: ignore[arg-type]
                                on=received_on)
    if intake.applicant is not None:
        return applicant_update(actor=actor, applicant=existing, data=intake.applicant,
                                on=received_on)
    return existing


def not_considered_at_the_door(intake: AppealIntake, *, address: str | None) -> str:
    """ст.8: the reason an appeal is registered but not considered, or "" (pure)."""
    if is_anonymous_written(intake, address=address):
        return NotConsideredReason.ANONYMOUS
    if intake.late_complaint:
        return NotConsideredReason.LATE_COMPLAINT
    return ""


def _terms(intake: AppealIntake, received_on: date, *, study: bool,
           reason: str) -> tuple[date | None, date | None]:
    """(control date, latest possible date): none while not considered; 5 working days, at most
    20, for public information; the 10-day return term when content is missing; else ст.20."""
    if reason:
        return None, None
    if intake.is_public_information:
        calendar = working_calendar()
        return (deadlines.public_information_due(received_on, calendar),
                deadlines.public_information_max_due(received_on, calendar))
    if intake.missing_content.strip():
        due = deadlines.return_due(received_on)
    else:
        due = deadlines.consideration_due(received_on, needs_study=study)
    return due, deadlines.max_due(received_on)


def appeal_register(*, actor: Any, intake: AppealIntake,
                    routing: Routing | None = DEFAULT_ROUTING) -> Appeal:
    """Register once per `intake.idempotency_key`: a repeated submission (a double click, a resent
    form, a retried API call) returns the appeal the first one registered and writes nothing.

    A new registration carries its tracking code in memory (`appeal.tracking_code`), given
    here once and stored only as its hash; a repeat returns the first appeal without it.

    The key is not looked up first (a query every registration would pay for the rare repeat):
    the appeal's row carries it under a unique index, so a repeat fails there and rolls back
    whole, before the number is taken, and the first appeal is returned. A repeat refused by a
    check the first passed (a term counted from today, a reference since retired) returns the
    first appeal too."""
    key = intake.idempotency_key
    try:
        return _register(actor=actor, intake=intake, routing=routing)
    except AppealsError:
        first = Appeal.objects.filter(intake_token=key).first() if key is not None else None
        if first is not None:
            return first
        raise
    except IntegrityError:
        # The registration rolled back whole (no savepoint to pay for on every registration): the
        # same form or call was registered before, or a racing submission of it committed first,
        # or a racing import of the same legacy id did.
        if key is not None:
            first = Appeal.objects.filter(intake_token=key).first()
            if first is not None:
                return first
        if intake.legacy_id and Appeal.objects.filter(legacy_id=intake.legacy_id).exists():
            raise _duplicate() from None
        raise


@transaction.atomic
def _register(*, actor: Any, intake: AppealIntake, routing: Routing | None) -> Appeal:
    # The audit events are appended together at the end: the trail's head is locked last, after
    # the year's counter, which is taken just before (ADR 0024). The counts are written after the
    # counter and before the head (counter → counts → head): neither queue waits on them. On
    # PostgreSQL all three are taken by the number's one statement.
    with audit.batched() as events, counts.batched():
        appeal = _register_batched(actor=actor, intake=intake, routing=routing)
        provisional = appeal.number
        _take_number(appeal, (*STATUS_FIELDS, "executor_key"))
        _quote_number(appeal, provisional, events)
        return appeal


def _register_batched(*, actor: Any, intake: AppealIntake, routing: Routing | None) -> Appeal:
    """Register an appeal and, unless `routing` is None, assign its questions to executors.

    Refuses (AppealsError, nothing written) what `intake_check` refuses, and unknown codes
    (territory, classifier, executor, contested body), an unknown applicant or earlier appeal,
    another applicant's earlier appeal, a taken `legacy_id`, or a refused attachment.
    An anonymous letter and a late complaint are registered as not considered (ст.8), without a
    term and unrouted; one lacking required content gets the 10-day return term, unrouted (ст.5).
    The appeal is written with a provisional number; the caller takes the real one at the very
    end. The two queues every registration passes, the year's counter and the audit trail's
    head, are locked only for that last moment and always in this order (no deadlock).
    """
    intake_check(intake)
    now = clock.now()
    received = receipt_moment(intake.received_at, now)
    dates_check(intake, timezone.localdate(received))
    existing = _known_applicant(intake.applicant_id)
    _check_contact(intake, existing)
    subtopics = _subtopics(intake.questions)
    territory = territory_of(intake.territory_code, "territory_code")
    contested = _contested(intake.contested_authority_code)
    previous = _previous(intake.previous_appeal_number.strip(), existing)
    if intake.legacy_id and Appeal.objects.filter(legacy_id=intake.legacy_id).exists():
        raise _duplicate()
    # Files are checked before anything is written: a refused one leaves no row and no file.
    files = attachments_prepare(intake.attachments)  # type: ignore[arg-type]

    received_on = clock.local_date(received)
    late = complaint_term_problem(intake, received_on)
    if late is not None:
        raise late
    person = _person(actor=actor, intake=intake, existing=existing, received_on=received_on)
    cosigners = [applicant_create(actor=actor, data=data, field_prefix=f"cosigners.{index}.",
                                  on=received_on)
                 for index, data in enumerate(intake.cosigners)]
    reason = not_considered_at_the_door(
        intake, address=person.address if person else None)
    study = (not intake.is_public_information and (
        intake.needs_study if intake.needs_study is not None
        else any(s.needs_study for s in subtopics)))
    due, max_due = _terms(intake, received_on, study=study, reason=reason)
    sign = intake.sign or _sign_of_repeat(previous)
    tracking_code = new_code()
    appeal = _save_appeal(intake, number=_provisional_number(), year=received_on.year,
                          received=received, now=now, actor=actor, person=person,
                          previous=previous, territory=territory, contested=contested,
                          study=study, due=due, max_due=max_due, sign=sign,
                          priority=any(a.is_privileged for a in (person, *cosigners) if a),
                          tracking_hash=code_hash(tracking_code))
    AppealCosigner.objects.bulk_create(AppealCosigner(appeal=appeal, applicant=a) for a in cosigners)
    created = [
        Question.objects.create(appeal=appeal, subtopic=subtopic,
                                summary=clean_line(q.summary)[:500], due_date=due)
        for subtopic, q in zip(subtopics, intake.questions, strict=True)
    ]
    counts.appeal_registered(appeal=appeal, topic_ids={s.topic_id for s in subtopics})
    audit.record(actor=actor, action=AuditAction.APPEAL_REGISTER, obj=appeal,
                 after=snapshot(appeal, APPEAL_AUDIT_FIELDS) | {
                     "questions": [q.subtopic.code for q in created]}
                 # ст.5, the Law on personal data: the applicant's consent, as a fact.
                 | ({"personal_data_consent": True} if intake.personal_data_consent else {}))
    if reason:
        appeal = appeal_not_considered(actor=actor, appeal=appeal, reason=reason)
    else:
        routed = (routing is not None and not appeal.missing_content
                  and _route_new(actor=actor, appeal=appeal, questions=created, routing=routing))
        # ст.7: the 5 days to route or forward run from receipt, not from registration; an appeal
        # lacking content is watched against its 10-day return term instead (ст.5). Routed at
        # once, its term is written already ended.
        term_open(appeal=appeal, start=received_on,
                  due=appeal.due_date if appeal.missing_content else None, fresh=True,
                  ended_by=TransitionAction.ASSIGN if routed else None)
    # Last, so that no later step but the number can fail and roll back rows whose files are
    # already stored.
    attachments_store(actor=actor, appeal=appeal, prepared=files, fresh=True)
    appeal.tracking_code = tracking_code  # type: ignore[attr-defined]
    return appeal


def _route_new(*, actor: Any, appeal: Appeal, questions: list[Question], routing: Routing) -> bool:
    """Nobody else sees this appeal before commit: no lock to take, no assignment to look for;
    its new status is written with its number (ADR 0024). A complaint about a body no one in
    the region is above stays registered, unrouted (False): the centre forwards it (ст.7)
    within the 5 days deadline control watches."""
    if appeal.contested_authority_id is None or routing.main_authority_code:
        assign_questions(actor=actor, appeal=appeal, questions=questions, routing=routing,
                         fresh=True)
        return True
    mark, counted = audit.batch_mark(), counts.batch_mark()
    try:
        with transaction.atomic():
            assign_questions(actor=actor, appeal=appeal, questions=questions, routing=routing,
                             fresh=True)
    except AppealsError as exc:
        if exc.code != "no_route":
            raise
        audit.batch_discard(mark)  # the savepoint's rows are gone: so are its events
        counts.batch_discard(counted)  # and its counts
        appeal.refresh_from_db()
        return False
    return True


def _save_appeal(intake: AppealIntake, *, number: str, year: int, received: datetime,
                 now: datetime, actor: Any, person: Applicant | None, previous: Appeal | None,
                 territory: Territory | None, contested: Authority | None, study: bool,
                 due: date | None, max_due: date | None, sign: str, priority: bool,
                 tracking_hash: str = "") -> Appeal:
    text = clean_text(intake.text)
    appeal = Appeal(
        number=number, year=year, seq=None, legacy_id=intake.legacy_id or None,
        intake_token=intake.idempotency_key, tracking_hash=tracking_hash,
        channel=intake.channel, kind=intake.kind, subject=intake.resolved_subject,
        sign=sign, appeal_type=intake.appeal_type,
        applicant=person, previous_appeal=previous,
        received_at=received, registered_at=now,
        registered_by=actor if getattr(actor, "pk", None) else None,
        summary=clean_line(intake.summary or text[:200])[:300], text=text,
        search_lemmas=fulltext.index_text(text),
        territory=territory or (person.territory if person else None),
        location=clean_line(intake.location), lat=intake.lat, lon=intake.lon,
        origin_body=clean_line(intake.origin_body), origin_number=clean_line(intake.origin_number),
        origin_date=intake.origin_date,
        needs_study=study, priority=priority,
        status=AppealStatus.REGISTERED, status_changed_at=now,
        due_date=due, max_due_date=max_due, next_due=due,
        contested_authority=contested, contested_decision_on=intake.contested_decision_on,
        decision_learned_on=intake.decision_learned_on,
        term_restored=intake.term_restored, missing_content=clean_line(intake.missing_content),
    )
    # Uniqueness is not re-queried here: the number is provisional, legacy_id was checked above,
    # and the database constraints catch the rest (a racing submission or import: the whole
    # registration rolls back and appeal_register tells which).
    full_clean(appeal, field_prefix="", exclude=["applicant", "registered_by", "previous_appeal",
                                                  "territory", "contested_authority", "seq"],
                validate_unique=False, validate_constraints=False)
    # The typo lookup's words (ADR 26) go into the vocabulary with the appeal: on PostgreSQL in
    # the appeal's own INSERT statement (one round trip).
    words = vocabulary_add_sql(appeal.search_lemmas) if connection.vendor == "postgresql" else None
    if words is None:
        appeal.save(force_insert=True)
        vocabulary_add(appeal.search_lemmas)
        return appeal
    insert, params = db.insert_sql([appeal])
    with connection.cursor() as cursor:
        cursor.execute(f"WITH w AS ({words[0]}) {insert}", [*words[1], *params])
        db.inserted([appeal], [cursor.fetchone()[0]])
    return appeal


def _duplicate() -> AppealsError:
    return AppealsError(Code.CONFLICT, _("This appeal is already registered."),
                        field="legacy_id", http_status=409)


