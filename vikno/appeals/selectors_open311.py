"""Public reads of the case file: what anyone may see of an appeal without logging in (the
Open311 GeoReport v2 list, ADR 0032). Nothing here names or leads to a person: no applicant, no
text, no typed address; the point rounded to about 100 m. Being free of personal data, these
reads record nothing on the audit trail.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Subquery

from vikno.appeals.lifecycle import AssignmentStatus
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, Question
from vikno.directory.models import SubTopic

PUBLIC_LIMIT = 1000
# Three decimals of a degree: about 110 m of latitude, 75 m of longitude here: the street, not
# the house.
POINT_STEP = Decimal("0.001")


@dataclass(frozen=True)
class PublicAppeal:
    number: str
    status: str
    not_considered_reason: str
    subtopic_code: str
    subtopic_name: str
    authority_name: str
    received_at: datetime
    status_changed_at: datetime
    closed_at: datetime | None
    due_date: date | None
    territory_name: str
    lat: Decimal | None
    lon: Decimal | None


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(POINT_STEP, rounding=ROUND_HALF_UP)


_FIELDS = ("number", "status", "not_considered_reason", "received_at", "status_changed_at",
           "closed_at", "due_date", "territory__name", "lat", "lon", "service_code",
           "service_name", "agency")


def _first_question() -> Any:
    return Question.objects.filter(appeal=OuterRef("pk")).order_by("id")


def public_appeals(*, numbers: Sequence[str] | None = None, subtopic_codes: Collection[str] = (),
                   start: datetime | None = None, end: datetime | None = None,
                   statuses: Collection[str] | None = None,
                   limit: int = PUBLIC_LIMIT) -> list[PublicAppeal]:
    """Appeals by number (every other filter ignored, as GeoReport's service_request_id does),
    or received within [start, end], in these statuses, with a question on one of these
    sub-topics; newest first, at most `limit`. One query, read along appeal_received_id
    (received_at, id) backwards; the sub-topic test is question_appeal_subtopic's, from that
    index alone; each row's first question (its service) and that question's main executor in
    force are looked up by index for the rows returned only."""
    qs = Appeal.objects.all()
    if numbers is not None:
        qs = qs.filter(number__in=list(numbers))
    else:
        if start is not None:
            qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lte=end)
        if statuses is not None:
            qs = qs.filter(status__in=sorted(statuses))
        if subtopic_codes:
            ids = list(SubTopic.objects.filter(code__in=sorted(subtopic_codes))
                       .values_list("id", flat=True))
            qs = qs.filter(Exists(Question.objects.filter(appeal=OuterRef("pk"),
                                                          subtopic_id__in=ids)))
    main = (Assignment.objects.filter(question=OuterRef("pk"), role=AssignmentRole.MAIN)
            .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.CANCELLED])
            .order_by("id").values("authority__name")[:1])
    qs = qs.annotate(
        service_code=Subquery(_first_question().values("subtopic__code")[:1]),
        service_name=Subquery(_first_question().values("subtopic__name")[:1]),
        agency=Subquery(_first_question().annotate(agency=Subquery(main))
                        .values("agency")[:1]))
    rows = qs.order_by("-received_at", "-id").values_list(*_FIELDS)[:limit]
    return [PublicAppeal(
        number=number, status=status, not_considered_reason=reason or "",
        subtopic_code=code or "", subtopic_name=name or "", authority_name=agency or "",
        received_at=received_at, status_changed_at=changed_at, closed_at=closed_at,
        due_date=due, territory_name=territory or "", lat=rounded(lat), lon=rounded(lon))
        for (number, status, reason, received_at, changed_at, closed_at, due, territory, lat, lon,
             code, name, agency) in rows]


def appeal_number_for_token(token: UUID) -> str | None:
    """The registration number of the appeal a submission with this intake token registered."""
    return (Appeal.objects.filter(intake_token=token).values_list("number", flat=True).first())
