"""Reads of the case file. Lists start from access.appeals_visible_to: nobody sees more than allowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from vikno.appeals.access import appeals_visible_to, applicants_searchable_by
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    UNDER_CONTROL_STATUSES,
    AppealStatus,
    AssignmentStatus,
)
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    Kind,
    Notification,
)
from vikno.appeals.models.applicants import phone_normalise
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
    if len(digits) >= 5 and len(digits) >= len(q.replace(" ", "")) - 4:
        return Applicant.objects.filter(phone_digits__contains=digits[-9:])
    words = [fold(w) for w in q.split() if w]
    qs = Applicant.objects.annotate(fl=Fold("last_name"), ff=Fold("first_name"),
                                    fo=Fold("organisation_name"))
    for word in words:
        qs = qs.filter(Q(fl__startswith=word) | Q(ff__startswith=word) | Q(fo__contains=word))
    return qs


def applicant_find(*, user: Any, q: str, limit: int = 10) -> list[Applicant]:
    """Applicants by phone (any spelling) or by surname/name, for the operator's screen."""
    if not applicants_searchable_by(user) or len(q.strip()) < 3:
        return []
    return list(applicant_match(q.strip()).select_related("category")
                .annotate(appeal_count=Count("appeals")).order_by("-updated_at")[:limit])


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
    owed = [AssignmentStatus.ASSIGNED, AssignmentStatus.IN_WORK, AssignmentStatus.FOR_REVISION]
    rows = (qs.values("authority_id", "authority__code", "authority__name")
            .annotate(
                arrived=Count("id"),
                in_work=Count("id", filter=Q(status__in=[AssignmentStatus.ASSIGNED,
                                                          AssignmentStatus.IN_WORK])),
                overdue=Count("id", filter=Q(status__in=owed, due_date__lt=today)),
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
    the appeals' figures (ADR 0010)."""
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


def pending_extensions() -> QuerySet[Extension]:
    return (Extension.objects.filter(status=ExtensionStatus.REQUESTED)
            .select_related("appeal", "assignment__authority").order_by("new_due_date"))


def notifications_for(*, user: Any, authority_id: int | None, supervisor: bool,
                      limit: int = 20) -> QuerySet[Notification]:
    cond = Q(user=user)
    if authority_id:
        cond |= Q(authority_id=authority_id)
    if supervisor:
        cond |= Q(for_supervisors=True)
    return Notification.objects.filter(cond, read_at__isnull=True).select_related("appeal")[:limit]


def appeal_timeline(*, appeal: Appeal) -> list[Any]:
    return list(appeal.transitions.select_related("by").order_by("at", "id"))


def appeal_assignments(*, appeal: Appeal) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(question__appeal=appeal)
            .select_related("authority", "question__subtopic")
            .prefetch_related("replies").order_by("question_id", "role", "id"))
