"""Reads of the case file. Lists start from access.appeals_visible_to: nobody sees more than allowed.

A read that returns applicants' personal data for showing records itself on the audit trail
(`applicant.view`, `applicant.list_view`, `applicant.search`, `attachment.download`), so every
interface that calls it is audited the same way. The events name rows, never the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from vikno.accounts.access import role_of
from vikno.accounts.roles import CENTRE_ROLES, Role
from vikno.appeals import lifecycle
from vikno.appeals.access import (
    appeal_get_for,
    appeals_visible_to,
    applicants_searchable_by,
    notes_visible_authority,
    personal_data_visible,
)
from vikno.appeals.errors import forbidden, not_found
from vikno.appeals.lifecycle import (
    UNDER_CONTROL_STATUSES,
    AppealStatus,
    AssignmentStatus,
)
from vikno.appeals.messages import preload
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    Attachment,
    Channel,
    Extension,
    ExtensionStatus,
    InternalNote,
    Kind,
    Reply,
    RoutingTerm,
)
from vikno.appeals.models.work import LATE_ACTIONS

# The queue's reads live in selectors_queue; the names other modules import from here stay.
from vikno.appeals.selectors_queue import (  # noqa: F401
    EXPORT_LIMIT,
    NULLABLE_SORTS,
    OPEN,
    SORTS,
    WORK_ORDER,
    AppealFilters,
    ExportRows,
    ListPage,
    _record_list_view,
    appeal_export_rows,
    appeal_list_for,
    appeal_queue_page,
    applicant_match,
    assignment_counts_for,
    assignment_page_for,
    assignments_for_executor,
    next_due_subquery,
    overdue_q,
    rows_details,
)
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock
from vikno.directory.models import Membership


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
