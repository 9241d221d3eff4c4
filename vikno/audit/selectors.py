"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from vikno.audit.chain import HASHED_FIELDS, event_hash
from vikno.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


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
        last = rows[-1].seq


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


def event_list(
    *, action: str = "", actor: str = "", object_label: str = ""
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_username=actor)
    if object_label:
        qs = qs.filter(object_label__icontains=object_label)
    return qs


def events_for(*, object_type: str, object_ids: list[str]) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id__in=object_ids)
