"""Reads of the case file. Lists start from access.appeals_visible_to: nobody sees more than allowed.

A read that returns applicants' personal data for showing records itself on the audit trail
(`applicant.view`, `applicant.list_view`, `applicant.search`, `attachment.download`), so every
interface that calls it is audited the same way. The events name rows, never the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from vikno.accounts.access import role_of
from vikno.accounts.roles import CENTRE_ROLES, Role
from vikno.appeals import lifecycle
from vikno.appeals.access import (
    appeal_get_for,
    appeals_visible_to,
    applicants_searchable_by,
    notes_visible_authority,
    personal_data_visible,
    personal_data_visible_in,
    sees_appeals,
)
from vikno.appeals.errors import AppealsError, Code, forbidden, not_found
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
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
    Channel,
    Extension,
    ExtensionStatus,
    InternalNote,
    Kind,
    Question,
    Reply,
    RoutingTerm,
)
from vikno.appeals.models.applicants import phone_normalise
from vikno.appeals.models.work import LATE_ACTIONS
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock, fulltext
from vikno.core.pagination import BoundedPaginator
from vikno.core.search import Fold, fold
from vikno.directory.models import Membership

# A pseudo-status of the filters: every appeal still under consideration (the default queue).
OPEN = "open"
# A main executor's answer that settles its question's control date (kept when its appeal closes).
ANSWERED_STATUSES = (AssignmentStatus.ANSWERED, AssignmentStatus.CLOSED)


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
    # What the centre must act on (selectors_control.Attention), from the dashboard's counts.
    attention: str = ""
    # Several statuses at once (the queue's filter); OPEN among them stands for OPEN_STATUSES.
    statuses: tuple[str, ...] = ()
    received_from: date | None = None
    received_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    # A key of SORTS, "-" in front for the descending order; "" is the work order.
    sort: str = ""


# The queue's sortable columns: the ordering of each (ascending); every order ends on the row id
# so that equal values keep one order from page to page.
SORTS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "received": ("received_at",),
    "due": ("due_date",),
    "status": ("status",),
    "executor": ("executor_name",),
    "priority": ("priority",),
}
WORK_ORDER = ("-priority", "due_date", "-received_at")
# The sorts whose column may be empty (no control date, no executor yet).
NULLABLE_SORTS = frozenset({"due", "executor"})


def _status_q(f: AppealFilters) -> Q | None:
    wanted = [*f.statuses, *([f.status] if f.status else [])]
    if not wanted:
        return None
    statuses = {s for s in wanted if s != OPEN}
    if OPEN in wanted:
        statuses |= set(OPEN_STATUSES)
    return Q(status__in=sorted(statuses))


def _ordered(qs: QuerySet[Appeal], sort: str) -> QuerySet[Appeal]:
    key = sort.removeprefix("-")
    if key not in SORTS:
        return qs.order_by(*WORK_ORDER, "-id")
    descending = sort.startswith("-")
    if key == "executor":
        # The first main executor still (or last) at work on the appeal, by name.
        qs = qs.annotate(executor_name=Subquery(
            Assignment.objects.filter(question__appeal=OuterRef("pk"), role=AssignmentRole.MAIN,
                                      status__in=[*ACTIVE_ASSIGNMENT_STATUSES,
                                                  AssignmentStatus.CLOSED])
            .order_by("id").values("authority__name")[:1]))
    # Empty values (no control date, no executor) go last either way, on every database; the
    # columns that are never empty are ordered plainly, so an index serves both directions.
    nulls = {"nulls_last": True} if key in NULLABLE_SORTS else {}
    fields = [F(name).desc(**nulls) if descending else F(name).asc(**nulls)
              for name in SORTS[key]]
    return qs.order_by(*fields, "-id" if descending else "id")


def overdue_q(today: date) -> Q:
    """Under control, with a question past its own control date whose main executor has not
    answered (per-question control: a question extended to a later date is not overdue while
    another one may be; the appeal's own date is the latest of its questions')."""
    late = _owed_questions().filter(due_date__lt=today)
    return Q(status__in=UNDER_CONTROL_STATUSES) & Q(Exists(late))


def _owed_questions() -> QuerySet[Question]:
    """The outer appeal's questions whose main executor has not answered (yet, or again)."""
    answered = Assignment.objects.filter(question=OuterRef("pk"), role=AssignmentRole.MAIN,
                                         status__in=ANSWERED_STATUSES)
    return Question.objects.filter(appeal=OuterRef("pk")).exclude(Exists(answered))


def next_due_subquery() -> Subquery:
    """The earliest control date among the appeal's questions still owed (per-question control):
    what the queue measures overdue by; empty when every question is answered."""
    return Subquery(_owed_questions().filter(due_date__isnull=False).order_by("due_date")
                    .values("due_date")[:1])


def appeal_list_for(*, user: Any, filters: AppealFilters = AppealFilters()) -> QuerySet[Appeal]:
    """The work queue: priority applicants first (ст.20), then the nearest control date, unless
    the filters ask for another order (SORTS)."""
    qs = appeals_visible_to(user)
    f = filters
    by_status = _status_q(f)
    if by_status is not None:
        qs = qs.filter(by_status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    # To-many conditions are EXISTS subqueries: no join that repeats an appeal, so no DISTINCT,
    # and the database can walk an index in the list's order and stop at the page (ADR lists).
    if f.subtopic_code:
        qs = qs.filter(Exists(Question.objects.filter(appeal=OuterRef("pk"),
                                                      subtopic__code=f.subtopic_code)))
    elif f.topic_code:
        qs = qs.filter(Exists(Question.objects.filter(appeal=OuterRef("pk"),
                                                      subtopic__topic__code=f.topic_code)))
    if f.territory_code:
        qs = qs.filter(territory__path__contains=f.territory_code)
    if f.authority_code:
        qs = qs.filter(Exists(Assignment.objects.filter(
            question__appeal=OuterRef("pk"), authority__code=f.authority_code,
            status__in=ACTIVE_ASSIGNMENT_STATUSES)))
    if f.overdue:
        qs = qs.filter(overdue_q(clock.today()))
    if f.priority:
        qs = qs.filter(priority=True)
    if f.attention:
        # Imported here: selectors_control builds on this module.
        from vikno.appeals.selectors_control import attention_q

        qs = qs.filter(attention_q(f.attention))
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    if f.due_from:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due_date__lte=f.due_to)
    if f.q.strip():
        qs = qs.filter(_search_q(f.q.strip(), with_applicant=applicants_searchable_by(user)))
    # Every condition above is on the appeal's own row or a subquery: each appeal comes once.
    return _ordered(qs.select_related("applicant", "territory")
                    .annotate(next_due=next_due_subquery()), f.sort)


APPLICANT_IDS_INLINE = 1000


def _search_q(q: str, *, with_applicant: bool) -> Q:
    # Words by their lemmas (a typo by similarity), digits inside the number: vikno.core.fulltext.
    cond = fulltext.text_match(q, model=Appeal)
    if with_applicant:
        # The few matching applicants as a list of ids: PostgreSQL then ORs them with the text's
        # index into one bitmap instead of testing every appeal against a subquery.
        applicants = applicant_match(q)
        ids = list(applicants.values_list("pk", flat=True)[:APPLICANT_IDS_INLINE + 1])
        cond |= Q(applicant__in=ids if len(ids) <= APPLICANT_IDS_INLINE else applicants)
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


def appeal_is_overdue(*, appeal: Appeal, today: date) -> bool:
    """The card's mark: a question still owed is past its own control date (see overdue_q)."""
    return Appeal.objects.filter(overdue_q(today), pk=appeal.pk).exists()


def assignments_for_executor(*, user: Any, authority_id: int, status: str = "",
                             overdue: bool = False) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(authority_id=authority_id).select_related(
        "question__appeal", "question__subtopic")
    qs = qs.filter(status=status) if status else qs.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES)
    if overdue:
        qs = qs.filter(due_date__lt=clock.today()).exclude(status=AssignmentStatus.ANSWERED)
    return qs.order_by("-question__appeal__priority", "due_date", "id")


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


def appeal_timeline(*, appeal: Appeal) -> list[Any]:
    """The history, with the authority names of its notes looked up in one query."""
    return preload(appeal.transitions.select_related("by").order_by("at", "id"))


def executor_accounts_exist() -> Exists:
    """The assignment's authority has at least one active executor account in Vikno (for an
    annotation of assignments). Without one the body answers by letter or e-mail and the centre
    records its answer (services.reply_record_on_behalf)."""
    return Exists(Membership.objects.filter(authority=OuterRef("authority_id"),
                                            user__is_active=True, user__role=Role.EXECUTOR))


def appeal_assignments(*, appeal: Appeal) -> QuerySet[Assignment]:
    """The card's assignments with their replies; `without_accounts` marks the bodies that have
    no executor account (their answers come on paper)."""
    replies = Reply.objects.select_related("answered_by", "recorded_by", "scan")
    return (Assignment.objects.filter(question__appeal=appeal)
            .select_related("authority", "question__subtopic")
            .annotate(without_accounts=~executor_accounts_exist())
            .prefetch_related(Prefetch("replies", queryset=replies))
            .order_by("question_id", "role", "id"))


def assignments_awaiting_paper(*, user: Any) -> QuerySet[Assignment]:
    """Assignments still owing an answer from bodies without any active executor account: their
    answers arrive by letter or e-mail and wait for the centre to record them. The centre's list;
    nobody else records such answers."""
    if role_of(user) not in CENTRE_ROLES:
        return Assignment.objects.none()
    return (Assignment.objects.filter(status__in=lifecycle.OWING_STATUSES)
            .filter(~executor_accounts_exist())
            .select_related("authority", "question__appeal").order_by("due_date", "id"))


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
    shown = BoundedPaginator(appeals, per_page).get_page(page)
    rows = list(shown.object_list)
    visible = personal_data_visible_in(user=user, appeals=rows)
    _record_list_view(user=user, appeals=rows, visible=visible, where=where)
    return ListPage(page=shown, visible=visible)


# An export is a copy of the list that leaves the system: bounded, so nobody carries the whole
# register away in one file (narrow the filters instead).
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class ExportRows:
    """The appeals of an export and, per appeal id, whether its applicant goes out unmasked."""

    appeals: list[Appeal]
    visible: dict[int, bool]


def appeal_export_rows(*, user: Any, filters: AppealFilters, fmt: str,
                       limit: int = EXPORT_LIMIT) -> ExportRows:
    """The work queue as filtered (appeal_list_for), for a file: a recorded `appeal.export` with
    the number of rows, the format and the ids of the applicants that go out unmasked, never their
    data. Only roles that see appeals export; an executor exports its own authority's appeals
    (appeals_visible_to). More than `limit` rows is refused (TOO_MANY_ROWS): nothing recorded."""
    if not sees_appeals(user):
        raise forbidden()
    qs = appeal_list_for(user=user, filters=filters)
    count = qs.count()
    if count > limit:
        raise AppealsError(
            Code.TOO_MANY_ROWS,
            _("The list holds %(count)s appeals; an export takes at most %(limit)s. "
              "Narrow the filters.") % {"count": count, "limit": limit},
            http_status=400)
    appeals = list(qs.select_related("territory__parent__parent__parent")
                   .prefetch_related(QUEUE_PREFETCH))
    visible = personal_data_visible_in(user=user, appeals=appeals)
    audit.record(actor=user, action=AuditAction.APPEAL_EXPORT, obj=None, object_label=fmt,
                 after={"rows": len(appeals), "format": fmt,
                        "applicant_ids": sorted({a.applicant_id for a in appeals
                                                 if visible[a.pk] and a.applicant_id})})
    return ExportRows(appeals=appeals, visible=visible)


def assignment_page_for(*, user: Any, authority_id: int, page: Any, per_page: int, where: str,
                        status: str = "", overdue: bool = False) -> ListPage:
    """One page of an executor's assignments with their appeals and applicants; the rows whose
    applicant is shown are a recorded `applicant.list_view`."""
    items = assignments_for_executor(user=user, authority_id=authority_id, status=status,
                                     overdue=overdue).select_related(
        "question__appeal__applicant", "question__subtopic__topic")
    shown = BoundedPaginator(items, per_page).get_page(page)
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


def intake_by_channel() -> dict[str, int]:
    """How many appeals each channel has brought in so far (the metrics' intake counter): counts
    only, no personal data. Every channel is named, those without appeals with 0."""
    counts = dict(Appeal.objects.order_by().values_list("channel").annotate(n=Count("id")))
    return {str(channel): counts.get(channel, 0) for channel in Channel.values}


def overdue_count(*, today: date | None = None) -> int:
    """The number of appeals past a control date (the metrics' overdue gauge)."""
    return appeals_overdue(today=today).count()
