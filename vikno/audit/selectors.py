"""Reading and verifying the audit trail; an export of it is itself recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vikno.audit.actions import AuditAction
from vikno.audit.chain import HASHED_FIELDS, event_hash
from vikno.audit.errors import AuditError, Code
from vikno.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from vikno.audit.services import record, seal


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _events(batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq or 0  # sealed: seq__gt never yields a null


def chain_verify() -> ChainReport:
    """Walk the whole chain; report the first event whose content, link or order was altered."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in _events():
        if event.seq != expected_seq:
            return ChainReport(checked, ChainBreak(expected_seq, "missing event (deleted)"))
        if event.prev_hash != prev_hash:
            return ChainReport(checked, ChainBreak(event.seq, "link to the previous event broken"))
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        if event_hash(fields) != event.hash:
            return ChainReport(checked, ChainBreak(event.seq, "content altered (hash mismatch)"))
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None:
        if checked:
            # record() writes the head with the first event; events without it mean tampering.
            return ChainReport(checked, ChainBreak(checked, "chain head missing"))
    elif head.last_seq != checked or head.last_hash != prev_hash:
        missing = ChainBreak(checked + 1, "events missing at the end of the chain")
        return ChainReport(checked, missing)
    return ChainReport(checked, None)


def trail_verify() -> ChainReport:
    """Chain the events waiting for the sealer, then verify the whole chain: what the security
    administrator's "verify" checks includes the latest events (ADR 0027)."""
    seal()
    return chain_verify()


@dataclass(frozen=True)
class Unsealed:
    """The events not yet chained (ADR 0027): how many, and how long the oldest has waited."""

    count: int
    oldest_seconds: float

    def overdue(self, bound: float) -> bool:
        return self.count > 0 and self.oldest_seconds > bound


def unsealed() -> Unsealed:
    """Read from the partial index of the unsealed events: a few rows however long the trail."""
    found = AuditEvent.objects.filter(hash__isnull=True).aggregate(
        count=Count("id"), oldest=Min("occurred_at"))
    if not found["count"]:
        return Unsealed(0, 0.0)
    waited = (timezone.now() - found["oldest"]).total_seconds()
    return Unsealed(found["count"], max(0.0, waited))


@dataclass(frozen=True)
class TrailFilter:
    """What the security administrator narrows the trail to. None of it is personal data: a
    username names an account, an object number or an appeal's number names a record."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object: str = ""

    def params(self) -> dict[str, str]:
        """The filter as it is told to the trail (the export's own event): set values only."""
        values = {name: getattr(self, name) for name in
                  ("date_from", "date_to", "actor", "action", "object_type", "object")}
        return {name: value.isoformat() if isinstance(value, date) else value
                for name, value in values.items() if value}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def event_filter(filters: TrailFilter) -> QuerySet[AuditEvent]:
    """The events the filter keeps, each condition answered from an index (AuditEvent.Meta)."""
    qs = AuditEvent.objects.all()
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.actor:
        qs = qs.filter(actor_username=filters.actor)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object:
        # An object's number, or an appeal's number: the appeal itself, and its assignments,
        # replies and attachments, whose labels start with it ("ЗК-2026-000123 → CODE").
        qs = qs.filter(Q(object_id=filters.object) | Q(object_label=filters.object)
                       | Q(object_label__startswith=f"{filters.object} "))
    return qs


@dataclass(frozen=True)
class TrailPage:
    """One page of the trail, newest first, and the cursors to the pages either side (a `seq`;
    None where there is nothing more). Keyset pages: no count, no offset, however long the trail.
    The newest page starts with the events not sealed yet (no `seq`), newest first."""

    events: list[AuditEvent]
    newer: int | None
    older: int | None


def event_page(filters: TrailFilter, *, before: int | None = None, after: int | None = None,
               size: int = 50) -> TrailPage:
    """The page of events older than `before` (or newer than `after`; the newest without either)."""
    qs = event_filter(filters)
    waiting: list[AuditEvent] = []
    if after is None and before is None:
        waiting = list(qs.filter(seq__isnull=True).order_by("-id")[:size])
        qs = qs.filter(seq__isnull=False)
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[:size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_older = bool(rows) and qs.filter(seq__lt=rows[-1].seq).exists()
    else:
        window = qs.filter(seq__lt=before) if before is not None else qs
        rows = list(window.order_by("-seq")[:size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = bool(rows) and before is not None and qs.filter(seq__gt=rows[0].seq).exists()
    return TrailPage(events=waiting + rows, newer=rows[0].seq if has_newer else None,
                     older=rows[-1].seq if has_older else None)


EXPORT_LIMIT = 20_000


def trail_export(*, user: Any, filters: TrailFilter, file_format: str,
                 limit: int | None = None) -> list[AuditEvent]:
    """The filtered trail, newest first, to be taken away as a file: itself an event of the trail
    (`audit.export`, with the filter and the number of rows). Refused above `limit` rows, so a
    file stays a size a spreadsheet opens; nothing is recorded then."""
    limit = EXPORT_LIMIT if limit is None else limit
    # Newest first, the events not sealed yet (no `seq`) before all others.
    rows = list(event_filter(filters).order_by(F("seq").desc(nulls_first=True), "-id")[:limit + 1])
    if len(rows) > limit:
        raise AuditError(
            Code.EXPORT_TOO_LARGE,
            _("More than %(limit)s events match: narrow the filter (dates, person, action) "
              "and export again.") % {"limit": limit})
    record(actor=user, action=AuditAction.AUDIT_EXPORT, object_label="",
           after={"format": file_format, "rows": len(rows), **filters.params()})
    return rows


def events_for(*, object_type: str, object_ids: list[str]) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id__in=object_ids)
