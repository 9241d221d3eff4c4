"""Public reads of the case file: what anyone may see of an appeal without logging in (the
Open311 GeoReport v2 list, ADR 0031). Nothing here names or leads to a person: no applicant, no
text, no typed address; the point rounded to about 100 m. Being free of personal data, these
reads record nothing on the audit trail.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from django.db.models import Exists, OuterRef

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


_FIELDS = ("id", "number", "status", "not_considered_reason", "received_at", "status_changed_at",
           "closed_at", "due_date", "territory__name", "lat", "lon")


def public_appeals(*, numbers: Sequence[str] | None = None, subtopic_codes: Collection[str] = (),
                   start: datetime | None = None, end: datetime | None = None,
                   statuses: Collection[str] | None = None,
                   limit: int = PUBLIC_LIMIT) -> list[PublicAppeal]:
    """Appeals by number (every other filter ignored, as GeoReport's service_request_id does),
    or received within [start, end], in these statuses, with a question on one of these
    sub-topics; newest first, at most `limit`. Read along appeal_received_id (received_at, id)
    backwards; the sub-topic test is question_appeal_subtopic's, from that index alone."""
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
    rows = list(qs.order_by("-received_at", "-id").values(*_FIELDS)[:limit])
    return _with_questions(rows)


def _with_questions(rows: list[dict]) -> list[PublicAppeal]:  # type: ignore[type-arg]
    """Each appeal's first question (its service) and that question's main executor in force:
    two queries for the page, whatever its length."""
    ids = [row["id"] for row in rows]
    first: dict[int, tuple[int, str, str]] = {}
    for q in (Question.objects.filter(appeal_id__in=ids).order_by("appeal_id", "id")
              .values_list("appeal_id", "id", "subtopic__code", "subtopic__name")):
        first.setdefault(q[0], q[1:])
    question_ids = [q[0] for q in first.values()]
    main = dict(Assignment.objects.filter(question_id__in=question_ids, role=AssignmentRole.MAIN)
                .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.CANCELLED])
                .values_list("question_id", "authority__name"))
    found = []
    for row in rows:
        question_id, code, name = first.get(row["id"], (0, "", ""))
        found.append(PublicAppeal(
            number=row["number"], status=row["status"],
            not_considered_reason=row["not_considered_reason"] or "",
            subtopic_code=code, subtopic_name=name, authority_name=main.get(question_id, ""),
            received_at=row["received_at"], status_changed_at=row["status_changed_at"],
            closed_at=row["closed_at"], due_date=row["due_date"],
            territory_name=row["territory__name"] or "",
            lat=rounded(row["lat"]), lon=rounded(row["lon"])))
    return found


def appeal_number_for_token(token: UUID) -> str | None:
    """The registration number of the appeal a submission with this intake token registered."""
    return (Appeal.objects.filter(intake_token=token).values_list("number", flat=True).first())
