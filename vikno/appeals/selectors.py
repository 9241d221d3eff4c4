"""Reads of the case file. Lists start from access.appeals_visible_to: nobody sees more than allowed.

A read that returns applicants' personal data for showing records itself on the audit trail
(`applicant.view`, `applicant.list_view`, `applicant.search`, `attachment.download`), so every
interface that calls it is audited the same way. The events name rows, never the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from vikno.accounts.access import role_of
from vikno.accounts.roles import Role
from vikno.appeals.access import (
    appeal_get_for,
    appeals_visible_to,
    applicants_searchable_by,
    executor_authority,
    notes_visible_authority,
    personal_data_visible,
    personal_data_visible_in,
)
from vikno.appeals.errors import forbidden, not_found
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    OWING_STATUSES,
    UNDER_CONTROL_STATUSES,
    AppealStatus,
    AssignmentStatus,
)
from vikno.appeals.messages import preload
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    AssignmentRole,
    Attachment,
    Extension,
    ExtensionStatus,
    InternalNote,
    Kind,
    Notification,
    NotificationRead,
    Question,
    RoutingTerm,
)
from vikno.appeals.models.applicants import phone_normalise
from vikno.appeals.models.work import LATE_ACTIONS
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock
from vikno.core.search import Fold, fold

# A pseudo-status of the filters: every appeal still under consideration (the default queue).
OPEN = "open"


@dataclass(frozen=True)
class AppealFilters:
    status: str = ""
    channel: str = ""
    topic_code: str = ""
    subtopic_code: str = ""
    territory_code: str = ""
    authority_code: str = ""
    overdue: bool = False
    priority: bool = False
    q: str = ""


def overdue_q(today: date) -> Q:
    """Open, still owed by the executors, and past the control date."""
    return Q(status__in=UNDER_CONTROL_STATUSES, due_date__lt=today)


def appeal_list_for(*, user: Any, filters: AppealFilters = AppealFilters()) -> QuerySet[Appeal]:
    """The work queue: priority applicants first (ст.20), then the nearest control date."""
    qs = appeals_visible_to(user)
    f = filters
    if f.status == OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.subtopic_code:
        qs = qs.filter(questions__subtopic__code=f.subtopic_code)
    elif f.topic_code:
        qs = qs.filter(questions__subtopic__topic__code=f.topic_code)
    if f.territory_code:
        qs = qs.filter(territory__path__contains=f.territory_code)
    if f.authority_code:
        qs = qs.filter(questions__assignments__authority__code=f.authority_code,
                       questions__assignments__status__in=ACTIVE_ASSIGNMENT_STATUSES)
    if f.overdue:
        qs = qs.filter(overdue_q(clock.today()))
    if f.priority:
        qs = qs.filter(priority=True)
    if f.q.strip():
        qs = qs.filter(_search_q(f.q.strip(), with_applicant=applicants_searchable_by(user)))
    return (qs.distinct().select_related("applicant", "territory")
            .order_by("-priority", "due_date", "-received_at"))


def _search_q(q: str, *, with_applicant: bool) -> Q:
    folded = fold(q)
    # Filtering on Fold annotations goes through subqueries so the outer queryset stays simple.
    by_text = Appeal.objects.annotate(f=Fold("text")).filter(f__contains=folded).values("pk")
    by_number = Appeal.objects.annotate(f=Fold("number")).filter(f__contains=folded).values("pk")
    cond = Q(pk__in=by_text) | Q(pk__in=by_number)
    if with_applicant:
        cond |= Q(applicant__in=applicant_match(q))
    return cond


def applicant_match(q: str) -> QuerySet[Applicant]:
    digits = phone_normalise(q)
    # A phone however spelled (brackets, dashes, «+38»), or digits with a word or two around them.
    spelled_as_phone = not any(ch.isalpha() for ch in q)
    if len(digits) >= 5 and (spelled_as_phone or len(digits) >= len(q.replace(" ", "")) - 4):
        return Applicant.objects.filter(phone_digits__contains=digits[-9:])
    words = [fold(w) for w in q.split() if w]
    qs = Applicant.objects.annotate(fl=Fold("last_name"), ff=Fold("first_name"),
                                    fo=Fold("organisation_name"))
    for word in words:
        qs = qs.filter(Q(fl__startswith=word) | Q(ff__startswith=word) | Q(fo__contains=word))
    return qs


def applicant_find(*, user: Any, q: str, limit: int = 10) -> list[Applicant]:
    """Applicants by phone (any spelling) or by surname/name, for the operator's screen.

    Showing matches shows their personal data: the trail records that a search found n
    applicants (their row ids), never what was typed."""
    if not applicants_searchable_by(user) or len(q.strip()) < 3:
        return []
    matches = (applicant_match(q.strip()).select_related("category")
               .annotate(appeal_count=Count("appeals")).order_by("-updated_at"))
    found: list[Applicant] = list(matches[:limit])
    if found:
        audit.record(actor=user, action=AuditAction.APPLICANT_SEARCH, obj=None,
                     after={"results": len(found), "applicant_ids": [a.pk for a in found]})
    return found


def applicant_for(*, user: Any, pk: int) -> Applicant | None:
    """An applicant picked on the operator's screen, to be edited by a service (which records
    the write); only roles that may search applicants get one. Not a recorded read: to show the
    applicant, use applicant_get_for."""
    if not applicants_searchable_by(user):
        return None
    return (Applicant.objects.filter(pk=pk).select_related("territory__parent__parent", "category")
            .first())


def applicant_get_for(*, user: Any, pk: int) -> Applicant:
    """An applicant to show to this user in full: a recorded view. Raises NotFound otherwise."""
    applicant = applicant_for(user=user, pk=pk)
    if applicant is None:
        raise not_found()
    audit.record(actor=user, action=AuditAction.APPLICANT_VIEW, obj=applicant,
                 object_label=f"applicant #{applicant.pk}")
    return applicant


def applicant_appeals(*, user: Any, applicant: Applicant, limit: int = 20) -> QuerySet[Appeal]:
    return (appeals_visible_to(user).filter(applicant=applicant)
            .prefetch_related("questions__subtopic").order_by("-received_at")[:limit])


def possible_repeats(
    *, applicant_id: int | None, topic_codes: list[str], since: datetime | None = None
) -> QuerySet[Appeal]:
    """Earlier appeals of the same applicant on the same Part II topic: a possible repeat (ст.8)."""
    if not applicant_id or not topic_codes:
        return Appeal.objects.none()
    qs = Appeal.objects.filter(applicant_id=applicant_id,
                               questions__subtopic__topic__code__in=topic_codes)
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    return qs.distinct().order_by("-received_at")


def appeals_overdue(*, today: date | None = None) -> QuerySet[Appeal]:
    return Appeal.objects.filter(overdue_q(today or clock.today()))


def assignments_for_executor(*, user: Any, authority_id: int, status: str = "",
                             overdue: bool = False) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(authority_id=authority_id).select_related(
        "question__appeal", "question__subtopic")
    qs = qs.filter(status=status) if status else qs.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES)
    if overdue:
        qs = qs.filter(due_date__lt=clock.today()).exclude(status=AssignmentStatus.ANSWERED)
    return qs.order_by("-question__appeal__priority", "due_date", "id")


@dataclass(frozen=True)
class AuthorityRow:
    authority_id: int
    code: str
    name: str
    arrived: int
    in_work: int
    overdue: int
    answered: int
    for_revision: int


def authority_dashboard(*, since: date | None = None, today: date | None = None) -> list[AuthorityRow]:
    """Per authority: arrived (assigned), in work, overdue, answered, returned for revision."""
    today = today or clock.today()
    qs = Assignment.objects.filter(role=AssignmentRole.MAIN).exclude(
        status=AssignmentStatus.CANCELLED)
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    rows = (qs.values("authority_id", "authority__code", "authority__name")
            .annotate(
                arrived=Count("id"),
                in_work=Count("id", filter=Q(status__in=[AssignmentStatus.ASSIGNED,
                                                          AssignmentStatus.IN_WORK])),
                overdue=Count("id", filter=Q(status__in=OWING_STATUSES, due_date__lt=today)),
                answered=Count("id", filter=Q(status__in=[AssignmentStatus.ANSWERED,
                                                           AssignmentStatus.CLOSED])),
                for_revision=Count("id", filter=Q(status=AssignmentStatus.FOR_REVISION)),
            ).order_by("-overdue", "-arrived"))
    return [AuthorityRow(r["authority_id"], r["authority__code"], r["authority__name"],
                         r["arrived"], r["in_work"], r["overdue"], r["answered"], r["for_revision"])
            for r in rows]


def status_counts(*, qs: QuerySet[Appeal] | None = None) -> dict[str, int]:
    qs = Appeal.objects.all() if qs is None else qs
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return {s.value: counts.get(s.value, 0) for s in AppealStatus}


def statistics(*, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """Aggregates for analysts: counts only, never a name, address, phone or text.

    Requests for public information are not appeals under Law 393/96: counted apart, never in
    the appeals' figures (ADR 13)."""
    qs = Appeal.objects.all()
    if since:
        qs = qs.filter(received_at__date__gte=since)
    if until:
        qs = qs.filter(received_at__date__lte=until)
    public_information = qs.filter(kind=Kind.PUBLIC_INFORMATION).count()
    qs = qs.exclude(kind=Kind.PUBLIC_INFORMATION)
    by_topic = list(qs.values("questions__subtopic__topic__code", "questions__subtopic__topic__name")
                    .annotate(n=Count("id", distinct=True)).order_by("-n"))
    by_raion = list(qs.filter(territory__isnull=False)
                    .values("territory__path").annotate(n=Count("id")).order_by())
    raions: dict[str, int] = {}
    for row in by_raion:
        parts = row["territory__path"].split("/")
        if len(parts) >= 2:
            raions[parts[1]] = raions.get(parts[1], 0) + row["n"]
    return {
        "total": qs.count(),
        "by_status": status_counts(qs=qs),
        "by_channel": dict(qs.values_list("channel").annotate(n=Count("id")).order_by()),
        "by_topic": [(r["questions__subtopic__topic__code"], r["questions__subtopic__topic__name"],
                      r["n"]) for r in by_topic if r["questions__subtopic__topic__code"]],
        "by_raion": raions,
        "overdue": qs.filter(overdue_q(clock.today())).count(),
        "priority": qs.filter(priority=True).count(),
        "public_information": public_information,
    }


def routing_missed_q(today: date) -> Q:
    """ст.7: a term ended by routing or forwarding after its 5 days, or still running past them."""
    return (Q(done_date__gt=F("due_date"), done_action__in=LATE_ACTIONS)
            | Q(done_date__isnull=True, due_date__lt=today))


def routing_missed(*, today: date | None = None) -> QuerySet[RoutingTerm]:
    """The routing terms missed, the latest first (one query, however many appeals)."""
    return (RoutingTerm.objects.filter(routing_missed_q(today or clock.today()))
            .select_related("appeal").order_by("-due_date", "-id"))


def appeal_routing_missed(*, appeal: Appeal, today: date | None = None) -> list[RoutingTerm]:
    return list(appeal.routing_terms.filter(routing_missed_q(today or clock.today())))


def priority_under_control() -> QuerySet[Appeal]:
    """ст.20: privileged applicants' appeals still under consideration, nearest control date
    first."""
    return (Appeal.objects.filter(priority=True, status__in=UNDER_CONTROL_STATUSES)
            .order_by("due_date", "id"))


def pending_extensions() -> QuerySet[Extension]:
    return (Extension.objects.filter(status=ExtensionStatus.REQUESTED)
            .select_related("appeal", "assignment__authority").order_by("new_due_date"))


def notifications_addressed(*, user: Any, authority_id: int | None,
                            supervisor: bool) -> QuerySet[Notification]:
    """Every notification meant for this user: personal, its authority's, or the supervisors'."""
    cond = Q(user=user)
    if authority_id:
        cond |= Q(authority_id=authority_id)
    if supervisor:
        cond |= Q(for_supervisors=True)
    return Notification.objects.filter(cond)


def notifications_addressed_to(user: Any) -> QuerySet[Notification]:
    authority = executor_authority(user)
    return notifications_addressed(user=user, authority_id=authority.pk if authority else None,
                                   supervisor=role_of(user) == Role.SUPERVISOR)


def _read_by(user: Any) -> Exists:
    return Exists(NotificationRead.objects.filter(notification=OuterRef("pk"), user=user))


def notifications_for(*, user: Any, authority_id: int | None, supervisor: bool,
                      limit: int = 20) -> QuerySet[Notification]:
    """The ones this user has not read: each reader marks its own."""
    return (notifications_addressed(user=user, authority_id=authority_id, supervisor=supervisor)
            .filter(~_read_by(user)).select_related("appeal")[:limit])


def notifications_read_by(*, user: Any, limit: int = 20) -> list[Notification]:
    """The latest this user has read, newest mark first, each with its `read_at`."""
    return list(notifications_addressed_to(user).filter(reads__user=user)
                .annotate(read_at=F("reads__read_at")).select_related("appeal")
                .order_by("-read_at")[:limit])


def appeal_timeline(*, appeal: Appeal) -> list[Any]:
    """The history, with the authority names of its notes looked up in one query."""
    return preload(appeal.transitions.select_related("by").order_by("at", "id"))


def appeal_assignments(*, appeal: Appeal) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(question__appeal=appeal)
            .select_related("authority", "question__subtopic")
            .prefetch_related("replies").order_by("question_id", "role", "id"))


def internal_notes_for(*, user: Any, appeal: Appeal) -> list[InternalNote]:
    """The internal notes of the appeal this user may read (access.notes_visible_authority):
    everything for the centre; the centre's and its own authority's for an executor; nothing for
    anyone who does not see the card. Oldest first, as a conversation reads."""
    sees, authority_id = notes_visible_authority(user=user, appeal=appeal)
    if not sees:
        return []
    notes = InternalNote.objects.filter(appeal=appeal).select_related("author", "authority")
    if authority_id is not None:
        notes = notes.filter(Q(authority__isnull=True) | Q(authority_id=authority_id))
    return list(notes.order_by("created_at", "id"))


def returned_awaiting_routing(*, user: Any) -> QuerySet[Appeal]:
    """Appeals every executor returned as not in competence: the centre must re-route them."""
    return (appeals_visible_to(user)
            .filter(status=AppealStatus.REGISTERED,
                    questions__assignments__status=AssignmentStatus.RETURNED)
            .distinct().order_by("due_date"))


# Reads that show personal data, each recorded on the audit trail (see the module docstring).

@dataclass(frozen=True)
class PersonalData:
    """The applicant and co-signers of one appeal; `visible` False means show them masked."""

    visible: bool
    applicant: Applicant | None
    cosigners: list[Applicant]


def appeal_personal_data(*, user: Any, appeal: Appeal) -> PersonalData:
    """The people of an appeal as this user may see them. Each one shown in full is a recorded
    `applicant.view` (the row and the appeal's number; none of the data)."""
    visible = personal_data_visible(user=user, appeal=appeal)
    cosigners = list(appeal.cosigners.order_by("pk"))
    if visible:
        for person in [appeal.applicant, *cosigners]:
            if person is not None:
                audit.record(actor=user, action=AuditAction.APPLICANT_VIEW, obj=person,
                             object_label=appeal.number)
    return PersonalData(visible=visible, applicant=appeal.applicant, cosigners=cosigners)


@dataclass(frozen=True)
class ListPage:
    """One page of a list and, per appeal id, whether its applicant may be shown unmasked."""

    page: Page
    visible: dict[int, bool]


def _record_list_view(*, user: Any, appeals: list[Appeal], visible: dict[int, bool],
                      where: str) -> None:
    """A page that shows applicants' names is a read of their personal data too: one event per
    page, naming the applicants' rows (ids), never their data."""
    ids = sorted({a.applicant_id for a in appeals if visible[a.pk] and a.applicant_id})
    if ids:
        audit.record(actor=user, action=AuditAction.APPLICANT_LIST_VIEW, obj=None, object_label=where,
                     after={"applicant_ids": ids})


QUEUE_PREFETCH = Prefetch(
    "questions",
    queryset=Question.objects.select_related("subtopic__topic").prefetch_related(
        Prefetch("assignments",
                 # Closed assignments too: a closed appeal still shows who executed it.
                 queryset=Assignment.objects.filter(
                     status__in=[*ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus.CLOSED])
                 .select_related("authority").order_by("role", "id"))),
)


def appeal_queue_page(*, user: Any, filters: AppealFilters, page: Any, per_page: int,
                      where: str = "queue") -> ListPage:
    """One page of the work queue (appeal_list_for) with its topics and executors; the rows
    whose applicant is shown are a recorded `applicant.list_view`."""
    appeals = appeal_list_for(user=user, filters=filters).prefetch_related(QUEUE_PREFETCH)
    shown = Paginator(appeals, per_page).get_page(page)
    rows = list(shown.object_list)
    visible = personal_data_visible_in(user=user, appeals=rows)
    _record_list_view(user=user, appeals=rows, visible=visible, where=where)
    return ListPage(page=shown, visible=visible)


def assignment_page_for(*, user: Any, authority_id: int, page: Any, per_page: int, where: str,
                        status: str = "", overdue: bool = False) -> ListPage:
    """One page of an executor's assignments with their appeals and applicants; the rows whose
    applicant is shown are a recorded `applicant.list_view`."""
    items = assignments_for_executor(user=user, authority_id=authority_id, status=status,
                                     overdue=overdue).select_related(
        "question__appeal__applicant", "question__subtopic__topic")
    shown = Paginator(items, per_page).get_page(page)
    appeals = [a.question.appeal for a in shown.object_list]
    visible = personal_data_visible_in(user=user, appeals=appeals)
    _record_list_view(user=user, appeals=appeals, visible=visible, where=where)
    return ListPage(page=shown, visible=visible)


def attachment_download_for(*, user: Any, number: str, pk: int) -> Attachment:
    """A file of the case file to hand to this user: a recorded `attachment.download`. A letter
    or scan carries the applicant's name and address, so the ст.10 rule of the card applies."""
    appeal = appeal_get_for(user=user, number=number)
    attachment = appeal.attachments.filter(pk=pk).first()
    if attachment is None:
        raise not_found()
    if not personal_data_visible(user=user, appeal=appeal):
        raise forbidden()
    audit.record(actor=user, action=AuditAction.ATTACHMENT_DOWNLOAD, obj=attachment,
                 object_label=appeal.number)
    return attachment
